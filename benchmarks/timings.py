"""Response times that used to be asserted in the test suite (they fail for no fault on a loaded
machine, so they are measured here instead and compared by eye or in CI logs).

    python -m benchmarks.timings            # prints one line per measurement: name, seconds, target

* channel strategy: the three strategies re-evaluated after a premium change (territory plan cached),
  target under 1.5 s; the app's price control re-evaluating all three, target under 3 s;
* geo: a 1,000 x 100 great-circle distance matrix, target under 0.5 s;
* network design: a 30 x 400 single-sourcing model with a 2 s limit returns within 4 s with a gap
  under 5 %;
* route planning: a 0.6 s limit returns within 1.6 s; a set cancel event stops within 5 s.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time

import numpy as np


def _row(name: str, seconds: float, target: float, extra: str = "") -> bool:
    ok = seconds <= target
    print(f"{name:<58} {seconds:7.2f} s  target <= {target:g} s  {'ok' if ok else 'SLOW'} {extra}".rstrip())
    return ok


def main() -> int:
    import workbench
    from workbench.channels import ChannelParams, evaluate_strategies
    from workbench.geo import distance_matrix_km
    from workbench.network import FacilityProblem, NetworkSpec
    from workbench.routing import RoutingProblem, SolveOptions

    world = workbench.load_sample()
    results = []

    evaluate_strategies(world, ChannelParams())  # builds and caches the territory plan
    t = time.perf_counter()
    evaluate_strategies(world, dataclasses.replace(ChannelParams(), exclusive_premium=0.3))
    results.append(_row("channels: three strategies after a premium change", time.perf_counter() - t, 1.5))

    from widgets.channel_strategy import ChannelStrategyModel

    model = ChannelStrategyModel(world)
    t = time.perf_counter()
    model.consumer_price = 30.0
    results.append(_row("channels app: price change re-evaluates all three", time.perf_counter() - t, 3.0))

    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(25, 49, 1000), rng.uniform(-124, -67, 1000)]
    t = time.perf_counter()
    distance_matrix_km(a, a[:100])
    results.append(_row("geo: 1,000 x 100 distance matrix", time.perf_counter() - t, 0.5))

    from tests.test_network import random_instance

    cost, demand, fixed, cap = random_instance(30, 400, seed=5, slack=1.15)
    p = FacilityProblem.from_cost_matrix(cost, demand=demand, fixed_cost=fixed, capacity=cap,
                                         spec=NetworkSpec(sourcing="single", min_dcs=0, time_limit_s=2))
    t = time.perf_counter()
    r = p.solve()
    results.append(_row("network: 30 x 400 single sourcing, 2 s limit", time.perf_counter() - t, 4.0,
                        f"gap {100 * r.gap:.2f}% (target < 5%)"))
    results.append(r.gap < 0.05)

    routing = RoutingProblem.from_world(world)
    t = time.perf_counter()
    routing.solve(SolveOptions(time_limit_s=0.6))
    results.append(_row("routing: sample day, 0.6 s limit", time.perf_counter() - t, 1.6))
    ev = threading.Event()
    ev.set()
    t = time.perf_counter()
    routing.solve(SolveOptions(time_limit_s=30), cancel=ev)
    results.append(_row("routing: cancelled search", time.perf_counter() - t, 5.0))
    print(f"{sum(map(bool, results))}/{len(results)} within target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
