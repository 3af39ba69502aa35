"""The coverage-versus-profit frontier: consumer outlets added one at a time by greatest
marginal profit (:func:`.selection.greedy_selection`), so the sets are nested and reach never
falls as outlets are added.

The curve is priced at one strategy's price (the base price by default). Each strategy is
marked at its own price *and* at the curve's price, so a gap between the curve's best point and
a strategy splits into the part outlet selection explains (same price, like for like) and the
part the strategy's assumed premium or erosion explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import SpecificationError
from .capture import outlet_economics, unit_terms
from .market import Market, prepare_market
from .params import ChannelParams
from .selection import greedy_selection
from .strategies import ChannelComparison, evaluate_strategies

__all__ = ["ChannelFrontier", "frontier"]


@dataclass(frozen=True, eq=False)
class ChannelFrontier:
    """Reach versus profit as consumer outlets are added greedily by marginal profit.

    ``curve``: one row per number of outlets (``outlets``, the ``outlet_id`` added, its
    ``channel`` and ``tier``, ``profit``, ``marginal_profit``, ``units``,
    ``population_in_reach``, ``store_reach``). ``marks``: where the three strategies fall
    (``strategy``, ``outlets``, ``store_reach``, ``population_in_reach``, ``profit`` at the
    strategy's own price, ``profit_at_curve_price`` for the same outlets at the curve's price,
    ``units``). ``best``: the row of the curve with the highest profit. Priced at
    ``price_strategy``.
    """

    curve: pd.DataFrame
    marks: pd.DataFrame
    best: pd.Series
    price_strategy: str

    def kpis(self) -> dict[str, float]:
        return {"frontier_best_outlets": float(self.best["outlets"]), "frontier_best_profit": float(self.best["profit"]),
                "frontier_best_store_reach": float(self.best["store_reach"])}

    def gaps(self) -> pd.DataFrame:
        """Like-for-like split of the gap between the curve's best point and each strategy:
        ``selection`` (best minus the strategy's outlets at the curve's price) and ``pricing``
        (the strategy's outlets at the curve's price minus at its own assumed price)."""
        m = self.marks.set_index("strategy")
        best = float(self.best["profit"])
        return pd.DataFrame({"best": best, "strategy_profit": m["profit"],
                             "same_price_profit": m["profit_at_curve_price"],
                             "selection": best - m["profit_at_curve_price"],
                             "pricing": m["profit_at_curve_price"] - m["profit"]})

    def caption(self, strategy: str = "intensive", *, currency: str = "USD") -> str:
        """One like-for-like sentence on the best point against ``strategy``, money in ``currency``
        (the World's ISO code)."""
        from ..currency import currency_symbol

        sym = currency_symbol(currency)
        g = self.gaps().loc[strategy]
        m = self.marks.set_index("strategy").loc[strategy]
        b = self.best
        price = "the base price" if self.price_strategy == "selective" else f"the {self.price_strategy} price"
        gap = g["best"] - g["strategy_profit"]
        text = (f"At {price}, the most profitable network carries {int(b['outlets'])} outlets and earns "
                f"{sym}{g['best'] / 1e6:,.1f}M a year; {strategy}'s {int(m['outlets'])} outlets earn "
                f"{sym}{g['same_price_profit'] / 1e6:,.1f}M at the same price and {sym}{g['strategy_profit'] / 1e6:,.1f}M at "
                f"its own assumed price.")
        if abs(gap) > 0:
            text += (f" Of the {sym}{gap / 1e6:,.1f}M gap, {sym}{g['selection'] / 1e6:,.1f}M comes from choosing the outlets "
                     f"and {sym}{g['pricing'] / 1e6:,.1f}M from the assumed price difference.")
        return text


def frontier(world_or_tables: Any, params: ChannelParams, *, serving_dcs=None,
             comparison: ChannelComparison | None = None, max_outlets: int | None = None,
             price_strategy: str = "selective", market: Market | None = None,
             progress: Callable[[int, int], None] | None = None) -> ChannelFrontier:
    """Sweep the number of consumer outlets (greedy marginal profit over every store and
    listing of the enabled channels) and mark the three strategies of ``comparison``
    (evaluated here when not given).

    The sweep is priced at ``price_strategy``'s consumer price (default ``"selective"``, the
    base price unless a selective premium is set). Each strategy is marked at its own price and
    at the sweep's price (``profit_at_curve_price``), for like-for-like comparisons.
    """
    if market is None:
        market = prepare_market(world_or_tables, params, serving_dcs=serving_dcs)
    consumer = np.flatnonzero(market.consumer)
    k = len(consumer) if max_outlets is None else int(max_outlets)
    if k < 1:
        raise SpecificationError(f"max_outlets must be at least 1, got {max_outlets}", constraint="max_outlets")
    picks, profits = greedy_selection(market, consumer, k, strategy=price_strategy, progress=progress)
    p = market.params
    q = unit_terms(market, price_strategy).price.volume_factor
    # units and reach along the nested sets
    U = market.utility[:, picks]
    S = np.cumsum(U, axis=1)
    C = market.competitor[:, None]
    share = np.divide(S, S + C, out=np.zeros_like(S), where=(S + C) > 0)
    units = (market.store_potential[:, None] * q * share).sum(axis=0)
    A = np.where(market.online[picks], market.online_weight[picks], 0.0)
    a_star = np.maximum.accumulate(A)
    Con = market.online_competitor[:, None]
    on_share = np.divide(a_star[None, :], a_star[None, :] + Con, out=np.zeros((len(Con), len(picks))),
                         where=(a_star[None, :] + Con) > 0)
    units = units + (market.online_potential[:, None] * q * on_share).sum(axis=0)
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
        "population_in_reach": pop_cov,
        "store_reach": pop_cov / total_pop if total_pop > 0 else np.zeros(len(picks)),
    })
    if comparison is None:
        comparison = evaluate_strategies(world_or_tables, params, serving_dcs=serving_dcs, market=market)
    pos = {oid: i for i, oid in enumerate(market.outlets["outlet_id"])}
    marks = []
    for s in comparison.strategies.values():
        consumer_rows = s.outlets[s.outlets["role"] != "intermediary"]
        carried = [pos[x] for x in consumer_rows["outlet_id"]]
        same = outlet_economics(market, carried, price_strategy, detail=False).profit
        marks.append({"strategy": s.strategy, "outlets": s.outlet_count, "store_reach": s.store_reach,
                      "population_in_reach": s.population_in_reach, "profit": s.profit,
                      "profit_at_curve_price": same, "units": s.units})
    best = curve.loc[curve["profit"].idxmax()]
    return ChannelFrontier(curve=curve, marks=pd.DataFrame(marks), best=best, price_strategy=price_strategy)
