"""Charts of a route plan (:class:`workbench.routing.RoutingResult`)."""

from __future__ import annotations

import plotly.graph_objects as go

from workbench.routing import RoutingResult, fmt_clock

from ..formatting import PALETTE
from .style import figure_layout

__all__ = ["timeline_figure", "route_colors"]


def route_colors(result: RoutingResult) -> dict[str, str]:
    """A distinct colour per vehicle (in route order)."""
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(result.summary.vehicle)}


def timeline_figure(result: RoutingResult) -> go.Figure:
    """Gantt-style day of each vehicle: driving, waiting and unloading bars on a clock axis (hours)."""
    segs = {"Driving": [], "Waiting": [], "Unloading": []}
    for vehicle, g in result.routes.groupby("vehicle", sort=False):
        g = g.sort_values("seq")
        prev_dep = None
        for r in g.itertuples():
            if r.kind == "depart":
                prev_dep = r.departure_min
                continue
            segs["Driving"].append((vehicle, prev_dep, r.arrival_min, f"to {r.name}"))
            if r.kind == "stop":
                if r.wait_min > 1e-9:
                    segs["Waiting"].append((vehicle, r.arrival_min, r.start_min,
                                            f"{r.name}: window opens {fmt_clock(r.tw_start)}"))
                segs["Unloading"].append((vehicle, r.start_min, r.departure_min,
                                          f"{r.order_id} {r.name}: {r.demand:,.0f} units, "
                                          f"window {fmt_clock(r.tw_start)}-{fmt_clock(r.tw_end)}"))
                prev_dep = r.departure_min
    colors = {"Driving": "#4c78a8", "Waiting": "#f2b701", "Unloading": "#54a24b"}
    fig = go.Figure()
    for name, rows in segs.items():
        if not rows:
            continue
        y = [r[0] for r in rows]
        base = [r[1] / 60.0 for r in rows]
        width = [(r[2] - r[1]) / 60.0 for r in rows]
        text = [f"{r[3]}<br>{fmt_clock(r[1])}-{fmt_clock(r[2])}" for r in rows]
        fig.add_trace(go.Bar(name=name, y=y, x=width, base=base, orientation="h", marker_color=colors[name],
                             hovertext=text, hoverinfo="text", marker_line_width=0))
    vehicles = list(result.summary.vehicle)
    figure_layout(fig, "Each vehicle's day", height=max(260, 70 + 28 * len(vehicles)), barmode="overlay")
    fig.update_xaxes(title_text="time of day (h)", dtick=1)
    fig.update_yaxes(title_text="vehicle", categoryorder="array", categoryarray=vehicles[::-1])
    return fig
