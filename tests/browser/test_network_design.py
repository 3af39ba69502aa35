"""Network design app in a real browser: change the number of DCs and see the map and KPIs change."""

from __future__ import annotations

import re
import time

from .conftest import open_app, record_timing, screenshot
from .drawn import assert_charts_drawn, assert_map_geography

MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"


def _dcs_open(page) -> int:
    text = page.locator(".wb-card[data-kpi='DCs open'] .wb-value").inner_text()
    return int(re.sub(r"[^0-9]", "", text))


def _line_colours(page) -> int:
    return page.eval_on_selector_all(
        "path.leaflet-interactive", "els => new Set(els.filter(e => e.getAttribute('fill') === 'none')"
        ".map(e => e.getAttribute('stroke'))).size")


def test_change_number_of_dcs_updates_map_and_kpis(page, voila_url):
    """The design opens with its KPI cards and customer-DC lines; fixing 9 DCs re-solves and redraws."""
    open_app(page, voila_url, "network_design",
             wait_for=(".wb-card[data-kpi='DCs open']", ".leaflet-container", MARKERS, ".js-plotly-plot .main-svg"))
    # 300 customers + 25 sites + one line per flow, plus outlines
    page.wait_for_function(f"document.querySelectorAll('{MARKERS}').length >= 600", timeout=60_000)
    assert_charts_drawn(page, at_least=2)          # cost breakdown and trade-off, drawn on first open
    assert_map_geography(page, dc_labels=True)     # borders, city names, open DCs named, a legend
    before_dcs = _dcs_open(page)
    before_cost = page.locator(".wb-card[data-kpi='Total cost'] .wb-value").inner_text()
    assert before_dcs >= 6
    assert _line_colours(page) >= before_dcs  # one colour per DC (outlines add a few more)
    assert "Traceback" not in page.content()
    target = 9 if before_dcs != 9 else 10
    start = time.perf_counter()
    page.get_by_text("cheapest number of DCs", exact=True).click()   # untick: fixed number
    # the slider is enabled by the kernel's answer: its readout turns editable then
    page.wait_for_selector(".wb-dc-count .widget-readout[contenteditable='true']", timeout=30_000)
    readout = page.locator(".wb-dc-count .widget-readout")
    readout.click()
    readout.fill(str(target))
    readout.press("Enter")
    page.wait_for_function(
        f"(() => {{ const e = document.querySelector(\".wb-card[data-kpi='DCs open'] .wb-value\"); "
        f"return e && e.textContent.trim() === '{target}'; }})()", timeout=90_000)
    record_timing("network_design", f"{before_dcs} -> {target} DCs re-solve + render", time.perf_counter() - start)
    assert _dcs_open(page) == target
    assert page.locator(".wb-card[data-kpi='Total cost'] .wb-value").inner_text() != before_cost
    page.wait_for_function(
        "(() => new Set([...document.querySelectorAll('path.leaflet-interactive')]"
        ".filter(e => e.getAttribute('fill') === 'none').map(e => e.getAttribute('stroke'))).size >= " + str(target) + ")()",
        timeout=60_000)
    assert "Traceback" not in page.content()
    screenshot(page, "network_design")
