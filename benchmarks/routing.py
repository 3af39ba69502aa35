"""Route-planning benchmark: published CVRP / VRPTW instances against their best-known solutions.

    python -m benchmarks.routing --instances ../shared/benchmarks/routing --time-limit 10 --out results.csv

Reads ``DIR/bks.csv`` and the instance files beside it (``cvrp/<name>.vrp``, ``vrptw/<name>.txt``),
builds each instance with the workbench's own API (``RoutingProblem.from_matrices``) using the
convention's exact distances, solves it with ``RoutingProblem.solve`` (one core, the given time
limit), checks every plan with the independent checker (``check_routes``) and writes one row per
instance: instance, set, bks, cost, gap_pct, feasible, routes, seconds (wall clock, the limit applies
to it) and cpu_s (CPU time the solve got: on a shared machine it shows the contention). The last line printed is
``mean gap X% max Y% feasible N/M``.

Conventions (see ``../shared/benchmarks/README.md``):

* ``cvrp-nint``: distance = Euclidean distance rounded to the nearest integer; objective = total
  distance; any number of routes. Modelled as: one vehicle type, as many vehicles as customers,
  cost 1 per distance unit, no time limits (durations 0, one long shift).
* ``vrptw-dimacs``: distance and travel time = Euclidean truncated to one decimal
  (floor(10 d) / 10); objective = total distance only; at most 25 vehicles. Modelled in tenths:
  ``distance_unit_km = 0.1`` and ``time_unit_min = 0.1`` so matrices, windows and service times
  are exact integers; the depot's window is the vehicles' shift.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.routing import RoutingProblem, SolveOptions, check_routes

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "routing"


def _euclid(coords: np.ndarray) -> np.ndarray:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=-1))


def load_instance(path: Path, convention: str) -> tuple[RoutingProblem, int]:
    """The instance as a :class:`RoutingProblem` in the convention's exact integer units (and #decimals)."""
    import vrplib

    if convention == "cvrp-nint":
        inst = vrplib.read_instance(str(path))
        coords = np.asarray(inst["node_coord"], dtype=float)
        demand = np.asarray(inst["demand"], dtype=float)
        depots = [int(d) for d in np.atleast_1d(inst["depot"])]
        dist = np.floor(_euclid(coords) + 0.5).astype(np.int64)  # nint (distances are >= 0)
        dur = np.zeros_like(dist)
        horizon = 10 ** 7
        tw = (0.0, float(horizon))
        service = np.zeros(len(coords))
        n_veh = len(coords) - len(depots)
        decimals = 0
    elif convention == "vrptw-dimacs":
        inst = vrplib.read_instance(str(path), instance_format="solomon")
        coords = np.asarray(inst["node_coord"], dtype=float)
        demand = np.asarray(inst["demand"], dtype=float)
        depots = [0]
        dist = np.floor(10.0 * _euclid(coords) + 1e-9).astype(np.int64)  # tenths, truncated
        dur = dist.copy()
        windows = np.asarray(inst["time_window"], dtype=float)
        tw = (float(windows[0, 0]), float(windows[0, 1]))
        service = np.asarray(inst["service_time"], dtype=float)
        n_veh = 25
        decimals = 1
    else:
        raise ValueError(f"unknown convention {convention!r}")
    customers = [i for i in range(len(coords)) if i not in depots]
    order = depots + customers
    dist = dist[np.ix_(order, order)]
    dur = dur[np.ix_(order, order)]
    depot_df = pd.DataFrame({"depot_id": [f"D{d}" for d in depots], "x": coords[depots, 0], "y": coords[depots, 1]})
    if convention == "vrptw-dimacs":
        tws, twe = windows[customers, 0], windows[customers, 1]
    else:
        tws, twe = np.full(len(customers), tw[0]), np.full(len(customers), tw[1])
    orders = pd.DataFrame({"order_id": [str(i) for i in customers], "x": coords[customers, 0],
                           "y": coords[customers, 1], "demand": demand[customers], "tw_start": tws, "tw_end": twe,
                           "service_min": service[customers]})
    vehicles = pd.DataFrame({"vehicle_type": ["vehicle"], "capacity": [float(inst["capacity"])], "count": [n_veh],
                             "fixed_cost": [0.0], "cost_per_km": [1.0], "cost_per_hour": [0.0],
                             "shift_start": [tw[0]], "shift_end": [tw[1]],
                             "max_duration_h": [(tw[1] - tw[0]) / 60.0 + 1.0], "depot_id": [depot_df.depot_id.iloc[0]]})
    unit = 1.0 if decimals == 0 else 0.1
    problem = RoutingProblem.from_matrices(orders, vehicles, depot_df, distance=dist, duration=dur,
                                           distance_unit_km=unit, time_unit_min=unit,
                                           source=f"{convention} ({path.name})")
    return problem, decimals


def run(instances: Path, time_limit: float, out: Path | None, pattern: str = "*", seed: int = 0,
        quiet: bool = False) -> pd.DataFrame:
    from tqdm import tqdm

    bks = pd.read_csv(instances / "bks.csv")
    bks = bks[[fnmatch.fnmatch(n, pattern) for n in bks.instance]]
    rows = []
    bar = tqdm(list(bks.itertuples()), disable=quiet, file=sys.stderr, unit="instance")
    for b in bar:
        bar.set_description(b.instance)
        sub = "cvrp" if b.convention == "cvrp-nint" else "vrptw"
        ext = ".vrp" if sub == "cvrp" else ".txt"
        problem, decimals = load_instance(instances / sub / f"{b.instance}{ext}", b.convention)
        t0, c0 = time.perf_counter(), time.process_time()
        result = problem.solve(SolveOptions(time_limit_s=time_limit, seed=seed, allow_unserved=False))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        report = check_routes(result, problem)
        cost = round(report.total_km, decimals)
        feasible = bool(report.ok and len(result.unserved) == 0
                        and (b.convention != "vrptw-dimacs" or result.vehicles_used <= 25))
        gap = 100.0 * (cost - b.bks) / b.bks
        rows.append({"instance": b.instance, "set": b.set, "bks": b.bks, "cost": cost, "gap_pct": round(gap, 4),
                     "feasible": feasible, "routes": result.vehicles_used, "seconds": round(seconds, 2),
                     "cpu_s": round(cpu, 2)})
        msg = (f"{b.instance:12s} bks {b.bks:>9} cost {cost:>9} gap {gap:6.2f}% routes {result.vehicles_used:3d} "
                  f"{'ok' if feasible else 'INFEASIBLE'} {seconds:5.1f}s (cpu {cpu:4.1f}s)")
        if not quiet:
            bar.write(msg, file=sys.stdout)
            sys.stdout.flush()
    df = pd.DataFrame(rows, columns=["instance", "set", "bks", "cost", "gap_pct", "feasible", "routes", "seconds",
                                     "cpu_s"])
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    return df


def summary_line(df: pd.DataFrame) -> str:
    if len(df) == 0:
        return "mean gap nan% max nan% feasible 0/0"
    return (f"mean gap {df.gap_pct.mean():.2f}% max {df.gap_pct.max():.2f}% "
            f"feasible {int(df.feasible.sum())}/{len(df)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=Path, default=DEFAULT_DIR, help="folder with bks.csv, cvrp/ and vrptw/")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (one core)")
    ap.add_argument("--out", type=Path, default=None, help="CSV of per-instance results")
    ap.add_argument("--only", default="*", help="instance name pattern, e.g. 'A-n*' or 'X-n200*'")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not (args.instances / "bks.csv").exists():
        print(f"no bks.csv in {args.instances}", file=sys.stderr)
        return 2
    df = run(args.instances, args.time_limit, args.out, args.only, args.seed)
    for name, g in df.groupby("set", sort=False):
        print(f"{name}: {summary_line(g)}")
    print(summary_line(df))
    return 0 if len(df) and df.feasible.all() else 1


if __name__ == "__main__":
    sys.exit(main())
