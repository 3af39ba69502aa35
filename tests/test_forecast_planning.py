"""The demand app's rules as domain code (workbench.forecast.planning): known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.forecast.planning import (MIN_BACKTEST_HISTORY, DemandPlanner, PlanningSpec, SeriesAnalysis,
                                         assumed_on_hand, backtest_window_count)


def test_backtest_windows_follow_the_history():
    """No backtest below 60 weeks; else at most the windows asked for, keeping 56 weeks to train."""
    assert backtest_window_count(MIN_BACKTEST_HISTORY - 1, 13, 3) == 0
    assert backtest_window_count(60, 13, 3) == 1          # (60 - 56) // 13 = 0 -> at least one
    assert backtest_window_count(104, 13, 3) == 3         # (104 - 56) // 13 = 3
    assert backtest_window_count(104, 13, 5) == 3
    assert backtest_window_count(156, 4, 2) == 2


def test_assumed_on_hand_is_weeks_of_cover_at_the_first_four_weeks():
    """On hand = weeks x the mean forecast of the first four periods, per series."""
    ds = pd.date_range("2026-01-05", periods=6, freq="W-MON")
    f = pd.DataFrame({"unique_id": ["A"] * 6 + ["B"] * 6, "ds": list(ds) * 2,
                      "yhat": [10, 20, 30, 40, 1000, 1000] + [5.0] * 6})
    got = assumed_on_hand(f.sample(frac=1, random_state=0), 4)
    assert got == {"A": pytest.approx(4 * 25.0), "B": pytest.approx(20.0)}


def test_planner_analysis_and_its_kpis(sample_world):
    """A seasonal-naive analysis of one series: forecast = last year's same weeks, KPIs consistent."""
    planner = DemandPlanner.from_world(sample_world)
    uid = planner.series_ids("product x region")[0]
    spec = PlanningSpec(horizon=8, method="seasonal_naive", backtest_windows=1)
    a = planner.analyse(uid, spec)
    assert isinstance(a, SeriesAnalysis) and a.method == "seasonal_naive"
    hist = planner.history_of(uid)
    k = a.kpis()
    assert k["forecast_units"] == pytest.approx(float(a.forecast.forecasts["yhat"].sum()))
    assert k["history_units_same_weeks_last_year"] == pytest.approx(float(hist["y"].iloc[-52:-44].sum()))
    assert k["forecast_units"] == pytest.approx(k["history_units_same_weeks_last_year"])  # seasonal naive
    assert k["safety_stock_units"] == pytest.approx(a.inventory.kpis["safety_stock_units"])
    # the stock is planned for the product in every region, each at the DC serving its region
    t = a.inventory.table
    assert set(t["unique_id"]) == set(planner.inventory_series(uid))
    assert (t["dc"] == t["region"].map(planner.dc_of)).all()
    # a second analysis of the same series reuses the kept forecast
    assert planner.forecast([uid], spec).forecasts.equals(a.forecast.forecasts)


def test_planner_without_history_says_what_to_load(sample_world):
    """No demand history: a DataError that says which table to load."""
    import dataclasses

    from workbench.errors import DataError

    world = dataclasses.replace(sample_world, demand_history=sample_world.demand_history.iloc[:0])
    with pytest.raises(DataError, match="no demand history"):
        DemandPlanner.from_world(world)
