"""Demand forecasting app in a real browser: change the horizon and see the forecast chart redraw."""

from __future__ import annotations

import time

from .conftest import open_app, record_timing, screenshot
from .drawn import assert_charts_drawn

CHART = ".wb-forecast-chart .js-plotly-plot"
FORECAST_POINTS = ("(() => { const d = document.querySelector('" + CHART + "'); if (!d || !d.data) return -1; "
                   "const t = d.data.find(t => t.name === 'Forecast'); return t ? t.x.length : -1; })()")


def test_horizon_change_redraws_the_forecast(page, voila_url):
    """Typing a 26-week horizon redraws the forecast trace with 26 points; tables and cards stay."""
    open_app(page, voila_url, "demand_forecasting", wait_for=(f"{CHART} .main-svg", ".wb-card", ".wb-table"))
    page.wait_for_function(f"{FORECAST_POINTS} === 13", timeout=60_000)
    assert_charts_drawn(page, at_least=2)          # forecast and stock projection, drawn on first open
    assert page.locator(".wb-card").count() >= 4
    assert page.locator('.wb-card[data-kpi="Forecast, next 13 weeks"]').count() == 1
    assert page.locator(".wb-table").count() >= 2       # accuracy and inventory tables
    assert page.get_by_text("Same week last year").count() >= 1   # the benchmark, in words
    assert page.get_by_text("BEV|Midwest").count() == 0           # series in words, not codes
    box = page.locator(".wb-input-horizon input")
    box.click()
    box.fill("26")
    start = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(f"{FORECAST_POINTS} === 26", timeout=60_000)
    record_timing("demand_forecasting", "horizon change -> forecast chart", time.perf_counter() - start)
    page.wait_for_selector('.wb-card[data-kpi="Forecast, next 26 weeks"]', timeout=30_000)
    assert page.locator(".wb-alert").count() == 0
    assert "Traceback" not in page.content()
    screenshot(page, "demand_forecasting")
