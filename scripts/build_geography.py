"""Build the offline map geography shipped in ``widgets/data/geography.json``.

Sources (fetched with ``npm pack``; nothing is downloaded at run time):

* ``world-atlas@2.0.2`` ``countries-50m.json``: Natural Earth 4.1.0 Admin 0 countries, 1:50m
  (Natural Earth: public domain; world-atlas packaging: ISC licence);
* ``us-atlas@3.0.1`` ``states-10m.json``: U.S. Census Bureau cartographic boundary states, 1:10m
  (public domain; us-atlas packaging: ISC licence).

The TopoJSON is decoded to GeoJSON (arcs un-delta-encoded and de-quantized), coordinates are
rounded to 0.01 degree (about 1 km), repeated points dropped, rings shorter than four points left
out, polygons across the antimeridian shifted east, Antarctica left out, and each feature gets its bounding box so the app can pick the features under the data.

Usage::

    python scripts/build_geography.py            # runs npm pack into a temporary folder
    python scripts/build_geography.py --from DIR  # DIR holds world-atlas-2.0.2.tgz and us-atlas-3.0.1.tgz
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "widgets" / "data" / "geography.json"
PACKAGES = {"world-atlas": "2.0.2", "us-atlas": "3.0.1"}
DIGITS = 2
SKIP = {"Antarctica"}  # no distribution network there, and its ring around the pole does not project


def _read_member(tgz: Path, name: str) -> dict:
    with tarfile.open(tgz) as tar:
        return json.load(tar.extractfile(f"package/{name}"))


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    ring: list[list[float]] = []
    for x, y in pts:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not ring or ring[-1] != p:
            ring.append(p)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def _polygons(geom: dict, arcs) -> list[list[list[list[float]]]]:
    if geom["type"] == "Polygon":
        polys = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        polys = geom["arcs"]
    else:
        return []
    out = []
    for poly in polys:
        rings = [r for r in (_ring(ix, arcs) for ix in poly) if len(r) >= 4]
        if rings and max(p[0] for p in rings[0]) - min(p[0] for p in rings[0]) > 180:
            # a polygon across the antimeridian (eastern Russia, Fiji): east of 180 as 180..360, so
            # it neither draws as a band round the world nor meets a box in the Americas
            rings = [[[x + 360 if x < 0 else x, y] for x, y in r] for r in rings]
        if rings:
            out.append(rings)
    return out


def _features(topo: dict, obj: str, country: str | None) -> list[dict]:
    arcs = _arcs(topo)
    feats = []
    for g in topo["objects"][obj]["geometries"]:
        if g.get("properties", {}).get("name") in SKIP:
            continue
        polys = _polygons(g, arcs)
        if not polys:
            continue
        xs = [p[0] for poly in polys for ring in poly for p in ring]
        ys = [p[1] for poly in polys for ring in poly for p in ring]
        name = g.get("properties", {}).get("name", "")
        feats.append({"type": "Feature",
                      "properties": {"name": name, "country": country or name},
                      "bbox": [min(xs), min(ys), max(xs), max(ys)],
                      "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return feats


def build(folder: Path) -> dict:
    world = _read_member(folder / "world-atlas-2.0.2.tgz", "countries-50m.json")
    us = _read_member(folder / "us-atlas-3.0.1.tgz", "states-10m.json")
    return {
        "about": ("Countries: Natural Earth 4.1.0 Admin 0, 1:50m (public domain), via world-atlas 2.0.2 (ISC). "
                  "First-level regions: U.S. states, U.S. Census Bureau cartographic boundaries 1:10m (public "
                  "domain), via us-atlas 3.0.1 (ISC). Coordinates rounded to 0.01 degree. "
                  "Built by scripts/build_geography.py."),
        "countries": {"type": "FeatureCollection", "features": _features(world, "countries", None)},
        "regions": {"type": "FeatureCollection",
                    "features": _features(us, "states", "United States of America")},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="folder", type=Path, help="folder holding the npm tarballs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp)
            subprocess.run(["npm", "pack", *(f"{k}@{v}" for k, v in PACKAGES.items())], cwd=folder, check=True)
        data = build(folder)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): "
          f"{len(data['countries']['features'])} countries, {len(data['regions']['features'])} regions")


if __name__ == "__main__":
    main()
