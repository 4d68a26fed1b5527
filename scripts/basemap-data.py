#!/usr/bin/env python3
"""Builds data/geo/basemap.geojson, the offline basemap the UI draws under the store markers.

Source (fetched with `cargo fetch` at set-up, never at run time):
  - the crate reversejp: the Japan Meteorological Agency's municipal areas (気象庁 class20s,
    "landslides_<n>.json" zipped GeoJSON under data/), one feature per municipality or part of one.

What it does:
  1. Reads every ring; the source orients outer rings clockwise and stores holes as rings of
     their own, counter-clockwise, so all rings are reversed (outer rings counter-clockwise).
  2. Builds the shared topology: a vertex where the rings through it diverge is a junction; rings
     are cut at junctions into arcs, and an arc shared by two neighbours is stored once.
  3. Simplifies each arc once (Douglas–Peucker, endpoints kept; the tolerance grows with the size
     of the municipalities beside it), so neighbours keep sharing the very same line: no gaps or
     overlaps between municipalities at any zoom.
  4. Dissolves the arcs into the land (shared arcs cancel, the coast is left), keeps the arcs
     between municipalities and between prefectures as lines, each arc written once, and places
     one label point per municipality and prefecture (pole of inaccessibility of its largest part;
     a municipality the JMA splits in parts, 仙台市東部/西部, is dissolved back into one).

Output: one GeoJSON FeatureCollection (RFC 7946, outer rings counter-clockwise), with two foreign
members first: "hakobu" (format, build, source version, tolerance) and "attribution". Features,
by properties.kind:
  land                 MultiPolygon     Japan's land; its outline is the coast
  municipal-boundary   MultiLineString  between municipalities of one prefecture
  prefecture-boundary  MultiLineString  between prefectures (the prefectures' outlines inland)
  labels               MultiPoint       one per level (prefecture, municipality), largest first,
                                        with parallel arrays name, en, area (km², rounded)
Coordinates are quantised to QUANT decimal places (the source itself has four).
Idempotent: does nothing when the output exists and its "hakobu" member matches.
Standard library only.
"""
import argparse
import heapq
import io
import json
import math
import os
import re
import subprocess
import tarfile
import tempfile
import zipfile

CRATE = ("reversejp", "0.2.1")
FORMAT = 1
# Bump when the output changes without a source change, so `make data` rebuilds.
BUILD = 1
# Douglas–Peucker tolerance per arc, in degrees of latitude: TOLERANCE_PER_KM × the square root of
# the area (km²) of the smaller municipality beside it, capped. A Tokyo ward (10–60 km²) keeps the
# source's detail (≤ 0.0012°, ~130 m; the source itself is drawn at about 0.002°), a large rural
# town (1,000 km²) is simplified to ~0.004° (it is seen from further out). Shared arcs are
# simplified once, so the tolerance may vary from arc to arc without opening gaps.
TOLERANCE_PER_KM = 0.00016
TOLERANCE_MAX = 0.004
QUANT = 5
ATTRIBUTION = "出典：気象庁ホームページ"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# Longitude is scaled by cos(36°) for distances and areas, so tolerances are roughly isotropic.
KX = math.cos(math.radians(36.0))
KM_PER_DEG = 111.32

PREFECTURES = [
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"),
    ("秋田県", "Akita"), ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"),
    ("石川県", "Ishikawa"), ("福井県", "Fukui"), ("山梨県", "Yamanashi"), ("長野県", "Nagano"),
    ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"), ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"), ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
]


def meta():
    return {
        "format": FORMAT,
        "build": BUILD,
        "source": f"{CRATE[0]}=={CRATE[1]}",
        "tolerance": f"{TOLERANCE_PER_KM}*sqrt(km2)<={TOLERANCE_MAX}",
    }


def up_to_date(out):
    try:
        with open(out, encoding="utf-8") as f:
            return json.load(f).get("hakobu") == meta()
    except (FileNotFoundError, ValueError):
        return False


# --- source ---------------------------------------------------------------------------------


def fetch_crate(work):
    """The crate's .crate archive, downloaded by cargo into its registry cache."""
    name, version = CRATE
    os.makedirs(os.path.join(work, "src"))
    with open(os.path.join(work, "Cargo.toml"), "w", encoding="utf-8") as f:
        f.write(
            '[package]\nname = "hakobu-basemap-source"\nversion = "0.0.0"\nedition = "2021"\n'
            f'publish = false\n\n[dependencies]\n{name} = "={version}"\n'
        )
    open(os.path.join(work, "src", "lib.rs"), "w").close()
    # From the repository, so rust-toolchain.toml picks the toolchain.
    subprocess.run(
        ["cargo", "fetch", "--quiet", "--manifest-path", os.path.join(work, "Cargo.toml")], cwd=ROOT, check=True
    )
    cargo_home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
    cache = os.path.join(cargo_home, "registry", "cache")
    for registry in sorted(os.listdir(cache)):
        path = os.path.join(cache, registry, f"{name}-{version}.crate")
        if os.path.exists(path):
            return path
    raise SystemExit(f"basemap: cargo fetched {name} {version} but no {name}-{version}.crate under {cache}")


def load_features(crate):
    """(code, name, en, rings) per source feature; rings are closed lists of integer points."""
    scale = 10**QUANT
    features = []
    with tarfile.open(crate, "r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers() if re.search(r"/data/landslides_\d+\.json\.zip$", m.name)),
            key=lambda m: int(re.search(r"_(\d+)\.json", m.name).group(1)),
        )
        if not members:
            raise SystemExit(f"basemap: no data/landslides_*.json.zip in {crate}")
        for member in members:
            with zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read())) as z:
                inner = os.path.basename(member.name)[: -len(".zip")]
                collection = json.loads(z.read(inner))
            for feature in collection["features"]:
                props, geometry = feature["properties"], feature["geometry"]
                polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
                rings = []
                for polygon in polygons:
                    for ring in polygon:
                        pts = []
                        for x, y in ring:
                            p = (round(x * scale), round(y * scale))
                            if not pts or pts[-1] != p:
                                pts.append(p)
                        if len(pts) > 1 and pts[0] == pts[-1]:
                            pts.pop()
                        if len(pts) >= 3:
                            pts.reverse()  # source outer rings are clockwise
                            rings.append(pts)
                features.append((props["code"], props["name"], props.get("enName", ""), rings))
    return features


# --- topology -------------------------------------------------------------------------------


def build_arcs(features):
    """Cuts rings at junctions. Returns (arcs, ring_arcs): arcs are point tuples (closed arcs
    repeat their first point at the end); ring_arcs[(feature, ring)] = [(arc id, reversed)]."""
    neighbours = {}
    for _code, _name, _en, rings in features:
        for ring in rings:
            n = len(ring)
            for i, p in enumerate(ring):
                s = neighbours.setdefault(p, set())
                s.add(ring[i - 1])
                s.add(ring[(i + 1) % n])
    junction = {p for p, s in neighbours.items() if len(s) > 2}

    arc_ids, arcs, ring_arcs = {}, [], {}

    def add(seq):
        rev = seq[::-1]
        canonical, reversed_ = (seq, False) if seq <= rev else (rev, True)
        idx = arc_ids.get(canonical)
        if idx is None:
            idx = arc_ids[canonical] = len(arcs)
            arcs.append(canonical)
        return idx, reversed_

    for fi, (_code, _name, _en, rings) in enumerate(features):
        for ri, ring in enumerate(rings):
            cuts = [i for i, p in enumerate(ring) if p in junction]
            if not cuts:
                # A ring of its own (island, enclave): start at its least point, canonical direction.
                k = ring.index(min(ring))
                seq = tuple(ring[k:] + ring[:k] + [ring[k]])
                ring_arcs[(fi, ri)] = [add(seq)]
                continue
            k = cuts[0]
            rotated = ring[k:] + ring[:k] + [ring[k]]
            cuts = [i - k for i in cuts] + [len(ring)]
            ring_arcs[(fi, ri)] = [add(tuple(rotated[a : b + 1])) for a, b in zip(cuts, cuts[1:])]
    return arcs, ring_arcs


def simplify(points, tolerance):
    """Douglas–Peucker keeping both ends; a closed arc is split at its farthest point first."""
    scale = 10**QUANT
    pts = [(x * KX / scale, y / scale) for x, y in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    tol2 = tolerance * tolerance

    def dp(a, b):
        stack = [(a, b)]
        while stack:
            a, b = stack.pop()
            if b <= a + 1:
                continue
            ax, ay = pts[a]
            bx, by = pts[b]
            dx, dy = bx - ax, by - ay
            den = dx * dx + dy * dy
            best, best_d = -1, -1.0
            for i in range(a + 1, b):
                px, py = pts[i]
                if den == 0:
                    d = (px - ax) ** 2 + (py - ay) ** 2
                else:
                    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / den))
                    d = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
                if d > best_d:
                    best, best_d = i, d
            if best_d > tol2:
                keep[best] = True
                stack.append((a, best))
                stack.append((best, b))

    if points[0] == points[-1] and len(points) > 3:
        x0, y0 = pts[0]
        far = max(range(1, len(pts) - 1), key=lambda i: (pts[i][0] - x0) ** 2 + (pts[i][1] - y0) ** 2)
        keep[far] = True
        dp(0, far)
        dp(far, len(pts) - 1)
        if sum(keep) < 4:  # keep a triangle
            third = max(
                (i for i in range(1, len(pts) - 1) if i != far),
                key=lambda i: abs((pts[far][0] - x0) * (pts[i][1] - y0) - (pts[far][1] - y0) * (pts[i][0] - x0)),
            )
            keep[third] = True
    else:
        dp(0, len(pts) - 1)
    return tuple(p for p, k in zip(points, keep) if k)


def ring_area(ring):
    """Signed area in degrees² (counter-clockwise positive), ring closed or not."""
    scale = 10**QUANT
    s = 0
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        s += x1 * y2 - x2 * y1
    return s / 2 / scale / scale


def dissolve(groups, ring_arcs, arcs):
    """Per group key: the rings its members' arcs leave once shared arcs cancel.
    groups: key -> list of ring keys. Returns key -> list of closed rings (point lists)."""
    out = {}
    for key, rings in groups.items():
        net = {}
        for rk in rings:
            for idx, rev in ring_arcs[rk]:
                net[idx] = net.get(idx, 0) + (-1 if rev else 1)
        directed = []
        for idx, n in net.items():
            if n == 0:
                continue
            seq = arcs[idx] if n > 0 else arcs[idx][::-1]
            directed.append(seq)
        closed = [list(s) for s in directed if s[0] == s[-1]]
        starts = {}
        for i, s in enumerate(directed):
            if s[0] != s[-1]:
                starts.setdefault(s[0], []).append(i)
        used = set()
        for i, s in enumerate(directed):
            if s[0] == s[-1] or i in used:
                continue
            used.add(i)
            ring = list(s)
            while ring[-1] != ring[0]:
                nxt = next((j for j in starts.get(ring[-1], []) if j not in used), None)
                if nxt is None:
                    break
                used.add(nxt)
                ring.extend(directed[nxt][1:])
            if ring[-1] == ring[0]:
                closed.append(ring)
        out[key] = [r for r in closed if len(r) >= 4]
    return out


def point_in_ring(p, ring):
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def polygons_of(rings):
    """Nests holes (clockwise) in the smallest outer ring (counter-clockwise) containing them."""
    outers = sorted((r for r in rings if ring_area(r) > 0), key=ring_area)
    polys = [[r] for r in outers]
    for hole in (r for r in rings if ring_area(r) < 0):
        for poly in polys:
            if point_in_ring(hole[0], poly[0]):
                poly.append(hole)
                break
    polys.sort(key=lambda p: -ring_area(p[0]))
    return polys


# --- labels ---------------------------------------------------------------------------------


def polylabel(ring, precision=0.002):
    """Pole of inaccessibility (mapbox/polylabel) of one closed ring, in scaled degrees."""
    scale = 10**QUANT
    pts = [(x * KX / scale, y / scale) for x, y in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    minx, miny, maxx, maxy = min(xs), min(ys), max(xs), max(ys)
    size = min(maxx - minx, maxy - miny)
    segs = list(zip(pts, pts[1:] + pts[:1]))

    def dist(x, y):
        inside, best = False, float("inf")
        for (ax, ay), (bx, by) in segs:
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                inside = not inside
            dx, dy = bx - ax, by - ay
            den = dx * dx + dy * dy
            t = 0.0 if den == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / den))
            d = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2
            best = min(best, d)
        return math.sqrt(best) * (1 if inside else -1)

    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if size == 0:
        return cx / KX, cy
    area = 0.0
    ax_, ay_ = 0.0, 0.0
    for (x1, y1), (x2, y2) in segs:
        f = x1 * y2 - x2 * y1
        ax_ += (x1 + x2) * f
        ay_ += (y1 + y2) * f
        area += f * 3
    best = (dist(cx, cy), cx, cy)
    if area != 0:
        c = (ax_ / area, ay_ / area)
        d = dist(*c)
        if d > best[0]:
            best = (d, c[0], c[1])
    h = size / 2
    heap = []
    x = minx
    while x < maxx:
        y = miny
        while y < maxy:
            d = dist(x + h, y + h)
            heapq.heappush(heap, (-(d + h * math.sqrt(2)), d, x + h, y + h, h))
            y += size
        x += size
    while heap:
        neg_max, d, x, y, h = heapq.heappop(heap)
        if d > best[0]:
            best = (d, x, y)
        if -neg_max - best[0] <= precision:
            continue
        h /= 2
        for sx in (-h, h):
            for sy in (-h, h):
                dd = dist(x + sx, y + sy)
                heapq.heappush(heap, (-(dd + h * math.sqrt(2)), dd, x + sx, y + sy, h))
    return best[1] / KX, best[2]


def common_name(names):
    """釧路市釧路, 釧路市阿寒 -> 釧路市: the common prefix up to its last 市/町/村/区."""
    prefix = os.path.commonprefix(names)
    cut = max(prefix.rfind(c) for c in "市町村区")
    return prefix[: cut + 1] if cut >= 0 else names[0]


def common_en(names):
    """'Eastern Sendai City', 'Akan, Kushiro City', 'Sasebo City (Uku Area)' -> the city's name."""
    cleaned = []
    for n in names:
        n = re.sub(r"\s*\(.*\)$", "", n).split(", ")[-1]
        n = re.sub(r"^(Eastern|Western|Northern|Southern|Central) ", "", n)
        cleaned.append(n)
    return max(set(cleaned), key=cleaned.count)


def muni_code(code):
    """JMA area code 1310100 -> municipality 13101; 'hoppo' (the northern islands) stays."""
    return code[:5] if code.isdigit() else code


def pref_code(code):
    return code[:2] if code.isdigit() else "01"


# --- output ---------------------------------------------------------------------------------


def coord(p):
    scale = 10**QUANT
    return [round(p[0] / scale, QUANT), round(p[1] / scale, QUANT)]


def line(seq):
    return [coord(p) for p in seq]


def merge_lines(arcs):
    """Joins arcs that meet end to end where exactly two of them meet: fewer, longer lines."""
    ends = {}
    for i, a in enumerate(arcs):
        ends.setdefault(a[0], []).append(i)
        ends.setdefault(a[-1], []).append(i)
    used = [False] * len(arcs)
    lines = []

    def walk(i, start):
        used[i] = True
        seq = list(arcs[i] if arcs[i][0] == start else arcs[i][::-1])
        while len(ends[seq[-1]]) == 2 and seq[-1] != seq[0]:
            nxt = next((j for j in ends[seq[-1]] if not used[j]), None)
            if nxt is None:
                break
            used[nxt] = True
            a = arcs[nxt]
            seq.extend((a if a[0] == seq[-1] else a[::-1])[1:])
        return seq

    for i, a in enumerate(arcs):  # from the line ends and branch points first
        for end in (a[0], a[-1]):
            if not used[i] and len(ends[end]) != 2:
                lines.append(walk(i, end))
    for i, a in enumerate(arcs):  # then what is left: closed loops
        if not used[i]:
            lines.append(walk(i, a[0]))
    return lines


def build(crate, out):
    features = load_features(crate)
    arcs, ring_arcs = build_arcs(features)
    muni_of = [muni_code(code) for code, _n, _e, _r in features]
    pref_of = [pref_code(code) for code, _n, _e, _r in features]

    # Who is on each side of each arc, and how large the municipalities are.
    sides = [[] for _ in arcs]
    for (fi, _ri), uses in ring_arcs.items():
        for idx, _rev in uses:
            sides[idx].append(fi)
    muni_area = {}
    for fi, (_c, _n, _e, rings) in enumerate(features):
        km2 = sum(ring_area(r) for r in rings) * KX * KM_PER_DEG**2
        muni_area[muni_of[fi]] = muni_area.get(muni_of[fi], 0.0) + km2
    source_points = sum(len(a) for a in arcs)
    arcs = [
        simplify(a, min(TOLERANCE_MAX, TOLERANCE_PER_KM * math.sqrt(max(0.0, min(muni_area[muni_of[f]] for f in fis)))))
        for a, fis in zip(arcs, sides)
    ]

    municipal, prefectural = [], []
    for idx, fis in enumerate(sides):
        munis = {muni_of[f] for f in fis}
        prefs = {pref_of[f] for f in fis}
        if len(fis) < 2 or len(munis) < 2:
            continue  # coast (drawn as the land's outline) or inside one municipality
        (prefectural if len(prefs) > 1 else municipal).append(arcs[idx])

    by_pref, by_muni = {}, {}
    for fi, ri in ring_arcs:
        by_pref.setdefault(pref_of[fi], []).append((fi, ri))
        by_muni.setdefault(muni_of[fi], []).append((fi, ri))
    land = polygons_of(dissolve({"": list(ring_arcs)}, ring_arcs, arcs)[""])
    pref_rings = dissolve(by_pref, ring_arcs, arcs)
    muni_rings = dissolve(by_muni, ring_arcs, arcs)

    def km2(rings):
        return sum(ring_area(r) for r in rings) * KX * KM_PER_DEG**2

    def label_point(rings):
        outers = [r for r in rings if ring_area(r) > 0]
        return polylabel(max(outers, key=ring_area)) if outers else None

    pref_labels = []
    for pref, rings in pref_rings.items():
        point = label_point(rings)
        if point:
            name, en = PREFECTURES[int(pref) - 1]
            pref_labels.append((km2(rings), name, en, point))

    members = {}
    for code, name, en, _r in features:
        members.setdefault(muni_code(code), []).append((name, en))
    muni_labels = []
    for muni, rings in muni_rings.items():
        point = label_point(rings)
        if not muni.isdigit() or not point:
            continue  # the northern islands (hoppo) are land of Hokkaido, not one municipality
        names = [n for n, _e in members[muni]]
        ens = [e for _n, e in members[muni]]
        name = names[0] if len(names) == 1 else common_name(names)
        en = ens[0] if len(ens) == 1 else common_en(ens)
        muni_labels.append((km2(rings), name, en, point))

    def lines_feature(kind, arcs_):
        lines = merge_lines(arcs_)
        return {
            "type": "Feature",
            "properties": {"kind": kind},
            "geometry": {"type": "MultiLineString", "coordinates": [line(seq) for seq in lines]},
        }

    def labels_feature(level, labels):
        labels = sorted(labels, key=lambda t: -t[0])
        return {
            "type": "Feature",
            "properties": {
                "kind": "labels",
                "level": level,
                "name": [t[1] for t in labels],
                "en": [t[2] for t in labels],
                "area": [round(t[0]) for t in labels],
            },
            "geometry": {"type": "MultiPoint", "coordinates": [[round(t[3][0], 4), round(t[3][1], 4)] for t in labels]},
        }

    out_features = [
        {
            "type": "Feature",
            "properties": {"kind": "land"},
            "geometry": {"type": "MultiPolygon", "coordinates": [[line(r) for r in poly] for poly in land]},
        },
        lines_feature("municipal-boundary", municipal),
        lines_feature("prefecture-boundary", prefectural),
        labels_feature("prefecture", pref_labels),
        labels_feature("municipality", muni_labels),
    ]
    collection = {"type": "FeatureCollection", "hakobu": meta(), "attribution": ATTRIBUTION, "features": out_features}
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(collection, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(out + ".tmp", out)
    print(
        f"basemap: {len(features)} JMA areas -> {len(pref_labels)} prefectures, {len(muni_labels)} municipalities; "
        f"{source_points} -> {sum(len(a) for a in arcs)} arc points; {os.path.getsize(out) / 1e6:.2f} MB -> {out}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "data", "geo", "basemap.geojson"))
    parser.add_argument("--crate", help="use this reversejp .crate file instead of fetching it with cargo")
    args = parser.parse_args()
    out = os.path.abspath(args.out)
    if up_to_date(out) and not args.crate:
        return
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if args.crate:
        build(args.crate, out)
        return
    with tempfile.TemporaryDirectory() as work:
        build(fetch_crate(work), out)


if __name__ == "__main__":
    main()
