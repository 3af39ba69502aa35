"""Sweeps: a grid of what-ifs in local processes and on a real local Dask cluster, each point stored as a scenario."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import SpecificationError
from workbench.geo import haversine_km
from workbench.scenarios import ScenarioError, ScenarioStore, grid_points, run_sweep
from workbench.scenarios.sweep import point_label

# ---------------------------------------------------------------------------------------
# a small network model: customers served by the nearest of the first k candidate DCs
# ---------------------------------------------------------------------------------------

CUSTOMERS = pd.DataFrame({
    "customer_id": ["C1", "C2", "C3", "C4", "C5"],
    "lat": [40.7, 41.9, 34.1, 29.8, 47.6],
    "lon": [-74.0, -87.6, -118.2, -95.4, -122.3],
    "demand": [100.0, 80.0, 120.0, 60.0, 40.0],
})
SITES = pd.DataFrame({
    "site_id": ["D1", "D2", "D3", "D4"],
    "lat": [39.1, 33.7, 36.2, 44.9],
    "lon": [-84.5, -84.4, -115.1, -93.3],
    "fixed_cost": [1000.0, 900.0, 1100.0, 800.0],
})


@dataclasses.dataclass(frozen=True)
class ToySpec:
    dc_count: int = 2
    demand_growth: float = 0.0
    rate: float = 0.01  # USD per unit-km
    label: str = "toy"


@dataclasses.dataclass(frozen=True)
class ToyResult:
    assignment: pd.DataFrame
    transport_cost: float
    facility_cost: float

    def kpis(self) -> dict[str, float]:
        return {"total_cost": self.transport_cost + self.facility_cost, "transport_cost": self.transport_cost,
                "facility_cost": self.facility_cost, "open_dcs": float(self.assignment["site_id"].nunique())}


def toy_network(spec: ToySpec) -> ToyResult:
    """Open the first ``dc_count`` sites; each customer goes to its nearest open site."""
    if spec.dc_count < 1 or spec.dc_count > len(SITES):
        raise SpecificationError(f"dc_count must be between 1 and {len(SITES)}, got {spec.dc_count}")
    open_sites = SITES.iloc[: spec.dc_count]
    d = haversine_km(CUSTOMERS["lat"].to_numpy()[:, None], CUSTOMERS["lon"].to_numpy()[:, None],
                     open_sites["lat"].to_numpy()[None, :], open_sites["lon"].to_numpy()[None, :])
    best = d.argmin(axis=1)
    demand = CUSTOMERS["demand"].to_numpy() * (1.0 + spec.demand_growth)
    km = d[np.arange(len(CUSTOMERS)), best]
    assignment = pd.DataFrame({"customer_id": CUSTOMERS["customer_id"], "site_id": open_sites["site_id"].to_numpy()[best],
                               "distance_km": km, "demand": demand})
    return ToyResult(assignment, float((demand * km * spec.rate).sum()), float(open_sites["fixed_cost"].sum()))


GRID = {"dc_count": [1, 2, 3], "demand_growth": [-0.1, 0.1]}


@pytest.fixture()
def store(tmp_path):
    """A fresh SQLite store."""
    s = ScenarioStore(folder=tmp_path)
    yield s
    s.close()


def expected(point) -> dict[str, float]:
    return toy_network(dataclasses.replace(ToySpec(), **point)).kpis()


# ---------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------


def test_grid_points_and_labels():
    """The grid expands to every combination, first key slowest; labels read like the inputs."""
    pts = grid_points({"a": [1, 2], "b": (0.5, 1.0, 1.5)})
    assert len(pts) == 6 and pts[0] == {"a": 1, "b": 0.5} and pts[3] == {"a": 2, "b": 0.5}
    assert point_label({"dc_count": 3, "demand_growth": np.float64(0.1)}) == "dc_count=3, demand_growth=0.1"
    with pytest.raises(ScenarioError, match="has no values"):
        grid_points({"a": []})


def test_sweep_in_local_processes_stores_every_point(store):
    """A 3 x 2 grid runs in worker processes; each point is saved as a scenario with its KPIs and inputs."""
    seen = []
    sweep = run_sweep(toy_network, GRID, base=ToySpec(), store=store, app="network_design", name="DC sweep",
                      progress=lambda done, total: seen.append((done, total)), max_workers=2)
    assert sweep.executor == "processes" and sweep.workers == 2
    assert seen == [(i, 6) for i in range(1, 7)]
    assert not sweep.failures and len(sweep.scenario_ids) == 6
    assert list(sweep.table.columns[:2]) == ["dc_count", "demand_growth"]
    for p in sweep.points:
        assert p.kpis == pytest.approx(expected(p.point))
        assert type(p.result) is ToyResult
    listed = store.list("network_design")
    assert len(listed) == 6
    sc = store.load("DC sweep · dc_count=2, demand_growth=0.1", app="network_design")
    assert sc.kpis["total_cost"] == pytest.approx(expected({"dc_count": 2, "demand_growth": 0.1})["total_cost"])
    assert sc.inputs["sweep_point"] == {"dc_count": 2, "demand_growth": 0.1}
    assert sc.inputs["rate"] == 0.01 and sc.inputs["sweep"] == "DC sweep"
    assert type(sc.result) is ToyResult and list(sc.result.assignment["customer_id"]) == list(CUSTOMERS["customer_id"])
    best = sweep.best("total_cost")
    assert best.kpis["total_cost"] == min(expected(p)["total_cost"] for p in grid_points(GRID))
    # re-running the sweep replaces its scenarios rather than piling up copies
    rerun = run_sweep(toy_network, {"dc_count": [2], "demand_growth": [0.1]}, base=ToySpec(rate=0.02), store=store,
                      app="network_design", name="DC sweep", executor="serial")
    assert rerun.scenario_ids == [sc.id] and len(store.list("network_design")) == 6
    assert store.load(sc.id).inputs["rate"] == 0.02


def test_failed_points_are_listed_and_the_rest_still_run(store):
    """An infeasible point becomes a failure with its message; the other points are saved."""
    sweep = run_sweep(toy_network, {"dc_count": [0, 2, 9]}, base=ToySpec(), store=store, app="network_design",
                      name="edge", executor="serial")
    assert [p.point["dc_count"] for p in sweep.failures] == [0, 9]
    assert "dc_count must be between 1 and 4, got 0" in sweep.failures[0].error
    assert list(sweep.table["status"]) == ["failed", "ok", "failed"]
    assert store.count() == 1 and math.isnan(sweep.table.loc[0, "total_cost"])


def test_unknown_parameter_is_refused_before_running():
    """Sweeping a field the spec does not have fails at once and lists the fields it has."""
    with pytest.raises(ScenarioError, match="ToySpec has no field 'dc_cuont' to sweep over; its fields are dc_count"):
        run_sweep(toy_network, {"dc_cuont": [1, 2]}, base=ToySpec())


def test_notebook_style_function_and_dict_base_run_in_processes():
    """A lambda (as defined in a notebook) is sent to worker processes; a dict base is merged with each point."""
    offset = 10
    sweep = run_sweep(lambda spec: {"y": spec["a"] * spec["b"] + offset}, {"a": [1, 2], "b": [3]}, base={"b": 0},
                      max_workers=2)
    assert list(sweep.table["y"]) == [13.0, 16.0]


def test_sweep_on_a_local_dask_cluster(store, monkeypatch):
    """The same sweep runs on a real Dask cluster (scheduler + 2 worker processes), by address or environment."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        sweep = run_sweep(toy_network, GRID, base=ToySpec(), store=store, app="network_design", name="on dask",
                          scheduler_address=cluster.scheduler_address)
        assert sweep.executor == "dask" and sweep.workers == 2
        assert not sweep.failures and len(store.list("network_design")) == 6
        for p in sweep.points:
            assert p.kpis == pytest.approx(expected(p.point))
        monkeypatch.setenv("WORKBENCH_DASK_SCHEDULER", cluster.scheduler_address)
        again = run_sweep(toy_network, {"dc_count": [0, 4]}, base=ToySpec())
        assert again.executor == "dask"
        assert again.points[0].error.startswith("dc_count must be between")
        assert again.points[1].kpis == pytest.approx(expected({"dc_count": 4}))


def test_unreachable_scheduler_is_a_readable_error():
    """A wrong scheduler address says so and suggests running locally."""
    with pytest.raises(ScenarioError, match="could not reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_sweep(toy_network, {"dc_count": [1]}, base=ToySpec(), scheduler_address="tcp://127.0.0.1:9",
                  connect_timeout=2)
