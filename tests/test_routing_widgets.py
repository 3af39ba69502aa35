"""Route planning app driven through its model and widgets, without a browser (short time limits)."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest

from widgets.route_planning import RoutePlanningModel, RoutePlanningView, route_planning_app, timeline_figure
from workbench.routing import check_routes


@pytest.fixture()
def app(sample_world):
    """The app on the sample day with a 1-second time limit."""
    view = route_planning_app(sample_world)
    view.time_limit.value = 1
    return view


@pytest.fixture(scope="module")
def solved(sample_world):
    """The app after one solve of the sample day (shared by the read-only tests)."""
    view = route_planning_app(sample_world)
    view.time_limit.value = 1
    seen = []
    view.model.observe(lambda ch: seen.append(ch["new"]), names="progress")
    view.solve_button.click()
    view.model.join(60)
    return view, seen


def test_opens_on_the_day_with_fleet_and_orders(app, sample_world):
    """Before solving: the depot's orders on the map, the fleet rows from the World, Solve enabled."""
    m = app.model
    assert m.depots == ["DC-CHI"] and app.depot.value == "DC-CHI"
    assert [r["vehicle_type"] for r in m.fleet] == list(sample_world.vehicles.vehicle_type)
    assert m.fleet[0] == {"vehicle_type": "Cargo van", "count": 6, "capacity": 400.0, "shift_start": "07:00",
                          "shift_end": "19:00"}
    assert len(app.map.layers["orders"].data["features"]) == 120
    assert app.cards.values == {"Orders": 120}
    assert "120 orders, 7,514 units; 16 vehicles" in app.day.value
    assert not app.solve_button.disabled and app.stop_button.disabled
    assert app.timeline.figure is None


def test_solve_shows_routes_timeline_cards_and_downloads(solved, sample_world):
    """After Solve: checked plan, KPI cards equal the result, one colour per route, a bar day per vehicle."""
    view, progress = solved
    m = view.model
    r = m.result
    assert not m.busy and m.problems == [] and m.check_ok
    assert m.status.startswith("Planned in") and "PyVRP" in m.status
    assert progress and progress[-1] == 1.0 and any(0 < p < 1 for p in progress)
    assert r.orders_served == 120 and r.time_limit_s == 1.0
    assert check_routes(r, m.problem).ok
    c = view.cards.values
    assert c["Vehicles used"] == r.vehicles_used
    assert c["Total distance"] == pytest.approx(r.total_km)
    assert c["Total cost"] == pytest.approx(r.total_cost)
    assert c["On time"] == 1.0 and c["Unserved"] == 0
    lines = view.map.layers["routes"].data["features"]
    assert len(lines) == len(r.routes) - r.vehicles_used  # one segment between consecutive events
    assert len({f["properties"]["style"]["color"] for f in lines}) == r.vehicles_used
    assert len(view.map.layers["stops"].data["features"]) == 120
    assert "routes" in view.map.visible_layers() and "orders" not in view.map.visible_layers()
    fig = view.timeline.figure
    assert {t.name for t in fig.data} >= {"Driving", "Unloading"}
    assert set(fig.data[0].y) == set(r.summary.vehicle)
    assert len(view.stop_table.data) == 120
    assert len(view.summary_table.data) == r.vehicles_used
    for ext, button in view.download_buttons.items():
        msg, data = button.file()     # what a click on the button sends to the page
        assert not button.disabled and msg["filename"] == f"dispatch_DC-CHI.{ext}"
        assert data[:4] == view.model.download(ext)[:4] and len(data) > 1000
    assert button.file()[1].decode("utf-8") == view.model.download("html").decode("utf-8")


def test_timeline_bars_add_up_to_route_hours(solved):
    """Per vehicle, driving + waiting + unloading bars cover exactly the route's duration."""
    view, _ = solved
    r = view.model.result
    fig = timeline_figure(r)
    total: dict[str, float] = {}
    for trace in fig.data:
        for y, x in zip(trace.y, trace.x):
            total[y] = total.get(y, 0.0) + x
    for s in r.summary.itertuples():
        assert total[s.vehicle] == pytest.approx(s.duration_h)
    assert fig.layout.xaxis.title.text == "time of day (h)"


def test_downloads_are_the_dispatch_sheets(solved):
    """The model's download files are the CSV, Excel and HTML dispatch sheets of the plan."""
    import openpyxl

    view, _ = solved
    files = view.model.downloads()
    csv = pd.read_csv(io.BytesIO(files["dispatch.csv"]))
    assert set(csv.Order.dropna()) == set(view.model.world.orders.order_id)
    wb = openpyxl.load_workbook(io.BytesIO(files["dispatch.xlsx"]))
    assert wb.sheetnames[0] == "Summary" and len(wb.sheetnames) == 1 + view.model.result.vehicles_used
    assert files["dispatch.html"].decode().count("<section class='vehicle'>") == view.model.result.vehicles_used


def test_what_ifs_add_vehicle_capacity_windows_and_resolve(app):
    """+1 vehicle, a capacity and a window change mark the plan stale; re-solving compares with the previous plan."""
    m = app.model
    m.solve()
    first = m.result
    app.rows["Cargo van"].add.click()
    assert m.fleet[0]["count"] == 7 and app.rows["Cargo van"].count.value == 7
    assert m.stale and "press Solve to re-plan" in app.stale_note.value
    app.rows["Box truck 26ft"].capacity.value = 1100
    app.widen.value = 30
    p = m.build_problem()
    assert int(p.vehicles.set_index("vehicle_type").loc["Cargo van", "count"]) == 7
    assert p.vehicles.set_index("vehicle_type").loc["Box truck 26ft", "capacity"] == 1100.0
    assert (p.orders.tw_end - m.base_problem().orders.tw_end).tolist() == [30.0] * 120
    app.solve_button.click()
    m.join(60)
    assert m.result is not first and not m.stale and app.stale_note.value == ""
    assert m.previous_kpis["total_cost"] == pytest.approx(first.total_cost)
    assert "vs previous plan" in app.cards.value or "same as the previous plan" in app.cards.value
    assert m.result.vehicles_available == 17


def test_too_small_fleet_lists_unserved_orders(app):
    """One small van: most orders are listed as unserved with the reason, drawn in red, and the plan checks."""
    m = app.model
    for row in list(m.fleet):
        m.set_vehicle(row["vehicle_type"], count=0)
    m.set_vehicle("Cargo van", count=1)
    m.solve()
    r = m.result
    assert r.vehicles_used == 1 and len(r.unserved) > 0
    assert m.check_ok
    assert app.cards.values["Unserved"] == len(r.unserved)
    assert len(app.unserved_table.data) == len(r.unserved)
    assert "fleet carries 400 units" in app.unserved_table.data.reason.iloc[0]
    assert len(app.map.layers["unserved"].data["features"]) == len(r.unserved)
    assert "orders are not planned" in m.notes[-1]


def test_strict_mode_shows_the_shortfall_as_a_problem(app):
    """Unticking 'plan what fits' with a short fleet gives a readable problem, not a traceback."""
    m = app.model
    app.allow_unserved.value = False
    m.set_vehicle("Box truck 26ft", count=0)
    m.set_vehicle("Tractor-trailer", count=0)
    m.solve()
    assert m.result is None
    assert len(m.problems) == 1 and "short by" in m.problems[0] and "allow unserved orders" in m.problems[0]


def test_bad_shift_text_is_a_problem(app):
    """A shift typed as '25:99' is refused with the fix; the fleet keeps its value."""
    row = app.rows["Cargo van"]
    row.start.value = "25:99"
    assert "is not a time of day" in app.model.problems[0] and "HH:MM" in app.model.problems[0]
    assert app.model.fleet[0]["shift_start"] == "07:00"
    row.start.value = "6:30"
    assert app.model.problems == [] and app.model.fleet[0]["shift_start"] == "06:30"


def test_stop_keeps_the_best_plan(app):
    """Stop ends a long background solve early with a complete plan."""
    m = app.model
    m.time_limit_s = 60
    app.solve_button.click()
    assert m.running and app.solve_button.disabled and not app.stop_button.disabled
    import time

    time.sleep(1.0)
    app.stop_button.click()
    m.join(30)
    assert not m.running and not m.busy and m.result is not None
    assert m.result.stop_reason == "cancelled"
    assert m.result.orders_served == 120


def test_inputs_round_trip(app, sample_world):
    """inputs() is JSON-able and set_inputs() restores the choices in a new app."""
    import json

    app.rows["Cargo van"].add.click()
    app.widen.value = 45
    saved = json.loads(json.dumps(app.model.inputs()))
    assert saved["widen_windows_min"] == 45 and saved["fleet"][0]["count"] == 7
    other = RoutePlanningModel(sample_world)
    other.set_inputs(saved)
    assert other.fleet == app.model.fleet and other.widen_windows_min == 45
    assert other.kpis() == {}


def test_world_without_orders_says_what_to_load(sample_world):
    """With no orders the app explains what to load and cannot solve."""
    world = dataclasses.replace(sample_world, orders=sample_world.orders.iloc[:0])
    view = RoutePlanningView(RoutePlanningModel(world))
    assert "no delivery day to plan" in view.model.problems[0]
    assert view.solve_button.disabled


def test_improve_further_searches_longer_and_keeps_the_better_plan():
    """The default search is short (5 s); 'Improve further' searches with four times the limit (at
    least 10 s) and never shows a plan worse than the one it started from."""
    from widgets.route_planning import RoutePlanningModel, RoutePlanningView

    m = RoutePlanningModel()
    assert m.time_limit_s == 5.0
    v = RoutePlanningView(m, background=False)
    assert v.improve_button.disabled  # nothing to improve yet
    m.time_limit_s = 1
    first = m.solve()
    assert not v.improve_button.disabled
    v.improve_button.click()
    assert m.time_limit_s == 10.0
    better = m.result
    assert (better.orders_served, -better.total_cost) >= (first.orders_served, -first.total_cost)
    assert not m.stale and m.problems == []


def test_before_solve_one_line_says_what_solve_will_show(sample_world):
    """Before the first Solve the page names the orders and vehicles Solve will plan and hides the
    empty timeline, tables and dispatch headings; after it the line goes and the results show."""
    view = route_planning_app(sample_world)
    view.time_limit.value = 1
    m = view.model
    n_orders = int((sample_world.orders.depot_id == m.depot_id).sum())
    n_veh = sum(int(r["count"]) for r in m.fleet)
    assert (n_orders, n_veh) == (120, 16)
    assert f"plan routes for <b>{n_orders} orders</b> with <b>{n_veh} vehicles</b>" in view.before_solve.value
    assert view.results_box.layout.display == "none" and "The day&#x27;s orders" in view.map_heading.value
    m.fleet = [dict(r, count=0) if i == 0 else r for i, r in enumerate(m.fleet)]
    assert f"with <b>{n_veh - 6} vehicles</b>" in view.before_solve.value
    m.fleet = [dict(r, count=6) if i == 0 else r for i, r in enumerate(m.fleet)]
    view.solve_button.click()
    m.join(60)
    assert m.result is not None
    assert view.before_solve.value == "" and view.before_solve.layout.display == "none"
    assert view.results_box.layout.display is None and ">Routes<" in view.map_heading.value
