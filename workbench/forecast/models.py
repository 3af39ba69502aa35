"""Univariate forecasting models on numpy arrays.

Every model takes the history ``y`` (1-D float array, oldest first) and the horizon ``h`` and
returns a :class:`ModelFit` with the point forecast ``mean`` (length ``h``) and the one-step
in-sample ``fitted`` values (length ``len(y)``; NaN where a model has none).

Exponential smoothing (SES = ETS(A,N,N), damped trend = ETS(A,Ad,N)) is written out here
with numpy: for fixed smoothing parameters the one-step forecasts are linear in the initial
states, so those are solved by least squares and only the smoothing parameters are searched
(SES: a bounded scalar search over a linear filter; damped trend: a vectorised grid over
hundreds of parameter sets at once). A fit takes 1-4 ms, against 50-200 ms for
``statsmodels``' ``ETSModel`` with the same Gaussian likelihood (the fits are compared in the
tests), which is what makes the automatic mode fast enough for thousands of series. The
optimised Theta models (OTM, DOTM) are fitted the same way in Fiorucci et al.'s state space
form: for a given alpha the initial level and the theta line are solved exactly. SARIMAX
comes from statsmodels; :func:`fast_arima` is a small automatic ARIMA searched on vectorised
grids like the smoothing models.

Seasonality is handled outside these models by classical decomposition
(:func:`seasonal_indices`, shrunk by :func:`shrunk_seasonal_indices`; see
:func:`workbench.forecast.pipeline.seasonal_profile`), which also covers weekly data with a
52-week season, where a seasonal ETS state of length 52 is slow and unstable.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

__all__ = [
    "ModelFit",
    "naive",
    "seasonal_naive",
    "ses",
    "holt_damped",
    "theta",
    "optimized_theta",
    "dynamic_optimized_theta",
    "theta_state_space",
    "ets_auto",
    "ces",
    "arima",
    "fast_arima",
    "kpss_statistic",
    "croston",
    "sba",
    "tsb",
    "adida",
    "demand_intervals",
    "seasonality_test",
    "seasonal_indices",
    "shrunk_seasonal_indices",
    "aicc",
]


@dataclass(frozen=True)
class ModelFit:
    """A fitted model's point forecast and one-step in-sample fit."""

    name: str
    mean: np.ndarray
    fitted: np.ndarray
    params: dict = field(default_factory=dict)
    aicc: float = float("nan")


# ----------------------------------------------------------------------------------------
# benchmarks
# ----------------------------------------------------------------------------------------


def naive(y: np.ndarray, h: int) -> ModelFit:
    """Last value carried forward."""
    y = np.asarray(y, float)
    fitted = np.concatenate([[np.nan], y[:-1]])
    return ModelFit("naive", np.full(h, y[-1]), fitted)


def seasonal_naive(y: np.ndarray, h: int, m: int = 1) -> ModelFit:
    """The value one season ago: ``yhat[T+k] = y[T+k-m*ceil(k/m)]``; ``m <= 1`` is the naive."""
    y = np.asarray(y, float)
    m = int(m)
    if m <= 1 or len(y) < m:
        fit = naive(y, h)
        return ModelFit("seasonal_naive", fit.mean, fit.fitted)
    last = y[-m:]
    mean = np.array([last[k % m] for k in range(h)])
    fitted = np.concatenate([np.full(m, np.nan), y[:-m]])
    return ModelFit("seasonal_naive", mean, fitted, {"m": m})


# ----------------------------------------------------------------------------------------
# exponential smoothing as linear filters
# ----------------------------------------------------------------------------------------


def aicc(sse: float, n: int, k: int) -> float:
    """AICc of a Gaussian model with ``k`` estimated parameters (sigma included) from its SSE."""
    sse = max(float(sse), 1e-300)
    aic = n * math.log(sse / n) + 2 * k
    if n - k - 1 <= 0:
        return float("inf")
    return aic + 2 * k * (k + 1) / (n - k - 1)


def _ses_path(y: np.ndarray, alpha: float) -> tuple[np.ndarray, float, float]:
    """One-step forecasts, optimal initial level and SSE of SES with smoothing ``alpha``."""
    n = len(y)
    forced = lfilter([alpha], [1.0, alpha - 1.0], y)
    base = np.concatenate([[0.0], forced[:-1]])
    decay = (1.0 - alpha) ** np.arange(n)
    r = y - base
    denom = float(decay @ decay)
    l0 = float(r @ decay) / denom if denom > 0 else float(y[0])
    yhat = base + l0 * decay
    sse = float(np.sum((y - yhat) ** 2))
    return yhat, l0, sse


_SES_GRID = np.concatenate([np.linspace(0.001, 0.05, 6), np.linspace(0.07, 0.5, 14), np.linspace(0.55, 0.999, 10)])


def _ses_grid(Z: np.ndarray, alphas: np.ndarray):
    """SSE, optimal initial level and final level of SES for every row of ``Z`` and alpha.

    ``alphas`` is one grid for all rows (K,) or one grid per row (P, K).
    """
    P, n = Z.shape
    A = np.broadcast_to(np.atleast_2d(alphas), (P, np.shape(alphas)[-1]))
    F = np.zeros(A.shape)
    U = np.ones(A.shape)
    ru = np.zeros(A.shape)
    rr = np.zeros(A.shape)
    uu = np.zeros(A.shape)
    decay = 1.0 - A
    for t in range(n):
        r = Z[:, t:t + 1] - F
        ru += r * U
        rr += r * r
        uu += U * U
        F += A * r
        U *= decay
    l0 = ru / uu
    sse = np.maximum(rr - l0 * ru, 0.0)
    return sse, l0, F + l0 * U


def _ses_best_alpha(Z: np.ndarray) -> np.ndarray:
    """Least-squares alpha per row of ``Z``: a coarse grid, then a finer one around the best."""
    sse, _, _ = _ses_grid(Z, _SES_GRID)
    k = np.argmin(sse, axis=1)
    lo = _SES_GRID[np.maximum(k - 1, 0)]
    hi = _SES_GRID[np.minimum(k + 1, len(_SES_GRID) - 1)]
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 9)[None, :]
    s2, _, _ = _ses_grid(Z, grid)
    return grid[np.arange(Z.shape[0]), np.argmin(s2, axis=1)]


def ses(y: np.ndarray, h: int, *, alpha: float | None = None) -> ModelFit:
    """Simple exponential smoothing, ETS(A,N,N): alpha and the initial level by least squares."""
    y = np.asarray(y, float)
    n = len(y)
    if alpha is None:
        alpha = 0.5 if n < 3 else float(_ses_best_alpha(y[None, :])[0])
    yhat, l0, sse = _ses_path(y, alpha)
    level = alpha * y[-1] + (1 - alpha) * yhat[-1]
    return ModelFit("ses", np.full(h, level), yhat, {"alpha": alpha, "l0": l0, "level": level},
                    aicc(sse, n, 3))


_GRID_ALPHA = np.array([0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.27, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 0.999])
_GRID_BETA = np.array([0.001, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0])     # as a share of alpha
_GRID_PHI = np.array([0.8, 0.85, 0.9, 0.94, 0.98])


def _damped_grid_search(y: np.ndarray, alpha, beta, phi):
    """SSE (initial states by least squares) of ETS(A,Ad,N) for many parameter sets at once."""
    K = len(alpha)
    S = np.zeros((3, K))      # one-step forecasts: response to y, to l0 = 1, to b0 = 1
    L = np.zeros((3, K))
    B = np.zeros((3, K))
    L[1] = 1.0
    B[2] = 1.0
    acc = np.zeros((6, K))    # sums r*U, r*V, U*U, U*V, V*V, r*r
    for yt in y:
        F = L + phi * B
        r = yt - F[0]
        U, V = F[1], F[2]
        acc[0] += r * U
        acc[1] += r * V
        acc[2] += U * U
        acc[3] += U * V
        acc[4] += V * V
        acc[5] += r * r
        E = -F
        E[0] += yt
        L = F + alpha * E
        B = phi * B + beta * E
    ru, rv, uu, uv, vv, rr = acc
    det = uu * vv - uv * uv
    ok = np.abs(det) > 1e-12 * np.maximum(uu * vv, 1e-300)
    det = np.where(ok, det, 1.0)
    l0 = np.where(ok, (vv * ru - uv * rv) / det, 0.0)
    b0 = np.where(ok, (uu * rv - uv * ru) / det, 0.0)
    sse = rr - l0 * ru - b0 * rv
    sse = np.where(ok & np.isfinite(sse), np.maximum(sse, 0.0), np.inf)
    return sse, l0, b0


def holt_damped(y: np.ndarray, h: int, *, phi_bounds: tuple[float, float] = (0.8, 0.98)) -> ModelFit:
    """Damped-trend exponential smoothing, ETS(A,Ad,N), by least squares (Gaussian ML).

    The smoothing parameters ``0 < beta <= alpha < 1`` and the damping ``phi`` (in
    ``phi_bounds``) are searched on a grid of 675 sets evaluated together in one vectorised pass,
    then refined by a second, finer grid around the best; the initial level and trend are solved
    by least squares for each set.
    """
    y = np.asarray(y, float)
    n = len(y)
    if n < 5:
        fit = ses(y, h)
        return ModelFit("holt_damped", fit.mean, fit.fitted, fit.params, fit.aicc)
    mu = float(y.mean())
    scale = float(np.std(y)) or 1.0
    ys = (y - mu) / scale
    lo, hi = phi_bounds
    phis = _GRID_PHI[(_GRID_PHI >= lo) & (_GRID_PHI <= hi)]
    if len(phis) == 0:
        phis = np.array([lo, hi])
    A, Bf, P = np.meshgrid(_GRID_ALPHA, _GRID_BETA, phis, indexing="ij")
    a, bf, p = A.ravel(), Bf.ravel(), P.ravel()
    sse, l0s, b0s = _damped_grid_search(ys, a, a * bf, p)
    k = int(np.argmin(sse))
    # a finer grid around the best set
    a2 = np.clip(a[k] * np.array([0.8, 0.9, 1.0, 1.1, 1.2]), 1e-3, 0.999)
    b2 = np.clip(bf[k] * np.array([0.7, 0.85, 1.0, 1.15, 1.3]), 1e-3, 1.0)
    p2 = np.clip(p[k] + np.array([-0.02, -0.01, 0.0, 0.01, 0.02]), lo, hi)
    A, Bf, P = np.meshgrid(a2, b2, p2, indexing="ij")
    a, bf, p = A.ravel(), Bf.ravel(), P.ravel()
    sse, l0s, b0s = _damped_grid_search(ys, a, a * bf, p)
    k = int(np.argmin(sse))
    alpha, beta, phi = float(a[k]), float(a[k] * bf[k]), float(p[k])
    if not math.isfinite(float(sse[k])):
        fit = ses(y, h)
        return ModelFit("holt_damped", fit.mean, fit.fitted, fit.params, fit.aicc)
    l, b = float(l0s[k]) * scale + mu, float(b0s[k]) * scale
    yhat = np.empty(n)
    for t in range(n):
        f = l + phi * b
        yhat[t] = f
        e = y[t] - f
        l = f + alpha * e
        b = phi * b + beta * e
    steps = np.cumsum(phi ** np.arange(1, h + 1))
    mean = l + steps * b
    sse_y = float(np.sum((y - yhat) ** 2))
    return ModelFit("holt_damped", mean, yhat, {"alpha": alpha, "beta": beta, "phi": phi, "level": l, "trend": b},
                    aicc(sse_y, n, 6))


_CES_A0 = np.linspace(0.05, 1.8, 15)
_CES_A1 = np.linspace(0.05, 1.9, 15)


def _ces_stable(a0: np.ndarray, a1: np.ndarray) -> np.ndarray:
    """Jury's conditions: both eigenvalues of CES's discount matrix inside the unit circle."""
    tr = (1.0 - (a0 - a1)) + (1.0 - a0)
    det = (1.0 - (a0 - a1)) * (1.0 - a0) + (1.0 - a1) * (1.0 - (a0 + a1))
    return (np.abs(det) < 1.0) & (np.abs(tr) < 1.0 + det)


def _ces_grid_search(y: np.ndarray, a0: np.ndarray, a1: np.ndarray):
    """SSE (initial states by least squares) of nonseasonal CES for many (a0, a1) pairs at once."""
    K = len(a0)
    L = np.zeros((3, K))      # level and its complex part: response to y, to l0 = 1, to c0 = 1
    C = np.zeros((3, K))
    L[1] = 1.0
    C[2] = 1.0
    acc = np.zeros((6, K))
    for yt in y:
        r = yt - L[0]
        U, V = L[1], L[2]
        acc[0] += r * U
        acc[1] += r * V
        acc[2] += U * U
        acc[3] += U * V
        acc[4] += V * V
        acc[5] += r * r
        E = -L.copy()
        E[0] += yt
        L, C = L - (1.0 - a1) * C + (a0 - a1) * E, L + (1.0 - a0) * C + (a0 + a1) * E
    ru, rv, uu, uv, vv, rr = acc
    det = uu * vv - uv * uv
    ok = np.abs(det) > 1e-12 * np.maximum(uu * vv, 1e-300)
    det = np.where(ok, det, 1.0)
    l0 = np.where(ok, (vv * ru - uv * rv) / det, 0.0)
    c0 = np.where(ok, (uu * rv - uv * ru) / det, 0.0)
    sse = rr - l0 * ru - c0 * rv
    sse = np.where(ok & np.isfinite(sse) & _ces_stable(a0, a1), np.maximum(sse, 0.0), np.inf)
    return sse, l0, c0


def ces(y: np.ndarray, h: int) -> ModelFit:
    """Complex exponential smoothing (Svetunkov & Kourentzes), nonseasonal, by least squares.

    The level ``l`` and its "information potential" ``c`` are smoothed with a complex parameter
    ``a0 + i a1``: ``l_t = l_{t-1} - (1 - a1) c_{t-1} + (a0 - a1) e_t``,
    ``c_t = l_{t-1} + (1 - a0) c_{t-1} + (a0 + a1) e_t``, one-step forecast ``l_{t-1}``. CES
    moves between level and trend behaviour without choosing a trend form. ``a0`` in
    [0.05, 1.8] and ``a1`` in [0.05, 1.9] (statsforecast's bounds) are searched on a 15 x 15 grid
    then a finer 5 x 5 one, keeping only stable pairs; the initial ``l0, c0`` are solved by least
    squares for each pair, as for the damped trend.
    """
    y = np.asarray(y, float)
    n = len(y)
    if n < 6:
        fit = ses(y, h)
        return ModelFit("ces", fit.mean, fit.fitted, fit.params, fit.aicc)
    # CES is scale- but not shift-invariant (it has no constant level state): scale only
    scale = float(np.mean(np.abs(y))) or 1.0
    z = y / scale
    A0, A1 = np.meshgrid(_CES_A0, _CES_A1, indexing="ij")
    a0, a1 = A0.ravel(), A1.ravel()
    sse, _, _ = _ces_grid_search(z, a0, a1)
    k = int(np.argmin(sse))
    if not math.isfinite(float(sse[k])):
        fit = ses(y, h)
        return ModelFit("ces", fit.mean, fit.fitted, fit.params, fit.aicc)
    d0, d1 = _CES_A0[1] - _CES_A0[0], _CES_A1[1] - _CES_A1[0]
    A0, A1 = np.meshgrid(a0[k] + d0 * np.linspace(-0.5, 0.5, 5), a1[k] + d1 * np.linspace(-0.5, 0.5, 5),
                         indexing="ij")
    b0, b1 = np.clip(A0.ravel(), 0.01, 1.8), np.clip(A1.ravel(), 0.01, 1.9)
    sse2, l0s, c0s = _ces_grid_search(z, b0, b1)
    j = int(np.argmin(sse2))
    alpha0, alpha1 = float(b0[j]), float(b1[j])
    l, c = float(l0s[j]) * scale, float(c0s[j]) * scale
    yhat = np.empty(n)
    for t in range(n):
        yhat[t] = l
        e = y[t] - l
        l, c = l - (1.0 - alpha1) * c + (alpha0 - alpha1) * e, l + (1.0 - alpha0) * c + (alpha0 + alpha1) * e
    mean = np.empty(h)
    for t in range(h):
        mean[t] = l
        l, c = l - (1.0 - alpha1) * c, l + (1.0 - alpha0) * c
    sse_y = float(np.sum((y - yhat) ** 2))
    return ModelFit("ces", mean, yhat, {"alpha0": alpha0, "alpha1": alpha1}, aicc(sse_y, n, 5))


def ets_auto(y: np.ndarray, h: int) -> ModelFit:
    """ETS chosen by AICc over the safe family ETS(A,N,N) and ETS(A,Ad,N) (no undamped trend).

    Seasonality is removed beforehand by the pipeline when the data support it.
    """
    return ets_choice(ses(y, h), holt_damped(y, h) if len(y) >= 8 else None)


def ets_choice(a: ModelFit, b: ModelFit | None) -> ModelFit:
    """The AICc choice between a fitted ETS(A,N,N) ``a`` and ETS(A,Ad,N) ``b`` (None: too short)."""
    if b is None:
        return ModelFit("ets", a.mean, a.fitted, {**a.params, "form": "ANN"}, a.aicc)
    best = b if b.aicc < a.aicc else a
    form = "AAdN" if best is b else "ANN"
    return ModelFit("ets", best.mean, best.fitted, {**best.params, "form": form}, best.aicc)


def theta(y: np.ndarray, h: int, *, ses_fit: ModelFit | None = None) -> ModelFit:
    """The Theta method (Assimakopoulos & Nikolopoulos 2000) in Hyndman & Billah's SES-with-drift form.

    ``yhat[T+k] = SES + b/2 * (k - 1 + (1 - (1-alpha)^n) / alpha)`` with ``b`` the OLS slope of
    the history on time, the M3 winner's method (applied to seasonally adjusted data).
    """
    y = np.asarray(y, float)
    n = len(y)
    fit = ses_fit if ses_fit is not None and len(ses_fit.mean) == h else ses(y, h)
    alpha = fit.params["alpha"]
    if n < 3:
        return ModelFit("theta", fit.mean, fit.fitted, fit.params, fit.aicc)
    t = np.arange(n, dtype=float)
    b = float(np.polyfit(t, y, 1)[0])
    drift = 0.5 * b * (np.arange(h) + (1.0 - (1.0 - alpha) ** n) / alpha)
    fitted = fit.fitted + 0.5 * b * (1.0 - (1.0 - alpha) ** np.arange(n)) / alpha
    return ModelFit("theta", fit.mean + drift, fitted, {"alpha": alpha, "slope": b}, fit.aicc)


# ----------------------------------------------------------------------------------------
# ARIMA with regressors (statsmodels)
# ----------------------------------------------------------------------------------------

ARIMA_ORDERS = ((0, 1, 1), (1, 1, 0), (1, 1, 1), (1, 0, 0), (2, 1, 0))


def arima(y: np.ndarray, h: int, *, exog: np.ndarray | None = None, exog_future: np.ndarray | None = None,
          orders=ARIMA_ORDERS) -> ModelFit:
    """SARIMAX with event/promotion regressors, the order chosen by AICc among small ones.

    Differenced orders carry no constant; ``(1,0,0)`` has one. Regressor columns that never
    vary in the history are dropped (their effect cannot be estimated).
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = np.asarray(y, float)
    n = len(y)
    X = Xf = None
    if exog is not None and exog.size:
        exog = np.asarray(exog, float).reshape(n, -1)
        keep = exog.std(axis=0) > 0
        if keep.any():
            X = exog[:, keep]
            Xf = np.asarray(exog_future, float).reshape(h, -1)[:, keep]
    best = None
    errors: list[str] = []
    too_short = 0
    for order in orders:
        if n < 2 * (sum(order) + 3) + (0 if X is None else X.shape[1]):
            too_short += 1
            continue
        trend = "c" if order[1] == 0 else "n"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mod = SARIMAX(y, exog=X, order=order, trend=trend)
                res = mod.fit(disp=False, maxiter=50)
            except Exception as exc:  # a failed order is skipped and reported if every order fails
                errors.append(f"{order}: {type(exc).__name__}: {exc}")
                continue
        crit = float(res.aicc)
        if not math.isfinite(crit):
            errors.append(f"{order}: the fit has no finite AICc")
            continue
        if best is None or crit < best[0]:
            best = (crit, order, res)
    if best is None:
        if too_short == len(orders):
            need = min(2 * (sum(o) + 3) for o in orders) + (0 if X is None else X.shape[1])
            why = f"{n} periods of history are too few for SARIMAX (at least {need} needed)"
        else:
            why = (f"SARIMAX could not be fitted with any of the orders {', '.join(map(str, orders))}"
                   + (f" ({errors[0]})" if errors else ""))
        fit = naive(y, h)
        return ModelFit("naive", fit.mean, fit.fitted, {"order": None, "fell_back_because": why})
    crit, order, res = best
    mean = np.asarray(res.forecast(h, exog=Xf), float)
    fitted = np.asarray(res.fittedvalues, float)
    fitted[: max(order[1], 1)] = np.nan
    coef = {}
    if X is not None:
        coef = {f"x{i}": float(v) for i, v in enumerate(np.asarray(res.params)[int(trend == "c"): int(trend == "c") + X.shape[1]])}
    return ModelFit("arima", mean, fitted, {"order": order, **coef}, crit)


# ----------------------------------------------------------------------------------------
# a small automatic ARIMA by conditional least squares (numpy)
# ----------------------------------------------------------------------------------------

#: the 5% critical value of the KPSS level-stationarity statistic (Kwiatkowski et al. 1992)
KPSS_5PCT = 0.463
#: the (p, q) orders searched: every ARMA with p, q <= 2 and at most three coefficients
FAST_ARIMA_ORDERS = ((0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (0, 2), (2, 1), (1, 2))


def kpss_statistic(x: np.ndarray, lags: int | None = None) -> float:
    """KPSS statistic for level stationarity, Bartlett long-run variance with
    ``trunc(4 (n/100)^(1/4))`` lags (the "short" rule of R's tseries and statsmodels)."""
    x = np.asarray(x, float)
    n = len(x)
    e = x - x.mean()
    if lags is None:
        lags = int(math.trunc(4.0 * (n / 100.0) ** 0.25))
    lrv = float(e @ e) / n
    for k in range(1, min(lags, n - 1) + 1):
        lrv += 2.0 * (1.0 - k / (lags + 1.0)) * float(e[k:] @ e[:-k]) / n
    if lrv <= 0:
        return 0.0
    s = np.cumsum(e)
    return float(s @ s) / (n * n * lrv)


def _invertible2(a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """Roots of ``1 - a1 z - a2 z^2`` outside the unit circle (the AR(2) stationarity triangle)."""
    return (a2 > -1.0) & (a2 < 1.0) & (a1 + a2 < 1.0) & (a2 - a1 < 1.0)


def _arma_grid(p: int, q: int, center: np.ndarray | None = None, step: float = 0.0) -> np.ndarray:
    """Parameter sets (phi1, phi2, theta1, theta2) of an ARMA(p, q), stationary and invertible:
    a coarse grid over (-0.95, 0.95) (39, 15 or 9 values a coefficient for 1, 2 or 3 of them),
    or a local grid of half-width ``step`` around ``center``."""
    npar = p + q
    if center is None:
        g = np.linspace(-0.95, 0.95, {1: 39, 2: 15, 3: 9}.get(npar, 1))
        axes = [g if i < p else np.zeros(1) for i in range(2)] + [g if i < q else np.zeros(1) for i in range(2)]
    else:
        off = step * (np.array([-1.0, -0.5, 0.0, 0.5, 1.0]) if npar < 3 else np.array([-1.0, 0.0, 1.0]))
        axes = ([center[i] + off if i < p else np.zeros(1) for i in range(2)]
                + [center[2 + i] + off if i < q else np.zeros(1) for i in range(2)])
    Q = np.array([a.ravel() for a in np.meshgrid(*axes, indexing="ij")])
    return Q[:, _invertible2(Q[0], Q[1]) & _invertible2(-Q[2], -Q[3])]


_ARMA_COARSE = {o: _arma_grid(*o) for o in FAST_ARIMA_ORDERS}


def _css(x: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Conditional sum of squares of ``x`` (two zero pre-sample values first) for every column
    ``(phi1, phi2, theta1, theta2)`` of ``P``: ``e_t = x_t - phi1 x_t-1 - phi2 x_t-2 - theta1
    e_t-1 - theta2 e_t-2``, all parameter sets in one pass."""
    p1, p2, t1, t2 = P
    e1 = np.zeros(P.shape[1])
    e2 = np.zeros(P.shape[1])
    sse = np.zeros(P.shape[1])
    for t in range(2, len(x)):
        e = x[t] - p1 * x[t - 1] - p2 * x[t - 2] - t1 * e1 - t2 * e2
        sse += e * e
        e2, e1 = e1, e
    return np.where(np.isfinite(sse), sse, np.inf)


def _arma_fits(x: np.ndarray, orders) -> list[tuple[float, np.ndarray]]:
    """Per order its least SSE and parameters: every order's coarse grid in one pass, then two
    finer local grids around each order's best (also one pass each)."""
    grids = [_ARMA_COARSE.get(o) if o in _ARMA_COARSE else _arma_grid(*o) for o in orders]
    steps = [1.9 / {1: 38, 2: 14, 3: 8}.get(p + q, 1) for p, q in orders]
    best: list = [None] * len(orders)
    for it in range(3):
        if it:
            grids = [_arma_grid(p, q, best[i][1], steps[i]) for i, (p, q) in enumerate(orders)]
            steps = [s / 2.5 for s in steps]
        sizes = [g.shape[1] for g in grids]
        P = np.concatenate(grids, axis=1)
        sse = _css(x, P)
        at = 0
        for i, k in enumerate(sizes):
            if k:
                j = at + int(np.argmin(sse[at:at + k]))
                if best[i] is None or sse[j] < best[i][0]:
                    best[i] = (float(sse[j]), P[:, j].copy())
            at += k
    return best


def fast_arima(y: np.ndarray, h: int, *, orders=FAST_ARIMA_ORDERS) -> ModelFit:
    """A small automatic ARIMA(p, d, q) without drift, fitted by conditional least squares.

    ``d`` is 0 when the KPSS test does not reject level stationarity at 5% (the series is then
    modelled about its mean), else 1 (as in Hyndman & Khandakar's auto.arima, but with at most
    one difference and no drift: a fitted drift is an undamped trend). The ARMA order of the
    (differenced) series is chosen by AICc among every ``p, q <= 2`` with at most three
    coefficients; the coefficients of all orders are searched together on vectorised grids
    within the stationary and invertible regions (a coarse grid, then two finer ones around
    each order's best), so a fit takes a few milliseconds where statsmodels' SARIMAX takes
    hundreds. Forecasts iterate the ARMA recursion with future errors at zero; for ``d = 1``
    they level off (the AR terms carry a fading momentum), so no trend is extrapolated forever.

    A candidate member measured in ``benchmarks.forecast_candidates``, not a member of the
    combination: it helps the monthly and the yearly/other series but not the quarterly ones
    (see ``docs/demand_forecasting.md``).
    """
    y = np.asarray(y, float)
    n = len(y)
    if n < 10:
        fit = ses(y, h)
        return ModelFit("fast_arima", fit.mean, fit.fitted, fit.params, fit.aicc)
    mu_y = float(y.mean())
    scale = float(np.std(y)) or 1.0
    z = (y - mu_y) / scale
    d = 0 if kpss_statistic(z) < KPSS_5PCT else 1
    w = np.diff(z) if d else z
    x = np.concatenate([[0.0, 0.0], w])
    N = len(w)
    best = None
    for (p, q), (sse, par) in zip(orders, _arma_fits(x, orders)):
        crit = aicc(sse, N, p + q + 1 + (d == 0))
        if best is None or crit < best[0]:
            best = (crit, p, q, par, sse)
    crit, p, q, par, sse = best
    phi, th = par[:2], par[2:]
    e = np.zeros(len(x))
    for t in range(2, len(x)):
        e[t] = x[t] - phi[0] * x[t - 1] - phi[1] * x[t - 2] - th[0] * e[t - 1] - th[1] * e[t - 2]
    xs, es = [x[-2], x[-1]], [e[-2], e[-1]]
    fut = np.empty(h)
    for j in range(h):
        v = phi[0] * xs[-1] + phi[1] * xs[-2] + th[0] * es[-1] + th[1] * es[-2]
        xs, es = [xs[-1], v], [es[-1], 0.0]
        fut[j] = v
    if d:
        mean = z[-1] + np.cumsum(fut)
        fitted = np.concatenate([[np.nan], z[:-1] + (w - e[2:])])
    else:
        mean = fut
        fitted = z - e[2:]
    return ModelFit("fast_arima", mean * scale + mu_y, fitted * scale + mu_y,
                    {"order": (p, d, q), "ar": [float(v) for v in phi[:p]], "ma": [float(v) for v in th[:q]]},
                    aicc(sse * scale * scale, N, p + q + 1 + (d == 0)))


# ----------------------------------------------------------------------------------------
# intermittent demand
# ----------------------------------------------------------------------------------------


def _croston_core(y: np.ndarray, alpha: float):
    nz = np.flatnonzero(y > 0)
    if len(nz) == 0:
        return 0.0, np.zeros(len(y))
    sizes = y[nz]
    intervals = np.diff(np.concatenate([[-1], nz])).astype(float)
    z, p = sizes[0], intervals[0]
    fitted = np.full(len(y), np.nan)
    k = 0
    for t in range(len(y)):
        if k > 0:
            fitted[t] = z / p
        if y[t] > 0:
            if k > 0:
                z = z + alpha * (sizes[k] - z)
                p = p + alpha * (intervals[k] - p)
            k += 1
    return z / p, fitted


def croston(y: np.ndarray, h: int, *, alpha: float = 0.1) -> ModelFit:
    """Croston (1972): SES of the non-zero sizes over SES of the intervals between them."""
    y = np.asarray(y, float)
    level, fitted = _croston_core(y, alpha)
    return ModelFit("croston", np.full(h, level), fitted, {"alpha": alpha})


def sba(y: np.ndarray, h: int, *, alpha: float = 0.1) -> ModelFit:
    """Syntetos-Boylan approximation: Croston times ``1 - alpha/2`` (removes Croston's bias)."""
    y = np.asarray(y, float)
    level, fitted = _croston_core(y, alpha)
    k = 1.0 - alpha / 2.0
    return ModelFit("sba", np.full(h, level * k), fitted * k, {"alpha": alpha})


_TSB_GRID = np.array([0.01, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5])


def _tsb_paths(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray):
    """TSB for many (alpha, beta) pairs at once: one-step forecasts (pairs x n), final p and z."""
    occurred = (y > 0).astype(float)
    first = int(np.argmax(occurred))
    prob = np.full(len(alpha), 1.0 / (first + 1.0))
    size = np.full(len(alpha), float(y[first]))
    fitted = np.empty((len(alpha), len(y)))
    for t, (v, o) in enumerate(zip(y, occurred)):
        fitted[:, t] = prob * size
        prob = prob + beta * (o - prob)
        if o:
            size = size + alpha * (v - size)
    return fitted, prob, size


def tsb(y: np.ndarray, h: int, *, alpha: float | None = None, beta: float | None = None) -> ModelFit:
    """Teunter-Syntetos-Babai (2011): demand probability and size smoothed separately.

    The probability ``p`` is updated every period (towards 1 after a demand, towards 0 after a
    zero), so a run of zeros makes the forecast ``p * z`` decay: unlike Croston, TSB follows a
    product that stops selling. ``alpha`` (size) and ``beta`` (probability) given are used as
    they are; ``None`` chooses them by the in-sample one-step MSE on a 9 x 9 grid of
    0.01-0.5 (evaluated in one vectorised pass). Starts, as Croston's: ``z`` the first demand and
    ``p`` one over its interval from the start of the history (``1 / (t + 1)`` for a first demand
    in period ``t``, 0-based).
    """
    y = np.asarray(y, float)
    if not np.any(y > 0):
        return ModelFit("tsb", np.zeros(h), np.zeros(len(y)), {"alpha": alpha, "beta": beta, "probability": 0.0,
                                                              "size": 0.0})
    if alpha is None or beta is None:
        ga = _TSB_GRID if alpha is None else np.array([float(alpha)])
        gb = _TSB_GRID if beta is None else np.array([float(beta)])
        A, B = np.meshgrid(ga, gb, indexing="ij")
        fitted, prob, size = _tsb_paths(y, A.ravel(), B.ravel())
        sse = np.sum((y[None, :] - fitted) ** 2, axis=1)
        # ties (e.g. a constant series) go to the smoothest pair: the first on the grid
        k = int(np.argmin(sse))
        alpha, beta = float(A.ravel()[k]), float(B.ravel()[k])
    fitted, prob, size = _tsb_paths(y, np.array([float(alpha)]), np.array([float(beta)]))
    p, z = float(prob[0]), float(size[0])
    return ModelFit("tsb", np.full(h, p * z), fitted[0], {"alpha": alpha, "beta": beta, "probability": p,
                                                           "size": z})


def demand_intervals(y: np.ndarray) -> np.ndarray:
    """Periods between successive demands (the first counted from the start of the history)."""
    nz = np.flatnonzero(np.asarray(y, float) > 0)
    return np.diff(np.concatenate([[-1], nz])).astype(float)


def adida(y: np.ndarray, h: int) -> ModelFit:
    """ADIDA (Nikolopoulos et al. 2011): temporal aggregation removes the zeros, SES forecasts.

    The history is summed over non-overlapping buckets of ``k`` periods (``k`` the mean
    interval between demands, rounded; the oldest ``n mod k`` periods are dropped), SES with
    least-squares alpha forecasts the bucket totals and the forecast is spread evenly over the
    ``k`` periods of a bucket. Runs of zeros empty the recent buckets, so the forecast follows
    a product that stops selling.
    """
    y = np.asarray(y, float)
    n = len(y)
    if not np.any(y > 0):
        return ModelFit("adida", np.zeros(h), np.zeros(n), {"k": 1})
    k = max(1, int(round(float(np.mean(demand_intervals(y))))))
    k = min(k, max(1, n // 3))
    start = n % k
    buckets = y[start:].reshape(-1, k).sum(axis=1)
    fit = ses(buckets, 1)
    fitted = np.full(n, np.nan)
    fitted[start:] = np.repeat(np.asarray(fit.fitted, float) / k, k)
    level = float(fit.mean[0]) / k
    return ModelFit("adida", np.full(h, max(level, 0.0)), fitted, {"k": k, "alpha": fit.params["alpha"]})


# ----------------------------------------------------------------------------------------
# seasonality
# ----------------------------------------------------------------------------------------


def _acf(y: np.ndarray, nlags: int) -> np.ndarray:
    x = y - y.mean()
    denom = float(x @ x)
    if denom <= 0:
        return np.zeros(nlags + 1)
    return np.array([1.0] + [float(x[k:] @ x[:-k]) / denom for k in range(1, nlags + 1)])


def seasonality_test(y: np.ndarray, m: int, *, z: float = 1.645) -> bool:
    """90% test that the autocorrelation at lag ``m`` is non-zero (Bartlett's standard error).

    Needs three seasons of history; ``m <= 1`` is never seasonal. For seasons up to 12: on long
    seasons (weekly data) the test has little power on smooth yearly shapes (the earlier lags
    inflate its standard error), so those are never declared seasonal here; the forecasting
    pipeline fits them by harmonic regression instead (:func:`fourier_seasonal_indices`).
    """
    y = np.asarray(y, float)
    m = int(m)
    if m <= 1 or m > 12 or len(y) < 3 * m:
        return False
    r = _acf(y, m)
    limit = z * math.sqrt((1.0 + 2.0 * float(np.sum(r[1:m] ** 2))) / len(y))
    return bool(abs(r[m]) > limit)


def _detrended(y: np.ndarray, m: int, multiplicative: bool) -> tuple[np.ndarray, np.ndarray]:
    """Ratios (or differences) of the data to a centred moving average of order ``m`` (2 x m
    when ``m`` is even), with each one's season position ``t % m``."""
    y = np.asarray(y, float)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(y, w, mode="valid")
    off = (len(w) - 1) // 2
    idx = np.arange(off, off + len(trend))
    detr = y[idx] / trend if multiplicative else y[idx] - trend
    return detr, idx % m


def seasonal_indices(y: np.ndarray, m: int, *, multiplicative: bool = True) -> np.ndarray:
    """Classical decomposition seasonal indices, one per position ``t % m`` (t from 0).

    Ratios (or differences) of the data to a centred moving average of order ``m`` (2 x m when
    ``m`` is even), averaged per position and normalised to mean 1 (or 0).
    """
    detr, pos = _detrended(y, m, multiplicative)
    s = np.array([np.nanmean(detr[pos == k]) if np.any(pos == k) else (1.0 if multiplicative else 0.0)
                  for k in range(m)])
    if multiplicative:
        s = s / s.mean()
    else:
        s = s - s.mean()
    return s


def shrunk_seasonal_indices(y: np.ndarray, m: int, *, multiplicative: bool = True) -> tuple[np.ndarray, float]:
    """Classical seasonal indices shrunk towards none by the James-Stein rule, and the factor kept.

    Miller & Williams (2003): each index is a mean of ``r`` detrended ratios, so it carries
    sampling noise of variance ``s2 / r`` (``s2`` the pooled variance of the ratios about their
    position means). The deviations ``d = S - 1`` (``S`` for additive indices) are multiplied
    by ``k = max(0, 1 - (m - 3) * s2 / r / sum(d^2))``: strong, regular seasonality is kept
    almost whole, indices indistinguishable from noise are shrunk to none (``k = 0``). Needs
    ``m >= 4`` (the rule shrinks in ``m - 1 >= 3`` dimensions) and three seasons of history;
    otherwise the indices are returned unshrunk (``k = 1``).
    """
    s = seasonal_indices(y, m, multiplicative=multiplicative)
    if m < 4 or len(y) < 3 * m:
        return s, 1.0
    detr, pos = _detrended(y, m, multiplicative)
    counts = np.bincount(pos, minlength=m).astype(float)
    means = np.bincount(pos, weights=detr, minlength=m) / np.maximum(counts, 1.0)
    dof = len(detr) - m
    dev = s - (1.0 if multiplicative else 0.0)
    spread = float(dev @ dev)
    if dof <= 0 or spread <= 0:
        return s, 1.0
    s2 = float(np.sum((detr - means[pos]) ** 2)) / dof
    if multiplicative:
        s2 /= float(np.mean(detr)) ** 2        # on the scale of the normalised indices
    k = max(0.0, 1.0 - (m - 3) * s2 * float(np.mean(1.0 / counts)) / spread)
    return (1.0 if multiplicative else 0.0) + k * dev, k


# ----------------------------------------------------------------------------------------
# the Theta family in state space form (Fiorucci et al. 2016)
# ----------------------------------------------------------------------------------------

_THETA_ALPHA = (0.1, 0.99)
_THETA_GRID = np.linspace(_THETA_ALPHA[0], _THETA_ALPHA[1], 30)
_THETA_SKIP = 3     # the first one-step errors are left out of the fit (as in forecTheta)


def _theta_trend_states(y: np.ndarray, dynamic: bool) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float]]:
    """Intercept ``A`` and slope ``B`` of the trend line used at each step, and the final states.

    Time runs 1..n. Static models use the OLS line of the whole history at every step; dynamic
    ones the OLS line of ``y[0..t-1]`` at step ``t``, updated recursively (``A = y0``, ``B = 0``
    at the start). Returns (A per step, B per step, (A, B, mean) after the last observation).
    """
    n = len(y)
    if not dynamic:
        t = np.arange(1, n + 1, dtype=float)
        mean = float(y.mean())
        b = 6.0 * (2.0 * float(y @ t) / n - (n + 1) * mean) / (n * n - 1)
        a = mean - (n + 1) * b / 2.0
        return np.full(n, a), np.full(n, b), (a, b, mean)
    A, B = np.empty(n), np.empty(n)
    a, b, mean = float(y[0]), 0.0, float(y[0])
    A[0], B[0] = a, b
    for i in range(1, n):
        A[i], B[i] = a, b
        a, b, mean = _theta_trend_update(a, b, mean, float(y[i]), i)
    return A, B, (a, b, mean)


def _theta_trend_update(a: float, b: float, mean: float, value: float, i: int) -> tuple[float, float, float]:
    """Recursive OLS line after observation ``i`` (0-based) with value ``value``."""
    new_mean = (i * mean + value) / (i + 1)
    b = ((i - 1) * b + 6.0 * (value - mean) / (i + 1)) / (i + 2)
    return new_mean - b * (i + 2) / 2.0, b, new_mean


def _theta_terms(y: np.ndarray, alphas: np.ndarray, A: np.ndarray, B: np.ndarray):
    """Per alpha (rows) and step ``t`` (columns): the SES level after ``y[t-1]`` without its
    initial-level part, that part's coefficient ``(1-a)^t`` and the trend term ``g_t``."""
    a = np.asarray(alphas, float)[:, None]
    q = 1.0 - a
    t = np.arange(len(y))
    qt = q ** t[None, :]
    level = np.vstack([lfilter([ak], [1.0, ak - 1.0], y) for ak in a[:, 0]])
    prev = np.hstack([np.zeros((len(a), 1)), level[:, :-1]])
    g = A[None, :] * qt + B[None, :] * (1.0 - qt * q) / a
    return prev, qt, g, level[:, -1]


def _theta_grid(y: np.ndarray, alphas: np.ndarray, A: np.ndarray, B: np.ndarray,
                theta: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SSE, initial level and trend weight ``c = 1 - 1/theta`` of the Theta model for each alpha.

    The one-step forecast is ``mu_t = l_{t-1} + c (A (1-a)^t + B (1 - (1-a)^(t+1)) / a)`` with
    ``l_t = a y_t + (1-a) l_{t-1}`` (SES of the data). For fixed alpha it is linear in the
    initial level ``l0`` and in ``c``, so both are solved exactly by least squares, ``c`` within
    ``[0, 1]`` (``theta >= 1``) or fixed at ``1 - 1/theta`` when ``theta`` is given.
    """
    prev, u, g, _ = _theta_terms(y, alphas, A, B)
    s = slice(_THETA_SKIP, len(y))
    r, u, g = y[None, s] - prev[:, s], u[:, s], g[:, s]
    ru, rg, rr = (r * u).sum(1), (r * g).sum(1), (r * r).sum(1)
    uu, ug, gg = np.maximum((u * u).sum(1), 1e-300), (u * g).sum(1), (g * g).sum(1)
    if theta is None:
        det = uu * gg - ug * ug
        ok = det > 1e-12 * np.maximum(uu * gg, 1e-300)
        c = np.where(ok, (uu * rg - ug * ru) / np.where(ok, det, 1.0), 0.0)
        c = np.clip(c, 0.0, 1.0)
    else:
        c = np.full(len(ru), 1.0 - 1.0 / float(theta))
    l0 = (ru - c * ug) / uu
    sse = rr - 2 * l0 * ru - 2 * c * rg + l0 * l0 * uu + 2 * l0 * c * ug + c * c * gg
    return np.where(np.isfinite(sse), np.maximum(sse, 0.0), np.inf), l0, c


def theta_state_space(y: np.ndarray, h: int, *, dynamic: bool = False, theta: float | None = None,
                      name: str = "theta_ss") -> ModelFit:
    """Theta models in Fiorucci et al.'s (2016) state space form, fitted by least squares.

    ``theta=None`` optimises the theta line (OTM; ``theta >= 1``), a number fixes it (2 is the
    standard Theta method, STM). ``dynamic=True`` updates the trend line with each observation
    (DSTM/DOTM) instead of using the OLS line of the whole history. Alpha is searched in
    ``[0.1, 0.99]`` on a grid (30 values, then 11 between the best one's neighbours); for each
    alpha the initial level and ``c = 1 - 1/theta`` are solved exactly (the one-step forecasts
    are linear in both), which is what forecTheta and statsforecast search with Nelder-Mead. The
    first three one-step errors are left out of the fit, as there. Forecasts iterate the model
    with the future values replaced by their forecasts (the dynamic trend line moves with them).
    """
    y = np.asarray(y, float)
    n = len(y)
    if n < _THETA_SKIP + 3:
        fit = ses(y, h)
        return ModelFit(name, fit.mean, fit.fitted, fit.params, fit.aicc)
    mu = float(y.mean())
    scale = float(np.std(y)) or 1.0
    z = (y - mu) / scale
    A, B, last = _theta_trend_states(z, dynamic)
    sse, l0s, cs = _theta_grid(z, _THETA_GRID, A, B, theta)
    k = int(np.argmin(sse))
    grid = np.linspace(_THETA_GRID[max(k - 1, 0)], _THETA_GRID[min(k + 1, len(_THETA_GRID) - 1)], 11)
    sse2, l0s2, cs2 = _theta_grid(z, grid, A, B, theta)
    j = int(np.argmin(sse2))
    if sse2[j] <= sse[k]:
        alpha, l0, c, best = float(grid[j]), float(l0s2[j]), float(cs2[j]), float(sse2[j])
    else:
        alpha, l0, c, best = float(_THETA_GRID[k]), float(l0s[k]), float(cs[k]), float(sse[k])
    if not math.isfinite(best):
        fit = ses(y, h)
        return ModelFit(name, fit.mean, fit.fitted, fit.params, fit.aicc)
    q = 1.0 - alpha
    prev, u, g, final = _theta_terms(z, np.array([alpha]), A, B)
    fitted = prev[0] + u[0] * l0 + c * g[0]                  # in-sample one-step forecasts
    fitted[0] = z[0] if dynamic else l0 + c * (A[0] + B[0])
    level = float(final[0]) + q ** n * l0
    a, b, mean = last
    out = np.empty(h)
    for j in range(h):
        i = n + j
        f = level + c * (a * q ** i + b * (1.0 - q ** (i + 1)) / alpha)
        out[j] = f
        level = alpha * f + q * level
        if dynamic:
            a, b, mean = _theta_trend_update(a, b, mean, f, i)
    th = 1.0 / (1.0 - c) if c < 1.0 else float("inf")
    fitted_y = fitted * scale + mu
    sse_y = float(np.sum((y[_THETA_SKIP:] - fitted_y[_THETA_SKIP:]) ** 2))
    k_par = 3 if theta is None else 2
    return ModelFit(name, out * scale + mu, fitted_y,
                    {"alpha": alpha, "theta": th, "l0": l0 * scale + mu - c * mu, "dynamic": dynamic},
                    aicc(sse_y, n - _THETA_SKIP, k_par + 1))


def optimized_theta(y: np.ndarray, h: int) -> ModelFit:
    """Optimised Theta method (OTM, Fiorucci et al. 2016): alpha, initial level and theta by MSE.

    The theta line ``theta >= 1`` is optimised together with SES's alpha and initial level in
    the state space form of :func:`theta_state_space`; ``theta = 2`` is the classical method.
    """
    return theta_state_space(y, h, name="optimized_theta")


def dynamic_optimized_theta(y: np.ndarray, h: int) -> ModelFit:
    """Dynamic optimised Theta (DOTM, Fiorucci et al. 2016): OTM whose trend line is re-estimated
    from the data up to each period (and from the forecasts over the horizon)."""
    return theta_state_space(y, h, dynamic=True, name="dynamic_optimized_theta")


def fourier_seasonal_indices(y: np.ndarray, m: int, *, multiplicative: bool = True,
                             max_harmonics: int = 10) -> np.ndarray | None:
    """Seasonal indices of a long season (weekly data) by harmonic regression, or None.

    ``log y`` (``y`` when additive) is regressed on a level, a linear trend and ``K`` pairs of
    Fourier terms ``sin, cos(2 pi k t / m)``, trend and season estimated together, so a history
    of a little over one season suffices (the classical decomposition needs two: its centred
    moving average loses half a season at each end). ``K`` (1 to ``max_harmonics``, at most
    a quarter of the observations in parameters) is chosen by BIC against the trend alone
    (``K = 0``); None when no ``K`` beats it, i.e. the data show no season. BIC rather than
    AICc because the choice is also the test for a season at all: with AICc over ten
    candidates about one trend-plus-noise series in five gained a spurious season, with BIC
    one in forty, at the same accuracy on seasonal data. The indices are the
    fitted seasonal term at positions ``0..m-1``, normalised to mean 1 (or 0). Hyndman &
    Athanasopoulos, *Forecasting: principles and practice*, 3rd ed., section 12.1 (weekly data).
    """
    y = np.asarray(y, float)
    n = len(y)
    if m <= 12 or n < m + 2:
        return None
    if multiplicative and not np.all(y > 0):
        multiplicative = False
    z = np.log(y) if multiplicative else y
    t = np.arange(n, dtype=float)
    base = np.column_stack([np.ones(n), t / n])
    angle = 2.0 * np.pi * np.outer(np.arange(n), np.arange(1, max_harmonics + 1)) / m

    def bic(X: np.ndarray) -> tuple[float, np.ndarray]:
        beta, *_ = np.linalg.lstsq(X, z, rcond=None)
        sse = float(np.sum((z - X @ beta) ** 2))
        k = X.shape[1] + 1
        if n - k - 1 <= 0:
            return math.inf, beta
        return n * math.log(max(sse, 1e-300) / n) + k * math.log(n), beta

    best, _ = bic(base)
    best_k, best_beta = 0, None
    for k in range(1, max_harmonics + 1):
        if 2 + 2 * k > n // 4 or 2 * k >= m:
            break
        X = np.column_stack([base, np.sin(angle[:, :k]), np.cos(angle[:, :k])])
        score, beta = bic(X)
        if score < best:
            best, best_k, best_beta = score, k, beta
    if best_k == 0:
        return None
    pos = 2.0 * np.pi * np.outer(np.arange(m), np.arange(1, best_k + 1)) / m
    season = np.sin(pos) @ best_beta[2:2 + best_k] + np.cos(pos) @ best_beta[2 + best_k:]
    if multiplicative:
        s = np.exp(season)
        return s / s.mean()
    return season - season.mean()
