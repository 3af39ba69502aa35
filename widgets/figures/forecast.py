"""Charts of a demand forecast and an inventory plan."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.forecast.planning import AllSeriesForecast
from workbench.inventory import InventoryPlan

from ..formatting import PALETTE
from .style import figure_layout

__all__ = ["forecast_figure", "projection_figure", "all_series_figure"]


def forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, *, title: str = "Demand",
                    show_weeks: int = 104) -> go.Figure:
    """History, forecast and 80%/95% intervals of one series (traces: History, 95%, 80%, Forecast)."""
    h = history.tail(show_weeks)
    f = forecast
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=h["ds"], y=h["y"], name="History", mode="lines", line=dict(color="#52606d", width=1.5)))
    if len(f):
        x = list(f["ds"]) + list(f["ds"])[::-1]
        for lv, alpha in ((95, 0.15), (80, 0.3)):
            if f"lo-{lv}" in f:
                fig.add_trace(go.Scatter(x=x, y=list(f[f"hi-{lv}"]) + list(f[f"lo-{lv}"])[::-1], name=f"{lv}% interval",
                                         fill="toself", fillcolor=f"rgba(31,119,180,{alpha})", line=dict(width=0),
                                         hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=f["ds"], y=f["yhat"], name="Forecast", mode="lines+markers",
                                 line=dict(color=PALETTE[0], width=2), marker=dict(size=4)))
    if "promotion" in h and h["promotion"].astype(float).gt(0).any():
        p = h[h["promotion"].astype(float) > 0]
        fig.add_trace(go.Scatter(x=p["ds"], y=p["y"], name="Promotion weeks", mode="markers",
                                 marker=dict(color="#f58518", size=6, symbol="diamond")))
    figure_layout(fig, title, xaxis_title="Week", yaxis_title="Units per week")
    return fig


def projection_figure(plan: InventoryPlan, *, title: str = "Projected stock") -> go.Figure:
    """Projected on-hand stock per series with its reorder point (dashed), one colour per series."""
    fig = go.Figure()
    proj = plan.projection
    for i, (uid, g) in enumerate(proj.groupby("unique_id", sort=False)):
        c = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=g["ds"], y=g["on_hand"], name=uid, mode="lines", line=dict(color=c, width=2),
                                 legendgroup=uid))
        fig.add_trace(go.Scatter(x=g["ds"], y=g["reorder_point"], name=f"{uid} reorder point", mode="lines",
                                 line=dict(color=c, width=1, dash="dash"), legendgroup=uid, showlegend=False))
        hit = g[g["at_or_below_rop"]]
        if len(hit):
            fig.add_trace(go.Scatter(x=hit["ds"].iloc[:1], y=hit["on_hand"].iloc[:1], mode="markers",
                                     name=f"{uid} reaches reorder point", marker=dict(color=c, size=9, symbol="x"),
                                     legendgroup=uid, showlegend=False))
    figure_layout(fig, title, xaxis_title="Week", yaxis_title="Units on hand (end of week)")
    fig.update_xaxes(tickformat="%d %b %Y")   # one line of tick labels: the axis title stays clear of the legend
    return fig


def all_series_figure(forecast: AllSeriesForecast) -> go.Figure:
    """Bottom-up forecast of every region (one line each) and the company total (thick line)."""
    fig = go.Figure()
    totals = forecast.totals
    for i, (uid, g) in enumerate(totals[totals["level"] == "region"].groupby("unique_id")):
        fig.add_trace(go.Scatter(x=g["ds"], y=g["yhat"], name=uid.split("|")[1], mode="lines",
                                 line=dict(color=PALETTE[i % len(PALETTE)])))
    t = totals[totals["level"] == "total"]
    fig.add_trace(go.Scatter(x=t["ds"], y=t["yhat"], name="Total", mode="lines", line=dict(color="#243b53", width=3)))
    figure_layout(fig, "Bottom-up forecast per region and total", xaxis_title="Week", yaxis_title="Units per week")
    return fig

