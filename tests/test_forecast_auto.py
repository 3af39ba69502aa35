"""The Forecaster, backtests and the hierarchy on small constructed histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError
from workbench.forecast import Forecaster, calendar_events, infer_frequency
from workbench.forecast.backtest import backtest
from workbench.forecast.hierarchy import aggregate, bottom_up, historical_shares, top_down

COLS = ["unique_id", "ds", "model", "yhat", "lo-80", "hi-80", "lo-95", "hi-95"]


def weekly_world(weeks=156, seed=0, bf_lift=2.0):
    """Two products x two regions of weekly demand with yearly seasonality and Black Friday spikes."""
    rng = np.random.default_rng(seed)
    ds = pd.Series(pd.date_range("2023-01-02", periods=weeks, freq="W-MON"))
    ev = calendar_events(ds, infer_frequency(ds))
    t = np.arange(weeks)
    rows = []
    for p, base in (("BEV", 1000.0), ("SNK", 600.0)):
        for r, scale in (("West", 1.0), ("Midwest", 0.7)):
            season = 1 + 0.25 * np.sin(2 * np.pi * t / 52.0)
            y = base * scale * season * (1 + 0.001 * t) * (1 + (bf_lift - 1) * ev["black_friday"].to_numpy())
            y = y * (1 + rng.normal(0, 0.03, weeks))
            rows.append(pd.DataFrame({"unique_id": f"{p}|{r}", "product_id": p, "region": r, "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_predict_returns_the_long_contract_with_ordered_intervals():
    """predict(h) gives h rows per series with yhat inside lo-80/hi-80 inside lo-95/hi-95."""
    df = weekly_world()
    out = Forecaster(models="auto").fit(df).predict(8)
    assert list(out.columns[:8]) == COLS
    assert {"product_id", "region"} <= set(out.columns)
    assert out.groupby("unique_id").size().tolist() == [8, 8, 8, 8]
    assert out["ds"].min() == pd.Timestamp("2025-12-29")
    assert (out["lo-95"] <= out["lo-80"]).all() and (out["lo-80"] <= out["yhat"]).all()
    assert (out["yhat"] <= out["hi-80"]).all() and (out["hi-80"] <= out["hi-95"]).all()
    assert np.isfinite(out[COLS[3:]].to_numpy()).all()


def test_events_lift_the_black_friday_week():
    """With events on, the forecast of the Black Friday week is about twice its neighbours; off, it is not."""
    df = weekly_world()
    h = 52
    on = Forecaster(models=["ets"], events=True).fit(df).predict(h)
    off = Forecaster(models=["ets"], events=False).fit(df).predict(h)
    bf = pd.Timestamp("2026-11-23")      # the Monday of the week holding Black Friday 2026-11-27
    for frame, lo, hi in ((on, 1.7, 2.3), (off, 0.0, 1.5)):
        s = frame[frame.unique_id == "BEV|West"].set_index("ds")["yhat"]
        neighbours = s.loc[[bf - pd.Timedelta(weeks=2), bf + pd.Timedelta(weeks=2)]].mean()
        assert lo < s.loc[bf] / neighbours < hi


def test_promotions_as_regressors_in_sarimax():
    """A promotion column is an event: SARIMAX lifts the promoted future week given in `future`."""
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=80, freq="W-MON")
    promo = np.zeros(80, bool)
    promo[5::9] = True
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": 100 + rng.normal(0, 3, 80) + 40 * promo, "promotion": promo})
    fut = pd.DataFrame({"unique_id": "a", "ds": pd.date_range(ds[-1], periods=5, freq="W-MON")[1:],
                        "promotion": [False, True, False, False]})
    out = Forecaster(models=["arima", "ets"], events=("promotion",)).fit(df).predict(4, future=fut)
    for model in ("arima", "ets"):
        y = out[out.model == model]["yhat"].to_numpy()
        assert y[1] - np.delete(y, 1).mean() == pytest.approx(40, abs=8)


def test_intermittent_series_use_croston_family():
    """A series with many zero weeks is forecast by Croston, SBA or TSB in auto mode."""
    rng = np.random.default_rng(4)
    ds = pd.date_range("2023-01-02", periods=104, freq="W-MON")
    y = np.where(rng.random(104) < 0.25, rng.integers(1, 6, 104), 0).astype(float)
    out = Forecaster().fit(pd.DataFrame({"unique_id": "DSP|West", "ds": ds, "y": y})).forecast(13)
    assert out.selection.loc[0, "model"] in ("adida", "sba", "tsb")
    assert out.selection.loc[0, "intermittent"] and not out.selection.loc[0, "discontinued"]
    assert (out.forecasts["lo-95"] >= 0).all()
    assert out.forecasts["yhat"].iloc[0] == pytest.approx(y.mean(), rel=0.6)


def test_backtest_errors_are_named_for_their_metric():
    """The selection's backtest errors say what they are: ``mse_<method>`` for the intermittent
    choice (mean squared error), ``mae_<method>`` for smooth series (mean absolute error), each
    equal to the error recomputed from the methods' own forecasts at the three origins."""
    from workbench.forecast import models as M
    from workbench.forecast.pipeline import forecast_series

    rng = np.random.default_rng(4)
    ds = pd.date_range("2023-01-02", periods=104, freq="W-MON")
    lumpy = np.where(rng.random(104) < 0.25, rng.integers(1, 6, 104), 0).astype(float)
    smooth = 200 + 0.5 * np.arange(104) + rng.normal(0, 5, 104)
    df = pd.concat([pd.DataFrame({"unique_id": "LUMPY", "ds": ds, "y": lumpy}),
                    pd.DataFrame({"unique_id": "SMOOTH", "ds": ds, "y": smooth})], ignore_index=True)
    sel = Forecaster(events=False).fit(df).forecast(13).selection.set_index("unique_id")
    cuts = (77, 84, 91)                       # 3 origins ceil(13/2) = 7 weeks apart, the last 13 before the end
    assert not any(c.startswith("mae_") and pd.notna(sel.loc["LUMPY", c]) for c in sel.columns)
    sq = [(lumpy[c:c + 13] - M.tsb(lumpy[:c], 13).mean) ** 2 for c in cuts]
    assert sel.loc["LUMPY", "mse_tsb"] == pytest.approx(float(np.mean(sq)), rel=1e-9)
    assert {"mse_adida", "mse_sba"} <= set(sel.columns)
    assert not any(c.startswith("mse_") and pd.notna(sel.loc["SMOOTH", c]) for c in sel.columns)
    ab = [np.abs(smooth[c:c + 13] - forecast_series(smooth[:c], 13, method="theta", m=52).mean) for c in cuts]
    assert sel.loc["SMOOTH", "mae_theta"] == pytest.approx(float(np.mean(ab)), rel=1e-9)


def stale_histories() -> pd.DataFrame:
    """40 weeks at 100 then 20 zero weeks; one spike of 1,000 then 59 zero weeks."""
    ds = pd.date_range("2024-01-01", periods=60, freq="W-MON")
    return pd.concat([
        pd.DataFrame({"unique_id": "STOP|West", "product_id": "STOP", "region": "West", "ds": ds,
                      "y": np.r_[np.full(40, 100.0), np.zeros(20)]}),
        pd.DataFrame({"unique_id": "SPIKE|West", "product_id": "SPIKE", "region": "West", "ds": ds,
                      "y": np.r_[1000.0, np.zeros(59)]})], ignore_index=True)


@pytest.mark.parametrize("h", [4, 13, 26])
def test_stale_intermittent_series_forecast_at_most_10_a_week(h):
    """Demand that stopped is not forecast at its old rate: <= 10 a week, flagged as possibly
    discontinued, and the safety stock is planned on that forecast."""
    from workbench.inventory import InventoryPolicy, plan_inventory

    res = Forecaster().fit(stale_histories()).forecast(h)
    assert res.forecasts["yhat"].max() <= 10.0
    sel = res.selection.set_index("unique_id")
    assert sel.loc["STOP|West", "zero_run"] == 20 and sel.loc["SPIKE|West", "zero_run"] == 59
    assert sel["discontinued"].all() and sel["intermittent"].all()
    assert set(sel["model"]) <= {"tsb", "adida", "sba"}
    assert (sel["method_used"] == sel["model"]).all() and (sel["fell_back_because"] == "").all()
    # the SPIKE history (one demand) allows no backtest window: the stated rule picks TSB
    assert sel.loc["SPIKE|West", "backtest_windows"] == 0 and sel.loc["SPIKE|West", "model"] == "tsb"
    plan = plan_inventory(res.forecasts, policy=InventoryPolicy(service_level=0.95, lead_time=2, lead_time_sd=0.5),
                          unit_cost=1.0)
    assert plan.table["demand_per_period"].max() <= 10.0


def test_discontinued_flag_needs_a_long_gap():
    """A slow mover's usual gap is not an end; a quarter without demand after weekly sales is."""
    from workbench.forecast.auto import discontinued_after, is_discontinued, trailing_zeros

    slow = np.r_[np.tile(np.r_[5.0, np.zeros(9)], 6), np.zeros(13)]      # a sale every 10 weeks
    assert trailing_zeros(slow) == 22 and not is_discontinued(slow, 13)
    weekly = np.r_[np.full(30, 8.0), np.zeros(13)]
    assert is_discontinued(weekly, 13) and not is_discontinued(weekly[:-1], 13)
    assert is_discontinued(np.zeros(8), 13)
    assert (discontinued_after("W", 52), discontinued_after("MS", 12), discontinued_after(None, 1)) == (13, 3, 2)


def test_arima_fallback_is_named_in_the_selection():
    """A history too short for every SARIMAX order is forecast by the naive, and says so."""
    ds = pd.date_range("2024-01-01", periods=6, freq="W-MON")
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": [5.0, 6, 7, 6, 5, 9]})
    res = Forecaster(models=["arima"], events=False).fit(df).forecast(3)
    sel = res.selection.iloc[0]
    assert (sel["model"], sel["method_used"]) == ("arima", "naive")
    assert "too few for SARIMAX" in sel["fell_back_because"]
    assert res.forecasts["yhat"].to_numpy() == pytest.approx([9.0] * 3)


def test_progress_and_processes_give_the_same_forecast():
    """n_jobs=2 gives the forecasts of n_jobs=1 and reports progress up to (total, total)."""
    df = pd.concat([weekly_world(seed=s).assign(unique_id=lambda d, s=s: d.unique_id + f"#{s}")
                    for s in range(3)], ignore_index=True)
    calls = []
    one = Forecaster(models=["combination"], n_jobs=1).fit(df).predict(4)
    two = Forecaster(models=["combination"], n_jobs=2).fit(df).predict(4, progress=lambda d, t: calls.append((d, t)))
    pd.testing.assert_frame_equal(one, two)
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)


def test_backtest_scores_against_seasonal_naive():
    """The backtest gives per-series and per-model metrics with interval coverage."""
    df = weekly_world()
    df = df[df.unique_id.isin(["BEV|West", "SNK|Midwest"])]
    res = backtest(df, 8, n_windows=2, models=("auto", "seasonal_naive"))
    assert set(res.summary["model"]) == {"auto", "seasonal_naive"}
    assert len(res.metrics) == 4
    for col in ("mape", "smape", "mase", "wape", "bias", "coverage_80", "coverage_95", "msis_80", "msis_95"):
        assert col in res.metrics and res.metrics[col].notna().all()
    assert len(res.forecasts) == 2 * 2 * 2 * 8
    auto = res.summary.set_index("model").loc["auto"]
    naive = res.summary.set_index("model").loc["seasonal_naive"]
    assert auto["mase"] < naive["mase"]
    # the metric is recomputed by hand for one window
    f = res.forecasts[(res.forecasts.model_requested == "seasonal_naive") & (res.forecasts.unique_id == "BEV|West")]
    w = f[f.cutoff == f.cutoff.min()]
    assert w["yhat"].to_numpy() == pytest.approx(
        df[df.unique_id == "BEV|West"].set_index("ds").loc[w.ds - pd.Timedelta(weeks=52), "y"].to_numpy())
    # and the scaled interval score of that window
    from workbench.forecast import metrics as mt

    hist = df[df.unique_id == "BEV|West"]
    train = hist[hist.ds <= w.cutoff.iloc[0]]["y"].to_numpy()
    row = res.metrics[(res.metrics.model == "seasonal_naive") & (res.metrics.unique_id == "BEV|West")]
    per_window = [mt.msis(g["y"], g["lo-95"], g["hi-95"], hist[hist.ds <= c]["y"].to_numpy(), 52, 95)
                  for c, g in f.groupby("cutoff")]
    assert row["msis_95"].iloc[0] == pytest.approx(np.mean(per_window))
    assert len(train) > 52


def test_backtest_needs_enough_history():
    """A backtest longer than the history is a DataError naming the series and the need."""
    with pytest.raises(DataError, match=r"has 60 periods; a backtest of 3 window\(s\) of 8 periods 8 apart needs 80"):
        backtest(weekly_world(weeks=60), 8, n_windows=3, models=("ets",))


def test_bottom_up_totals_are_coherent():
    """Region and total forecasts equal the sums of their product x region parts, period by period."""
    df = weekly_world()
    fc = Forecaster(models=["ets"]).fit(df).predict(6)
    hf = bottom_up(fc)
    bottom = hf.level("product x region")
    total = hf.level("total").set_index("ds")["yhat"]
    assert total.to_numpy() == pytest.approx(bottom.groupby("ds")["yhat"].sum().to_numpy())
    west = hf.forecasts[hf.forecasts.unique_id == "All|West"].set_index("ds")["yhat"]
    parts = fc[fc.region == "West"].groupby("ds")["yhat"].sum()
    assert west.to_numpy() == pytest.approx(parts.to_numpy())
    assert (hf.forecasts["hi-95"] >= hf.forecasts["yhat"]).all()
    agg = aggregate(df[["product_id", "region", "ds", "y"]])
    assert set(agg.level) == {"product x region", "region", "product", "total"}
    assert agg[agg.unique_id == "All|All"]["y"].sum() == pytest.approx(df["y"].sum())


def test_top_down_splits_by_historical_shares():
    """Each part gets its share of the total's sum over the window; parts add up to the total."""
    hist = pd.DataFrame({"product_id": ["A", "A", "B", "B"], "region": ["X"] * 4,
                         "ds": [1, 2, 1, 2], "y": [30.0, 30.0, 10.0, 30.0]})
    shares = historical_shares(hist).set_index("product_id")["share"]
    assert shares.to_dict() == pytest.approx({"A": 0.6, "B": 0.4})
    total = pd.DataFrame({"ds": [3, 4], "yhat": [100.0, 50.0], "lo-95": [80.0, 40.0], "hi-95": [120.0, 60.0]})
    td = top_down(total, hist, last=None).forecasts
    assert td[td.product_id == "A"]["yhat"].tolist() == pytest.approx([60.0, 30.0])
    assert td.groupby("ds")["yhat"].sum().tolist() == pytest.approx([100.0, 50.0])
    assert td[td.product_id == "B"]["hi-95"].tolist() == pytest.approx([48.0, 24.0])


def test_interval_shape_is_the_local_level_variance():
    """1 + (k - 1) alpha^2 at steps 1..h; alpha 1 is the random walk's k, alpha 0 a flat width."""
    from workbench.forecast.auto import interval_shape

    assert interval_shape(4, 0.5).tolist() == [1.0, 1.25, 1.5, 1.75]
    assert interval_shape(3, 1.0).tolist() == [1.0, 2.0, 3.0]
    assert interval_shape(3, 0.0).tolist() == [1.0, 1.0, 1.0]


def test_interval_widths_grow_as_a_local_level_and_scale_with_the_backtest_errors():
    """The half-width at step k over the one at step 1 is sqrt(1 + (k-1) alpha^2), alpha the SES
    constant of the (adjusted) history; the scale is the backtest errors' root mean square over
    that shape, with Student-t quantiles of 2 x windows degrees of freedom."""
    from scipy.stats import t as student_t

    from workbench.forecast.auto import interval_shape
    from workbench.forecast.pipeline import forecast_series, level_alpha

    rng = np.random.default_rng(4)
    y = 300 + np.cumsum(rng.normal(0, 3, 60)) + rng.normal(0, 6, 60)
    df = pd.DataFrame({"unique_id": "A", "ds": np.arange(60), "y": y})
    h = 6
    res = Forecaster(models=["combination"], season_length=1, events=False, n_windows=3).fit(df).forecast(h)
    fc = res.forecasts
    alpha = level_alpha(y, 1)
    assert 0.0 < alpha < 1.0
    shape = interval_shape(h, alpha)
    half = (fc["hi-80"] - fc["yhat"]).to_numpy()
    assert half / half[0] == pytest.approx(np.sqrt(shape), rel=1e-9)
    # the scale by hand: three origins ceil(h/2) = 3 apart, the last h periods before each held out
    errs = []
    for c in (60 - h - 6, 60 - h - 3, 60 - h):
        errs.append(y[c:c + h] - forecast_series(y[:c], h, method="combination", m=1).mean)
    s = np.sqrt(np.mean(np.array(errs) ** 2 / shape[None, :]))
    assert half == pytest.approx(student_t.ppf(0.9, 6) * s * np.sqrt(shape), rel=1e-9)
