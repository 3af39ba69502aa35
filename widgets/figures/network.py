"""Charts of a network design (:class:`workbench.network.NetworkResult`, :class:`SweepResult`)."""

from __future__ import annotations

import plotly.graph_objects as go

from workbench.network import FrontierResult, NetworkResult, SweepResult

from ..formatting import PALETTE
from .style import figure_layout, money_axis, money_hover, money_text

__all__ = ["cost_figure", "tradeoff_figure", "frontier_figure", "dc_colors", "COMPONENTS"]

COMPONENTS = (("fixed_cost", "Fixed", "#4c78a8"), ("handling_cost", "Handling", "#f58518"),
              ("inbound_cost", "Inbound", "#54a24b"), ("outbound_cost", "Outbound", "#e45756"),
              ("inventory_cost", "Inventory", "#b279a2"), ("carbon_cost", "Carbon", "#72b7b2"))
#: components shown only when the design has them
OPTIONAL = ("inbound_cost", "inventory_cost", "carbon_cost")

def dc_colors(result: NetworkResult) -> dict[str, str]:
    """A distinct colour per open DC (in site order)."""
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(result.open_site_ids)}



def cost_figure(result: NetworkResult, *, currency: str = "USD") -> go.Figure:
    """Stacked cost per open DC (fixed, handling, inbound, outbound), per year in ``currency`` (the World's)."""
    s = result.open_sites.sort_values("total_cost", ascending=False)
    fig = go.Figure()
    for col, label, color in COMPONENTS:
        if col in OPTIONAL and getattr(result, col) == 0:
            continue
        fig.add_trace(go.Bar(name=label, x=s.site_id, y=s[col], marker_color=color,
                             hovertemplate="%{x}: " + money_hover("y", currency, ",.0f") + "<extra>" + label + "</extra>"))
    total = result.total_cost
    parts = ", ".join(f"{label.lower()} {money_text(getattr(result, col) / 1e6, currency, ',.1f', 'M')}" for col, label, _ in COMPONENTS
                      if getattr(result, col) > 0 or col not in OPTIONAL)
    figure_layout(fig, f"Cost per DC: total {money_text(total / 1e6, currency, suffix='M')} per year ({parts})", barmode="stack", height=340)
    fig.update_yaxes(title_text=money_axis(currency, "per year"))
    fig.update_xaxes(title_text="DC")
    return fig


def tradeoff_figure(sweep: SweepResult | None, current: NetworkResult | None, *, currency: str = "USD") -> go.Figure:
    """Total cost and mean distance against the number of DCs, the current design marked."""
    # a cost axis and a distance axis on the right: the layout make_subplots(secondary_y) gives,
    # written out (make_subplots takes 40-70 ms, redrawn on every design)
    fig = go.Figure(layout=dict(xaxis=dict(anchor="y", domain=[0.0, 0.94]), yaxis=dict(anchor="x", domain=[0.0, 1.0]),
                                yaxis2=dict(anchor="x", overlaying="y", side="right")))
    if sweep is not None:
        c = sweep.curve()
        fig.add_trace(go.Scatter(name="Total cost", x=c.dc_count, y=c.total_cost / 1e6, mode="lines+markers",
                                 line=dict(color="#4c78a8"), hovertemplate="%{x} DCs: " + money_hover("y", currency, suffix="M") + "<extra></extra>",
                                 xaxis="x", yaxis="y"))
        fig.add_trace(go.Scatter(name="Mean distance", x=c.dc_count, y=c.mean_distance_km, mode="lines+markers",
                                 line=dict(color="#e45756", dash="dot"),
                                 hovertemplate="%{x} DCs: %{y:,.0f} km<extra></extra>", xaxis="x", yaxis="y2"))
        if len(c) and (c["inventory_cost"] > 0).any():
            # the classic shape: transport falls, facility and inventory costs rise with the DCs
            parts = (("Facilities", c.fixed_cost + c.handling_cost, "#4c78a8"),
                     ("Transport", c.outbound_cost + c.inbound_cost, "#e45756"),
                     ("Inventory", c.inventory_cost, "#b279a2"))
            for name, y, color in parts:
                fig.add_trace(go.Scatter(name=name, x=c.dc_count, y=y / 1e6, mode="lines", line=dict(color=color, width=1.5),
                                         hovertemplate="%{x} DCs: " + money_hover("y", currency, suffix="M") + "<extra>" + name + "</extra>",
                                         xaxis="x", yaxis="y"))
    if current is not None:
        fig.add_trace(go.Scatter(name="Current design", x=[current.dc_count], y=[current.total_cost / 1e6],
                                 mode="markers", marker=dict(symbol="star", size=16, color="#111111"),
                                 hovertemplate="current: %{x} DCs, " + money_hover("y", currency, suffix="M") + "<extra></extra>",
                                 xaxis="x", yaxis="y"))
    title = "Trade-off: cost and service against the number of DCs"
    if sweep is None:
        title += " (press 'Trade-off curve')"
    figure_layout(fig, title, height=340)
    fig.update_xaxes(title_text="number of DCs", dtick=1)
    fig.update_layout(yaxis_title_text=f"total cost ({money_axis(currency, 'M per year')})",
                      yaxis2_title_text="mean distance (km)")
    return fig


def frontier_figure(frontier: FrontierResult | None, current: NetworkResult | None, *, currency: str = "USD") -> go.Figure:
    """Cost (without the carbon charge) against CO2e: one point per carbon price, the Pareto designs joined."""
    fig = go.Figure()
    if frontier is not None:
        t = frontier.table[frontier.table["status"].isin(["optimal", "feasible"])]
        c = frontier.curve()
        fig.add_trace(go.Scatter(name="Frontier", x=c.co2_t / 1000, y=c.cost / 1e6, mode="lines+markers",
                                 line=dict(color="#54a24b"), customdata=c[["carbon_price", "dc_count"]],
                                 hovertemplate="%{x:,.2f} kt CO2e, " + money_hover("y", currency, suffix="M") + "<br>carbon price "
                                               + money_hover("customdata[0]", currency, ",.0f", "/t") + ", "
                                               "%{customdata[1]} DCs<extra></extra>"))
        other = t[~t["pareto"]]
        if len(other):
            fig.add_trace(go.Scatter(name="Dominated", x=other.co2_t / 1000, y=other.cost / 1e6, mode="markers",
                                     marker=dict(color="#bab0ac")))
    if current is not None and current.co2_kg == current.co2_kg:
        fig.add_trace(go.Scatter(name="Current design", x=[current.co2_kg / 1e6],
                                 y=[(current.total_cost - current.carbon_cost) / 1e6], mode="markers",
                                 marker=dict(symbol="star", size=16, color="#111111"),
                                 hovertemplate="current: %{x:,.2f} kt CO2e, " + money_hover("y", currency, suffix="M") + "<extra></extra>"))
    title = "Cost against CO2e (one point per carbon price)"
    if frontier is None:
        title += " (press 'Cost-CO2 frontier')"
    figure_layout(fig, title, height=340)
    fig.update_xaxes(title_text="CO2e (kt per year)")
    fig.update_yaxes(title_text=f"cost without carbon charge ({money_axis(currency, 'M per year')})")
    return fig
