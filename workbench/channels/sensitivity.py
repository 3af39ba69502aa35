"""Which assumption, moved how far, changes the recommendation.

For each key assumption :func:`break_even` moves it alone over a plausible range (the others
held) and finds the values at which another strategy overtakes today's best: the
**break-even** values nearest the current one on either side. It also reports the best
strategy's margin over its strongest rival at both ends of the range (the data of a tornado
chart). Each point re-evaluates the three strategies with :func:`.strategies.strategy_profits`
(the same sets and economics as :func:`.strategies.evaluate_strategies`; the territories are
designed once).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ..currency import usd_rate
from .market import Market, prepare_market
from .params import ChannelParams
from .strategies import strategy_profits

__all__ = ["Assumption", "KEY_ASSUMPTIONS", "Sensitivity", "break_even"]


@dataclass(frozen=True)
class Assumption:
    """A key assumption: its ``name`` (a :class:`ChannelParams` field, or ``account_cost_scale``
    for a factor on every channel's account cost), ``label``, the plausible range ``low`` to
    ``high`` and the ``unit`` its values are shown in (``share``, ``number``, ``USD``, ``factor``).
    A ``USD`` range is money: US dollar figures, converted to the parameters' currency when used."""

    name: str
    label: str
    low: float
    high: float
    unit: str = "number"

    def value(self, p: ChannelParams) -> float | None:
        if self.name == "account_cost_scale":
            return 1.0
        v = getattr(p, self.name)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    def apply(self, p: ChannelParams, x: float) -> ChannelParams:
        if self.name == "account_cost_scale":
            return replace(p, account_cost={c: float(v) * x for c, v in p.account_cost.items()})
        return replace(p, **{self.name: float(x)})


KEY_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("exclusive_premium", "Exclusive price premium", 0.0, 0.5, "share"),
    Assumption("intensive_erosion", "Intensive price erosion", 0.0, 0.2, "share"),
    Assumption("price_elasticity", "Price elasticity (magnitude)", 0.5, 4.0),
    Assumption("retailer_margin", "Retailer margin", 0.15, 0.5, "share"),
    Assumption("account_cost_scale", "Account costs (x today's)", 0.25, 4.0, "factor"),
    Assumption("logistics_cost_per_unit_km", "Logistics cost per unit-km", 0.0002, 0.004, "USD"),
    Assumption("competitor_attraction", "Competitor strength", 1.0, 20.0),
    Assumption("beta", "Distance decay (beta)", 1.0, 3.0),
    Assumption("online_share", "Online share of purchases", 0.0, 0.3, "share"),
)


def _money_scale(a: Assumption, p: ChannelParams) -> float:
    """Money ranges are US dollar figures: the factor to ``p.currency`` (the stated exchange rate;
    without one, today's value over the US default)."""
    if a.unit != "USD" or str(p.currency).upper() == "USD":
        return 1.0
    rate = usd_rate(p.currency)
    if rate is not None:
        return rate
    usd = getattr(ChannelParams(), a.name, None)
    today = a.value(p)
    return today / float(usd) if usd and today else 1.0


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Break-even values of the key assumptions.

    ``best``: today's best strategy; ``margin``: its profit over the strongest rival (a year, in the data's currency).
    ``table``: one row per assumption: ``assumption``, ``label``, ``unit``, ``value`` (today),
    ``low``, ``high`` (the range tried), ``margin_low``, ``margin_high`` (today's best's profit
    over its strongest rival at either end; negative: another strategy wins there),
    ``winner_low``, ``winner_high``, ``break_even_below``, ``break_even_above`` (the nearest
    values at which another strategy overtakes, NaN when none within the range),
    ``overtaken_by`` (who takes over at the nearest break-even) and ``move`` (relative
    change from today's value to the nearest break-even; NaN when none or when today's value is 0).
    """

    best: str
    margin: float
    table: pd.DataFrame
    currency: str = "USD"   # of ``margin`` and the money assumptions


def _winner(profits: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    best = max(profits, key=profits.get)
    return best, dict(profits)


def break_even(world_or_tables: Any = None, params: ChannelParams | None = None, *, serving_dcs=None,
               market: Market | None = None, assumptions: tuple[Assumption, ...] = KEY_ASSUMPTIONS,
               grid: int = 5, iterations: int = 7,
               progress: Callable[[int, int], None] | None = None) -> Sensitivity:
    """Break-even values of each key assumption (see :class:`Sensitivity`).

    Each assumption is tried at ``grid`` points over its range (and today's value); between
    the first point on either side where the best strategy changes and the last where it did
    not, the break-even value is bisected ``iterations`` times (to within range / grid / 2**iterations).
    """
    params = params or (market.params if market is not None else ChannelParams())
    if market is None:
        market = prepare_market(world_or_tables, params, serving_dcs=serving_dcs)
    base = strategy_profits(market)
    best, _ = _winner(base)
    margin = base[best] - max(v for s, v in base.items() if s != best)

    def evaluate(a: Assumption, x: float) -> dict[str, float]:
        return strategy_profits(market.with_params(a.apply(params, x)))

    def lead(profits: Mapping[str, float]) -> float:
        return profits[best] - max(v for s, v in profits.items() if s != best)

    rows = []
    todo = [a for a in assumptions if a.value(params) is not None]
    for n, a in enumerate(todo):
        today = a.value(params)
        scale = _money_scale(a, params)
        lo, hi = min(a.low * scale, today), max(a.high * scale, today)
        xs = np.unique(np.concatenate([np.linspace(lo, hi, grid), [today]]))
        res = {float(x): (base if x == today else evaluate(a, float(x))) for x in xs}
        i0 = int(np.flatnonzero(xs == today)[0])

        def search(direction: int) -> tuple[float, str | None]:
            last = today
            j = i0 + direction
            while 0 <= j < len(xs):
                x = float(xs[j])
                w, _ = _winner(res[x])
                if w != best:
                    inside, outside, who = last, x, w
                    for _ in range(iterations):
                        mid = 0.5 * (inside + outside)
                        wm, _ = _winner(evaluate(a, mid))
                        if wm == best:
                            inside = mid
                        else:
                            outside, who = mid, wm
                    return 0.5 * (inside + outside), who
                last = x
                j += direction
            return float("nan"), None

        below, who_below = search(-1)
        above, who_above = search(+1)
        cands = [(abs(today - v), v, w) for v, w in ((below, who_below), (above, who_above)) if w is not None]
        nearest = min(cands) if cands else None
        # relative move to the nearest break-even (NaN when none, or when today's value is 0)
        move = (nearest[1] - today) / today if nearest and today else float("nan")
        rows.append({"assumption": a.name, "label": a.label, "unit": a.unit, "value": today, "low": lo, "high": hi,
                     "margin_low": lead(res[float(xs[0])]), "margin_high": lead(res[float(xs[-1])]),
                     "winner_low": _winner(res[float(xs[0])])[0], "winner_high": _winner(res[float(xs[-1])])[0],
                     "break_even_below": below, "break_even_above": above,
                     "overtaken_by": nearest[2] if nearest else "", "move": move})
        if progress is not None:
            progress(n + 1, len(todo))
    table = pd.DataFrame(rows)
    if len(table):
        table["swing"] = (table["margin_high"] - table["margin_low"]).abs()
        table = table.sort_values("swing", ascending=False).reset_index(drop=True)
    return Sensitivity(best=best, margin=float(margin), table=table, currency=str(params.currency).upper())
