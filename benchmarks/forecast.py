"""Forecast accuracy benchmark: the workbench beside statsforecast on the same series, same run.

    python -m benchmarks.forecast [--sets m3_quarterly,m3_other,synthetic_monthly,synthetic_weekly]
        [--data-dir ../shared/benchmarks/forecast] [--data FILE.csv] [--method auto]
        [--reference ets,theta,ces | none] [--n-jobs 1] [--limit 100] [--out results.csv]

Every set is a long frame ``unique_id, ds, y, split`` (split = train/test): the shared M3 files
(``m3_quarterly``, ``m3_other``: read from ``--data-dir``), the seeded synthetic sets of
:mod:`benchmarks.synthetic` (``synthetic_monthly``: 1,428 series, h = 18, the shape of M3 monthly;
``synthetic_weekly``: 300 retail-like series, h = 13), or any such CSV given with ``--data``.
Every series is forecast from its train rows (horizon = its number of test rows; season length
from the dates, or ``--season-length`` for undated series) and scored on its test rows:

* sMAPE (M3 definition), MASE (in-sample seasonal naive scale);
* coverage of the 80% and 95% intervals (percent of test values inside) and MSIS, the mean
  scaled interval score of the 95% interval (M4: width plus 40 x the distance of every miss,
  over the MASE scale; lower is better);
* seconds of wall time and CPU seconds (``cpu_s``: what the process actually got, the fairer
  number on a shared machine), every method in this one process (``--n-jobs 1``, the default,
  so the workbench and statsforecast get the same single core).

The reference rows come from statsforecast (a benchmark/test dependency, never imported by the
workbench): AutoETS, AutoTheta, the mean of the two (bounds averaged too) and, with ``ces`` in
``--reference``, AutoCES and the mean of the three. Each statsforecast model is called per series
on a writable copy of the training values (what ``StatsForecast(n_jobs=1).forecast`` does
internally; its own data path hands numba read-only arrays under pandas 3, which AutoCES rejects),
after a warm-up that compiles its numba code, so the seconds exclude compilation. A combination's
seconds are the sum of its members'. The load average is printed at the end. The last line printed per set is the workbench's
``sMAPE X MASE Y series N seconds T``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.forecast import Forecaster
from workbench.forecast import metrics as mt
from workbench.forecast.data import infer_frequency

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "forecast"
SHARED_SETS = ("m3_quarterly", "m3_other")
SYNTHETIC_SETS = ("synthetic_monthly", "synthetic_weekly")
LEVELS = (80, 95)


def load(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(pd.read_csv(path), str(path))


def split(df: pd.DataFrame, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    missing = {"unique_id", "ds", "y", "split"} - set(df.columns)
    if missing:
        sys.exit(f"{name}: missing column(s) {', '.join(sorted(missing))}; need unique_id, ds, y, split")
    df = df.copy()
    if not pd.api.types.is_numeric_dtype(df["ds"]):
        df["ds"] = pd.to_datetime(df["ds"])
    df["unique_id"] = df["unique_id"].astype(str)
    train = df[df["split"] == "train"].drop(columns="split")
    test = df[df["split"] == "test"].drop(columns="split")
    return train, test


def load_set(name: str, data_dir: Path, limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if name in SYNTHETIC_SETS:
        from .synthetic import make

        train, test = split(make(name.split("_", 1)[1]), name)
    else:
        path = data_dir / f"{name}.csv"
        if not path.exists():
            sys.exit(f"{path} not found: give --data-dir (the folder with m3_quarterly.csv and m3_other.csv)")
        train, test = load(path)
    if limit:
        keep = train["unique_id"].drop_duplicates().iloc[:limit]
        train, test = train[train.unique_id.isin(keep)], test[test.unique_id.isin(keep)]
    return train, test


# ----------------------------------------------------------------------------------------
# forecasters: each returns {unique_id: {"mean", "lo-80", "hi-80", "lo-95", "hi-95"}}, seconds
# ----------------------------------------------------------------------------------------


def run_workbench(train: pd.DataFrame, test: pd.DataFrame, m: int, freq, method: str, n_jobs: int):
    horizons = test.groupby("unique_id").size()
    out, failed, chosen = {}, [], {}
    start, cpu = time.perf_counter(), time.process_time()
    for h, ids in horizons.groupby(horizons):
        part = train[train.unique_id.isin(ids.index)]
        fc = Forecaster(models=[method], season_length=m, events=False, n_jobs=n_jobs, freq=freq, level=LEVELS)
        try:
            res = fc.fit(part).forecast(int(h))
        except Exception as exc:  # reported and counted, never silently dropped
            failed.extend(ids.index)
            print(f"horizon {h}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        for uid, g in res.forecasts.groupby("unique_id", sort=False):
            out[uid] = {"mean": g["yhat"].to_numpy(float),
                        **{c: g[c].to_numpy(float) for lv in LEVELS for c in (f"lo-{lv}", f"hi-{lv}")}}
        chosen.update(res.selection.set_index("unique_id")["model"].to_dict())
    # CPU seconds: this process, plus its workers when n_jobs > 1 (children's times)
    cpu = time.process_time() - cpu
    return out, (time.perf_counter() - start, cpu if n_jobs == 1 else float("nan")), failed, chosen


def _statsforecast_models(m: int):
    from statsforecast.models import AutoCES, AutoETS, AutoTheta

    return {"AutoETS": lambda: AutoETS(season_length=m), "AutoTheta": lambda: AutoTheta(season_length=m),
            "AutoCES": lambda: AutoCES(season_length=m)}


def run_statsforecast(name: str, train: pd.DataFrame, test: pd.DataFrame, m: int):
    """One statsforecast model on every series (one core), warmed up first."""
    make = _statsforecast_models(m)[name]
    horizons = test.groupby("unique_id").size()
    rng = np.random.default_rng(0)
    warm = 100 + rng.normal(0, 5, 3 * max(m, 4) + 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make().forecast(y=warm.copy(), h=2, level=list(LEVELS))
        out, failed = {}, []
        start, cpu = time.perf_counter(), time.process_time()
        for uid, g in train.groupby("unique_id", sort=False):
            y = g["y"].to_numpy(float).copy()
            h = int(horizons[uid])
            try:
                r = make().forecast(y=y, h=h, level=list(LEVELS))
            except Exception as exc:  # counted as failed and reported
                failed.append(uid)
                print(f"{name} {uid}: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            out[uid] = {"mean": np.asarray(r["mean"], float),
                        **{c: np.asarray(r[c], float) for lv in LEVELS for c in (f"lo-{lv}", f"hi-{lv}")}}
    return out, (time.perf_counter() - start, time.process_time() - cpu), failed


def mean_of(parts: list[dict]) -> dict:
    ids = set.intersection(*(set(p) for p in parts))
    return {u: {k: np.mean([p[u][k] for p in parts], axis=0) for k in parts[0][u]} for u in ids}


# ----------------------------------------------------------------------------------------
# scoring
# ----------------------------------------------------------------------------------------


def score(label: str, fc: dict, train: pd.DataFrame, test: pd.DataFrame, m: int) -> pd.DataFrame:
    tr_groups = {u: g["y"].to_numpy(float) for u, g in train.groupby("unique_id", sort=False)}
    rows = []
    for uid, g in test.groupby("unique_id", sort=False):
        y = g["y"].to_numpy(float)
        f = fc.get(uid)
        if f is None or len(f["mean"]) != len(y):
            rows.append({"method": label, "unique_id": uid, "failed": True})
            continue
        tr = tr_groups[uid]
        yhat = f["mean"]
        rng = float(tr.max() - tr.min()) or abs(float(tr.max())) or 1.0
        rows.append({"method": label, "unique_id": uid, "h": len(y), "failed": False,
                     "finite": bool(np.all(np.isfinite(yhat))),
                     "exploding": bool(np.any(np.abs(yhat) > abs(float(tr.max())) + 2 * rng)),
                     "smape": mt.smape(y, yhat), "mase": mt.mase(y, yhat, tr, m),
                     "coverage_80": mt.coverage(y, f["lo-80"], f["hi-80"]),
                     "coverage_95": mt.coverage(y, f["lo-95"], f["hi-95"]),
                     "msis_95": mt.msis(y, f["lo-95"], f["hi-95"], tr, m, 95)})
    return pd.DataFrame(rows)


def summary_row(per: pd.DataFrame, seconds: tuple[float, float]) -> dict:
    ok = per[~per.failed]
    return {"method": per["method"].iloc[0], "series": len(ok), "failed": int(per.failed.sum()),
            "sMAPE": ok.smape.mean(), "MASE": ok.mase.mean(), "cov80": ok.coverage_80.mean(),
            "cov95": ok.coverage_95.mean(), "MSIS95": ok.msis_95.mean(), "seconds": seconds[0], "cpu_s": seconds[1],
            "non-finite": int((~ok.finite.astype(bool)).sum()), "exploding": int(ok.exploding.astype(bool).sum())}


def run_set(name: str, train: pd.DataFrame, test: pd.DataFrame, args) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = infer_frequency(train["ds"])
    m = args.season_length or info.season_length
    per, rows = [], []
    wb, sec, failed, chosen = run_workbench(train, test, m, info.freq, args.method, args.n_jobs)
    p = score(f"workbench {args.method}", wb, train, test, m)
    p["model"] = p["unique_id"].map(chosen)
    per.append(p)
    rows.append(summary_row(p, sec))
    refs = [r for r in args.reference.split(",") if r and r != "none"]
    sf, secs = {}, {}
    for r in refs:
        label = {"ets": "AutoETS", "theta": "AutoTheta", "ces": "AutoCES"}[r]
        sf[label], secs[label], _ = run_statsforecast(label, train, test, m)
        p = score(f"statsforecast {label}", sf[label], train, test, m)
        per.append(p)
        rows.append(summary_row(p, secs[label]))
    combos = []
    if {"AutoETS", "AutoTheta"} <= set(sf):
        combos.append(("AutoETS", "AutoTheta"))
    if {"AutoETS", "AutoTheta", "AutoCES"} <= set(sf):
        combos.append(("AutoETS", "AutoTheta", "AutoCES"))
    for members in combos:
        label = "statsforecast mean(" + " + ".join(k.replace("Auto", "") for k in members) + ")"
        p = score(label, mean_of([sf[k] for k in members]), train, test, m)
        per.append(p)
        rows.append(summary_row(p, tuple(sum(secs[k][i] for k in members) for i in (0, 1))))
    table = pd.DataFrame(rows)
    table.insert(0, "set", name)
    res = pd.concat(per, ignore_index=True)
    res.insert(0, "set", name)
    if chosen:
        counts = pd.Series(chosen).value_counts()
        print(f"{name}: workbench {args.method} chose " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return table, res


def format_table(table: pd.DataFrame) -> str:
    t = table.copy()
    for c, f in (("sMAPE", "{:.3f}"), ("MASE", "{:.3f}"), ("cov80", "{:.1f}%"), ("cov95", "{:.1f}%"),
                 ("MSIS95", "{:.2f}"), ("seconds", "{:.1f}"), ("cpu_s", "{:.1f}")):
        t[c] = t[c].map(lambda v, f=f: f.format(v) if pd.notna(v) else "–")
    return t.to_string(index=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sets", default=",".join(SHARED_SETS),
                   help=f"comma-separated: {', '.join(SHARED_SETS + SYNTHETIC_SETS)}")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DIR, help="folder with the shared M3 csv files")
    p.add_argument("--data", type=Path, default=None, help="one CSV (unique_id, ds, y, split) instead of --sets")
    p.add_argument("--out", type=Path, default=None, help="CSV of per-series scores of every method")
    p.add_argument("--method", default="auto", help="auto (default) or a method name, e.g. combination, theta")
    p.add_argument("--reference", default="ets,theta",
                   help="statsforecast models beside the workbench: ets, theta, ces (comma-separated) or none")
    p.add_argument("--season-length", type=int, default=None)
    p.add_argument("--n-jobs", type=int, default=1, help="workbench processes (1: the same core as statsforecast)")
    p.add_argument("--limit", type=int, default=None, help="only the first N series of each set (quick checks)")
    args = p.parse_args(argv)

    if args.data is not None:
        sets = [(args.data.stem, *load(args.data))]
        if args.limit:
            keep = sets[0][1]["unique_id"].drop_duplicates().iloc[: args.limit]
            sets = [(sets[0][0], sets[0][1][sets[0][1].unique_id.isin(keep)],
                     sets[0][2][sets[0][2].unique_id.isin(keep)])]
    else:
        names = [s.strip() for s in args.sets.split(",") if s.strip()]
        unknown = [s for s in names if s not in SHARED_SETS + SYNTHETIC_SETS]
        if unknown:
            sys.exit(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SHARED_SETS + SYNTHETIC_SETS)}")
        sets = [(s, *load_set(s, args.data_dir, args.limit)) for s in names]
    tables, per = [], []
    failed = 0
    for name, train, test in sets:
        table, res = run_set(name, train, test, args)
        tables.append(table)
        per.append(res)
        failed += int(table["failed"].iloc[0])
        print(format_table(table))
        wb = table.iloc[0]
        print(f"sMAPE {wb.sMAPE:.3f} MASE {wb.MASE:.3f} series {wb.series} seconds {wb.seconds:.1f}\n", flush=True)
    avg = os.getloadavg()
    print(f"load average at the end: {avg[0]:.1f} / {avg[1]:.1f} / {avg[2]:.1f} (1 / 5 / 15 min) on "
          f"{os.cpu_count()} cores")
    if len(tables) > 1:
        print(format_table(pd.concat(tables, ignore_index=True)))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.concat(per, ignore_index=True).to_csv(args.out, index=False)
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
