"""Charts of a network design (:class:`workbench.network.NetworkResult`, :class:`SweepResult`)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.network import NetworkResult, SweepResult

from ..formatting import PALETTE
from .style import figure_layout

__all__ = ["cost_figure", "tradeoff_figure", "dc_colors", "COMPONENTS"]

COMPONENTS = (("fixed_cost", "Fixed", "#4c78a8"), ("handling_cost", "Handling", "#f58518"),
              ("inbound_cost", "Inbound", "#54a24b"), ("outbound_cost", "Outbound", "#e45756"))

def dc_colors(result: NetworkResult) -> dict[str, str]:
    """A distinct colour per open DC (in site order)."""
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(result.open_site_ids)}



def cost_figure(result: NetworkResult) -> go.Figure:
    """Stacked cost per open DC (fixed, handling, inbound, outbound), USD per year."""
    s = result.open_sites.sort_values("total_cost", ascending=False)
    fig = go.Figure()
    for col, label, color in COMPONENTS:
        if col == "inbound_cost" and result.inbound_cost == 0:
            continue
        fig.add_trace(go.Bar(name=label, x=s.site_id, y=s[col], marker_color=color,
                             hovertemplate="%{x}: %{y:$,.0f}<extra>" + label + "</extra>"))
    total = result.total_cost
    parts = ", ".join(f"{label.lower()} ${getattr(result, col) / 1e6:,.1f}M" for col, label, _ in COMPONENTS
                      if getattr(result, col) > 0 or col != "inbound_cost")
    figure_layout(fig, f"Cost per DC: total ${total / 1e6:,.2f}M per year ({parts})", barmode="stack", height=340)
    fig.update_yaxes(title_text="USD per year")
    fig.update_xaxes(title_text="DC")
    return fig


def tradeoff_figure(sweep: SweepResult | None, current: NetworkResult | None) -> go.Figure:
    """Total cost and mean distance against the number of DCs, the current design marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if sweep is not None:
        c = sweep.curve()
        fig.add_trace(go.Scatter(name="Total cost", x=c.dc_count, y=c.total_cost / 1e6, mode="lines+markers",
                                 line=dict(color="#4c78a8"), hovertemplate="%{x} DCs: $%{y:,.2f}M<extra></extra>"),
                      secondary_y=False)
        fig.add_trace(go.Scatter(name="Mean distance", x=c.dc_count, y=c.mean_distance_km, mode="lines+markers",
                                 line=dict(color="#e45756", dash="dot"),
                                 hovertemplate="%{x} DCs: %{y:,.0f} km<extra></extra>"), secondary_y=True)
    if current is not None:
        fig.add_trace(go.Scatter(name="Current design", x=[current.dc_count], y=[current.total_cost / 1e6],
                                 mode="markers", marker=dict(symbol="star", size=16, color="#111111"),
                                 hovertemplate="current: %{x} DCs, $%{y:,.2f}M<extra></extra>"), secondary_y=False)
    title = "Trade-off: cost and service against the number of DCs"
    if sweep is None:
        title += " (press 'Trade-off curve')"
    figure_layout(fig, title, height=340)
    fig.update_xaxes(title_text="number of DCs", dtick=1)
    fig.update_yaxes(title_text="total cost (USD M per year)", secondary_y=False)
    fig.update_yaxes(title_text="mean distance (km)", secondary_y=True)
    return fig
