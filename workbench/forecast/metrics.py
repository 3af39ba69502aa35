"""Forecast accuracy metrics (per series; arrays of actuals ``y`` and forecasts ``f``).

* MAPE  = mean(100 |y - f| / |y|) over periods with y != 0 (NaN when all are zero).
* sMAPE = mean(200 |y - f| / (|y| + |f|)), the M3 competition definition (a period with
  y = f = 0 counts 0).
* MASE  = mean|y - f| / mean|y_t - y_{t-m}| over the training history (the in-sample seasonal
  naive error; m = 1 when the history is not longer than m). NaN when that scale is 0.
* WAPE  = 100 sum|y - f| / sum|y|.
* bias  = 100 sum(f - y) / sum|y| (positive: over-forecast).
* coverage = 100 x share of actuals inside [lo, hi].
"""

from __future__ import annotations

import numpy as np

__all__ = ["mape", "smape", "mase", "wape", "bias", "coverage", "mase_scale"]


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
