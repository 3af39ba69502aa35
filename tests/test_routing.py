"""Route planning: known optima on hand-checkable instances, constraints, unserved orders, bad input."""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError, SolverError, SpecificationError
from workbench.routing import RoutingProblem, SolveOptions, check_routes
from workbench.routing.solve import choose_cost_unit

FAST = SolveOptions(time_limit_s=0.3, seed=1)


def line_problem(xs, demands, *, capacity=10.0, count=5, windows=None, service=None, shift=(0.0, 1000.0),
                 max_h=100.0, fixed=0.0, per_km=1.0, per_hour=0.0, depots_x=(0.0,), vehicles=None):
    """Stops on a line (x in km, 1 km per minute); distances are |x_i - x_j| as integers."""
    n = len(xs)
    windows = windows or [(0.0, 1000.0)] * n
    service = service or [0.0] * n
    orders = pd.DataFrame({"order_id": [f"O{i + 1}" for i in range(n)], "x": xs, "y": 0.0, "demand": demands,
                           "tw_start": [w[0] for w in windows], "tw_end": [w[1] for w in windows],
                           "service_min": service})
    depots = pd.DataFrame({"depot_id": [f"D{j + 1}" for j in range(len(depots_x))], "x": list(depots_x), "y": 0.0})
    if vehicles is None:
        vehicles = pd.DataFrame({"vehicle_type": ["truck"], "capacity": [capacity], "count": [count],
                                 "fixed_cost": [fixed], "cost_per_km": [per_km], "cost_per_hour": [per_hour],
                                 "shift_start": [shift[0]], "shift_end": [shift[1]], "max_duration_h": [max_h],
                                 "depot_id": ["D1"]})
    pos = np.array(list(depots_x) + list(xs), dtype=float)
    dist = np.abs(pos[:, None] - pos[None, :]).round().astype(np.int64)
    return RoutingProblem.from_matrices(orders, vehicles, depots, distance=dist, duration=dist,
                                        distance_unit_km=1.0, time_unit_min=1.0)


def route_orders(result) -> list[list[str]]:
    """The order ids of each route, in visiting order."""
    stops = result.stops()
    return [list(g.sort_values("seq").order_id) for _, g in stops.groupby("route", sort=True)]


# --------------------------------------------------------------------------- known optima


def test_cvrp_on_a_line_reaches_the_optimum():
    """Capacity 2 stops per vehicle: the optimum pairs the stops on each side of the depot (40 + 60 = 100 km)."""
    p = line_problem([10, 20, -10, -30], [1, 1, 1, 1], capacity=2)
    r = p.solve(FAST)
    assert r.total_km == pytest.approx(100.0)
    assert r.total_cost == pytest.approx(100.0)
    assert sorted(sorted(x) for x in route_orders(r)) == [["O1", "O2"], ["O3", "O4"]]
    assert r.vehicles_used == 2
    assert r.utilisation == pytest.approx(1.0)
    assert check_routes(r, p).ok


def test_time_windows_fix_the_order_and_the_etas():
    """B (x=20) must start in [20, 25], A (x=10) in [40, 60]: B first; leaving at 5 minimises the day (45 min)."""
    p = line_problem([10, 20], [1, 1], windows=[(40, 60), (20, 25)], per_hour=60.0)
    r = p.solve(FAST)
    assert route_orders(r) == [["O2", "O1"]]
    rows = r.routes.set_index("kind")
    dep = r.routes[r.routes.kind == "depart"].iloc[0]
    stops = r.stops().set_index("order_id")
    ret = r.routes[r.routes.kind == "return"].iloc[0]
    assert dep.departure_min == pytest.approx(5.0)
    assert stops.loc["O2", "arrival_min"] == pytest.approx(25.0)
    assert stops.loc["O1", "arrival_min"] == pytest.approx(35.0)
    assert stops.loc["O1", "wait_min"] == pytest.approx(5.0)
    assert stops.loc["O1", "start_min"] == pytest.approx(40.0)
    assert ret.arrival_min == pytest.approx(50.0)
    assert r.total_km == pytest.approx(40.0)
    assert r.total_duration_h == pytest.approx(45 / 60)
    assert r.total_cost == pytest.approx(40.0 + 45.0)  # 1 USD/km + 60 USD/h
    assert r.on_time_share == 1.0
    assert len(rows) == 4
    assert check_routes(r, p).ok


def test_load_after_each_stop_counts_down():
    """The load on board starts at the route's total and drops by each stop's demand."""
    p = line_problem([10, 20, 30], [3, 4, 2], capacity=10)
    r = p.solve(FAST)
    route = r.routes.sort_values("seq")
    assert route.load_after.iloc[0] == pytest.approx(9.0)
    drops = -np.diff(route.load_after.to_numpy()[:-1])
    assert list(drops) == pytest.approx(list(route.demand.iloc[1:-1]))
    assert route.load_after.iloc[-2] == pytest.approx(0.0)


def test_heterogeneous_fleet_picks_the_cheaper_mix():
    """25 units: one large truck (fixed 150) beats three vans (3 x 100); cost = 150 + 2 x 10 km."""
    vehicles = pd.DataFrame({"vehicle_type": ["van", "large"], "capacity": [10.0, 30.0], "count": [3, 1],
                             "fixed_cost": [100.0, 150.0], "cost_per_km": [1.0, 1.0], "cost_per_hour": [0.0, 0.0],
                             "shift_start": [0.0, 0.0], "shift_end": [1000.0, 1000.0], "max_duration_h": [100.0, 100.0],
                             "depot_id": ["D1", "D1"]})
    p = line_problem([10, 10, 10], [9, 8, 8], vehicles=vehicles)
    r = p.solve(FAST)
    assert list(r.summary.vehicle_type) == ["large"]
    assert r.total_cost == pytest.approx(170.0)
    assert r.summary.fixed_cost.sum() == pytest.approx(150.0)


def test_several_depots_serve_their_neighbours():
    """Depots at -100 and +100, one vehicle each: each serves the stops on its side (4 x 10 km x 2)."""
    vehicles = pd.DataFrame({"vehicle_type": ["west", "east"], "capacity": [10.0, 10.0], "count": [1, 1],
                             "fixed_cost": [0.0, 0.0], "cost_per_km": [1.0, 1.0], "cost_per_hour": [0.0, 0.0],
                             "shift_start": [0.0, 0.0], "shift_end": [1000.0, 1000.0],
                             "max_duration_h": [100.0, 100.0], "depot_id": ["D1", "D2"]})
    p = line_problem([-110, -90, 90, 110], [1, 1, 1, 1], depots_x=(-100.0, 100.0), vehicles=vehicles)
    r = p.solve(FAST)
    assert r.total_km == pytest.approx(80.0)
    by_depot = {d: sorted(g.order_id) for d, g in r.stops().groupby("depot_id")}
    assert by_depot == {"D1": ["O1", "O2"], "D2": ["O3", "O4"]}
    assert check_routes(r, p).ok


def test_max_route_duration_splits_the_day():
    """Stops at +10 and -10: one route lasts 40 min; with a 30-min limit it takes two routes of 20 min."""
    r1 = line_problem([10, -10], [1, 1], max_h=1.0, fixed=5.0).solve(FAST)
    assert r1.vehicles_used == 1 and r1.total_cost == pytest.approx(45.0)
    p2 = line_problem([10, -10], [1, 1], max_h=0.5, fixed=5.0)
    r2 = p2.solve(FAST)
    assert r2.vehicles_used == 2
    assert r2.summary.duration_h.max() <= 0.5 + 1e-9
    assert r2.total_cost == pytest.approx(50.0)
    assert check_routes(r2, p2).ok


def test_shift_end_is_respected():
    """The vehicle must be back by 60: a stop at 25 with a window opening at 20 and 15 min service fits (20+15+25)."""
    p = line_problem([25], [1], windows=[(20, 100)], service=[15.0], shift=(0.0, 65.0))
    r = p.solve(FAST)
    ret = r.routes[r.routes.kind == "return"].iloc[0]
    assert ret.arrival_min <= 65.0
    assert r.orders_served == 1


# --------------------------------------------------------------------------- unserved orders


def test_order_above_every_capacity_is_reported_not_fatal():
    """A 50-unit order with 10-unit vehicles is left out with the reason; the others are planned."""
    p = line_problem([10, 20, 30], [5, 50, 5], capacity=10)
    r = p.solve(FAST)
    assert list(r.unserved.order_id) == ["O2"]
    assert "above the largest vehicle capacity (10 units)" in r.unserved.reason.iloc[0]
    assert r.orders_served == 2
    assert r.on_time_share == pytest.approx(2 / 3)
    assert r.demand_unserved == pytest.approx(50.0)
    assert check_routes(r, p).ok


def test_order_above_every_capacity_strict_names_order_row_column():
    """With allow_unserved=False the same order is a DataError naming the order, row, column and fix."""
    p = line_problem([10, 20, 30], [5, 50, 5], capacity=10)
    with pytest.raises(DataError, match=r"row 3, column 'demand'.*order O2 cannot be served.*Fix: split it") as ei:
        p.solve(dataclasses.replace(FAST, allow_unserved=False))
    assert ei.value.problems[0].row == 3 and ei.value.problems[0].value == 50.0


def test_window_closing_before_the_shift_starts():
    """A window 05:00-06:00 with shifts from 07:00 is reported (or refused) with the shift time."""
    p = line_problem([10, 20], [1, 1], windows=[(300, 360), (0, 1000)], shift=(420, 1000))
    r = p.solve(FAST)
    assert list(r.unserved.order_id) == ["O1"]
    assert r.unserved.reason.iloc[0] == ("its time window closes at 06:00, before the truck shift starts (07:00)")
    with pytest.raises(DataError, match=r"row 2, column 'tw_end'.*closes at 06:00.*Fix: widen the time window"):
        p.solve(dataclasses.replace(FAST, allow_unserved=False))


def test_window_unreachable_in_time_names_the_drive():
    """Shift starts at 0, the stop is 50 min away and its window closes at 40: no vehicle can be there in time."""
    p = line_problem([50, 5], [1, 1], windows=[(0, 40), (0, 1000)])
    un = p.unservable()
    assert list(un.order_id) == ["O1"]
    assert "arrives at 00:50 after 50 min driving" in un.reason.iloc[0]


def test_fleet_too_small_strict_and_lenient():
    """Demand 30 with 2 x 10 capacity: strict is a SpecificationError with the numbers; lenient plans 20 units."""
    p = line_problem([10, 20, 30], [10, 10, 10], capacity=10, count=2)
    with pytest.raises(SpecificationError, match=r"carries 20 units a day but the orders need 30 units \(short by 10\)"):
        p.solve(dataclasses.replace(FAST, allow_unserved=False))
    r = p.solve(FAST)
    assert r.orders_served == 2 and len(r.unserved) == 1
    assert "fleet carries 20 units" in r.unserved.reason.iloc[0]
    assert check_routes(r, p).ok


def test_required_orders_that_do_not_fit_raise_solver_error():
    """Two stops far apart with tight windows and one vehicle: no complete plan exists, strict mode says so."""
    p = line_problem([100, -100], [1, 1], windows=[(100, 100), (100, 100)], count=1)
    with pytest.raises(SolverError, match="no plan that serves every order"):
        p.solve(dataclasses.replace(FAST, allow_unserved=False))
    r = p.solve(FAST)
    assert r.orders_served == 1 and "no route could fit it" in r.unserved.reason.iloc[0]


# --------------------------------------------------------------------------- bad input


def geo_tables(n=3):
    """A tiny geographic day: a depot in Chicago and n stores nearby."""
    orders = pd.DataFrame({"order_id": [f"S{i}" for i in range(1, n + 1)], "name": [f"Store {i}" for i in range(1, n + 1)],
                           "lat": 41.85 + 0.05 * np.arange(1, n + 1), "lon": -87.65 + 0.04 * np.arange(1, n + 1),
                           "demand": [10.0] * n, "tw_start": ["08:00"] * n, "tw_end": ["17:00"] * n,
                           "service_min": [10.0] * n})
    vehicles = pd.DataFrame({"vehicle_type": ["van"], "capacity": [100.0], "count": [2], "fixed_cost": [100.0],
                             "cost_per_km": [0.5], "cost_per_hour": [30.0], "shift_start": ["07:00"],
                             "shift_end": ["18:00"], "max_duration_h": [10.0]})
    depots = pd.DataFrame({"site_id": ["DC"], "name": ["Chicago DC"], "lat": [41.85], "lon": [-87.65]})
    return orders, vehicles, depots


def test_from_tables_geo_day_is_consistent():
    """Great-circle x 1.2 at 60 km/h: km and minutes agree with the geo module; cost splits add up."""
    from workbench.geo import GreatCircleSource

    orders, vehicles, depots = geo_tables()
    p = RoutingProblem.from_tables(orders, vehicles, depots)
    km, h = GreatCircleSource().matrices(pd.concat([depots, orders])[["lat", "lon"]])
    assert p.km == pytest.approx(np.round(km * 1000) / 1000)
    assert p.minutes == pytest.approx(np.round(h * 3600) / 60)
    r = p.solve(FAST)
    s = r.summary.iloc[0]
    assert s.cost == pytest.approx(100.0 + 0.5 * s.km + 30.0 * s.duration_h)
    assert r.total_km == pytest.approx(s.km)
    rep = check_routes(r, p)
    assert rep.ok and rep.total_cost == pytest.approx(r.total_cost)


def test_bad_values_are_all_reported_with_row_and_column():
    """NaN demand, negative service time and a window closing before it opens: three problems, one error."""
    orders, vehicles, depots = geo_tables()
    orders.loc[0, "demand"] = np.nan
    orders.loc[1, "service_min"] = -5
    orders.loc[2, "tw_end"] = "07:00"
    with pytest.raises(DataError) as ei:
        RoutingProblem.from_tables(orders, vehicles, depots)
    where = {(p.row, p.column) for p in ei.value.problems}
    assert {(2, "demand"), (3, "service_min"), (4, "tw_end")} <= where
    assert len(ei.value.problems) == 3


def test_vehicle_problems_are_reported():
    """Unknown depot and zero capacity on the fleet table are named with the fix."""
    orders, vehicles, depots = geo_tables()
    vehicles = pd.concat([vehicles, vehicles.assign(vehicle_type="truck", capacity=0.0)], ignore_index=True)
    vehicles["depot_id"] = ["DC", "NOWHERE"]
    with pytest.raises(DataError) as ei:
        RoutingProblem.from_tables(orders, vehicles, depots)
    msgs = " | ".join(ei.value.messages)
    assert "row 3, column 'capacity'" in msgs
    vehicles.loc[1, "capacity"] = 5.0
    with pytest.raises(DataError, match=r"row 3, column 'depot_id': depot 'NOWHERE' is not in the depots table"):
        RoutingProblem.from_tables(orders, vehicles, depots)


class _HolesSource:
    """A road-distance source with no route to or from the given stop."""

    def __init__(self, hole: int):
        self.hole = hole

    def matrices(self, origins, destinations=None):
        from workbench.geo import GreatCircleSource

        km, h = GreatCircleSource().matrices(origins, destinations)
        km[self.hole, :] = np.nan
        km[:, self.hole] = np.nan
        km[self.hole, self.hole] = 0.0
        return km, h


def test_unreachable_stop_is_named():
    """A stop the road source cannot reach is a DataError naming the order, its row and coordinates."""
    orders, vehicles, depots = geo_tables()
    with pytest.raises(DataError, match=r"row 3, column 'lat': order S2 is unreachable.*Fix: check its coordinates"):
        RoutingProblem.from_tables(orders, vehicles, depots, distance_source=_HolesSource(hole=2))


def test_options_are_validated():
    """A non-positive time limit or penalty is refused with the constraint named."""
    with pytest.raises(SpecificationError, match="time limit must be a positive"):
        SolveOptions(time_limit_s=0)
    with pytest.raises(SpecificationError, match="unserved penalty"):
        SolveOptions(unserved_penalty=-1)


# --------------------------------------------------------------------------- what-ifs, limits, progress


def test_what_ifs_change_only_what_they_say():
    """Adding a vehicle, changing capacity and widening windows give new problems with the same matrices."""
    orders, vehicles, depots = geo_tables()
    p = RoutingProblem.from_tables(orders, vehicles, depots)
    p2 = p.with_fleet("van", count=3, capacity=150)
    assert int(p2.vehicles["count"].iloc[0]) == 3 and p2.vehicles.capacity.iloc[0] == 150.0
    assert p.vehicles["count"].iloc[0] == 2  # the original is untouched
    p3 = p.widen_time_windows(30)
    assert list(p3.orders.tw_start) == [450.0] * 3 and list(p3.orders.tw_end) == [1050.0] * 3
    assert p3.distance is p.distance
    with pytest.raises(SpecificationError, match="no vehicle type 'bus'"):
        p.with_fleet("bus", count=1)


def test_more_vehicles_serve_more_orders():
    """The lenient plan with one vehicle leaves an order out; adding a vehicle serves it."""
    p = line_problem([10, 20, 30], [10, 10, 10], capacity=20, count=1)
    assert p.solve(FAST).orders_served == 2
    assert p.with_fleet("truck", count=2).solve(FAST).orders_served == 3


def test_time_limit_progress_and_cancel():
    """The limit is honoured and reported, progress is called, and a set cancel event stops at once."""
    orders, vehicles, depots = geo_tables(12)
    p = RoutingProblem.from_tables(orders, vehicles, depots)
    calls = []
    r = p.solve(SolveOptions(time_limit_s=0.6), progress=lambda d, t: calls.append((d, t)))
    assert r.time_limit_s == 0.6 and r.stop_reason == "time limit"
    assert calls and calls[-1] == (600, 600) and all(t == 600 for _, t in calls)
    ev = threading.Event()
    ev.set()
    r2 = p.solve(SolveOptions(time_limit_s=30), cancel=ev)
    assert r2.stop_reason == "cancelled" and r2.orders_served == 12
    r3 = p.solve(SolveOptions(time_limit_s=30, max_iterations=50))
    assert r3.stop_reason == "iteration limit" and r3.iterations <= 51


def test_cost_unit_choice():
    """The cost unit is the largest power of ten that represents every coefficient within 0.01 %."""
    assert choose_cost_unit([1.0, 0.0]) == 1.0
    assert choose_cost_unit([0.1]) == pytest.approx(0.1)
    assert choose_cost_unit([0.55 * 0.001]) == pytest.approx(1e-5)
    assert choose_cost_unit([0.55 * 0.001, 29 / 3600, 140.0]) == pytest.approx(1e-6)


def test_fractional_demands_never_overfill():
    """Demands of 3.3 units with capacity 10: at most three per vehicle (9.9), never four (13.2)."""
    p = line_problem([10, 11, 12, 13], [3.3] * 4, capacity=10)
    assert p.load_unit == pytest.approx(0.001)
    r = p.solve(FAST)
    assert r.summary.load.max() <= 10.0 and r.vehicles_used == 2
    assert check_routes(r, p).ok
