"""Candidate models and combination rules for the automatic forecaster, measured side by side.

    python -m benchmarks.forecast_candidates [--sets m3_quarterly,m3_other,synthetic_monthly,synthetic_weekly]
        [--data-dir ../shared/benchmarks/forecast] [--slow arima,sm_ets] [--slow-limit 300] [--weights]
        [--out table.csv]

Every smooth (non-intermittent) series of each set is seasonally adjusted once, exactly as the
forecasting pipeline does it (:func:`workbench.forecast.pipeline.seasonal_profile`), and every
candidate model forecasts the adjusted training history; the forecasts are re-seasonalised,
clipped to the pipeline's plausible range and scored on the test periods (sMAPE, MASE). The
combination rules (mean, median, trimmed mean: the highest and lowest member dropped at each
step) are then scored from the same member forecasts, so rules and member sets are compared on
identical inputs. ``mean(damped, theta, otm, ets)`` is the workbench's ``combination`` method
(``mean(damped, theta, otm)`` the earlier one); the automatic mode's backtest choice is not
replayed here (``benchmarks.forecast`` measures it).

Candidates: ``ses``, ``damped`` (ETS(A,Ad,N)), ``holt`` (undamped ETS(A,A,N)), ``ets`` (the
workbench's ETS: the AICc choice of ETS(A,N,N) or ETS(A,Ad,N)), ``ets_aicc(ses, holt, damped)``
(the AICc choice among all three, the undamped trend included), ``theta``, ``otm``, ``dotm``
(optimised and dynamic optimised Theta), ``ces``, ``naive`` and ``fast_arima`` (the small automatic
ARIMA of :func:`workbench.forecast.models.fast_arima`), all the workbench's own fits;
with ``--slow``, on the first ``--slow-limit`` smooth series of each set: ``arima`` (statsmodels
SARIMAX, the order by AICc among the workbench's five small orders) and ``sm_ets`` (statsmodels
``ETSModel``, additive errors, no trend / trend / damped trend by AICc). Their rows are scored
on that subset, beside the combination on the same subset. ``cpu_s``: CPU seconds of the final
fits (a combination's: the sum of its members', though the workbench shares the SES and
damped-trend fits with its ETS member); the automatic mode fits each model once per
backtest window as well (three more times by default).

With ``--weights``, combination weights from backtests are measured as well: every member of
``mean(damped, theta, otm, ets[, fast_arima])`` forecasts the ``h`` periods after each of the
automatic mode's three rolling origins (``ceil(h/2)`` apart, before the test periods), and the
rules weight the final forecasts by those errors: inverse mean squared error (``inv-mse``),
the same shrunk halfway to equal weights (``inv-mse/2``), or the equal-weight mean of the
members left after dropping the one with the largest backtest MAE (``drop-worst``).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.forecast import metrics as mt
from workbench.forecast import models as M
from workbench.forecast import pipeline as P
from workbench.forecast.data import infer_frequency

from .forecast import DEFAULT_DIR, SHARED_SETS, SYNTHETIC_SETS, load_set

FAST = ("ses", "damped", "holt", "ets", "theta", "otm", "dotm", "ces", "naive", "fast_arima")
SLOW = ("arima", "sm_ets")
COMBINATION = ("damped", "theta", "otm", "ets")
PREVIOUS = ("damped", "theta", "otm")
RULES = (
    ("mean", COMBINATION),
    ("median", COMBINATION),
    ("trimmed", COMBINATION),
    ("mean", PREVIOUS),
    ("median", PREVIOUS),
    ("mean", ("ets", "theta", "otm")),
    ("mean", ("damped", "theta", "otm", "ets", "dotm")),
    ("mean", ("damped", "theta", "otm", "dotm")),
    ("median", ("damped", "theta", "otm", "dotm")),
    ("mean", ("damped", "otm", "dotm")),
    ("mean", ("damped", "theta", "dotm")),
    ("mean", ("damped", "theta", "otm", "ces")),
    ("mean", ("ses", "damped", "theta", "otm")),
    ("mean", ("ses", "damped", "holt", "theta", "otm", "dotm", "ces")),
    ("median", ("ses", "damped", "holt", "theta", "otm", "dotm", "ces")),
    ("trimmed", ("ses", "damped", "holt", "theta", "otm", "dotm", "ces")),
    ("trimmed", ("damped", "theta", "otm", "dotm", "ces", "ses")),
    ("mean", ("damped", "theta", "otm", "ets", "fast_arima")),
    ("median", ("damped", "theta", "otm", "ets", "fast_arima")),
    ("trimmed", ("damped", "theta", "otm", "ets", "fast_arima")),
    ("mean", ("damped", "theta", "otm", "fast_arima")),
    ("mean", ("ets", "theta", "otm", "fast_arima")),
)
#: members pooled by the backtest-weighted rules of ``--weights``
WEIGHTED = ("damped", "theta", "otm", "ets", "fast_arima")
SLOW_RULES = (
    ("mean", COMBINATION),
    ("mean", PREVIOUS),
    ("mean", ("damped", "theta", "otm", "arima")),
    ("median", ("damped", "theta", "otm", "arima")),
    ("mean", ("damped", "theta", "otm", "sm_ets")),
    ("trimmed", ("damped", "theta", "otm", "dotm", "arima")),
    ("median", ("damped", "theta", "otm", "dotm", "ces", "arima", "sm_ets")),
    ("mean", ("damped", "theta", "otm", "ets", "arima")),
)


def holt(y: np.ndarray, h: int) -> M.ModelFit:
    """Undamped trend ETS(A,A,N): the damped-trend fit with the damping held at 1."""
    fit = M.holt_damped(y, h, phi_bounds=(1.0, 1.0))
    sse = float(np.nansum((np.asarray(y, float) - fit.fitted) ** 2))
    return M.ModelFit("holt", fit.mean, fit.fitted, fit.params, M.aicc(sse, len(y), 5))


def sm_ets(y: np.ndarray, h: int) -> M.ModelFit:
    """statsmodels ETSModel (additive errors): no trend, trend or damped trend, by AICc."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best = None
    for trend, damped in ((None, False), ("add", False), ("add", True)):
        if trend and len(y) < 8:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = ETSModel(np.asarray(y, float), error="add", trend=trend, damped_trend=damped).fit(
                    disp=False, maxiter=200)
            except (ValueError, np.linalg.LinAlgError):
                continue
        if best is None or res.aicc < best[0]:
            best = (res.aicc, res)
    if best is None:
        return M.ses(y, h)
    return M.ModelFit("sm_ets", np.asarray(best[1].forecast(h), float), np.asarray(best[1].fittedvalues, float))


FITS = {"fast_arima": M.fast_arima, "ets": M.ets_auto, "ses": M.ses, "damped": M.holt_damped, "holt": holt, "theta": M.theta, "otm": M.optimized_theta,
        "dotm": M.dynamic_optimized_theta, "ces": M.ces, "naive": M.naive, "arima": M.arima, "sm_ets": sm_ets}


def member_forecasts(y: np.ndarray, h: int, m: int, names) -> tuple[dict, dict, dict]:
    """Forecasts (re-seasonalised, clipped as in the pipeline), AICc and CPU seconds per member."""
    n = len(y)
    multiplicative = bool(np.all(y > 0))
    idx = P.seasonal_profile(y, m, multiplicative=multiplicative)
    seasonal = idx is not None and bool(np.all(np.isfinite(idx)))
    x = y
    if seasonal:
        s_hist, s_fut = idx[np.arange(n) % m], idx[np.arange(n, n + h) % m]
        x = y / s_hist if multiplicative else y - s_hist
    out, crit, secs = {}, {}, {}
    for name in names:
        start = time.process_time()
        fit = FITS[name](x, h)
        mean = np.asarray(fit.mean, float)
        if seasonal:
            mean = mean * s_fut if multiplicative else mean + s_fut
        secs[name] = time.process_time() - start
        out[name] = P._cap(mean, y, True)
        crit[name] = fit.aicc
    return out, crit, secs


def combine(fc: dict, how: str, names) -> np.ndarray:
    X = np.array([fc[k] for k in names])
    if how == "mean":
        return X.mean(axis=0)
    if how == "median":
        return np.median(X, axis=0)
    if how == "trimmed":
        return np.sort(X, axis=0)[1:-1].mean(axis=0)
    raise ValueError(how)


def measure(name: str, train: pd.DataFrame, test: pd.DataFrame, names, rules, limit: int | None) -> pd.DataFrame:
    m = infer_frequency(train["ds"]).season_length
    actual = {u: g["y"].to_numpy(float) for u, g in test.groupby("unique_id", sort=False)}
    scores: dict[str, list] = {}
    cpu: dict[str, float] = {}
    done = 0
    for uid, g in train.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        if P.is_intermittent(y):
            continue
        if limit and done >= limit:
            break
        done += 1
        a = actual[uid]
        fc, crit, secs = member_forecasts(y, len(a), m, names)
        for k, v in secs.items():
            cpu[k] = cpu.get(k, 0.0) + v
        rows = {k: fc[k] for k in names}
        if {"ses", "damped", "holt"} <= set(names):
            form = min(("ses", "damped", "holt"), key=lambda k: crit[k])
            rows["ets_aicc(ses, holt, damped)"] = fc[form]
            cpu["ets_aicc(ses, holt, damped)"] = cpu.get("ets_aicc(ses, holt, damped)", 0.0) + sum(
                secs[k] for k in ("ses", "damped", "holt"))
        for how, members in rules:
            if set(members) <= set(names):
                label = f"{how}({', '.join(members)})"
                rows[label] = combine(fc, how, members)
                cpu[label] = cpu.get(label, 0.0) + sum(secs[k] for k in members)
        for label, f in rows.items():
            scores.setdefault(label, []).append((mt.smape(a, f), mt.mase(a, f, y, m)))
    out = [{"set": name, "method": label, "series": len(v), "sMAPE": float(np.mean([s for s, _ in v])),
            "MASE": float(np.mean([q for _, q in v])), "cpu_s": cpu.get(label, float("nan"))}
           for label, v in scores.items()]
    return pd.DataFrame(out)


def weighted_rules(fc: dict, errs: dict) -> dict:
    """Backtest-weighted combinations of the final forecasts ``fc`` from the members' backtest
    errors ``errs`` (windows x h); equal weights when there is no backtest window."""
    out = {}
    for members in (WEIGHTED[:4], WEIGHTED):
        tag = ", ".join(members)
        X = np.array([fc[k] for k in members])
        eq = X.mean(axis=0)
        out[f"mean({tag})"] = eq
        if not all(errs[k].size for k in members):
            for rule in ("inv-mse", "inv-mse/2", "drop-worst"):
                out[f"{rule}({tag})"] = eq
            continue
        mse = np.array([np.mean(errs[k] ** 2) for k in members])
        w = 1.0 / np.maximum(mse, 1e-300)
        w /= w.sum()
        out[f"inv-mse({tag})"] = w @ X
        out[f"inv-mse/2({tag})"] = (0.5 * w + 0.5 / len(members)) @ X
        mae = np.array([np.mean(np.abs(errs[k])) for k in members])
        out[f"drop-worst({tag})"] = np.delete(X, int(np.argmax(mae)), axis=0).mean(axis=0)
    return out


def measure_weights(name: str, train: pd.DataFrame, test: pd.DataFrame, n_windows: int = 3) -> pd.DataFrame:
    """sMAPE and MASE of the backtest-weighted rules on every smooth series (see ``--weights``)."""
    from workbench.forecast.auto import _cutoffs

    m = infer_frequency(train["ds"]).season_length
    actual = {u: g["y"].to_numpy(float) for u, g in test.groupby("unique_id", sort=False)}
    scores: dict[str, list] = {}
    for uid, g in train.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        if P.is_intermittent(y):
            continue
        a = actual[uid]
        h = len(a)
        errs = {k: [] for k in WEIGHTED}
        for c in _cutoffs(len(y), h, n_windows, max(2 * m if m <= 13 else m + 4, 8)):
            fc_c, _, _ = member_forecasts(y[:c], h, m, WEIGHTED)
            for k in WEIGHTED:
                errs[k].append(y[c:c + h] - fc_c[k])
        fc, _, _ = member_forecasts(y, h, m, WEIGHTED)
        rows = weighted_rules(fc, {k: np.array(v) for k, v in errs.items()})
        for label, f in rows.items():
            scores.setdefault(label, []).append((mt.smape(a, f), mt.mase(a, f, y, m)))
    return pd.DataFrame([{"set": name, "method": label, "series": len(v), "sMAPE": float(np.mean([s for s, _ in v])),
                          "MASE": float(np.mean([q for _, q in v])), "cpu_s": float("nan")}
                         for label, v in scores.items()])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sets", default=",".join(SHARED_SETS + SYNTHETIC_SETS))
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    p.add_argument("--slow", default="", help="statsmodels candidates on a subset: arima, sm_ets (comma-separated)")
    p.add_argument("--slow-limit", type=int, default=300, help="smooth series per set for the --slow candidates")
    p.add_argument("--weights", action="store_true", help="also the combinations weighted by backtest errors")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    tables = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        train, test = load_set(name, args.data_dir, None)
        t = measure(name, train, test, FAST, RULES, None)
        slow = tuple(s for s in args.slow.split(",") if s)
        if slow:
            t2 = measure(name, train, test, ("ses", "damped", "ets", "theta", "otm", "dotm", "ces") + slow,
                         SLOW_RULES, args.slow_limit)
            t2 = t2[t2["method"].isin(slow) | t2["method"].str.contains("|".join(slow)) |
                    t2["method"].isin([f"mean({', '.join(c)})" for c in (COMBINATION, PREVIOUS)])]
            t2 = t2.assign(method=t2["method"] + f" [first {args.slow_limit}]")
            t = pd.concat([t, t2], ignore_index=True)
        if args.weights:
            t = pd.concat([t, measure_weights(name, train, test).assign(method=lambda d: d["method"] + " [backtest]")],
                          ignore_index=True)
        print(t.to_string(index=False, float_format=lambda v: f"{v:.3f}"), "\n", flush=True)
        tables.append(t)
    if args.out is not None:
        pd.concat(tables, ignore_index=True).to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
