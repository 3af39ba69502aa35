"""What a KPI or column name means on screen and in exports: label, unit, and which way is better.

Apps register their headline KPIs with :func:`register_kpis` (label, unit, better, chart group);
anything not registered is read from the name: ``total_cost_usd`` -> "Total cost" in USD, lower
is better; ``service_within_300km_share`` -> a share, higher is better. Column names of result
tables get units the same way, and from the data dictionary (``workbench.schema``) when the column
is a World column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = ["KPIInfo", "ChartSpec", "kpi_info", "register_kpis", "register_charts", "charts_for",
           "register_headline", "headline_kpis",
           "readable", "column_unit", "header", "UNIT_LABELS"]


@dataclass(frozen=True)
class KPIInfo:
    """How to show one KPI. ``unit``: 'USD', 'share' (0..1), '%', 'km', 'h', 'min', 'units', 'count'
    or ''. ``better``: 'lower', 'higher' or None (neither)."""

    name: str
    label: str
    unit: str = ""
    better: str | None = None
    group: str = ""


@dataclass(frozen=True)
class ChartSpec:
    """A chart of KPIs that matter for an app: ``kind`` 'stacked' (parts of a whole, e.g. cost
    breakdown) or 'bar' (one bar group per KPI)."""

    title: str
    kpis: tuple[str, ...]
    kind: str = "bar"
    unit: str = ""


_REGISTRY: dict[tuple[str, str], KPIInfo] = {}
_CHARTS: dict[str, tuple[ChartSpec, ...]] = {}
_HEADLINES: dict[str, tuple[str, ...]] = {}

UNIT_LABELS = {"USD": "USD", "share": "%", "%": "%", "km": "km", "h": "h", "min": "min", "s": "s", "units": "units",
               "count": "", "kg": "kg", "m3": "m³", "days": "days", "weeks": "weeks", "": ""}

_ACRONYMS = {"dc": "DC", "dcs": "DCs", "mape": "MAPE", "wape": "WAPE", "smape": "sMAPE", "rmse": "RMSE",
             "mae": "MAE", "mase": "MASE", "sku": "SKU", "skus": "SKUs", "usd": "USD", "kpi": "KPI", "id": "ID",
             "vrp": "VRP", "eoq": "EOQ", "rop": "ROP", "km": "km", "co2": "CO₂", "ss": "SS", "cv": "CV"}
_UNIT_SUFFIX = [("_usd", "USD"), ("_dollars", "USD"), ("_share", "share"), ("_pct", "%"), ("_percent", "%"),
                ("_km", "km"), ("_kmh", "km/h"), ("_hours", "h"), ("_h", "h"), ("_min", "min"), ("_minutes", "min"),
                ("_units", "units"), ("_kg", "kg"), ("_m3", "m3"), ("_days", "days"), ("_weeks", "weeks")]
_MONEY = re.compile(r"(cost|profit|revenue|margin_usd|spend|price|fee|capex|opex|value_usd|contribution)")
_LOWER = re.compile(r"(cost|distance|_km|time|hours|duration|error|mape|wape|rmse|mae|mase|bias_abs|late|"
                    r"stockout|lost|shortage|unserved|unassigned|vehicles|trucks|co2|emission|overtime|waiting)")
_HIGHER = re.compile(r"(profit|revenue|margin|service|fill_rate|coverage|covered|within|capture|served|"
                     r"utili[sz]ation|accuracy|on_time)")
_COUNT = re.compile(r"^(n_|num_|number_of_)|(_count|_n)$|^(vehicles|routes|stops|sites|dcs|orders|customers|"
                    r"outlets|open_sites|open_dcs|dc_count)$")


def _strip_unit(name: str) -> tuple[str, str]:
    lower = name.lower()
    for suffix, unit in _UNIT_SUFFIX:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return name[: -len(suffix)], unit
    return name, ""


def readable(name: str) -> str:
    """``total_cost_usd`` -> 'Total cost' (unit suffixes dropped; acronyms kept upper case)."""
    base, _ = _strip_unit(str(name))
    words = [w for w in re.split(r"[_\s]+", base) if w]
    if not words:
        return str(name)
    out = [_ACRONYMS.get(w.lower(), w) for w in words]
    first = out[0]
    if first == words[0]:
        out[0] = first[:1].upper() + first[1:]
    return " ".join(out)


def _guess_unit(name: str) -> str:
    _, unit = _strip_unit(name)
    if unit:
        return unit
    lower = name.lower()
    if _MONEY.search(lower):
        return "USD"
    if lower.endswith(("share", "_rate", "fill_rate", "coverage", "utilisation", "utilization")):
        return "share"
    if _COUNT.search(lower):
        return "count"
    return ""


def _guess_better(name: str) -> str | None:
    lower = name.lower()
    if _HIGHER.search(lower) and not re.search(r"(cost|lost|error)", lower):
        return "higher"
    if _LOWER.search(lower):
        return "lower"
    return None


def kpi_info(name: str, app: str | None = None) -> KPIInfo:
    """Label, unit and direction of a KPI: the app's registration, else read from the name."""
    if app is not None and (app, name) in _REGISTRY:
        return _REGISTRY[(app, name)]
    if ("*", name) in _REGISTRY:
        return _REGISTRY[("*", name)]
    return KPIInfo(name=name, label=readable(name), unit=_guess_unit(name), better=_guess_better(name))


def register_kpis(app: str, infos: Iterable[KPIInfo] | Mapping[str, tuple]) -> None:
    """Declare how an app's KPIs are shown: ``KPIInfo``s, or {name: (label, unit, better[, group])}."""
    if isinstance(infos, Mapping):
        infos = [KPIInfo(name, *spec) for name, spec in infos.items()]
    for info in infos:
        _REGISTRY[(app, info.name)] = info


def register_charts(app: str, charts: Iterable[ChartSpec]) -> None:
    """Declare the KPI charts the comparison shows for an app."""
    _CHARTS[app] = tuple(charts)


def register_headline(app: str, kpis: Iterable[str]) -> None:
    """Declare the few KPIs that sum an app's scenario up in lists (most important first)."""
    _HEADLINES[app] = tuple(kpis)


def headline_kpis(app: str, available: Iterable[str], n: int = 3) -> list[str]:
    """The app's headline KPIs that are available, then the other available ones, ``n`` in all."""
    have = list(dict.fromkeys(available))
    first = [k for k in _HEADLINES.get(app, ()) if k in have]
    return (first + [k for k in have if k not in first])[:n]


def charts_for(app: str, kpi_names: Iterable[str]) -> list[ChartSpec]:
    """The charts for an app, keeping only KPIs the scenarios have; a default set when none are
    registered: a stacked cost breakdown when there are several cost parts, then one chart per unit."""
    names = list(dict.fromkeys(kpi_names))
    have = set(names)
    registered = _CHARTS.get(app)
    if registered:
        out = []
        for c in registered:
            ks = tuple(k for k in c.kpis if k in have)
            if ks:
                out.append(ChartSpec(c.title, ks, c.kind, c.unit))
        if out:
            return out
    infos = [kpi_info(n, app) for n in names]
    charts: list[ChartSpec] = []
    costs = [i.name for i in infos if i.unit == "USD" and "cost" in i.name.lower()
             and not re.search(r"(^|_)(total|sum|all)(_|$)", i.name.lower())]
    used: set[str] = set()
    if len(costs) >= 2:
        charts.append(ChartSpec("Cost breakdown", tuple(costs), "stacked", "USD"))
        used.update(costs)
    by_unit: dict[str, list[str]] = {}
    for i in infos:
        if i.name in used:
            continue
        by_unit.setdefault(i.unit, []).append(i.name)
    titles = {"USD": "Money", "share": "Shares", "%": "Percentages", "km": "Distances", "h": "Hours",
              "min": "Minutes", "count": "Counts", "units": "Volumes", "": "Other KPIs"}
    for unit, ks in by_unit.items():
        charts.append(ChartSpec(titles.get(unit, unit), tuple(ks), "bar", unit))
    return charts


def column_unit(column: str, table: str | None = None) -> str:
    """The unit of a result-table column: the data dictionary's when it is a World column, else read
    from the name (``distance_km`` -> km, ``cost`` -> USD, ``*_share`` -> share)."""
    try:
        from ..schema import SCHEMAS
    except Exception:  # pragma: no cover - schema always importable in the package
        SCHEMAS = {}
    candidates = [SCHEMAS[table]] if table in SCHEMAS else list(SCHEMAS.values())
    for schema in candidates:
        for c in getattr(schema, "columns", ()):
            if c.name == column and getattr(c, "unit", ""):
                return _normalise_schema_unit(c.unit)
    unit = _guess_unit(column)
    return "" if unit == "count" else unit


def _normalise_schema_unit(unit: str) -> str:
    u = unit.strip()
    low = u.lower()
    if low in ("usd", "$"):
        return "USD"
    if low == "fraction":
        return "share"
    if low in ("degrees", "deg", "degree"):
        return "°"
    if low in ("text", "id", "date", "yes/no", "true/false", "bool"):
        return ""
    return u


def header(column: str, unit: str | None = None, table: str | None = None) -> str:
    """A readable column header with its unit: ``distance_km`` -> 'Distance (km)'."""
    unit = column_unit(column, table) if unit is None else unit
    label = readable(column)
    shown = UNIT_LABELS.get(unit, unit)
    return f"{label} ({shown})" if shown else label
