"""The engine adapter: a :class:`RoutingProblem` to PyVRP and its best solution back to tables.

PyVRP (iterated local search with the HGS neighbourhoods, C++ core, one core per solve) handles
every constraint the workbench models: capacities, customer time windows, shifts (earliest
departure, latest return), maximum route duration, heterogeneous vehicle types with fixed and
per-km / per-hour costs, several depots, and optional orders with a penalty for leaving them out.
See ``docs/route_planning.md`` for the engine choice and the benchmark numbers.
"""

from __future__ import annotations

import time
from importlib.metadata import version as _pkg_version
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from ..errors import DataError, SolverError, SpecificationError
from .options import SolveOptions, fmt_clock
from .result import ROUTE_COLUMNS, SUMMARY_COLUMNS, UNSERVED_COLUMNS, RoutingResult

if TYPE_CHECKING:  # the problem calls solve_routes; naming it here only for types keeps the two apart
    from .model import RoutingProblem

__all__ = ["solve_routes", "choose_cost_unit", "ENGINE"]

try:
    ENGINE = f"PyVRP {_pkg_version('pyvrp')} (iterated local search)"
except Exception:  # pragma: no cover - metadata missing
    ENGINE = "PyVRP (iterated local search)"


def choose_cost_unit(coefficients) -> float:
    """Largest power of ten (USD) that represents every non-zero coefficient within 0.01 %."""
    vals = [abs(float(c)) for c in coefficients if c and np.isfinite(c)]
    for e in range(0, 10):
        unit = 10.0 ** -e
        if all(abs(v / unit - round(v / unit)) <= 1e-4 * (v / unit) for v in vals):
            return unit
    return 1e-9


_INFEASIBLE = 2 ** 62  # PyVRP's cost() of an infeasible solution is the largest integer


class _Stop:
    """Stopping criterion: time limit (from before the first construction), iterations, cancel; reports progress."""

    def __init__(self, limit_s: float, max_iterations: int | None, progress, cancel):
        self.start = time.perf_counter()
        self.limit = float(limit_s)
        self.max_iterations = max_iterations
        self.progress = progress
        self.cancel = cancel
        self.iterations = 0
        self.reason = "time limit"
        self._last = 0.0
        self.give_up_at: float | None = None
        self.feasible_seen = False

    def __call__(self, best_cost) -> bool:
        now = time.perf_counter()
        elapsed = now - self.start
        self.iterations += 1
        if best_cost < _INFEASIBLE:
            self.feasible_seen = True
        if self.give_up_at is not None and not self.feasible_seen and elapsed > self.give_up_at:
            self.reason = "no complete plan"
            return True
        if self.progress is not None and now - self._last >= 0.25:
            self._last = now
            self.progress(int(min(elapsed, self.limit) * 1000), int(self.limit * 1000))
        if self.cancel is not None and self.cancel.is_set():
            self.reason = "cancelled"
            return True
        if self.max_iterations is not None and self.iterations > self.max_iterations:
            self.reason = "iteration limit"
            return True
        if elapsed > self.limit:
            self.reason = "time limit"
            return True
        return False


def _run_pyvrp(data, stop, seed: int, scale: float, ceiling: float):
    """``pyvrp.solve`` with its penalty range scaled to the cost unit.

    PyVRP's default penalties (0.1 to 100,000 per unit of excess load or time warp) assume costs of
    about one unit per distance unit, as in the benchmark sets. Costs here may be in micro-dollars
    per metre, so the range is multiplied by ``scale`` (the mean cost of one distance unit), and
    the ceiling is raised to at least ``ceiling`` (twice the largest prize or fixed cost) so that a
    violation can never pay for itself. With ``scale`` 1 and small costs this is PyVRP's default.
    """
    import warnings

    import pyvrp

    base = pyvrp.PenaltyParams()
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(
        min_penalty=base.min_penalty * scale, max_penalty=max(base.max_penalty * scale, ceiling)))
    with warnings.catch_warnings():  # PyVRP warns about instance features the workbench handles itself
        warnings.simplefilter("ignore")
        return pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False, params=params)


def solve_routes(problem: RoutingProblem, options: SolveOptions = SolveOptions(), *,
                 progress: Callable[[int, int], None] | None = None, cancel=None) -> RoutingResult:
    """Plan the day's routes; always returns the best plan found within ``options.time_limit_s``.

    ``progress(done_ms, total_ms)`` is called a few times a second; ``cancel`` is an optional
    ``threading.Event`` that stops the search early (the best plan so far is returned).
    Raises :class:`DataError` for orders no vehicle can serve when ``allow_unserved`` is False,
    :class:`SpecificationError` when the fleet is short of the day's demand (same case), and
    :class:`SolverError` when no plan serving every required order is found in time.
    """
    import pyvrp
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    t_start = time.perf_counter()
    d = problem.int_data()
    unserv = problem.unservable()
    excluded = set(unserv["order_id"])
    if excluded and not options.allow_unserved:
        raise DataError(problem.unservable_problems(),
                        context=f"{len(excluded)} of {problem.n_orders} orders cannot be served by any vehicle "
                                "(or allow unserved orders to plan the rest)")
    servable = [i for i in range(problem.n_orders) if problem.orders.order_id.iloc[i] not in excluded]
    veh = problem.vehicles
    active = [k for k in range(len(veh)) if d["count"][k] > 0]
    fleet_cap = float(sum(veh.capacity.iloc[k] * veh["count"].iloc[k] for k in active))
    demand_servable = float(problem.orders.demand.iloc[servable].sum()) if servable else 0.0
    if not options.allow_unserved and demand_servable > fleet_cap + 1e-9:
        short = demand_servable - fleet_cap
        raise SpecificationError(
            f"the fleet carries {fleet_cap:,.0f} units a day but the orders need {demand_servable:,.0f} units "
            f"(short by {short:,.0f}): add vehicles, raise capacities, or allow unserved orders",
            constraint="fleet capacity", shortfall=short)

    D = problem.n_depots
    tu, du = problem.time_unit_min, problem.distance_unit_km
    coefs = []
    for k in active:
        coefs += [veh.cost_per_km.iloc[k] * du, veh.cost_per_hour.iloc[k] * tu / 60.0, veh.fixed_cost.iloc[k]]
    if options.allow_unserved:
        coefs.append(options.unserved_penalty)
    cost_unit = choose_cost_unit(coefs)

    if not servable:
        return _assemble(problem, options, [], servable, unserv, cost_unit, objective=0,
                         seconds=time.perf_counter() - t_start, iterations=0, stop_reason="nothing to route")

    lat = np.concatenate([problem.depots.lat.to_numpy(float), problem.orders.lat.to_numpy(float)[servable]])
    lon = np.concatenate([problem.depots.lon.to_numpy(float), problem.orders.lon.to_numpy(float)[servable]])
    lat, lon = np.nan_to_num(lat), np.nan_to_num(lon)
    locations = [Location(x=float(lon[j]), y=float(lat[j])) for j in range(len(lat))]
    depots = [Depot(location=j, name=str(problem.depots.depot_id.iloc[j])) for j in range(D)]
    prize = int(round(options.unserved_penalty / cost_unit)) if options.allow_unserved else 0

    def clients(required: bool):
        return [Client(location=D + m, delivery=[int(d["demand"][i])], service_duration=int(d["service"][i]),
                       tw_early=int(d["tw_early"][i]), tw_late=int(d["tw_late"][i]),
                       prize=0 if required else prize, required=required, name=str(problem.orders.order_id.iloc[i]))
                for m, i in enumerate(servable)]

    types = []
    for k in active:
        kw = {}
        if d["max_duration"][k] < np.iinfo(np.int64).max:
            kw["shift_duration"] = int(d["max_duration"][k])
        types.append(VehicleType(
            num_available=int(d["count"][k]), capacity=[int(d["capacity"][k])],
            start_depot=int(d["depot"][k]), end_depot=int(d["depot"][k]),
            fixed_cost=int(round(veh.fixed_cost.iloc[k] / cost_unit)),
            tw_early=int(d["shift_early"][k]), tw_late=int(d["shift_late"][k]),
            unit_distance_cost=int(round(veh.cost_per_km.iloc[k] * du / cost_unit)),
            unit_duration_cost=int(round(veh.cost_per_hour.iloc[k] * tu / 60.0 / cost_unit)),
            name=str(veh.vehicle_type.iloc[k]), **kw))
    idx = np.array(list(range(D)) + [D + i for i in servable])
    dist = np.ascontiguousarray(problem.distance[np.ix_(idx, idx)], dtype=np.int64)
    dur = np.ascontiguousarray(problem.duration[np.ix_(idx, idx)], dtype=np.int64)

    def data_for(required: bool):
        return ProblemData(locations=locations, clients=clients(required), depots=depots, vehicle_types=types,
                           distance_matrices=[dist], duration_matrices=[dur])

    stop = _Stop(options.time_limit_s, options.max_iterations, progress, cancel)
    stop.start = t_start
    cd = np.array([t.unit_distance_cost for t in types], dtype=float)
    ct = np.array([t.unit_duration_cost for t in types], dtype=float)
    md = float(dist.mean()) or 1.0
    mt = float(dur.mean())
    scale = max(1.0, float(np.mean(cd + ct * mt / md)))
    fixed_max = max([t.fixed_cost for t in types])
    # Most days have a plan that serves every order, and the search is about twice as fast when no
    # order is optional. So, even when orders may be left out, first require them all; if no
    # complete plan is found in the first 30 % of the time (or the fleet cannot carry the day),
    # search again with optional orders for the rest of the time.
    try_complete = demand_servable <= fleet_cap + 1e-9
    if try_complete:
        if options.allow_unserved:
            stop.give_up_at = 0.3 * options.time_limit_s
        res = _run_pyvrp(data_for(True), stop, int(options.seed), scale, 2.0 * fixed_max)
    if options.allow_unserved and (not try_complete or not res.best.is_feasible()):
        stop.give_up_at = None
        if stop.reason == "no complete plan":
            stop.reason = "time limit"
        stop.feasible_seen = False
        res = _run_pyvrp(data_for(False), stop, int(options.seed), scale, 2.0 * max(prize, fixed_max))
    best = res.best
    seconds = time.perf_counter() - t_start
    if progress is not None:
        progress(int(options.time_limit_s * 1000), int(options.time_limit_s * 1000))
    if not best.is_feasible():
        parts = []
        if best.time_warp():
            parts.append(f"{best.time_warp() * tu:,.0f} min of late arrivals")
        if best.has_excess_load():
            parts.append(f"{sum(best.excess_load()) * problem.load_unit:,.0f} units over capacity")
        if not best.is_complete():
            parts.append(f"{best.num_missing_clients()} orders not placed")
        raise SolverError(
            f"no plan that serves every order within the shifts, windows and capacities was found in "
            f"{seconds:.1f} s (best attempt: {', '.join(parts) or 'infeasible'}). Allow unserved orders to plan "
            "the rest, add vehicles, widen time windows, or give the solver more time.")

    routes = []
    for r in best.routes():
        k = active[r.vehicle_type()]
        visits = [servable[a.idx] for a in r.schedule() if a.is_client()]
        routes.append((k, int(r.start_time()), visits))
    return _assemble(problem, options, routes, servable, unserv, cost_unit, objective=int(best.distance_cost()
                     + best.duration_cost() + best.fixed_vehicle_cost() + best.uncollected_prizes()),
                     seconds=seconds, iterations=int(stop.iterations), stop_reason=stop.reason)


def _assemble(problem: RoutingProblem, options: SolveOptions, routes, servable, unserv, cost_unit, *,
              objective, seconds, iterations, stop_reason) -> RoutingResult:
    """Turn ``[(vehicle type row, departure time in units, [order rows])]`` into a result."""
    d = problem.int_data()
    D = problem.n_depots
    tu, du = problem.time_unit_min, problem.distance_unit_km
    o, veh, dep = problem.orders, problem.vehicles, problem.depots
    routes = sorted(routes, key=lambda r: (r[0], r[1], r[2][0] if r[2] else -1))
    per_type: dict[int, int] = {}
    rows, summary = [], []
    for rnum, (k, t0, visits) in enumerate(routes, start=1):
        per_type[k] = per_type.get(k, 0) + 1
        vname = f"{veh.vehicle_type.iloc[k]} {per_type[k]}"
        home = int(d["depot"][k])
        depot_id, depot_name = dep.depot_id.iloc[home], dep["name"].iloc[home]
        load = float(o.demand.iloc[visits].sum())
        base = {"route": rnum, "vehicle": vname, "vehicle_type": veh.vehicle_type.iloc[k], "depot_id": depot_id}
        t, prev, cum, left = t0, home, 0, load
        wait_total = service_total = 0
        rows.append({**base, "seq": 0, "kind": "depart", "order_id": None, "name": depot_name,
                     "lat": dep.lat.iloc[home], "lon": dep.lon.iloc[home], "arrival_min": np.nan, "wait_min": 0.0,
                     "start_min": t0 * tu, "departure_min": t0 * tu, "tw_start": veh.shift_start.iloc[k],
                     "tw_end": veh.shift_end.iloc[k], "service_min": 0.0, "demand": 0.0, "load_after": load,
                     "leg_km": 0.0, "cum_km": 0.0, "on_time": True})
        for seq, i in enumerate(visits, start=1):
            loc = D + i
            leg = int(problem.distance[prev, loc])
            arr = t + int(problem.duration[prev, loc])
            start = max(arr, int(d["tw_early"][i]))
            t = start + int(d["service"][i])
            cum += leg
            left -= float(o.demand.iloc[i])
            wait_total += start - arr
            service_total += int(d["service"][i])
            rows.append({**base, "seq": seq, "kind": "stop", "order_id": o.order_id.iloc[i], "name": o["name"].iloc[i],
                         "lat": o.lat.iloc[i], "lon": o.lon.iloc[i], "arrival_min": arr * tu,
                         "wait_min": (start - arr) * tu, "start_min": start * tu, "departure_min": t * tu,
                         "tw_start": o.tw_start.iloc[i], "tw_end": o.tw_end.iloc[i], "service_min": o.service_min.iloc[i],
                         "demand": float(o.demand.iloc[i]), "load_after": max(left, 0.0), "leg_km": leg * du,
                         "cum_km": cum * du,
                         "on_time": bool(int(d["tw_early"][i]) <= start <= int(d["tw_late"][i]))})
            prev = loc
        leg = int(problem.distance[prev, home])
        end = t + int(problem.duration[prev, home])
        cum += leg
        rows.append({**base, "seq": len(visits) + 1, "kind": "return", "order_id": None, "name": depot_name,
                     "lat": dep.lat.iloc[home], "lon": dep.lon.iloc[home], "arrival_min": end * tu, "wait_min": 0.0,
                     "start_min": end * tu, "departure_min": np.nan, "tw_start": veh.shift_start.iloc[k],
                     "tw_end": veh.shift_end.iloc[k], "service_min": 0.0, "demand": 0.0, "load_after": 0.0,
                     "leg_km": leg * du, "cum_km": cum * du, "on_time": bool(end <= int(d["shift_late"][k]))})
        km = cum * du
        dur_h = (end - t0) * tu / 60.0
        fixed = float(veh.fixed_cost.iloc[k])
        dcost = float(veh.cost_per_km.iloc[k]) * km
        tcost = float(veh.cost_per_hour.iloc[k]) * dur_h
        cap = float(veh.capacity.iloc[k])
        summary.append({**base, "stops": len(visits), "load": load, "capacity": cap, "utilisation": load / cap,
                        "km": km, "start_min": t0 * tu, "end_min": end * tu, "duration_h": dur_h,
                        "drive_h": (end - t0 - wait_total - service_total) * tu / 60.0, "wait_h": wait_total * tu / 60.0,
                        "service_h": service_total * tu / 60.0, "fixed_cost": fixed, "distance_cost": dcost,
                        "time_cost": tcost, "cost": fixed + dcost + tcost})
    routes_df = pd.DataFrame(rows, columns=list(ROUTE_COLUMNS))
    summary_df = pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS))

    served_ids = set(routes_df.loc[routes_df.kind == "stop", "order_id"])
    unserved_rows = []
    reasons = {r.order_id: (r.reason, r.fix) for r in unserv.itertuples()}
    dropped = [i for i in servable if o.order_id.iloc[i] not in served_ids]
    if dropped:
        fleet_cap = float((veh.capacity * veh["count"]).sum())
        dem = float(o.demand.iloc[servable].sum())
        n_veh = int(veh["count"].sum())
        if dem > fleet_cap + 1e-9:
            why = (f"the fleet carries {fleet_cap:,.0f} units but the servable orders need {dem:,.0f}; "
                   "this order did not fit")
            fix = "add a vehicle or raise capacities"
        else:
            why = (f"no route could fit it within the shifts, capacities and the time windows of the other stops "
                   f"({len(routes)} of {n_veh} vehicles used)")
            fix = "add a vehicle, widen its time window or lengthen shifts (or give the solver more time)"
        for i in dropped:
            reasons[o.order_id.iloc[i]] = (why, fix)
    for i in range(problem.n_orders):
        oid = o.order_id.iloc[i]
        if oid in reasons:
            why, fix = reasons[oid]
            unserved_rows.append({"order_id": oid, "name": o["name"].iloc[i], "demand": float(o.demand.iloc[i]),
                                  "tw_start": o.tw_start.iloc[i], "tw_end": o.tw_end.iloc[i], "reason": why, "fix": fix})
    unserved_df = pd.DataFrame(unserved_rows, columns=list(UNSERVED_COLUMNS))

    stops = routes_df[routes_df.kind == "stop"]
    used_cap = float(summary_df.capacity.sum()) if len(summary_df) else 0.0
    served_demand = float(stops.demand.sum()) if len(stops) else 0.0
    n_total = problem.n_orders
    status = "feasible" if len(unserved_df) == 0 else f"feasible, {len(unserved_df)} of {n_total} orders unserved"
    if not routes and not servable:
        status = "no servable orders" if n_total else "no orders"
    return RoutingResult(
        routes=routes_df, summary=summary_df, unserved=unserved_df,
        vehicles_used=len(summary_df), vehicles_available=int(veh["count"].sum()),
        total_km=float(summary_df.km.sum()) if len(summary_df) else 0.0,
        total_cost=float(summary_df.cost.sum()) if len(summary_df) else 0.0,
        total_duration_h=float(summary_df.duration_h.sum()) if len(summary_df) else 0.0,
        utilisation=served_demand / used_cap if used_cap else 0.0,
        on_time_share=float(stops.on_time.sum()) / n_total if n_total else 1.0,
        orders_total=n_total, orders_served=len(stops), demand_served=served_demand,
        demand_unserved=float(unserved_df.demand.sum()) if len(unserved_df) else 0.0,
        engine=ENGINE, status=status, stop_reason=stop_reason, seconds=float(seconds),
        time_limit_s=float(options.time_limit_s), iterations=int(iterations), seed=int(options.seed),
        objective=int(objective), cost_unit_usd=float(cost_unit), distance_source=problem.source)


def fmt(minutes: float) -> str:  # re-exported for dispatch sheets
    return fmt_clock(minutes)
