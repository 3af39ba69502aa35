"""Greenfield analysis: the demand-weighted centre of gravity for k sites.

For one site this is the *Weber point*, the location minimising the demand-weighted sum of
great-circle distances; it is found with Weiszfeld's iterations (in a local equidistant
projection around the cluster, then polished on the sphere). For k sites the problem is the
continuous k-median: alternate "assign every customer to its nearest centre" and "move every
centre to its cluster's Weber point" until nothing changes, from several k-means++-style
starts (demand x squared distance seeding), keeping the best.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..errors import DataError, Problem, SpecificationError
from ..schema import Column
from ..validate import check_columns
from ..geo import EARTH_RADIUS_KM, distance_matrix_km, haversine_km

__all__ = ["centre_of_gravity", "GravityResult", "weber_point"]


@dataclass(frozen=True)
class GravityResult:
    """Centres (``centre``, lat, lon, demand, customers, mean_distance_km) and each customer's
    centre and great-circle distance; ``weighted_km`` = sum of demand x km (the objective)."""

    centres: pd.DataFrame
    assignments: pd.DataFrame
    weighted_km: float
    mean_distance_km: float
    k: int
    starts: int
    iterations: int

    def kpis(self) -> dict[str, float]:
        return {"weighted_km": self.weighted_km, "mean_distance_km": self.mean_distance_km, "k": float(self.k)}


def _objective(lat: float, lon: float, pts: np.ndarray, w: np.ndarray) -> float:
    return float((w * haversine_km(lat, lon, pts[:, 0], pts[:, 1])).sum())


def weber_point(points: np.ndarray, weights: np.ndarray, *, tol_km: float = 1e-6,
                max_iter: int = 500) -> tuple[float, float, int]:
    """(lat, lon, iterations) minimising sum w * great-circle distance to ``points`` (n x 2 lat/lon)."""
    pts = np.asarray(points, float)
    w = np.asarray(weights, float)
    if len(pts) == 1 or w.sum() <= 0:
        return float(pts[0, 0]), float(pts[0, 1]), 0
    lat0 = float(np.average(pts[:, 0], weights=w))
    lon0 = float(np.average(pts[:, 1], weights=w))
    # local equidistant projection (km) around the weighted mean
    k = math.pi / 180 * EARTH_RADIUS_KM
    xy = np.column_stack(((pts[:, 1] - lon0) * k * math.cos(math.radians(lat0)), (pts[:, 0] - lat0) * k))
    z = np.average(xy, axis=0, weights=w)
    it = 0
    for it in range(1, max_iter + 1):
        dist = np.hypot(*(xy - z).T)
        at = dist < 1e-9
        if at.any():
            # Weiszfeld's fix at a data point (Vardi & Zhang): stay if the pull of the others is weak
            j = int(np.argmax(at))
            others = ~at
            r = (w[others, None] * (xy[others] - z) / dist[others, None]).sum(axis=0)
            if np.hypot(*r) <= w[at].sum():
                break
            dist = np.where(at, 1e-9, dist)
        inv = w / dist
        znew = (inv[:, None] * xy).sum(axis=0) / inv.sum()
        step = float(np.hypot(*(znew - z)))
        z = znew
        if step < tol_km:
            break
    lat = lat0 + z[1] / k
    lon = lon0 + z[0] / (k * math.cos(math.radians(lat0)))
    # polish on the sphere (the projection distorts far from its centre)
    best = (lat, lon, _objective(lat, lon, pts, w))
    res = minimize(lambda v: _objective(v[0], v[1], pts, w), x0=np.array([lat, lon]), method="Nelder-Mead",
                   options={"xatol": 1e-7, "fatol": 1e-9 * max(1.0, best[2]), "maxiter": 400})
    if res.fun < best[2]:
        best = (float(res.x[0]), float(res.x[1]), float(res.fun))
    # a data point may be the optimum (weights concentrated): compare against the best one
    obj_pts = [_objective(p[0], p[1], pts, w) for p in pts]
    j = int(np.argmin(obj_pts))
    if obj_pts[j] < best[2]:
        best = (float(pts[j, 0]), float(pts[j, 1]), obj_pts[j])
    return best[0], best[1], it


def centre_of_gravity(customers: pd.DataFrame, k: int = 1, *, weight: str = "annual_demand", starts: int = 8,
                      seed: int = 0, max_rounds: int = 50) -> GravityResult:
    """Demand-weighted centres of gravity for ``k`` sites (Weiszfeld + multi-start for k > 1).

    ``customers`` needs ``lat``, ``lon`` and the ``weight`` column (and ``customer_id`` if
    present, carried to the assignments).
    """
    problems = check_columns(customers, "customers", (
        Column("lat", "float", "Latitude", "degrees", min=-90, max=90),
        Column("lon", "float", "Longitude", "degrees", min=-180, max=180),
        Column(weight, "float", "Weight of the customer (demand)", min=0)))
    if problems:
        raise DataError(problems, context="Centre of gravity input has problems")
    pts = customers[["lat", "lon"]].to_numpy(float)
    w = customers[weight].to_numpy(float)
    if len(pts) == 0:
        raise DataError([Problem("there are no customers", table="customers", fix="load customers")])
    if not 1 <= k <= len(pts):
        raise SpecificationError(f"k must be between 1 and the number of customers ({len(pts)}), got {k}",
                                 constraint="k")
    rng = np.random.default_rng(seed)
    best = None
    total_iter = 0
    n_starts = 1 if k == 1 else max(1, starts)
    for s in range(n_starts):
        # k-means++ seeding weighted by demand x squared distance
        first = rng.choice(len(pts), p=w / w.sum()) if w.sum() > 0 else rng.integers(len(pts))
        centres = [pts[first]]
        for _ in range(1, k):
            d2 = distance_matrix_km(pts, np.array(centres)).min(axis=1) ** 2
            p = w * d2
            p = p / p.sum() if p.sum() > 0 else np.full(len(pts), 1 / len(pts))
            centres.append(pts[rng.choice(len(pts), p=p)])
        centres = np.array(centres, float)
        label = None
        for _ in range(max_rounds):
            dist = distance_matrix_km(pts, centres)
            new = dist.argmin(axis=1)
            if label is not None and np.array_equal(new, label):
                break
            label = new
            for c in range(k):
                mask = label == c
                if not mask.any():
                    # an empty cluster takes the customer contributing most to the objective
                    far = int(np.argmax(w * dist[np.arange(len(pts)), label]))
                    centres[c] = pts[far]
                    continue
                lat, lon, it = weber_point(pts[mask], w[mask])
                total_iter += it
                centres[c] = (lat, lon)
        dist = distance_matrix_km(pts, centres)
        label = dist.argmin(axis=1)
        obj = float((w * dist[np.arange(len(pts)), label]).sum())
        if best is None or obj < best[0] - 1e-9:
            best = (obj, centres.copy(), label.copy())
    obj, centres, label = best
    dist = distance_matrix_km(pts, centres)[np.arange(len(pts)), label]
    ids = customers["customer_id"].astype(str).to_numpy() if "customer_id" in customers else np.arange(len(pts)).astype(str)
    assign = pd.DataFrame({"customer_id": ids, "centre": label + 1, "distance_km": dist, "weight": w})
    rows = []
    for c in range(k):
        mask = label == c
        wc = w[mask].sum()
        rows.append({"centre": c + 1, "lat": centres[c, 0], "lon": centres[c, 1], "demand": wc,
                     "customers": int(mask.sum()),
                     "mean_distance_km": float((w[mask] * dist[mask]).sum() / wc) if wc > 0 else math.nan})
    W_ = w.sum()
    return GravityResult(pd.DataFrame(rows), assign, obj, obj / W_ if W_ > 0 else math.nan, k, n_starts, total_iter)
