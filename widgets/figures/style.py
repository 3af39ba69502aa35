"""House style for charts, and money in chart labels in the World's currency."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from workbench.currency import currency_symbol

__all__ = ["figure_layout", "money_axis", "money_hover", "money_text"]


TEMPLATE = "plotly_white"


def _set_template(fig: go.Figure) -> None:
    """The house template on ``fig`` without validating it again.

    plotly validates and deep-copies a template on every assignment (15-20 ms a chart, most of
    a chart's build time); a registered template is valid already, and plotly assigns its own
    default template the same way (``BaseFigure._initialize_layout_template``). The figure's
    JSON is the same either way.
    """
    layout = fig.layout
    if not hasattr(layout, "_validate"):   # another plotly: the plain, validated way
        fig.update_layout(template=TEMPLATE)
        return
    layout._validate = False
    try:
        layout.template = pio.templates[TEMPLATE]
    finally:
        layout._validate = True


def figure_layout(fig: go.Figure, title: str, *, height: int = 360, **kwargs) -> go.Figure:
    """House style for charts."""
    _set_template(fig)
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=height,
                      margin=dict(l=50, r=20, t=45, b=40), legend=dict(orientation="h", y=-0.18), **kwargs)
    return fig


def money_axis(currency: str = "USD", unit: str = "") -> str:
    """An axis title for money in ``currency`` (its ISO code): ``money_axis("BRL", "M per year")``
    is 'BRL M per year'; without ``unit`` just the code."""
    code = (currency or "USD").upper()
    return f"{code} {unit}".rstrip() if unit else code


def money_hover(field: str, currency: str = "USD", fmt: str = ",.2f", suffix: str = "") -> str:
    """A plotly hovertemplate piece for an amount in ``currency``: ``money_hover("y", "BRL", ",.1f", "M")``
    is 'R$%{y:,.1f}M' (the symbol, not plotly's '$' format, so any currency reads right)."""
    return f"{currency_symbol(currency)}%{{{field}:{fmt}}}{suffix}"


def money_text(value: float, currency: str = "USD", fmt: str = ",.2f", suffix: str = "") -> str:
    """An amount in ``currency`` for a chart title or label: ``money_text(1.5, "BRL", suffix="M")`` is 'R$1.50M'."""
    return f"{currency_symbol(currency)}{value:{fmt}}{suffix}"
