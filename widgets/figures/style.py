"""House style for charts."""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = ["figure_layout"]


def figure_layout(fig: go.Figure, title: str, *, height: int = 360, **kwargs) -> go.Figure:
    """House style for charts."""
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=height, template="plotly_white",
                      margin=dict(l=50, r=20, t=45, b=40), legend=dict(orientation="h", y=-0.18), **kwargs)
    return fig
