"""Scenarios to an Excel workbook a client can keep.

Sheets, in order:

* ``Comparison``: every business KPI (readable name and unit), the baseline's value, and per
  scenario its value, the change and the % change against the baseline; below it, apart, the
  "Solver details" (solve time, optimality gap), which are not business results;
* ``Scenarios``: one row per scenario (sheet prefix, name, app, note, data version, dates);
* per scenario ``S1 Inputs`` (each choice in words: "cheapest number" for a DC count left free),
  ``S1 KPIs`` (KPI, value, unit; solver details apart) and one sheet per non-empty result table
  (``S1 flows``, ...), with readable headers that carry units.

Headers are frozen, tables have filters, numbers carry the formats of the KPI registry
(:func:`workbench.scenarios.kpis.excel_format`: "$0.90" for a cost per unit, "$59,010,713" for a
total, "90.4%" for a share), so a cell reads as the app shows it.
The file is written to a temporary name and moved into place.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import codec
from ..currency import excel_money_format
from ..excel import text_not_formulas
from .apps import app_title
from .compare import Comparison, compare
from .errors import ScenarioError
from .kpis import UNIT_LABELS, column_unit, excel_format, format_input, header, kpi_info, readable, result_column
from .store import Scenario

__all__ = ["export_excel", "number_format", "flatten_inputs"]

MAX_ROWS = 1_048_576 - 10
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_HEAD_FILL = "DCE6F0"


def number_format(unit: str, decimals: int | None = None, currency: str = "USD") -> str | None:
    """The Excel number format for a unit, money in ``currency`` (the scenarios' World's); see
    :func:`workbench.scenarios.kpis.excel_format`."""
    return excel_format(unit, decimals, currency)


def flatten_inputs(inputs: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Inputs as (dotted name, cell value) pairs; lists become comma-separated text."""
    out: list[tuple[str, Any]] = []
    for k, v in inputs.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.extend(flatten_inputs(v, key + "."))
        elif isinstance(v, (list, tuple, set, frozenset)):
            out.append((key, ", ".join(str(codec.to_jsonable(x)) for x in v)))
        else:
            out.append((key, _cell(v)))
    return out


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v
    if isinstance(v, (dt.date, dt.time, str)):
        return v
    if isinstance(v, (pd.Timedelta, dt.timedelta)):
        return str(v)
    j = codec.to_jsonable(v)
    return j if isinstance(j, (int, float, str)) or j is None else str(j)


def _sheet_title(text: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub(" ", text).strip().strip("'")[:31] or "Sheet"
    title, i = base, 2
    while title.lower() in used:
        suffix = f" ({i})"
        title = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(title.lower())
    return title


class _Writer:
    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.used: set[str] = set()

    def sheet(self, title: str):
        return self.wb.create_sheet(_sheet_title(title, self.used))

    def table(self, ws, caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              formats: Sequence[str | None] | None = None, widths: Sequence[float] | None = None,
              start_row: int = 1, converted: bool = False) -> int:
        """Caption on ``start_row``, header on the next-but-one row, data below. Returns the last row."""
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        ws.cell(row=start_row, column=1, value=caption).font = Font(bold=True, size=13)
        hr = start_row + 2
        for j, h in enumerate(headers, start=1):
            c = ws.cell(row=hr, column=j, value=h)
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor=_HEAD_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        r = hr
        lengths = [len(str(h)) for h in headers]
        fmts = list(formats or []) + [None] * (len(headers) - len(formats or []))
        cell = ws.cell
        for r_i, row in enumerate(rows, start=hr + 1):
            r = r_i
            for j, v in enumerate(row, start=1):
                if not converted:
                    v = _cell(v)
                if v is None:
                    continue
                c = cell(row=r, column=j, value=v)
                f = fmts[j - 1]
                if f and v.__class__ in (int, float):
                    c.number_format = f
                if r_i < hr + 200:
                    lengths[j - 1] = max(lengths[j - 1], min(len(str(v)), 60))
        for j in range(1, len(headers) + 1):
            w = widths[j - 1] if widths and j - 1 < len(widths) else min(max(10, lengths[j - 1] + 2), 45)
            ws.column_dimensions[get_column_letter(j)].width = w
        if start_row == 1:
            ws.freeze_panes = ws.cell(row=hr + 1, column=1)
        if r > hr and headers and start_row == 1:
            ws.auto_filter.ref = f"A{hr}:{get_column_letter(len(headers))}{r}"
        return r


def _frame_rows(df: pd.DataFrame, table: str, app: str | None = None, currency: str = "USD"
                ) -> tuple[list[str], list[list[Any]], list[str | None], bool]:
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()
    truncated = len(df) > MAX_ROWS
    if truncated:
        df = df.head(MAX_ROWS)
    heads, fmts = [], []
    for c in df.columns:
        name = " / ".join(map(str, c)) if isinstance(c, tuple) else str(c)
        registered = result_column(app, table, name)
        unit = registered[1] if registered else column_unit(name, table)
        s = df[c]
        head = header(name, unit)
        if registered:
            shown = UNIT_LABELS.get(unit, unit)
            head = f"{registered[0]} ({shown})" if shown else registered[0]
        if pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dt, "tz", None) is not None:
            heads.append(head + " (UTC)")
        else:
            heads.append(head)
        fmts.append(number_format(unit, None, currency) if pd.api.types.is_numeric_dtype(s)
                    and not pd.api.types.is_bool_dtype(s) else None)
    cols = []
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            s = s.dt.floor("us")  # Excel keeps at most microseconds
            cols.append([None if pd.isna(x) else x.to_pydatetime() for x in s])
        elif not isinstance(s.dtype, np.dtype):  # nullable and extension dtypes: value by value
            cols.append([_cell(x) for x in s.tolist()])
        elif s.dtype.kind == "f":  # plain floats: NaN and inf become empty cells
            a = s.to_numpy(dtype=float)
            cols.append([x if ok else None for x, ok in zip(a.tolist(), np.isfinite(a).tolist())])
        elif s.dtype.kind in "iu":
            cols.append(s.to_numpy().tolist())
        elif s.dtype.kind == "b":
            cols.append([bool(x) for x in s.to_numpy()])
        else:
            cols.append([_cell(x) for x in s.tolist()])
    rows = [list(r) for r in zip(*cols)] if cols else []
    return heads, rows, fmts, truncated


def export_excel(scenarios: Sequence[Scenario] | Comparison, path: str | os.PathLike | None = None, *,
                 baseline: Scenario | int | str | None = None, title: str | None = None) -> bytes | Path:
    """Write scenarios (or a :class:`Comparison`) to an Excel workbook.

    Returns the file's bytes when ``path`` is None (for a download link), else the path written.
    """
    cmp = scenarios if isinstance(scenarios, Comparison) else compare(list(scenarios), baseline)
    w = _Writer()
    labels = list(cmp.labels)
    prefixes = [f"S{i + 1}" for i in range(len(cmp.scenarios))]
    app = cmp.app
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    money = [_currency(s) for s in cmp.scenarios]  # each scenario's World's currency

    # -- Comparison ------------------------------------------------------------------------
    ws = w.sheet("Comparison")
    heads = ["KPI", "Unit", f"{labels[0]} (baseline)"]
    for lab in labels[1:]:
        heads += [lab, f"{lab}: change", f"{lab}: change %"]
    caption = title or f"{app_title(app)} scenarios compared with '{labels[0]}'"
    last = _comparison_table(w, ws, cmp, cmp.business_kpis, caption, heads, 1, money[0])
    if cmp.solver_kpis:
        last = _comparison_table(w, ws, cmp, cmp.solver_kpis,
                                 "Solver details (how the plans were computed; not business results)", heads, last + 2,
                                 money[0])
    note_row = last + 2
    ws.cell(row=note_row, column=1, value=f"Exported {when}. Change = scenario - baseline; change % = change / |baseline|.")
    notes = list(cmp.notes)
    if len(set(money)) > 1:
        notes.append("The scenarios' data are in different currencies (" + ", ".join(dict.fromkeys(money))
                     + "): money is compared as given, without conversion.")
    for i, n in enumerate(notes, start=1):
        ws.cell(row=note_row + i, column=1, value=n)

    # -- Scenarios ---------------------------------------------------------------------------
    ws = w.sheet("Scenarios")
    rows = []
    for p, lab, s in zip(prefixes, labels, cmp.scenarios):
        rows.append([p, lab, app_title(s.app), s.note, s.world_version, _cell(s.created), _cell(s.updated),
                     "baseline" if s is cmp.baseline else ""])
    w.table(ws, "Scenarios in this workbook", ["Sheet prefix", "Scenario", "App", "Note", "Data version",
                                               "Created (UTC)", "Updated (UTC)", "Role"], rows)
    for r in range(4, 4 + len(rows)):
        for col in (6, 7):
            ws.cell(row=r, column=col).number_format = "yyyy-mm-dd hh:mm"

    # -- per scenario ------------------------------------------------------------------------
    for p, lab, s, cur in zip(prefixes, labels, cmp.scenarios, money):
        ws = w.sheet(f"{p} Inputs")
        shown = [(k, *format_input(k, v, s.app)) for k, v in _input_pairs(dict(s.inputs or {}))]
        w.table(ws, f"{p} {lab}: inputs", ["Input", "Value", "Name in the workbench"],
                [[label, v, k] for k, label, v, _ in shown], widths=[34, 30, 30])
        for r_i, (_, _, v, unit) in enumerate(shown, start=4):
            f = excel_format(unit, None, cur) if unit else None
            if f and isinstance(v, (int, float)):
                ws.cell(row=r_i, column=2).number_format = f
        ws = w.sheet(f"{p} KPIs")
        last = 1
        for caption, want_solver in ((f"{p} {lab}: KPIs", False), ("Solver details (not business results)", True)):
            krows, kf = [], []
            for k, v in s.kpis.items():
                info = kpi_info(k, s.app)
                if info.solver != want_solver or not _is_number(v):
                    continue
                krows.append([info.label, v, _unit_text(info.unit, cur), k])
                kf.append(number_format(info.unit, info.decimals, cur))
            if not krows:
                continue
            start = 1 if not want_solver else last + 2
            last = w.table(ws, caption, ["KPI", "Value", "Unit", "Name in the workbench"], krows,
                           widths=[34, 18, 10, 30], start_row=start)
            for r_i, f in enumerate(kf, start=start + 3):
                if f:
                    ws.cell(row=r_i, column=2).number_format = f
        for tname, df in (s.tables or {}).items():
            if df is None or len(df) == 0:
                continue  # an empty table (no plants: no inbound flows) would be a sheet of headers only
            ws = w.sheet(f"{p} {tname}")
            heads, trows, tf, truncated = _frame_rows(df, tname, s.app, cur)
            cap = f"{p} {lab}: {readable(tname.split('.')[-1])}"
            if truncated:
                cap += f" (first {MAX_ROWS:,} of {len(df):,} rows)"
            w.table(ws, cap, heads, trows, tf, converted=True)

    buf = io.BytesIO()
    text_not_formulas(w.wb)  # names and notes like '=HYPERLINK(...)' stay text
    w.wb.save(buf)
    data = buf.getvalue()
    if path is None:
        return data
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise ScenarioError(f"could not write {path}: {exc.strerror}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _comparison_table(w: "_Writer", ws, cmp: Comparison, kpis: Sequence[str], caption: str, heads: list[str],
                      start_row: int, currency: str = "USD") -> int:
    """KPI rows with each row's own number format; % change columns as percentages."""
    labels = list(cmp.labels)
    body, row_formats = [], []
    for k in kpis:
        info = kpi_info(k, cmp.app)
        row = [info.label, _unit_text(info.unit, currency), cmp.value(0, k)]
        for i in range(1, len(labels)):
            row += [cmp.value(i, k), cmp.value(i, k, "delta"), _pct(cmp.value(i, k, "delta_pct"))]
        body.append(row)
        row_formats.append(number_format(info.unit, info.decimals, currency))
    last = w.table(ws, caption, heads, body, [None] * len(heads), start_row=start_row)
    for r_i, f in enumerate(row_formats, start=start_row + 3):
        for j in range(3, len(heads) + 1):
            c = ws.cell(row=r_i, column=j)
            if j > 3 and (j - 3) % 3 == 0:
                c.number_format = "0.0%"
            elif f:
                c.number_format = f
    return last


def _input_pairs(inputs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Inputs as (dotted name, value); lists kept as lists (``format_input`` writes them as text)."""
    out: list[tuple[str, Any]] = []
    for k, v in inputs.items():
        if isinstance(v, Mapping):
            out.extend((f"{k}.{kk}", vv) for kk, vv in _input_pairs(v))
        elif isinstance(v, (list, tuple, set, frozenset)):
            out.append((k, [codec.to_jsonable(x) for x in v]))
        else:
            out.append((k, _cell(v)))
    return out


def _is_number(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _pct(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v / 100.0


def _unit_text(unit: str, currency: str = "USD") -> str:
    if unit.startswith("USD"):
        return currency + unit[3:]
    return {"share": "%", "count": "", "": "", "ratio": ""}.get(unit, unit)


def _currency(s: Scenario) -> str:
    """The currency of the World a scenario ran on (saved with its inputs; USD before it was saved)."""
    return str((s.inputs or {}).get("currency") or "USD").upper()
