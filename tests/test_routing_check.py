"""The independent checker catches corrupted plans; dispatch sheets; the sample day end to end."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.errors import SolverError
from workbench.routing import (
    RoutingProblem,
    SolveOptions,
    check_routes,
    dispatch_csv,
    dispatch_excel,
    dispatch_html,
    dispatch_sheets,
    write_dispatch,
)

from .test_routing import line_problem


@pytest.fixture(scope="module")
def solved():
    """Six stops on a line, capacity 3 stops, windows and service: a plan with two routes."""
    p = line_problem([10, 20, 30, -10, -20, -30], [1, 1, 1, 1, 1, 1], capacity=3, count=3,
                     windows=[(0, 500)] * 6, service=[5.0] * 6, fixed=10.0, per_hour=6.0)
    r = p.solve(SolveOptions(time_limit_s=0.3, seed=2))
    assert r.vehicles_used == 2
    return p, r


def _with_routes(result, routes):
    return dataclasses.replace(result, routes=routes.reset_index(drop=True))


def test_clean_plan_passes_and_totals_agree(solved):
    """The solver's plan passes and the recomputed km and cost equal the reported ones."""
    p, r = solved
    rep = check_routes(r, p)
    assert rep.ok, rep.violations
    assert rep.total_km == pytest.approx(120.0)
    assert rep.total_cost == pytest.approx(r.total_cost)
    assert rep.orders_served == 6 and rep.routes_checked == 2


def test_dropped_stop_is_caught(solved):
    """Deleting a stop leaves an order neither served nor reported, and the reported times no longer replay."""
    p, r = solved
    rows = r.routes.drop(index=r.routes.index[r.routes.kind == "stop"][0])
    rep = check_routes(_with_routes(r, rows), p)
    assert {"orders", "schedule"} <= rep.checks_failed()  # the next stop is reached 5 min (a service) earlier
    assert any("neither served nor reported unserved" in m for m in rep.violations.message)


def test_order_served_twice_is_caught(solved):
    """Copying a stop into the other route is an order served twice."""
    p, r = solved
    stop = r.routes[(r.routes.kind == "stop") & (r.routes.route == 1)].iloc[[0]].copy()
    stop["route"] = 2
    stop["seq"] = 0.5
    rows = pd.concat([r.routes, stop]).sort_values(["route", "seq"])
    rep = check_routes(_with_routes(r, rows), p)
    assert any("served 2 times" in m for m in rep.violations.message)


def test_over_capacity_is_caught(solved):
    """The same plan against vehicles of capacity 2 breaks capacity (3 units on board)."""
    p, r = solved
    rep = check_routes(r, p.with_fleet("truck", capacity=2))
    assert "capacity" in rep.checks_failed()
    assert any("carries 3.00 units, capacity is 2.00" in m for m in rep.violations.message)


def test_late_departure_breaks_windows_and_schedule(solved):
    """Leaving 960 minutes later: the first stop starts after its window closes and the return is after the shift."""
    p, r = solved
    rows = r.routes.copy()
    first = rows.index[(rows.kind == "depart") & (rows.route == 1)][0]
    rows.loc[first, "departure_min"] += 960
    rep = check_routes(_with_routes(r, rows), p)
    assert {"time window", "schedule", "shift"} <= rep.checks_failed()


def test_shift_and_duration_are_checked(solved):
    """Against a shift ending at 40 and a 0.5 h maximum, the plan's returns and durations are flagged."""
    p, r = solved
    tight = p.with_fleet("truck", shift_end=40.0, max_duration_h=0.5)
    rep = check_routes(r, tight)
    assert {"shift", "duration"} <= rep.checks_failed()


def test_fleet_count_is_checked(solved):
    """Two routes of a type with only one vehicle is a fleet violation."""
    p, r = solved
    rep = check_routes(r, p.with_fleet("truck", count=1))
    assert any("2 routes use a truck, only 1 are available" in m for m in rep.violations.message)


def test_tampered_cost_and_times_are_caught(solved):
    """A reported cost or arrival that does not replay is a violation; raise_if_failed raises."""
    p, r = solved
    rep = check_routes(dataclasses.replace(r, total_cost=r.total_cost - 1.0), p)
    assert rep.checks_failed() == {"cost"}
    with pytest.raises(SolverError, match="fails 1 checks"):
        rep.raise_if_failed()
    rows = r.routes.copy()
    i = rows.index[rows.kind == "stop"][0]
    rows.loc[i, "arrival_min"] -= 3
    assert "schedule" in check_routes(_with_routes(r, rows), p).checks_failed()
    rows = r.routes.copy()
    rows.loc[i, "load_after"] += 1
    assert "load" in check_routes(_with_routes(r, rows), p).checks_failed()


def test_broken_structure_is_caught(solved):
    """A route without its return row is reported as malformed."""
    p, r = solved
    rows = r.routes.drop(index=r.routes.index[(r.routes.kind == "return") & (r.routes.route == 2)])
    assert "structure" in check_routes(_with_routes(r, rows), p).checks_failed()


# --------------------------------------------------------------------------- dispatch sheets


def test_dispatch_sheets_per_vehicle(solved, tmp_path):
    """One sheet per vehicle with depart, stops with ETAs and return; CSV, Excel and HTML carry the same stops."""
    import openpyxl

    p, r = solved
    sheets = dispatch_sheets(r)
    assert list(sheets) == list(r.summary.vehicle)
    for vehicle, sheet in sheets.items():
        n = int(r.summary.set_index("vehicle").loc[vehicle, "stops"])
        assert len(sheet) == n + 2
        assert sheet.Customer.iloc[0].startswith("Depart") and sheet.Customer.iloc[-1].startswith("Return")
    first = r.stops().iloc[0]
    sheet = sheets[first.vehicle]
    row = sheet[sheet.Order == first.order_id].iloc[0]
    assert row.Arrive == workbench.routing.fmt_clock(first.arrival_min)
    csv = pd.read_csv(io.BytesIO(dispatch_csv(r)))
    assert len(csv) == len(r.routes) and set(csv.Order.dropna()) == set(p.orders.order_id)
    wb = openpyxl.load_workbook(io.BytesIO(dispatch_excel(r)))
    assert wb.sheetnames == ["Summary", *r.summary.vehicle]
    assert wb["Summary"].max_row == 1 + r.vehicles_used
    assert wb["Summary"].cell(1, 12).value == "Cost (USD)"
    brl = openpyxl.load_workbook(io.BytesIO(dispatch_excel(r, currency="brl")))
    assert brl["Summary"].cell(1, 12).value == "Cost (BRL)"
    html = dispatch_html(r, title="Tuesday")
    assert html.count("<section class='vehicle'>") == 2
    assert all(f">{oid}<" in html for oid in p.orders.order_id)
    for ext in ("csv", "xlsx", "html"):
        path = write_dispatch(r, tmp_path / f"day.{ext}")
        assert path.stat().st_size > 100
    with pytest.raises(ValueError, match="unknown dispatch file type"):
        write_dispatch(r, tmp_path / "day.pdf")


def test_unserved_orders_listed_in_sheets():
    """Unserved orders get their own Excel sheet and HTML section with the reason."""
    import openpyxl

    p = line_problem([10, 20], [5, 50], capacity=10)
    r = p.solve(SolveOptions(time_limit_s=0.2))
    wb = openpyxl.load_workbook(io.BytesIO(dispatch_excel(r)))
    assert wb.sheetnames[-1] == "Unserved"
    assert "above the largest vehicle capacity" in dispatch_html(r)


# --------------------------------------------------------------------------- the sample day


@pytest.fixture(scope="module")
def sample_day():
    """The sample company's delivery day, solved briefly."""
    world = workbench.load_sample()
    p = RoutingProblem.from_world(world)
    return world, p, p.solve(SolveOptions(time_limit_s=2.0, seed=0))


def test_sample_day_is_fully_served_and_checks(sample_day):
    """Every sample order is served inside its window within the fleet, and the checker agrees."""
    world, p, r = sample_day
    assert p.n_orders == len(world.orders) and p.n_depots == 1
    assert r.orders_served == len(world.orders) and len(r.unserved) == 0
    assert r.on_time_share == 1.0
    assert 0 < r.vehicles_used <= int(world.vehicles["count"].sum())
    assert 0 < r.utilisation <= 1.0
    rep = check_routes(r, p)
    assert rep.ok, rep.violations.message.tolist()
    assert r.total_cost == pytest.approx(rep.total_cost)
    assert r.summary.cost.sum() == pytest.approx(r.summary[["fixed_cost", "distance_cost", "time_cost"]].sum().sum())
    assert r.demand_served == pytest.approx(world.orders.demand.sum())
    k = r.kpis()
    assert k["vehicles_used"] == r.vehicles_used and k["total_km"] == pytest.approx(r.total_km)


def test_sample_what_if_fewer_vans(sample_day):
    """Cutting the fleet to one vehicle per type leaves orders unserved with a fleet reason, and the plan still checks."""
    world, p, _ = sample_day
    v = p.vehicles.copy()
    v["count"] = 1
    p1 = p.with_vehicles(v)
    r = p1.solve(SolveOptions(time_limit_s=1.0))
    assert r.vehicles_used <= 3 and len(r.unserved) > 0
    assert r.unserved.reason.str.contains("fleet carries").all()
    assert check_routes(r, p1).ok
