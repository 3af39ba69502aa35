"""The routing benchmark reads the published instances in their exact distance conventions."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from .conftest import SHARED_BENCHMARKS

ROUTING = SHARED_BENCHMARKS / "routing"
pytestmark = pytest.mark.skipif(not (ROUTING / "bks.csv").exists() and os.environ.get("CI") != "true",
                                reason="shared benchmark data not present (in CI this fails instead)")


def test_published_cvrp_solution_costs_the_published_value():
    """A-n32-k5's published routes cost exactly 784 with rounded Euclidean distances (cvrp-nint)."""
    import vrplib

    from benchmarks.routing import load_instance

    p, decimals = load_instance(ROUTING / "cvrp" / "A-n32-k5.vrp", "cvrp-nint")
    assert decimals == 0 and p.n_orders == 31 and p.n_depots == 1
    sol = vrplib.read_solution(str(ROUTING / "cvrp" / "A-n32-k5.sol"))
    loc = {int(oid): 1 + i for i, oid in enumerate(p.orders.order_id)}
    total = 0
    for route in sol["routes"]:
        path = [0] + [loc[c] for c in route] + [0]
        total += sum(int(p.distance[a, b]) for a, b in zip(path, path[1:]))
        assert p.orders.set_index("order_id").loc[[str(c) for c in route], "demand"].sum() <= 100
    assert total == 784 == sol["cost"]


def test_solomon_uses_tenths_truncated():
    """R101 in the DIMACS convention: distances and times are floor(10 d) tenths; windows are exact."""
    from benchmarks.routing import load_instance

    p, decimals = load_instance(ROUTING / "vrptw" / "R101.txt", "vrptw-dimacs")
    assert decimals == 1 and p.distance_unit_km == 0.1 and p.time_unit_min == 0.1
    # depot (35, 35) to customer 1 (41, 49): d = sqrt(36 + 196) = 15.2315... -> 152 tenths
    assert math.floor(10 * math.hypot(6, 14)) == 152
    assert p.distance[0, 1] == 152 and p.duration[0, 1] == 152
    assert int(p.vehicles["count"].iloc[0]) == 25
    d = p.int_data()
    assert d["tw_early"][0] == 1610 and d["tw_late"][0] == 1710 and d["service"][0] == 100
    assert np.array_equal(p.distance, p.duration)


def test_benchmark_run_solves_and_checks(tmp_path):
    """A short run writes the result row and a feasible, near-optimal A-n32-k5 plan."""
    import pandas as pd

    from benchmarks.routing import run, summary_line

    df = run(ROUTING, 1.5, tmp_path / "r.csv", pattern="A-n32-k5", quiet=True)
    out = pd.read_csv(tmp_path / "r.csv")
    assert list(out.columns)[:6] == ["instance", "set", "bks", "cost", "gap_pct", "feasible"]
    assert {"seconds", "cpu_s", "routes"} <= set(out.columns)
    assert bool(out.feasible.iloc[0]) and out.gap_pct.iloc[0] <= 1.0
    assert summary_line(df).endswith("feasible 1/1")
