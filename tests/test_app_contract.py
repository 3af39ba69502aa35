"""The app contract and the registry of apps: every app is registered on both sides and
implements refresh(); failures in background work reach the screen; saved scenarios reopen
without the view layer; sample scenarios never land in a user's own store."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from widgets import registry
from widgets.model import AppModel
from workbench.scenarios import Scenario, ScenarioError, ScenarioStore
from workbench.scenarios.apps import APPS

ROOT = Path(__file__).resolve().parent.parent


def test_both_halves_of_the_registry_name_the_same_apps():
    """Every app of the domain registry has a view entry and every view entry a domain app."""
    assert set(APPS) == set(registry.VIEWS)
    assert [a.name for a in registry.apps()] == list(APPS)


def test_every_notebook_is_a_registered_app():
    """Each app notebook is in the registry, and each registered notebook exists."""
    notebooks = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks == {a.view.notebook for a in registry.apps()}


@pytest.mark.parametrize("name", list(registry.VIEWS))
def test_every_app_module_builds_its_app_and_implements_the_contract(name):
    """The module has the builder the registry names and a model that implements refresh()."""
    import importlib

    entry = registry.app(name)
    module = importlib.import_module(entry.view.module)
    assert callable(getattr(module, entry.view.factory))
    cls = registry.model_class(name)
    assert issubclass(cls, AppModel) and cls.app_name == name
    assert cls.refresh is not AppModel.refresh, f"{cls.__name__} does not implement refresh()"


def test_links_come_from_the_registry():
    """The links between apps list every registered app by its title, the current one in bold."""
    from widgets.layout import app_links

    html = app_links("route_planning").value
    for a in registry.apps():
        assert a.title.replace("&", "&amp;") in html
    assert "<b>Route planning</b>" in html


class _Slow(AppModel):
    app_name = "slow_test"

    def refresh(self):
        pass


def test_background_runner_runs_one_job_at_a_time_and_reports_any_error():
    """A second job while one runs is refused; an exception of any type becomes a readable problem."""
    m = _Slow()
    assert m.run_in_background(time.sleep, 0.3, label="Sleeping") is True
    assert m.run_in_background(time.sleep, 0.3, label="Sleeping") is False
    m.join(5)
    assert not m.running

    def boom():
        raise KeyError("no such column")

    m.run_in_background(boom, label="Exploding")
    m.join(5)
    assert m.problems and "KeyError" in m.problems[0] and "no such column" in m.problems[0]
    failed = []
    m.run_in_background(boom, label="Side job", failed=failed.extend, background=False)
    assert failed and "KeyError" in failed[0]


def test_a_trade_off_curve_that_fails_shows_a_problem(sample_world, monkeypatch):
    """Any error in the network trade-off thread reaches the screen instead of killing the thread."""
    import widgets.network_design as nd

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero in the sweep")

    monkeypatch.setattr(nd, "sweep_dc_count", broken)
    m = nd.NetworkDesignModel(sample_world, sourcing="multi", dc_count=6, time_limit_s=2.0)
    assert m.result is not None and m.problems == []
    m.compute_tradeoff(background=True)
    m.join(30)
    assert not m.running
    assert any("trade-off curve could not be computed" in p and "ZeroDivisionError" in p for p in m.problems)
    assert m.result is not None  # the design stays


def test_a_saved_world_that_fails_validation_is_shown_not_swapped_silently(fresh_home, sample_world):
    """A saved World that no longer loads opens the sample with a banner naming the problem."""
    from widgets.home import HomeView, HomeModel
    from widgets.world_store import current_world, set_current_world

    folder = set_current_world(sample_world)
    (folder / "customers.csv").write_text("customer_id,lat\nC1,not a number\n")
    world = current_world()
    assert world.source == "sample"
    view = HomeView(HomeModel(world, persist=False))
    banners = [w for w in _walk(view) if "wb-world-problem" in getattr(w, "_dom_classes", ())]
    assert banners and "no longer passes the checks" in banners[0].value and "customers" in banners[0].value


def _walk(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from _walk(c)


def test_compare_never_seeds_samples_into_a_store_of_the_users_data(tmp_path, sample_world):
    """On an empty store Compare adds sample scenarios only while the sample company is open."""
    import dataclasses

    from widgets.compare import CompareModel
    from widgets.samples import is_sample

    own = dataclasses.replace(sample_world, customers=sample_world.customers.iloc[:-1].reset_index(drop=True),
                              version="")
    assert is_sample(sample_world) and not is_sample(own)
    store = ScenarioStore(folder=tmp_path)
    m = CompareModel(store, own)
    assert store.count() == 0
    assert any("No scenarios are saved yet" in n for n in m.notes)
    store.close()


# ---------------------------------------------------------------------------------------
# reopening saved scenarios without the view layer
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_store(tmp_path_factory):
    """A store with one scenario of every planning app, saved from domain results, plus one demand
    scenario stored the way older versions wrote it (its result class under widgets.demand_forecasting)."""
    import workbench
    from workbench.channels import ChannelParams, evaluate_strategies
    from workbench.forecast.planning import DemandPlanner, PlanningSpec
    from workbench.network import FacilityProblem
    from workbench.routing import RoutingProblem

    world = workbench.load_sample()
    folder = tmp_path_factory.mktemp("store")
    store = ScenarioStore(folder=folder)
    results = {
        "network_design": FacilityProblem.from_world(world).with_spec(sourcing="multi", dc_count=7,
                                                                     time_limit_s=2.0).solve(),
        "channel_strategy": evaluate_strategies(world, ChannelParams()),
        "demand_forecasting": DemandPlanner.from_world(world).analyse(
            "SNK|West", PlanningSpec(horizon=8, method="seasonal_naive", backtest_windows=1)),
        "route_planning": RoutingProblem.from_world(world).solve(time_limit_s=1.0, max_iterations=200),
    }
    ids = {app: store.save(Scenario.from_result(f"{app} 1", app, result=r)) for app, r in results.items()}
    ids["old demand"] = store.save(Scenario.from_result("demand, older version", "demand_forecasting",
                                                        result=results["demand_forecasting"]))
    store.close()
    db = folder / "scenarios.sqlite"
    with sqlite3.connect(db) as con:
        text = con.execute("select result from scenarios where id = ?", (ids["old demand"],)).fetchone()[0]
        assert "workbench.forecast.planning:SeriesAnalysis" in text
        con.execute("update scenarios set result = ? where id = ?",
                    (text.replace("workbench.forecast.planning:", "widgets.demand_forecasting:"), ids["old demand"]))
    return folder, ids


def test_every_app_scenario_reopens_in_a_fresh_process_without_the_view_layer(saved_store):
    """In a new Python process, loading one scenario per app (and one saved by an older version)
    gives the typed results and imports none of widgets, ipywidgets, plotly or ipyleaflet."""
    folder, ids = saved_store
    code = textwrap.dedent(f"""
        import json, sys
        from workbench.scenarios import ScenarioStore
        store = ScenarioStore(folder={str(folder)!r})
        out = {{}}
        for key, sid in {json.dumps(ids)}.items():
            sc = store.load(sid)
            out[key] = [type(sc.result).__module__ + ":" + type(sc.result).__qualname__, sorted(sc.kpis)[:3]]
        ui = sorted(m for m in sys.modules if m.split(".")[0] in ("widgets", "ipywidgets", "plotly", "ipyleaflet"))
        print(json.dumps({{"results": out, "ui": ui}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ui"] == []
    types = {k: v[0] for k, v in report["results"].items()}
    assert types["network_design"] == "workbench.network.model:NetworkResult" or \
        types["network_design"].startswith("workbench.network")
    assert types["channel_strategy"].startswith("workbench.channels")
    assert types["route_planning"].startswith("workbench.routing")
    assert types["demand_forecasting"] == "workbench.forecast.planning:SeriesAnalysis"
    assert types["old demand"] == "workbench.forecast.planning:SeriesAnalysis"


def test_a_moved_class_without_an_alias_is_a_clear_error(saved_store):
    """A result whose workbench class cannot be found raises ScenarioError naming it."""
    folder, ids = saved_store
    db = folder / "scenarios.sqlite"
    with sqlite3.connect(db) as con:
        text = con.execute("select result from scenarios where id = ?", (ids["network_design"],)).fetchone()[0]
        cls = json.loads(text)["cls"]
        con.execute("update scenarios set result = ? where id = ?",
                    (text.replace(cls, cls.rsplit(":", 1)[0] + ":RenamedResult"), ids["network_design"]))
    store = ScenarioStore(folder=folder)
    try:
        with pytest.raises(ScenarioError, match="RenamedResult.*moved or renamed"):
            store.load(ids["network_design"])
    finally:
        store.close()


def test_figure_builders_import_without_ipywidgets():
    """The figure builders and the report import plotly but not ipywidgets (a script can draw the charts)."""
    code = ("import sys\nimport widgets.figures.network, widgets.figures.channels, widgets.figures.forecast, "
            "widgets.figures.routing, widgets.report, widgets.registry\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'ipyleaflet')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
