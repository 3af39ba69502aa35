"""The forecasting engine: many series, methods picked per series, intervals from backtests.

``Forecaster(models="auto").fit(df).predict(h)`` returns a long frame
``unique_id, ds, model, yhat, lo-80, hi-80, lo-95, hi-95``.

**Automatic mode.** For each series, every candidate method (combination, Theta, seasonal
naive) forecasts the last ``h`` periods from ``n_windows`` earlier origins (rolling origin,
step ``ceil(h/2)``). The combination (the equal-weight mean of the damped trend, Theta,
optimised Theta and ETS by AICc) is the default and is kept unless another candidate has a
backtest error (MAE) lower by more than ``margin`` (10%) overall *and* is better in every
window: a choice made on a few windows is noisy, so a switch needs a clear and repeated gain
(see ``docs/demand_forecasting.md``). ETS is a member of the combination, not a candidate of
its own: its AICc choice of form can differ between the backtest windows and the final fit, so
its backtest describes its forecast poorly, while inside the mean a different form moves the
forecast by a quarter of the difference. Series too short for a backtest window get the
combination.
Intermittent series (average interval between demands > 1.32 periods) choose among TSB, ADIDA
and SBA the same way (by backtest MSE, windows needing only 8 periods and two demands before
the origin); without a window the rule is TSB, the one method whose forecast decays through a
run of zeros. A series ending in a run of zeros of at least a quarter of a year (13 weeks,
3 months) and more than three times its usual interval between demands is flagged
``discontinued`` in the selection (possibly discontinued) and forecast by the intermittent
family, whose forecasts follow the zeros (smooth models would re-apply its trend and season).

**Intervals.** The same backtest errors give the interval widths. Their growth with the step
``k`` is that of a local level model (ETS(A,N,N)) fitted to the adjusted history, variance
``v_k = 1 + (k - 1) alpha^2`` (:func:`interval_shape`, ``alpha`` from
:func:`~workbench.forecast.pipeline.level_alpha`): the errors at step ``k`` are divided by
``sqrt(v_k)``, their root mean square ``s`` gives the half-width ``q * s * sqrt(v_k)``, with ``q``
the Student-t quantile of the level with ``2 x windows`` degrees of freedom (the scale is
estimated from few windows, so normal quantiles would under-cover). A series whose level moves
a lot (alpha near 1) gets the random walk's ``sqrt(k)`` growth, a stable one nearly constant
widths. With no backtest window, the in-sample one-step residuals give ``s`` (``n - 2``
degrees of freedom). Demand intervals never go
below zero. ``backtest`` reports how often the actuals fall inside them.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from ..errors import DataError, Problem
from . import data as D
from .pipeline import INTERMITTENT, METHODS, forecast_methods, forecast_series, is_intermittent, level_alpha

__all__ = ["Forecaster", "ForecastResult", "AUTO_CANDIDATES", "INTERMITTENT_CANDIDATES", "INTERMITTENT_DEFAULT",
           "interval_columns", "interval_shape", "trailing_zeros", "is_discontinued", "discontinued_after"]

AUTO_CANDIDATES = ("combination", "theta", "seasonal_naive")
INTERMITTENT_CANDIDATES = ("tsb", "adida", "sba")
#: the intermittent method used when the history allows no backtest window
INTERMITTENT_DEFAULT = "tsb"

Progress = Callable[[int, int], None]


def interval_columns(level: Sequence[int]) -> list[str]:
    cols = []
    for lv in sorted(level):
        cols += [f"lo-{lv}", f"hi-{lv}"]
    return cols


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts of every series with intervals, and what was chosen per series.

    ``forecasts``: unique_id, ds, model, yhat, lo-<level>, hi-<level> (+ the series' hierarchy
    columns). ``selection``: unique_id, model (chosen), method_used (whose numbers these are:
    differs after a fallback), fell_back_because ("" or the reason), seasonal, intermittent,
    fallback, zero_run (zero periods at the end), discontinued, lifts, backtest_windows, and the
    backtest error of every candidate, named for its metric: ``mae_<method>`` (mean absolute
    error, what smooth series are chosen by) or ``mse_<method>`` (mean squared error, what the
    automatic choice among the intermittent methods uses). A frame of many series holds both
    families, empty where a series was not scored by that metric.
    """

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    h: int
    freq: str | None
    season_length: int
    level: tuple[int, ...]
    seconds: float = 0.0
    history: pd.DataFrame = field(default=None, repr=False)

    @property
    def n_series(self) -> int:
        return int(self.selection["unique_id"].nunique()) if len(self.selection) else 0


# ----------------------------------------------------------------------------------------
# one series (runs in worker processes; plain arrays in and out)
# ----------------------------------------------------------------------------------------


def trailing_zeros(y: np.ndarray) -> int:
    """Number of periods with zero demand at the end of the history."""
    y = np.asarray(y, float)
    nz = np.flatnonzero(y != 0)
    return int(len(y) if len(nz) == 0 else len(y) - 1 - nz[-1])


def is_discontinued(y: np.ndarray, min_run: int) -> bool:
    """Possibly discontinued: the history ends with at least ``min_run`` zero periods and with
    more than three times the mean interval between its earlier demands (a slow mover's usual
    gap is not a sign of its end). A history without any demand counts as discontinued."""
    y = np.asarray(y, float)
    run = trailing_zeros(y)
    if run == len(y):
        return True
    from .models import demand_intervals

    before = y[: len(y) - run]
    return bool(run >= max(int(min_run), 1) and run > 3.0 * float(np.mean(demand_intervals(before))))


def discontinued_after(freq: str | None, season_length: int) -> int:
    """Zero periods that flag a series as possibly discontinued: a quarter of a year (13 weeks,
    3 months, 91 days), at least 2 periods; for undated series a quarter of the season, at least 2."""
    per_quarter = {"D": 91, "W": 13, "MS": 3, "QS": 1, "YS": 1}
    if freq in per_quarter:
        return max(2, per_quarter[freq])
    return max(2, int(math.ceil(season_length / 4)))


def interval_shape(h: int, alpha: float) -> np.ndarray:
    """Relative error variance at steps ``1..h`` under a local level with smoothing ``alpha``:
    ``1 + (k - 1) alpha^2`` (Hyndman et al. 2008, the ETS(A,N,N) forecast variance)."""
    a = min(max(float(alpha), 0.0), 1.0) if math.isfinite(alpha) else 1.0
    return 1.0 + (np.arange(1, h + 1, dtype=float) - 1.0) * a * a


def _cutoffs(n: int, h: int, n_windows: int, min_train: int) -> list[int]:
    step = max(1, math.ceil(h / 2))
    cuts = [n - h - k * step for k in range(n_windows)]
    return sorted(c for c in cuts if c >= min_train)


def _run_method(y, h, method, m, E, Ef, names, seasonal="auto"):
    return forecast_series(y, h, method=method, m=m, events=E, events_future=Ef, event_names=names,
                           seasonal=seasonal)


def run_series(task: dict) -> dict:
    """Forecast one series with each requested method (or auto), intervals from backtests."""
    y = np.asarray(task["y"], float)
    h, m = int(task["h"]), int(task["m"])
    E, Ef, names = task.get("E"), task.get("Ef"), tuple(task.get("names", ()))
    if E is not None and not len(names):
        E = Ef = None
    levels = tuple(task["level"])
    n_windows = int(task.get("n_windows", 2))
    margin = float(task.get("margin", 0.0))
    n = len(y)
    zero_run = trailing_zeros(y)
    discontinued = is_discontinued(y, int(task.get("discontinued_after") or 13))
    # a series that stopped selling is forecast by the intermittent family, whose forecasts
    # follow a run of zeros (smooth models would re-apply its trend and season to the zeros)
    intermittent = is_intermittent(y) or discontinued
    if intermittent:
        # the intermittent methods need no season: 8 periods and two demands before the origin
        cuts = [c for c in _cutoffs(n, h, n_windows, 8) if np.count_nonzero(y[:c] > 0) >= 2]
    else:
        cuts = _cutoffs(n, h, n_windows, max(2 * m if m <= 13 else m + 4, 8))

    def backtest_errors(methods) -> None:
        """Backtest errors of every method not yet in the cache, all methods per window at once."""
        todo = [mt for mt in dict.fromkeys(methods) if mt not in cache]
        if not todo:
            return
        errs = {mt: [] for mt in todo}
        for c in cuts:
            Ec = E[:c] if E is not None else None
            Efc = E[c:c + h] if E is not None else None
            fits = forecast_methods(y[:c], h, todo, m=m, events=Ec, events_future=Efc, event_names=names)
            for mt in todo:
                errs[mt].append(y[c:c + h] - fits[mt].mean)
        for mt in todo:
            cache[mt] = np.array(errs[mt]) if errs[mt] else np.empty((0, h))

    wanted = list(task["methods"])
    out = {"unique_id": task["unique_id"], "intermittent": intermittent, "rows": [], "selection": []}
    cache: dict[str, np.ndarray] = {}
    for label in wanted:
        scores = {}
        metric = "mae"
        if label == "auto":
            cands = INTERMITTENT_CANDIDATES if intermittent else tuple(task.get("candidates") or AUTO_CANDIDATES)
            default = INTERMITTENT_DEFAULT if intermittent else ("combination" if "combination" in cands else cands[0])
            if cuts:
                backtest_errors(cands)
                metric = "mse" if intermittent else "mae"
                for c in cands:
                    e = cache[c]
                    scores[c] = float(np.mean(e ** 2)) if intermittent else float(np.mean(np.abs(e)))
                best = min(scores, key=scores.get)
                if best != default and default in scores:
                    # switch away from the default only when the winner is better by the margin
                    # overall and better in every window (picking on a few windows is noisy)
                    e_best, e_def = cache[best], cache[default]
                    per_best = (e_best ** 2).mean(1) if intermittent else np.abs(e_best).mean(1)
                    per_def = (e_def ** 2).mean(1) if intermittent else np.abs(e_def).mean(1)
                    if scores[best] >= (1.0 - margin) * scores[default] or np.any(per_best >= per_def):
                        best = default
                method = best
            else:
                method = default
        else:
            method = label
            if cuts:
                backtest_errors([method])
            if cuts:
                e = cache[method]
                scores[method] = float(np.mean(np.abs(e)))
        fit = _run_method(y, h, method, m, E, Ef, names)
        mean = np.asarray(fit.mean, float)
        shape = interval_shape(h, level_alpha(y, m, events=E, event_names=names, intermittent=intermittent))
        errs = cache.get(method) if cuts else None
        if errs is not None and errs.size:
            s = float(np.sqrt(np.mean(errs ** 2 / shape[None, :])))
        else:
            resid = y - np.asarray(fit.fitted, float)
            resid = resid[np.isfinite(resid)]
            s = float(np.sqrt(np.mean(resid ** 2))) if resid.size else float(np.std(y))
        if not math.isfinite(s):
            s = float(np.std(y)) if n > 1 else 0.0
        row = {"model": method if label == "auto" else label, "requested": label, "yhat": mean}
        nonneg = bool(np.min(y) >= 0)
        # the error scale comes from few windows (or in-sample residuals): Student-t quantiles
        dof = 2 * len(cuts) if errs is not None and errs.size else max(n - 2, 1)
        for lv in levels:
            z = float(student_t.ppf(0.5 + lv / 200.0, dof))
            half = z * s * np.sqrt(shape)
            lo = mean - half
            row[f"lo-{lv}"] = np.maximum(lo, 0.0) if nonneg else lo
            row[f"hi-{lv}"] = mean + half
        out["rows"].append(row)
        out["selection"].append({
            "unique_id": task["unique_id"], "requested": label, "model": row["model"], "seasonal": fit.seasonal,
            "intermittent": intermittent, "method_used": fit.method_used,
            "fell_back_because": fit.fell_back_because, "fallback": fit.fallback or "",
            "zero_run": zero_run, "discontinued": discontinued,
            "lifts": ", ".join(f"{k} x{v:.2f}" for k, v in fit.lifts.items()),
            "backtest_windows": len(cuts), **{f"{metric}_{k}": v for k, v in scores.items()},
        })
    return out


def _chunks(seq, size):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def _run_chunk(tasks):
    return [run_series(t) for t in tasks]


def run_many(tasks: list[dict], *, n_jobs: int = 1, progress: Progress | None = None) -> list[dict]:
    """Run ``run_series`` over tasks, in ``n_jobs`` processes (-1: all cores), reporting progress."""
    total = len(tasks)
    if n_jobs is None or n_jobs == 0:
        n_jobs = 1
    if n_jobs < 0:
        n_jobs = os.cpu_count() or 1
    results: list[dict | None] = [None] * total
    done = 0
    if progress:
        progress(0, total)
    if n_jobs == 1 or total < 8:
        for i, t in enumerate(tasks):
            results[i] = run_series(t)
            done += 1
            if progress:
                progress(done, total)
        return results
    size = max(1, min(25, total // (n_jobs * 4) or 1))
    indexed = list(enumerate(tasks))
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        futures = {pool.submit(_run_chunk, [t for _, t in chunk]): [i for i, _ in chunk]
                   for chunk in _chunks(indexed, size)}
        for fut in as_completed(futures):
            idx = futures[fut]
            for i, r in zip(idx, fut.result()):
                results[i] = r
            done += len(idx)
            if progress:
                progress(done, total)
    return results


# ----------------------------------------------------------------------------------------
# the public estimator
# ----------------------------------------------------------------------------------------


class Forecaster:
    """Forecast many demand series from a long frame (statsforecast-style API).

    ``models``: ``"auto"`` or a list of method names (``seasonal_naive, naive, ses, ets, theta,
    optimized_theta, dynamic_optimized_theta, ces, arima, combination, croston, sba, tsb, adida``;
    ``"auto"`` may be one of them). ``discontinued_after``: zero periods at the end that flag a
    series as possibly discontinued (default a quarter of a year in periods).
    ``freq``: pandas alias (``"W"``, ``"MS"``, ``"QS"``, ...) or ``None`` to infer it from the
    dates. ``season_length``: overrides the season implied by the frequency (needed for undated
    series). ``events``: ``True`` uses the calendar events (Black Friday, Cyber Monday,
    December) and a ``promotion`` column when present; a tuple names the event columns to use;
    ``False`` none. ``level``: interval levels in percent. ``n_jobs``: processes (-1: all cores).
    """

    def __init__(self, models: str | Sequence[str] = "auto", *, freq: str | None = None,
                 season_length: int | None = None, events: bool | Sequence[str] = True,
                 level: Sequence[int] = (80, 95), n_jobs: int = 1, n_windows: int = 3,
                 candidates: Sequence[str] | None = None, margin: float = 0.1,
                 allow_negative: bool = False, min_length: int = 4, discontinued_after: int | None = None):
        self.models = ["auto"] if models == "auto" else list(models)
        bad = [mo for mo in self.models if mo != "auto" and mo not in METHODS]
        if bad:
            raise DataError([Problem(f"unknown forecasting method '{mo}'", value=mo,
                                     fix=f"choose 'auto' or one of: {', '.join(METHODS)}") for mo in bad],
                            context="The forecast specification cannot be used")
        if not self.models:
            raise DataError("no forecasting method was given; use models='auto'")
        self.freq = freq
        self.season_length = season_length
        self.events = events
        self.level = tuple(int(lv) for lv in level)
        for lv in self.level:
            if not 0 < lv < 100:
                raise DataError([Problem("an interval level must be between 0 and 100 percent", value=lv,
                                         fix="use levels such as (80, 95)")])
        self.n_jobs = n_jobs
        self.n_windows = int(n_windows)
        self.candidates = tuple(candidates) if candidates else None
        self.margin = float(margin)
        self.allow_negative = allow_negative
        self.min_length = int(min_length)
        self.discontinued_after = None if discontinued_after is None else int(discontinued_after)
        self.df_: pd.DataFrame | None = None
        self.info_: D.FrequencyInfo | None = None
        self.result_: ForecastResult | None = None

    # -- events -------------------------------------------------------------------------
    def _event_names(self, df: pd.DataFrame) -> tuple[str, ...]:
        if self.events is False or self.events is None:
            return ()
        if self.events is True:
            names = list(D.CALENDAR_EVENTS) if self.info_ is not None and self.info_.freq not in (None, "YS") else []
            if "promotion" in df.columns:
                names.append("promotion")
            return tuple(names)
        return tuple(self.events)

    def fit(self, df: pd.DataFrame) -> "Forecaster":
        """Validate and keep the history (models are fitted in ``predict``, once ``h`` is known)."""
        user_cols = () if isinstance(self.events, bool) or self.events is None else tuple(
            c for c in self.events if c not in D.CALENDAR_EVENTS)
        if self.events is True and "promotion" in df.columns:
            user_cols = ("promotion",)
        clean, info = D.validate_history(df, freq=self.freq, min_length=self.min_length,
                                         allow_negative=self.allow_negative, event_columns=user_cols)
        if self.season_length is not None:
            if int(self.season_length) < 1:
                raise DataError([Problem("season_length must be a whole number >= 1", value=self.season_length,
                                         fix="use 1 for no seasonality, 4 quarterly, 12 monthly, 52 weekly")])
            info = D.FrequencyInfo(info.freq, info.name, int(self.season_length), info.offset)
        self.df_, self.info_ = clean, info
        return self

    def _tasks(self, h: int, future: pd.DataFrame | None) -> tuple[list[dict], dict]:
        df, info = self.df_, self.info_
        names = self._event_names(df)
        calendar = [nm for nm in names if nm in D.CALENDAR_EVENTS]
        user = [nm for nm in names if nm not in D.CALENDAR_EVENTS]
        if future is not None and len(user):
            missing = [c for c in ("unique_id", "ds", *user) if c not in future.columns]
            if missing:
                raise DataError([Problem(f"column '{c}' is missing from the future events", table="future",
                                         column=c, fix="give unique_id, ds and the event columns for the "
                                                       "forecast periods") for c in missing])
            fut = future.copy()
            if info.freq is not None:
                fut["ds"] = pd.to_datetime(fut["ds"])
            fut = fut.set_index(["unique_id", "ds"])
        else:
            fut = None
        tasks, dates = [], {}
        for uid, g in df.groupby("unique_id", sort=False):
            y = g["y"].to_numpy(float)
            fdates = D.future_dates(g["ds"].iloc[-1], h, info)
            dates[uid] = fdates
            E = Ef = None
            if names:
                hist = D.calendar_events(g["ds"], info)[calendar] if calendar else pd.DataFrame(index=range(len(g)))
                futr = D.calendar_events(pd.Series(fdates), info)[calendar] if calendar else pd.DataFrame(index=range(h))
                for c in user:
                    hist[c] = g[c].to_numpy(float)
                    if fut is not None:
                        vals = []
                        for d in fdates:
                            key = (uid, d)
                            vals.append(float(fut.at[key, c]) if key in fut.index else 0.0)
                        futr[c] = vals
                    else:
                        futr[c] = 0.0
                E, Ef = hist[list(names)].to_numpy(float), futr[list(names)].to_numpy(float)
            tasks.append({"unique_id": uid, "y": y, "h": h, "m": info.season_length, "E": E, "Ef": Ef,
                          "names": names, "methods": self.models, "level": self.level,
                          "n_windows": self.n_windows, "candidates": self.candidates, "margin": self.margin,
                          "discontinued_after": self.discontinued_after or discontinued_after(info.freq,
                                                                                              info.season_length)})
        return tasks, dates

    def forecast(self, h: int, *, future: pd.DataFrame | None = None, progress: Progress | None = None,
                 n_jobs: int | None = None) -> ForecastResult:
        """Forecast ``h`` periods of every series; a frozen :class:`ForecastResult`."""
        import time

        if self.df_ is None:
            raise DataError("call fit(df) with the demand history before forecasting")
        if int(h) < 1:
            raise DataError([Problem("the horizon must be at least 1 period", value=h,
                                     fix="ask for h >= 1 periods ahead")])
        h = int(h)
        start = time.perf_counter()
        tasks, dates = self._tasks(h, future)
        results = run_many(tasks, n_jobs=self.n_jobs if n_jobs is None else n_jobs, progress=progress)
        frames, sel = [], []
        cols = interval_columns(self.level)
        for res in results:
            uid = res["unique_id"]
            for row in res["rows"]:
                part = pd.DataFrame({"unique_id": uid, "ds": dates[uid], "model": row["model"], "yhat": row["yhat"]})
                for lv in sorted(self.level):
                    part[f"lo-{lv}"] = row[f"lo-{lv}"]
                    part[f"hi-{lv}"] = row[f"hi-{lv}"]
                frames.append(part)
            sel.extend(res["selection"])
        fc = pd.concat(frames, ignore_index=True)
        fc = fc[["unique_id", "ds", "model", "yhat", *_ordered(cols, self.level)]]
        static = _static_columns(self.df_)
        if static is not None:
            fc = fc.merge(static, on="unique_id", how="left")
        self.result_ = ForecastResult(fc, pd.DataFrame(sel), h, self.info_.freq, self.info_.season_length,
                                      self.level, time.perf_counter() - start, self.df_)
        return self.result_

    def predict(self, h: int, *, future: pd.DataFrame | None = None, progress: Progress | None = None) -> pd.DataFrame:
        """Forecast frame ``unique_id, ds, model, yhat, lo-80, hi-80, lo-95, hi-95``."""
        return self.forecast(h, future=future, progress=progress).forecasts


def _ordered(cols, level):
    out = []
    for lv in level:
        out += [f"lo-{lv}", f"hi-{lv}"]
    return out


def _static_columns(df: pd.DataFrame) -> pd.DataFrame | None:
    """Columns constant within each series (hierarchy: product_id, region, ...)."""
    skip = {"unique_id", "ds", "y", "promotion", *D.CALENDAR_EVENTS}
    cand = [c for c in df.columns if c not in skip]
    if not cand:
        return None
    g = df.groupby("unique_id", sort=False)
    const = [c for c in cand if (g[c].nunique(dropna=False) <= 1).all()]
    if not const:
        return None
    return g[const].first().reset_index()
