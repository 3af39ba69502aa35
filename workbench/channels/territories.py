"""Exclusive territories: a p-median with single assignment and balanced sales potential.

Each demand zone is assigned to exactly one territory; each territory is centred on a
candidate partner outlet; every territory's sales potential lies within ``tolerance`` of the
mean (``(1 - tol) * mean <= potential_t <= (1 + tol) * mean``); the potential-weighted
distance from zones to their territory's centre is minimised.

The full MIP (zones x candidate centres binaries with balance constraints) is too slow to prove
on 300 zones x 150 partners inside an interactive budget, so it is solved by locate-allocate
(Cooper 1964): greedy p-median centres, then an exact balanced allocation of zones to those
centres with OR-Tools (GLOP for the LP relaxation, then SCIP for the few zones the LP splits),
then every centre moves to its territory's medoid, until the centres stop moving or the time
limit is reached. The reported ``gap`` is the final allocation's distance above its LP bound.
Plans are cached by their inputs, so moving a price slider does not solve again.
"""

from __future__ import annotations

import hashlib
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SolverError, SpecificationError
from ..geo import distance_matrix_km

__all__ = ["TerritoryPlan", "design_territories", "pick_partners", "clear_territory_cache"]

_CACHE: "OrderedDict[str, TerritoryPlan]" = OrderedDict()
_CACHE_SIZE = 32


@dataclass(frozen=True, eq=False)
class TerritoryPlan:
    """A territory design.

    ``assignment``: one row per zone (``customer_id``, ``territory``, ``center_id``,
    ``distance_km`` to the centre, ``potential``). ``territories``: one row per territory
    (``territory``, ``center_id``, ``zones``, ``potential``, ``share_of_mean``,
    ``mean_distance_km`` weighted by potential). ``status`` is ``"optimal"`` or
    ``"locate-allocate, converged"`` or ``"locate-allocate, time limit"``; ``gap`` the
    allocation's relative distance above its LP bound (for the final centres).
    """

    assignment: pd.DataFrame
    territories: pd.DataFrame
    count: int
    tolerance: float
    mean_potential: float
    weighted_distance_km: float
    status: str
    solve_seconds: float
    gap: float

    @property
    def balance(self) -> tuple[float, float]:
        """(smallest, largest) territory potential as a share of the mean."""
        s = self.territories["share_of_mean"]
        return float(s.min()), float(s.max())


def clear_territory_cache() -> None:
    _CACHE.clear()


def _key(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, np.ndarray) and p.dtype == object:
            h.update("\x1f".join(map(str, p.tolist())).encode())
        elif isinstance(p, np.ndarray):
            h.update(np.ascontiguousarray(p).tobytes())
            h.update(str(p.shape).encode())
        else:
            h.update(repr(p).encode())
        h.update(b"|")
    return h.hexdigest()


def design_territories(zones: pd.DataFrame, centers: pd.DataFrame, *, count: int, tolerance: float = 0.25,
                       potential: str = "annual_demand", center_id: str = "outlet_id", circuity: float = 1.2,
                       time_limit_s: float = 20.0) -> TerritoryPlan:
    """Design ``count`` balanced territories over ``zones`` centred on rows of ``centers``.

    ``zones`` needs ``customer_id``, ``lat``, ``lon`` and the ``potential`` column;
    ``centers`` needs ``center_id``, ``lat``, ``lon``. Raises :class:`SpecificationError`
    (with the numbers and the fix) when the plan cannot exist, :class:`SolverError` when the
    solver finds no plan within the time limit.
    """
    n_z, n_c = len(zones), len(centers)
    if count < 1:
        raise SpecificationError(f"the number of territories must be at least 1, got {count}",
                                 constraint="territories")
    if n_c < count:
        raise SpecificationError(
            f"{count} exclusive territories need {count} eligible partners, but only {n_c} outlets qualify: "
            f"use at most {n_c} territories, or widen the partner tiers or the enabled channels",
            constraint="territories", shortfall=float(count - n_c))
    if n_z < count:
        raise SpecificationError(
            f"{count} territories need at least {count} demand zones, but there are {n_z}: use at most {n_z} territories",
            constraint="territories", shortfall=float(count - n_z))
    pot = zones[potential].to_numpy(dtype=float)
    total = float(pot.sum())
    if not total > 0:
        raise SpecificationError("the demand zones have no sales potential (total 0): territories cannot be balanced",
                                 constraint="balance")
    mean = total / count
    upper = (1.0 + tolerance) * mean
    lower = (1.0 - tolerance) * mean
    biggest = int(np.argmax(pot))
    if pot[biggest] > upper * (1 + 1e-9):
        max_count = int(np.floor((1.0 + tolerance) * total / pot[biggest] + 1e-9))
        need_tol = pot[biggest] / mean - 1.0
        name = zones["customer_id"].iloc[biggest]
        raise SpecificationError(
            f"zone {name} alone has a sales potential of {pot[biggest]:,.0f} units/yr, above the largest territory "
            f"allowed ({1 + tolerance:.2f} x mean {mean:,.0f} = {upper:,.0f}) with {count} territories: use at most "
            f"{max(max_count, 1)} territories or a balance tolerance of at least {need_tol:.0%}",
            constraint="balance", shortfall=float(pot[biggest] - upper))

    zxy = zones[["lat", "lon"]].to_numpy(dtype=float)
    cxy = centers[["lat", "lon"]].to_numpy(dtype=float)
    key = _key(zxy, cxy, pot, np.asarray(centers[center_id].astype(str)), count, round(float(tolerance), 9),
               float(circuity), float(time_limit_s))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]

    dist = distance_matrix_km(zxy, cxy, circuity=circuity)
    start = time.perf_counter()
    sol = _solve(dist, pot / total, count, lower / total, upper / total, time_limit_s)
    seconds = time.perf_counter() - start
    if sol is None:
        raise SpecificationError(
            f"no plan of {count} territories keeps every territory's potential between {lower:,.0f} and {upper:,.0f} "
            f"units/yr (mean {mean:,.0f} +/- {tolerance:.0%}) when zones join whole: raise the balance tolerance or "
            f"use fewer territories", constraint="balance")
    if sol == "timeout":
        raise SolverError(
            f"the territory solver found no balanced plan within {time_limit_s:g} s ({count} territories, tolerance "
            f"{tolerance:.0%}): allow more time, raise the tolerance or use fewer territories")
    assign, status, gap = sol
    center_ids = centers[center_id].astype(str).to_numpy()
    used = sorted(set(assign.tolist()), key=lambda j: (-pot[assign == j].sum(), j))
    number = {j: t + 1 for t, j in enumerate(used)}
    terr = np.array([number[j] for j in assign])
    d_assigned = dist[np.arange(n_z), assign]
    assignment = pd.DataFrame({
        "customer_id": zones["customer_id"].astype(str).to_numpy(),
        "territory": terr,
        "center_id": center_ids[assign],
        "distance_km": d_assigned,
        "potential": pot,
    })
    rows = []
    for j in used:
        m = assign == j
        p_t = float(pot[m].sum())
        rows.append({"territory": number[j], "center_id": center_ids[j], "zones": int(m.sum()), "potential": p_t,
                     "share_of_mean": p_t / mean,
                     "mean_distance_km": float((pot[m] * d_assigned[m]).sum() / p_t) if p_t > 0 else 0.0})
    plan = TerritoryPlan(assignment=assignment, territories=pd.DataFrame(rows), count=count, tolerance=float(tolerance),
                         mean_potential=mean, weighted_distance_km=float((pot * d_assigned).sum() / total),
                         status=status, solve_seconds=seconds, gap=gap)
    _CACHE[key] = plan
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return plan


def _greedy_centers(dist: np.ndarray, w: np.ndarray, p: int) -> list[int]:
    """Greedy p-median start: add the centre that lowers the weighted distance most, p times."""
    best = np.full(dist.shape[0], np.inf)
    chosen: list[int] = []
    for _ in range(p):
        cost = (w[:, None] * np.minimum(best[:, None], dist)).sum(axis=0)
        cost[chosen] = np.inf
        j = int(np.argmin(cost))
        chosen.append(j)
        best = np.minimum(best, dist[:, j])
    return chosen


def _assign_balanced(dist: np.ndarray, w: np.ndarray, centers: list[int], lo: float, hi: float,
                     time_limit_s: float):
    """Balanced single assignment of zones to fixed centres.

    The LP relaxation (GLOP) is solved first: at its optimal vertex all but a few zones (at
    most about two per territory) are whole. Those are fixed and the rest is solved exactly as
    a small MIP (SCIP); if that rounding is infeasible the whole MIP is solved. Returns
    ``(assign, objective, lower_bound)``, None when no balanced assignment exists, or
    ``"timeout"``.
    """
    from ortools.linear_solver import pywraplp

    n_z, p = dist.shape[0], len(centers)
    D = dist[:, centers]
    lp = pywraplp.Solver.CreateSolver("GLOP")
    xs = [[lp.NumVar(0.0, 1.0, "") for _ in range(p)] for _ in range(n_z)]
    for i in range(n_z):
        lp.Add(lp.Sum(xs[i]) == 1)
    for t in range(p):
        load = lp.Sum([float(w[i]) * xs[i][t] for i in range(n_z)])
        lp.Add(load <= hi)
        lp.Add(load >= lo)
    obj = lp.Objective()
    for i in range(n_z):
        for t in range(p):
            obj.SetCoefficient(xs[i][t], float(w[i] * D[i, t]))
    obj.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    bound = obj.Value()
    xv = np.array([[v.solution_value() for v in row] for row in xs])
    whole = xv.max(axis=1) > 1 - 1e-7
    assign = np.where(whole, xv.argmax(axis=1), -1)
    split = np.flatnonzero(~whole)
    deadline = time.perf_counter() + time_limit_s
    # the split zones placed exactly; failing that a greedy repair from the LP's rounding;
    # failing that the whole assignment MIP
    res = _assign_mip(D, w, assign.copy(), split, lo, hi, min(time_limit_s, 2.0))
    if res is None or isinstance(res, str):
        res = _repair(D, w, np.where(whole, assign, xv.argmax(axis=1)), lo, hi)
    if res is None:
        left = deadline - time.perf_counter()
        if left > 0:
            res = _assign_mip(D, w, assign.copy(), np.arange(n_z), lo, hi, left)
            if isinstance(res, str):  # proven: no balanced assignment of whole zones exists
                return None
    if res is not None:
        return np.asarray(centers)[res], float((w * D[np.arange(n_z), res]).sum()), bound
    return "timeout"


def _repair(D: np.ndarray, w: np.ndarray, assign: np.ndarray, lo: float, hi: float,
            max_moves: int = 2000) -> np.ndarray | None:
    """Greedy repair of an unbalanced single assignment: move the zone whose move removes the
    most imbalance per unit of extra distance, until every territory is within its bounds."""
    n_z, p = D.shape
    assign = assign.copy()
    load = np.bincount(assign, weights=w, minlength=p)
    eps = 1e-12
    for _ in range(max_moves):
        viol = np.maximum(load - hi, 0.0) + np.maximum(lo - load, 0.0)
        if viol.sum() <= eps:
            return assign
        src = assign
        # moving zone i from src[i] to u changes loads by -w_i and +w_i
        new_src = load[src] - w                      # (n_z,)
        new_dst = load[None, :] + w[:, None]         # (n_z, p)
        before = viol[src][:, None] + viol[None, :]
        after = (np.maximum(new_src - hi, 0) + np.maximum(lo - new_src, 0))[:, None] \
            + np.maximum(new_dst - hi, 0) + np.maximum(lo - new_dst, 0)
        gain = before - after
        gain[np.arange(n_z), src] = -np.inf
        extra = D - D[np.arange(n_z), src][:, None]
        score = np.where(gain > eps, gain / (np.maximum(extra, 0.0) * w[:, None] + 1e-9), -np.inf)
        k = int(np.argmax(score))
        i, u = divmod(k, p)
        if not np.isfinite(score[i, u]):
            return None
        load[assign[i]] -= w[i]
        load[u] += w[i]
        assign[i] = u
    return None


def _assign_mip(D: np.ndarray, w: np.ndarray, assign: np.ndarray, free: np.ndarray, lo: float, hi: float,
                time_limit_s: float):
    from ortools.linear_solver import pywraplp

    p = D.shape[1]
    if len(free) == 0:
        return assign
    fixed = np.ones(len(assign), bool)
    fixed[free] = False
    base = np.array([w[fixed & (assign == t)].sum() for t in range(p)])
    s = pywraplp.Solver.CreateSolver("SCIP")
    s.SetNumThreads(1)
    s.SetTimeLimit(int(max(time_limit_s, 0.5) * 1000))
    x = {(i, t): s.BoolVar("") for i in free for t in range(p)}
    for i in free:
        s.Add(s.Sum([x[i, t] for t in range(p)]) == 1)
    for t in range(p):
        load = s.Sum([float(w[i]) * x[i, t] for i in free])
        s.Add(load <= hi - base[t] + 1e-12)
        s.Add(load >= lo - base[t] - 1e-12)
    s.Minimize(s.Sum([float(w[i] * D[i, t]) * x[i, t] for i in free for t in range(p)]))
    prm = pywraplp.MPSolverParameters()
    prm.SetDoubleParam(prm.RELATIVE_MIP_GAP, 0.002)
    st = s.Solve(prm)
    if st == pywraplp.Solver.INFEASIBLE and len(free) == len(assign):
        return "infeasible"
    if st not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    for i in free:
        assign[i] = next(t for t in range(p) if x[i, t].solution_value() > 0.5)
    return assign


def _solve(dist: np.ndarray, w: np.ndarray, p: int, lo: float, hi: float, time_limit_s: float):
    """Locate-allocate (Cooper's alternating method) with an exact balanced allocation.

    Start from greedy p-median centres; allocate zones to centres with balance; move every
    centre to the candidate that minimises its territory's weighted distance (its medoid);
    repeat until the centres stop moving. Returns ``(assign, status, gap)`` where ``gap`` is
    the relative distance of the final allocation above its LP bound, None when no balanced
    allocation exists, or ``"timeout"``.
    """
    deadline = time.perf_counter() + time_limit_s
    centers = _greedy_centers(dist, w, p)
    best = None
    seen = set()
    status = "converged"
    for _ in range(25):
        left = deadline - time.perf_counter()
        if left <= 0:
            status = "time limit"
            break
        res = _assign_balanced(dist, w, centers, lo, hi, left)
        if res is None:
            if best is None:
                return None
            break
        if isinstance(res, str):
            if best is None:
                return "timeout"
            status = "time limit"
            break
        assign, value, bound = res
        if best is None or value < best[1] - 1e-12:
            best = (assign, value, bound)
        seen.add(tuple(sorted(centers)))
        moved = []
        for c in centers:
            members = np.flatnonzero(assign == c)
            cost = (w[members, None] * dist[members]).sum(axis=0)
            moved.append(int(np.argmin(cost)))
        if len(set(moved)) < p or tuple(sorted(moved)) in seen:
            break
        centers = moved
    assign, value, bound = best
    gap = (value - bound) / value if value > 0 else 0.0
    return assign, f"locate-allocate, {status}", float(max(gap, 0.0))


_HOMES: "weakref.WeakKeyDictionary[TerritoryPlan, dict]" = weakref.WeakKeyDictionary()


def _homes(plan: TerritoryPlan, zones: pd.DataFrame, candidates: pd.DataFrame, ids: np.ndarray, circuity: float):
    """Each zone's territory, each candidate's home territory and its distance to that territory's
    centre (cached per plan: prices and margins change the choice, not the geography)."""
    zone_terr = plan.assignment.set_index("customer_id")["territory"]
    zt = zone_terr.reindex(zones["customer_id"].astype(str)).to_numpy()
    cxy = candidates[["lat", "lon"]].to_numpy(float)
    d = distance_matrix_km(cxy, zones[["lat", "lon"]].to_numpy(float), circuity=circuity)
    home = zt[d.argmin(axis=1)]
    id_pos = {oid: pos for pos, oid in enumerate(ids)}
    terr = plan.territories
    t_ids = terr["territory"].to_numpy(int)
    t_pot = terr["potential"].to_numpy(float)
    centre_pos = np.array([id_pos[c] for c in terr["center_id"].astype(str)], dtype=int)
    home[centre_pos] = t_ids
    centre_of = dict(zip(t_ids, centre_pos))
    own_centre = np.array([centre_of.get(h, -1) for h in home], dtype=int)
    valid = own_centre >= 0
    dc = np.full(len(ids), np.inf)
    if valid.any():
        dc[valid] = distance_matrix_km(cxy[valid], cxy[own_centre[valid]], circuity=1.0).diagonal()
    return zt, home, dc, t_ids, t_pot, centre_pos


def pick_partners(plan: TerritoryPlan, zones: pd.DataFrame, candidates: pd.DataFrame, *,
                  circuity: float = 1.2, zone_units: np.ndarray | None = None, profit: np.ndarray | None = None,
                  min_capture: float = 0.0) -> pd.DataFrame:
    """The exclusive partner of each territory, among the candidates located in it.

    A candidate belongs to the territory of its nearest zone; each territory's centre belongs
    to its own territory, so every territory has at least one candidate and no candidate is
    partner twice. With ``zone_units`` (zones x candidates: what each candidate would sell in
    each zone as the brand's only outlet) and ``profit`` (each candidate's profit as the only
    outlet), the partner is the most profitable candidate among those capturing at least
    ``min_capture`` of the territory's potential, or the candidate capturing most when none
    does. Without them, the most attractive candidate. Ties go to the candidate nearer the
    centre. Returns one row per territory: ``territory``, ``outlet_id``, ``center_id``,
    ``capture`` (share of the territory's potential the partner captures alone),
    ``best_capture`` (the most any candidate of the territory captures), ``candidates``.
    """
    ids = candidates["outlet_id"].astype(str).to_numpy()
    key = (tuple(ids.tolist()), tuple(zones["customer_id"].astype(str).tolist()), float(circuity))
    memo = _HOMES.setdefault(plan, {})
    if key not in memo:
        memo[key] = _homes(plan, zones, candidates, ids, circuity)
    zt, home, dc, t_ids, t_pot, centre_pos = memo[key]
    attract = candidates["attractiveness"].to_numpy(float)
    scored = zone_units is not None and profit is not None
    if scored:
        onehot = (zt[:, None] == t_ids[None, :]).astype(float)        # zones x territories
        in_terr = onehot.T @ zone_units                                 # territories x candidates
    rows = []
    for k_t, t in enumerate(t_ids):
        members = np.flatnonzero(home == t)
        if scored:
            capture = in_terr[k_t, members] / t_pot[k_t]
            ok = capture >= min_capture
            key = np.where(ok, profit[members], -np.inf) if ok.any() else capture
        else:
            capture = np.full(len(members), np.nan)
            key = attract[members]
        k = np.lexsort((dc[members], -key))[0]
        rows.append({"territory": int(t), "outlet_id": ids[members[k]], "center_id": ids[centre_pos[k_t]],
                     "capture": float(capture[k]), "best_capture": float(np.max(capture)),
                     "candidates": int(len(members))})
    return pd.DataFrame(rows)
