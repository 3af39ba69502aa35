"""Intensive, selective and exclusive distribution, evaluated side by side.

Retailers and e-commerce sell to shoppers; wholesalers and distributors sell to retailers, so a
strategy is a set of **consumer outlets** (stores and listings) and the wholesalers and
distributors that supply its stores of the indirect tiers (two-tier flow, :mod:`.capture`).

* **Intensive**: every store and listing of the enabled channels, at the base consumer price
  less ``intensive_erosion``.
* **Selective**: the stores and listings whose tier is in ``selective_tiers`` and whose
  attractiveness is at least ``selective_min_attractiveness``; with ``selective_size`` the
  ``n`` most profitable of those (greedy marginal profit).
* **Exclusive**: one store per territory. Territories are a balanced p-median over the demand
  zones (:mod:`.territories`); the partner of a territory is its store of the
  ``exclusive_tiers`` that earns most as the territory's only outlet among those capturing at
  least ``partner_min_capture`` of the territory's potential. Priced with ``exclusive_premium``.

Every strategy's profit reconciles from its parts::

    profit = consumer_sales - channel_margin - channel_fees - cost_of_goods - cost_to_serve
    revenue = consumer_sales - channel_margin          (what the manufacturer invoices)
    net_margin = revenue - channel_fees - cost_of_goods
    cost_to_serve = account_cost + logistics_cost      (logistics includes DC handling)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import SpecificationError
from .capture import outlet_economics, unit_terms
from .economics import STACK_STEPS, PricePoint
from ..currency import format_money
from .market import Market, prepare_market
from .params import STRATEGIES, ChannelParams
from .selection import greedy_selection
from .territories import TerritoryPlan, design_territories, pick_partners

__all__ = ["StrategyResult", "ChannelComparison", "evaluate_strategies", "evaluate_outlets", "strategy_sets",
           "strategy_profits", "MONEY_COLUMNS", "KPI_NAMES"]

MONEY_COLUMNS = ("consumer_sales", *STACK_STEPS, "channel_margin", "channel_fees", "revenue", "cost_of_goods",
                 "net_margin", "account_cost", "logistics_cost", "cost_to_serve", "profit")
PREMIUM_TIERS = ("flagship", "premium")
KPI_NAMES = ("outlets", "population_in_reach", "store_reach", "online_reach", "units", "market_share",
             "consumer_price", "consumer_sales", "channel_margin", "channel_fees", "revenue", "cost_of_goods",
             "net_margin", "net_margin_pct", "account_cost", "logistics_cost", "cost_to_serve", "profit",
             "brand_control", "cannibalisation", "overlap")


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """One strategy's outlets, capture and economics.

    Tables: ``outlets`` (one row per carried outlet: identity, ``role`` (store, online,
    intermediary), ``channel`` (the company's name) and ``channel_role``, ``route`` (the path to the
    shopper, named by the channel: the store's own, or its supplier's when a wholesaler or
    distributor serves it) and ``route_role``, ``supplier_id``, serving DC, ``units``, ``supplied_units``
    (intermediaries), ``incremental_units``, every money column, ``territory`` for exclusive),
    ``channels`` (the money columns summed per route, with ``outlets``, ``units`` and the route's
    ``channel_role``), ``zones``
    (per demand zone: ``potential``, ``units``, ``online_units``, ``own_share``,
    ``competitor_share``, ``outlets_within_r``, ``in_reach``, ``nearest_km``, ``territory``),
    ``territories`` (exclusive only).

    KPIs (numbers): ``outlet_count`` (consumer outlets carried; suppliers are in the table),
    ``population_in_reach`` (people of the modelled zones within ``coverage_radius_km`` of a
    carried store), ``store_reach`` (that as a share of the modelled zones' population),
    ``online_reach`` (share of that population parcels reach, when a listing is carried),
    ``units``, ``market_share`` (units / potential at the reference price), ``consumer_price``,
    the money totals (a year, in the data's currency: ``params.currency``), ``net_margin_pct`` (net margin / revenue), ``brand_control``
    (share of units through flagship and premium outlets), ``cannibalisation`` (share of the
    carried outlets' units that other own outlets would have sold without them:
    ``1 - sum(incremental_units) / units``), ``overlap`` (population-weighted mean number of
    carried stores within the radius of a zone in reach).
    """

    strategy: str
    price: PricePoint
    price_factor: float
    consumer_price: float
    outlets: pd.DataFrame
    channels: pd.DataFrame
    zones: pd.DataFrame
    territories: pd.DataFrame | None
    territory_plan: TerritoryPlan | None
    outlet_count: int
    population: float
    population_in_reach: float
    store_reach: float
    online_reach: float
    potential: float
    units: float
    market_share: float
    consumer_sales: float
    channel_margin: float
    channel_fees: float
    revenue: float
    cost_of_goods: float
    net_margin: float
    net_margin_pct: float
    account_cost: float
    logistics_cost: float
    cost_to_serve: float
    profit: float
    brand_control: float
    cannibalisation: float
    overlap: float

    def kpis(self) -> dict[str, float]:
        """The headline numbers as a flat dict."""
        return {name: float(getattr(self, "outlet_count" if name == "outlets" else name)) for name in KPI_NAMES}

    def waterfall(self, channel: str | None = None) -> pd.DataFrame:
        """The margin stack per unit sold (money/unit), for one channel or all: ``step``,
        ``amount`` (negative for money leaving), ``kind`` (``absolute`` for the consumer price
        and ``total`` for profit, ``relative`` otherwise). The steps sum to the profit/unit."""
        rows = self.channels if channel is None else self.channels[self.channels["channel"] == channel]
        units = float(rows["units"].sum())
        if units <= 0:
            return pd.DataFrame(columns=["step", "amount", "kind"])
        per = {c: float(rows[c].sum()) / units for c in MONEY_COLUMNS}
        labels = [("consumer_sales", "Consumer price", "absolute"), ("retailer_margin", "Retailer margin", "relative"),
                  ("wholesaler_margin", "Wholesaler margin", "relative"),
                  ("distributor_margin", "Distributor margin", "relative"),
                  ("platform_commission", "Platform commission", "relative"),
                  ("fulfilment", "Fulfilment", "relative"), ("parcel", "Parcel", "relative"),
                  ("cost_of_goods", "Cost of goods", "relative"), ("logistics_cost", "Logistics", "relative"),
                  ("account_cost", "Account cost", "relative")]
        out = []
        for col, label, kind in labels:
            v = per[col] if kind == "absolute" else -per[col]
            if kind == "absolute" or abs(v) > 1e-12:
                out.append({"step": label, "amount": v, "kind": kind})
        out.append({"step": "Profit", "amount": per["profit"], "kind": "total"})
        return pd.DataFrame(out)


@dataclass(frozen=True, eq=False)
class ChannelComparison:
    """The three strategies side by side: ``intensive``, ``selective``, ``exclusive``;
    ``summary`` (one row per strategy, the KPI columns); ``ranking`` (by profit, with each
    strategy's gap to the best); ``best``, ``runner_up``, ``margin`` (best minus runner-up,
    money/yr), ``too_close`` (the margin is within ``decision_tolerance`` of the best profit) and
    ``verdict`` (the comparison in words); ``dcs`` (the serving DCs); ``notes`` (warnings)."""

    params: ChannelParams
    intensive: StrategyResult
    selective: StrategyResult
    exclusive: StrategyResult
    dcs: pd.DataFrame
    reference_price: float
    consumer_price: float
    unit_cost: float
    notes: tuple[str, ...] = field(default=())

    @property
    def strategies(self) -> dict[str, StrategyResult]:
        return {"intensive": self.intensive, "selective": self.selective, "exclusive": self.exclusive}

    @property
    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{"strategy": s, **r.kpis()} for s, r in self.strategies.items()]).set_index("strategy")

    @property
    def ranking(self) -> pd.DataFrame:
        """Strategies by profit (highest first) with ``gap_to_best`` (money/yr)."""
        rows = sorted(((s, r.profit) for s, r in self.strategies.items()), key=lambda x: -x[1])
        top = rows[0][1]
        return pd.DataFrame([{"strategy": s, "profit": v, "gap_to_best": top - v} for s, v in rows])

    @property
    def best(self) -> str:
        """The strategy with the highest profit (see ``too_close`` before calling it a winner)."""
        return str(self.ranking["strategy"].iloc[0])

    @property
    def runner_up(self) -> str:
        return str(self.ranking["strategy"].iloc[1])

    @property
    def margin(self) -> float:
        """How much more the best strategy earns than the runner-up (money/yr)."""
        return float(self.ranking["gap_to_best"].iloc[1])

    @property
    def too_close(self) -> bool:
        """True when the best beats the runner-up by no more than ``decision_tolerance`` of its profit."""
        return self.margin <= self.params.decision_tolerance * abs(self.strategies[self.best].profit)

    @property
    def verdict(self) -> str:
        """The comparison in one sentence, with the margin and the tolerance."""
        b, r = self.best, self.runner_up
        pb = self.strategies[b].profit
        rel = self.margin / abs(pb) if pb else float("inf")
        tol = self.params.decision_tolerance
        cur = self.params.currency
        if self.too_close:
            return (f"Too close to call: {b} earns {format_money(self.margin, cur, millions=True)} a year more than {r} "
                    f"({rel:.1%} of its profit), within the {tol:.0%} tolerance of the model.")
        return (f"{b.capitalize()} earns {format_money(self.margin, cur, millions=True)} a year more than {r} "
                f"({rel:.1%} of its profit; "
                f"tolerance {tol:.0%}).")

    def kpis(self) -> dict[str, float]:
        """Flat headline numbers: ``<strategy>_<kpi>``, plus ``best_margin`` and ``too_close``."""
        out = {f"{s}_{k}": v for s, r in self.strategies.items() for k, v in r.kpis().items()}
        out["best_margin"] = self.margin
        out["too_close"] = float(self.too_close)
        return out


def evaluate_outlets(market: Market, carried: np.ndarray, strategy: str, *,
                     territory: Mapping[str, int] | None = None, zone_territory: np.ndarray | None = None,
                     plan: TerritoryPlan | None = None, partners: pd.DataFrame | None = None) -> StrategyResult:
    """Capture and economics of carrying the consumer outlets ``carried`` (positions in
    ``market.outlets``) priced as ``strategy``; the wholesalers and distributors that supply
    its stores are added as rows of the outlets table."""
    p = market.params
    e = outlet_economics(market, carried, strategy, detail=True)
    pp = e.price
    o = market.outlets.iloc[e.rows].reset_index(drop=True)
    out = o[["outlet_id", "name", "channel", "channel_role", "tier", "attractiveness", "lat", "lon"]
            + [c for c in ("city", "state", "region") if c in o.columns]
            + ["role", "serving_dc", "dc_distance_km"]].copy()
    out["route"] = e.route
    out["route_role"] = e.route_role
    is_store = (out["role"] == "store").to_numpy()
    via = np.concatenate([market.outlets["supplier"].to_numpy(int)[e.rows[:e.n_consumer]] >= 0,
                          np.zeros(len(out) - e.n_consumer, dtype=bool)])
    out["supplier_id"] = np.where(is_store & via, o["supplier_id"].to_numpy(), "")
    if territory is not None:
        out["territory"] = out["outlet_id"].map(territory).astype("Int64")
    out["units"] = e.units
    out["supplied_units"] = e.supplied_units
    inc = np.full(len(out), np.nan)
    inc[:e.n_consumer] = e.incremental_units
    out["incremental_units"] = inc
    for c, v in e.money.items():
        out[c] = v
    out["channel_margin"] = out[["retailer_margin", "wholesaler_margin", "distributor_margin",
                                 "platform_commission"]].sum(axis=1)
    out["channel_fees"] = out["fulfilment"] + out["parcel"]
    out["revenue"] = out["consumer_sales"] - out["channel_margin"]
    out["net_margin"] = out["revenue"] - out["channel_fees"] - out["cost_of_goods"]
    out["cost_to_serve"] = out["account_cost"] + out["logistics_cost"]
    out["profit"] = out["net_margin"] - out["cost_to_serve"]

    g = out.groupby("route", sort=False)
    channels = pd.concat([g.size().rename("outlets"), g["route_role"].first().rename("channel_role"),
                          g[["units", *MONEY_COLUMNS]].sum()], axis=1).reset_index()
    channels = channels.rename(columns={"route": "channel"})

    # reach: carried stores within the radius (e-commerce reaches by parcel, reported apart)
    stores = e.rows[:e.n_consumer][market.physical[e.rows[:e.n_consumer]]]
    d = market.distance_km[:, stores]
    within = d <= p.coverage_radius_km
    n_within = within.sum(axis=1)
    in_reach = n_within > 0
    nearest = d.min(axis=1) if len(stores) else np.full(len(market.zones), np.inf)
    pop = market.zones["population"].to_numpy(float)
    has_online = bool(market.online[e.rows[:e.n_consumer]].any())
    z = market.zones[["customer_id"] + [c for c in ("name", "region") if c in market.zones.columns]
                     + ["lat", "lon", "population", "potential"]].copy()
    z["units"] = e.zone_store_units + e.zone_online_units
    z["online_units"] = e.zone_online_units
    z["own_share"] = e.own_share
    z["competitor_share"] = np.where(market.potential > 0, 1.0 - e.own_share, 0.0)
    z["outlets_within_r"] = n_within
    z["in_reach"] = in_reach
    z["nearest_km"] = nearest
    if zone_territory is not None:
        z["territory"] = zone_territory

    consumer = out.iloc[:e.n_consumer]
    total_units = float(consumer["units"].sum())
    premium = consumer["tier"].isin(PREMIUM_TIERS).to_numpy()
    reach_pop = float(pop[in_reach].sum())
    totals = {c: float(out[c].sum()) for c in MONEY_COLUMNS}
    terr_table = None
    if plan is not None and territory is not None:
        by_t = consumer.set_index("territory")
        t = plan.territories.copy()
        for col, src in (("partner_id", "outlet_id"), ("partner", "name"), ("partner_channel", "channel"),
                         ("partner_tier", "tier"), ("units", "units"), ("profit", "profit")):
            t[col] = t["territory"].map(by_t[src])
        # the brand's share of each territory's potential (its partner, mostly) at this price
        in_t = z.groupby("territory")["units"].sum()
        t["capture"] = t["territory"].map(in_t) / (t["potential"] * pp.volume_factor)
        if partners is not None:
            extra = partners.set_index("territory")
            t["partner_capture"] = t["territory"].map(extra["capture"])   # alone, at the reference price
            for col in ("best_capture", "candidates"):
                t[col] = t["territory"].map(extra[col])
        terr_table = t
    potential = float(market.potential.sum())
    inc_total = float(np.nansum(inc))
    return StrategyResult(
        strategy=strategy, price=pp, price_factor=pp.price_factor, consumer_price=pp.consumer_price, outlets=out,
        channels=channels, zones=z, territories=terr_table, territory_plan=plan, outlet_count=int(e.n_consumer),
        population=float(pop.sum()), population_in_reach=reach_pop,
        store_reach=reach_pop / float(pop.sum()) if pop.sum() > 0 else 0.0,
        online_reach=(float(pop[market.delivered].sum()) / float(pop.sum()) if has_online and pop.sum() > 0 else 0.0),
        potential=potential, units=total_units, market_share=total_units / potential,
        consumer_sales=totals["consumer_sales"], channel_margin=totals["channel_margin"],
        channel_fees=totals["channel_fees"], revenue=totals["revenue"], cost_of_goods=totals["cost_of_goods"],
        net_margin=totals["net_margin"],
        net_margin_pct=totals["net_margin"] / totals["revenue"] if totals["revenue"] > 0 else 0.0,
        account_cost=totals["account_cost"], logistics_cost=totals["logistics_cost"],
        cost_to_serve=totals["cost_to_serve"], profit=totals["profit"],
        brand_control=float(consumer["units"].to_numpy()[premium].sum()) / total_units if total_units > 0 else 0.0,
        cannibalisation=max(0.0, 1.0 - inc_total / total_units) if total_units > 0 else 0.0,
        overlap=float((pop * n_within)[in_reach].sum() / reach_pop) if reach_pop > 0 else 0.0,
    )


def _selective_set(market: Market) -> np.ndarray:
    p = market.params
    o = market.outlets
    ok = (market.consumer & o["tier"].isin(p.selective_tiers).to_numpy()
          & (o["attractiveness"] >= p.selective_min_attractiveness).to_numpy())
    eligible = np.flatnonzero(ok)
    if len(eligible) == 0:
        by_tier = o[market.consumer & o["tier"].isin(p.selective_tiers).to_numpy()]
        top = float(by_tier["attractiveness"].max()) if len(by_tier) else float("nan")
        raise SpecificationError(
            f"no store or listing meets the selective criteria (tiers {', '.join(p.selective_tiers)}, attractiveness "
            f">= {p.selective_min_attractiveness:g}); {len(by_tier)} of them have those tiers"
            + (f", the most attractive scores {top:g}" if len(by_tier) else "")
            + ": lower the minimum attractiveness or add tiers", constraint="selective",
            shortfall=1.0)
    if p.selective_size is None:
        return eligible
    if p.selective_size > len(eligible):
        raise SpecificationError(
            f"a selective network of {p.selective_size} outlets was asked for, but only {len(eligible)} stores and "
            f"listings meet the criteria: ask for at most {len(eligible)}, or relax the tiers or minimum "
            f"attractiveness", constraint="selective_size", shortfall=float(p.selective_size - len(eligible)))
    picks, _ = greedy_selection(market, eligible, p.selective_size, strategy="selective")
    return np.sort(picks)


def _exclusive(market: Market):
    """Territories, and the partner of each: (carried, outlet -> territory, zone territories,
    plan, partner table)."""
    p = market.params
    o = market.outlets
    ok = market.physical & o["tier"].isin(p.exclusive_tiers).to_numpy()
    cand_pos = np.flatnonzero(ok)
    cand = o.iloc[cand_pos]
    if cand.empty:
        raise SpecificationError(
            f"no store can be an exclusive partner: no retailer of tier {', '.join(p.exclusive_tiers)} is among the "
            f"outlets (wholesalers, distributors and e-commerce cannot hold a consumer territory): widen the partner "
            f"tiers or enable retailers", constraint="exclusive", shortfall=float(p.territories))
    plan = design_territories(market.zones, cand, count=p.territories, tolerance=p.balance_tolerance,
                              potential="potential", center_id="outlet_id", circuity=p.circuity,
                              time_limit_s=p.territory_time_limit_s)
    # each candidate as its territory's only outlet: units per zone (share of the store
    # potential at the reference price) and its profit at the exclusive price
    t = unit_terms(market, "exclusive")
    U = market.utility[:, cand_pos]
    C = market.competitor[:, None]
    zone_units = market.store_potential[:, None] * np.divide(U, U + C, out=np.zeros_like(U), where=(U + C) > 0)
    q = t.price.volume_factor
    sup = t.supplier[cand_pos]
    sup_cost = np.where(sup >= 0, o["account_cost"].to_numpy(float)[np.maximum(sup, 0)], 0.0)
    alone = q * zone_units.sum(axis=0) * t.contribution[cand_pos] - t.account_cost[cand_pos] - sup_cost
    partners = pick_partners(plan, market.zones, cand, circuity=p.circuity, zone_units=zone_units, profit=alone,
                             min_capture=p.partner_min_capture)
    pos = {oid: i for i, oid in enumerate(o["outlet_id"])}
    carried = np.array([pos[x] for x in partners["outlet_id"]], dtype=int)
    territory = dict(zip(partners["outlet_id"], partners["territory"].astype(int)))
    zone_terr = plan.assignment.set_index("customer_id")["territory"].reindex(market.zones["customer_id"]).to_numpy()
    return carried, territory, zone_terr, plan, partners


def strategy_sets(market: Market) -> dict[str, Any]:
    """The consumer outlets each strategy carries (positions in ``market.outlets``), and the
    exclusive design: ``intensive``, ``selective``, ``exclusive`` and ``exclusive_design``
    (territory map, zone territories, plan, partner table)."""
    carried, territory, zone_terr, plan, partners = _exclusive(market)
    return {"intensive": np.flatnonzero(market.consumer), "selective": _selective_set(market),
            "exclusive": carried, "exclusive_design": (territory, zone_terr, plan, partners)}


def strategy_profits(market: Market) -> dict[str, float]:
    """Each strategy's profit (money/yr) without building the result tables: the same sets and
    the same economics as :func:`evaluate_strategies` (used by the sensitivity analysis)."""
    sets = strategy_sets(market)
    return {s: outlet_economics(market, sets[s], s, detail=False).profit for s in STRATEGIES}


def evaluate_strategies(world_or_tables: Any, params: ChannelParams | None = None, *, serving_dcs=None,
                        market: Market | None = None) -> ChannelComparison:
    """Evaluate intensive, selective and exclusive distribution side by side.

    ``world_or_tables``: a :class:`~workbench.World` or a mapping with ``customers``,
    ``outlets`` (and ``sites``, ``products``). ``serving_dcs``: ``None`` for the World's
    existing DCs, or a DataFrame with ``site_id``, ``lat``, ``lon`` (e.g. the open DCs of a
    network design), or a list of site ids. Raises :class:`~workbench.DataError` for unusable
    data or parameters and :class:`~workbench.SpecificationError` for a strategy that cannot
    exist (no eligible outlets, more territories than partners, unbalanceable territories).
    """
    params = params or ChannelParams()
    if market is None:
        market = prepare_market(world_or_tables, params, serving_dcs=serving_dcs)
    p = market.params
    sets = strategy_sets(market)
    territory, zone_terr, plan, partners = sets["exclusive_design"]
    intensive = evaluate_outlets(market, sets["intensive"], "intensive")
    selective = evaluate_outlets(market, sets["selective"], "selective")
    exclusive = evaluate_outlets(market, sets["exclusive"], "exclusive", territory=territory,
                                 zone_territory=zone_terr, plan=plan, partners=partners)
    notes = []
    if "time limit" in plan.status:
        notes.append(f"The territory design stopped at its time limit ({p.territory_time_limit_s:g} s); the plan is "
                     f"balanced but may not be the shortest.")
    weak = partners[partners["capture"] < p.partner_min_capture]
    if len(weak):
        notes.append(f"{len(weak)} exclusive territor{'y has' if len(weak) == 1 else 'ies have'} no store capturing "
                     f"{p.partner_min_capture:.0%} of its potential (territor{'y' if len(weak) == 1 else 'ies'} "
                     f"{', '.join(str(int(t)) for t in weak['territory'])}): the partner is the best there is.")
    for r in (intensive, selective, exclusive):
        if r.profit < 0:
            notes.append(f"{r.strategy.capitalize()} distribution loses money "
                         f"({format_money(r.profit, p.currency)} a year).")
    return ChannelComparison(params=p, intensive=intensive, selective=selective, exclusive=exclusive,
                             dcs=market.dcs, reference_price=market.reference_price,
                             consumer_price=market.consumer_price, unit_cost=market.unit_cost, notes=tuple(notes))
