#!/usr/bin/env python3
"""Regenerates crates/web/data/countries.json, the country outlines the map draws, from the
Natural Earth TopoJSON in ../shared/data/geo (run by hand when that data changes).

Why a script and not a build step: the product must build and run without ../shared, so the
derived geometry is committed; this script documents exactly how it was derived.

- Arcs are decoded (quantised, delta-encoded), then each arc is simplified once with
  Douglas-Peucker, so two neighbours keep the same shared border.
- Coordinates are rounded to 0.01 degree (about 1 km): finer than one pixel of a country-sized map.
- ISO 3166-1 numeric ids become alpha-2 through Debian's iso-codes table
  (/usr/share/iso-codes/json/iso_3166-1.json); Kosovo (no ISO code) is XK as in IATI's list.
  Shapes ISO does not list separately are drawn as part of the country ISO assigns them to
  (Somaliland: SO, N. Cyprus: CY); the rest are land without a country.
- Rings smaller than MIN_AREA square degrees are dropped (islets invisible at this scale), except
  a country's largest one.
"""
import json
import sys
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
shared = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared"
TOLERANCE = 0.05
MIN_AREA = 0.02
EXTRA = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY"}

topo = json.load(open(shared / "data/geo/countries-50m.json"))
iso = json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]
numeric = {c["numeric"]: c["alpha_2"] for c in iso}
(sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]


def decode(arc):
    x = y = 0
    out = []
    for dx, dy in arc:
        x += dx
        y += dy
        out.append((x * sx + tx, y * sy + ty))
    return out


def simplify(pts, tol):
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = pts[a], pts[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = 0.0, None
        for i in range(a + 1, b):
            px, py = pts[i]
            if norm == 0:
                d = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > best:
                best, idx = d, i
        if idx is not None and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep) if k]


arcs = [simplify(decode(a), TOLERANCE) for a in topo["arcs"]]


def ring(indexes):
    pts = []
    for i in indexes:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def area(pts):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))) / 2


def flat(pts):
    out = []
    last = None
    for x, y in pts:
        p = (round(x, 2), round(y, 2))
        if p != last:
            out.extend(p)
        last = p
    return out


countries, land = {}, []
for g in topo["objects"]["countries"]["geometries"]:
    polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
    all_rings = [ring(r) for poly in polys for r in poly]
    rings = [flat(p) for p in all_rings if len(p) >= 4 and area(p) >= MIN_AREA]
    if not rings:
        # A small country keeps its largest shape, so that every country can be drawn.
        rings = [flat(max(all_rings, key=area))]
    code = numeric.get(g.get("id")) or EXTRA.get(g["properties"]["name"])
    if code:
        countries.setdefault(code, []).extend(rings)
    else:
        land.extend(rings)

out = repo / "crates/web/data/countries.json"
with open(out, "w") as f:
    json.dump({"countries": dict(sorted(countries.items())), "land": land}, f, separators=(",", ":"))
    f.write("\n")
print(f"{out}: {len(countries)} countries, {out.stat().st_size} bytes")
