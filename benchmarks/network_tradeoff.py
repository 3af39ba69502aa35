"""Network design with the whole trade-off priced: how the optimum moves with inventory and carbon.

    python -m benchmarks.network_tradeoff --time-limit 30 [--large] [--sourcing single|multi] [--out results.csv]

Solves the sample (300 customers x 25 sites, single sourcing by default, the existing DCs not forced) under
four specs - the classic model, inventory on (holding 25%/yr, 95% cycle service level, 1 week lead
time and review), a carbon price of 100 USD/t CO2e, and both - and with ``--large`` a generated
100 sites x 1,000 customers instance over the same area (``benchmarks.synthetic``). Every design
is replayed by ``check_network``. One row per run: instance, spec, DCs, total, fixed, handling,
outbound, inventory, carbon cost (USD/yr), inventory value, CO2e (t/yr), mean km, status, gap,
seconds, checker verdict. Timings are wall seconds on the machine at hand.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

import numpy as np
import pandas as pd

from workbench import load_sample
from workbench.network import FacilityProblem, NetworkSpec, check_network

SPECS = {
    "classic": {},
    "inventory": {"inventory": True},
    "carbon 100": {"carbon_price": 100.0},
    "inventory + carbon 100": {"inventory": True, "carbon_price": 100.0},
}


def large_instance(seed: int = 7, m: int = 100, n: int = 1000) -> FacilityProblem:
    """Customers and candidate sites drawn around the sample's customers (demand resampled)."""
    w = load_sample()
    rng = np.random.default_rng(seed)
    c = w.customers.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    cust = pd.DataFrame({"customer_id": [f"C{j:04d}" for j in range(n)], "region": c.region,
                         "lat": c.lat + rng.normal(0, 0.6, n), "lon": c.lon + rng.normal(0, 0.6, n),
                         "annual_demand": np.round(c.annual_demand * rng.uniform(0.1, 0.4, n))})
    s = w.customers.sample(m, replace=True, random_state=seed + 1).reset_index(drop=True)
    D = cust.annual_demand.sum()
    sites = pd.DataFrame({"site_id": [f"S{i:03d}" for i in range(m)], "lat": s.lat + rng.normal(0, 0.3, m),
                          "lon": s.lon + rng.normal(0, 0.3, m),
                          "fixed_cost": np.round(rng.uniform(1.0e6, 3.0e6, m), -3),
                          "capacity": np.round(D * rng.uniform(0.06, 0.2, m)),
                          "handling_cost": np.round(rng.uniform(0.3, 0.5, m), 3)})
    return FacilityProblem.from_tables(cust, sites, products=w.products, demand_history=w.demand_history,
                                       name="generated 100 x 1000")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--large", action="store_true", help="also the generated 100 x 1,000 instance")
    ap.add_argument("--sourcing", default="single", choices=("single", "multi"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    problems = [("sample", FacilityProblem.from_world(load_sample()))]
    if args.large:
        problems.append(("100 x 1000", large_instance()))
    rows = []
    for name, base in problems:
        for label, changes in SPECS.items():
            p = base.with_spec(NetworkSpec(sourcing=args.sourcing, time_limit_s=args.time_limit, **changes))
            start = time.perf_counter()
            r = p.solve()
            secs = time.perf_counter() - start
            ok = check_network(r, p).ok
            row = {"instance": name, "spec": label, "dcs": r.dc_count, "total": r.total_cost, "fixed": r.fixed_cost,
                   "handling": r.handling_cost, "outbound": r.outbound_cost, "inventory": r.inventory_cost,
                   "carbon": r.carbon_cost, "inventory_value": r.inventory_value, "co2_t": r.co2_kg / 1000,
                   "mean_km": r.mean_distance_km, "status": r.status, "gap": r.gap, "seconds": secs, "checked": ok,
                   "open": " ".join(r.open_site_ids)}
            rows.append(row)
            print(f"{name:>10} {label:<24} {r.dc_count:3d} DCs total {r.total_cost:14,.0f} inv {r.inventory_cost:12,.0f} "
                  f"value {r.inventory_value:12,.0f} CO2e {r.co2_kg / 1000:9,.0f} t  {r.mean_distance_km:6,.0f} km "
                  f"{r.status:>8} gap {100 * r.gap:6.2f}% {secs:6.1f} s checked={ok}", flush=True)
    if args.out:
        with open(args.out, "w", newline="") as fh:
            wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
            wr.writeheader()
            wr.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
