"""An independent checker of a routing plan.

It reads only the plan's tables (the sequence of orders per route, the vehicle type, the
departure time) and the problem's data; it never looks at the engine. It replays every route
with the problem's travel matrices, checks capacity, time windows, shifts, maximum route
duration, the number of vehicles per type, that every order is served exactly once or reported
unserved, that the reported times, loads and distances are the replayed ones, and recomputes km
and cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CheckedReport
from .model import RoutingProblem, fmt_clock
from .result import RoutingResult

__all__ = ["check_routes", "CheckReport"]

TOL_MIN = 1e-6     # minutes
TOL_KM = 1e-6
TOL_LOAD = 1e-6


@dataclass(frozen=True)
class CheckReport(CheckedReport):
    """What the checker found: ``violations`` (check, route, vehicle, order_id, message) and recomputed totals."""

    violations: pd.DataFrame
    total_km: float
    total_cost: float
    total_duration_h: float
    routes_checked: int
    orders_served: int

    _subject = "the plan"

    def __repr__(self) -> str:
        state = self._state()
        return f"CheckReport({state}, {self.total_km:,.3f} km, cost {self.total_cost:,.2f})"


def check_routes(result: RoutingResult, problem: RoutingProblem) -> CheckReport:
    """Verify ``result`` against ``problem`` and recompute its distance and cost."""
    out: list[dict] = []

    def bad(check, message, route=None, vehicle=None, order_id=None):
        out.append({"check": check, "route": route, "vehicle": vehicle, "order_id": order_id, "message": message})

    o = problem.orders.set_index("order_id")
    pos = {oid: i for i, oid in enumerate(problem.orders.order_id)}
    vt = problem.vehicles.set_index("vehicle_type")
    depot_pos = {d: j for j, d in enumerate(problem.depots.depot_id)}
    D = problem.n_depots
    tu, du = problem.time_unit_min, problem.distance_unit_km
    minutes = problem.duration * tu
    km_m = problem.distance * du
    routes = result.routes
    tol_t = max(1e-3, tu)  # reported times are whole solver time units
    seen: dict[str, int] = {}
    used_per_type: dict[str, int] = {}
    total_km = total_cost = total_h = 0.0
    n_routes = 0
    summary = result.summary.set_index("route") if len(result.summary) else pd.DataFrame()

    for rid, r in routes.groupby("route", sort=True):
        r = r.sort_values("seq")
        n_routes += 1
        vname = r.vehicle.iloc[0]
        kinds = list(r.kind)
        if not kinds or kinds[0] != "depart" or kinds[-1] != "return" or any(k != "stop" for k in kinds[1:-1]):
            bad("structure", f"route {rid} must start with 'depart', end with 'return' and hold only stops between",
                rid, vname)
            continue
        vtype = r.vehicle_type.iloc[0]
        if vtype not in vt.index:
            bad("vehicle", f"route {rid}: unknown vehicle type {vtype!r}", rid, vname)
            continue
        v = vt.loc[vtype]
        used_per_type[vtype] = used_per_type.get(vtype, 0) + 1
        if r.depot_id.iloc[0] != v.depot_id or r.depot_id.iloc[-1] != v.depot_id:
            bad("depot", f"route {rid}: a {vtype} must start and end at {v.depot_id}, not {r.depot_id.iloc[0]}",
                rid, vname)
        home = depot_pos.get(v.depot_id)
        stops = r[r.kind == "stop"]
        ids = list(stops.order_id)
        unknown = [x for x in ids if x not in pos]
        if unknown:
            bad("orders", f"route {rid} visits unknown orders {unknown}", rid, vname)
            continue
        for x in ids:
            seen[x] = seen.get(x, 0) + 1
        # capacity
        load = float(o.loc[ids, "demand"].sum()) if ids else 0.0
        if load > float(v.capacity) + TOL_LOAD:
            bad("capacity", f"route {rid} ({vname}) carries {load:,.2f} units, capacity is {float(v.capacity):,.2f}",
                rid, vname)
        # replay the schedule from the reported departure time
        t0 = float(r.departure_min.iloc[0])
        if not np.isfinite(t0):
            bad("schedule", f"route {rid} has no departure time", rid, vname)
            continue
        if t0 < float(v.shift_start) - TOL_MIN:
            bad("shift", f"route {rid} leaves at {fmt_clock(t0)}, before the shift starts at "
                         f"{fmt_clock(v.shift_start)}", rid, vname)
        t, prev, dist, left = t0, home, 0.0, load
        if abs(float(r.load_after.iloc[0]) - load) > TOL_LOAD:
            bad("load", f"route {rid} reports {r.load_after.iloc[0]:,.2f} units loaded, the stops need {load:,.2f}",
                rid, vname)
        for row in stops.itertuples():
            i = pos[row.order_id]
            loc = D + i
            arrive = t + minutes[prev, loc]
            start = max(arrive, float(problem.orders.tw_start.iloc[i]))
            tw_end = float(problem.orders.tw_end.iloc[i])
            if start > tw_end + TOL_MIN:
                bad("time window", f"order {row.order_id} on route {rid}: service starts at {fmt_clock(start)}, "
                                   f"after its window closes at {fmt_clock(tw_end)}", rid, vname, row.order_id)
            if abs(arrive - row.arrival_min) > tol_t or abs(start - row.start_min) > tol_t:
                bad("schedule", f"order {row.order_id} on route {rid}: reported arrival {row.arrival_min:.2f} / start "
                                f"{row.start_min:.2f} min, replayed {arrive:.2f} / {start:.2f}", rid, vname, row.order_id)
            t = start + float(problem.orders.service_min.iloc[i])
            dist += km_m[prev, loc]
            left -= float(problem.orders.demand.iloc[i])
            if abs(left - float(row.load_after)) > 1e-6 * max(1.0, load) + TOL_LOAD:
                bad("load", f"order {row.order_id} on route {rid}: reported {row.load_after:,.2f} units on board "
                            f"after the stop, replayed {left:,.2f}", rid, vname, row.order_id)
            prev = loc
        end = t + minutes[prev, home]
        dist += km_m[prev, home]
        if end > float(v.shift_end) + TOL_MIN:
            bad("shift", f"route {rid} ({vname}) returns at {fmt_clock(end)}, after the shift ends at "
                         f"{fmt_clock(v.shift_end)}", rid, vname)
        dur_h = (end - t0) / 60.0
        if np.isfinite(v.max_duration_h) and dur_h > float(v.max_duration_h) + TOL_MIN / 60.0:
            bad("duration", f"route {rid} ({vname}) lasts {dur_h:.2f} h, the maximum is {float(v.max_duration_h):g} h",
                rid, vname)
        if abs(float(r.cum_km.iloc[-1]) - dist) > TOL_KM * max(1.0, dist):
            bad("distance", f"route {rid} reports {r.cum_km.iloc[-1]:,.3f} km, replayed {dist:,.3f} km", rid, vname)
        cost = float(v.fixed_cost) + float(v.cost_per_km) * dist + float(v.cost_per_hour) * dur_h
        if len(summary) and rid in summary.index:
            s = summary.loc[rid]
            if abs(float(s.cost) - cost) > 1e-6 * max(1.0, cost):
                bad("cost", f"route {rid} reports cost {float(s.cost):,.4f}, recomputed {cost:,.4f}", rid, vname)
        else:
            bad("summary", f"route {rid} is missing from the route summary", rid, vname)
        total_km += dist
        total_cost += cost
        total_h += dur_h

    for vtype, n in used_per_type.items():
        if vtype in vt.index and n > int(vt.loc[vtype, "count"]):
            bad("fleet", f"{n} routes use a {vtype}, only {int(vt.loc[vtype, 'count'])} are available")
    unserved = list(result.unserved.order_id) if len(result.unserved) else []
    for oid in problem.orders.order_id:
        n = seen.get(oid, 0) + unserved.count(oid)
        if n == 0:
            bad("orders", f"order {oid} is neither served nor reported unserved", order_id=oid)
        elif n > 1:
            where = f"served {seen.get(oid, 0)} times" + (" and reported unserved" if oid in unserved else "")
            bad("orders", f"order {oid} is {where}", order_id=oid)
    extra = set(unserved) - set(pos)
    for oid in sorted(extra):
        bad("orders", f"unserved list names unknown order {oid}", order_id=oid)
    if abs(result.total_cost - total_cost) > 1e-6 * max(1.0, total_cost):
        bad("cost", f"reported total cost {result.total_cost:,.4f}, recomputed {total_cost:,.4f}")
    if abs(result.total_km - total_km) > 1e-6 * max(1.0, total_km):
        bad("distance", f"reported total {result.total_km:,.3f} km, recomputed {total_km:,.3f} km")
    if result.vehicles_used != n_routes:
        bad("kpi", f"reported {result.vehicles_used} vehicles used, the plan has {n_routes} routes")
    viol = pd.DataFrame(out, columns=["check", "route", "vehicle", "order_id", "message"])
    return CheckReport(violations=viol, total_km=total_km, total_cost=total_cost, total_duration_h=total_h,
                       routes_checked=n_routes, orders_served=sum(seen.values()))
