"""Charts: every app figure can be drawn by the shipped plotly.js bundle, and the chart widget
holds exactly the figure it was given."""

from __future__ import annotations

import gzip

import plotly.graph_objects as go
import pytest

from widgets.charts import BUNDLE, TRACE_TYPES, FigureView, plotly_json, plotly_library


def test_shipped_bundle_is_the_plotly_finance_build_that_draws_the_listed_traces():
    """The bundle is plotly.js's finance build, whose traces are the ones the check allows."""
    head = gzip.decompress(BUNDLE.read_bytes())[:200].decode()
    assert "plotly.js (finance - minified) v4.1.0" in head
    assert {"scatter", "bar", "waterfall"} <= TRACE_TYPES


def test_figure_view_holds_the_figure_and_its_height():
    """show() sends the figure's JSON with a known height; clear() draws nothing."""
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1.5, 2.5], name="cost"))
    view = FigureView(fig, height=300)
    assert view.figure is fig
    assert view.layout.height == "300px"
    assert view.spec["layout"]["height"] == 300
    assert view.spec["data"][0]["type"] == "bar" and view.spec["data"][0]["name"] == "cost"
    assert view.library is plotly_library()
    view.clear()
    assert view.figure is None and view.spec == {}


def test_a_trace_the_bundle_cannot_draw_is_refused_by_name():
    """A figure with a trace outside the bundle would stay blank on screen: it is refused instead."""
    with pytest.raises(ValueError, match=r"\['scattergeo'\] is not in the shipped plotly.js bundle"):
        plotly_json(go.Figure(go.Scattergeo(lat=[1], lon=[2])))


def test_every_trace_the_apps_build_is_in_the_bundle():
    """Every plotly trace class named in widgets/ (the apps' figures) is one the bundle draws."""
    import re
    from pathlib import Path

    import widgets

    names = set()
    for path in Path(widgets.__file__).parent.rglob("*.py"):
        names.update(re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", path.read_text()))
    traces = {n.lower() for n in names} - {"figure", "layout"}
    assert traces and traces <= TRACE_TYPES, traces - TRACE_TYPES
