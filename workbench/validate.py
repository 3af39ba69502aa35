"""Turn raw tables (all cells as text, or as read by pandas) into typed, validated tables.

Every problem is collected, not just the first: one problem per kind of fault and column, with
where it is (file or sheet, the rows as a spreadsheet shows them: header = row 1, first data
row = row 2), how many rows have it, the first offending value and what to do about it.
Nothing is returned unless every table is clean, so a World is never half-loaded.

What is read, and how (the rules are also in ``data/README.md``):

* numbers: plain (``1234.5``), with a decimal comma (``-23,5475``) or with thousands separators
  (``1,234,567.5`` or ``1.234.567,5``) when the whole column uses one convention; a column that
  mixes them is refused with a message naming the comma;
* dates: ISO (``2024-01-31``, with or without a time and a zone: the date as written is kept),
  ``31/01/2024`` or ``01/31/2024`` (the order is taken from the column: a day above 12 decides;
  a column where it cannot be told is refused), Excel date cells and Excel date serials
  (``45322``); years 1900-2200;
* times of day: ``HH:MM[:SS]``, Excel time cells and Excel day fractions (``0.25`` = 06:00).
  A bare whole number in a file (``7``) is refused as ambiguous (7 o'clock or 7 minutes past
  midnight?); numbers in a typed DataFrame built in code are minutes after midnight, the
  stored unit.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .schema import SCHEMAS, Column, TableSchema, kind_text

__all__ = ["convert_table", "check_table", "check_columns", "validate_tables", "parse_time", "format_time", "sheet_row", "problem_for_rows",
           "empty_table", "MAX_LISTED", "ROWS_SHOWN", "channel_roles", "infer_channel_role", "ROLE_SYNONYMS"]

MAX_LISTED = 200  # problems kept per table, so a broken file does not flood the user
ROWS_SHOWN = 5    # rows named in one problem; the rest are counted
MAX_INT = 2 ** 53  # the largest whole number stored exactly

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*$")
MAX_TIME_MIN = 48 * 60  # times run past midnight up to the end of the next day
_EMPTY_TEXT = {"", "nan", "NaN", "None", "NaT", "<NA>", "null", "NULL"}


# ---------------------------------------------------------------------------------------
# rows and problems
# ---------------------------------------------------------------------------------------
def sheet_row(index_pos: int) -> int:
    """Row number as a spreadsheet shows it: the header is row 1, the first data row is 2."""
    return int(index_pos) + 2


_sheet_row = sheet_row  # the old private name


def problem_for_rows(positions, values, message: str, fix: str, *, source=None, table=None,
                     column=None) -> Problem | None:
    """One :class:`Problem` for every row (0-based data positions) with the same fault.

    ``values`` is indexable by position (a Series or array); the first offending value is kept.
    Returns ``None`` when no row has the fault.
    """
    positions = np.asarray(positions, dtype=int).ravel()
    if not len(positions):
        return None
    first = int(positions[0])
    rows = tuple(sheet_row(p) for p in positions[:ROWS_SHOWN])
    value = values.iloc[first] if isinstance(values, pd.Series) else values[first]
    return Problem(message=message, fix=fix, source=source, table=table, row=rows[0], column=column,
                   value=_plain(value), count=int(len(positions)), rows=rows)


def parse_time(value) -> float:
    """Minutes after midnight from "HH:MM", "HH:MM:SS" or a number of minutes; NaN if unreadable."""
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if hasattr(value, "hour") and hasattr(value, "minute"):  # datetime.time / Timestamp from Excel
        return float(value.hour * 60 + value.minute + getattr(value, "second", 0) / 60.0)
    text = str(value).strip()
    m = _TIME_RE.match(text)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if mi < 60 and s < 60 and h * 3600 + mi * 60 + s <= MAX_TIME_MIN * 60:
            return float(h * 60 + mi + s / 60.0)
        return np.nan
    try:
        return float(text)
    except ValueError:
        return np.nan


def format_time(minutes: float) -> str:
    """"HH:MM" for minutes after midnight ("HH:MM:SS" when there are seconds; "" when missing)."""
    if minutes is None or not np.isfinite(float(minutes)):
        return ""
    secs = int(round(float(minutes) * 60))
    m, s = divmod(secs, 60)
    return f"{m // 60:02d}:{m % 60:02d}" + (f":{s:02d}" if s else "")


def _is_empty(series: pd.Series) -> pd.Series:
    values = series.to_numpy(dtype=object)
    out = np.fromiter((_cell_empty(v) for v in values), dtype=bool, count=len(values))
    return pd.Series(out, index=series.index)


def _cell_empty(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    if isinstance(v, str):
        return v.strip() in _EMPTY_TEXT
    if v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, (np.floating,)):
        return bool(np.isnan(v))
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return False


class _Collector:
    def __init__(self, schema: TableSchema, source: str):
        self.schema = schema
        self.source = source
        self.problems: list[Problem] = []

    def add(self, message, fix, row=None, column=None, value=None):
        self.problems.append(Problem(message=message, fix=fix, source=self.source,
                                     table=self.schema.name, row=row, column=column, value=value))

    def rows(self, mask: np.ndarray, raw, column: Column | str, message: str, fix: str):
        name = column if isinstance(column, str) else column.name
        p = problem_for_rows(np.flatnonzero(np.asarray(mask)), raw, message, fix, source=self.source,
                             table=self.schema.name, column=name)
        if p is not None:
            self.problems.append(p)


def _plain(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def _objects(raw: pd.Series, empty: pd.Series) -> list:
    """The cells as Python objects, ``None`` where empty (never NaN: pandas 3 reads blanks as NaN)."""
    return [None if e else v for v, e in zip(raw.to_numpy(dtype=object), empty.to_numpy())]


# ---------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------
_PLAIN_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DEC = re.compile(r"^[+-]?\d+,\d+$")                         # 23,5475 (or 1,234 = US thousands?)
_DOT_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")              # 198.000 (thousands, or 198.0?)
_DOT_GROUPS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+,\d+$")    # 1.234,5
_COMMA_GROUPS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+$")             # 1,234 (thousands, or 1.234?)
_COMMA_GROUPS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+\.\d+$")    # 1,234.5
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")  # 1 234 567,5


def _classify_number(text: str) -> str:
    """'plain', 'comma' (decimal comma), 'dotk' (dot thousands), 'commak' (comma thousands),
    'amb_dot' (198.000), 'amb_comma' (1,234), 'space', or 'bad'."""
    if _PLAIN_NUM.match(text):
        return "amb_dot" if _DOT_GROUPS.match(text) else "plain"
    if _DOT_GROUPS_COMMA.match(text):
        return "comma"
    if _COMMA_GROUPS_DOT.match(text):
        return "commak"
    if _COMMA_GROUPS.match(text):
        return "commak" if text.count(",") > 1 else "amb_comma"
    if _COMMA_DEC.match(text):
        return "comma"
    if _DOT_GROUPS.match(text):  # 1.234.567
        return "dotk"
    if _SPACE_GROUPS.match(text):
        return "space"
    return "bad"


def _to_float(text: str, convention: str) -> float:
    t = re.sub(r"[ \u00a0\u202f]", "", text)
    if convention == "eu":  # dot thousands, comma decimal
        t = t.replace(".", "").replace(",", ".")
    elif convention == "us":  # comma thousands, dot decimal
        t = t.replace(",", "")
    return float(t)


def _parse_numbers(raw: pd.Series, empty: pd.Series, col: Column, c: _Collector) -> pd.Series:
    """Numbers from numeric cells or text in one consistent convention (see the module doc)."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(raw.to_numpy(dtype=float, na_value=np.nan), index=raw.index)
    cells = _objects(raw, empty)
    out = np.full(len(cells), np.nan)
    kinds = np.full(len(cells), "", dtype=object)
    texts: dict[int, str] = {}
    for i, v in enumerate(cells):
        if v is None:
            continue
        if isinstance(v, bool) or isinstance(v, np.bool_):
            kinds[i] = "bad"
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v)
            kinds[i] = "num"
            continue
        if isinstance(v, (_dt.date, _dt.time, pd.Timestamp)):
            kinds[i] = "bad"
            continue
        t = str(v).strip()
        texts[i] = t
        kinds[i] = _classify_number(t)
    present = set(kinds) - {"", "num"}
    eu = bool(present & {"comma", "dotk"})
    us = bool(present & {"commak"})
    if "space" in present:
        # spaces group thousands; the decimal mark is whatever else the column shows
        spaced = [texts[i] for i in np.flatnonzero(kinds == "space")]
        if any("," in s for s in spaced):
            eu = True
        elif any("." in s for s in spaced):
            us = True
    dotted = np.array([k == "plain" and "." in texts.get(i, "") for i, k in enumerate(kinds)], dtype=bool)
    if (eu and us) or (eu and dotted.any()):
        mixed = np.isin(kinds, ["comma", "dotk", "commak", "amb_comma"])
        c.rows(mixed, raw, col, "numbers mix a decimal comma (as in these rows) and a decimal point "
               f"(as in {int(dotted.sum()) + int((kinds == 'commak').sum()):,} other rows)",
               "use one convention in the whole column: a decimal point with no thousands separator is safest "
               "(1234.5); a decimal comma (1234,5) is read when every row uses it")
        return pd.Series(np.nan, index=raw.index)
    convention = "eu" if eu else ("us" if us else "")
    if not convention and "amb_comma" in present:
        # 1,234 with nothing else: a decimal comma or a thousands separator?
        if "plain" in present and any("." in texts[i] for i in np.flatnonzero(kinds == "plain")):
            convention = "us"  # decimal points elsewhere: the comma groups thousands
        else:
            amb = kinds == "amb_comma"
            c.rows(amb, raw, col, "cannot tell whether the comma is a decimal comma or a thousands separator",
                   "write the number without a thousands separator and with a decimal point (1234 or 1.234)")
            return pd.Series(np.nan, index=raw.index)
    if not convention and "amb_dot" in present and col.kind == "int":
        amb = kinds == "amb_dot"
        c.rows(amb, raw, col, "a whole number with a dot: a thousands separator or a decimal point?",
               "write whole numbers without separators (198000)")
        return pd.Series(np.nan, index=raw.index)
    bad = np.zeros(len(cells), bool)
    for i, t in texts.items():
        k = kinds[i]
        if k == "bad":
            bad[i] = True
            continue
        if convention == "us" and k == "comma":
            bad[i] = True
            continue
        try:
            out[i] = _to_float(t, convention)
        except ValueError:
            bad[i] = True
    bad |= kinds == "bad"
    if bad.any():
        fix = "enter a plain number without units or currency signs"
        if convention == "eu":
            c.rows(bad, raw, col, "not a number in the column's decimal-comma convention", fix
                   + "; this column uses a decimal comma (1234,5), so write every number that way")
        else:
            c.rows(bad, raw, col, "not a number", fix + " (1234.5)")
    return pd.Series(out, index=raw.index)


# ---------------------------------------------------------------------------------------
# dates and times
# ---------------------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                       r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
YEAR_MIN, YEAR_MAX = 1900, 2200


def _excel_serial(x: float) -> _dt.datetime | None:
    if not (1 <= x < 2958466):
        return None
    return EXCEL_EPOCH + _dt.timedelta(days=float(x))


def _parse_dates(raw: pd.Series, empty: pd.Series, col: Column, c: _Collector) -> pd.Series:
    cells = _objects(raw, empty)
    out: list = [None] * len(cells)
    bad_text = np.zeros(len(cells), bool)
    bad_year = np.zeros(len(cells), bool)
    dmy: dict[int, tuple[int, int, int, tuple]] = {}
    for i, v in enumerate(cells):
        if v is None:
            continue
        d = None
        if isinstance(v, pd.Timestamp):
            d = v.tz_localize(None).to_pydatetime() if v.tzinfo is not None else v.to_pydatetime()
        elif isinstance(v, _dt.datetime):
            d = v.replace(tzinfo=None)
        elif isinstance(v, _dt.date):
            d = _dt.datetime(v.year, v.month, v.day)
        elif isinstance(v, np.datetime64):
            d = pd.Timestamp(v).to_pydatetime()
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            d = _excel_serial(float(v))
            if d is None:
                bad_text[i] = True
                continue
        else:
            t = str(v).strip()
            m = _ISO_DATE.match(t)
            if m:
                y, mo, da = int(m.group(1)), int(m.group(2)), int(m.group(3))
                hh, mm, ss = int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
                if not (YEAR_MIN <= y <= YEAR_MAX):
                    bad_year[i] = True
                    continue
                try:
                    d = _dt.datetime(y, mo, da, hh, mm, ss)
                except ValueError:
                    bad_text[i] = True
                    continue
            elif (m := _DMY_DATE.match(t)):
                a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                dmy[i] = (a, b, y, (int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)))
                continue
            elif (m := _COMPACT_DATE.match(t)) and YEAR_MIN <= int(m.group(1)) <= YEAR_MAX:
                try:
                    d = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    bad_text[i] = True
                    continue
            elif _NUMBER.match(t):
                d = _excel_serial(float(t))
                if d is None:
                    bad_text[i] = True
                    continue
            elif re.search(r"[A-Za-z]{3}", t):  # month names: '5 Jan 2024', 'January 5, 2024'
                try:
                    ts = pd.Timestamp(t)
                except (ValueError, OverflowError, TypeError):
                    bad_text[i] = True
                    continue
                if ts is pd.NaT:
                    bad_text[i] = True
                    continue
                d = ts.tz_localize(None).to_pydatetime() if ts.tzinfo is not None else ts.to_pydatetime()
            else:
                bad_text[i] = True
                continue
        if not (YEAR_MIN <= d.year <= YEAR_MAX):
            bad_year[i] = True
            continue
        out[i] = d
    if dmy:
        first_big = any(a > 12 for a, b, y, _ in dmy.values())
        second_big = any(b > 12 for a, b, y, _ in dmy.values())
        positions = np.array(sorted(dmy), dtype=int)
        mask = np.zeros(len(cells), bool)
        mask[positions] = True
        if first_big and second_big:
            c.rows(mask, raw, col, "dates mix day/month and month/day order",
                   "use one order in the whole column; YYYY-MM-DD (2024-02-13) is never ambiguous")
        elif not first_big and not second_big:
            c.rows(mask, raw, col, "cannot tell whether these dates are day/month/year or month/day/year "
                   "(no day above 12 in the column)", "write the dates as YYYY-MM-DD, e.g. 2024-02-01")
        else:
            for i, (a, b, y, (hh, mm, ss)) in dmy.items():
                day, month = (a, b) if first_big else (b, a)
                if not (YEAR_MIN <= y <= YEAR_MAX):
                    bad_year[i] = True
                    continue
                try:
                    out[i] = _dt.datetime(y, month, day, hh, mm, ss)
                except ValueError:
                    bad_text[i] = True
    c.rows(bad_text, raw, col, "not a date", "enter the date as YYYY-MM-DD")
    c.rows(bad_year, raw, col, f"the year is outside {YEAR_MIN}-{YEAR_MAX}",
           "check the date; enter it as YYYY-MM-DD")
    dates = pd.to_datetime(pd.Series(out, dtype=object), errors="coerce").dt.normalize()  # a date, not a time
    return pd.Series(dates.to_numpy(dtype="datetime64[ns]"), index=raw.index)


def _parse_times(raw: pd.Series, empty: pd.Series, col: Column, c: _Collector) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        mins = pd.Series(raw.to_numpy(dtype=float, na_value=np.nan), index=raw.index)  # typed: minutes
        bad = (~empty) & (mins.isna() | ~np.isfinite(mins) | (mins < 0) | (mins > MAX_TIME_MIN))
        c.rows(bad.to_numpy(), raw, col, "not a time of day (minutes after midnight, 0-2880)",
               "enter the time as HH:MM, e.g. 08:30")
        return mins.where(~bad).astype(float)
    cells = _objects(raw, empty)
    out = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), bool)
    bare = np.zeros(len(cells), bool)
    for i, v in enumerate(cells):
        if v is None:
            continue
        if isinstance(v, (bool, np.bool_)):
            bad[i] = True
            continue
        if isinstance(v, (_dt.time, _dt.datetime, pd.Timestamp)):
            out[i] = parse_time(v)
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            x = float(v)
        else:
            t = str(v).strip()
            m = _TIME_RE.match(t)
            if m:
                out[i] = parse_time(t)
                bad[i] = np.isnan(out[i])
                continue
            if not _NUMBER.match(t):
                bad[i] = True
                continue
            x = float(t)
        if 0 <= x < 1:  # an Excel time: a fraction of a day, to the second
            out[i] = round(x * 86400) / 60.0
        else:
            bare[i] = True
    c.rows(bad, raw, col, "not a time of day", "enter the time as HH:MM, e.g. 08:30")
    c.rows(bare, raw, col, "a bare number is not a time of day (hours or minutes?)",
           "enter the time as HH:MM: 07:00 for 7 o'clock, 00:07 for 7 minutes past midnight")
    return pd.Series(out, index=raw.index)


# ---------------------------------------------------------------------------------------
# columns and tables
# ---------------------------------------------------------------------------------------
def _convert_column(raw: pd.Series, col: Column, c: _Collector) -> pd.Series:
    empty = _is_empty(raw)
    if not col.nullable and empty.any():
        c.rows(empty.to_numpy(), raw, col, "empty cell where a value is required",
               f"enter a {kind_text(col)}" + (f" ({col.unit})" if col.unit else ""))
    if col.kind in ("id", "str"):
        cells = _objects(raw, empty)
        vals = [None if v is None else _id_text(v) for v in cells]
        unreadable = np.array([v is not None and _bad_text(v) for v in vals], dtype=bool)
        c.rows(unreadable, pd.Series([ascii(v) for v in vals]), col,
               "text holds an invisible control character or an invalid character",
               "retype the text, or remove the character (it cannot be saved in a file)")
        if col.kind == "str":
            vals = ["" if v is None else v for v in vals]
        return pd.Series(vals, index=raw.index, dtype=object)
    if col.kind == "choice":
        lookup = {ch.lower(): ch for ch in col.choices or ()}
        cells = _objects(raw, empty)
        norm = [None if v is None else lookup.get(str(v).strip().lower(), str(v).strip()) for v in cells]
        allowed = set(col.choices or ())
        bad = np.array([v is not None and v not in allowed for v in norm], dtype=bool)
        c.rows(bad, raw, col, "value is not one of the allowed choices", "use one of: " + ", ".join(col.choices or ()))
        return pd.Series(norm, index=raw.index, dtype=object)
    if col.kind in ("float", "int"):
        num = _parse_numbers(raw, empty, col, c)
        arr = num.to_numpy(dtype=float)
        inf = np.isinf(arr) & ~((arr > 0) & col.allow_inf)
        c.rows(inf, raw, col, "infinite value", "enter a finite number")
        num = num.where(~inf)
        if col.kind == "int":
            ok = ~num.isna()
            frac = ok & (np.abs(num - np.round(num)) > 1e-9)
            c.rows(frac.to_numpy(), raw, col, "not a whole number", "enter a whole number")
            huge = ok & (num.abs() > MAX_INT)
            c.rows(huge.to_numpy(), raw, col, f"{col.name} is too large to store exactly",
                   f"enter a whole number below {MAX_INT:,}")
            num = num.where(~huge)
        _check_bounds(num, raw, col, c)
        if col.kind == "int" and not col.nullable and not num.isna().any():
            return num.round().astype("int64")
        return num.astype(float)
    if col.kind == "bool":
        cells = _objects(raw, empty)
        val = []
        bad = np.zeros(len(cells), bool)
        for i, v in enumerate(cells):
            if v is None:
                val.append(None)
                continue
            t = str(v).strip().lower()
            b = True if t in _TRUE else (False if t in _FALSE else None)
            bad[i] = b is None
            val.append(b)
        c.rows(bad, raw, col, "not a true/false value", "enter true or false (or yes/no, 1/0)")
        s = pd.Series(val, index=raw.index, dtype=object)
        if col.nullable:
            return s
        return s.where(s.notna(), col.default if col.default is not None else False).astype(bool)
    if col.kind == "date":
        return _parse_dates(raw, empty, col, c)
    if col.kind == "time":
        return _parse_times(raw, empty, col, c)
    raise AssertionError(col.kind)  # pragma: no cover


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _bad_text(text: str) -> bool:
    """Control characters (other than tab and line breaks) and lone surrogates cannot be written."""
    return bool(_CONTROL.search(text))


def _id_text(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (np.integer,)):
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


_EMPTY_CELLS = np.frompyfunc(lambda v: _cell_empty(v), 1, 1)


def _header_text(col) -> str:
    try:
        return str(col).strip()
    except Exception:  # pragma: no cover - exotic header objects
        return repr(col)


def convert_table(raw: pd.DataFrame, schema: TableSchema, *, source: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert one raw table to the schema's types. Returns the table and the problems found."""
    c = _Collector(schema, source or f"table '{schema.name}'")
    headers = [_header_text(col) for col in raw.columns]
    cells = raw.to_numpy(dtype=object)
    empty = _EMPTY_CELLS(cells).astype(bool) if cells.size else np.zeros(cells.shape, bool)
    keep = [j for j, h in enumerate(headers)
            if not (h == "" or h.startswith("Unnamed:") or h.lower() == "nan") or not empty[:, j].all()]
    # drop rows that are entirely empty at the end (trailing lines in a spreadsheet)
    all_empty = empty[:, keep].all(axis=1) if keep else np.ones(len(raw), bool)
    trailing = len(all_empty)
    while trailing and all_empty[trailing - 1]:
        trailing -= 1
    headers = [headers[j] for j in keep]
    if len(keep) <= 200:  # column by column: typed columns keep their dtype (numbers typed in code)
        raw = pd.DataFrame({i: raw.iloc[:trailing, j].to_numpy() for i, j in enumerate(keep)},
                           index=pd.RangeIndex(trailing))
    else:  # a very wide sheet is none of ours: one block, no per-column work
        raw = pd.DataFrame(cells[:trailing, keep], index=pd.RangeIndex(trailing), dtype=object)
        raw.columns = range(len(keep))
    counts = Counter(h.lower() for h in headers)
    dups = [h for h in dict.fromkeys(headers) if counts[h.lower()] > 1]
    seen_dup: set[str] = set()
    for h in dups:
        if h.lower() in seen_dup:
            continue
        seen_dup.add(h.lower())
        same = [x for x in headers if x.lower() == h.lower()]
        c.add(f"column appears more than once ({', '.join(repr(x) for x in same)})",
              "keep one column with this name (names are compared ignoring case)", column=h)
    if dups:
        return pd.DataFrame(), c.problems
    by_lower = {h.lower(): j for j, h in enumerate(headers)}
    out = {}
    for col in schema.columns:
        j = by_lower.get(col.name.lower())
        if j is None:
            if col.required:
                c.add(f"missing column '{col.name}'",
                      f"add a column '{col.name}' ({col.description}; {kind_text(col)}"
                      + (f", {col.unit}" if col.unit else "") + ")"
                      + _hint_headers(headers), column=col.name)
            else:
                out[col.name] = pd.Series([col.default] * len(raw), dtype=object if col.kind in ("str", "id") else None)
            continue
        out[col.name] = _convert_column(raw[j].reset_index(drop=True), col, c)
    if any(p.message.startswith("missing column") for p in c.problems):
        return pd.DataFrame(), c.problems
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
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
            joined = pd.Series([" / ".join(str(_plain(df[k].iloc[i])) for k in key) for i in range(len(df))])
            c.rows(dup.to_numpy(), joined, key[-1], f"duplicate row for the same {' + '.join(key)}",
                   "keep one row per " + " + ".join(key) + " (add the values up if they are parts of one total)")
    for check in schema.checks:
        _ROW_CHECKS[check](df, c)
    return df, c.problems


def check_table(raw, schema: TableSchema, problems: list[Problem], *, source: str | None = None) -> pd.DataFrame:
    """The one validation path for a table-shaped input of any planning module.

    Converts ``raw`` by ``schema`` (the same rules and messages as the World's tables: rows as a
    spreadsheet shows them, one problem per kind and column with a count) and appends the
    problems found to ``problems``. Returns the typed table (empty when a required column is
    missing or ``raw`` is not a DataFrame).
    """
    if not isinstance(raw, pd.DataFrame):
        problems.append(Problem(f"expected a table (DataFrame) of {schema.name}, got {type(raw).__name__}",
                                "pass a pandas DataFrame", table=schema.name, source=source))
        return pd.DataFrame()
    df, found = convert_table(raw, schema, source=source)
    problems.extend(found)
    return df


def check_columns(df: pd.DataFrame, table: str, columns, *, min_rows: int = 0,
                  source: str | None = None) -> list[Problem]:
    """Problems of some columns of a table (by :class:`Column` rules); other columns are ignored."""
    problems: list[Problem] = []
    check_table(df, TableSchema(table, "", tuple(columns), min_rows=min_rows), problems, source=source)
    return problems


def _hint_headers(headers: list[str]) -> str:
    if len(headers) == 1 and any(sep in headers[0] for sep in (";", "\t", "|", ",")):
        return f"; the header reads {headers[0][:80]!r} as one column: check the file's separator"
    if headers:
        shown = ", ".join(repr(h) for h in headers[:12]) + (" ..." if len(headers) > 12 else "")
        return f"; the columns found are {shown}"
    return ""


def _check_shift_order(df: pd.DataFrame, c: _Collector):
    bad = (df["shift_end"] <= df["shift_start"]).to_numpy()
    c.rows(bad, df["shift_end"].map(format_time), "shift_end", "shift ends before it starts",
           "set shift_end after shift_start (HH:MM)")


def _check_window_order(df: pd.DataFrame, c: _Collector):
    bad = (df["tw_end"] < df["tw_start"]).to_numpy()
    c.rows(bad, df["tw_end"].map(format_time), "tw_end", "time window closes before it opens",
           "set tw_end at or after tw_start (HH:MM)")


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_currency(df: pd.DataFrame, c: _Collector):
    if len(df) > 1:
        c.add("the company table has more than one row", "keep one row: the company's name, country and currency",
              row=sheet_row(1))
    cur = df["currency"].map(lambda v: str(v).strip().upper())
    bad = ~cur.map(lambda v: bool(_CURRENCY.match(v)))
    c.rows(bad.to_numpy(), df["currency"], "currency", "not a three-letter currency code",
           "enter an ISO 4217 code such as USD, EUR, BRL, GBP or INR")
    df["currency"] = cur


_ROW_CHECKS = {"shift_order": _check_shift_order, "window_order": _check_window_order,
               "currency_code": _check_currency}


def _table_is_blank(raw: pd.DataFrame) -> bool:
    if len(raw) == 0:
        return True
    return all(_is_empty(raw[col] if not isinstance(raw[col], pd.DataFrame) else raw[col].iloc[:, 0]).all()
               for col in raw.columns)


def validate_tables(raw_tables: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None = None,
                    *, context: str = "") -> dict[str, pd.DataFrame]:
    """Convert and validate a set of raw tables; raise one DataError listing every problem.

    Missing required tables are problems; missing optional tables (or optional tables with a
    header and no rows) become empty tables with the schema's columns. Tables the schema does
    not know are problems too (a file that is silently ignored is worse than a message).
    Region names are the user's own: the spelling in ``customers`` is used everywhere (regions
    that differ only in case or spaces are one region). Cross-table references
    (``Column.references``) are checked last.
    """
    sources = dict(sources or {})
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    unknown = sorted(set(raw_tables) - set(SCHEMAS))
    for name in unknown:
        problems.append(Problem(f"'{name}' is not one of the workbench's tables",
                                "name each file or sheet after its table: " + ", ".join(SCHEMAS)
                                + " (a sheet whose name starts with '_' is ignored)",
                                source=sources.get(name) or name))
    for name, schema in SCHEMAS.items():
        raw = raw_tables.get(name)
        if raw is None or (not schema.required and _table_is_blank(raw)):
            if schema.required:
                problems.append(Problem(f"missing table '{name}'",
                                        f"add a '{name}.csv' file (or a '{name}' sheet) with columns "
                                        + ", ".join(schema.column_names), table=name))
            else:
                tables[name] = empty_table(schema)
            continue
        df, found = convert_table(raw, schema, source=sources.get(name))
        problems += found
        tables[name] = df
    if not problems:
        _unify_regions(tables)
        problems += _check_references(tables, sources)
    if not any(p.table in ("outlets", "channels") for p in problems):  # reported with the other tables' problems
        problems += _check_channel_roles(tables, sources)
    if problems:
        raise DataError(problems, context=context or "The data could not be loaded")
    return tables


def _unify_regions(tables: dict[str, pd.DataFrame]) -> None:
    """One spelling per region: the first seen in customers, then sites, plants, outlets, history."""
    spelling: dict[str, str] = {}
    order = ["customers", "sites", "plants", "outlets", "demand_history"]
    for name in order:
        df = tables.get(name)
        if df is None or "region" not in df or df.empty:
            continue
        for v in df["region"]:
            if isinstance(v, str) and v:
                spelling.setdefault(_region_key(v), v)
    for name in order:
        df = tables.get(name)
        if df is None or "region" not in df or df.empty:
            continue
        df["region"] = df["region"].map(lambda v: spelling.get(_region_key(v), v) if isinstance(v, str) else v)


# names that say a channel's role without a channels table (compared without case, spaces, '-', '_')
ROLE_SYNONYMS = {
    "retailer": "retailer", "retailers": "retailer", "retail": "retailer",
    "wholesaler": "wholesaler", "wholesalers": "wholesaler", "wholesale": "wholesaler",
    "distributor": "distributor", "distributors": "distributor", "distribution": "distributor",
    "ecommerce": "ecommerce", "online": "ecommerce",
}


def _role_key(v) -> str:
    return "".join(ch for ch in str(v).casefold() if ch not in " -_.")


def infer_channel_role(name) -> str | None:
    """The role a channel name states by itself ('Retail', 'E-commerce', 'wholesalers'), else None."""
    return ROLE_SYNONYMS.get(_role_key(name))


def channel_roles(outlets: pd.DataFrame | None, channels: pd.DataFrame | None) -> tuple[dict[str, str], list[str]]:
    """``({channel: role}, [channels without a role])`` for the channels of ``outlets`` (in order
    of first use): the role of the ``channels`` table (matched without case or spaces), else the
    role the name states (:func:`infer_channel_role`)."""
    table: dict[str, str] = {}
    if channels is not None and len(channels) and {"channel", "role"}.issubset(channels.columns):
        for ch, role in zip(channels["channel"], channels["role"]):
            if isinstance(ch, str) and isinstance(role, str):
                table.setdefault(_region_key(ch), role)
    roles: dict[str, str] = {}
    missing: list[str] = []
    if outlets is None or not len(outlets) or "channel" not in outlets.columns:
        return roles, missing
    for ch in pd.unique(outlets["channel"].astype(object)):
        if not isinstance(ch, str) or not ch.strip():
            continue
        role = table.get(_region_key(ch)) or infer_channel_role(ch)
        if role is None:
            missing.append(ch)
        else:
            roles[ch] = role
    return roles, missing


def missing_role_problems(outlets: pd.DataFrame, missing: list[str], *, source=None) -> list[Problem]:
    """One problem per channel of ``outlets`` that has no role, naming its rows and the fix."""
    from .schema import CHANNEL_ROLES

    out = []
    chan = outlets["channel"].astype(object)
    for ch in missing:
        p = problem_for_rows(
            np.flatnonzero((chan == ch).to_numpy()), chan,
            f"channel '{ch}' has no economic role (the channel model needs to know what it does)",
            f"add a 'channels' table (a channels.csv file or a 'channels' sheet) with columns channel, role and a "
            f"row '{ch}' with its role: one of {', '.join(CHANNEL_ROLES)} (retailer: stores that sell to "
            f"shoppers; wholesaler or distributor: sells to retailers; ecommerce: sells online)",
            source=source, table="outlets", column="channel")
        if p is not None:
            out.append(p)
    return out


def _check_channel_roles(tables: dict[str, pd.DataFrame], sources: Mapping[str, str]) -> list[Problem]:
    """Every channel of the outlets has a role; channel names take the channels table's spelling."""
    outlets, channels = tables.get("outlets"), tables.get("channels")
    problems: list[Problem] = []
    if channels is not None and len(channels):
        keys = channels["channel"].map(lambda v: _region_key(v) if isinstance(v, str) else v)
        dup = keys.duplicated(keep=False).to_numpy()
        p = problem_for_rows(np.flatnonzero(dup), channels["channel"],
                             "the same channel is listed twice (names are compared without case or extra spaces)",
                             "keep one row per channel, with its one role", source=sources.get("channels"),
                             table="channels", column="channel")
        if p is not None:
            return [p]
    if outlets is None or outlets.empty:
        return problems
    if channels is not None and len(channels):
        spelling = {_region_key(c): c for c in channels["channel"] if isinstance(c, str)}
        outlets["channel"] = outlets["channel"].map(
            lambda v: spelling.get(_region_key(v), v) if isinstance(v, str) else v)
    _, missing = channel_roles(outlets, channels)
    return missing_role_problems(outlets, missing, source=sources.get("outlets"))


def _region_key(v: str) -> str:
    return " ".join(v.split()).casefold()


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
            what = ref_col.replace("_id", "") if ref_col != "region" else "region"
            p = problem_for_rows(
                np.flatnonzero(bad.to_numpy()), df[col.name],
                f"{col.name} refers to an unknown {what}" if ref_col != "region"
                else f"region is not a region of any row of the '{ref_table}' table",
                f"use a {ref_col} that exists in the '{ref_table}' table, or add it there"
                + (f" (known: {', '.join(sorted(map(str, known))[:10])})" if ref_col == "region" else ""),
                source=sources.get(name), table=name, column=col.name)
            if p is not None:
                problems.append(p)
    return problems
