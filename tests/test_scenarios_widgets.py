"""Scenario screens without a browser: the save/open bar on any app model, the comparison app and the
read-only viewer, driven through their widgets (values, clicks) and checked on models, tables and figures."""

from __future__ import annotations

import base64
import dataclasses
import io
import re

import ipywidgets as W
import numpy as np
import openpyxl
import pandas as pd
import pytest

from workbench.scenarios import charts_for
import traitlets as T

from widgets.core import AppModel, MapView
from widgets.report import map_layers, report_html
from widgets.scenarios import CompareView, ScenarioBar, ViewerView, CompareModel, ViewerModel
from workbench.scenarios import Scenario, ScenarioStore

from .test_scenarios_sweep import ToySpec, toy_network


# ---------------------------------------------------------------------------------------
# a small app built on the app pattern: DC count and demand growth -> the toy network
# ---------------------------------------------------------------------------------------


class ToyModel(AppModel):
    """Runs the toy network whenever a choice changes (like the planning apps)."""

    app_name = "network_design"
    title = "Toy network"
    input_traits = ("dc_count", "demand_growth")
    dc_count = T.Int(2)
    demand_growth = T.Float(0.0)
    runs = T.Int(0)

    @T.observe("dc_count", "demand_growth")
    def _changed(self, change):
        self.recompute()

    def refresh(self):
        self.recompute()

    def recompute(self):
        self.runs += 1
        self.result = self.run(toy_network, ToySpec(dc_count=self.dc_count, demand_growth=self.demand_growth))

    def kpis(self):
        return self.result.kpis() if self.result is not None else {}


@pytest.fixture()
def store(tmp_path):
    """A fresh SQLite store."""
    s = ScenarioStore(folder=tmp_path)
    yield s
    s.close()


@pytest.fixture()
def model(sample_world):
    """A toy app model on the sample world, not yet run."""
    return ToyModel(sample_world)


def walk(widget):
    """Every widget in a tree."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)
    if isinstance(widget, MapView):
        return


# ---------------------------------------------------------------------------------------
# the bar
# ---------------------------------------------------------------------------------------


def test_bar_saves_the_models_inputs_result_and_kpis(model, store, sample_world):
    """'Save as scenario' is disabled until there is a result; then name + note + click saves everything."""
    bar = ScenarioBar(model, store)
    assert bar.save_button.disabled and bar.choice.options == ()
    model.dc_count = 3
    assert not bar.save_button.disabled
    bar.name.value = "Three DCs"
    bar.note.value = "for the board"
    bar.save_button.click()
    assert "Saved 'Three DCs'" in bar.message.value
    listed = store.list("network_design")
    assert list(listed["name"]) == ["Three DCs"]
    sc = store.load(int(listed["id"][0]))
    assert sc.inputs["dc_count"] == 3 and sc.inputs["demand_growth"] == 0.0
    assert sc.world_version == sample_world.version and sc.note == "for the board"
    assert sc.kpis == pytest.approx(toy_network(ToySpec(dc_count=3)).kpis())
    assert bar.choice.value == sc.id and bar.choice.label.startswith("Three DCs · total cost $")


def test_bar_reports_a_taken_name_and_replaces_on_request(model, store):
    """A taken name is refused with a message; ticking 'replace' overwrites that scenario."""
    bar = ScenarioBar(model, store)
    model.dc_count = 3
    first = bar.save("Plan A")
    model.dc_count = 4
    assert bar.save("Plan A") is None
    assert "already has a scenario named 'Plan A'" in bar.message.value and "wb-alert" in bar.message.value
    bar.overwrite.value = True
    assert bar.save("Plan A") == first
    assert store.load(first).inputs["dc_count"] == 4


def test_bar_opens_a_scenario_with_its_saved_result(model, store):
    """Open (saved result) restores the inputs and shows the stored result without running the model."""
    bar = ScenarioBar(model, store)
    model.dc_count = 3
    sid = bar.save("Three")
    model.dc_count = 1
    runs = model.runs
    bar.choice.value = sid
    bar.mode.value = "restore"
    bar.open_button.click()
    assert model.dc_count == 3
    assert model.result.kpis() == pytest.approx(toy_network(ToySpec(dc_count=3)).kpis())
    assert type(model.result).__name__ == "ToyResult"
    assert "Showing 'Three' as saved" in bar.message.value
    assert model.runs == runs + 1  # only the observer on dc_count ran; the saved result replaced its output


def test_bar_reruns_and_flags_other_data(model, store):
    """Open (re-run) runs the model again with the saved inputs; a scenario saved on other data is flagged."""
    bar = ScenarioBar(model, store)
    sid = store.save(Scenario(name="Old data", app="network_design", inputs={"dc_count": 4, "demand_growth": 0.1},
                              kpis={"total_cost": 1.0}, world_version="0123456789abcdef"))
    bar.refresh()
    bar.open_scenario(sid, mode="rerun")
    assert model.dc_count == 4 and model.demand_growth == 0.1
    assert model.result.kpis() == pytest.approx(toy_network(ToySpec(dc_count=4, demand_growth=0.1)).kpis())
    assert "saved on other data (version 0123456789" in bar.message.value


def test_bar_on_the_route_planning_app(sample_world, store):
    """The bar works on a real planning model: save a plan, change the fleet, open the plan back."""
    from widgets.route_planning import RoutePlanningModel

    model = RoutePlanningModel(sample_world)
    model.time_limit_s = 1.0
    bar = ScenarioBar(model, store)
    model.solve()
    sid = bar.save("Monday plan")
    saved_cost = model.result.total_cost
    vehicle = model.fleet[0]["vehicle_type"]
    model.set_vehicle(vehicle, count=int(model.fleet[0]["count"]) + 3)
    model.widen_windows_min = 30.0
    bar.open_scenario(sid, mode="restore")
    assert model.widen_windows_min == 0.0
    assert model.fleet[0]["count"] == store.load(sid).inputs["fleet"][0]["count"]
    assert model.result.total_cost == pytest.approx(saved_cost) and model.stale is False


# ---------------------------------------------------------------------------------------
# the comparison app
# ---------------------------------------------------------------------------------------


def toy_scenarios(store, counts=(2, 3, 4)) -> list[int]:
    """Saved toy network scenarios with a located sites table (so they have maps)."""
    from .test_scenarios_sweep import SITES

    ids = []
    for k in counts:
        r = toy_network(ToySpec(dc_count=k))
        sites = SITES.assign(open=SITES.index < k)
        ids.append(store.save(Scenario(name=f"{k} DCs", app="network_design", inputs={"dc_count": k},
                                       kpis=r.kpis(), tables={"sites": sites, "assignment": r.assignment})))
    return ids


def test_compare_app_defaults_table_charts_and_maps(store, sample_world):
    """The oldest scenario is the baseline; the KPI table shows changes; charts and maps follow the selection."""
    ids = toy_scenarios(store)
    view = CompareView(CompareModel(store, sample_world, seed=False))
    m = view.model
    assert m.app == "network_design" and m.baseline_id == ids[0] and m.scenario_ids == ids[1:]
    assert view.baseline.value == ids[0] and set(view.others.value) == set(ids[1:])
    cost2, cost3 = (toy_network(ToySpec(dc_count=k)).kpis()["total_cost"] for k in (2, 3))
    assert m.result.value("3 DCs", "total_cost", "delta") == pytest.approx(cost3 - cost2)
    row = re.search(r'<tr data-kpi="total_cost">(.*?)</tr>', view.table.value).group(1)
    assert f"{100 * (cost3 - cost2) / cost2:+.1f}%" in row
    titles = [f.layout.title.text for f in view.figures]
    assert titles == ["Cost breakdown", "Money", "Counts", "Change against '2 DCs' (%)"]
    stacked = view.figures[0]
    assert stacked.layout.barmode == "stack" and [t.name for t in stacked.data] == ["Transport cost", "Facility cost"]
    assert list(stacked.data[1].y) == [toy_network(ToySpec(dc_count=k)).facility_cost for k in (2, 3, 4)]
    assert [t.name for t in view.figures[1].data] == ["2 DCs", "3 DCs", "4 DCs"]
    assert view.figures[1].data[1].y[0] == pytest.approx(cost3)
    assert len(view.map_views) == 3
    assert view.map_views[0].visible_layers() == ["sites (not used)", "sites"]
    view.others.value = (ids[2],)
    assert m.scenario_ids == [ids[2]] and m.result.labels == ("2 DCs", "4 DCs") and len(view.map_views) == 2
    view.baseline.value = ids[2]
    assert m.baseline_id == ids[2] and m.result.baseline.name == "4 DCs"


def test_compare_exports_excel_and_html_downloads(store, sample_world):
    """The export buttons put download links in the page; the files hold the comparison."""
    toy_scenarios(store)
    view = CompareView(CompareModel(store, sample_world, seed=False))
    view.excel_button.click()
    href = re.search(r'href="data:([^;]+);base64,([^"]+)"', view.downloads.value)
    assert href.group(1).endswith("spreadsheetml.sheet") and 'download="scenario_comparison.xlsx"' in view.downloads.value
    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(href.group(2))))
    assert wb.sheetnames[:2] == ["Comparison", "Scenarios"] and "S3 sites" in wb.sheetnames
    assert wb["Comparison"]["C3"].value == "2 DCs (baseline)"
    view.html_button.click()
    href = re.search(r'href="data:text/html;base64,([^"]+)"', view.downloads.value)
    page = base64.b64decode(href.group(1)).decode("utf-8")
    assert page.count('class="plotly-graph-div"') == len(view.figures)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="wb-svg-map"') == 3
    assert external_references(page) == []


def external_references(page: str) -> list[str]:
    """src/href attributes of the page's tags that point outside the file (scripts' text is not markup)."""
    from html.parser import HTMLParser

    found = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for k, v in attrs:
                if k in ("src", "href") and v and not v.startswith(("data:", "#")):
                    found.append(f"<{tag} {k}={v}>")

    Refs().feed(page)
    return found


def test_compare_app_with_an_empty_store_says_what_to_do(store, sample_world):
    """Without scenarios the app explains how to make some instead of showing an empty table."""
    view = CompareView(CompareModel(store, sample_world, seed=False))
    assert view.model.result is None and "No scenarios are saved yet" in view.model.notes[0]
    toy_scenarios(store, (2, 3))
    view.refresh_button.click()
    assert view.model.result is not None and view.model.result.labels == ("2 DCs", "3 DCs")


# ---------------------------------------------------------------------------------------
# the viewer
# ---------------------------------------------------------------------------------------


def test_viewer_lists_headline_kpis_and_opens_read_only(store, sample_world):
    """Managers see every scenario with headline KPIs, open one, and find no control that changes it."""
    ids = toy_scenarios(store)
    before = store.list()
    view = ViewerView(ViewerModel(store, sample_world, seed=False))
    summary = view.model.summary()
    assert list(summary["Scenario"]) == ["4 DCs", "3 DCs", "2 DCs"]
    assert summary["Headline KPIs"][0].startswith("Total cost: $")
    assert "4 DCs" in view.listing.value
    view.pick.value = ids[0]
    sc = view.model.result
    assert sc.name == "2 DCs" and "2 DCs" in view.header.value
    assert view.cards.values["Total cost"] == pytest.approx(sc.kpis["total_cost"])
    assert len(view.figures) == 1  # one grouped chart, a panel per chart of the app
    assert len(view.figures[0].data) == len(charts_for(sc.app, sc.kpis)) >= 1
    assert view.map.visible_layers() == ["sites (not used)", "sites"]
    assert set(view.table_pick.options) == {("Sites (4 rows)", "sites"), ("Assignment (5 rows)", "assignment")}
    view.table_pick.value = "assignment"
    assert "<th>Customer ID</th>" in view.table_view.value and "customer_id" not in view.table_view.value
    editors = [w for w in walk(view) if isinstance(w, (W.Text, W.Textarea, W.ToggleButtons))]
    assert editors == []
    buttons = sorted(w.description for w in walk(view) if isinstance(w, W.Button))
    assert buttons == ["HTML report of this scenario", "Refresh list"]
    view.report_button.click()
    assert 'download="scenario_report.html"' in view.downloads.value
    pd.testing.assert_frame_equal(store.list(), before)


def test_report_maps_draw_routes_and_open_sites():
    """Map layers come from the result tables: routes become paths, open and unused sites are told apart."""
    routes = pd.DataFrame({"route": [1, 1, 1, 2, 2], "seq": [0, 1, 2, 0, 1], "kind": ["depart", "stop", "return", "depart", "stop"],
                           "lat": [41.8, 42.0, 41.8, 41.8, 41.5], "lon": [-87.6, -87.9, -87.6, -87.6, -87.2]})
    sc = Scenario(name="Day", app="route_planning", kpis={"total_cost": 10.0}, tables={"routes": routes})
    layers = map_layers(sc)
    assert [(l.name, l.kind) for l in layers] == [("routes", "paths"), ("routes stops", "points")]
    assert len(layers[0].data["paths"]) == 2 and len(layers[1].data["lat"]) == 2
    page = report_html([sc])
    assert page.count('class="wb-map-path"') == 2 and page.count('class="wb-map-point"') == 2


def test_sample_scenarios_seed_an_empty_store_through_the_apps_models(store, sample_world):
    """An empty store gets sample scenarios made by the apps' own models; each reopens in its app; no duplicates."""
    from widgets.demand_forecasting import DemandForecastingModel
    from widgets.scenarios import seed_sample_scenarios

    ids = seed_sample_scenarios(store, sample_world, apps=["channel_strategy", "demand_forecasting"])
    listed = store.list()
    assert len(ids) == 5 and sorted(listed["app"].unique()) == ["channel_strategy", "demand_forecasting"]
    exclusive = listed.set_index("name").loc["Sample: exclusive premium 25%"]
    default = listed.set_index("name").loc["Sample: default assumptions"]
    assert exclusive["exclusive_consumer_price"] > default["exclusive_consumer_price"]
    high = listed.set_index("name").loc["Sample: 99% service level"]
    low = listed.set_index("name").loc["Sample: 95% service level"]
    assert high["safety_stock_units"] > low["safety_stock_units"] and high["forecast_units"] == low["forecast_units"]
    model = DemandForecastingModel(sample_world)
    bar = ScenarioBar(model, store)
    bar.open_scenario(int(high["id"]), mode="restore")
    assert model.service_level == 0.99 and model.kpis()["safety_stock_units"] == pytest.approx(high["safety_stock_units"])
    assert seed_sample_scenarios(store, sample_world, apps=["channel_strategy"]) == []
    CompareModel(store, sample_world)  # a store with scenarios is not seeded again
    assert store.count() == 5


def test_bar_without_a_usable_store_keeps_the_app_working(model, tmp_path, monkeypatch):
    """When the scenario folder cannot be created the app still opens; the bar says why and stays disabled."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WORKBENCH_SCENARIOS", str(blocker / "scenarios"))
    bar = ScenarioBar(model)
    assert bar.store is None and "Scenarios are unavailable" in bar.message.value
    assert "set WORKBENCH_SCENARIOS to a writable folder" in bar.message.value
    model.dc_count = 3
    assert bar.save_button.disabled and bar.open_button.disabled
    assert bar.save("x") is None and bar.open_scenario(1) is None


def test_compare_and_viewer_open_with_a_message_when_the_store_is_unusable(tmp_path, monkeypatch, sample_world):
    """An unusable scenario location is a readable problem on both screens, not a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WORKBENCH_SCENARIOS", str(blocker / "scenarios"))
    for view in (CompareView(CompareModel(world=sample_world)), ViewerView(ViewerModel(world=sample_world))):
        assert view.model.store is None and view.model.result is None
        assert "Scenarios are unavailable" in view.model.problems[0]
        view.refresh_button.click()


def test_bar_shows_an_unsavable_name_as_a_message(model, store):
    """A name with a lone surrogate (a broken paste) is refused in the save bar's message, never a traceback."""
    bar = ScenarioBar(model, store)
    model.dc_count = 3
    bar.name.value = "Three \ud800 DCs"
    assert bar.save() is None
    assert "cannot be saved" in bar.message.value and "wb-alert" in bar.message.value
    bar.name.value = "  Three   DCs "
    sid = bar.save()
    assert sid is not None and store.resolve("Three DCs") == sid


def test_compare_puts_solver_numbers_in_a_fold_below_the_business_table(store, sample_world):
    """Solve time and optimality gap are not business rows: the key-figures table leaves them out and
    the "Solver details" fold below it lists them against the baseline."""
    from .test_scenarios_sweep import SITES

    ids = []
    for k, secs, gap in ((2, 1.5, 0.0), (3, 0.5, 0.002)):
        r = toy_network(ToySpec(dc_count=k))
        ids.append(store.save(Scenario(name=f"{k} DCs", app="network_design", inputs={"dc_count": k},
                                       kpis={**r.kpis(), "seconds": secs, "gap": gap},
                                       tables={"sites": SITES.assign(open=SITES.index < k)})))
    view = CompareView(CompareModel(store, sample_world, seed=False))
    assert view.model.baseline_id == ids[0]
    assert 'data-kpi="total_cost"' in view.table.value
    assert 'data-kpi="seconds"' not in view.table.value and 'data-kpi="gap"' not in view.table.value
    fold = view.solver.value
    assert fold.startswith('<details class="solver') and "<summary>Solver details" in fold
    row = re.search(r'<tr data-kpi="seconds">(.*?)</tr>', fold).group(1)
    assert "Solve time" in row and ">1.5 s<" in row and ">0.5 s<" in row and "−1.0 s" in row
    assert re.search(r'<tr data-kpi="gap">.*?>0.20%<', fold)
    assert fold.index("Solve time") > 0 and view.table.value.count("<tr data-kpi=") == len(view.model.result.business_kpis)


def test_solver_facts_name_each_plans_solver_and_status():
    """A result's solver method and status are shown per scenario in the fold; a forecast's method
    (a business choice) is not a solver fact; an app without solver numbers has no fold."""
    from types import SimpleNamespace

    from widgets.report import solver_details_html, solver_facts
    from workbench.scenarios import compare

    a = Scenario(name="A", app="network_design", kpis={"total_cost": 10.0, "seconds": 1.0},
                 result=SimpleNamespace(method="lagrangian+mip", status="optimal"))
    b = Scenario(name="B", app="network_design", kpis={"total_cost": 12.0, "seconds": 2.0},
                 result=SimpleNamespace(method="lagrangian", status="feasible"))
    cmp = compare([a, b])
    assert solver_facts(cmp) == [("Solver method", ["lagrangian+mip", "lagrangian"]),
                                 ("Solver status", ["optimal", "feasible"])]
    html_text = solver_details_html(cmp)
    assert "<td>lagrangian+mip</td>" in html_text and 'data-kpi="seconds"' in html_text
    f1 = Scenario(name="F1", app="demand_forecasting", kpis={"forecast_units": 5.0}, result=SimpleNamespace(method="auto"))
    f2 = Scenario(name="F2", app="demand_forecasting", kpis={"forecast_units": 6.0}, result=SimpleNamespace(method="ets"))
    assert solver_facts(compare([f1, f2])) == [] and solver_details_html(compare([f1, f2])) == ""


def test_viewer_inputs_read_in_words_without_code_names():
    """The viewer's inputs table has a label and a value in words per input: registered units and
    special values, a fleet one vehicle type after another, no column of code names, and no unit
    guessed for an unregistered input."""
    from widgets.viewer import inputs_frame

    fleet = [{"vehicle_type": "Cargo van", "count": 6, "capacity": 400.0, "shift_start": "07:00"},
             {"vehicle_type": "Box truck", "count": 8, "capacity": 1000.0, "shift_start": "06:00"}]
    sc = Scenario(name="R", app="route_planning", inputs={"depot_id": "DC-CHI", "fleet": fleet, "time_limit_s": 3.0,
                                                          "widen_windows_min": 60.0, "allow_unserved": True})
    t = inputs_frame(sc)
    assert list(t.columns) == ["Input", "Value"]
    assert dict(zip(t["Input"], t["Value"])) == {
        "Depot": "DC-CHI",
        "Fleet": "Cargo van: count 6, capacity 400, shift start 07:00; Box truck: count 8, capacity 1,000, shift start 06:00",
        "Search time limit": "3 s", "Delivery windows widened by": "60 min", "Plan what fits (list the rest)": "yes"}
    nd = inputs_frame(Scenario(name="N", app="network_design", inputs={"dc_count": 0, "service_share": 0.9}))
    assert nd["Value"].tolist() == ["cheapest number", "90.0%"]
    ch = inputs_frame(Scenario(name="C", app="channel_strategy", inputs={"price_elasticity": 1.5, "territories": 10}))
    assert ch["Value"].tolist() == ["1.50", "10"]
