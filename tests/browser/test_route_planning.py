"""Route planning app in a real browser: solve the sample day and see the routes on the map."""

from __future__ import annotations

import time
from pathlib import Path

from .conftest import open_app, record_timing, screenshot
from .drawn import assert_charts_drawn, assert_map_geography

MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"


def test_solve_sample_day_draws_routes(page, voila_url):
    """Solve with a short limit: busy line, then route lines on the map, KPI cards, timeline and downloads."""
    open_app(page, voila_url, "route_planning", wait_for=(".leaflet-container", MARKERS, ".wb-solve"))
    assert_map_geography(page, dc_labels=True)     # the depot named, borders and city names
    before = page.locator(MARKERS).count()
    assert before >= 121  # 120 orders + the depot
    # a 2-second search keeps the test short
    slider = page.locator(".wb-app-route_planning .widget-slider").nth(1)
    readout = slider.locator(".widget-readout")
    readout.click()
    readout.fill("2")
    readout.press("Enter")
    start = time.perf_counter()
    page.locator(".wb-solve").click()
    page.wait_for_function("document.querySelectorAll('.wb-card').length >= 7", timeout=90_000)
    page.wait_for_selector(".wb-downloads .wb-download-button:not([disabled])", timeout=60_000)
    record_timing("route_planning", "solve 2 s + render", time.perf_counter() - start)
    cards = page.locator(".wb-card")
    assert "Vehicles used" in cards.first.text_content()
    # route segments (one colour per vehicle) and coloured stops were added to the map
    page.wait_for_function(f"document.querySelectorAll('{MARKERS}').length >= {before + 100}", timeout=60_000)
    strokes = page.eval_on_selector_all(
        "path.leaflet-interactive", "els => new Set(els.filter(e => e.getAttribute('fill') === 'none')"
        ".map(e => e.getAttribute('stroke'))).size")
    assert strokes >= 5
    assert_charts_drawn(page, at_least=1)          # the timeline, with a height and its routes
    assert page.locator(".wb-downloads .wb-download-button").count() == 3
    # a dispatch sheet is made when its button is clicked, and downloaded whole
    with page.expect_download(timeout=60_000) as dl:
        page.locator(".wb-downloads .wb-download-button", has_text="CSV").click()
    assert dl.value.suggested_filename == "dispatch_DC-CHI.csv"
    sheet = Path(dl.value.path()).read_text()
    head = sheet.split("\n")[0]
    assert head.startswith("Vehicle,Stop,Order,Customer,Arrive") and sheet.count("\n") > 120
    text = page.locator(".wb-app-route_planning").inner_text()
    assert "120 of 120 orders planned" in text
    assert "Traceback" not in page.content()
    screenshot(page, "route_planning")
