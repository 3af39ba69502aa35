"""Channel strategy timings on the sample company (median of ``--repeat`` runs, after one warm-up).

    python -m benchmarks.channels               # evaluate, frontier, break-even, calibration
    python -m benchmarks.channels --repeat 5

The territory design is cached after the warm-up, as it is in the app when only prices, margins or
costs change. Calibration fits a sell-out made from known parameters (beta 2.4, competitor
strength 8) and prints how close it gets.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time


def _time(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up (and territory cache)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import pandas as pd

    from workbench import load_sample
    from workbench.channels import (ChannelParams, break_even, calibrate_capture, evaluate_strategies, frontier,
                                    outlet_economics, prepare_market, strategy_profits, strategy_sets)

    world = load_sample()
    params = ChannelParams()
    market = prepare_market(world, params)
    rows = []
    t, cmp = _time(lambda: evaluate_strategies(world, params, market=market), args.repeat)
    rows.append(("three strategies (result tables)", t, cmp.verdict))
    t, profits = _time(lambda: strategy_profits(market), args.repeat)
    rows.append(("three profits (fast path)", t, ", ".join(f"{k} {v / 1e6:,.1f}M" for k, v in profits.items())))
    t, front = _time(lambda: frontier(world, params, comparison=cmp, market=market), args.repeat)
    rows.append(("frontier", t, f"best {int(front.best['outlets'])} outlets, {front.best['profit'] / 1e6:,.1f}M"))
    t, sens = _time(lambda: break_even(market=market), 1)
    rows.append(("break-even of the key assumptions", t, f"{len(sens.table)} assumptions"))
    truth = market.with_params(dataclasses.replace(params, beta=2.4, competitor_attraction=8.0))
    e = outlet_economics(truth, strategy_sets(market)["selective"], "selective", detail=False)
    sales = pd.DataFrame({"outlet_id": market.outlets["outlet_id"].to_numpy()[e.rows[:e.n_consumer]],
                          "units": e.units[:e.n_consumer]})
    t, cal = _time(lambda: calibrate_capture(world, params, sales, market=market), 1)
    rows.append(("calibration to a sell-out (21 betas)", t,
                 f"beta {cal.beta:.1f}, strength {cal.competitor_strength:.3f}, WAPE {cal.wape:.1e}"))
    width = max(len(r[0]) for r in rows)
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:7.3f} s  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
