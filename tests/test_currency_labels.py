"""Money in every chart, table, caption and report label is in the World's currency: each app is
built on the Brazilian sample (BRL) and its figures' titles, axis titles and hover templates, its
tables' headers and its captions show BRL or R$, never USD or a bare '$'."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

import workbench

BARE_DOLLAR = re.compile(r"(?<!R)\$")  # '$' that is not part of 'R$'


@pytest.fixture(scope="module")
def brazil():
    return workbench.load_sample("brazil")


def figure_labels(fig: go.Figure) -> list[str]:
    """Every text of a figure a reader sees as a label: title, axis titles, subplot titles, hover templates."""
    lay = fig.layout
    out = [lay.title.text or ""]
    out += [lay[k].title.text or "" for k in lay if re.match(r"^[xy]axis\d*$", k) and lay[k].title]
    out += [a.text or "" for a in lay.annotations]
    out += [t.hovertemplate or "" for t in fig.data if "hovertemplate" in t]
    return [s for s in out if s]


def widget_texts(root) -> list[str]:
    """The descriptions of every widget under ``root`` (inputs' labels)."""
    out, todo, seen = [], [root], set()
    while todo:
        w = todo.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(getattr(w, "description", None), str) and w.description:
            out.append(w.description)
        todo.extend(getattr(w, "children", ()) or ())
    return out


def assert_in_brl(texts, *, money: bool = True) -> None:
    """No USD and no bare '$' in any text; with ``money``, at least one shows BRL or R$."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    for s in texts:
        assert "USD" not in s and not BARE_DOLLAR.search(s), s
    if money:
        assert any("BRL" in s or "R$" in s for s in texts), texts


def test_network_design_in_brl(brazil, fresh_home):
    """Cost and trade-off charts, the site table, KPI notes and the carbon input are in BRL."""
    from widgets.figures.network import cost_figure, frontier_figure, tradeoff_figure
    from widgets.network_design import network_design_app

    app = network_design_app(brazil, tradeoff=False, carbon_price=50.0)
    m = app.model
    assert m.problems == [] and m.currency == "BRL"
    costs = figure_labels(app.costs.figure)
    assert_in_brl(costs)
    assert app.costs.figure.layout.yaxis.title.text == "BRL per year"
    assert "R$%{y:,.0f}" in app.costs.figure.data[0].hovertemplate
    assert f"total R${m.result.total_cost / 1e6:,.2f}M per year" in app.costs.figure.layout.title.text
    trade = app.tradeoff.figure
    assert_in_brl(figure_labels(trade))
    assert trade.layout.yaxis.title.text == "total cost (BRL M per year)"
    assert_in_brl(figure_labels(frontier_figure(None, m.result, currency="BRL")))
    assert "BRL/yr" in app.table.value and "USD" not in app.table.value
    assert_in_brl(app.cards.value)
    assert app.carbon_price.description == "carbon R$/t CO2e"
    # builders called without a currency keep the US labels
    assert cost_figure(m.result).layout.yaxis.title.text == "USD per year"
    assert tradeoff_figure(None, m.result).layout.yaxis.title.text == "total cost (USD M per year)"


def test_channel_strategy_in_brl(brazil, fresh_home, monkeypatch):
    """Strategy bars, waterfalls, frontier and its caption, tables, money inputs and the tornado are in BRL."""
    import widgets.channel_strategy as cs
    from workbench.channels import KEY_ASSUMPTIONS, break_even

    app = cs.channel_strategy_app(brazil, territories=7)
    m = app.model
    assert m.problems == [] and m.result is not None
    bars = app.bars.figure
    assert_in_brl(figure_labels(bars))
    assert bars.layout.yaxis.title.text == "BRL M/yr"
    wf = app.waterfall.figure
    assert_in_brl(figure_labels(wf))
    shown = m.result.strategies[app.waterfall_strategy.value]
    assert f"(consumer price R${shown.consumer_price:,.2f})" in wf.layout.title.text
    fr = app.frontier.figure
    assert_in_brl(figure_labels(fr))
    assert fr.layout.yaxis.title.text == "Profit (BRL M/yr)"
    assert_in_brl(app.frontier_caption.value)
    assert "BRL/yr" in app.summary.value and "BRL/unit" in app.summary.value
    assert_in_brl(app.summary.value)
    assert_in_brl(app.outlets.value)
    for s in cs.STRATEGIES:
        assert_in_brl(app.cards[s].value)
    inputs = [d for d in widget_texts(app) if "/unit" in d or "/yr" in d or "price" in d.lower()]
    assert "Shelf price R$" in inputs and "Fulfilment R$/unit" in inputs
    assert_in_brl(inputs)
    # the tornado, on two assumptions (one of them money) to stay quick
    keys = tuple(a for a in KEY_ASSUMPTIONS if a.name in ("retailer_margin", "logistics_cost_per_unit_km"))
    monkeypatch.setattr(cs, "break_even", lambda **kw: break_even(assumptions=keys, **kw))
    m.compute_sensitivity()
    assert m.sensitivity is not None
    tornado = app.tornado.figure
    assert_in_brl(figure_labels(tornado))
    assert "(BRL M/yr)" in tornado.layout.xaxis.title.text
    assert any(v.startswith("R$") for v in app.sensitivity_table.data["today"])


def test_demand_forecasting_in_brl(brazil, fresh_home):
    """The inventory table's money column and the safety stock card are in BRL."""
    from widgets.demand_forecasting import demand_forecasting_app

    app = demand_forecasting_app(brazil)
    assert app.model.problems == []
    assert "Safety stock value (BRL)" in app.inventory.value
    assert_in_brl(app.inventory.value)
    assert_in_brl(app.cards.value)


def test_route_planning_in_brl(brazil, fresh_home):
    """The routes summary's cost column is in BRL, and so is the total cost card."""
    from widgets.route_planning import route_planning_app

    app = route_planning_app(brazil)
    m = app.model
    m.time_limit = 1.0
    m.solve()
    assert m.problems == [] and m.result is not None
    assert "cost BRL" in app.summary_table.value
    assert_in_brl(app.summary_table.value)
    assert_in_brl(app.cards.value)


def test_report_in_the_scenarios_currency():
    """The HTML report's KPI table, chart axes and hover templates use the currency saved with the scenarios."""
    from workbench.scenarios import Scenario, compare
    from widgets.report import _kpi_table_html, comparison_currency, kpi_figures, overview_figure, report_html

    kpis = {"total_cost": 1.5e6, "fixed_cost": 5e5, "outbound_cost": 1e6, "cost_per_unit": 0.9, "dc_count": 3}
    a = Scenario.from_result("Base", "network_design", kpis=kpis, inputs={"dc_count": 3, "currency": "BRL"})
    b = Scenario.from_result("Four", "network_design", kpis={**kpis, "total_cost": 1.6e6},
                             inputs={"dc_count": 4, "currency": "BRL"})
    cmp = compare([a, b])
    assert comparison_currency(cmp) == "BRL"
    table = _kpi_table_html(cmp)
    assert "R$1.50M" in table and "R$0.90" in table
    assert_in_brl(table)
    figs = kpi_figures(cmp)
    money_axes = [f.layout.yaxis.title.text for f in figs if f.layout.yaxis.title.text]
    assert any(t.startswith("BRL") for t in money_axes) and not any("USD" in t for t in money_axes)
    for f in figs + [overview_figure(cmp)]:
        assert_in_brl(figure_labels(f), money=False)
    page = report_html(cmp)
    assert "R$1.50M" in page
    # a scenario saved before the World carried a currency is in USD
    old = compare([Scenario.from_result("Old", "network_design", kpis=kpis, inputs={"dc_count": 3})])
    assert "$1.50M" in _kpi_table_html(old) and "R$" not in _kpi_table_html(old)


def test_money_label_helpers():
    """The helpers give the code for axes and the symbol for hover templates and captions."""
    from widgets.figures.style import money_axis, money_hover, money_text
    from widgets.formatting import money_unit

    assert money_axis("brl", "M per year") == "BRL M per year" and money_axis() == "USD"
    assert money_hover("y", "BRL", ",.1f", "M") == "R$%{y:,.1f}M"
    assert money_hover("y") == "$%{y:,.2f}"
    assert money_text(1.5, "EUR", suffix="M") == "€1.50M"
    assert money_unit("/yr", "inr") == "INR/yr"


def test_raw_column_headers_name_the_display_currency():
    """A table column left with its code name shows money in the open World's currency."""
    import pandas as pd

    from widgets.components import TableView
    from widgets.formatting import display_currency, set_display_currency

    before = display_currency()
    t = TableView(pd.DataFrame({"cost_to_serve": [1.0], "distance_km": [2.0]}))
    try:
        set_display_currency("BRL")
        assert t.shown_headers(["cost_to_serve", "distance_km"]) == ["Cost to serve (BRL)", "Distance (km)"]
        set_display_currency("USD")
        assert t.shown_headers(["cost_to_serve"]) == ["Cost to serve (USD)"]
    finally:
        set_display_currency(before)
