"""Forecast accuracy benchmark on a long CSV with a train/test split (e.g. the M3 competition).

    python -m benchmarks.forecast --data m3_quarterly.csv --out results.csv [--method auto]
        [--season-length N] [--n-jobs 2] [--limit 100]

The CSV has ``unique_id, ds, y, split`` (split = train/test). Every series is forecast from its
train rows with the workbench's method (horizon = its number of test rows; season length from
the dates, or ``--season-length`` for undated series whose ``ds`` are 1..n), and scored on its
test rows: sMAPE (M3 definition), MASE (in-sample seasonal naive scale) and 80%/95% interval
coverage. Per-series scores go to ``--out``; the last line printed is
``sMAPE X MASE Y series N seconds T``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.forecast import Forecaster
from workbench.forecast import metrics as mt
from workbench.forecast.data import infer_frequency


def load(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.read_csv(path)
    missing = {"unique_id", "ds", "y", "split"} - set(df.columns)
    if missing:
        sys.exit(f"{path}: missing column(s) {', '.join(sorted(missing))}; need unique_id, ds, y, split")
    if not pd.api.types.is_numeric_dtype(df["ds"]):
        df["ds"] = pd.to_datetime(df["ds"])
    df["unique_id"] = df["unique_id"].astype(str)
    train = df[df["split"] == "train"].drop(columns="split")
    test = df[df["split"] == "test"].drop(columns="split")
    return train, test


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--method", default="auto", help="auto (default) or a method name, e.g. combination, theta")
    p.add_argument("--season-length", type=int, default=None)
    p.add_argument("--n-jobs", type=int, default=-1, help="processes (-1: all cores)")
    p.add_argument("--limit", type=int, default=None, help="only the first N series (quick checks)")
    args = p.parse_args(argv)

    train, test = load(args.data)
    if args.limit:
        keep = train["unique_id"].drop_duplicates().iloc[: args.limit]
        train, test = train[train.unique_id.isin(keep)], test[test.unique_id.isin(keep)]
    info = infer_frequency(train["ds"])
    m = args.season_length or info.season_length
    horizons = test.groupby("unique_id").size()
    start = time.perf_counter()
    forecasts = []
    failed = []
    for h, ids in horizons.groupby(horizons):
        part = train[train.unique_id.isin(ids.index)]
        fc = Forecaster(models=[args.method], season_length=m, events=False, n_jobs=args.n_jobs,
                        freq=info.freq)
        try:
            forecasts.append(fc.fit(part).predict(int(h)))
        except Exception as exc:  # reported and counted, never silently dropped
            failed.extend(ids.index)
            print(f"horizon {h}: {type(exc).__name__}: {exc}", file=sys.stderr)
    seconds = time.perf_counter() - start
    fc = pd.concat(forecasts, ignore_index=True) if forecasts else pd.DataFrame()
    rows = []
    tr_groups = dict(tuple(train.groupby("unique_id")))
    fc_groups = dict(tuple(fc.groupby("unique_id"))) if len(fc) else {}
    for uid, g in test.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        f = fc_groups.get(uid)
        if f is None or len(f) != len(y):
            rows.append({"unique_id": uid, "model": "", "smape": np.nan, "mase": np.nan, "failed": True})
            continue
        yhat = f["yhat"].to_numpy(float)
        tr = tr_groups[uid]["y"].to_numpy(float)
        finite = bool(np.all(np.isfinite(yhat)))
        rng = float(tr.max() - tr.min()) or abs(float(tr.max())) or 1.0
        exploding = bool(np.any(np.abs(yhat) > abs(float(tr.max())) + 2 * rng))
        rows.append({"unique_id": uid, "model": f["model"].iloc[0], "h": len(y),
                     "smape": mt.smape(y, yhat), "mase": mt.mase(y, yhat, tr, m),
                     "coverage_80": mt.coverage(y, f["lo-80"], f["hi-80"]),
                     "coverage_95": mt.coverage(y, f["lo-95"], f["hi-95"]),
                     "finite": finite, "exploding": exploding, "failed": False})
    res = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    res.to_csv(args.out, index=False)
    ok = res[~res.failed]
    print(f"method {args.method}, season length {m}, {len(res)} series, {int(res.failed.sum())} failed, "
          f"{int((~ok.finite).sum())} non-finite, {int(ok.exploding.sum())} exploding")
    if "model" in ok and len(ok):
        print("models chosen: " + ", ".join(f"{k} {v}" for k, v in ok.model.value_counts().items()))
    print(f"interval coverage: 80% -> {ok.coverage_80.mean():.1f}%, 95% -> {ok.coverage_95.mean():.1f}%")
    print(f"sMAPE {ok.smape.mean():.3f} MASE {ok.mase.mean():.3f} series {len(ok)} seconds {seconds:.1f}")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
