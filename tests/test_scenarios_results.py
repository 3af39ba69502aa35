"""Every planning app's real result type survives the store: saved, reopened as the same class, with
the same tables (dtypes included) and KPIs. Small sample runs keep this quick."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from workbench.scenarios import Scenario, ScenarioStore, codec


def same(a, b, path="result"):
    """Deep equality for results: DataFrames by ``assert_frame_equal``, floats NaN-aware, dataclasses by field."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=path)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=path)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), f"{path}: {type(a)} != {type(b)}"
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), path
    else:
        assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def network_result(world):
    from workbench.network import FacilityProblem, NetworkSpec

    return FacilityProblem.from_world(world, NetworkSpec(dc_count=8, time_limit_s=10.0)).solve()


def routing_result(world):
    from workbench.routing import RoutingProblem, SolveOptions

    return RoutingProblem.from_world(world, depot_id=world.orders["depot_id"].iloc[0]).solve(SolveOptions(time_limit_s=1.0))


def channel_result(world):
    from workbench.channels import ChannelParams, evaluate_strategies

    return evaluate_strategies(world, ChannelParams())


def forecast_result(world):
    from workbench.forecast import Forecaster, series_from_history

    hist = series_from_history(world.demand_history)
    ids = sorted(hist["unique_id"].unique())[:2]
    return Forecaster(models="auto", level=(80, 95)).fit(hist[hist["unique_id"].isin(ids)]).predict(h=8)


@pytest.mark.parametrize("app, make", [("network_design", network_result), ("route_planning", routing_result),
                                       ("channel_strategy", channel_result), ("demand_forecasting", forecast_result)])
def test_planning_result_roundtrips_through_the_store(app, make, sample_world, tmp_path):
    """A real result of each planning app reopens from the store as the same type with identical content."""
    result = make(sample_world)
    store = ScenarioStore(folder=tmp_path)
    kpis = codec.to_jsonable(result.kpis()) if hasattr(result, "kpis") else {}
    sid = store.save(Scenario.from_result("Sample run", app, inputs={"world_version": sample_world.version},
                                          result=result, kpis={k: v for k, v in kpis.items() if v is not None}))
    back = store.load(sid).result
    same(result, back)
    if hasattr(result, "kpis"):
        same(result.kpis(), back.kpis())
    assert store.list(app)["name"].tolist() == ["Sample run"]
