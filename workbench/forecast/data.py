"""Long demand frames: validation, frequency, and the events calendar.

The table contract is statsforecast's long format: one row per series and period with
``unique_id`` (series key), ``ds`` (period start date, or an integer period number for undated
series) and ``y`` (demand, units >= 0). Extra columns are kept: hierarchy columns
(``product_id``, ``region``, ...) and event/promotion columns (``promotion`` bool, or any
column named in ``event_columns``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..validate import problem_for_rows

__all__ = [
    "FrequencyInfo",
    "infer_frequency",
    "validate_history",
    "series_from_history",
    "black_friday",
    "calendar_events",
    "future_dates",
    "CALENDAR_EVENTS",
    "SEASON_LENGTHS",
]

TABLE = "demand history"
CALENDAR_EVENTS = ("black_friday", "cyber_monday", "december")

#: Season length per frequency. Weekly data have 52.18 weeks a year; 52 is used, and the
#: seasonal shape is removed by classical decomposition rather than a 52-state seasonal model.
SEASON_LENGTHS = {"D": 7, "W": 52, "MS": 12, "QS": 4, "YS": 1, None: 1}
_FREQ_NAMES = {"D": "daily", "W": "weekly", "MS": "monthly", "QS": "quarterly", "YS": "yearly", None: "undated"}


@dataclass(frozen=True)
class FrequencyInfo:
    """The period of a history: pandas alias (``None`` for integer periods), name, season length."""

    freq: str | None
    name: str
    season_length: int
    offset: object = None  # a pandas DateOffset for dated series


def _offset(freq: str | None, sample: pd.Timestamp | None = None):
    if freq is None:
        return None
    if freq == "W":
        day = sample.day_name()[:3].upper() if sample is not None else "MON"
        return pd.tseries.frequencies.to_offset(f"W-{day}")
    return pd.tseries.frequencies.to_offset(freq)


def infer_frequency(ds: pd.Series, freq: str | None = None) -> FrequencyInfo:
    """Frequency from the spacing of the dates (the median step over all series), or as given.

    Integer ``ds`` (periods 1..n) are undated: no calendar events, season length 1 unless given.
    """
    if ds.empty:
        return FrequencyInfo(None, "undated", 1)
    if not pd.api.types.is_datetime64_any_dtype(ds):
        if freq is None:
            return FrequencyInfo(None, "undated", 1)
    if freq is not None:
        key = {"W-MON": "W", "M": "MS", "ME": "MS", "Q": "QS", "QE": "QS", "A": "YS", "Y": "YS", "YE": "YS",
               "AS": "YS"}.get(freq, freq)
        key = key if key in SEASON_LENGTHS else key
        m = SEASON_LENGTHS.get(key, 1)
        sample = pd.Timestamp(ds.iloc[0]) if pd.api.types.is_datetime64_any_dtype(ds) else None
        return FrequencyInfo(key, _FREQ_NAMES.get(key, key), m, _offset(key, sample))
    d = np.sort(ds.drop_duplicates().to_numpy())
    steps = np.diff(d).astype("timedelta64[D]").astype(float) if len(d) > 1 else np.array([7.0])
    step = float(np.median(steps)) if len(steps) else 7.0
    if step <= 1.5:
        key = "D"
    elif step <= 8:
        key = "W"
    elif step <= 32:
        key = "MS"
    elif step <= 93:
        key = "QS"
    else:
        key = "YS"
    return FrequencyInfo(key, _FREQ_NAMES[key], SEASON_LENGTHS[key], _offset(key, pd.Timestamp(d[0])))


def future_dates(last, h: int, info: FrequencyInfo) -> list:
    """The ``h`` periods after ``last``."""
    if info.freq is None:
        return [int(last) + k for k in range(1, h + 1)]
    return list(pd.date_range(pd.Timestamp(last), periods=h + 1, freq=info.offset)[1:])


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    nov1 = dt.date(year, 11, 1)
    first_thu = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thu + dt.timedelta(days=22)


def calendar_events(ds, info: FrequencyInfo) -> pd.DataFrame:
    """0/1 flags per period: the period holds Black Friday, Cyber Monday, or starts in December.

    A period is ``[ds, next ds)``; weekly periods start on their ``ds`` day (Monday in the
    World), so Black Friday falls in the week starting the Monday before it and Cyber Monday
    starts the following week. Undated series have no events (all zero).
    """
    ds = pd.Series(ds).reset_index(drop=True)
    out = pd.DataFrame(0.0, index=range(len(ds)), columns=list(CALENDAR_EVENTS))
    if info.freq is None or ds.empty or info.freq == "YS":
        return out
    start = pd.to_datetime(ds)
    if info.freq == "D":
        length = pd.Timedelta(days=1)
        end = start + length
    elif info.freq == "W":
        end = start + pd.Timedelta(days=7)
    else:
        end = start + info.offset
    years = range(start.dt.year.min() - 1, start.dt.year.max() + 2)
    bfs = pd.to_datetime([black_friday(y) for y in years])
    cms = bfs + pd.Timedelta(days=3)
    s = start.to_numpy()[:, None]
    e = end.to_numpy()[:, None]
    out["black_friday"] = ((bfs.to_numpy()[None, :] >= s) & (bfs.to_numpy()[None, :] < e)).any(axis=1).astype(float)
    out["cyber_monday"] = ((cms.to_numpy()[None, :] >= s) & (cms.to_numpy()[None, :] < e)).any(axis=1).astype(float)
    out["december"] = (start.dt.month == 12).astype(float).to_numpy()
    return out


def series_from_history(history: pd.DataFrame) -> pd.DataFrame:
    """The World's ``demand_history`` (product_id, region, ds, y, promotion) as a long frame.

    Adds ``unique_id = f"{product_id}|{region}"`` and keeps the hierarchy columns.
    """
    df = history.copy()
    if "unique_id" not in df.columns:
        missing = [c for c in ("product_id", "region") if c not in df.columns]
        if missing:
            raise DataError([Problem(f"column '{c}' is missing", fix="give unique_id, or product_id and region",
                                     table=TABLE, column=c) for c in missing])
        df.insert(0, "unique_id", df["product_id"].astype(str) + "|" + df["region"].astype(str))
    return df


def validate_history(df: pd.DataFrame, *, freq: str | None = None, min_length: int = 4,
                     allow_negative: bool = False, event_columns: tuple[str, ...] = (),
                     table: str = TABLE) -> tuple[pd.DataFrame, FrequencyInfo]:
    """Check a long frame and return it sorted by (unique_id, ds) with its frequency.

    Reports every problem at once as a :class:`DataError`: missing columns, unreadable or
    missing dates, NaN or negative demand, duplicate (unique_id, ds), gaps in the dates, and
    series shorter than ``min_length``. Rows are numbered as a spreadsheet shows them (the header
    is row 1, the first data row is row 2), one problem per kind and series with a count.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError([Problem("the history is not a table", fix="pass a pandas DataFrame with unique_id, ds, y",
                                 table=table)])
    problems: list[Problem] = []
    for col in ("unique_id", "ds", "y"):
        if col not in df.columns:
            problems.append(Problem(f"column '{col}' is missing", table=table, column=col,
                                    fix="the history needs columns unique_id, ds (period date or number) and y "
                                        "(demand); use series_from_history() for product_id/region tables"))
    for col in event_columns:
        if col not in df.columns:
            problems.append(Problem(f"event column '{col}' is missing", table=table, column=col,
                                    fix=f"add '{col}' (0/1 or True/False per period) or drop it from the events"))
    if problems:
        raise DataError(problems, context="The demand history cannot be used")
    df = df.reset_index(drop=True).copy()
    rows = np.arange(2, len(df) + 2)  # spreadsheet rows: the header is row 1
    if len(df) == 0:
        raise DataError([Problem("the history has no rows", table=table, fix="load a demand history with data")],
                        context="The demand history cannot be used")
    # dates
    ds = df["ds"]
    if pd.api.types.is_datetime64_any_dtype(ds):
        pass
    elif pd.api.types.is_integer_dtype(ds):
        pass
    elif pd.api.types.is_float_dtype(ds) and np.all(np.isfinite(ds)) and np.all(ds == np.round(ds)):
        df["ds"] = ds.astype("int64")
    else:
        parsed = pd.to_datetime(ds, errors="coerce", format="mixed")
        _per_rows(problems, np.flatnonzero(parsed.isna().to_numpy()), ds, "the date is missing or unreadable",
                  "write dates as YYYY-MM-DD (or integer period numbers)", table, "ds")
        df["ds"] = parsed
    # demand
    y = pd.to_numeric(df["y"], errors="coerce")
    bad = y.isna().to_numpy() | ~np.isfinite(y.to_numpy(dtype=float, na_value=np.nan))
    uids = df["unique_id"].astype(str).to_numpy()
    for uid in dict.fromkeys(uids[bad]):
        _per_rows(problems, np.flatnonzero(bad & (uids == uid)), df["y"],
                  f"demand of series '{uid}' is missing or not a number",
                  "enter the units sold (0 when nothing sold); do not leave blanks", table, "y")
    if not allow_negative:
        neg = (y < 0).to_numpy()
        for uid in dict.fromkeys(uids[neg]):
            _per_rows(problems, np.flatnonzero(neg & (uids == uid)), y, f"demand of series '{uid}' is negative",
                      "demand is units >= 0: book returns separately and enter 0 for the period", table, "y")
    df["y"] = y.astype(float)
    for col in event_columns:
        v = df[col]
        if v.dtype == bool:
            df[col] = v.astype(float)
        else:
            vv = pd.to_numeric(v, errors="coerce")
            _per_rows(problems, np.flatnonzero(vv.isna().to_numpy()), v, f"event flag '{col}' is not 0/1",
                      "use 0/1 or True/False", table, col)
            df[col] = vv.fillna(0.0).astype(float)
    if problems:
        raise DataError(problems, context="The demand history cannot be used")
    # duplicates
    dup = df.duplicated(["unique_id", "ds"], keep="first").to_numpy()
    for uid in dict.fromkeys(df["unique_id"].astype(str).to_numpy()[dup]):
        _per_rows(problems, np.flatnonzero(dup & (df["unique_id"].astype(str).to_numpy() == uid)),
                  df["ds"].map(_fmt), f"series '{uid}' has a second row for the same period",
                  "keep one row per series and period (sum the duplicates if they are parts)", table, "ds")
    info = infer_frequency(df["ds"], freq)
    df["_row"] = rows
    df = df.sort_values(["unique_id", "ds"], kind="stable")
    if not dup.any():
        for uid, g in df.groupby("unique_id", sort=False):
            d = g["ds"]
            if info.freq is None:
                values = d.to_numpy()
                steps = np.diff(values)
                gaps = np.flatnonzero(steps != 1)
                for k in gaps[:5]:
                    problems.append(Problem(
                        f"series '{uid}' jumps from period {values[k]} to {values[k + 1]}: "
                        f"{int(steps[k]) - 1} period(s) missing", table=table, row=int(g['_row'].iloc[k + 1]), column="ds",
                        value=int(values[k + 1]), fix="add the missing periods with y = 0 (no demand) or the true values"))
            else:
                expected = pd.date_range(d.iloc[0], d.iloc[-1], freq=info.offset)
                if len(expected) != len(d) or not np.array_equal(expected.to_numpy(), d.to_numpy()):
                    missing = expected.difference(pd.DatetimeIndex(d))
                    off_grid = pd.DatetimeIndex(d).difference(expected)
                    if len(missing):
                        shown = ", ".join(x.strftime("%Y-%m-%d") for x in missing[:3])
                        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                        problems.append(Problem(
                            f"series '{uid}' has {len(missing)} missing {info.name} period(s): {shown}{more}",
                            table=table, column="ds", value=missing[0].strftime("%Y-%m-%d"),
                            fix=f"add a row per missing {info.name} period with y = 0 (no demand) or the true value"))
                    for x in off_grid[:5]:
                        r = int(g.loc[g['ds'] == x, '_row'].iloc[0])
                        problems.append(Problem(
                            f"series '{uid}' has a date off the {info.name} grid", table=table, row=r, column="ds",
                            value=x.strftime("%Y-%m-%d"),
                            fix=f"use one date per {info.name} period (e.g. the period start)"))
    sizes = df.groupby("unique_id", sort=False).size()
    for uid, n in sizes[sizes < min_length].items():
        problems.append(Problem(f"series '{uid}' has {int(n)} period(s) of history; at least {min_length} are needed",
                                table=table, column="y", value=int(n),
                                fix=f"give at least {min_length} periods, forecast it at an aggregate level, "
                                    "or leave it out"))
    if problems:
        raise DataError(problems, context="The demand history cannot be used")
    return df.drop(columns="_row").reset_index(drop=True), info


def _per_rows(problems: list[Problem], positions, values, message: str, fix: str, table: str, column: str) -> None:
    """One problem for all rows (0-based positions) with the same fault, rows as a spreadsheet shows them."""
    p = problem_for_rows(positions, values, message, fix, table=table, column=column)
    if p is not None:
        problems.append(p)


def _fmt(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)
