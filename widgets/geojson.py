"""GeoJSON layers for maps (points, lines, hull outlines, graticule): plain dicts, no widgets.

Features carry their Leaflet style in ``properties.style``; :class:`widgets.maps.MapView` draws them.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from .formatting import PALETTE
from .formatting import jsonable as _jsonable

__all__ = ["points_layer", "lines_layer", "hull_polygons", "polygons_layer", "outline_layer", "graticule_layer",
           "center_zoom"]


def _points_geojson(df: pd.DataFrame, *, color: str, radius: float | Sequence[float] = 5.0,
                    props: Sequence[str] = (), fill_opacity: float = 0.75) -> dict:
    feats = []
    radii = np.broadcast_to(np.asarray(radius, dtype=float), (len(df),))
    colors = color if isinstance(color, (list, tuple, np.ndarray, pd.Series)) else [color] * len(df)
    # each property column read once (not a pandas look-up per row and column)
    columns = {k: df[k].tolist() for k in props if k in df}
    for i, (lat, lon) in enumerate(zip(df["lat"].to_numpy(float), df["lon"].to_numpy(float))):
        p = {k: _jsonable(v[i]) for k, v in columns.items()}
        p["style"] = {"radius": float(radii[i]), "color": "#ffffff", "weight": 1, "fillColor": colors[i],
                      "fillOpacity": fill_opacity, "opacity": 0.9}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                      "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _lines_geojson(segments: Iterable[tuple[float, float, float, float]], colors: Sequence[str],
                   weight: float = 1.0, opacity: float = 0.5, props: Sequence[dict] | None = None) -> dict:
    feats = []
    for i, (lat1, lon1, lat2, lon2) in enumerate(segments):
        p = dict(props[i]) if props else {}
        p["style"] = {"color": colors[i], "weight": weight, "opacity": opacity}
        feats.append({"type": "Feature", "geometry": {"type": "LineString",
                      "coordinates": [[float(lon1), float(lat1)], [float(lon2), float(lat2)]]}, "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def hull_polygons(points: pd.DataFrame, group: str) -> list[tuple[Any, list[list[float]]]]:
    """``(group value, closed ring of [lon, lat])`` for the convex hull of each group's points.

    Groups of fewer than three points, or on one line, have no hull and are left out.
    """
    out = []
    for name, g in points.groupby(group, sort=True):
        pts = g[["lon", "lat"]].to_numpy(float)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) < 3:
            continue
        ring = convex_hull(pts)
        if len(ring) < 3:
            continue
        ring = [[float(x), float(y)] for x, y in ring]
        ring.append(ring[0])
        out.append((name, ring))
    return out


def convex_hull(points) -> list[tuple[float, float]]:
    """The convex hull's corners, counter-clockwise (Andrew's monotone chain; collinear points left
    out), or ``[]`` when the points are all on one line."""
    pts = sorted(set(map(tuple, np.asarray(points, float).tolist())))
    if len(pts) < 3:
        return []

    span = max(pts[-1][0] - pts[0][0], max(p[1] for p in pts) - min(p[1] for p in pts), 1e-300)
    eps = 1e-12 * span * span  # points on an edge up to rounding count as on it

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= eps:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= eps:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return hull if len(hull) >= 3 else []


def polygons_layer(rings: Iterable[tuple[Any, list[list[float]]]], styles: Callable[[int, Any], dict],
                   label: Callable[[Any], str] = str) -> dict:
    """GeoJSON of polygons; ``styles(i, name)`` gives each one's Leaflet path style."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"name": label(name), "style": styles(i, name)}} for i, (name, ring) in enumerate(rings)]}


def _outline_geojson(points: pd.DataFrame, group: str) -> dict:
    """Convex hulls of the points per group: an outline of the territory drawn from data."""
    return polygons_layer(hull_polygons(points, group), lambda i, _: {
        "color": "#9fb3c8", "weight": 1, "fillColor": PALETTE[i % len(PALETTE)], "fillOpacity": 0.06,
        "dashArray": "4 4"})


def _graticule(bounds, step: float = 5.0) -> dict:
    (s, w), (n, e) = bounds
    feats = []
    for lat in np.arange(math.floor(s / step) * step, n + step, step):
        feats.append([[w - step, lat], [e + step, lat]])
    for lon in np.arange(math.floor(w / step) * step, e + step, step):
        feats.append([[lon, s - step], [lon, n + step]])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": c},
         "properties": {"style": {"color": "#d9e2ec", "weight": 1, "opacity": 0.8}}} for c in feats]}


def _center_zoom(lats, lons, width_px: int = 900, height_px: int = 480, pad_px: int = 36
                 ) -> tuple[tuple[float, float], float]:
    """Centre and zoom (in quarter steps) that show every point with ``pad_px`` of room on each side
    of a map ``width_px`` x ``height_px`` (Web Mercator, as Leaflet draws it)."""
    lats = np.asarray(lats, float)
    lons = np.asarray(lons, float)
    ok = np.isfinite(lats) & np.isfinite(lons)
    lats, lons = lats[ok], lons[ok]
    s, n, w, e = lats.min(), lats.max(), lons.min(), lons.max()
    merc = lambda la: math.log(math.tan(math.pi / 4 + math.radians(max(-85.0, min(85.0, la))) / 2))  # noqa: E731
    span_lon = max(e - w, 0.02)
    span_lat = max(abs(merc(n) - merc(s)) * 180 / math.pi, 0.02)
    usable_w = max(width_px - 2 * pad_px, 100)
    usable_h = max(height_px - 2 * pad_px, 100)
    z = min(math.log2(usable_w / 256 * 360 / span_lon), math.log2(usable_h / 256 * 360 / span_lat))
    mid = (merc(s) + merc(n)) / 2
    center_lat = math.degrees(2 * math.atan(math.exp(mid)) - math.pi / 2)
    return (center_lat, (w + e) / 2), float(max(1.0, min(13.0, math.floor(z * 4) / 4)))


def points_layer(df: pd.DataFrame, **kwargs) -> dict:
    """GeoJSON of points (``lat``/``lon`` columns) with per-feature style; see ``MapView.set_layer``."""
    return _points_geojson(df, **kwargs)


def lines_layer(segments, colors, **kwargs) -> dict:
    """GeoJSON of straight segments ``(lat1, lon1, lat2, lon2)`` with per-feature colour."""
    return _lines_geojson(segments, colors, **kwargs)


outline_layer = _outline_geojson
graticule_layer = _graticule
center_zoom = _center_zoom
