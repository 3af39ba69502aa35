"""The cost / service trade-off: solve the design for k = 1..K DCs (in parallel processes when it pays)."""

from __future__ import annotations

import dataclasses
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Iterable

import pandas as pd

from ..errors import SolverError, SpecificationError
from .model import LARGE_PAIRS, FacilityProblem, NetworkResult

__all__ = ["sweep_dc_count", "SweepResult", "SWEEP_COLUMNS", "carbon_frontier", "FrontierResult"]

#: the start of the message of a solve that ended without a design and without a proof
_NOT_FOUND = "no feasible network was found"

SWEEP_COLUMNS = ("dc_count", "total_cost", "fixed_cost", "handling_cost", "inbound_cost", "outbound_cost",
                 "inventory_cost", "carbon_cost", "co2_t", "mean_distance_km", "share_within_radius", "max_distance_km", "status", "gap", "seconds",
                 "open_sites", "reason")


@dataclass(frozen=True)
class SweepResult:
    """One row per number of DCs (``table``), the full results by k, and the cheapest k."""

    table: pd.DataFrame
    results: dict
    best_k: int | None
    seconds: float
    workers: int

    def curve(self) -> pd.DataFrame:
        """The feasible rows only (for the trade-off chart)."""
        return self.table[self.table["status"].isin(["optimal", "feasible"])].reset_index(drop=True)


def _solve_k(problem: FacilityProblem, k: int, open_sets=()):
    p = problem.with_spec(dataclasses.replace(problem.spec, dc_count=k))
    try:
        return k, p.solve(open_sets=open_sets), ""
    except (SpecificationError, SolverError) as exc:
        return k, None, str(exc)


def _neighbour_sets(problem: FacilityProblem, k: int, results: dict) -> list[tuple[str, ...]]:
    """Open sets with k sites made from the designs found for k - 1 (one site added) and k + 1 (one dropped)."""
    ids = list(problem.sites["site_id"])
    closed = set(problem.spec.force_closed)
    out = []
    below, above = results.get(k - 1), results.get(k + 1)
    if below is not None:
        have = set(below.open_site_ids)
        out += [tuple(have | {s}) for s in ids if s not in have and s not in closed]
    if above is not None:
        have = set(above.open_site_ids)
        out += [tuple(have - {s}) for s in have if s not in problem.spec.force_open]
    return out


def _row(k: int, res: NetworkResult | None, reason: str) -> dict:
    if res is None:
        return {"dc_count": k, "total_cost": math.nan, "fixed_cost": math.nan, "handling_cost": math.nan,
                "inbound_cost": math.nan, "outbound_cost": math.nan, "inventory_cost": math.nan,
                "carbon_cost": math.nan, "co2_t": math.nan, "mean_distance_km": math.nan,
                "share_within_radius": math.nan, "max_distance_km": math.nan, "status": "infeasible",
                "gap": math.nan, "seconds": math.nan, "open_sites": "", "reason": reason}
    return {"dc_count": k, "total_cost": res.total_cost, "fixed_cost": res.fixed_cost,
            "handling_cost": res.handling_cost, "inbound_cost": res.inbound_cost, "outbound_cost": res.outbound_cost,
            "inventory_cost": res.inventory_cost, "carbon_cost": res.carbon_cost, "co2_t": res.co2_kg / 1000.0,
            "mean_distance_km": res.mean_distance_km, "share_within_radius": res.share_within_radius,
            "max_distance_km": res.max_distance_km, "status": res.status, "gap": res.gap, "seconds": res.seconds,
            "open_sites": ", ".join(res.open_site_ids), "reason": ""}


def sweep_dc_count(problem: FacilityProblem, ks: Iterable[int] | None = None, *, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Solve ``problem`` with exactly k DCs for every k in ``ks`` (default 1..number of sites, at most 12).

    ``workers``: processes to use (default: one per core for large models, in-process for small
    ones, where starting processes costs more than it saves). Infeasible k give a row with the reason.
    """
    start = time.perf_counter()
    m = len(problem.sites)
    ks = list(ks) if ks is not None else list(range(1, min(m, 12) + 1))
    if not ks:
        raise SpecificationError("no numbers of DCs to sweep: give ks, e.g. range(1, 9)", constraint="ks")
    pairs = len(problem.sites) * len(problem.customers)
    if workers is None:
        workers = 1 if pairs * len(ks) <= 20 * LARGE_PAIRS else min(os.cpu_count() or 1, len(ks))
    rows, results = {}, {}
    done = 0
    if workers <= 1:
        for k in ks:
            k, res, reason = _solve_k(problem, k)
            rows[k] = _row(k, res, reason)
            results[k] = res
            done += 1
            if progress:
                progress(done, len(ks))
    else:
        import multiprocessing as mp

        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futs = [pool.submit(_solve_k, problem, k) for k in ks]
            for fut in as_completed(futs):
                k, res, reason = fut.result()
                rows[k] = _row(k, res, reason)
                results[k] = res
                done += 1
                if progress:
                    progress(done, len(ks))
    # a count the solver gave up on (no proof of infeasibility) while a neighbouring count has a
    # design: start again from that design with one site added or dropped, so the sweep never marks
    # a count infeasible while a feasible design for it is known
    for k in ks:
        if results[k] is None and _NOT_FOUND in rows[k]["reason"]:
            sets = _neighbour_sets(problem, k, results)
            if sets:
                k, res, reason = _solve_k(problem, k, sets)
                if res is not None:
                    rows[k] = _row(k, res, reason)
                    results[k] = res
    table = pd.DataFrame([rows[k] for k in ks], columns=list(SWEEP_COLUMNS))
    feas = table[table["status"].isin(["optimal", "feasible"])]
    best_k = int(feas.loc[feas["total_cost"].idxmin(), "dc_count"]) if len(feas) else None
    return SweepResult(table, {k: results[k] for k in ks}, best_k, time.perf_counter() - start, workers)


FRONTIER_COLUMNS = ("carbon_price", "cost", "co2_t", "total_cost", "carbon_cost", "dc_count", "status", "gap",
                    "open_sites", "pareto")


@dataclass(frozen=True)
class FrontierResult:
    """Cost versus CO2: one row per carbon price (``table``), the designs, and which are Pareto-efficient.

    ``cost`` is the network's cost without the carbon charge (what the business pays today),
    ``co2_t`` its emissions in tonnes CO2e per year.
    """

    table: pd.DataFrame
    results: dict
    seconds: float

    def curve(self) -> pd.DataFrame:
        """The Pareto-efficient designs, from the cheapest to the cleanest."""
        return self.table[self.table["pareto"]].sort_values("cost").reset_index(drop=True)


def carbon_frontier(problem: FacilityProblem, prices: Iterable[float] = (0, 50, 100, 200, 400, 800), *,
                    progress: Callable[[int, int], None] | None = None,
                    hint: NetworkResult | None = None) -> FrontierResult:
    """Solve the design at each carbon price (USD per tonne CO2e): the cost-versus-CO2 frontier.

    Each price trades cost for emissions at that rate; the designs found form the lower-left
    frontier (a design that costs more and emits more than another is marked ``pareto=False``).
    Each solve starts from the previous price's design (the first from ``hint``, e.g. the design
    on screen), so a design known to be feasible is never lost; afterwards every price takes the
    cheapest design found at any price (re-costed at its own price), so CO2e never rises with
    the price even when a time-limited solve fell short (its row then says ``feasible`` and
    ``results[price]`` is the design found at another price).
    """
    start = time.perf_counter()
    prices = [float(p) for p in prices]
    if not prices:
        raise SpecificationError("no carbon prices to try: give prices, e.g. (0, 100, 200)", constraint="prices")
    rows, results = [], {}
    for n, price in enumerate(prices):
        p = problem.with_spec(carbon_price=price, co2_cap_kg=None)
        try:
            res = p.solve(hint=hint)
            hint = res
            rows.append({"carbon_price": price, "cost": res.total_cost - res.carbon_cost, "co2_t": res.co2_kg / 1000.0,
                         "total_cost": res.total_cost, "carbon_cost": res.carbon_cost, "dc_count": res.dc_count,
                         "status": res.status, "gap": res.gap, "open_sites": ", ".join(res.open_site_ids)})
            results[price] = res
        except (SpecificationError, SolverError) as exc:
            rows.append({"carbon_price": price, "cost": math.nan, "co2_t": math.nan, "total_cost": math.nan,
                         "carbon_cost": math.nan, "dc_count": 0, "status": "infeasible", "gap": math.nan,
                         "open_sites": str(exc)})
            results[price] = None
        if progress:
            progress(n + 1, len(prices))
    # every design found is a candidate at every price: each price gets the cheapest of them at
    # that price, so CO2e never rises with the price even when a time-limited solve fell short
    found = [r for r in results.values() if r is not None]
    for n, price in enumerate(prices):
        if not found:
            break
        best = min(found, key=lambda r: (r.total_cost - r.carbon_cost) + price * r.co2_kg / 1000.0)
        own = results[price]
        cost = best.total_cost - best.carbon_cost
        if own is None or cost + price * best.co2_kg / 1000.0 < (own.total_cost - own.carbon_cost) + price * own.co2_kg / 1000.0 - 1e-9 * abs(cost):
            rows[n] = {"carbon_price": price, "cost": cost, "co2_t": best.co2_kg / 1000.0,
                       "total_cost": cost + price * best.co2_kg / 1000.0, "carbon_cost": price * best.co2_kg / 1000.0,
                       "dc_count": best.dc_count, "status": "feasible", "gap": math.nan,
                       "open_sites": ", ".join(best.open_site_ids)}
            results[price] = best
    table = pd.DataFrame(rows)
    ok = table["status"].isin(["optimal", "feasible"])
    c, e = table["cost"].to_numpy(), table["co2_t"].to_numpy()
    pareto = []
    for a in range(len(table)):
        dominated = ok[a] and any(ok[b] and c[b] <= c[a] * (1 + 1e-9) and e[b] <= e[a] * (1 + 1e-9)
                                  and (c[b] < c[a] * (1 - 1e-9) or e[b] < e[a] * (1 - 1e-9)) for b in range(len(table)))
        pareto.append(bool(ok[a]) and not dominated)
    table["pareto"] = pareto
    return FrontierResult(table[list(FRONTIER_COLUMNS)], results, time.perf_counter() - start)
