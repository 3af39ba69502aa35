"""Forecast accuracy metrics (per series; arrays of actuals ``y`` and forecasts ``f``).

* MAPE  = mean(100 |y - f| / |y|) over periods with y != 0 (NaN when all are zero).
* sMAPE = mean(200 |y - f| / (|y| + |f|)), the M3 competition definition (a period with
  y = f = 0 counts 0).
* MASE  = mean|y - f| / mean|y_t - y_{t-m}| over the training history (the in-sample seasonal
  naive error; m = 1 when the history is not longer than m). NaN when that scale is 0.
* WAPE  = 100 sum|y - f| / sum|y|.
* bias  = 100 sum(f - y) / sum|y| (positive: over-forecast).
* coverage = 100 x share of actuals inside [lo, hi].
* MSIS  = mean over the horizon of the interval score ``(hi - lo) + 2/a (lo - y) [y < lo]
  + 2/a (y - hi) [y > hi]`` (``a = 1 - level/100``: 0.05 for a 95% interval), divided by the
  MASE scale (M4 competition). Width is paid for, and every miss is charged by how far it
  falls outside: a narrow interval that misses and a wide one that always covers both score
  badly. Lower is better; a perfect point forecast with zero width scores 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mape", "smape", "mase", "wape", "bias", "coverage", "mase_scale", "interval_score", "msis"]


def _arr(a) -> np.ndarray:
    return np.asarray(a, dtype=float)


def mape(y, f) -> float:
    y, f = _arr(y), _arr(f)
    mask = y != 0
    if not mask.any():
        return float("nan")
    return float(np.mean(100.0 * np.abs(y[mask] - f[mask]) / np.abs(y[mask])))


def smape(y, f) -> float:
    y, f = _arr(y), _arr(f)
    den = np.abs(y) + np.abs(f)
    terms = np.where(den > 0, 200.0 * np.abs(y - f) / np.where(den > 0, den, 1.0), 0.0)
    return float(np.mean(terms))


def mase_scale(train, m: int = 1) -> float:
    """Mean absolute in-sample error of the seasonal naive (the naive when too short)."""
    train = _arr(train)
    m = int(m) if m and m > 1 and len(train) > m else 1
    if len(train) <= m:
        return float("nan")
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def mase(y, f, train, m: int = 1) -> float:
    scale = mase_scale(train, m)
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return float(np.mean(np.abs(_arr(y) - _arr(f))) / scale)


def wape(y, f) -> float:
    y, f = _arr(y), _arr(f)
    den = float(np.sum(np.abs(y)))
    return float(100.0 * np.sum(np.abs(y - f)) / den) if den > 0 else float("nan")


def bias(y, f) -> float:
    y, f = _arr(y), _arr(f)
    den = float(np.sum(np.abs(y)))
    return float(100.0 * np.sum(f - y) / den) if den > 0 else float("nan")


def coverage(y, lo, hi) -> float:
    y = _arr(y)
    if len(y) == 0:
        return float("nan")
    return float(100.0 * np.mean((y >= _arr(lo)) & (y <= _arr(hi))))


def interval_score(y, lo, hi, level: float) -> float:
    """Mean interval score of a central ``level``% interval (Gneiting & Raftery 2007)."""
    y, lo, hi = _arr(y), _arr(lo), _arr(hi)
    if len(y) == 0:
        return float("nan")
    a = 1.0 - float(level) / 100.0
    score = (hi - lo) + (2.0 / a) * np.maximum(lo - y, 0.0) + (2.0 / a) * np.maximum(y - hi, 0.0)
    return float(np.mean(score))


def msis(y, lo, hi, train, m: int = 1, level: float = 95) -> float:
    """Mean scaled interval score (M4): the interval score over the MASE scale of ``train``."""
    scale = mase_scale(train, m)
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return interval_score(y, lo, hi, level) / scale
