"""Greedy marginal-profit outlet selection and the coverage-versus-profit frontier.

With Huff capture the brand's profit for a set *S* of carried outlets is::

    profit(S) = sum_i q * D_i * W_i / (S_i + C_i) - sum_{j in S} a_j
    S_i = sum_{j in S} U_ij,   W_i = sum_{j in S} U_ij * w_j

where ``w_j`` is outlet *j*'s contribution per unit (net price after fees, cost of goods and
logistics), ``a_j`` its account cost and ``q`` the volume factor of the price. The greedy
adds, one at a time, the outlet whose addition raises profit most (or lowers it least), so
the sets are nested: coverage never falls as outlets are added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import SpecificationError
from .market import Market, prepare_market
from .params import ChannelParams

__all__ = ["ChannelFrontier", "greedy_selection", "frontier", "unit_contribution"]


def unit_contribution(market: Market, strategy: str) -> np.ndarray:
    """Contribution per unit of every outlet at ``strategy``'s price: net price after fees,
    minus cost of goods, logistics from the serving DC and DC handling."""
    from .economics import unit_stack

    p = market.params
    price = market.consumer_price * p.price_factor(strategy)
    net = {ch: unit_stack(ch, price, p)["net_after_fees"] for ch in market.outlets["channel"].unique()}
    o = market.outlets
    return (o["channel"].map(net).to_numpy(float) - market.unit_cost
            - p.logistics_cost_per_unit_km * o["dc_distance_km"].to_numpy(float) - o["handling_cost"].to_numpy(float))


def greedy_selection(market: Market, candidates: np.ndarray, count: int, *, strategy: str = "selective",
                     progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``count`` outlets (indices into ``market.outlets``) among ``candidates`` by
    greatest marginal profit. Returns the picks in order and the profit after each pick."""
    p = market.params
    cand = np.asarray(candidates, dtype=int)
    count = int(min(count, len(cand)))
    U = market.utility[:, cand]
    C = market.competitor
    q = p.price_factor(strategy) ** (-p.price_elasticity)
    base = market.potential * q
    w = unit_contribution(market, strategy)[cand]
    a = market.outlets["account_cost"].to_numpy(float)[cand]
    # picks are chosen in float32 (half the memory traffic); profits are recomputed exactly
    U32 = U.astype(np.float32)
    Uw = U32 * w.astype(np.float32)[None, :]
    C32 = C.astype(np.float32)[:, None]
    base32 = base.astype(np.float32)
    a32 = a.astype(np.float32)
    S = np.zeros(U.shape[0], np.float32)
    W = np.zeros(U.shape[0], np.float32)
    remaining = np.ones(len(cand), bool)
    order = np.empty(count, dtype=int)
    num = np.empty_like(U32)
    den = np.empty_like(U32)
    for step in range(count):
        # value of the set plus each candidate, for every candidate at once
        np.add(W[:, None], Uw, out=num)
        np.add(S[:, None] + C32, U32, out=den)
        np.divide(num, den, out=num)  # den > 0: every utility is positive
        val = base32 @ num - a32
        val[~remaining] = -np.inf
        j = int(np.argmax(val))
        remaining[j] = False
        S += U32[:, j]
        W += Uw[:, j]
        order[step] = j
        if progress is not None:
            progress(step + 1, count)
    Sk = np.cumsum(U[:, order], axis=1)
    Wk = np.cumsum(U[:, order] * w[order][None, :], axis=1)
    den64 = Sk + C[:, None]
    profits = base @ np.divide(Wk, den64, out=np.zeros_like(Wk), where=den64 > 0) - np.cumsum(a[order])
    picks = cand[order]
    return picks, profits


@dataclass(frozen=True, eq=False)
class ChannelFrontier:
    """Coverage versus profit as outlets are added greedily by marginal profit.

    ``curve``: one row per number of outlets (``outlets``, the ``outlet_id`` added, its
    ``channel`` and ``tier``, ``profit``, ``marginal_profit``, ``units``,
    ``population_covered``, ``coverage``). ``marks``: where the three strategies fall
    (``strategy``, ``outlets``, ``coverage``, ``population_covered``, ``profit``, ``units``).
    ``best``: the row of the curve with the highest profit. Priced at ``price_strategy``.
    """

    curve: pd.DataFrame
    marks: pd.DataFrame
    best: pd.Series
    price_strategy: str

    def kpis(self) -> dict[str, float]:
        return {"frontier_best_outlets": float(self.best["outlets"]), "frontier_best_profit": float(self.best["profit"]),
                "frontier_best_coverage": float(self.best["coverage"])}


def frontier(world_or_tables: Any, params: ChannelParams, *, serving_dcs=None, comparison=None,
             max_outlets: int | None = None, price_strategy: str = "selective",
             market: Market | None = None, progress: Callable[[int, int], None] | None = None) -> ChannelFrontier:
    """Sweep the number of outlets (greedy marginal profit over every outlet of the enabled
    channels) and mark the three strategies of ``comparison`` (evaluated here when not given).

    The sweep is priced at ``price_strategy``'s consumer price (default ``"selective"``, the
    base price unless a selective premium is set); each strategy is marked at its own price,
    so exclusive can sit above the curve by its premium and intensive below it by its erosion.
    """
    if market is None:
        market = prepare_market(world_or_tables, params, serving_dcs=serving_dcs)
    n = len(market.outlets)
    k = n if max_outlets is None else int(max_outlets)
    if k < 1:
        raise SpecificationError(f"max_outlets must be at least 1, got {max_outlets}", constraint="max_outlets")
    picks, profits = greedy_selection(market, np.arange(n), k, strategy=price_strategy, progress=progress)
    p = market.params
    q = p.price_factor(price_strategy) ** (-p.price_elasticity)
    # units and coverage along the nested sets
    U = market.utility[:, picks]
    S = np.cumsum(U, axis=1)
    C = market.competitor[:, None]
    share = np.divide(S, S + C, out=np.zeros_like(S), where=(S + C) > 0)
    units = (market.potential[:, None] * q * share).sum(axis=0)
    phys = market.physical[picks]
    near = (market.distance_km[:, picks] <= p.coverage_radius_km) & phys[None, :]
    covered = np.logical_or.accumulate(near, axis=1)
    pop = market.zones["population"].to_numpy(float)
    pop_cov = (pop[:, None] * covered).sum(axis=0)
    total_pop = pop.sum()
    o = market.outlets.iloc[picks]
    curve = pd.DataFrame({
        "outlets": np.arange(1, len(picks) + 1),
        "outlet_id": o["outlet_id"].to_numpy(),
        "channel": o["channel"].to_numpy(),
        "tier": o["tier"].to_numpy(),
        "profit": profits,
        "marginal_profit": np.diff(np.concatenate([[0.0], profits])),
        "units": units,
        "population_covered": pop_cov,
        "coverage": pop_cov / total_pop if total_pop > 0 else np.zeros(len(picks)),
    })
    if comparison is None:
        from .strategies import evaluate_strategies

        comparison = evaluate_strategies(world_or_tables, params, serving_dcs=serving_dcs, market=market)
    marks = pd.DataFrame([{"strategy": s.strategy, "outlets": s.outlet_count, "coverage": s.coverage,
                           "population_covered": s.population_covered, "profit": s.profit, "units": s.units}
                          for s in comparison.strategies.values()])
    best = curve.loc[curve["profit"].idxmax()]
    return ChannelFrontier(curve=curve, marks=marks, best=best, price_strategy=price_strategy)
