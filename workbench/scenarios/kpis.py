"""What a KPI or column name means on screen and in exports: label, unit, and which way is better.

Apps register their headline KPIs with :func:`register_kpis` (label, unit, better, chart group);
anything not registered is read from the name: ``total_cost_usd`` -> "Total cost" in USD, lower
is better; ``service_within_300km_share`` -> a share, higher is better. Column names of result
tables get units the same way, and from the data dictionary (``workbench.schema``) when the column
is a World column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["KPIInfo", "ChartSpec", "InputInfo", "kpi_info", "register_kpis", "register_charts", "charts_for",
           "register_headline", "headline_kpis", "app_kpis", "kpi_help", "register_inputs", "input_info", "input_registered", "format_input",
           "register_columns", "format_number", "excel_format", "format_kpi", "is_business",
           "readable", "column_unit", "header", "UNIT_LABELS"]


@dataclass(frozen=True)
class KPIInfo:
    """How to show one KPI. ``unit``: 'USD', 'USD/unit', 'share' (0..1), '%', 'km', 'h', 'min',
    'units', 'count' or ''. ``better``: 'lower', 'higher' or None (neither). ``decimals``: digits
    shown (None: the unit's default, see :func:`format_number`). ``solver``: a number about the
    solve (time, optimality gap) rather than a business result; comparisons list it apart, under
    "Solver details", and never chart it."""

    name: str
    label: str
    unit: str = ""
    better: str | None = None
    group: str = ""
    decimals: int | None = None
    solver: bool = False
    help: str = ""


@dataclass(frozen=True)
class InputInfo:
    """How to show one input of a saved scenario: label, unit, and the words for special values
    (``{0: "cheapest number"}``: a DC count of 0 means the cheapest number of DCs)."""

    name: str
    label: str
    unit: str = ""
    special: tuple[tuple[Any, str], ...] = ()


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
_INPUTS: dict[tuple[str, str], InputInfo] = {}
_COLUMNS: dict[tuple[str, str], tuple[str, str]] = {}

UNIT_LABELS = {"USD": "USD", "share": "%", "%": "%", "km": "km", "h": "h", "min": "min", "s": "s", "units": "units",
               "count": "", "kg": "kg", "m3": "m³", "days": "days", "weeks": "weeks", "": ""}

# ---------------------------------------------------------------------------------------
# the one number formatter (app cards and tables, Excel, HTML report)
# ---------------------------------------------------------------------------------------

#: units shown with two decimals by default (a price or a cost per unit reads to the cent)
_CENTS = ("USD/unit", "USD/km", "USD/h", "USD/order", "USD/stop")


def _default_decimals(unit: str, value: float) -> int:
    if unit in _CENTS:
        return 2
    if unit in ("share", "%"):
        return 1
    if unit == "count":
        return 0
    if unit in ("", "ratio"):
        return 2
    if unit in ("USD/yr", "USD/week"):
        return 0
    return 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2


def format_number(value: Any, unit: str = "", decimals: int | None = None, *, compact: bool = True,
                  currency: str = "USD") -> str:
    """A number as the apps, the HTML report and the Excel comments show it.

    ``USD``: ``$59.01M``, ``$412k``, ``$950`` (``compact=False``: ``$59,010,713``); ``USD/unit``
    (and other per-something money): ``$0.90``; ``share`` (0..1): ``90.4%``; ``%`` (already in
    percent): ``12.5%``; ``count``: ``1,234``; other units: thousands separators, ``k``/``M`` for
    big values when ``compact``, then the unit (``413 km``). None and NaN show as ``–``. Money
    carries the symbol of ``currency`` (the World's: ``R$0.90`` for BRL).
    """
    from ..currency import currency_symbol

    sym = currency_symbol(currency)
    if value is None or isinstance(value, str):
        return "–" if value is None else value
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    d = _default_decimals(unit, v) if decimals is None else decimals
    if unit == "share":
        return f"{100 * v:,.{d}f}%"
    if unit == "%":
        return f"{v:,.{d}f}%"
    if unit in _CENTS:
        sign = "-" if v < 0 else ""
        per = unit.split("/", 1)[1]
        return f"{sign}{sym}{abs(v):,.{d}f}" + ("" if per == "unit" else f"/{per}")
    if unit == "ratio":
        return f"{v:,.{2 if decimals is None else decimals}f}×"
    if unit in ("USD", "$", "money", "USD/yr", "USD/week"):
        sign = "-" if v < 0 else ""
        av = abs(v)
        if compact and av >= 1e9:
            return f"{sign}{sym}{av / 1e9:,.2f}B"
        if compact and av >= 1e6:
            return f"{sign}{sym}{av / 1e6:,.2f}M"
        if compact and av >= 1e4:
            return f"{sign}{sym}{av / 1e3:,.0f}k"
        d = decimals if decimals is not None else 0 if av >= 100 or float(av).is_integer() else 2
        return f"{sign}{sym}{av:,.{d}f}"
    av = abs(v)
    if compact and decimals is None and unit != "count" and av >= 1e6:
        # millions from one million up, so neighbouring figures share one scale ("7.15M" next to "34.8M",
        # never "7,146k" next to "34.8M")
        text = f"{v / 1e6:,.{2 if av < 1e7 else 1}f}M"
    elif compact and decimals is None and unit != "count" and av >= 1e5:
        text = f"{v / 1e3:,.0f}k"
    elif decimals is None and float(v).is_integer():
        text = f"{v:,.0f}"
    else:
        text = f"{v:,.{d}f}"
    shown = "" if unit == "count" else UNIT_LABELS.get(unit, unit)
    return f"{text} {shown}".strip()


def excel_format(unit: str, decimals: int | None = None, currency: str = "USD") -> str | None:
    """The Excel number format that shows a value as :func:`format_number` does (uncompacted;
    money with the symbol of ``currency``)."""
    from ..currency import currency_symbol

    sym = currency_symbol(currency).replace('"', "")

    def digits(d: int) -> str:
        return "0" + ("." + "0" * d if d > 0 else "")

    if unit in _CENTS:
        f = f'"{sym}"#,##' + digits(2 if decimals is None else decimals)
        return f"{f};-{f}"
    if unit == "ratio":
        return digits(2 if decimals is None else decimals) + '"×"'
    if unit in ("USD", "$", "money", "USD/yr", "USD/week"):
        f = f'"{sym}"#,##' + digits(0 if decimals is None else decimals)
        return f"{f};-{f}"
    if unit == "share":
        return digits(1 if decimals is None else decimals) + "%"
    if unit == "%":
        return digits(1 if decimals is None else decimals) + '"%"'
    if unit == "count":
        return "#,##0"
    if unit in ("km", "h", "min", "s", "kg", "t", "m3", "days", "weeks", "units/yr", "units/week", "units", "km/h"):
        return "#,##" + digits(1 if decimals is None else decimals)
    if decimals is not None:
        return "#,##" + digits(decimals)
    return None


def format_kpi(name: str, value: Any, app: str | None = None, *, compact: bool = True, currency: str = "USD") -> str:
    """A KPI's value as its registration says (unit and decimals)."""
    info = kpi_info(name, app)
    return format_number(value, info.unit, info.decimals, compact=compact, currency=currency)


def is_business(name: str, app: str | None = None) -> bool:
    """Whether a KPI is a business result (False for solver details: solve time, optimality gap)."""
    return not kpi_info(name, app).solver

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
_SOLVER = re.compile(r"^(seconds|solve_seconds|solve_time(_s)?|gap|mip_gap|optimality_gap|iterations|nodes)$")
_COUNT = re.compile(r"^(n_|num_|number_of_)|(_count|_n)$|^(vehicles|routes|stops|sites|dcs|orders|customers|"
                    r"outlets|open_sites|open_dcs|dc_count)$")


def _strip_unit(name: str) -> tuple[str, str]:
    lower = name.lower()
    for suffix, unit in _UNIT_SUFFIX:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return name[: -len(suffix)], unit
    return name, ""


#: code names of result columns whose words are not their spelling
COLUMN_WORDS = {
    "seq": "Stop no.", "kind": "Stop type", "lat": "Latitude", "lon": "Longitude", "tw_start": "Window opens",
    "tw_end": "Window closes", "unique_id": "Series", "ds": "Week", "y": "Units",
}


def readable(name: str) -> str:
    """``total_cost_usd`` -> 'Total cost' (unit suffixes dropped; acronyms kept upper case; code
    names such as ``tw_start`` in words, :data:`COLUMN_WORDS`)."""
    if str(name) in COLUMN_WORDS:
        return COLUMN_WORDS[str(name)]
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
    return KPIInfo(name=name, label=readable(name), unit=_guess_unit(name), better=_guess_better(name),
                   solver=bool(_SOLVER.search(name.lower())))


def app_kpis(app: str) -> list[KPIInfo]:
    """Every KPI registered for ``app``, in registration order (the apps' cards and comparisons read them)."""
    return [info for (a, _), info in _REGISTRY.items() if a == app]


def kpi_help(name: str, app: str | None = None) -> str:
    """What a KPI is and how it is computed, in words (its registration's ``help``; '' when none)."""
    return kpi_info(name, app).help


def register_kpis(app: str, infos: Iterable[KPIInfo] | Mapping[str, tuple]) -> None:
    """Declare how an app's KPIs are shown: ``KPIInfo``s, or {name: (label, unit, better[, group])}."""
    if isinstance(infos, Mapping):
        infos = [KPIInfo(name, *spec) for name, spec in infos.items()]
    for info in infos:
        _REGISTRY[(app, info.name)] = info


def register_inputs(app: str, infos: Iterable[InputInfo]) -> None:
    """Declare how an app's saved inputs read (label, unit, words for special values)."""
    for info in infos:
        _INPUTS[(app, info.name)] = info


def input_registered(name: str, app: str | None = None) -> bool:
    """Whether ``app`` registered how the input ``name`` reads (else its label and unit are guessed)."""
    return app is not None and (app, name) in _INPUTS


def input_info(name: str, app: str | None = None) -> InputInfo:
    """An input's registration, else its name made readable with a unit read from the name."""
    if app is not None and (app, name) in _INPUTS:
        return _INPUTS[(app, name)]
    base = name.split(".")[-1]
    return InputInfo(name, " / ".join(readable(x) for x in name.split(".")) if "." in name else readable(base),
                     _guess_unit(base) if _guess_unit(base) != "count" else "")


def format_input(name: str, value: Any, app: str | None = None) -> tuple[str, Any, str]:
    """``(label, value, unit)`` of one saved input, for display: a special value as its words
    ("cheapest number" for a DC count of 0), yes/no, lists as comma-separated text, numbers kept
    with their unit (format them with :func:`format_number` or :func:`excel_format`)."""
    info = input_info(name, app)
    for raw, words in info.special:
        if value == raw and type(value) is not bool:
            return info.label, words, ""
    if isinstance(value, bool):
        return info.label, "yes" if value else "no", ""
    if isinstance(value, (int, float)):
        return info.label, value, info.unit
    if isinstance(value, (list, tuple)):
        return info.label, ", ".join(str(v) for v in value) if value else "none", ""
    return info.label, value, ""


def register_columns(app: str, table: str, columns: Mapping[str, tuple[str, str]]) -> None:
    """Declare the label and unit of columns of an app's result table ({column: (label, unit)}).

    Result tables may reuse a World column's name for another quantity (the network design's
    ``sites.handling_cost`` is the year's total, the World's is per unit): a registration here
    wins over the data dictionary."""
    for col, spec in columns.items():
        _COLUMNS[(f"{app}:{table}", col)] = spec


def result_column(app: str | None, table: str, column: str) -> tuple[str, str] | None:
    """The registered ``(label, unit)`` of a result-table column, or None."""
    return _COLUMNS.get((f"{app}:{table}", column)) if app else None


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
    names = [n for n in dict.fromkeys(kpi_names) if is_business(n, app)]
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
