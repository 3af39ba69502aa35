"""What a manager sees, checked in the page: every chart drawn with a height and data, maps with geography.

``charts_drawn(page)`` lists every plotly chart's height and drawn traces; ``assert_charts_drawn``
waits until each has a height and a trace (failing with the list when one stays blank);
``assert_map_geography`` checks that a map shows land, borders, place names and a legend.
"""

from __future__ import annotations

import json

from widgets.geography import LAND

CHARTS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
  const r = p.getBoundingClientRect();
  const svg = p.querySelector('.main-svg');
  // every drawn trace of any type (bar, scatter, waterfall, pie ...) is a group with class 'trace'
  const traces = p.querySelectorAll('.main-svg g.trace, .main-svg g.point, .main-svg path.js-line').length;
  const title = (p.querySelector('.gtitle') || {}).textContent || '';
  return {height: Math.round(r.height), svg: svg ? Math.round(svg.getBoundingClientRect().height) : 0,
          traces: traces, title: title};
})"""


def charts_drawn(page) -> list[dict]:
    """Every plotly chart on the page: its height, its SVG's height, drawn traces and title."""
    return page.evaluate(CHARTS_JS)


def assert_charts_drawn(page, *, at_least: int = 1, timeout_ms: int = 60_000) -> list[dict]:
    """Every chart has a non-zero height and at least one drawn trace (``at_least`` charts)."""
    cond = ("(() => { const c = (" + CHARTS_JS + ")(); return c.length >= " + str(at_least)
            + " && c.every(x => x.height > 50 && x.svg > 50 && x.traces > 0); })()")
    try:
        page.wait_for_function(cond, timeout=timeout_ms)
    except Exception:
        raise AssertionError("a chart is blank (height or traces 0): " + json.dumps(charts_drawn(page), indent=1)) from None
    return charts_drawn(page)


MAP_JS = """(sel) => [...document.querySelectorAll(sel)].map(m => ({
  land: m.querySelectorAll('path[fill="%s"]').length,
  cities: m.querySelectorAll('.wb-map-label-city').length,
  labels: m.querySelectorAll('.wb-map-label-dc').length,
  legend: (m.querySelector('.wb-map-legend') || {}).textContent || '',
  height: Math.round((m.querySelector('.leaflet-container') || m).getBoundingClientRect().height)}))""" % LAND


def maps_drawn(page, selector: str = ".wb-map") -> list[dict]:
    return page.evaluate(MAP_JS, selector)


def assert_map_geography(page, *, selector: str = ".wb-map", dc_labels: bool = False, legend: bool = True,
                         timeout_ms: int = 60_000) -> list[dict]:
    """Each map shows land (countries drawn from the shipped geography), city names and, when asked,
    DC labels and a legend."""
    cond = ("(() => { const m = (" + MAP_JS + ")(" + json.dumps(selector) + "); return m.length > 0 && m.every(x => "
            "x.land > 0 && x.cities > 0 && x.height > 100" + (" && x.labels > 0" if dc_labels else "")
            + (" && x.legend.length > 0" if legend else "") + "); })()")
    try:
        page.wait_for_function(cond, timeout=timeout_ms)
    except Exception:
        raise AssertionError("a map lacks geography: " + json.dumps(maps_drawn(page, selector), indent=1)) from None
    return maps_drawn(page, selector)
