"""Rolling-origin backtests: forecast the past from earlier origins and score it.

For ``n_windows`` origins spaced ``step`` periods apart (default ``h``), ending ``h`` periods
before the end of each series, every model forecasts ``h`` periods from the history up to the
origin only (automatic choices and interval widths included, so the coverage is honest), and
is scored against what happened. See :mod:`workbench.forecast.metrics` for the definitions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from . import metrics as mt
from .auto import Forecaster, run_many

__all__ = ["backtest", "BacktestResult", "METRICS"]

METRICS = ("mape", "smape", "mase", "wape", "bias")


@dataclass(frozen=True)
class BacktestResult:
    """Backtest forecasts and their accuracy.

    ``forecasts``: unique_id, cutoff, ds, model (the method used), model_requested (as asked,
    e.g. "auto"), y, yhat, interval bounds.
    ``metrics``: one row per series and model: mape, smape, mase, wape, bias (percent; MASE a
    ratio), coverage_<level> (percent of actuals inside the interval), windows, msis_<level>
    (mean scaled interval score: width plus the misses' distance, over the MASE scale).
    ``summary``: one row per model: the metrics averaged over series (coverage pooled).
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    summary: pd.DataFrame
    h: int
    n_windows: int
    level: tuple[int, ...]
    seconds: float

    def best_model(self, metric: str = "mase") -> str:
        return str(self.summary.sort_values(metric).iloc[0]["model"])


def backtest(df: pd.DataFrame, h: int, *, n_windows: int = 3, models: Sequence[str] = ("auto", "seasonal_naive"),
             step: int | None = None, freq: str | None = None, season_length: int | None = None,
             events=True, level: Sequence[int] = (80, 95), n_jobs: int = 1,
             progress: Callable[[int, int], None] | None = None, min_train: int | None = None) -> BacktestResult:
    """Rolling-origin backtest of ``models`` on every series of a long frame (``unique_id, ds, y``)."""
    start = time.perf_counter()
    h = int(h)
    if h < 1 or n_windows < 1:
        raise DataError([Problem("the backtest needs h >= 1 and n_windows >= 1", value=(h, n_windows),
                                 fix="ask for at least one window of at least one period")])
    step = int(step or h)
    fc = Forecaster(models=list(models), freq=freq, season_length=season_length, events=events, level=level)
    fc.fit(df)
    hist = fc.df_
    m = fc.info_.season_length
    need = int(min_train or max(2 * m if m <= 13 else m + 4, 8)) + h + (n_windows - 1) * step
    sizes = hist.groupby("unique_id", sort=False).size()
    short = sizes[sizes < need]
    if len(short):
        raise DataError([Problem(
            f"series '{uid}' has {int(n)} periods; a backtest of {n_windows} window(s) of {h} periods "
            f"{step} apart needs {need}", table="demand history", column="y", value=int(n),
            fix="use fewer windows, a shorter horizon, or leave the series out") for uid, n in short.items()],
            context="The backtest cannot run")
    tasks, meta = [], []
    full_tasks, _ = fc._tasks(h, None)
    for t in full_tasks:
        y, E = t["y"], t["E"]
        n = len(y)
        g = hist[hist.unique_id == t["unique_id"]]
        for w in range(n_windows):
            cut = n - h - (n_windows - 1 - w) * step
            sub = dict(t)
            sub["y"] = y[:cut]
            if E is not None:
                sub["E"], sub["Ef"] = E[:cut], E[cut:cut + h]
            tasks.append(sub)
            meta.append((t["unique_id"], g["ds"].iloc[cut - 1], g["ds"].iloc[cut:cut + h].to_list(), y[cut:cut + h],
                         y[:cut]))
    results = run_many(tasks, n_jobs=n_jobs, progress=progress)
    level = tuple(int(lv) for lv in level)
    frames, rows = [], []
    for (uid, cutoff, dates, actual, train), res in zip(meta, results):
        for row in res["rows"]:
            part = pd.DataFrame({"unique_id": uid, "cutoff": cutoff, "ds": dates, "model": row["model"],
                                 "requested": row["requested"], "y": actual, "yhat": row["yhat"]})
            for lv in level:
                part[f"lo-{lv}"] = row[f"lo-{lv}"]
                part[f"hi-{lv}"] = row[f"hi-{lv}"]
            frames.append(part)
            rec = {"unique_id": uid, "cutoff": cutoff, "requested": part["requested"].iloc[0],
                   "mape": mt.mape(actual, row["yhat"]), "smape": mt.smape(actual, row["yhat"]),
                   "mase": mt.mase(actual, row["yhat"], train, m), "wape": mt.wape(actual, row["yhat"]),
                   "bias": mt.bias(actual, row["yhat"]), "_abs": float(np.sum(np.abs(actual - row["yhat"]))),
                   "_sum": float(np.sum(np.abs(actual))), "_err": float(np.sum(row["yhat"] - actual))}
            for lv in level:
                rec[f"msis_{lv}"] = mt.msis(actual, row[f"lo-{lv}"], row[f"hi-{lv}"], train, m, lv)
            for lv in level:
                rec[f"_in{lv}"] = float(np.sum((actual >= row[f"lo-{lv}"]) & (actual <= row[f"hi-{lv}"])))
            rec["_n"] = len(actual)
            rows.append(rec)
    forecasts = pd.concat(frames, ignore_index=True).rename(columns={"requested": "model_requested"})
    per = pd.DataFrame(rows)
    metrics = _aggregate(per, ["unique_id", "requested"], level)
    summary = _aggregate(per, ["requested"], level, mean_of_series=metrics)
    metrics = metrics.rename(columns={"requested": "model"})
    summary = summary.rename(columns={"requested": "model"})
    return BacktestResult(forecasts, metrics, summary, h, n_windows, level, time.perf_counter() - start)


def _aggregate(per: pd.DataFrame, keys, level, mean_of_series: pd.DataFrame | None = None) -> pd.DataFrame:
    g = per.groupby(keys, sort=False)
    means = ["mape", "smape", "mase", *[f"msis_{lv}" for lv in level]]
    out = g[means].mean()
    sums = g[["_abs", "_sum", "_err", "_n", *[f"_in{lv}" for lv in level]]].sum()
    out["wape"] = np.where(sums["_sum"] > 0, 100 * sums["_abs"] / sums["_sum"].where(sums["_sum"] > 0, 1), np.nan)
    out["bias"] = np.where(sums["_sum"] > 0, 100 * sums["_err"] / sums["_sum"].where(sums["_sum"] > 0, 1), np.nan)
    for lv in level:
        out[f"coverage_{lv}"] = 100 * sums[f"_in{lv}"] / sums["_n"]
    out["windows"] = g.size()
    out = out[[c for c in out.columns if not c.startswith("msis_")] + [f"msis_{lv}" for lv in level]]
    if mean_of_series is not None:
        # per-model means of the per-series metrics (each series counts once)
        ms = mean_of_series.groupby(keys, sort=False)[means].mean()
        out[means] = ms
        out["series"] = mean_of_series.groupby(keys, sort=False).size()
        out["windows"] = g.size()
    return out.reset_index()
