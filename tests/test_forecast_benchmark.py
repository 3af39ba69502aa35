"""The forecast benchmark script and its seeded synthetic sets (small instances, no timings)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import forecast as B
from benchmarks import synthetic as S


def test_synthetic_sets_are_seeded_and_shaped_like_their_targets():
    """Same seed, same data; monthly: 48-126 train months + 18 test; weekly: 13 test weeks,
    some intermittent series."""
    a, b = S.monthly(12, seed=3), S.monthly(12, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(S.monthly(12, seed=4))
    sizes = a.groupby(["unique_id", "split"]).size().unstack()
    assert (sizes["test"] == 18).all() and sizes["train"].between(48, 126).all()
    assert (a["y"] > 0).all()
    w = S.weekly(60, seed=1)
    wsizes = w.groupby(["unique_id", "split"]).size().unstack()
    assert (wsizes["test"] == 13).all() and wsizes["train"].between(104, 260).all()
    zero_share = w.groupby("unique_id")["y"].apply(lambda v: float((v == 0).mean()))
    assert (zero_share > 0.3).any() and (zero_share == 0).sum() > 30


def test_scores_and_the_mean_of_two_forecasters_by_hand():
    """sMAPE, coverage and MSIS of a hand-made forecast; a mean averages points and bounds."""
    train = pd.DataFrame({"unique_id": "a", "ds": range(1, 6), "y": [1.0, 3, 2, 6, 4]})
    test = pd.DataFrame({"unique_id": "a", "ds": [6, 7], "y": [5.0, 5.0]})
    f1 = {"a": {"mean": np.array([5.0, 3.0]), "lo-80": np.array([4.0, 2.0]), "hi-80": np.array([6.0, 4.0]),
                "lo-95": np.array([3.0, 1.0]), "hi-95": np.array([7.0, 5.0])}}
    f2 = {"a": {k: v + 2.0 for k, v in f1["a"].items()}}
    row = B.score("x", f1, train, test, 1).iloc[0]
    assert row["smape"] == pytest.approx((0 + 200 * 2 / 8) / 2)
    assert row["coverage_80"] == 50.0 and row["coverage_95"] == 100.0
    assert row["msis_95"] == pytest.approx(4.0 / (9 / 4))        # width 4, no miss; naive scale 9/4
    both = B.mean_of([f1, f2])["a"]
    assert both["mean"] == pytest.approx([6.0, 4.0]) and both["hi-95"] == pytest.approx([8.0, 6.0])


def test_benchmark_runs_a_csv_and_writes_per_series_scores(tmp_path, capsys):
    """On a small CSV the script prints the workbench row and the summary line, and saves scores."""
    path = tmp_path / "tiny.csv"
    S.monthly(4, seed=0).to_csv(path, index=False)
    out = tmp_path / "scores.csv"
    assert B.main(["--data", str(path), "--reference", "none", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "workbench auto" in text and "sMAPE" in text and "MSIS95" in text
    scores = pd.read_csv(out)
    assert len(scores) == 4 and scores["msis_95"].notna().all() and not scores["failed"].any()


def test_candidate_combination_rules_by_hand():
    """Mean, median and trimmed mean (highest and lowest dropped at each step) of member forecasts."""
    from benchmarks import forecast_candidates as C

    fc = {"a": np.array([1.0, 10.0]), "b": np.array([2.0, 20.0]), "c": np.array([4.0, 0.0]),
          "d": np.array([9.0, 30.0])}
    assert C.combine(fc, "mean", ("a", "b", "c")) == pytest.approx([7 / 3, 10.0])
    assert C.combine(fc, "median", ("a", "b", "c", "d")) == pytest.approx([3.0, 15.0])
    assert C.combine(fc, "trimmed", ("a", "b", "c", "d")) == pytest.approx([3.0, 15.0])
    assert C.combine(fc, "trimmed", ("a", "b", "c")) == pytest.approx([2.0, 10.0])


def test_backtest_weighted_rules_by_hand():
    """Inverse-MSE weights, the same halfway to equal weights, and the mean without the member of
    the largest backtest MAE; equal weights when no backtest window exists."""
    from benchmarks import forecast_candidates as C

    names = C.WEIGHTED
    fc = {k: np.array([float(i + 1), 10.0 * (i + 1)]) for i, k in enumerate(names)}
    errs = {k: np.array([[1.0, -1.0]]) for k in names}
    errs[names[0]] = np.array([[2.0, -2.0]])          # MSE 4 against 1 for the others
    out = C.weighted_rules(fc, errs)
    four = ", ".join(names[:4])
    w = np.array([0.25, 1.0, 1.0, 1.0]) / 3.25
    assert out[f"inv-mse({four})"] == pytest.approx(w @ np.array([[1.0, 10], [2, 20], [3, 30], [4, 40]]))
    assert out[f"inv-mse/2({four})"] == pytest.approx((0.5 * w + 0.125) @ np.array([[1.0, 10], [2, 20], [3, 30],
                                                                                     [4, 40]]))
    assert out[f"drop-worst({four})"] == pytest.approx([3.0, 30.0])
    assert out[f"mean({', '.join(names)})"] == pytest.approx([3.0, 30.0])
    none = C.weighted_rules(fc, {k: np.empty((0, 2)) for k in names})
    assert none[f"inv-mse({four})"] == pytest.approx([2.5, 25.0])


def test_candidates_on_an_exact_line_and_the_workbench_combination():
    """On y = 10 + 2t (no season) the undamped ETS continues the line, the AICc pick is scored,
    and mean(damped, theta, otm, ets) is the workbench's combination method on the same history."""
    from benchmarks import forecast_candidates as C
    from workbench.forecast.pipeline import forecast_series

    y = 10.0 + 2.0 * np.arange(48)
    fc, crit, secs = C.member_forecasts(y, 6, 1, ("holt", "damped", "theta", "otm", "ets"))
    assert fc["holt"] == pytest.approx(10.0 + 2.0 * np.arange(48, 54), abs=1e-6)
    assert set(secs) == {"holt", "damped", "theta", "otm", "ets"} and np.isfinite(crit["holt"])
    comb = forecast_series(y, 6, method="combination", m=1).mean
    assert C.combine(fc, "mean", C.COMBINATION) == pytest.approx(comb, rel=1e-12)
    train = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2000-01-01", periods=48, freq="MS"), "y": y})
    test = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2004-01-01", periods=6, freq="MS"),
                         "y": 10.0 + 2.0 * np.arange(48, 54)})
    t = C.measure("line", train, test, ("ses", "damped", "holt", "theta"), (("mean", ("damped", "theta")),), None)
    row = t.set_index("method")
    assert row.loc["holt", "sMAPE"] == pytest.approx(0.0, abs=1e-5)
    assert row.loc["ets_aicc(ses, holt, damped)", "sMAPE"] <= row.loc["ses", "sMAPE"]
    assert (row["series"] == 1).all() and "mean(damped, theta)" in row.index
