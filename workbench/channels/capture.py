"""Capture and economics of a set of carried outlets: the numeric core every strategy, the
frontier, the partner choice and the sensitivity analysis share.

Units. In stores (Huff 1963) zone *i* buys at carried store *j* with probability
``U_ij / (sum_k U_ik + C_i)`` of its store potential; online, the brand's best carried listing
(pull ``A**alpha``) competes with the same competitors without a distance term for the zone's
online potential (``online_share`` of the potential where a serving DC delivers). Both are
scaled by the price's volume factor (:func:`.economics.price_point`).

Money per unit follows the path to the shopper (:func:`.economics.unit_stack`): a store of an
indirect tier that has a wholesaler or distributor within reach is supplied through it (its
margin is taken, the DC delivers to the intermediary, whose account replaces the store's);
other stores are served direct; e-commerce pays fulfilment and the parcel (the DC's handling
applies, the parcel carries it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SpecificationError
from .economics import STACK_STEPS, PricePoint, price_point, unit_stack
from .market import Market

__all__ = ["UnitTerms", "OutletEconomics", "unit_terms", "outlet_economics", "MONEY_STEPS"]

# money columns per carried outlet, in reconciliation order
MONEY_STEPS = ("consumer_sales", *STACK_STEPS, "cost_of_goods", "account_cost", "logistics_cost")


@dataclass(frozen=True, eq=False)
class UnitTerms:
    """Per-unit economics of every outlet of the market at one price: its ``route`` (the path
    to the shopper, named by the company's channel: the outlet's own, or its supplier's for a
    store served through a wholesaler or distributor) and ``route_role`` (the economic role
    whose margin stack the route pays: ``retailer`` for a direct store), each stack step per unit, ``logistics`` per unit (DC to the store, to its
    supplier, or DC handling for e-commerce), ``contribution`` per unit (net price after fees
    minus cost of goods and logistics), the manufacturer's ``account_cost`` for the outlet (0
    for a store its supplier serves) and ``supplier`` (position, -1 when direct)."""

    price: PricePoint
    route: np.ndarray
    steps: dict[str, np.ndarray]
    logistics: np.ndarray
    contribution: np.ndarray
    account_cost: np.ndarray
    supplier: np.ndarray
    route_role: np.ndarray | None = None


def unit_terms(market: Market, strategy: str) -> UnitTerms:
    """The per-unit economics of every outlet when priced as ``strategy``."""
    p = market.params
    pp = price_point(p, market.reference_price, market.consumer_price, strategy)
    o = market.outlets
    role = market.role
    chan = o["channel"].to_numpy(dtype=object)
    chan_role = o["channel_role"].to_numpy(dtype=object)
    supplier = np.where(role == "store", o["supplier"].to_numpy(int), -1)
    via = supplier >= 0
    sup = np.maximum(supplier, 0)
    # the route is named by the company's channel the shopper's unit goes through last before the
    # store (the supplier's channel for a store served through one); its economics by that role
    route = np.where(via, chan[sup], chan)
    route_role = np.where(role == "online", "ecommerce", np.where(via, chan_role[sup],
                                                                   np.where(role == "store", "retailer", chan_role)))
    kinds, inverse = np.unique(route_role.astype(str), return_inverse=True)
    stacks = [unit_stack(str(r), pp.consumer_price, p) for r in kinds]
    steps = {s: np.array([st[s] for st in stacks], dtype=float)[inverse] for s in (*STACK_STEPS, "net_after_fees")}
    dc_km = o["dc_distance_km"].to_numpy(float)
    handling = o["handling_cost"].to_numpy(float)
    logistics = np.where(role == "online", handling,
                         np.where(via, p.logistics_cost_per_unit_km * dc_km[sup] + handling[sup],
                                  p.logistics_cost_per_unit_km * dc_km + handling))
    account = np.where(via, 0.0, o["account_cost"].to_numpy(float))
    contribution = steps.pop("net_after_fees") - market.unit_cost - logistics
    return UnitTerms(price=pp, route=route, steps=steps, logistics=logistics, contribution=contribution,
                     account_cost=account, supplier=supplier, route_role=route_role)


@dataclass(frozen=True, eq=False)
class OutletEconomics:
    """Capture and money of one carried set.

    ``rows``: market positions of the carried consumer outlets (sorted), then the wholesalers
    and distributors that supply them. Per row: ``route`` (a channel name) and ``route_role``, ``units`` (0 for intermediaries),
    ``supplied_units`` (intermediaries), ``incremental_units`` (what the brand would lose
    without the outlet; None unless asked), ``money`` (every :data:`MONEY_STEPS` column,
    money/yr, in the data's currency) and ``profit``. Per zone: ``zone_store_units``, ``zone_online_units``,
    ``own_share`` (of the zone's purchases at this price).
    """

    price: PricePoint
    rows: np.ndarray
    route: np.ndarray
    units: np.ndarray
    supplied_units: np.ndarray
    incremental_units: np.ndarray | None
    money: dict[str, np.ndarray]
    profit_by_row: np.ndarray
    zone_store_units: np.ndarray
    zone_online_units: np.ndarray
    own_share: np.ndarray
    n_consumer: int
    route_role: np.ndarray | None = None

    @property
    def profit(self) -> float:
        return float(self.profit_by_row.sum())


def outlet_economics(market: Market, carried, strategy: str, *, detail: bool = True,
                     terms: UnitTerms | None = None) -> OutletEconomics:
    """Units and money of carrying the consumer outlets ``carried`` (positions in
    ``market.outlets``; wholesalers and distributors in it are ignored: they are brought in as
    the suppliers of the stores they serve) priced as ``strategy``. ``detail`` adds each
    outlet's incremental units (for cannibalisation)."""
    carried = np.unique(np.asarray(carried, dtype=int))
    carried = carried[market.consumer[carried]]
    if len(carried) == 0:
        raise SpecificationError(f"the {strategy} strategy carries no outlet that sells to shoppers",
                                 constraint=strategy)
    t = terms if terms is not None else unit_terms(market, strategy)
    q = t.price.volume_factor
    role = market.role[carried]
    stores = carried[role == "store"]
    online = carried[role == "online"]
    Ds = market.store_potential * q
    Do = market.online_potential * q
    C = market.competitor
    n_z = len(Ds)

    U = market.utility[:, stores]
    S = U.sum(axis=1)
    den = S + C
    safe = np.where(den > 0, den, 1.0)
    store_ij = Ds[:, None] * (U / safe[:, None])
    units_store = store_ij.sum(axis=0)
    z_store = store_ij.sum(axis=1)

    if len(online):
        w = market.online_weight[online]
        Con = market.online_competitor

        def online_total(a_star: float) -> np.ndarray:
            d = a_star + Con
            return Do * np.divide(a_star, d, out=np.zeros(n_z), where=d > 0)

        z_online = online_total(float(w.max()))
        units_online = float(z_online.sum()) * w / w.sum()
    else:
        z_online = np.zeros(n_z)
        units_online = np.zeros(0)

    # rows in carried order: stores and listings interleaved as in ``carried``
    units = np.empty(len(carried))
    units[role == "store"] = units_store
    units[role == "online"] = units_online

    incremental = None
    if detail:
        incremental = np.empty(len(carried))
        Sm = S[:, None] - U
        dm = Sm + C[:, None]
        without = (Ds[:, None] * np.divide(Sm, dm, out=np.zeros_like(Sm), where=dm > 0)).sum(axis=0)
        incremental[role == "store"] = float(z_store.sum()) - without
        if len(online):
            tot = float(z_online.sum())
            inc = []
            for j in range(len(online)):
                others = np.delete(w, j)
                inc.append(tot - (float(online_total(float(others.max())).sum()) if len(others) else 0.0))
            incremental[role == "online"] = inc

    sup = t.supplier[carried]
    used = np.unique(sup[sup >= 0])
    rows = np.concatenate([carried, used]).astype(int)
    n_c = len(carried)
    all_units = np.concatenate([units, np.zeros(len(used))])
    supplied = np.concatenate([np.zeros(n_c), [units[sup == k].sum() for k in used]]) if len(used) else np.zeros(n_c)
    route = np.concatenate([t.route[carried], market.outlets["channel"].to_numpy(dtype=object)[used]])
    route_role = np.concatenate([t.route_role[carried], market.outlets["channel_role"].to_numpy(dtype=object)[used]])
    money: dict[str, np.ndarray] = {"consumer_sales": all_units * t.price.consumer_price}
    for s in STACK_STEPS:
        money[s] = all_units * np.concatenate([t.steps[s][carried], np.zeros(len(used))])
    money["cost_of_goods"] = all_units * market.unit_cost
    money["account_cost"] = np.concatenate([t.account_cost[carried],
                                            market.outlets["account_cost"].to_numpy(float)[used]])
    money["logistics_cost"] = all_units * np.concatenate([t.logistics[carried], np.zeros(len(used))])
    profit = money["consumer_sales"] - sum(money[s] for s in MONEY_STEPS[1:])
    D = market.potential * q
    own = np.divide(z_store + z_online, D, out=np.zeros(n_z), where=D > 0)
    return OutletEconomics(price=t.price, rows=rows, route=route, units=all_units, supplied_units=supplied,
                           incremental_units=incremental, money=money, profit_by_row=profit,
                           zone_store_units=z_store, zone_online_units=z_online, own_share=own, n_consumer=n_c,
                           route_role=route_role)
