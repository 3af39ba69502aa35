"""Forecasting models on known answers, and the guards."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from workbench.forecast import models as M
from workbench.forecast.pipeline import forecast_series, is_intermittent

SHAPE = np.array([0.8, 1.0, 1.3, 0.9])


def test_seasonal_naive_repeats_the_last_season():
    """yhat[T+k] = y[T+k-m*ceil(k/m)]; m = 1 is the naive."""
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    assert M.seasonal_naive(y, 6, 4).mean.tolist() == [5.0, 6, 7, 8, 5, 6]
    assert M.seasonal_naive(y, 3, 1).mean.tolist() == [8.0, 8, 8]
    fit = M.seasonal_naive(y, 2, 4)
    assert np.isnan(fit.fitted[:4]).all() and fit.fitted[4:].tolist() == [1.0, 2, 3, 4]


@pytest.mark.parametrize("method", ["ets", "theta", "combination", "seasonal_naive", "ses", "optimized_theta",
                                    "dynamic_optimized_theta"])
def test_a_perfect_seasonal_series_is_forecast_exactly(method):
    """A constant level times a fixed quarterly shape is continued exactly by every method."""
    y = 100.0 * np.tile(SHAPE, 6)
    f = forecast_series(y, 8, method=method, m=4)
    assert f.mean == pytest.approx(100.0 * np.tile(SHAPE, 2), rel=1e-6)
    if method != "seasonal_naive":
        assert f.seasonal


def test_a_linear_trend_is_extrapolated():
    """y = 10 + 2t: the damped trend, SES-with-drift Theta and the combination follow the line."""
    y = 10.0 + 2.0 * np.arange(40)
    truth = 10.0 + 2.0 * np.arange(40, 46)
    damped = M.holt_damped(y, 6)
    # ETS(A,Ad,N) on an exact line: the trend persists, damped by phi^k
    assert damped.mean[0] == pytest.approx(truth[0], abs=0.05)
    assert np.all(np.diff(damped.mean) > 0)
    # Theta on a line: SES gives the last value (alpha -> 1), plus half the slope per step
    th = M.theta(y, 6)
    assert th.mean == pytest.approx(88.0 + 1.0 * np.arange(1, 7), abs=0.05)
    comb = forecast_series(y, 6, method="combination", m=1)
    assert np.all(comb.mean > th.mean) and np.all(comb.mean < damped.mean + 1e-9)
    assert np.all(np.diff(comb.mean) > 0)


def test_damped_and_undamped_trend_on_an_exact_line():
    """y = 10 + 2t: the undamped trend (phi held at 1) continues the line exactly; the damped
    trend adds b * phi^k at step k, so its forecasts converge to level + b * phi / (1 - phi)."""
    y = 10.0 + 2.0 * np.arange(40)
    holt = M.holt_damped(y, 30, phi_bounds=(1.0, 1.0))
    assert holt.params["phi"] == 1.0
    assert holt.mean == pytest.approx(10.0 + 2.0 * np.arange(40, 70), abs=1e-6)
    damped = M.holt_damped(y, 400)
    phi, level, b = damped.params["phi"], damped.params["level"], damped.params["trend"]
    assert 0.8 <= phi <= 0.98 and level == pytest.approx(88.0, abs=0.05) and b == pytest.approx(2.0, abs=0.05)
    steps = np.diff(np.r_[level, damped.mean])
    assert steps == pytest.approx(b * phi ** np.arange(1, 401), rel=1e-9, abs=1e-12)
    limit = level + b * phi / (1.0 - phi)            # the geometric series summed
    assert limit - damped.mean == pytest.approx(b * phi ** np.arange(2, 402) / (1.0 - phi), rel=1e-6, abs=1e-9)
    assert limit - damped.mean[-1] < 0.05 * (limit - damped.mean[0])
    assert np.all(damped.mean[:30] < holt.mean)          # damping holds the line back at every step


def test_combination_is_the_mean_of_its_four_members():
    """The combination is the equal-weight mean of the damped trend, Theta, optimised Theta and
    ETS by AICc, whose form follows the evidence: the damped trend on an exact line, the level
    alone (SES) on trendless noise."""
    from workbench.forecast.pipeline import COMBINATION

    assert COMBINATION == ("holt_damped", "theta", "optimized_theta", "ets")
    line = 10.0 + 2.0 * np.arange(40)
    noise = 100.0 + np.random.default_rng(3).normal(0, 5, 60)
    for y, form in ((line, "AAdN"), (noise, "ANN")):
        ets = M.ets_auto(y, 6)
        assert ets.params["form"] == form
        same = M.holt_damped(y, 6) if form == "AAdN" else M.ses(y, 6)
        assert ets.mean == pytest.approx(same.mean, rel=1e-12)
        members = [M.holt_damped(y, 6).mean, M.theta(y, 6).mean, M.optimized_theta(y, 6).mean, ets.mean]
        comb = forecast_series(y, 6, method="combination", m=1)
        assert comb.mean == pytest.approx(np.mean(members, axis=0), rel=1e-12)


def test_ses_matches_statsmodels_ets_ann():
    """Our SES (least squares) finds the statsmodels ETS(A,N,N) optimum: same SSE within 0.5%."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(1)
    y = 50 + np.cumsum(rng.normal(0, 1, 80)) + rng.normal(0, 2, 80)
    ours = M.ses(y, 4)
    sse_ours = float(np.sum((y - ours.fitted) ** 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(y, error="add", trend=None).fit(disp=False)
    sse_sm = float(np.sum(res.resid ** 2))
    assert sse_ours <= sse_sm * 1.005
    assert ours.params["alpha"] == pytest.approx(float(res.params[0]), abs=0.05)
    assert ours.mean[0] == pytest.approx(float(res.forecast(1)[0]), rel=0.01)


def test_damped_trend_is_at_least_as_good_as_statsmodels():
    """The damped-trend grid search reaches the statsmodels ETS(A,Ad,N) SSE within 2%."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(7)
    y = 200 + np.cumsum(1.5 + rng.normal(0, 3, 60))
    ours = M.holt_damped(y, 6)
    sse_ours = float(np.sum((y - ours.fitted) ** 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(y, error="add", trend="add", damped_trend=True,
                       bounds={"damping_trend": (0.8, 0.98)}).fit(disp=False)
    assert sse_ours <= float(np.sum(res.resid ** 2)) * 1.02


def test_theta_is_ses_with_half_the_trend_slope():
    """Hyndman & Billah: Theta = SES + b/2 (k - 1 + (1 - (1-a)^n)/a), b the OLS slope."""
    rng = np.random.default_rng(3)
    y = 20 + 0.5 * np.arange(30) + rng.normal(0, 1, 30)
    fit = M.theta(y, 5)
    s = M.ses(y, 5)
    a, n = s.params["alpha"], len(y)
    b = np.polyfit(np.arange(n), y, 1)[0]
    expected = s.mean + 0.5 * b * (np.arange(5) + (1 - (1 - a) ** n) / a)
    assert fit.mean == pytest.approx(expected)


def _theta_recursions(y, h, l0, alpha, theta, dynamic):
    """Fiorucci et al. (2016) written out step by step: one-step errors and the h-step forecasts."""
    n = len(y)
    t = np.arange(1, n + 1)
    if dynamic:
        a, b, mean = y[0], 0.0, y[0]
    else:
        b = np.polyfit(t, y, 1)[0]
        a, mean = y.mean() - b * (n + 1) / 2, y[0]
    c = 1 - 1 / theta
    level = alpha * y[0] + (1 - alpha) * l0
    errors, forecasts = [], []
    for i in range(1, n + h):
        mu = level + c * (a * (1 - alpha) ** i + b * (1 - (1 - alpha) ** (i + 1)) / alpha)
        if i < n:
            errors.append(y[i] - mu)
            value = y[i]
        else:
            forecasts.append(mu)
            value = mu
        level = alpha * value + (1 - alpha) * level
        new_mean = (i * mean + value) / (i + 1)
        if dynamic:
            b = ((i - 1) * b + 6 * (value - mean) / (i + 1)) / (i + 2)
            a = new_mean - b * (i + 2) / 2
        mean = new_mean
    return np.array(errors), np.array(forecasts)


@pytest.mark.parametrize("dynamic", [False, True])
def test_optimised_theta_state_space_reaches_the_nelder_mead_optimum(dynamic):
    """OTM / DOTM: our forecasts are the model's recursions at the fitted parameters, and the SSE
    (errors from the fourth on) is as low as a Nelder-Mead search over (l0, alpha, theta) finds."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(11)
    y = 50 + 0.8 * np.arange(48) + np.cumsum(rng.normal(0, 1.5, 48)) + rng.normal(0, 2, 48)
    fit = (M.dynamic_optimized_theta if dynamic else M.optimized_theta)(y, 6)
    p = fit.params
    assert 0.1 <= p["alpha"] <= 0.99 and p["theta"] >= 1 and p["dynamic"] == dynamic
    errors, forecasts = _theta_recursions(y, 6, p["l0"], p["alpha"], p["theta"], dynamic)
    assert fit.mean == pytest.approx(forecasts, rel=1e-9)
    assert fit.fitted[1:] == pytest.approx(y[1:] - errors, rel=1e-9)

    def sse(x):
        l0, alpha, theta = x
        if not 0.1 <= alpha <= 0.99 or theta < 1:
            return 1e300
        return float(np.sum(_theta_recursions(y, 0, l0, alpha, theta, dynamic)[0][2:] ** 2))

    best = min(minimize(sse, x0, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-10}).fun
               for x0 in ([y[0] / 2, 0.5, 2.0], [y[0], 0.3, 3.0], [y[0], 0.8, 1.5]))
    assert sse([p["l0"], p["alpha"], p["theta"]]) <= best * (1 + 1e-3)


def test_theta_state_space_known_answers():
    """A straight line is continued exactly (theta -> infinity); theta = 1 is SES (a flat forecast
    at the SES level); a constant series stays constant."""
    y = 10.0 + 2.0 * np.arange(40)
    for fn in (M.optimized_theta, M.dynamic_optimized_theta):
        assert fn(y, 6).mean == pytest.approx(10.0 + 2.0 * np.arange(40, 46), rel=1e-9)
    rng = np.random.default_rng(2)
    x = 30 + rng.normal(0, 1, 30)
    fit = M.theta_state_space(x, 4, theta=1.0)
    alpha = fit.params["alpha"]
    level = fit.params["l0"]
    for v in x:
        level = alpha * v + (1 - alpha) * level
    assert fit.mean == pytest.approx(np.full(4, level), rel=1e-9)
    assert M.dynamic_optimized_theta(np.full(20, 5.0), 3).mean == pytest.approx([5.0] * 3)


def test_croston_sba_tsb_by_hand():
    """Croston with alpha 0.1 on sizes 4, 6 and intervals 2, 3: z = 4.2, p = 2.1 -> 2.0; SBA x 0.95."""
    y = np.array([0.0, 4, 0, 0, 6, 0])
    assert M.croston(y, 3).mean == pytest.approx([2.0] * 3)
    assert M.sba(y, 2).mean == pytest.approx([1.9] * 2)
    # TSB with fixed alpha = beta = 0.1: starts p0 = 1/2 (first demand in period 2), z0 = 4
    p, z = 1 / 2, 4.0
    for v in y:
        p += 0.1 * ((v > 0) - p)
        if v > 0:
            z += 0.1 * (v - z)
    assert M.tsb(y, 2, alpha=0.1, beta=0.1).mean == pytest.approx([p * z] * 2)
    assert is_intermittent(y) and not is_intermittent(np.arange(1.0, 10.0))


def test_tsb_parameters_minimise_the_one_step_mse():
    """The chosen TSB pair has the lowest in-sample SSE of the 9 x 9 grid (brute force)."""
    rng = np.random.default_rng(7)
    y = np.where(rng.random(80) < 0.3, rng.integers(1, 9, 80), 0).astype(float)
    fit = M.tsb(y, 3)

    def sse(a, b):
        return float(np.sum((y - M.tsb(y, 1, alpha=a, beta=b).fitted) ** 2))

    best = min(sse(a, b) for a in M._TSB_GRID for b in M._TSB_GRID)
    assert sse(fit.params["alpha"], fit.params["beta"]) == pytest.approx(best)
    assert fit.mean == pytest.approx([fit.params["probability"] * fit.params["size"]] * 3)


def test_ces_reaches_the_least_squares_fit_and_follows_its_recursions():
    """CES: the grid search gets within 1% of the SSE of a 60 x 60 brute-force grid (initial
    states by least squares), and the fitted values and forecasts follow the model's equations."""
    rng = np.random.default_rng(3)
    y = 200 + np.cumsum(rng.normal(1.5, 4.0, 70))
    fit = M.ces(y, 5)
    a0, a1 = fit.params["alpha0"], fit.params["alpha1"]
    A0, A1 = np.meshgrid(np.linspace(0.01, 1.8, 60), np.linspace(0.01, 1.9, 60), indexing="ij")
    brute, _, _ = M._ces_grid_search(y / np.mean(y), A0.ravel(), A1.ravel())
    ours = float(np.sum((y - fit.fitted) ** 2)) / np.mean(y) ** 2
    assert ours <= 1.01 * float(np.min(brute))
    # replay: from the fitted one-step forecasts, recover l and c and iterate the forecast
    l = fit.fitted[-1]
    e = y[-1] - l
    # c_{n-1} from l_n = l_{n-1} - (1 - a1) c_{n-1} + (a0 - a1) e  (l_n is the first forecast)
    c = (l + (a0 - a1) * e - fit.mean[0]) / (1.0 - a1)
    l, c = fit.mean[0], l + (1.0 - a0) * c + (a0 + a1) * e
    for k in range(1, 5):
        l, c = l - (1.0 - a1) * c, l + (1.0 - a0) * c
        assert fit.mean[k] == pytest.approx(l, rel=1e-9)
    assert fit.mean[-1] > y[-10:].mean()          # the upward trend is carried on


def test_adida_by_hand():
    """ADIDA: demands every 3rd period -> buckets of 3; constant bucket totals 6 -> 2 per period."""
    y = np.array([0, 0, 6.0] * 8 + [0])         # 25 periods: the oldest (25 mod 3 = 1) is dropped
    fit = M.adida(y, 4)
    assert fit.params["k"] == 3
    assert fit.mean == pytest.approx([2.0] * 4)
    assert np.isnan(fit.fitted[0]) and fit.fitted[1:] == pytest.approx([2.0] * 24)
    assert M.adida(np.zeros(10), 2).mean == pytest.approx([0.0, 0.0])


def test_intermittent_methods_follow_a_stopped_product():
    """After 40 weeks at 100 and 20 zero weeks TSB and ADIDA forecast < 1; Croston stays at 100."""
    y = np.r_[np.full(40, 100.0), np.zeros(20)]
    assert M.tsb(y, 4).mean.max() < 1.0
    assert M.adida(y, 4).mean.max() < 1.0
    assert M.croston(y, 4).mean == pytest.approx([100.0] * 4)
    one_spike = np.r_[1000.0, np.zeros(59)]
    assert M.tsb(one_spike, 4).mean.max() < 1.0


def test_arima_reports_why_it_fell_back(monkeypatch):
    """Every SARIMAX order failing gives the naive forecast, named naive, with the reason."""
    import statsmodels.tsa.statespace.sarimax as sx

    y = np.linspace(10.0, 30.0, 30)
    short = M.arima(y[:6], 3)
    assert short.name == "naive" and short.mean == pytest.approx([y[5]] * 3)
    assert "6 periods of history are too few for SARIMAX" in short.params["fell_back_because"]

    class Broken:
        def __init__(self, *a, **k):
            raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(sx, "SARIMAX", Broken)
    fit = M.arima(y, 3)
    assert fit.name == "naive" and fit.mean == pytest.approx([30.0] * 3)
    assert "could not be fitted with any of the orders" in fit.params["fell_back_because"]
    assert "singular matrix" in fit.params["fell_back_because"]
    sf = forecast_series(y, 3, method="arima")
    assert (sf.method, sf.method_used) == ("arima", "naive")
    assert "singular matrix" in sf.fell_back_because


def test_seasonality_test_and_indices():
    """The 90% ACF test finds a seasonal shape and not white noise; indices average 1."""
    rng = np.random.default_rng(0)
    seasonal = 100 * np.tile(SHAPE, 8) * (1 + rng.normal(0, 0.02, 32))
    assert M.seasonality_test(seasonal, 4)
    assert not M.seasonality_test(100 + rng.normal(0, 1, 32), 4)
    assert not M.seasonality_test(seasonal[:10], 4)          # fewer than 3 seasons
    idx = M.seasonal_indices(100 * np.tile(SHAPE, 5), 4)
    assert idx == pytest.approx(SHAPE / SHAPE.mean())
    assert idx.mean() == pytest.approx(1.0)


def test_james_stein_seasonal_shrinkage():
    """Miller & Williams (2003): exact seasonality is kept whole; the factor is
    1 - (m-3) s2 / r / sum(d^2) from the detrended ratios; noise is shrunk far more than a
    clear seasonal shape; the pipeline drops indices shrunk to none."""
    idx, k = M.shrunk_seasonal_indices(100 * np.tile(SHAPE, 5), 4)
    assert k == 1.0 and idx == pytest.approx(SHAPE / SHAPE.mean())
    rng = np.random.default_rng(4)
    y = 100 * np.tile(SHAPE, 6) * (1 + rng.normal(0, 0.05, 24)) + np.arange(24)
    # by hand: 2x4 centred moving average, ratios per quarter, pooled variance about their means
    ratios = {q: [] for q in range(4)}
    for t in range(2, 22):
        cma = (0.5 * y[t - 2] + y[t - 1] + y[t] + y[t + 1] + 0.5 * y[t + 2]) / 4
        ratios[t % 4].append(y[t] / cma)
    means = np.array([np.mean(ratios[q]) for q in range(4)])
    s2 = sum(np.sum((np.array(ratios[q]) - means[q]) ** 2) for q in range(4)) / (20 - 4)
    s2 /= np.mean(np.concatenate([ratios[q] for q in range(4)])) ** 2
    d = means / means.mean() - 1
    expected = max(0.0, 1 - (4 - 3) * s2 * np.mean([1 / len(ratios[q]) for q in range(4)]) / np.sum(d ** 2))
    idx, k = M.shrunk_seasonal_indices(y, 4)
    assert k == pytest.approx(expected) and 0 < k < 1
    assert idx == pytest.approx(1 + k * d) and idx.mean() == pytest.approx(1.0)
    clear = [M.shrunk_seasonal_indices(100 * np.tile(SHAPE, 10) * (1 + rng.normal(0, 0.03, 40)), 4)[1]
             for _ in range(50)]
    noise = [M.shrunk_seasonal_indices(100 + rng.normal(0, 5, 48), 12)[1] for _ in range(50)]
    assert min(clear) > 0.95 and np.mean(noise) < 0.4
    assert M.shrunk_seasonal_indices(y[:10], 4)[1] == 1.0           # fewer than 3 seasons: unshrunk
    from workbench.forecast.pipeline import seasonal_profile
    dropped = [seasonal_profile(100 + rng.normal(0, 5, 48), 12) is None for _ in range(50)]
    assert 0.1 < np.mean(dropped) < 1.0
    assert seasonal_profile(100 * np.tile(SHAPE, 10), 4) == pytest.approx(SHAPE / SHAPE.mean())


def test_harmonic_regression_seasonality_for_weekly_data():
    """A smooth yearly shape on a trend is recovered exactly from 60 weeks (a little over one
    season, too short for a classical decomposition); a trend alone with noise has no season;
    the pipeline forecasts the seasonal swing of a series with only 70 weeks of history."""
    t = np.arange(60)
    shape = np.exp(0.2 * np.sin(2 * np.pi * t / 52) + 0.05 * np.cos(4 * np.pi * t / 52))
    y = 1000 * np.exp(0.002 * t) * shape
    idx = M.fourier_seasonal_indices(y, 52)
    expected = shape[:52] / shape[:52].mean()
    assert idx == pytest.approx(expected, rel=1e-6) and idx.mean() == pytest.approx(1.0)
    additive = M.fourier_seasonal_indices(500 + 2 * t + 40 * np.sin(2 * np.pi * t / 52), 52, multiplicative=False)
    assert additive == pytest.approx(40 * np.sin(2 * np.pi * np.arange(52) / 52), abs=1e-6)
    rng = np.random.default_rng(1)
    flat = [M.fourier_seasonal_indices(1000 + 3 * np.arange(80) + rng.normal(0, 20, 80), 52) is None
            for _ in range(40)]
    assert np.mean(flat) > 0.9
    assert M.fourier_seasonal_indices(y[:50], 52) is None             # less than a season: none
    assert M.fourier_seasonal_indices(y, 12) is None                  # short seasons: classical
    hist = 1000 * (1 + 0.3 * np.sin(2 * np.pi * np.arange(70) / 52))
    fc = forecast_series(hist, 26, method="theta", m=52)
    truth = 1000 * (1 + 0.3 * np.sin(2 * np.pi * np.arange(70, 96) / 52))
    assert fc.seasonal
    assert np.max(np.abs(fc.mean - truth) / truth) < 0.02


def test_arima_with_an_event_regressor_lifts_the_event_periods():
    """SARIMAX with a 0/1 regressor estimates the lift and applies it to the future event period."""
    rng = np.random.default_rng(5)
    ev = np.zeros(60)
    ev[[10, 25, 40, 55]] = 1
    y = 100 + rng.normal(0, 2, 60) + 50 * ev
    evf = np.zeros((6, 1))
    evf[3] = 1
    fit = M.arima(y, 6, exog=ev[:, None], exog_future=evf)
    assert fit.mean[3] - np.delete(fit.mean, 3).mean() == pytest.approx(50, abs=5)


def test_exploding_forecasts_are_capped_and_finite():
    """A series whose trend would explode is capped within the history's range widened by its range."""
    y = np.r_[np.ones(20), 1e6 * np.arange(1, 6)]
    for method in ("ets", "theta", "combination", "optimized_theta", "dynamic_optimized_theta", "arima"):
        f = forecast_series(y, 60, method=method, m=1)
        assert np.all(np.isfinite(f.mean))
        assert f.mean.max() <= y.max() + (y.max() - y.min()) + 1e-6
        assert f.mean.min() >= 0.0


def test_kpss_statistic_matches_statsmodels():
    """The KPSS level statistic with the short lag rule equals statsmodels' on a walk and on noise."""
    from statsmodels.tsa.stattools import kpss

    rng = np.random.default_rng(5)
    for y in (np.cumsum(rng.normal(0, 1, 120)), rng.normal(0, 1, 80)):
        lags = int(4 * (len(y) / 100) ** 0.25)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = kpss(y, regression="c", nlags=lags)[0]
        assert M.kpss_statistic(y) == pytest.approx(ref, rel=1e-10)
    assert M.kpss_statistic(0.1 * np.arange(120) + rng.normal(0, 1, 120)) > M.KPSS_5PCT   # a trend is not
    assert M.kpss_statistic(rng.normal(0, 1, 120)) < M.KPSS_5PCT                         # noise is


def _css_residuals(x, phi, theta):
    e = np.zeros(len(x) + 2)
    xx = np.r_[0.0, 0.0, x]
    for t in range(2, len(xx)):
        e[t] = xx[t] - phi[0] * xx[t - 1] - phi[1] * xx[t - 2] - theta[0] * e[t - 1] - theta[1] * e[t - 2]
    return e[2:]


def test_fast_arima_reaches_the_css_optimum_and_follows_its_recursion():
    """On an ARIMA(1,1,1) path: one difference (KPSS), the grid reaches within 0.5% of the
    conditional sum of squares of a Nelder-Mead search for the chosen order, and the forecast
    continues the ARMA recursion of the differences (future errors zero)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(11)
    e = rng.normal(0, 1, 151)
    dx = np.zeros(150)
    for t in range(1, 150):
        dx[t] = 0.6 * dx[t - 1] + e[t + 1] - 0.3 * e[t]
    y = 500 + np.cumsum(dx)
    fit = M.fast_arima(y, 6)
    p, d, q = fit.params["order"]
    assert d == 1 and p + q >= 1
    z = (y - y.mean()) / y.std()
    w = np.diff(z)

    def css(v):
        phi = np.r_[v[:p], np.zeros(2 - p)]
        th = np.r_[v[p:], np.zeros(2 - q)]
        return float(np.sum(_css_residuals(w, phi, th)[0:] ** 2))

    ours = css(np.r_[fit.params["ar"], fit.params["ma"]])
    best = min(minimize(css, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10}).fun
               for x0 in (np.zeros(p + q), np.full(p + q, 0.3), np.full(p + q, -0.3)))
    assert ours <= 1.005 * best
    # the forecast: differences follow the ARMA recursion with future errors at zero
    phi = np.r_[fit.params["ar"], np.zeros(2 - p)]
    th = np.r_[fit.params["ma"], np.zeros(2 - q)]
    res = _css_residuals(w, phi, th)
    diffs = np.r_[w[-2:], np.diff(np.r_[z[-1], (fit.mean - y.mean()) / y.std()])]
    errs = np.r_[res[-2:], np.zeros(6)]
    for k in range(2, 8):
        expect = phi[0] * diffs[k - 1] + phi[1] * diffs[k - 2] + th[0] * errs[k - 1] + th[1] * errs[k - 2]
        assert diffs[k] == pytest.approx(expect, abs=1e-9)


def test_fast_arima_on_stationary_noise_forecasts_near_the_mean():
    """White noise about 50: no difference (KPSS) and forecasts that revert to the mean."""
    rng = np.random.default_rng(2)
    y = 50 + rng.normal(0, 2, 100)
    fit = M.fast_arima(y, 12)
    assert fit.params["order"][1] == 0
    assert abs(fit.mean[-1] - y.mean()) < 0.5
    assert np.all(np.isfinite(fit.fitted))
    flat = M.fast_arima(np.full(30, 7.0), 4)                # a constant: its value, exactly
    assert flat.mean.tolist() == [7.0] * 4
