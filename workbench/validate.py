"""Turn raw tables (all cells as text, or as read by pandas) into typed, validated tables.

Every problem is collected, not just the first, each with where it is (file or sheet, row as a
spreadsheet shows it, column), the offending value and what to do about it. Nothing is
returned unless every table is clean, so a World is never half-loaded.
"""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .schema import SCHEMAS, Column, TableSchema, kind_text

__all__ = ["convert_table", "validate_tables", "parse_time", "format_time", "MAX_LISTED"]

MAX_LISTED = 200  # problems kept per table and check, so a broken file does not flood the user

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_time(value) -> float:
    """Minutes after midnight from "HH:MM", "HH:MM:SS" or a number of minutes; NaN if unreadable."""
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if hasattr(value, "hour") and hasattr(value, "minute"):  # datetime.time from Excel
        return float(value.hour * 60 + value.minute + getattr(value, "second", 0) / 60.0)
    text = str(value).strip()
    m = _TIME_RE.match(text)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h <= 24 and mi < 60 and s < 60:
            return float(h * 60 + mi + s / 60.0)
        return np.nan
    try:
        return float(text)
    except ValueError:
        return np.nan


def format_time(minutes: float) -> str:
    """"HH:MM" for minutes after midnight."""
    m = int(round(float(minutes)))
    return f"{m // 60:02d}:{m % 60:02d}"


def _is_empty(series: pd.Series) -> pd.Series:
    empty = series.isna()
    obj = series[~empty]
    if len(obj) and (obj.dtype == object or pd.api.types.is_string_dtype(obj.dtype)):
        empty.loc[~empty] = obj.astype(str).str.strip().isin(["", "nan", "NaN", "None", "NaT"])
    return empty


def _sheet_row(index_pos: int) -> int:
    """Row number as a spreadsheet shows it: the header is row 1, the first data row is 2."""
    return int(index_pos) + 2


class _Collector:
    def __init__(self, schema: TableSchema, source: str):
        self.schema = schema
        self.source = source
        self.problems: list[Problem] = []

    def add(self, message, fix, row=None, column=None, value=None):
        self.problems.append(Problem(message=message, fix=fix, source=self.source,
                                     table=self.schema.name, row=row, column=column, value=value))

    def rows(self, mask: np.ndarray, raw: pd.Series, column: Column, message: str, fix: str):
        positions = np.flatnonzero(np.asarray(mask))
        for pos in positions[:MAX_LISTED]:
            self.add(message, fix, row=_sheet_row(pos), column=column.name, value=_plain(raw.iloc[pos]))
        if len(positions) > MAX_LISTED:
            self.add(f"{len(positions) - MAX_LISTED} more rows with the same problem", fix, column=column.name)


def _plain(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def _convert_column(raw: pd.Series, col: Column, c: _Collector) -> pd.Series:
    empty = _is_empty(raw)
    if not col.nullable and empty.any():
        c.rows(empty.to_numpy(), raw, col, "empty cell where a value is required",
               f"enter a {kind_text(col)}" + (f" ({col.unit})" if col.unit else ""))
    if col.kind in ("id", "str"):
        out = raw.astype(object).where(~empty, None)
        out = out.map(lambda v: v if v is None else _id_text(v))
        if col.kind == "str":
            out = out.fillna("")
        return out.astype(object)
    if col.kind == "choice":
        text = raw.astype(object).where(~empty, None).map(lambda v: v if v is None else str(v).strip())
        lookup = {ch.lower(): ch for ch in col.choices or ()}
        norm = text.map(lambda v: v if v is None else lookup.get(v.lower(), v))
        bad = (~empty) & ~norm.isin(list(col.choices or ()))
        if bad.any():
            c.rows(bad.to_numpy(), raw, col, "value is not one of the allowed choices",
                   "use one of: " + ", ".join(col.choices or ()))
        return norm.astype(object)
    if col.kind in ("float", "int"):
        num = pd.to_numeric(raw.where(~empty), errors="coerce")
        bad = (~empty) & num.isna()
        if bad.any():
            c.rows(bad.to_numpy(), raw, col, "not a number", "enter a plain number without units or thousands separators")
        inf = np.isinf(num.to_numpy(dtype=float, na_value=np.nan))
        if inf.any():
            c.rows(inf, raw, col, "infinite value", "enter a finite number")
        if col.kind == "int":
            frac = (~num.isna()) & (np.abs(num - np.round(num)) > 1e-9)
            if frac.any():
                c.rows(frac.to_numpy(), raw, col, "not a whole number", "enter a whole number")
        _check_bounds(num, raw, col, c)
        if col.kind == "int" and not col.nullable and not num.isna().any():
            return num.round().astype("int64")
        return num.astype(float)
    if col.kind == "bool":
        text = raw.astype(object).where(~empty, None).map(lambda v: v if v is None else str(v).strip().lower())
        val = text.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        bad = (~empty) & val.isna()
        if bad.any():
            c.rows(bad.to_numpy(), raw, col, "not a true/false value", "enter true or false (or yes/no, 1/0)")
        if col.nullable:
            return val.astype(object)
        return val.fillna(col.default if col.default is not None else False).astype(bool)
    if col.kind == "date":
        dates = pd.to_datetime(raw.where(~empty), errors="coerce", format="mixed")
        bad = (~empty) & dates.isna()
        if bad.any():
            c.rows(bad.to_numpy(), raw, col, "not a date", "enter the date as YYYY-MM-DD")
        return dates.astype("datetime64[ns]")
    if col.kind == "time":
        mins = raw.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else parse_time(v))
        mins = pd.to_numeric(mins, errors="coerce")
        bad = (~empty) & (mins.isna() | (mins < 0) | (mins > 48 * 60))
        if bad.any():
            c.rows(bad.to_numpy(), raw, col, "not a time of day", "enter the time as HH:MM, e.g. 08:30")
        return mins.astype(float)
    raise AssertionError(col.kind)  # pragma: no cover


def _id_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _check_bounds(num: pd.Series, raw: pd.Series, col: Column, c: _Collector):
    ok = ~num.isna()
    if col.min is not None:
        low = ok & ((num <= col.min) if col.min_exclusive else (num < col.min))
        if low.any():
            what = "negative" if col.min == 0 and not col.min_exclusive else f"below the allowed range ({col.bounds_text()})"
            if col.min == 0 and col.min_exclusive:
                what = "zero or negative"
            fix = f"enter a value {col.bounds_text()}" + (f" {col.unit}" if col.unit else "")
            c.rows(low.to_numpy(), raw, col, f"{col.name} is {what}", fix)
    if col.max is not None:
        high = ok & (num > col.max)
        if high.any():
            c.rows(high.to_numpy(), raw, col, f"{col.name} is above the allowed range ({col.bounds_text()})",
                   f"enter a value {col.bounds_text()}" + (f" {col.unit}" if col.unit else "")
                   + (" (latitude and longitude may be swapped)" if col.name in ("lat", "lon") else ""))


def convert_table(raw: pd.DataFrame, schema: TableSchema, *, source: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert one raw table to the schema's types. Returns the table and the problems found."""
    c = _Collector(schema, source or f"table '{schema.name}'")
    raw = raw.copy()
    raw.columns = [str(col).strip() for col in raw.columns]
    raw = raw.loc[:, [not col.startswith("Unnamed:") or raw[col].notna().any() for col in raw.columns]]
    raw = raw.reset_index(drop=True)
    # drop rows that are entirely empty (trailing lines in a spreadsheet)
    if len(raw.columns):
        all_empty = np.logical_and.reduce([_is_empty(raw[col]).to_numpy() for col in raw.columns])
        raw = raw.loc[~all_empty].reset_index(drop=True)
    dup_cols = sorted({col for col in raw.columns if list(raw.columns).count(col) > 1})
    for col in dup_cols:
        c.add("column appears more than once", "keep one column with this name", column=col)
    if dup_cols:
        return pd.DataFrame(), c.problems
    out = {}
    lower = {col.lower(): col for col in raw.columns}
    for col in schema.columns:
        name = col.name if col.name in raw.columns else lower.get(col.name.lower())
        if name is None:
            if col.required:
                c.add(f"missing column '{col.name}'",
                      f"add a column '{col.name}' ({col.description}; {kind_text(col)}"
                      + (f", {col.unit}" if col.unit else "") + ")", column=col.name)
            else:
                out[col.name] = pd.Series([col.default] * len(raw), dtype=object if col.kind in ("str", "id") else None)
            continue
        out[col.name] = _convert_column(raw[name], col, c)
    if any(p.message.startswith("missing column") for p in c.problems):
        return pd.DataFrame(), c.problems
    df = pd.DataFrame(out, index=raw.index)
    if len(df) < schema.min_rows:
        c.add(f"table '{schema.name}' has no data rows", f"add at least {schema.min_rows} row(s) below the header")
    for col in schema.columns:
        if col.unique:
            dup = df[col.name].duplicated(keep=False) & df[col.name].notna()
            if dup.any():
                c.rows(dup.to_numpy(), df[col.name], col, f"duplicate {col.name}",
                       f"make every {col.name} unique (it is used to link tables)")
    key = [k for k in schema.key if k in df.columns]
    if len(key) > 1:
        dup = df.duplicated(subset=key, keep=False)
        if dup.any():
            positions = np.flatnonzero(dup.to_numpy())
            for pos in positions[:MAX_LISTED]:
                c.add(f"duplicate row for the same {' + '.join(key)}",
                      "keep one row per " + " + ".join(key) + " (add the values up if they are parts of one total)",
                      row=_sheet_row(pos), column=key[-1],
                      value=" / ".join(str(_plain(df[k].iloc[pos])) for k in key))
    for check in schema.checks:
        _ROW_CHECKS[check](df, c)
    return df, c.problems


def _check_shift_order(df: pd.DataFrame, c: _Collector):
    bad = (df["shift_end"] <= df["shift_start"]).to_numpy()
    for pos in np.flatnonzero(bad)[:MAX_LISTED]:
        c.add("shift ends before it starts", "set shift_end after shift_start (HH:MM)",
              row=_sheet_row(pos), column="shift_end", value=format_time(df["shift_end"].iloc[pos]))


def _check_window_order(df: pd.DataFrame, c: _Collector):
    bad = (df["tw_end"] < df["tw_start"]).to_numpy()
    for pos in np.flatnonzero(bad)[:MAX_LISTED]:
        c.add("time window closes before it opens", "set tw_end at or after tw_start (HH:MM)",
              row=_sheet_row(pos), column="tw_end", value=format_time(df["tw_end"].iloc[pos]))


_ROW_CHECKS = {"shift_order": _check_shift_order, "window_order": _check_window_order}


def validate_tables(raw_tables: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None = None,
                    *, context: str = "") -> dict[str, pd.DataFrame]:
    """Convert and validate a set of raw tables; raise one DataError listing every problem.

    Missing required tables are problems; missing optional tables become empty tables with the
    schema's columns. Cross-table references (``Column.references``) are checked last.
    """
    sources = dict(sources or {})
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    unknown = sorted(set(raw_tables) - set(SCHEMAS))
    for name in unknown:
        problems.append(Problem(f"unknown table '{name}' (ignored)",
                                "name tables as " + ", ".join(SCHEMAS) + " (file names or sheet names)",
                                source=sources.get(name)))
    for name, schema in SCHEMAS.items():
        if name not in raw_tables:
            if schema.required:
                problems.append(Problem(f"missing table '{name}'",
                                        f"add a '{name}.csv' file (or a '{name}' sheet) with columns "
                                        + ", ".join(schema.column_names), table=name))
            else:
                tables[name] = empty_table(schema)
            continue
        df, found = convert_table(raw_tables[name], schema, source=sources.get(name))
        problems += found
        tables[name] = df
    # unknown tables are only a warning-level problem; keep them out of the error if alone
    blocking = [p for p in problems if not p.message.startswith("unknown table")]
    if not blocking:
        problems_refs = _check_references(tables, sources)
        blocking += problems_refs
        problems += problems_refs
    if blocking:
        raise DataError(problems, context=context or "The data could not be loaded")
    return tables


def empty_table(schema: TableSchema) -> pd.DataFrame:
    dtypes = {"id": object, "str": object, "choice": object, "float": float, "int": "int64",
              "bool": bool, "date": "datetime64[ns]", "time": float}
    return pd.DataFrame({c.name: pd.Series([], dtype=dtypes[c.kind]) for c in schema.columns})


def _check_references(tables: dict[str, pd.DataFrame], sources: Mapping[str, str]) -> list[Problem]:
    problems = []
    for name, schema in SCHEMAS.items():
        df = tables.get(name)
        if df is None or df.empty:
            continue
        for col in schema.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            ref = tables.get(ref_table)
            known = set() if ref is None else set(ref[ref_col].dropna())
            bad = df[col.name].notna() & ~df[col.name].isin(known)
            positions = np.flatnonzero(bad.to_numpy())
            for pos in positions[:MAX_LISTED]:
                problems.append(Problem(
                    f"{col.name} refers to an unknown {ref_table[:-1] if ref_table.endswith('s') else ref_table}",
                    f"use a {ref_col} that exists in the '{ref_table}' table, or add it there",
                    source=sources.get(name), table=name, row=_sheet_row(pos), column=col.name,
                    value=_plain(df[col.name].iloc[pos])))
            if len(positions) > MAX_LISTED:
                problems.append(Problem(f"{len(positions) - MAX_LISTED} more unknown references", "",
                                        source=sources.get(name), table=name, column=col.name))
    return problems
