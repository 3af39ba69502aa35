"""Demand forecasting app, driven through its model and view (no browser)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from widgets.demand_forecasting import (DemandForecastingModel, DemandForecastingView, demand_forecasting_app,
                                        region_dcs)


@pytest.fixture(scope="module")
def app(sample_world):
    """The app on the sample company, built once for the module."""
    return demand_forecasting_app(sample_world)


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_opens_with_a_forecast_chart_accuracy_and_inventory(app):
    """The first series is forecast 13 weeks with 80/95% bands, backtested and planned per DC."""
    m = app.model
    assert m.problems == []
    assert m.series == "BEV|Midwest"
    names = [t.name for t in app.chart.figure.data]
    assert names[:4] == ["History", "95% interval", "80% interval", "Forecast"]
    assert len(_trace(app.chart.figure, "Forecast").x) == 13
    acc = m.accuracy_table()
    assert list(acc["model"]) == ["auto", "seasonal_naive"]
    inv = m.inventory_table()
    assert list(inv["series"]) == [f"BEV|{r}" for r in ("Midwest", "Northeast", "Southeast", "Southwest", "West")]
    assert inv.set_index("series").loc["BEV|West", "DC"] == "Ontario, CA DC"
    assert (inv["reorder point"] > inv["safety stock"]).all()
    assert app.cards.values["Forecast, next 13 weeks"] == pytest.approx(m.kpis()["forecast_units"])


def test_horizon_control_redraws_the_forecast(app):
    """Typing 26 weeks re-forecasts: the chart's forecast trace has 26 points."""
    app.horizon.value = 26
    assert app.model.horizon == 26
    f = _trace(app.chart.figure, "Forecast")
    assert len(f.x) == 26
    assert len(app.model.result.forecast.forecasts) == 26
    app.horizon.value = 13
    assert len(_trace(app.chart.figure, "Forecast").x) == 13


def test_service_level_scales_safety_stock_by_z(app):
    """Safety stock is z x sigma_LT: moving 95% -> 99% multiplies it by z(0.99)/z(0.95), no re-forecast."""
    before = app.model.inventory_table().set_index("series")["safety stock"]
    forecast_before = app.model.result.forecast
    app.service.value = 0.99
    after = app.model.inventory_table().set_index("series")["safety stock"]
    assert (after / before).to_numpy() == pytest.approx(np.full(5, norm.ppf(0.99) / norm.ppf(0.95)))
    assert app.model.result.forecast is forecast_before
    app.service.value = 0.95


def test_aggregate_levels_and_region_dcs(app, sample_world):
    """The total is forecast as one series; its inventory covers all 25 product x region series."""
    app.level.value = "total"
    assert app.model.series == "All|All"
    assert [v for _, v in app.series.options] == ["All|All"]
    assert [label for label, _ in app.series.options] == ["Company total"]
    assert len(app.model.inventory_table()) == 25
    hist = app.model.result.history
    assert hist["y"].sum() == pytest.approx(sample_world.demand_history["y"].sum())
    app.level.value = "product x region"
    assert app.model.series == "BEV|Midwest"
    dcs = region_dcs(sample_world)
    assert dcs["Midwest"] == "Chicago, IL DC" and dcs["Southeast"] == "Atlanta, GA DC"


def test_forecast_all_reports_progress_and_coherent_totals(app):
    """Forecast all runs the 25 series with the progress bar and sums them bottom-up."""
    app.all_button.click()
    a = app.model.all_result
    assert app.model.all_done == app.model.all_total == 25
    assert app.all_progress.value == 25 and app.all_progress.max == 25
    bottom = a.forecast.forecasts.groupby("ds")["yhat"].sum()
    total = a.totals[a.totals["level"] == "total"].set_index("ds")["yhat"]
    assert total.to_numpy() == pytest.approx(bottom.to_numpy())
    assert len(app.all_table.data) == 25
    assert [t.name for t in app.all_chart.figure.data][-1] == "Total"


def test_events_toggle_changes_the_forecast(sample_world):
    """Events on puts the Black Friday lift into the selection and a jump on that very week;
    off leaves only the smooth seasonal hump."""
    m = DemandForecastingModel(sample_world, autorun=False)
    m.set_inputs({"series": "SNK|West", "horizon": 52, "method": "ets", "events": True})
    m.refresh()
    assert "black_friday" in m.result.forecast.selection.loc[0, "lifts"]
    on = m.result.forecast.forecasts.set_index("ds")["yhat"]
    m.events = False
    off = m.result.forecast.forecasts.set_index("ds")["yhat"]
    bf = pd.Timestamp("2026-11-23")
    week_before = bf - pd.Timedelta(weeks=1)
    assert on.loc[bf] > 1.1 * off.loc[bf]
    assert on.loc[bf] > 1.3 * on.loc[week_before]
    assert off.loc[bf] < 1.2 * off.loc[week_before]
    saved = m.inputs()
    assert saved["series"] == "SNK|West" and saved["events"] is False and saved["horizon"] == 52


def test_no_demand_history_is_a_readable_problem(sample_world):
    """Without a demand history the app says what to load instead of failing."""
    empty = dataclasses.replace(sample_world, demand_history=sample_world.demand_history.iloc[0:0])
    view = DemandForecastingView(DemandForecastingModel(empty))
    assert "no demand history" in view.model.problems[0]
    assert view.model.result is None
    assert view.chart.figure.layout.title.text == "No forecast"


def test_weeks_on_hand_move_the_reorder_week(app):
    """More stock on hand pushes the week each DC reaches its reorder point later (not earlier)."""
    def weeks():
        t = app.model.result.inventory.table.set_index("unique_id")
        return t["reorder_ds"], t["on_hand"]

    app.cover.value = 2.0
    early, oh2 = weeks()
    app.cover.value = 8.0
    late, oh8 = weeks()
    assert (oh8 / oh2).to_numpy() == pytest.approx(np.full(5, 4.0))
    assert (late.fillna(pd.Timestamp.max) >= early).all() and (late > early).any()
    app.cover.value = 4.0


def test_a_stopped_series_is_flagged_and_forecast_near_zero(sample_world):
    """A product whose last 20 weeks sold nothing is forecast below 10 a week, the app says it
    is possibly discontinued, and its safety stock is planned on that forecast."""
    hist = sample_world.demand_history.copy()
    uid_mask = (hist["product_id"] == "BEV") & (hist["region"] == "West")
    last = hist.loc[uid_mask, "ds"].sort_values().iloc[-20:]
    hist.loc[uid_mask & hist["ds"].isin(last), "y"] = 0.0
    view = DemandForecastingView(DemandForecastingModel(dataclasses.replace(sample_world, demand_history=hist),
                                                        autorun=False))
    m = view.model
    m.set_inputs({"series": "BEV|West", "method": "auto"})
    m.refresh()
    sel = m.result.forecast.selection.iloc[0]
    assert bool(sel["discontinued"]) and sel["zero_run"] == 20
    assert m.result.forecast.forecasts["yhat"].max() <= 10.0
    assert view.cards.values["Possibly discontinued"] == 20
    inv = m.inventory_table().set_index("series")
    assert inv.loc["BEV|West", "demand/wk"] <= 10.0
    assert "msis_95" in m.accuracy_table().columns
    assert "95% range score (lower is better)" in view.accuracy_tech.value


def test_a_sarimax_fallback_is_named_in_the_app(sample_world, monkeypatch):
    """When no SARIMAX order can be fitted the forecast card names the naive and the reason."""
    import statsmodels.tsa.statespace.sarimax as sx

    from widgets.demand_forecasting import method_details, method_note

    class Broken:
        def __init__(self, *a, **k):
            raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(sx, "SARIMAX", Broken)
    view = DemandForecastingView(DemandForecastingModel(sample_world, autorun=False))
    m = view.model
    m.set_inputs({"series": "SNK|West", "method": "arima", "horizon": 4})
    m.refresh()
    sel = m.result.forecast.selection.iloc[0]
    assert (sel["model"], sel["method_used"]) == ("arima", "naive")
    note = method_note(sel)
    assert note == ("Forecast method: last week repeated, because the chosen method (regression on events and "
                    "promotions) could not be used on this series")
    tech = method_details(sel)
    assert tech.startswith("method: Naive, because SARIMAX could not be fitted") and "singular matrix" in tech
    assert "SARIMAX with events not used" in tech
    line = view.method_line.value
    assert "last week repeated, because the chosen method" in line
    assert "SARIMAX could not be fitted" in line.split('title="')[1].split('"')[0]   # in the tooltip only


JARGON = ("MAPE", "sMAPE", "WAPE", "MSIS", "MASE", "ETS", "Theta", "SARIMAX", "black_friday", "cyber_monday",
          "BEV|", "unique_id", "share_of_mean", "seasonal_naive", "EOQ")


def _visible_text(html_text: str) -> str:
    """What a reader sees of an HTML fragment: tags, tooltips (title attributes) and <details> folds removed."""
    import re

    text = re.sub(r"<details.*?</details>", "", html_text, flags=re.S)
    text = re.sub(r'title="[^"]*"', "", text)
    return re.sub(r"<[^>]+>", " ", text)


def test_the_page_speaks_the_managers_words(app):
    """Cards, method line, accuracy and stock tables show no technical term, event key or series
    code outside tooltips and details folds; the terms are kept in the tooltips."""
    shown = " ".join(_visible_text(w.value) for w in (app.cards, app.method_line, app.accuracy, app.inventory))
    for word in JARGON:
        assert word not in shown, word
    assert "Forecast method: blend of four smoothing methods" in shown
    assert "Typical error" in shown and "Error on the total" in shown and "Weeks inside the 80% range" in shown
    assert "Beverages · Midwest" in shown
    assert 'title="MAPE: mean absolute error' in app.accuracy.value
    assert 'title="method: Combination (damped trend, ETS, Theta, optimised Theta)"' in app.method_line.value
    assert 'title="EOQ (economic order quantity)' in app.inventory.value
    assert app.accuracy_more.get_title(0).startswith("Details: technical scores")
    assert "sMAPE" in app.accuracy_tech.value


def test_event_effects_read_as_words():
    """'black_friday x1.22, promotion x1.30' reads 'Black Friday: +22 %; Promotions: +30 %'."""
    from widgets.demand_forecasting import event_lifts, events_note

    assert events_note("black_friday x1.22, cyber_monday x1.10, december x0.95, promotion x1.30") == (
        "Black Friday: +22 %; Cyber Monday: +10 %; December: -5 %; Promotions: +30 %")
    assert event_lifts("") == [] and events_note("") == ""
    assert event_lifts("new_year x2.00") == [("New year", 2.0)]


def test_the_method_line_names_the_event_effects(app):
    """With events on, the line under the cards gives each event's lift in % (from the selection)."""
    from widgets.demand_forecasting import events_note

    lifts = app.model.result.forecast.selection.iloc[0]["lifts"]
    assert "black_friday" in lifts
    assert "Event effects: " + events_note(lifts).replace("'", "&#x27;") in app.method_line.value
    assert "Black Friday: +" in app.method_line.value


def test_accuracy_rows_name_the_forecast_and_the_benchmark(app):
    """The backtest rows read 'This forecast (<method>)' and 'Same week last year (benchmark)', with
    the errors in % and the error ratio to the benchmark as the accuracy table holds them."""
    acc = app.model.accuracy_table()
    shown = app.accuracy.data
    assert list(shown["model"]) == ["This forecast (blend of four smoothing methods)", "Same week last year (benchmark)"]
    assert list(shown.columns) == ["model", "mape", "wape", "bias", "mase", "coverage_80", "coverage_95", "windows"]
    assert shown["mase"].tolist() == pytest.approx(acc["mase"].tolist())
    assert f"{acc.loc[0, 'mape']:.1f}%" in app.accuracy.value
