"""Channel strategy app in a real browser: change a parameter and see all three strategies update."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from .conftest import open_app, record_timing, screenshot
from .drawn import assert_charts_drawn, assert_map_geography

MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"
STRATEGIES = ("intensive", "selective", "exclusive")


def _card(page, strategy: str, label: str) -> str:
    return page.locator(f'.wb-strategy-{strategy} .wb-card[data-kpi="{label}"] .wb-value').inner_text()


def test_price_change_updates_all_three_strategies(page, voila_url):
    """Typing a new shelf price redraws the revenue of intensive, selective and exclusive."""
    open_app(page, voila_url, "channel_strategy",
             wait_for=(".wb-strategy-exclusive .wb-card", ".leaflet-container", MARKERS, ".js-plotly-plot .main-svg"))
    assert page.locator(".wb-strategy-intensive .wb-card").count() == 9
    assert _card(page, "intensive", "Outlets") == "315"   # retailers and listings; wholesalers supply them
    assert _card(page, "exclusive", "Outlets") == "10"
    before = {s: _card(page, s, "Revenue") for s in STRATEGIES}
    # three maps, each with zones and outlets drawn
    assert page.locator(".leaflet-container").count() == 3
    assert page.locator(MARKERS).count() >= 3 * 300 + 400
    # the waterfall, bars and frontier charts
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
    assert_charts_drawn(page, at_least=3)
    assert len(assert_map_geography(page)) == 3
    # every chart is drawn at its height (none collapsed to an empty strip)
    heights = page.eval_on_selector_all(".wb-app-channel_strategy .js-plotly-plot",
                                        "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(heights) == 3 and min(heights) >= 300, heights

    price = page.locator(".wb-input-consumer_price input")
    price.click()
    price.fill("35")
    start = time.perf_counter()
    price.press("Enter")
    js = " && ".join(
        f"document.querySelector('.wb-strategy-{s} .wb-card[data-kpi=\"Revenue\"] .wb-value').innerText "
        f"!== {before[s]!r}" for s in STRATEGIES)
    page.wait_for_function(js, timeout=60_000)
    record_timing("channel_strategy", "price change -> three strategies", time.perf_counter() - start)
    after = {s: _card(page, s, "Revenue") for s in STRATEGIES}
    for s in STRATEGIES:
        assert after[s] != before[s]
    # revenue = price x units, and units move by the elasticity: (35 / 27.74) ** (1 - 2.62)
    def usd(text: str) -> float:
        scale = {"B": 1e9, "M": 1e6, "k": 1e3}.get(text[-1], 1.0)
        return float(text.strip("$BMk").replace(",", "")) * scale

    ratio = usd(after["selective"]) / usd(before["selective"])
    assert abs(ratio - (35 / 27.74) ** (1 - 2.62)) < 0.01
    assert page.locator(".wb-alert").count() == 0
    assert "Traceback" not in page.content()
    screenshot(page, "channel_strategy")
    # the outlets CSV is made on the click, for the comparison shown
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_text("Download outlets of all three strategies (CSV)").click()
    assert dl.value.suggested_filename == "channel_strategy_outlets.csv"
    rows = list(csv.DictReader(Path(dl.value.path()).open(newline="")))
    assert rows and "outlet_id" in rows[0] and "revenue" in rows[0]
    assert {r["strategy"] for r in rows} == set(STRATEGIES)
