"""Sweep throughput (scenarios per second): local worker processes vs a local Dask cluster of 2 workers.

    python -m benchmarks.sweep                 # 24 points of the network design on the sample
    python -m benchmarks.sweep --points 60     # more points
    python -m benchmarks.sweep --model toy     # a cheap NumPy model: measures the sweep machinery itself

Every point is solved, sent back and saved as a scenario in a throwaway SQLite store, so the
numbers include the cost of storing results. The grid is DC count x demand growth (-10/0/+10 %)
x transport rate (-20/+20 %), cut to ``--points``; the network model starts two DCs above the fewest
that can hold the demand (10 s time limit per solve). Prints one line per executor and a summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd


@dataclasses.dataclass(frozen=True)
class ToySpec:
    dc_count: int = 4
    demand_growth: float = 0.0
    transport_rate: float = 1.0
    seed: int = 0


def toy_model(spec: ToySpec) -> dict[str, float]:
    """k-median by a few Lloyd iterations on 2,000 random customers (about 10 ms)."""
    rng = np.random.default_rng(spec.seed)
    pts = rng.uniform([25, -125], [49, -67], size=(2000, 2))
    demand = rng.uniform(10, 100, size=2000) * (1 + spec.demand_growth)
    centres = pts[rng.choice(len(pts), spec.dc_count, replace=False)]
    for _ in range(15):
        d = np.linalg.norm(pts[:, None, :] - centres[None, :, :], axis=2)
        near = d.argmin(axis=1)
        centres = np.array([np.average(pts[near == k], axis=0, weights=demand[near == k]) if (near == k).any()
                            else centres[k] for k in range(spec.dc_count)])
    km = np.linalg.norm(pts - centres[near], axis=1) * 111.0
    transport = float((km * demand).sum() * 0.0006 * spec.transport_rate)
    return {"transport_cost": transport, "fixed_cost": 250_000.0 * spec.dc_count,
            "total_cost": transport + 250_000.0 * spec.dc_count}


def make_grid(points: int, max_dcs: int, min_dcs: int = 1) -> dict[str, list]:
    growth, rate = [-0.1, 0.0, 0.1], [0.8, 1.2]
    per_dc = len(growth) * len(rate)
    n_dc = max(1, min(max_dcs - min_dcs + 1, -(-points // per_dc)))
    return {"dc_count": list(range(min_dcs, min_dcs + n_dc)), "demand_growth": growth, "transport_rate": rate}


def min_feasible_dcs(world, growth: float = 0.1) -> int:
    """The fewest DCs whose largest capacities cover the demand grown by ``growth``."""
    demand = float(world.customers["annual_demand"].sum()) * (1.0 + growth)
    caps = np.sort(world.sites["capacity"].to_numpy(float))[::-1]
    return int(np.searchsorted(np.cumsum(caps), demand) + 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=24, help="number of grid points (default 24)")
    ap.add_argument("--model", choices=("network", "toy"), default=None,
                    help="network (the facility-location model on the sample; default when available) or toy")
    ap.add_argument("--workers", type=int, default=2, help="local processes and Dask workers (default 2)")
    args = ap.parse_args(argv)

    from workbench.scenarios import ScenarioStore, run_sweep

    model = args.model
    if model is None:
        try:
            import workbench.network  # noqa: F401
            from workbench.network import FacilityProblem  # noqa: F401
            model = "network"
        except ImportError:
            model = "toy"
    if model == "network":
        from workbench import load_sample
        from workbench.scenarios.examples import NetworkWhatIf, network_what_if

        world = load_sample()
        fn, base, max_dcs, app = network_what_if, NetworkWhatIf(world, time_limit_s=10.0), len(world.sites), "network_design"
        # two DCs above the fewest that can hold the demand: at the capacity limit the MIP is much harder
        min_dcs = min_feasible_dcs(world, 0.1) + 2
    else:
        fn, base, max_dcs, app, min_dcs = toy_model, ToySpec(), 30, "benchmark", 1
    grid = make_grid(args.points, max_dcs, min_dcs)
    n = int(np.prod([len(v) for v in grid.values()]))
    print(f"sweep benchmark: model={model}, {n} points ({' x '.join(f'{k}:{len(v)}' for k, v in grid.items())}), "
          f"{args.workers} workers, {os.cpu_count()} CPUs", flush=True)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = ScenarioStore(folder=tmp)
        t = time.perf_counter()
        serial = run_sweep(fn, {k: v[:1] for k, v in grid.items()}, base=base, executor="serial")
        one = time.perf_counter() - t
        print(f"  one point in this process: {one:.2f} s", flush=True)

        local = run_sweep(fn, grid, base=base, executor="processes", max_workers=args.workers, store=store, app=app,
                          name="benchmark local")
        rows.append(("processes", local))
        print(f"  local processes ({local.workers}): {n} scenarios in {local.seconds:.2f} s = "
              f"{local.throughput:.2f} scenarios/s ({len(local.failures)} failed)", flush=True)

        from distributed import LocalCluster

        start = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            started = time.perf_counter() - start
            dask = run_sweep(fn, grid, base=base, scheduler_address=cluster.scheduler_address, store=store, app=app,
                             name="benchmark dask")
        rows.append(("dask", dask))
        print(f"  dask LocalCluster ({dask.workers} workers, started in {started:.1f} s): {n} scenarios in "
              f"{dask.seconds:.2f} s = {dask.throughput:.2f} scenarios/s ({len(dask.failures)} failed)", flush=True)
        stored = store.count()
        store.close()
    if serial.failures:
        print(f"  (the first point failed: {serial.failures[0].error})")
    table = pd.DataFrame([{"executor": name, "workers": r.workers, "points": len(r.points), "seconds": round(r.seconds, 2),
                           "scenarios_per_s": round(r.throughput, 2), "failed": len(r.failures)} for name, r in rows])
    print(table.to_string(index=False))
    print(f"RESULT model={model} points={n} stored={stored} local={rows[0][1].throughput:.2f}/s "
          f"dask={rows[1][1].throughput:.2f}/s", flush=True)
    return 0 if all(not r.failures for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
