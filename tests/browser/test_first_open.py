"""Every app on first open, at two screen sizes: each chart drawn with a height and data, each map
with geography (land, borders, city names) and a legend. Screenshots go to ``test-output/``."""

from __future__ import annotations

import pytest

from .conftest import OUTPUT, open_app
from .drawn import assert_charts_drawn, assert_map_geography

#: app -> (charts on first open, maps on first open, DC labels on its map)
APPS = {
    "network_design": (2, 1, True),
    "demand_forecasting": (2, 0, False),
    "channel_strategy": (3, 3, False),
    "route_planning": (0, 1, True),
    "home": (0, 1, False),
}
SIZES = [(1280, 800), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("app", list(APPS))
def test_first_open_draws_every_chart_and_map(browser, voila_url, app, size):
    """Opened fresh at this size, the app's charts all have a height and a drawn trace, and its maps
    show land, city names and a legend, without a resize or a control change; every KPI card has a
    tooltip saying what its number is."""
    charts, maps, dc_labels = APPS[app]
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, voila_url, app, wait_for=(".wb-card, .wb-solve, .js-plotly-plot",))
        if charts:
            drawn = assert_charts_drawn(page, at_least=charts)
            assert all(c["height"] >= 200 for c in drawn), drawn
        if maps:
            assert len(assert_map_geography(page, dc_labels=dc_labels)) >= maps
        assert "Traceback" not in page.content()
        cards = page.eval_on_selector_all(".wb-card", "els => els.map(e => [e.dataset.kpi, e.title])")
        assert cards and all(len(title) > 15 for _, title in cards), cards   # every card explains its number
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"first-open-{app}-{size[0]}x{size[1]}.png"), full_page=True)
    finally:
        context.close()
