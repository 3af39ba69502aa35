"""Numbers, colours and the house CSS shared by every screen, report and chart (no widgets here)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from workbench.currency import currency_symbol

__all__ = ["ROLE_LABELS", "role_labels", "PALETTE", "LAYER_COLORS", "format_value", "jsonable", "STYLE", "set_display_currency", "display_currency", "money_unit",
           "MONEY_UNITS"]

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1", "#636363",
)
LAYER_COLORS = {
    "customers": "#1f77b4", "sites": "#7f7f7f", "existing": "#d62728", "plants": "#8c564b",
    "wholesaler": "#9467bd", "retailer": "#2ca02c", "distributor": "#ff7f0e", "ecommerce": "#17becf",
    "orders": "#e377c2",
}



MONEY_UNITS = ("USD", "$", "money")  # units that are money, shown in the display currency
_DISPLAY = {"currency": "USD"}


def set_display_currency(code: str | None) -> None:
    """The currency money is shown in (the open World's, set by every app model)."""
    _DISPLAY["currency"] = (code or "USD").upper()


def display_currency() -> str:
    return _DISPLAY["currency"]


def money_unit(per: str = "", currency: str | None = None) -> str:
    """Money's unit in a label, in ``currency`` (default: the display currency): ``money_unit("/yr", "BRL")``
    is 'BRL/yr', ``money_unit()`` 'USD' for a US company."""
    return (currency or display_currency()).upper() + per


def format_value(value: float | int | str | None, unit: str = "", digits: int | None = None, *,
                 currency: str | None = None) -> str:
    """Readable number: the one formatter of the workbench
    (:func:`workbench.scenarios.kpis.format_number`: the currency's symbol for money, '$0.90' per
    unit, % for shares, k/M for big values), so the apps, the Excel export and the HTML report
    agree. Money is in ``currency`` or the display currency (the open World's)."""
    from workbench.scenarios.kpis import format_number

    return format_number(value, unit, digits, currency=currency or display_currency())


def jsonable(value):
    """Plain Python values for JSON (numpy scalars to numbers, tuples to lists)."""
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


STYLE = """
<style>
.wb-app { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933; }
.wb-title h1 { font-size: 22px; margin: 4px 0 2px 0; }
.wb-title p { margin: 0 0 8px 0; color: #52606d; }
.wb-cards { display: flex; flex-wrap: wrap; gap: 8px; }
.wb-card { border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; min-width: 130px; background: #f8fafc; }
.wb-card .wb-label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #627d98; }
.wb-card .wb-value { font-size: 20px; font-weight: 600; }
.wb-card .wb-sub { font-size: 11px; color: #829ab1; }
.wb-card[title] { cursor: help; }
.wb-info { display: inline-block; width: 11px; height: 11px; border: 1px solid #9fb3c8; border-radius: 50%;
  color: #829ab1; font: italic 600 9px/11px Georgia, serif; text-align: center; text-transform: none;
  letter-spacing: 0; vertical-align: 1px; margin-left: 2px; cursor: help; }
.wb-alert { border-left: 4px solid #d64545; background: #fff5f5; padding: 8px 12px; margin: 6px 0; }
.wb-alert ul { margin: 4px 0 0 18px; padding: 0; }
.wb-note { border-left: 4px solid #3ebd93; background: #effcf6; padding: 6px 12px; margin: 6px 0; }
.wb-busy { color: #486581; font-size: 13px; }
.wb-spinner { display: inline-block; width: 12px; height: 12px; border: 2px solid #9fb3c8; border-top-color: #243b53;
  border-radius: 50%; animation: wb-spin 0.8s linear infinite; vertical-align: middle; margin-right: 6px; }
@keyframes wb-spin { to { transform: rotate(360deg); } }
.wb-table { border-collapse: collapse; font-size: 12px; }
.wb-table th { background: #f0f4f8; text-align: left; padding: 4px 8px; border-bottom: 1px solid #bcccdc; position: sticky; top: 0; }
.wb-table td { padding: 3px 8px; border-bottom: 1px solid #eef2f6; }
.wb-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-legend span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 4px 0 10px; vertical-align: middle; }
.wb-links a, .wb-links b { margin-right: 14px; }
.wb-map .leaflet-container { background: #dce8f2; }
.wb-figure { overflow: hidden; }
.wb-map .leaflet-div-icon { background: transparent; border: none; pointer-events: none; }
.wb-map-label { white-space: nowrap; display: inline-block; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.wb-map-label-dc { font: 600 12px/1.1 -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933; }
.wb-map-label-city { font: 11px/1.1 -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #616e7c; font-style: italic; }
.wb-controls .widget-label { white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.15;
  height: auto; align-self: center; }
.wb-controls .widget-inline-hbox { max-width: 100%; box-sizing: border-box; }
.wb-controls .widget-text input { min-width: 0; box-sizing: border-box; }
.wb-details { font-size: 12px; color: #52606d; margin: 4px 0 6px 0; }
.wb-details summary { cursor: pointer; color: #486581; }
.wb-map-legend .wb-legend { font-size: 12px; color: #3e4c59; margin: 4px 0; }
.wb-figure .wb-chart { width: 100%; height: 100%; }
.wb-section { font-size: 15px; font-weight: 600; margin: 10px 0 4px 0; }
</style>
"""


# the channel model's four economic roles in words
ROLE_LABELS = {"wholesaler": "Wholesaler", "retailer": "Retailer", "distributor": "Distributor",
               "ecommerce": "E-commerce"}


def role_labels(channel_roles: Mapping[str, str]) -> dict[str, str]:
    """Each economic role in words with the company's channels of that role, e.g.
    ``{'wholesaler': 'Atacado (wholesaler)', 'retailer': 'Retailer', ...}`` (just the role's
    label when its channels are named after it or none has the role)."""
    names: dict[str, list[str]] = {}
    for ch, r in channel_roles.items():
        if str(ch).strip().casefold() != r:
            names.setdefault(r, []).append(str(ch))
    return {r: (f"{', '.join(names[r])} ({label.lower()})" if r in names else label)
            for r, label in ROLE_LABELS.items()}
