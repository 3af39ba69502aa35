"""Forecast metrics against hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.forecast import metrics as mt

Y = np.array([100.0, 200.0, 0.0, 50.0])
F = np.array([110.0, 180.0, 10.0, 50.0])


def test_mape_skips_zero_actuals():
    """MAPE averages 100|y-f|/|y| over periods with y != 0: (10 + 10 + 0) / 3."""
    assert mt.mape(Y, F) == pytest.approx((10.0 + 10.0 + 0.0) / 3)
    assert math.isnan(mt.mape([0.0, 0.0], [1.0, 2.0]))


def test_smape_is_the_m3_definition():
    """sMAPE = mean 200|y-f|/(|y|+|f|); y = f = 0 counts 0."""
    expected = np.mean([200 * 10 / 210, 200 * 20 / 380, 200 * 10 / 10, 0.0])
    assert mt.smape(Y, F) == pytest.approx(expected)
    assert mt.smape([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_mase_uses_the_in_sample_seasonal_naive_scale():
    """MASE divides the MAE by the mean |y_t - y_{t-m}| of the training data."""
    train = np.array([10.0, 20.0, 30.0, 14.0, 22.0, 35.0])   # m = 3: diffs 4, 2, 5 -> 11/3
    y, f = np.array([12.0, 25.0]), np.array([10.0, 20.0])     # MAE 3.5
    assert mt.mase(y, f, train, 3) == pytest.approx(3.5 / (11.0 / 3.0))
    # m = 1 (naive scale): diffs 10, 10, 16, 8, 13 -> 57/5
    assert mt.mase(y, f, train, 1) == pytest.approx(3.5 / (57.0 / 5.0))
    assert math.isnan(mt.mase(y, f, np.ones(5), 1))


def test_wape_bias_coverage():
    """WAPE = 100 sum|e|/sum|y|; bias = 100 sum(f-y)/sum|y|; coverage = % inside the bounds."""
    assert mt.wape(Y, F) == pytest.approx(100 * 40 / 350)
    assert mt.bias(Y, F) == pytest.approx(100 * 0.0 / 350)
    assert mt.bias([10.0, 10.0], [12.0, 13.0]) == pytest.approx(25.0)
    assert mt.coverage([1.0, 5.0, 9.0, 3.0], [0, 0, 0, 4], [2, 6, 8, 10]) == pytest.approx(50.0)


def test_interval_score_and_msis_by_hand():
    """Width 4 everywhere; a miss 1 below and 2 above at 95% cost 2/0.05 = 40 per unit outside."""
    from workbench.forecast import metrics as mt

    y = np.array([10.0, 7.0, 14.0])
    lo, hi = np.array([8.0, 8.0, 8.0]), np.array([12.0, 12.0, 12.0])
    assert mt.interval_score(y, lo, hi, 95) == pytest.approx((4 + (4 + 40) + (4 + 80)) / 3)
    assert mt.interval_score(y, lo, hi, 80) == pytest.approx((4 + (4 + 10) + (4 + 20)) / 3)
    train = np.array([1.0, 3.0, 2.0, 6.0])       # naive scale: mean(2, 1, 4) = 7/3
    assert mt.msis(y, lo, hi, train, 1, 95) == pytest.approx(((4 + 44 + 84) / 3) / (7 / 3))
    assert mt.msis(y, y, y, train, 1, 95) == 0.0
    assert np.isnan(mt.msis(y, lo, hi, np.ones(4), 1, 95))
