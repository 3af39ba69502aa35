"""Scenario studio in a real browser: save a plan from a planning app, compare it, export the report,
and open the report offline (file://, network off) with its charts drawn."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from .conftest import OUTPUT, open_app, record_timing, screenshot
from .drawn import assert_charts_drawn, assert_map_geography

PLOTS = ".js-plotly-plot .main-svg"
DRAWN = "[...document.querySelectorAll('.js-plotly-plot')].filter(d => d.querySelector('.main-svg')).length"


def drawn(page) -> int:
    """How many plotly charts on the page have drawn their SVG."""
    return page.evaluate(DRAWN)
PLANNING_APPS = ("route_planning", "network_design", "channel_strategy", "demand_forecasting")


def open_report_offline(browser, path: Path) -> tuple[object, list[str]]:
    """Open an HTML file with the network off; returns the page and every request that left the file."""
    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.as_uri())
    return page, outside


def test_report_opens_offline_and_draws_its_charts(browser, tmp_path):
    """The HTML report needs nothing from the network: every chart and map draws from the file alone."""
    from widgets.report import report_html
    from workbench.scenarios import Scenario

    sites = __import__("pandas").DataFrame({"site_id": ["D1", "D2", "D3"], "lat": [39.1, 33.7, 36.2],
                                            "lon": [-84.5, -84.4, -115.1], "open": [True, False, True]})
    scs = [Scenario(name=f"{k} DCs", app="network_design", id=k, tables={"sites": sites},
                    kpis={"total_cost": 1000.0 * k, "fixed_cost": 300.0 * k, "outbound_cost": 700.0 * k,
                          "handling_cost": 50.0, "inbound_cost": 10.0, "share_within_radius": 0.8 + 0.05 * k})
           for k in (2, 3)]
    path = tmp_path / "report.html"
    text = report_html(scs)
    path.write_text(text, encoding="utf-8")
    n_charts = text.count('class="plotly-graph-div"')
    page, outside = open_report_offline(browser, path)
    page.wait_for_function(f"{DRAWN} >= {n_charts}", timeout=60_000)
    assert drawn(page) == n_charts >= 3
    assert page.locator("svg.wb-svg-map").count() == 2
    assert page.locator("svg.wb-svg-map circle.wb-map-point").count() == 6
    assert page.locator(".js-plotly-plot .bars path").count() > 0
    assert outside == [], f"the report asked the network for {outside}"
    page.screenshot(path=str(OUTPUT / "scenario-report-offline.png"), full_page=True)
    page.context.close()


def test_save_in_an_app_then_compare_and_export(page, voila_url, browser, tmp_path):
    """Save a route plan under a name in the planning app, find it in the comparison app, export the report."""
    start = time.perf_counter()
    open_app(page, voila_url, "route_planning", wait_for=(".wb-solve",))
    bar = page.locator(".wb-scenario-bar")
    if bar.count() == 0:
        pytest.fail("the Route planning app carries no scenario bar: every planning app needs "
                    "widgets.scenarios.ScenarioBar(model) (see docs/scenario_studio.md)", pytrace=False)
    page.locator(".wb-solve").click()
    page.wait_for_selector(".wb-card", timeout=120_000)
    page.wait_for_function("!document.querySelector('.wb-scenario-save button, button.wb-scenario-save')?.disabled",
                           timeout=120_000)
    name = f"Browser plan {int(time.time())}"
    page.locator(".wb-scenario-name input").fill(name)
    page.locator(".wb-scenario-note textarea").fill("saved from the browser test")
    page.locator("button.wb-scenario-save").click()
    page.wait_for_selector(".wb-scenario-message .wb-note", timeout=60_000)
    assert f"Saved '{name}'" in page.locator(".wb-scenario-message").inner_text()
    record_timing("scenario_studio", "solve and save", time.perf_counter() - start)

    start = time.perf_counter()
    open_app(page, voila_url, "scenario_compare", wait_for=(".wb-compare-table",), timeout_s=240)
    record_timing("scenario_compare", "render after a save", time.perf_counter() - start)
    app_select = page.locator(".wb-app-scenario_compare .wb-controls select").first
    app_select.select_option(label="Route planning")
    baseline = page.locator(".wb-compare-baseline select")
    # ipywidgets writes option labels with non-breaking spaces
    page.wait_for_function("[...document.querySelectorAll('.wb-compare-baseline option')].some("
                           f"o => o.textContent.replace(/\\u00a0/g, ' ').startsWith({name!r}))", timeout=60_000)
    label = next(t for t in baseline.locator("option").all_text_contents() if t.replace("\u00a0", " ").startswith(name))
    baseline.select_option(label=label)
    page.wait_for_function("document.querySelector('.wb-compare-table').innerText.replace(/\\u00a0/g, ' ')"
                           f".includes({name!r})", timeout=60_000)
    table = page.locator(".wb-compare-table").inner_text()
    assert "Route cost" in table and "Vehicles used" in table
    page.wait_for_function(f"{DRAWN} >= 4", timeout=60_000)
    page.wait_for_selector(".leaflet-container", timeout=60_000)
    assert_charts_drawn(page, at_least=4)
    assert_map_geography(page, legend=True)   # land and city names under the routes, nothing cropped
    screenshot(page, "scenario-compare")

    page.locator("button.wb-export-html").click()
    link = page.locator(".wb-downloads a[download='scenario_report.html']")
    link.wait_for(timeout=120_000)
    with page.expect_download() as dl:
        link.click()
    path = tmp_path / "downloaded_report.html"
    dl.value.save_as(str(path))
    text = path.read_text(encoding="utf-8")
    assert name in text
    offline, outside = open_report_offline(browser, path)
    n = text.count('class="plotly-graph-div"')
    offline.wait_for_function(f"{DRAWN} >= {n}", timeout=60_000)
    assert drawn(offline) == n and outside == []
    assert offline.locator("svg.wb-svg-map polyline.wb-map-path").count() > 0
    offline.context.close()
    assert "Traceback" not in page.content()


def test_viewer_lists_scenarios_read_only(page, voila_url):
    """The viewer opens with the saved scenarios and their headline KPIs, and offers nothing that edits them."""
    open_app(page, voila_url, "scenario_viewer", wait_for=(".wb-viewer-list table",), timeout_s=240)
    rows = page.locator(".wb-viewer-list tbody tr")
    assert rows.count() >= 1
    assert page.locator(".wb-app-scenario_viewer input[type=text], .wb-app-scenario_viewer textarea").count() == 0
    buttons = page.locator(".wb-app-scenario_viewer button.widget-button").all_inner_texts()
    assert sorted(b.strip() for b in buttons) == ["HTML report of this scenario", "Refresh list"]
    assert page.locator(".wb-card").count() >= 1
    screenshot(page, "scenario-viewer")
