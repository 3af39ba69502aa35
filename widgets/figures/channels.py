"""Charts of channel strategies (:class:`workbench.channels.ChannelComparison`, frontier, waterfalls)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.channels import CHANNELS, ChannelComparison, ChannelFrontier, StrategyResult

from .style import figure_layout

__all__ = ["comparison_figure", "waterfall_figure", "frontier_figure", "STRATEGY_COLORS", "STRATEGY_LABELS",
           "CHANNEL_LABELS"]

STRATEGY_COLORS = {"intensive": "#4c78a8", "selective": "#f58518", "exclusive": "#54a24b"}
STRATEGY_LABELS = {"intensive": "Intensive", "selective": "Selective", "exclusive": "Exclusive"}
CHANNEL_LABELS = {"wholesaler": "Wholesaler", "retailer": "Retailer", "distributor": "Distributor",
                  "ecommerce": "E-commerce"}
MONEY_BARS = (("consumer_sales", "Consumer sales"), ("revenue", "Revenue"), ("net_margin", "Net margin"),
              ("cost_to_serve", "Cost to serve"), ("profit", "Profit"))
SHARE_BARS = (("coverage", "Coverage"), ("market_share", "Market share"), ("brand_control", "Brand control"),
              ("cannibalisation", "Cannibalisation"))


def comparison_figure(comparison: ChannelComparison) -> go.Figure:
    """Grouped bars: money (USD M/yr) and shares (%) per strategy."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                        subplot_titles=("Money (USD M per year)", "Shares (%)"))
    for s, r in comparison.strategies.items():
        fig.add_trace(go.Bar(name=STRATEGY_LABELS[s], x=[lbl for _, lbl in MONEY_BARS],
                             y=[getattr(r, k) / 1e6 for k, _ in MONEY_BARS], marker_color=STRATEGY_COLORS[s],
                             legendgroup=s, hovertemplate="%{x}: $%{y:,.1f}M<extra>" + STRATEGY_LABELS[s] + "</extra>"),
                      row=1, col=1)
        fig.add_trace(go.Bar(name=STRATEGY_LABELS[s], x=[lbl for _, lbl in SHARE_BARS],
                             y=[100 * getattr(r, k) for k, _ in SHARE_BARS], marker_color=STRATEGY_COLORS[s],
                             legendgroup=s, showlegend=False,
                             hovertemplate="%{x}: %{y:.1f}%<extra>" + STRATEGY_LABELS[s] + "</extra>"),
                      row=1, col=2)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="USD M/yr", row=1, col=1)
    fig.update_yaxes(title_text="%", row=1, col=2)
    return figure_layout(fig, "Strategies side by side", height=360)


def waterfall_figure(result: StrategyResult) -> go.Figure:
    """The per-unit margin stack of each channel the strategy sells through (one waterfall each)."""
    chans = [c for c in CHANNELS if c in set(result.channels["channel"])]
    fig = make_subplots(rows=1, cols=max(len(chans), 1), shared_yaxes=True,
                        subplot_titles=[CHANNEL_LABELS[c] for c in chans] or [""])
    for i, ch in enumerate(chans, start=1):
        wf = result.waterfall(ch)
        fig.add_trace(go.Waterfall(
            name=CHANNEL_LABELS[ch], x=wf["step"], y=wf["amount"], measure=wf["kind"].tolist(),
            text=[f"{v:,.2f}" for v in wf["amount"]], textposition="outside", cliponaxis=False,
            connector={"line": {"color": "#9fb3c8", "width": 1}},
            increasing={"marker": {"color": "#54a24b"}}, decreasing={"marker": {"color": "#e45756"}},
            totals={"marker": {"color": "#4c78a8"}},
            hovertemplate="%{x}: %{y:$,.2f}/unit<extra>" + CHANNEL_LABELS[ch] + "</extra>"), row=1, col=i)
    fig.update_yaxes(title_text="USD per unit", row=1, col=1)
    fig.update_xaxes(tickangle=-45)
    fig.update_layout(showlegend=False)
    return figure_layout(fig, f"Margin stack per unit by channel: {STRATEGY_LABELS[result.strategy].lower()} "
                              f"(consumer price ${result.consumer_price:,.2f})", height=420)


def frontier_figure(front: ChannelFrontier) -> go.Figure:
    """Coverage versus profit as outlets are added, with the three strategies and the best size marked."""
    c = front.curve
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        name="Frontier (outlets added by marginal profit)", x=100 * c["coverage"], y=c["profit"] / 1e6,
        mode="lines+markers", marker={"size": 3, "color": "#7f7f7f"}, line={"color": "#7f7f7f"},
        customdata=np.stack([c["outlets"], c["outlet_id"]], axis=1),
        hovertemplate="%{customdata[0]} outlets (last: %{customdata[1]})<br>coverage %{x:.1f}%<br>"
                      "profit $%{y:,.1f}M<extra></extra>"))
    b = front.best
    fig.add_trace(go.Scatter(name=f"Most profitable: {int(b['outlets'])} outlets", x=[100 * b["coverage"]],
                             y=[b["profit"] / 1e6], mode="markers",
                             marker={"symbol": "star", "size": 14, "color": "#333333"},
                             hovertemplate="%{x:.1f}% coverage, $%{y:,.1f}M<extra>best</extra>"))
    for _, m in front.marks.iterrows():
        s = m["strategy"]
        fig.add_trace(go.Scatter(name=f"{STRATEGY_LABELS[s]} ({int(m['outlets'])} outlets)",
                                 x=[100 * m["coverage"]], y=[m["profit"] / 1e6], mode="markers",
                                 marker={"size": 13, "color": STRATEGY_COLORS[s], "line": {"width": 1, "color": "#fff"}},
                                 hovertemplate="%{x:.1f}% coverage, $%{y:,.1f}M<extra>" + STRATEGY_LABELS[s]
                                               + "</extra>"))
    fig.update_xaxes(title_text="Population covered (%)")
    fig.update_yaxes(title_text="Profit (USD M/yr)")
    return figure_layout(fig, "Coverage versus profit", height=400)
