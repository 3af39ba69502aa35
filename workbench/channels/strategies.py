"""Intensive, selective and exclusive distribution, evaluated side by side.

* **Intensive**: every outlet of the enabled channels, at the consumer price less
  ``intensive_erosion``.
* **Selective**: the outlets whose tier is in ``selective_tiers`` and whose attractiveness
  is at least ``selective_min_attractiveness``; with ``selective_size`` the ``n`` most
  profitable of those (greedy marginal profit).
* **Exclusive**: one partner per territory. Territories are a balanced p-median over the
  demand zones (:mod:`.territories`); the partner is the territory's most attractive store of
  the ``exclusive_tiers`` (e-commerce cannot hold a territory). Priced with
  ``exclusive_premium``.

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
from .economics import STACK_STEPS, unit_stack
from .frontier import greedy_selection
from .market import Market, prepare_market
from .params import STRATEGIES, ChannelParams
from .territories import TerritoryPlan, design_territories, pick_partners

__all__ = ["StrategyResult", "ChannelComparison", "evaluate_strategies", "evaluate_outlets", "MONEY_COLUMNS",
           "KPI_NAMES"]

MONEY_COLUMNS = ("consumer_sales", *STACK_STEPS, "channel_margin", "channel_fees", "revenue", "cost_of_goods",
                 "net_margin", "account_cost", "logistics_cost", "cost_to_serve", "profit")
PREMIUM_TIERS = ("flagship", "premium")
KPI_NAMES = ("outlets", "population_covered", "coverage", "units", "market_share", "consumer_price",
             "consumer_sales", "channel_margin", "channel_fees", "revenue", "cost_of_goods", "net_margin",
             "net_margin_pct", "account_cost", "logistics_cost", "cost_to_serve", "profit", "brand_control",
             "cannibalisation", "overlap")


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """One strategy's outlets, capture and economics.

    Tables: ``outlets`` (one row per carried outlet: identity, serving DC, ``units``,
    ``standalone_units``, every money column, ``territory`` for exclusive), ``channels`` (the
    money columns summed per channel, with ``outlets`` and ``units``), ``zones`` (per demand
    zone: ``potential``, ``units``, ``own_share``, ``competitor_share``, ``outlets_within_r``,
    ``covered``, ``nearest_km``, ``territory``), ``territories`` (exclusive only).

    KPIs (numbers): ``outlet_count``, ``population_covered`` (people within the coverage
    radius of a carried store), ``coverage`` (share of population), ``units``,
    ``market_share`` (units / total potential), ``consumer_price``, the money totals (USD/yr),
    ``net_margin_pct`` (net margin / revenue), ``brand_control`` (share of units through
    flagship and premium outlets), ``cannibalisation`` (share of the carried outlets'
    stand-alone sales lost to each other: ``1 - units / sum(standalone_units)``), ``overlap``
    (population-weighted mean number of carried stores within the radius of a covered zone).
    """

    strategy: str
    price_factor: float
    consumer_price: float
    outlets: pd.DataFrame
    channels: pd.DataFrame
    zones: pd.DataFrame
    territories: pd.DataFrame | None
    territory_plan: TerritoryPlan | None
    outlet_count: int
    population: float
    population_covered: float
    coverage: float
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
        out = {name: float(getattr(self, "outlet_count" if name == "outlets" else name)) for name in KPI_NAMES}
        return out

    def waterfall(self, channel: str | None = None) -> pd.DataFrame:
        """The margin stack per unit sold (USD/unit), for one channel or all: ``step``,
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
    ``summary`` (one row per strategy, the KPI columns); ``margin_stack`` (per unit, per
    channel, at each strategy's price); ``dcs`` (the serving DCs); ``notes`` (warnings)."""

    params: ChannelParams
    intensive: StrategyResult
    selective: StrategyResult
    exclusive: StrategyResult
    dcs: pd.DataFrame
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
    def best(self) -> str:
        """The strategy with the highest profit."""
        return max(self.strategies, key=lambda s: self.strategies[s].profit)

    def kpis(self) -> dict[str, float]:
        """Flat headline numbers: ``<strategy>_<kpi>``."""
        return {f"{s}_{k}": v for s, r in self.strategies.items() for k, v in r.kpis().items()}


def evaluate_outlets(market: Market, carried: np.ndarray, strategy: str, *,
                     territory: Mapping[str, int] | None = None, zone_territory: np.ndarray | None = None,
                     plan: TerritoryPlan | None = None) -> StrategyResult:
    """Capture and economics of carrying the outlets ``carried`` (indices into
    ``market.outlets``) priced as ``strategy``."""
    p = market.params
    carried = np.asarray(carried, dtype=int)
    if len(carried) == 0:
        raise SpecificationError(f"the {strategy} strategy carries no outlet", constraint=strategy)
    pf = p.price_factor(strategy)
    price = market.consumer_price * pf
    q = pf ** (-p.price_elasticity)
    D = market.potential * q
    U = market.utility[:, carried]
    C = market.competitor
    denom = U.sum(axis=1) + C
    safe = np.where(denom > 0, denom, 1.0)
    P = U / safe[:, None]
    units_ij = D[:, None] * P
    units = units_ij.sum(axis=0)
    standalone = (D[:, None] * np.divide(U, U + C[:, None], out=np.zeros_like(U), where=(U + C[:, None]) > 0)).sum(axis=0)

    o = market.outlets.iloc[carried].reset_index(drop=True)
    out = o[["outlet_id", "name", "channel", "tier", "attractiveness", "lat", "lon"]
            + [c for c in ("city", "state", "region") if c in o.columns]
            + ["serving_dc", "dc_distance_km"]].copy()
    if territory is not None:
        out["territory"] = out["outlet_id"].map(territory).astype(int)
    out["units"] = units
    out["standalone_units"] = standalone
    stacks = {ch: unit_stack(ch, price, p) for ch in out["channel"].unique()}
    out["consumer_sales"] = units * price
    for step in STACK_STEPS:
        out[step] = units * out["channel"].map({ch: s[step] for ch, s in stacks.items()}).to_numpy(float)
    out["channel_margin"] = out[["retailer_margin", "wholesaler_margin", "distributor_margin",
                                 "platform_commission"]].sum(axis=1)
    out["channel_fees"] = out["fulfilment"] + out["parcel"]
    out["revenue"] = out["consumer_sales"] - out["channel_margin"]
    out["cost_of_goods"] = units * market.unit_cost
    out["net_margin"] = out["revenue"] - out["channel_fees"] - out["cost_of_goods"]
    out["account_cost"] = o["account_cost"].to_numpy(float)
    out["logistics_cost"] = units * (p.logistics_cost_per_unit_km * o["dc_distance_km"].to_numpy(float)
                                     + o["handling_cost"].to_numpy(float))
    out["cost_to_serve"] = out["account_cost"] + out["logistics_cost"]
    out["profit"] = out["net_margin"] - out["cost_to_serve"]

    g = out.groupby("channel", sort=False)
    channels = pd.concat([g.size().rename("outlets"), g[["units", *MONEY_COLUMNS]].sum()], axis=1).reset_index()

    # coverage: carried stores (not e-commerce) within the radius
    phys = market.physical[carried]
    d = market.distance_km[:, carried]
    within = (d <= p.coverage_radius_km) & phys[None, :]
    n_within = within.sum(axis=1)
    covered = n_within > 0
    nearest = np.where(phys.any(), np.min(np.where(phys[None, :], d, np.inf), axis=1), np.inf)
    pop = market.zones["population"].to_numpy(float)
    z = market.zones[["customer_id"] + [c for c in ("name", "region") if c in market.zones.columns]
                     + ["lat", "lon", "population", "potential"]].copy()
    z["units"] = units_ij.sum(axis=1)
    z["own_share"] = P.sum(axis=1)
    z["competitor_share"] = np.where(denom > 0, C / safe, 0.0)
    z["outlets_within_r"] = n_within
    z["covered"] = covered
    z["nearest_km"] = nearest
    if zone_territory is not None:
        z["territory"] = zone_territory

    total_units = float(units.sum())
    premium = out["tier"].isin(PREMIUM_TIERS).to_numpy()
    cov_pop = float(pop[covered].sum())
    totals = {c: float(out[c].sum()) for c in MONEY_COLUMNS}
    terr_table = None
    if plan is not None and territory is not None:
        partners = out.set_index("territory")
        t = plan.territories.copy()
        t["partner_id"] = t["territory"].map(partners["outlet_id"])
        t["partner"] = t["territory"].map(partners["name"])
        t["partner_channel"] = t["territory"].map(partners["channel"])
        t["partner_tier"] = t["territory"].map(partners["tier"])
        t["units"] = t["territory"].map(partners["units"])
        t["profit"] = t["territory"].map(partners["profit"])
        terr_table = t
    return StrategyResult(
        strategy=strategy, price_factor=pf, consumer_price=price, outlets=out, channels=channels, zones=z,
        territories=terr_table, territory_plan=plan, outlet_count=int(len(carried)),
        population=float(pop.sum()), population_covered=cov_pop,
        coverage=cov_pop / float(pop.sum()) if pop.sum() > 0 else 0.0,
        potential=float(market.potential.sum()), units=total_units,
        market_share=total_units / float(market.potential.sum()),
        consumer_sales=totals["consumer_sales"], channel_margin=totals["channel_margin"],
        channel_fees=totals["channel_fees"], revenue=totals["revenue"], cost_of_goods=totals["cost_of_goods"],
        net_margin=totals["net_margin"],
        net_margin_pct=totals["net_margin"] / totals["revenue"] if totals["revenue"] > 0 else 0.0,
        account_cost=totals["account_cost"], logistics_cost=totals["logistics_cost"],
        cost_to_serve=totals["cost_to_serve"], profit=totals["profit"],
        brand_control=float(units[premium].sum()) / total_units if total_units > 0 else 0.0,
        cannibalisation=1.0 - total_units / float(standalone.sum()) if standalone.sum() > 0 else 0.0,
        overlap=float((pop * n_within)[covered].sum() / cov_pop) if cov_pop > 0 else 0.0,
    )


def _selective_set(market: Market) -> np.ndarray:
    p = market.params
    o = market.outlets
    ok = (o["tier"].isin(p.selective_tiers) & (o["attractiveness"] >= p.selective_min_attractiveness)).to_numpy()
    eligible = np.flatnonzero(ok)
    if len(eligible) == 0:
        by_tier = o[o["tier"].isin(p.selective_tiers)]
        top = float(by_tier["attractiveness"].max()) if len(by_tier) else float("nan")
        raise SpecificationError(
            f"no outlet meets the selective criteria (tiers {', '.join(p.selective_tiers)}, attractiveness >= "
            f"{p.selective_min_attractiveness:g}); {len(by_tier)} outlets have those tiers"
            + (f", the most attractive scores {top:g}" if len(by_tier) else "")
            + ": lower the minimum attractiveness or add tiers", constraint="selective",
            shortfall=1.0)
    if p.selective_size is None:
        return eligible
    if p.selective_size > len(eligible):
        raise SpecificationError(
            f"a selective network of {p.selective_size} outlets was asked for, but only {len(eligible)} outlets meet "
            f"the criteria: ask for at most {len(eligible)}, or relax the tiers or minimum attractiveness",
            constraint="selective_size", shortfall=float(p.selective_size - len(eligible)))
    picks, _ = greedy_selection(market, eligible, p.selective_size, strategy="selective")
    return np.sort(picks)


def _exclusive(market: Market) -> tuple[np.ndarray, dict[str, int], np.ndarray, TerritoryPlan]:
    p = market.params
    o = market.outlets
    ok = (o["tier"].isin(p.exclusive_tiers) & (o["channel"] != "ecommerce")).to_numpy()
    cand = o[ok]
    if cand.empty:
        raise SpecificationError(
            f"no store can be an exclusive partner: none of the enabled channels ({', '.join(p.channels)}) has a "
            f"store of tier {', '.join(p.exclusive_tiers)}: widen the partner tiers or enable retailers, "
            f"wholesalers or distributors", constraint="exclusive", shortfall=float(p.territories))
    plan = design_territories(market.zones, cand, count=p.territories, tolerance=p.balance_tolerance,
                              potential="potential", center_id="outlet_id", circuity=p.circuity,
                              time_limit_s=p.territory_time_limit_s)
    partners = pick_partners(plan, market.zones, cand, circuity=p.circuity)
    pos = {oid: i for i, oid in enumerate(o["outlet_id"])}
    carried = np.array([pos[x] for x in partners["outlet_id"]], dtype=int)
    territory = dict(zip(partners["outlet_id"], partners["territory"].astype(int)))
    zone_terr = plan.assignment.set_index("customer_id")["territory"].reindex(market.zones["customer_id"]).to_numpy()
    return carried, territory, zone_terr, plan


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
    n = len(market.outlets)
    intensive = evaluate_outlets(market, np.arange(n), "intensive")
    selective = evaluate_outlets(market, _selective_set(market), "selective")
    carried, territory, zone_terr, plan = _exclusive(market)
    exclusive = evaluate_outlets(market, carried, "exclusive", territory=territory, zone_territory=zone_terr,
                                 plan=plan)
    notes = []
    if "time limit" in plan.status:
        notes.append(f"The territory design stopped at its time limit ({p.territory_time_limit_s:g} s); the plan is "
                     f"balanced but may not be the shortest.")
    for r in (intensive, selective, exclusive):
        if r.profit < 0:
            notes.append(f"{r.strategy.capitalize()} distribution loses money ({r.profit:,.0f} USD/yr).")
    return ChannelComparison(params=p, intensive=intensive, selective=selective, exclusive=exclusive,
                             dcs=market.dcs, consumer_price=market.consumer_price, unit_cost=market.unit_cost,
                             notes=tuple(notes))
