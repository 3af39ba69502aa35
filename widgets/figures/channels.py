"""Charts of channel strategies (:class:`workbench.channels.ChannelComparison`, frontier, waterfalls,
the break-even tornado)."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.channels import CHANNELS, ChannelComparison, ChannelFrontier, Sensitivity, StrategyResult

from ..formatting import ROLE_LABELS, role_labels  # noqa: F401 (role_labels: re-exported)
from .style import figure_layout, money_axis, money_hover, money_text

__all__ = ["comparison_figure", "waterfall_figure", "frontier_figure", "tornado_figure", "format_assumption",
           "STRATEGY_COLORS", "STRATEGY_LABELS", "CHANNEL_LABELS", "ROUTE_LABELS", "route_label", "role_labels"]

STRATEGY_COLORS = {"intensive": "#4c78a8", "selective": "#f58518", "exclusive": "#54a24b"}
STRATEGY_LABELS = {"intensive": "Intensive", "selective": "Selective", "exclusive": "Exclusive"}
CHANNEL_LABELS = ROLE_LABELS
# the waterfall is per path to the shopper (a store's own channel is retailer; its supplier sets the route)
ROUTE_LABELS = {"wholesaler": "Via wholesaler", "retailer": "Retailer (direct)", "distributor": "Via distributor",
                "ecommerce": "E-commerce"}


def route_label(channel: str, role: str) -> str:
    """A path to the shopper in words, by the company's channel name: 'Via Atacado' (a wholesaler
    or distributor role), 'Varejo (direct)' (retailer), 'Marketplace' (e-commerce); the role's
    own label when the channel is named after its role."""
    if channel == role and role in ROUTE_LABELS:
        return ROUTE_LABELS[role]
    if role in ("wholesaler", "distributor"):
        return f"Via {channel}"
    if role == "retailer":
        return f"{channel} (direct)"
    return str(channel)


MONEY_BARS = (("consumer_sales", "Consumer sales"), ("revenue", "Revenue"), ("net_margin", "Net margin"),
              ("cost_to_serve", "Cost to serve"), ("profit", "Profit"))
SHARE_BARS = (("store_reach", "Store reach"), ("online_reach", "Online reach"), ("market_share", "Market share"),
              ("brand_control", "Brand control"), ("cannibalisation", "Cannibalisation"))


def comparison_figure(comparison: ChannelComparison, *, currency: str = "USD") -> go.Figure:
    """Grouped bars: money (millions of ``currency`` per year) and shares (%) per strategy."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        subplot_titles=(f"Money ({money_axis(currency, 'M per year')})", "Shares (%)"))
    for s, r in comparison.strategies.items():
        fig.add_trace(go.Bar(name=STRATEGY_LABELS[s], x=[lbl for _, lbl in MONEY_BARS],
                             y=[getattr(r, k) / 1e6 for k, _ in MONEY_BARS], marker_color=STRATEGY_COLORS[s],
                             legendgroup=s, hovertemplate="%{x}: " + money_hover("y", currency, ",.1f", "M") + "<extra>" + STRATEGY_LABELS[s] + "</extra>"),
                      row=1, col=1)
        fig.add_trace(go.Bar(name=STRATEGY_LABELS[s], x=[lbl for _, lbl in SHARE_BARS],
                             y=[100 * getattr(r, k) for k, _ in SHARE_BARS], marker_color=STRATEGY_COLORS[s],
                             legendgroup=s, showlegend=False,
                             hovertemplate="%{x}: %{y:.1f}%<extra>" + STRATEGY_LABELS[s] + "</extra>"),
                      row=1, col=2)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=money_axis(currency, "M/yr"), row=1, col=1)
    fig.update_yaxes(title_text="%", row=1, col=2)
    return figure_layout(fig, "Strategies side by side", height=360)


def waterfall_figure(result: StrategyResult, *, currency: str = "USD") -> go.Figure:
    """The per-unit margin stack of each path to the shopper the strategy uses (one waterfall each):
    direct to retailers, through wholesalers or distributors to retailers, e-commerce."""
    sold = result.channels[result.channels["units"] > 0]
    order = {r: i for i, r in enumerate(CHANNELS)}
    sold = sold.assign(_o=sold["channel_role"].map(order)).sort_values("_o", kind="stable")
    chans = list(sold["channel"])
    labels = {ch: html.escape(route_label(ch, r)) for ch, r in zip(sold["channel"], sold["channel_role"])}
    fig = make_subplots(rows=1, cols=max(len(chans), 1), shared_yaxes=True,
                        subplot_titles=[labels[c] for c in chans] or [""])
    for i, ch in enumerate(chans, start=1):
        wf = result.waterfall(ch)
        fig.add_trace(go.Waterfall(
            name=labels[ch], x=wf["step"], y=wf["amount"], measure=wf["kind"].tolist(),
            text=[f"{v:,.2f}" for v in wf["amount"]], textposition="outside", cliponaxis=False,
            connector={"line": {"color": "#9fb3c8", "width": 1}},
            increasing={"marker": {"color": "#54a24b"}}, decreasing={"marker": {"color": "#e45756"}},
            totals={"marker": {"color": "#4c78a8"}},
            hovertemplate="%{x}: " + money_hover("y", currency, suffix="/unit") + "<extra>" + labels[ch] + "</extra>"), row=1, col=i)
    fig.update_yaxes(title_text=money_axis(currency, "per unit"), row=1, col=1)
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(showlegend=False)
    return figure_layout(fig, f"Margin stack per unit by path to the shopper: {STRATEGY_LABELS[result.strategy].lower()} "
                              f"(consumer price {money_text(result.consumer_price, currency)})", height=420)


def frontier_figure(front: ChannelFrontier, *, currency: str = "USD") -> go.Figure:
    """Coverage versus profit as outlets are added, with the three strategies and the best size marked."""
    c = front.curve
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        name="Frontier (outlets added by marginal profit)", x=100 * c["store_reach"], y=c["profit"] / 1e6,
        mode="lines+markers", marker={"size": 3, "color": "#7f7f7f"}, line={"color": "#7f7f7f"},
        customdata=np.stack([c["outlets"], c["outlet_id"]], axis=1),
        hovertemplate="%{customdata[0]} outlets (last: %{customdata[1]})<br>store reach %{x:.1f}%<br>"
                      "profit " + money_hover("y", currency, ",.1f", "M") + "<extra></extra>"))
    b = front.best
    fig.add_trace(go.Scatter(name=f"Most profitable: {int(b['outlets'])} outlets", x=[100 * b["store_reach"]],
                             y=[b["profit"] / 1e6], mode="markers",
                             marker={"symbol": "star", "size": 14, "color": "#333333"},
                             hovertemplate="%{x:.1f}% store reach, " + money_hover("y", currency, ",.1f", "M") + "<extra>best</extra>"))
    for _, m in front.marks.iterrows():
        s = m["strategy"]
        fig.add_trace(go.Scatter(name=f"{STRATEGY_LABELS[s]} ({int(m['outlets'])} outlets)",
                                 x=[100 * m["store_reach"]], y=[m["profit"] / 1e6], mode="markers",
                                 marker={"size": 13, "color": STRATEGY_COLORS[s], "line": {"width": 1, "color": "#fff"}},
                                 hovertemplate="%{x:.1f}% store reach, " + money_hover("y", currency, ",.1f", "M") + "<extra>" + STRATEGY_LABELS[s]
                                               + " at its own price</extra>"))
        fig.add_trace(go.Scatter(name=f"{STRATEGY_LABELS[s]} at the curve's price", x=[100 * m["store_reach"]],
                                 y=[m["profit_at_curve_price"] / 1e6], mode="markers", showlegend=False,
                                 marker={"size": 11, "symbol": "circle-open", "color": STRATEGY_COLORS[s],
                                         "line": {"width": 2}},
                                 hovertemplate="%{x:.1f}% store reach, " + money_hover("y", currency, ",.1f", "M") + "<extra>" + STRATEGY_LABELS[s]
                                               + " at the curve's price</extra>"))
    fig.update_xaxes(title_text="Modelled population within reach of a store (%)")
    fig.update_yaxes(title_text=f"Profit ({money_axis(currency, 'M/yr')})")
    return figure_layout(fig, "Store reach versus profit", height=400)


ASSUMPTION_FORMATS = {"share": lambda v: f"{100 * v:.1f}%", "factor": lambda v: f"x{v:.2f}",
                      "number": lambda v: f"{v:,.2f}"}


def format_assumption(unit: str, v: float, *, currency: str = "USD") -> str:
    """An assumption's value in its unit (share, factor, money, number); "none in range" for NaN.
    Money (unit "USD", the workbench's name for money) shows in ``currency``: 'R$0.0120'."""
    if not np.isfinite(v):
        return "none in range"
    if unit == "USD":
        return money_text(v, currency, ",.4f")
    return ASSUMPTION_FORMATS.get(unit, ASSUMPTION_FORMATS["number"])(v)


def tornado_figure(sens: Sensitivity, *, currency: str = "USD") -> go.Figure:
    """Tornado of the best strategy's margin over its strongest rival as each key assumption
    moves over its range (one bar per assumption, widest swing on top), with the break-even
    values in the labels."""
    t = sens.table.iloc[::-1]
    labels = []
    for _, r in t.iterrows():
        be = [v for v in (r["break_even_below"], r["break_even_above"]) if np.isfinite(v)]
        flip = (f"flips at {' / '.join(format_assumption(r['unit'], v, currency=currency) for v in be)}" if be else "no flip in range")
        labels.append(f"{r['label']} (today {format_assumption(r['unit'], r['value'], currency=currency)}; {flip})")
    base = sens.margin / 1e6
    fig = go.Figure()
    for end, color in (("low", "#4c78a8"), ("high", "#f58518")):
        vals = t[f"margin_{end}"].to_numpy(float) / 1e6
        fig.add_trace(go.Bar(
            name=f"At the {end} end of the range", y=labels, x=vals - base, base=base, orientation="h",
            marker_color=color, customdata=np.stack([t[end].map(lambda v: f"{v:,.4g}"), t[f"winner_{end}"]], axis=1),
            hovertemplate="value %{customdata[0]}: margin " + money_hover("x", currency, ",.1f", "M") + " vs today's; winner %{customdata[1]}"
                          "<extra></extra>"))
    fig.add_vline(x=0, line={"color": "#e45756", "width": 2, "dash": "dot"})
    fig.add_vline(x=base, line={"color": "#333333", "width": 1})
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=f"{STRATEGY_LABELS[sens.best]}'s profit over its strongest rival ({money_axis(currency, 'M/yr')}); "
                                "left of the red line another strategy wins")
    return figure_layout(fig, "Which assumption changes the recommendation", height=420)
