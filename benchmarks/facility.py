"""Facility-location benchmark: OR-Library instances against their published optima.

    python -m benchmarks.facility --instances ../shared/benchmarks/facility --time-limit 60 --out results.csv

Reads ``DIR/optima.csv`` and the instance files beside it (``cap/<name>.txt``, ``pmed/<name>.txt``;
format in ``../shared/benchmarks/README.md``), builds every instance with the workbench's own API
(``FacilityProblem.from_cost_matrix``), solves it with ``FacilityProblem.solve`` under the time
limit, checks every solution with the independent checker (``check_network``) and writes one row
per instance: instance, kind, optimum, objective, gap_pct (to the published optimum),
proven_optimal (the solver's own bound closes the gap to the relative MIP gap ``--mip-gap``, 1e-6 by
default: about one cost unit on these instances, tighter than the app's 1e-4),
seconds, plus the solver's gap, method and the checker's verdict. The last line printed is
``N/M within 0.01%; mean gap X%; total T s``.

Kinds: ``cflp`` = capacitated, demand may be split; ``ss`` = single sourcing; ``ufl`` = capacities
ignored; ``pmed`` = p-median (distances are all-pairs shortest paths over the given edges, each
node a customer with demand 1 and a candidate site with no fixed cost, exactly p sites).
By default ``cflp``, ``ss`` and ``pmed`` rows are run (``--kinds`` to choose).
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

from workbench.network import FacilityProblem, NetworkSpec, check_network

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "facility"


def read_cap(path: Path, capacity_override: float | None = None):
    """OR-Library capacitated warehouse location: (fixed, capacity, demand, cost[site, customer])."""
    tok = Path(path).read_text().split()
    m, n = int(tok[0]), int(tok[1])
    p = 2
    cap = np.zeros(m)
    fixed = np.zeros(m)
    for i in range(m):
        c = tok[p]
        if c.lower() == "capacity":
            if capacity_override is None:
                raise ValueError(f"{path}: the capacity is the word 'capacity'; give capacity_override")
            cap[i] = float(capacity_override)
        else:
            cap[i] = float(c)
        fixed[i] = float(tok[p + 1])
        p += 2
    demand = np.zeros(n)
    cost = np.zeros((m, n))
    for j in range(n):
        demand[j] = float(tok[p])
        p += 1
        cost[:, j] = np.asarray(tok[p:p + m], dtype=float)
        p += m
    return fixed, cap, demand, cost


def read_pmed(path: Path):
    """OR-Library p-median: (all-pairs shortest-path distance matrix, p)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import shortest_path

    lines = Path(path).read_text().split("\n")
    n, _, p = (int(v) for v in lines[0].split()[:3])
    w = {}
    for line in lines[1:]:
        parts = line.split()
        if len(parts) < 3:
            continue
        i, j, c = int(parts[0]) - 1, int(parts[1]) - 1, float(parts[2])
        w[(min(i, j), max(i, j))] = c  # the last one counts
    rows = [k[0] for k in w] + [k[1] for k in w]
    cols = [k[1] for k in w] + [k[0] for k in w]
    vals = list(w.values()) * 2
    g = csr_matrix((vals, (rows, cols)), shape=(n, n))
    dist = shortest_path(g, method="D", directed=False)
    return dist, p


def build(row: dict, folder: Path, time_limit: float, mip_gap: float = 1e-6) -> FacilityProblem:
    name, kind = row["instance"], row["kind"]
    if kind == "pmed":
        dist, p = read_pmed(folder / "pmed" / f"{name}.txt")
        spec = NetworkSpec(dc_count=p, sourcing="multi", circuity=1.0, time_limit_s=time_limit, mip_gap=mip_gap)
        return FacilityProblem.from_cost_matrix(dist, demand=1.0, distance_km=dist, spec=spec, name=name)
    base = name.split("_")[0].split("-")[0]
    override = row.get("capacity_override") or None
    cap_override = float(override) if override not in (None, "", "ignored") else None
    fixed, cap, demand, cost = read_cap(folder / "cap" / f"{base}.txt",
                                        cap_override if cap_override is not None else (1.0 if override == "ignored" else None))
    if kind == "ufl":
        cap = None
    spec = NetworkSpec(sourcing="single" if kind == "ss" else "multi", min_dcs=0, circuity=1.0,
                       time_limit_s=time_limit, mip_gap=mip_gap)
    return FacilityProblem.from_cost_matrix(cost, demand=demand, fixed_cost=fixed, capacity=cap, spec=spec, name=name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", type=Path, default=DEFAULT_DIR, help="folder with optima.csv (default %(default)s)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (default %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("facility_results.csv"))
    ap.add_argument("--mip-gap", type=float, default=1e-6,
                    help="relative gap at which a solve counts as proven optimal (default %(default)s)")
    ap.add_argument("--kinds", default="cflp,ss,pmed", help="comma-separated kinds (cflp, ss, ufl, pmed)")
    ap.add_argument("--only", default="*", help="glob on instance names, e.g. 'cap1*' (default all)")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    kinds = {k.strip() for k in args.kinds.split(",")}
    with open(args.instances / "optima.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] in kinds and fnmatch.fnmatch(r["instance"], args.only)]
    out_rows = []
    total = 0.0
    total_cpu = 0.0
    for row in tqdm(rows, desc="facility", unit="instance", file=sys.stderr):
        problem = build(row, args.instances, args.time_limit, args.mip_gap)
        t, c = time.perf_counter(), time.process_time()
        result = problem.solve()
        secs = time.perf_counter() - t
        cpu = time.process_time() - c
        total_cpu += cpu
        total += secs
        check = check_network(result, problem)
        opt = float(row["optimal_value"])
        gap = 100.0 * (result.total_cost - opt) / opt
        out_rows.append({
            "instance": row["instance"], "kind": row["kind"], "optimum": opt, "objective": round(result.total_cost, 6),
            "gap_pct": round(gap, 6), "proven_optimal": result.proven_optimal, "seconds": round(secs, 3),
            "cpu_seconds": round(cpu, 3),
            "solver_gap_pct": round(100 * result.gap, 6), "best_bound": round(result.best_bound, 6),
            "method": result.method, "check_ok": check.ok,
        })
        tqdm.write(f"{row['instance']:>14} {row['kind']:>4} opt {opt:>16,.3f} got {result.total_cost:>16,.3f} "
                   f"gap {gap:8.4f}% solver gap {100 * result.gap:7.4f}% {secs:6.2f} s {result.method}"
                   f"{'' if check.ok else ' CHECK FAILED'}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out_rows[0]) if out_rows else ["instance"])
        w.writeheader()
        w.writerows(out_rows)
    within = sum(1 for r in out_rows if abs(r["gap_pct"]) <= 0.01)
    mean_gap = float(np.mean([r["gap_pct"] for r in out_rows])) if out_rows else math.nan
    proven = sum(1 for r in out_rows if r["proven_optimal"])
    bad = sum(1 for r in out_rows if not r["check_ok"])
    if bad:
        print(f"{bad} solution(s) FAILED the independent check", file=sys.stderr)
    print(f"proven optimal {proven}/{len(out_rows)}; CPU time {total_cpu:.1f} s (wall time depends on the "
          f"machine's load)", file=sys.stderr)
    print(f"{within}/{len(out_rows)} within 0.01%; mean gap {mean_gap:.4f}%; total {total:.1f} s")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
