"""One series, one method: events out, seasonality out, model, back in, guarded.

The steps for every method except the seasonal naive and the intermittent ones:

1. **Events** (optional). Each event column (Black Friday, Cyber Monday, December,
   promotion) gets a multiplicative lift: the median, over its occurrences, of demand divided by
   the median of the nearest non-event periods (up to 4 either side). Lifts are estimated one
   event after another and divided out of the history. SARIMAX instead takes the event flags as
   regressors.
2. **Seasonality**. Classical decomposition seasonal indices are divided out (subtracted when
   the history has zeros), given three seasons of history. For seasons of 4 to 12 (quarterly,
   monthly) every series is decomposed and its indices are shrunk towards none by the
   James-Stein rule (Miller & Williams 2003), so noisy indices fade instead of passing or
   failing a test; for seasons of 2-3 the 90% autocorrelation test decides. Weekly data (and
   any season over 12) get a smooth yearly shape by harmonic regression, trend and Fourier
   terms fitted together with the number of harmonics chosen by BIC, which needs only a
   little over a year of history (Hyndman & Athanasopoulos, FPP3 12.1); a 52-state seasonal
   ETS is slow and unstable in statsmodels, so weekly series are deseasonalised and then
   modelled.
3. **Model** the adjusted series (ETS, Theta, SARIMAX, combination, ...).
4. **Back**: re-seasonalise and multiply the lifts back on future event periods.
5. **Guard**: a forecast that is not finite or leaves the history's range widened by
   ``CAP_MULTIPLE`` times that range is replaced by the simpler SES forecast (then the naive),
   and clipped; demand is never forecast below zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import models as M

__all__ = ["METHODS", "COMBINATION", "SeriesForecast", "forecast_series", "forecast_methods", "is_intermittent", "event_lifts",
           "level_alpha",
           "seasonal_profile", "CAP_MULTIPLE", "SHRINK_SEASONS"]

METHODS = ("seasonal_naive", "naive", "ses", "ets", "theta", "optimized_theta", "dynamic_optimized_theta", "ces", "arima",
           "combination", "croston", "sba", "tsb", "adida")
INTERMITTENT = ("croston", "sba", "tsb", "adida")
#: members of the combination (equal-weight mean), all on the seasonally adjusted series: the
#: damped trend, Theta, optimised Theta and ETS by AICc (level only or damped trend, whichever the
#: data support), so the weight on a trend follows the evidence for one
COMBINATION = ("holt_damped", "theta", "optimized_theta", "ets")
CAP_MULTIPLE = 1.0
#: season lengths whose classical indices are shrunk (James-Stein) rather than tested
SHRINK_SEASONS = (4, 12)


@dataclass(frozen=True)
class SeriesForecast:
    method: str
    mean: np.ndarray
    fitted: np.ndarray
    seasonal: bool = False
    lifts: dict = field(default_factory=dict)
    fallback: str | None = None
    params: dict = field(default_factory=dict)
    #: the method whose numbers these are (differs from ``method`` after a fallback)
    method_used: str = ""
    #: why ``method`` was replaced by ``method_used`` ("" when it was not)
    fell_back_because: str = ""

    def __post_init__(self):
        if not self.method_used:
            object.__setattr__(self, "method_used", self.method)


def is_intermittent(y: np.ndarray) -> bool:
    """Syntetos-Boylan: average interval between demands above 1.32 periods (many zeros)."""
    y = np.asarray(y, float)
    nz = int(np.sum(y > 0))
    if nz == 0:
        return True
    return bool(np.any(y == 0) and len(y) / nz > 1.32)


def event_lifts(y: np.ndarray, E: np.ndarray, names, *, window: int = 4) -> tuple[dict, np.ndarray]:
    """Multiplicative lift per event column and the history with the lifts divided out."""
    y = np.asarray(y, float).copy()
    n = len(y)
    any_event = E.sum(axis=1) > 0
    lifts = {}
    for j, name in enumerate(names):
        occ = np.flatnonzero(E[:, j] > 0)
        if len(occ) == 0 or len(occ) == n:
            continue
        ratios = []
        for t in occ:
            lo, hi = max(0, t - window), min(n, t + window + 1)
            idx = np.arange(lo, hi)
            idx = idx[~any_event[idx]]
            if len(idx) == 0:
                continue
            base = float(np.median(y[idx]))
            if base > 0 and y[t] >= 0:
                ratios.append(y[t] / base)
        if not ratios:
            continue
        lift = float(np.clip(np.median(ratios), 0.2, 5.0))
        lifts[name] = lift
        y[occ] = y[occ] / lift
    return lifts, y


def seasonal_profile(x: np.ndarray, m: int, *, seasonal: str | bool = "auto",
                     multiplicative: bool = True) -> np.ndarray | None:
    """The seasonal indices divided out of (subtracted from) ``x`` before modelling, or None.

    ``seasonal="auto"``: for seasons of 4 to 12 with three seasons of history, the classical
    indices shrunk by the James-Stein rule (:func:`models.shrunk_seasonal_indices`), which keeps
    clear seasonality and shrinks noise to none (None when nothing is left), instead of an
    all-or-nothing test; for seasons of 2-3 the 90% autocorrelation test decides (two seasons
    of history needed); for long seasons (``m > 12``, weekly data) harmonic regression
    (:func:`models.fourier_seasonal_indices`: trend and a smooth yearly shape fitted together,
    the number of harmonics by BIC, none when the trend alone fits better), which needs only
    a little over one season of history. ``True`` forces unshrunk classical indices (two
    seasons of history), ``False`` none.
    """
    n = len(x)
    if m <= 1 or seasonal is False:
        return None
    if seasonal == "auto" and m > 12:
        return M.fourier_seasonal_indices(x, m, multiplicative=multiplicative)
    if n < 2 * m:
        return None
    if seasonal == "auto" and SHRINK_SEASONS[0] <= m <= SHRINK_SEASONS[1]:
        if n < 3 * m:
            return None
        idx, kept = M.shrunk_seasonal_indices(x, m, multiplicative=multiplicative)
        return idx if kept > 0 else None
    if seasonal is True or M.seasonality_test(x, m):
        return M.seasonal_indices(x, m, multiplicative=multiplicative)
    return None


def _season_positions(n: int, h: int, m: int):
    return np.arange(n) % m, np.arange(n, n + h) % m


def _model(method: str, x: np.ndarray, h: int, *, exog=None, exog_future=None, memo: dict | None = None) -> M.ModelFit:
    """Fit ``method`` to ``x``; ``memo`` shares member fits between methods on the same data."""
    memo = {} if memo is None else memo
    if method in memo:
        return memo[method]
    if method == "ses":
        fit = M.ses(x, h)
    elif method == "naive":
        fit = M.naive(x, h)
    elif method == "holt_damped":
        fit = M.holt_damped(x, h)
    elif method == "ets":
        fit = M.ets_choice(_model("ses", x, h, memo=memo),
                           _model("holt_damped", x, h, memo=memo) if len(x) >= 8 else None)
    elif method == "theta":
        fit = M.theta(x, h, ses_fit=_model("ses", x, h, memo=memo))
    elif method == "optimized_theta":
        fit = M.optimized_theta(x, h)
    elif method == "ces":
        fit = M.ces(x, h)
    elif method == "dynamic_optimized_theta":
        fit = M.dynamic_optimized_theta(x, h)
    elif method == "arima":
        fit = M.arima(x, h, exog=exog, exog_future=exog_future)
    elif method == "combination":
        fits = [_model(name, x, h, memo=memo) for name in COMBINATION]
        mean = np.mean([f.mean for f in fits], axis=0)
        fitted = np.mean([f.fitted for f in fits], axis=0)
        fit = M.ModelFit("combination", mean, fitted, {f.name: f.params for f in fits})
    else:
        raise ValueError(f"unknown method {method!r}")
    memo[method] = fit
    return fit


def forecast_series(y: np.ndarray, h: int, *, method: str = "combination", m: int = 1,
                    events: np.ndarray | None = None, events_future: np.ndarray | None = None,
                    event_names=(), seasonal: str | bool = "auto", nonnegative: bool = True) -> SeriesForecast:
    """Forecast one series ``h`` periods ahead with ``method`` (see the module notes)."""
    return forecast_methods(y, h, (method,), m=m, events=events, events_future=events_future,
                            event_names=event_names, seasonal=seasonal, nonnegative=nonnegative)[method]


def forecast_methods(y: np.ndarray, h: int, methods, *, m: int = 1, events: np.ndarray | None = None,
                     events_future: np.ndarray | None = None, event_names=(), seasonal: str | bool = "auto",
                     nonnegative: bool = True) -> dict[str, SeriesForecast]:
    """Forecast one series with several methods, sharing the event and seasonal adjustment and
    the member fits (the combination, ETS and Theta reuse the same SES and damped-trend fits)."""
    y = np.asarray(y, float)
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    out: dict[str, SeriesForecast] = {}
    shared: dict = {}
    memo: dict = {}
    for method in methods:
        if method == "seasonal_naive":
            fit = M.seasonal_naive(y, h, m)
            out[method] = SeriesForecast(method, _clip0(fit.mean, nonnegative), fit.fitted, seasonal=m > 1)
        elif method in INTERMITTENT:
            fit = {"croston": M.croston, "sba": M.sba, "tsb": M.tsb, "adida": M.adida}[method](y, h)
            out[method] = SeriesForecast(method, fit.mean, fit.fitted, params=fit.params)
        elif method == "arima":
            out[method] = _smooth(y, h, method, m, events, events_future, event_names, seasonal, nonnegative, {}, {})
        else:
            out[method] = _smooth(y, h, method, m, events, events_future, event_names, seasonal, nonnegative,
                                  shared, memo)
    return out


def level_alpha(y: np.ndarray, m: int = 1, *, events: np.ndarray | None = None, event_names=(),
                intermittent: bool = False) -> float:
    """The smoothing constant of a local level (SES, ETS(A,N,N)) fitted to the adjusted history.

    Smooth series are adjusted as every smooth method sees them (events and season out, see the
    module notes); intermittent ones are taken as they are (their methods see no season). The
    automatic mode uses it for the shape of its intervals: under a local level the error ``k``
    steps ahead has variance ``sigma^2 (1 + (k - 1) alpha^2)``.
    """
    y = np.asarray(y, float)
    if len(y) < 3:
        return 0.5
    if intermittent:
        return float(M.ses(y, 1).params["alpha"])
    ef = None if events is None else np.zeros((1, np.asarray(events).shape[1]))
    fit = forecast_series(y, 1, method="ses", m=m, events=events, events_future=ef, event_names=event_names)
    return float(fit.params.get("alpha", 0.5))


def _smooth(y, h, method, m, events, events_future, event_names, seasonal, nonnegative, shared, memo):
    n = len(y)
    has_events = bool(events is not None and events.size and len(event_names))
    if "adj" not in shared:
        # 1. events
        lifts: dict = {}
        x = y
        if has_events and method != "arima":
            lifts, x = event_lifts(y, events, event_names)
        # 2. seasonality
        is_seasonal = False
        s_hist = np.ones(n)
        s_fut = np.ones(h)
        multiplicative = bool(np.all(x > 0))
        idx = seasonal_profile(x, m, seasonal=seasonal, multiplicative=multiplicative)
        if idx is not None:
            ph, pf = _season_positions(n, h, m)
            is_seasonal = bool(np.all(np.isfinite(idx)))
            if is_seasonal:
                s_hist, s_fut = idx[ph], idx[pf]
        base = y if method == "arima" else x
        if is_seasonal and not multiplicative:
            adj = base - s_hist
        elif is_seasonal:
            adj = base / s_hist
        else:
            adj = base
        lift_f = np.ones(h)
        lift_h = np.ones(n)
        for j, name in enumerate(event_names):
            if name in lifts:
                lift_f = np.where(events_future[:, j] > 0, lift_f * lifts[name], lift_f)
                lift_h = np.where(events[:, j] > 0, lift_h * lifts[name], lift_h)
        shared.update(adj=adj, lifts=lifts, is_seasonal=is_seasonal, s_hist=s_hist, s_fut=s_fut,
                      multiplicative=multiplicative, lift_f=lift_f, lift_h=lift_h)
    adj, lifts, is_seasonal = shared["adj"], shared["lifts"], shared["is_seasonal"]
    s_hist, s_fut, multiplicative = shared["s_hist"], shared["s_fut"], shared["multiplicative"]
    lift_f, lift_h = shared["lift_f"], shared["lift_h"]
    # 3. model
    exog = exog_f = None
    if method == "arima" and has_events:
        exog, exog_f = events, events_future
    fit = _model(method, adj, h, exog=exog, exog_future=exog_f, memo=memo)
    # 4. back
    mean, fitted = _restore(fit.mean, fit.fitted, s_hist, s_fut, is_seasonal, multiplicative)
    mean, fitted = mean * lift_f, fitted * lift_h
    method_used = fit.name if fit.params.get("fell_back_because") else method
    why = str(fit.params.get("fell_back_because", ""))
    # 5. guard
    fallback = None
    if not _ok(mean, y):
        lo, hi = _bounds(y)
        why = (f"the {method_used} forecast was not finite" if not np.all(np.isfinite(mean)) else
               f"the {method_used} forecast left the plausible range {max(lo, 0.0) if nonnegative else lo:.4g} "
               f"to {hi:.4g} (the history's range widened by {CAP_MULTIPLE:g} times itself)")
        for simple in ("ses", "naive"):
            alt = _model(simple, adj, h, memo=memo)
            mean2, fitted2 = _restore(alt.mean, alt.fitted, s_hist, s_fut, is_seasonal, multiplicative)
            mean2, fitted2 = mean2 * lift_f, fitted2 * lift_h
            if np.all(np.isfinite(mean2)):
                mean, fitted, fallback = mean2, fitted2, simple
                break
        else:
            mean, fitted, fallback = np.full(h, y[-1]), np.concatenate([[np.nan], y[:-1]]), "last value"
        method_used = fallback if fallback != "last value" else "naive"
    mean = _cap(mean, y, nonnegative)
    return SeriesForecast(method, mean, fitted, seasonal=is_seasonal, lifts=lifts, fallback=fallback,
                          params=fit.params, method_used=method_used, fell_back_because=why)


def _restore(mean, fitted, s_hist, s_fut, seasonal, multiplicative):
    if not seasonal:
        return np.asarray(mean, float), np.asarray(fitted, float)
    if multiplicative:
        return mean * s_fut, fitted * s_hist
    return mean + s_fut, fitted + s_hist


def _bounds(y: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(y)), float(np.max(y))
    r = hi - lo
    if r <= 0:
        r = max(abs(hi), 1.0)
    return lo - CAP_MULTIPLE * r, hi + CAP_MULTIPLE * r


def _ok(mean: np.ndarray, y: np.ndarray) -> bool:
    if not np.all(np.isfinite(mean)):
        return False
    lo, hi = _bounds(y)
    return bool(np.all(mean >= lo) and np.all(mean <= hi))


def _cap(mean: np.ndarray, y: np.ndarray, nonnegative: bool) -> np.ndarray:
    lo, hi = _bounds(y)
    if nonnegative and np.min(y) >= 0:
        lo = max(lo, 0.0)
    out = np.clip(mean, lo, hi)
    return np.where(np.isfinite(out), out, float(y[-1]))


def _clip0(mean, nonnegative):
    return np.maximum(mean, 0.0) if nonnegative else mean

