"""Seeded synthetic forecasting sets with known structure, in the benchmark's long format.

    python -m benchmarks.synthetic --kind monthly --out synthetic_monthly.csv [--series 1428] [--seed 0]

Each set is a long frame ``unique_id, ds, y, split`` (split = train/test), like the shared M3
files, so ``benchmarks.forecast`` scores it the same way. The structure is drawn per series from
stated distributions, so a method tuned on one draw can be checked on another seed:

* **monthly** (default 1,428 series, h = 18, m = 12; the shape of the M3 monthly set): train
  lengths 48-126 (two in five at 126); level log-uniform 500-10,000; trend none (30%), linear
  growth (40%) or damped growth (30%) of N(0.4%, 0.6%) a month; multiplicative seasonality absent
  in 35% of the series, else of amplitude 3-35% with a random smooth shape that drifts slowly;
  a local level random walk (0-4% a month); log-normal noise of 2-25%; a level shift of
  10-30% up or down in 20% of the series (at any time, the test periods included); one outlier
  (x 0.5 or x 1.6) in 10%.
* **weekly** (default 300 series, h = 13, m = 52; retail-like demand): train lengths 104-260
  weeks; 85% smooth series (a yearly shape of 1-3 harmonics with amplitude 0-40%, trend, local
  level walk, 3-20% noise, level shifts as above) and 15% intermittent ones (a demand in
  20-60% of the weeks, Poisson sizes around 2-15 units), a fifth of which stop selling
  (zero demand) somewhere in the last 40% of their history.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["monthly", "weekly", "make"]


def _smooth_shape(rng: np.random.Generator, m: int, harmonics: int) -> np.ndarray:
    t = np.arange(m)
    shape = np.zeros(m)
    for k in range(1, harmonics + 1):
        shape += rng.normal(0, 1.0 / k) * np.sin(2 * np.pi * k * t / m + rng.uniform(0, 2 * np.pi))
    shape -= shape.mean()
    return shape / (np.max(np.abs(shape)) or 1.0)


def _trend(rng: np.random.Generator, n: int, per_period: float) -> np.ndarray:
    kind = rng.choice(["none", "linear", "damped"], p=[0.3, 0.4, 0.3])
    g = rng.normal(0.004, 0.006) * per_period
    t = np.arange(n, dtype=float)
    if kind == "none":
        return np.zeros(n)
    if kind == "linear":
        return g * t
    phi = rng.uniform(0.9, 0.99) ** per_period      # a monthly damping, per period
    return g * (1 - phi ** (t + 1)) / (1 - phi)


def _frame(rows: list[tuple[str, pd.DatetimeIndex, np.ndarray, int]]) -> pd.DataFrame:
    parts = []
    for uid, ds, y, n_train in rows:
        split = np.where(np.arange(len(y)) < n_train, "train", "test")
        parts.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.round(y, 3), "split": split}))
    return pd.concat(parts, ignore_index=True)


def monthly(n_series: int = 1428, *, h: int = 18, seed: int = 0) -> pd.DataFrame:
    """Monthly series shaped like the M3 monthly set (see the module notes)."""
    rng = np.random.default_rng(seed)
    rows = []
    m = 12
    for i in range(n_series):
        n_train = 126 if rng.random() < 0.4 else int(rng.integers(48, 126))
        n = n_train + h
        level = float(np.exp(rng.uniform(np.log(500), np.log(10_000))))
        log_y = np.full(n, np.log(level)) + np.log1p(np.clip(_trend(rng, n, 1.0), -0.8, None))
        log_y += np.cumsum(rng.normal(0, rng.uniform(0, 0.04), n))
        if rng.random() >= 0.35:
            amp = rng.uniform(0.03, 0.35)
            shape = _smooth_shape(rng, m, int(rng.integers(1, 5)))
            drift = np.cumsum(rng.normal(0, 0.02, (n // m + 2, m)), axis=0) * amp
            season = np.concatenate([amp * shape + drift[k] for k in range(n // m + 2)])
            start = int(rng.integers(0, m))
            log_y += np.log1p(np.clip(season[start:start + n], -0.8, None))
        if rng.random() < 0.2:
            at = int(rng.integers(n // 4, n))
            log_y[at:] += np.log1p(rng.choice([-1, 1]) * rng.uniform(0.1, 0.3))
        log_y += rng.normal(0, rng.uniform(0.02, 0.25), n)
        y = np.exp(log_y)
        if rng.random() < 0.1:
            y[int(rng.integers(0, n))] *= rng.choice([0.5, 1.6])
        start_date = pd.Timestamp(year=int(rng.integers(1975, 1993)), month=int(rng.integers(1, 13)), day=1)
        rows.append((f"M{i + 1:04d}", pd.date_range(start_date, periods=n, freq="MS"), y, n_train))
    return _frame(rows)


def weekly(n_series: int = 300, *, h: int = 13, seed: int = 0) -> pd.DataFrame:
    """Weekly retail-like demand, smooth and intermittent (see the module notes)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        n_train = int(rng.integers(104, 261))
        n = n_train + h
        t = np.arange(n)
        if rng.random() < 0.85:
            level = float(np.exp(rng.uniform(np.log(50), np.log(5_000))))
            log_y = np.full(n, np.log(level)) + np.log1p(np.clip(_trend(rng, n, 12 / 52), -0.8, None))
            log_y += np.cumsum(rng.normal(0, rng.uniform(0, 0.015), n))
            amp = rng.uniform(0.0, 0.4)
            K = int(rng.integers(1, 4))
            phase = rng.uniform(0, 2 * np.pi, K)
            season = sum(rng.normal(0, 1.0 / k) * np.sin(2 * np.pi * k * t / 52.18 + phase[k - 1])
                         for k in range(1, K + 1))
            season = amp * season / (np.max(np.abs(season)) or 1.0)
            log_y += np.log1p(np.clip(season, -0.8, None))
            if rng.random() < 0.2:
                at = int(rng.integers(n // 4, n))
                log_y[at:] += np.log1p(rng.choice([-1, 1]) * rng.uniform(0.1, 0.3))
            y = np.exp(log_y + rng.normal(0, rng.uniform(0.03, 0.2), n))
            y = np.round(y)
        else:
            p = rng.uniform(0.2, 0.6)
            size = rng.uniform(2, 15)
            y = np.where(rng.random(n) < p, 1 + rng.poisson(size - 1, n), 0).astype(float)
            y[0] = max(y[0], 1.0)
            if rng.random() < 0.2:
                y[int(rng.integers(int(0.6 * n), n)):] = 0.0
        start = pd.Timestamp("2019-01-07") + pd.Timedelta(weeks=int(rng.integers(0, 52)))
        rows.append((f"W{i + 1:04d}", pd.date_range(start, periods=n, freq="W-MON"), y, n_train))
    return _frame(rows)


def make(kind: str, *, n_series: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The ``monthly`` or ``weekly`` set (default sizes 1,428 and 300)."""
    if kind == "monthly":
        return monthly(n_series or 1428, seed=seed)
    if kind == "weekly":
        return weekly(n_series or 300, seed=seed)
    raise ValueError(f"unknown synthetic set {kind!r}; use monthly or weekly")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kind", choices=["monthly", "weekly"], default="monthly")
    p.add_argument("--series", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    df = make(args.kind, n_series=args.series, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    print(f"{args.kind}: {df.unique_id.nunique()} series, {len(df)} rows -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
