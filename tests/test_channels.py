"""Channel strategy: Huff capture, margin stack, strategies, territories and the frontier."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import DataError, SpecificationError
from workbench.channels import (
    DEFAULT_MIN_DISTANCE_KM,
    KEY_ASSUMPTIONS,
    REFERENCE_RETAIL_MARGIN,
    SOURCES,
    ChannelParams,
    break_even,
    calibrate_capture,
    design_territories,
    evaluate_outlets,
    evaluate_strategies,
    frontier,
    greedy_selection,
    huff_probabilities,
    huff_utility,
    margin_stack,
    outlet_economics,
    pick_partners,
    prepare_market,
    price_point,
    reference_prices,
    strategy_profits,
    strategy_sets,
    unit_stack,
)

KM_PER_DEG = 6371.0088 * math.pi / 180.0  # one degree of longitude on the equator


# ------------------------------------------------------------------------------------------
# small hand-computable worlds
# ------------------------------------------------------------------------------------------


def _tables(outlets, zones=None, dcs=None):
    zones = zones if zones is not None else pd.DataFrame(
        {"customer_id": ["Z1"], "lat": [0.0], "lon": [0.0], "population": [100], "annual_demand": [1000.0]})
    dcs = dcs if dcs is not None else pd.DataFrame(
        {"site_id": ["DC1"], "lat": [0.0], "lon": [0.0], "handling_cost": [0.5], "existing": [True]})
    return {"customers": zones, "outlets": pd.DataFrame(outlets), "sites": dcs}


HAND_OUTLETS = {"outlet_id": ["O1", "O2", "W1", "E1"], "name": ["Big store", "Corner shop", "Cash & carry", "Webshop"],
                "channel": ["retailer", "retailer", "wholesaler", "ecommerce"],
                "tier": ["flagship", "mass", "mass", "premium"], "attractiveness": [30.0, 10.0, 10.0, 20.0],
                "lat": [0.0] * 4, "lon": [0.0] * 4}
HAND_PARAMS = ChannelParams(
    alpha=1.0, beta=2.0, min_distance_km=5.0, circuity=1.0, competitor_attraction={"Z1": 0.4},
    competitor_distance_km=10.0, online_share=0.1, ecommerce_delivery_km=100.0,
    reference_price=10.0, consumer_price=10.0, unit_cost=4.0, retailer_margin=0.3, wholesaler_margin=0.1,
    ecommerce_commission=0.15, ecommerce_fulfilment=1.0, ecommerce_parcel=2.0, intensive_erosion=0.0,
    price_elasticity=2.0,
    account_cost={"retailer": 100.0, "wholesaler": 50.0, "distributor": 0.0, "ecommerce": 30.0},
    logistics_cost_per_unit_km=0.01, indirect_tiers=("mass",), intermediary_radius_km=50.0,
    selective_tiers=("flagship", "premium"), selective_min_attractiveness=0.0,
    territories=1, exclusive_tiers=("flagship",))


@pytest.fixture(scope="module")
def sample_comparison(sample_world):
    """The three strategies on the sample company with default parameters."""
    return evaluate_strategies(sample_world, ChannelParams())


# ------------------------------------------------------------------------------------------
# Huff
# ------------------------------------------------------------------------------------------


def test_huff_hand_case():
    """P = A/d^2 / (sum + C), with distances floored at the minimum distance."""
    p, comp = huff_probabilities([30.0, 10.0], [[0.0, 10.0]], [0.4], alpha=1.0, beta=2.0, min_distance_km=5.0)
    u1, u2 = 30.0 / 25.0, 10.0 / 100.0
    assert p[0].tolist() == pytest.approx([u1 / (u1 + u2 + 0.4), u2 / (u1 + u2 + 0.4)])
    assert comp[0] == pytest.approx(0.4 / (u1 + u2 + 0.4))


def test_huff_probabilities_are_shares():
    """Capture probabilities lie in [0, 1] and sum with the competitors' share to 1 in every zone."""
    rng = np.random.default_rng(7)
    a = rng.uniform(1, 100, 40)
    d = rng.uniform(0, 800, (25, 40))
    c = rng.uniform(0, 2, 25)
    p, comp = huff_probabilities(a, d, c, alpha=1.3, beta=1.7, min_distance_km=1.0)
    assert ((p >= 0) & (p <= 1)).all() and ((comp >= 0) & (comp <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=1) + comp, 1.0, rtol=1e-12)


def test_huff_more_outlets_more_reach_less_per_outlet():
    """Adding an outlet raises the brand's share of a zone but lowers each existing outlet's share."""
    p1, c1 = huff_probabilities([20.0], [[10.0]], [0.5], alpha=1, beta=2)
    p2, c2 = huff_probabilities([20.0, 20.0], [[10.0, 12.0]], [0.5], alpha=1, beta=2)
    assert p2.sum() > p1.sum()
    assert p2[0, 0] < p1[0, 0]


# ------------------------------------------------------------------------------------------
# margin stack and a hand-computed evaluation
# ------------------------------------------------------------------------------------------


def test_unit_stack_per_channel():
    """Margins are taken on each intermediary's selling price; e-commerce pays fulfilment and parcel."""
    p = ChannelParams(retailer_margin=0.3, wholesaler_margin=0.1, distributor_margin=0.2, ecommerce_commission=0.15,
                      ecommerce_fulfilment=2.0, ecommerce_parcel=5.0)
    assert unit_stack("retailer", 10.0, p)["net_price"] == pytest.approx(7.0)
    w = unit_stack("wholesaler", 10.0, p)
    assert (w["retailer_margin"], w["wholesaler_margin"], w["net_price"]) == pytest.approx((3.0, 0.7, 6.3))
    assert unit_stack("distributor", 10.0, p)["net_price"] == pytest.approx(5.6)
    e = unit_stack("ecommerce", 10.0, p)
    assert (e["platform_commission"], e["net_price"], e["net_after_fees"]) == pytest.approx((1.5, 8.5, 1.5))
    table = margin_stack(p, 10.0, 4.0)
    assert table.set_index("channel")["contribution"].to_dict() == pytest.approx(
        {"wholesaler": 2.3, "retailer": 3.0, "distributor": 1.6, "ecommerce": -2.5})


def test_hand_computed_intensive():
    """One zone, a flagship, a corner shop supplied by a wholesaler and a webshop: units, money, profit by hand."""
    cmp = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS)
    r = cmp.intensive
    o = r.outlets.set_index("outlet_id")
    # stores share 90% of the potential: U = 30/25 = 1.2 and 10/25 = 0.4, C = 0.4 -> 540 and 180 units;
    # online 10%: the webshop (20) against the same competitors without distance (0.4 * 10^2 = 40) -> 1/3
    assert o["units"].to_dict() == pytest.approx({"O1": 540.0, "O2": 180.0, "W1": 0.0, "E1": 100.0 / 3})
    assert o.loc["W1", "supplied_units"] == pytest.approx(180.0)
    assert o["route"].to_dict() == {"O1": "retailer", "O2": "wholesaler", "W1": "wholesaler", "E1": "ecommerce"}
    assert o.loc["O2", "supplier_id"] == "W1"
    assert r.zones["competitor_share"].iloc[0] == pytest.approx(1 - (720 + 100 / 3) / 1000)
    assert o.loc["O1", ["consumer_sales", "retailer_margin", "revenue", "cost_of_goods", "net_margin",
                        "logistics_cost", "account_cost", "profit"]].tolist() == pytest.approx(
        [5400, 1620, 3780, 2160, 1620, 270, 100, 1250])
    # the corner shop buys from the wholesaler: its margin on the retailer's price, no store account
    assert o.loc["O2", ["consumer_sales", "retailer_margin", "wholesaler_margin", "revenue", "cost_of_goods",
                        "logistics_cost", "account_cost", "profit"]].tolist() == pytest.approx(
        [1800, 540, 126, 1134, 720, 90, 0, 324])
    assert o.loc["W1", ["account_cost", "profit"]].tolist() == pytest.approx([50, -50])
    e = 100.0 / 3
    assert o.loc["E1", ["platform_commission", "fulfilment", "parcel", "logistics_cost", "profit"]].tolist() == \
        pytest.approx([e * 1.5, e, 2 * e, 0.5 * e, e * (10 - 1.5 - 1 - 2 - 4 - 0.5) - 30])
    assert r.profit == pytest.approx(1250 + 324 - 50 + e * 1.0 - 30)
    assert r.units == pytest.approx(720 + e) and r.market_share == pytest.approx((720 + e) / 1000)
    # incremental units: without O1 the shop sells 900*0.4/0.8 = 450 (720 - 450 = 270 lost); without O2 the
    # flagship sells 900*1.2/1.6 = 675 (45 lost); without the webshop its 33.3 units are lost
    assert o["incremental_units"].dropna().to_dict() == pytest.approx({"O1": 270.0, "O2": 45.0, "E1": e})
    assert r.cannibalisation == pytest.approx(1 - (270 + 45 + e) / (720 + e))
    assert r.brand_control == pytest.approx((540 + e) / (720 + e))
    assert r.outlet_count == 3       # consumer outlets; the wholesaler is their supplier
    assert r.store_reach == pytest.approx(1.0) and r.overlap == pytest.approx(2.0) and r.online_reach == 1.0
    # selective carries the flagship and the webshop; exclusive the flagship alone
    assert sorted(cmp.selective.outlets["outlet_id"]) == ["E1", "O1"]
    assert cmp.selective.units == pytest.approx(900 * 1.2 / 1.6 + e)
    assert cmp.exclusive.outlets["outlet_id"].tolist() == ["O1"]


def test_hand_logistics_by_distance_from_dc():
    """Logistics cost = units x (cost per unit-km x road distance from the serving DC + handling)."""
    dcs = pd.DataFrame({"site_id": ["FAR", "NEAR"], "lat": [0.0, 0.0], "lon": [2.0, 1.0], "handling_cost": [0.0, 0.2]})
    cmp = evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, ecommerce_delivery_km=500.0),
                              serving_dcs=dcs)
    o = cmp.intensive.outlets.set_index("outlet_id")
    assert set(o["serving_dc"]) == {"NEAR"}
    assert o.loc["O1", "dc_distance_km"] == pytest.approx(KM_PER_DEG)
    assert o.loc["O1", "logistics_cost"] == pytest.approx(540 * (0.01 * KM_PER_DEG + 0.2))
    # the shop is delivered through its wholesaler: freight to the wholesaler, same place here
    assert o.loc["O2", "logistics_cost"] == pytest.approx(180 * (0.01 * KM_PER_DEG + 0.2))
    # the webshop ships parcels (paid per unit): only DC handling
    assert o.loc["E1", "logistics_cost"] == pytest.approx(o.loc["E1", "units"] * 0.2)


def test_waterfall_steps_sum_to_profit_per_unit():
    """The per-unit waterfall starts at the consumer price and its steps add up to profit per unit."""
    r = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS).intensive
    wf = r.waterfall()
    assert wf["step"].iloc[0] == "Consumer price" and wf["amount"].iloc[0] == pytest.approx(10.0)
    assert wf["amount"].iloc[:-1].sum() == pytest.approx(wf["amount"].iloc[-1])
    assert wf["amount"].iloc[-1] == pytest.approx(r.profit / r.units)
    wh = r.waterfall("wholesaler").set_index("step")["amount"]
    assert wh["Wholesaler margin"] == pytest.approx(-0.7) and wh["Profit"] == pytest.approx((324 - 50) / 180)


# ------------------------------------------------------------------------------------------
# the price model (issue points 1 and 3)
# ------------------------------------------------------------------------------------------


def test_higher_retailer_margin_at_fixed_consumer_price_lowers_profit(sample_world):
    """The consumer price does not follow the retailer margin: a higher margin leaves the manufacturer less."""
    profits, prices = [], []
    for m in (0.30, 0.40, 0.50):
        cmp = evaluate_strategies(sample_world, ChannelParams(retailer_margin=m))
        profits.append({s: r.profit for s, r in cmp.strategies.items()})
        prices.append(cmp.consumer_price)
    assert prices[0] == prices[1] == prices[2] == reference_prices(sample_world)[0]
    for s in ("intensive", "selective", "exclusive"):
        assert profits[0][s] > profits[1][s] > profits[2][s]


def test_reference_price_comes_from_the_list_price_not_the_margin(sample_world):
    """Reference shelf price = demand-weighted list price / (1 - 30%), in cents, whatever the margin assumption."""
    prods = sample_world.products
    share = prods["demand_share"] / prods["demand_share"].sum()
    expected = round(float((prods["price"] * share).sum()) / (1 - REFERENCE_RETAIL_MARGIN), 2)
    assert reference_prices(sample_world, ChannelParams(retailer_margin=0.45))[0] == pytest.approx(expected)
    assert expected == pytest.approx(27.74)


def test_price_level_moves_volume_with_constant_elasticity(sample_world):
    """At elasticity 2, doubling the shelf price sells a quarter of the units and half the consumer sales."""
    ref = reference_prices(sample_world)[0]
    base = evaluate_strategies(sample_world, ChannelParams(price_elasticity=2.0, consumer_price=ref)).intensive
    dbl = evaluate_strategies(sample_world, ChannelParams(price_elasticity=2.0, consumer_price=2 * ref)).intensive
    assert dbl.units == pytest.approx(base.units * 0.25, rel=1e-12)
    assert dbl.consumer_sales == pytest.approx(base.consumer_sales * 0.5, rel=1e-12)
    assert base.price.volume_factor == pytest.approx(0.95 ** -2.0)   # the 5% erosion sells more


def test_premium_and_price_level_share_one_elasticity(sample_world):
    """A 30% exclusive premium sells 1.3**-e of the units, and so does a 30% higher base price."""
    p0 = ChannelParams(price_elasticity=1.5, exclusive_premium=0.0)
    u0 = evaluate_strategies(sample_world, p0).exclusive.units
    u1 = evaluate_strategies(sample_world, dataclasses.replace(p0, exclusive_premium=0.3)).exclusive.units
    ref = reference_prices(sample_world)[0]
    u2 = evaluate_strategies(sample_world, dataclasses.replace(p0, consumer_price=1.3 * ref)).exclusive.units
    assert u1 == pytest.approx(u0 * 1.3 ** -1.5, rel=1e-9)
    assert u2 == pytest.approx(u1, rel=1e-9)


def test_default_elasticity_is_the_published_mean():
    """The default elasticity is the Bijmolt, van Heerde & Pieters (2005) mean, stated with its source."""
    assert ChannelParams().price_elasticity == pytest.approx(2.62)
    assert "Bijmolt" in SOURCES["price_elasticity"] and "2005" in SOURCES["price_elasticity"]
    p = price_point(ChannelParams(), 10.0, 10.0, "exclusive")
    assert p.consumer_price == pytest.approx(11.5) and p.volume_factor == pytest.approx(1.15 ** -2.62)


# ------------------------------------------------------------------------------------------
# channel roles, e-commerce reach, cannibalisation (issue points 6, 7, 8)
# ------------------------------------------------------------------------------------------


def test_wholesalers_and_distributors_neither_sell_to_shoppers_nor_hold_territories(sample_world, sample_comparison):
    """Intermediaries carry no consumer units, count in no reach, never partner; they change cost, not units."""
    for r in sample_comparison.strategies.values():
        inter = r.outlets[r.outlets["channel"].isin(["wholesaler", "distributor"])]
        assert (inter["units"] == 0).all() and (inter["role"] == "intermediary").all()
        assert (inter["supplied_units"] > 0).all()
    assert sample_comparison.exclusive.outlets["channel"].eq("retailer").all()
    no_wholesale = evaluate_strategies(sample_world, ChannelParams(channels=("retailer", "ecommerce")))
    assert no_wholesale.intensive.units == pytest.approx(sample_comparison.intensive.units, rel=1e-12)
    assert no_wholesale.intensive.store_reach == pytest.approx(sample_comparison.intensive.store_reach)
    # stores of the direct tiers are never routed through an intermediary
    o = sample_comparison.intensive.outlets
    stores = o[o["role"] == "store"]
    assert (stores.loc[stores["tier"] != "mass", "route"] == "retailer").all()
    assert (stores.loc[stores["tier"] == "mass", "route"] != "retailer").any()


def test_ecommerce_reach_does_not_grow_with_listings():
    """One, five or fifteen equal webshops sell the same online units: reach is parcels and the online share."""
    units = []
    for n in (1, 5, 15):
        o = {k: list(v[:2]) for k, v in HAND_OUTLETS.items()}
        for k in range(n):
            for col, v in (("outlet_id", f"E{k}"), ("name", f"Shop {k}"), ("channel", "ecommerce"),
                           ("tier", "premium"), ("attractiveness", 20.0), ("lat", 0.0), ("lon", 0.0)):
                o[col].append(v)
        r = evaluate_strategies(_tables(o), HAND_PARAMS).intensive
        units.append(float(r.outlets.loc[r.outlets["channel"] == "ecommerce", "units"].sum()))
    assert units == pytest.approx([100.0 / 3] * 3)


def test_ecommerce_reaches_only_zones_parcels_reach():
    """A zone beyond the parcel reach of every serving DC buys nothing online; its stores keep the potential."""
    zones = pd.DataFrame({"customer_id": ["Z1", "Z2"], "lat": [0.0, 0.0], "lon": [0.0, 10.0],
                          "population": [100, 100], "annual_demand": [1000.0, 1000.0]})
    p = dataclasses.replace(HAND_PARAMS, competitor_attraction={"Z1": 0.4, "Z2": 0.4})
    r = evaluate_strategies(_tables(HAND_OUTLETS, zones=zones), p).intensive
    z = r.zones.set_index("customer_id")
    assert z.loc["Z1", "online_units"] == pytest.approx(100.0 / 3) and z.loc["Z2", "online_units"] == 0.0
    assert r.online_reach == pytest.approx(0.5)


def test_cannibalisation_is_own_sales_lost_to_own_outlets(sample_comparison):
    """Cannibalisation = 1 - incremental units / units; a single outlet cannibalises nothing."""
    for r in sample_comparison.strategies.values():
        o = r.outlets[r.outlets["role"] != "intermediary"]
        assert r.cannibalisation == pytest.approx(1 - o["incremental_units"].sum() / r.units)
        assert 0.0 <= r.cannibalisation < 1.0
    single = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS).exclusive
    assert single.cannibalisation == pytest.approx(0.0)


def test_one_distance_floor():
    """The capture model has one distance floor: the parameter default and the Huff functions agree."""
    assert ChannelParams().min_distance_km == DEFAULT_MIN_DISTANCE_KM == 5.0
    for fn in (huff_probabilities, huff_utility):
        assert inspect.signature(fn).parameters["min_distance_km"].default == DEFAULT_MIN_DISTANCE_KM


# ------------------------------------------------------------------------------------------
# invariants on the sample company
# ------------------------------------------------------------------------------------------


def test_sample_profit_reconciles(sample_comparison):
    """Per strategy and per outlet: profit = consumer sales - channel margins - fees - COGS - cost to serve."""
    for r in sample_comparison.strategies.values():
        parts = r.consumer_sales - r.channel_margin - r.channel_fees - r.cost_of_goods - r.cost_to_serve
        assert r.profit == pytest.approx(parts, rel=1e-12)
        assert r.revenue == pytest.approx(r.consumer_sales - r.channel_margin)
        assert r.net_margin == pytest.approx(r.revenue - r.channel_fees - r.cost_of_goods)
        assert r.cost_to_serve == pytest.approx(r.account_cost + r.logistics_cost)
        o = r.outlets
        np.testing.assert_allclose(o["profit"], o["consumer_sales"] - o["channel_margin"] - o["channel_fees"]
                                   - o["cost_of_goods"] - o["account_cost"] - o["logistics_cost"], rtol=1e-9, atol=1e-6)
        assert r.channels["profit"].sum() == pytest.approx(r.profit)
        assert r.units == pytest.approx(o["units"].sum()) == pytest.approx(r.zones["units"].sum())


def test_sample_zone_shares(sample_comparison):
    """In every zone the own share and the competitors' share lie in [0, 1] and sum to 1."""
    for r in sample_comparison.strategies.values():
        z = r.zones
        assert z["own_share"].between(0, 1).all() and z["competitor_share"].between(0, 1).all()
        np.testing.assert_allclose(z["own_share"] + z["competitor_share"], 1.0, rtol=1e-12)


def test_sample_strategies_are_ordered(sample_comparison, sample_world):
    """Intensive carries every store and listing, selective meets the criteria, exclusive is the narrowest."""
    c = sample_comparison
    p = c.params
    consumer = sample_world.outlets["channel"].isin(["retailer", "ecommerce"])
    assert c.intensive.outlet_count == int(consumer.sum())
    sel = c.selective.outlets[c.selective.outlets["role"] != "intermediary"]
    assert sel["tier"].isin(p.selective_tiers).all() and (sel["attractiveness"] >= p.selective_min_attractiveness).all()
    assert c.exclusive.outlet_count == p.territories
    assert c.intensive.store_reach >= c.selective.store_reach >= c.exclusive.store_reach
    assert c.intensive.units > c.selective.units > c.exclusive.units
    assert c.intensive.cannibalisation > c.selective.cannibalisation > c.exclusive.cannibalisation
    assert c.selective.brand_control == pytest.approx(1.0) and c.exclusive.brand_control == pytest.approx(1.0)
    assert c.intensive.brand_control < 1.0
    assert c.exclusive.net_margin_pct > c.intensive.net_margin_pct
    # reach is the share of the modelled zones' population within reach of a carried store
    z = c.intensive.zones
    assert c.intensive.store_reach == pytest.approx(z.loc[z["in_reach"], "population"].sum() / z["population"].sum())


def test_exclusive_one_partner_per_balanced_territory(sample_comparison):
    """Exactly one partner per territory, every zone in one territory, potentials within the tolerance."""
    r = sample_comparison.exclusive
    p = sample_comparison.params
    t = r.territories
    assert sorted(t["territory"]) == list(range(1, p.territories + 1))
    assert t["partner_id"].is_unique and len(t) == r.outlet_count
    assert sorted(r.outlets["territory"]) == list(range(1, p.territories + 1))
    assert (r.outlets["channel"] == "retailer").all()
    assert r.zones["territory"].notna().all()
    mean = r.zones["potential"].sum() / p.territories
    assert t["potential"].sum() == pytest.approx(r.zones["potential"].sum())
    assert (t["potential"] <= (1 + p.balance_tolerance) * mean * (1 + 1e-9)).all()
    assert (t["potential"] >= (1 - p.balance_tolerance) * mean * (1 - 1e-9)).all()
    assert (r.outlets["tier"].isin(p.exclusive_tiers)).all()


def test_no_partner_captures_less_than_the_stated_share_when_a_better_one_exists(sample_world, sample_comparison):
    """Each partner captures at least partner_min_capture of its territory unless no store there does;
    brute force over every eligible store of each territory, and more profit than the most attractive store."""
    p = sample_comparison.params
    r = sample_comparison.exclusive
    market = prepare_market(sample_world, p)
    plan = r.territory_plan
    o = market.outlets
    cand_pos = np.flatnonzero(market.physical & o["tier"].isin(p.exclusive_tiers).to_numpy())
    cand = o.iloc[cand_pos]
    zone_terr = r.zones["territory"].to_numpy()
    U = market.utility[:, cand_pos]
    alone = market.store_potential[:, None] * U / (U + market.competitor[:, None])
    partners = pick_partners(plan, market.zones, cand, circuity=p.circuity)  # candidates' home territories
    ranked = pick_partners(plan, market.zones, cand, circuity=p.circuity, zone_units=alone,
                           profit=np.zeros(len(cand)), min_capture=p.partner_min_capture)
    assert (ranked["candidates"] >= 1).all() and len(partners) == p.territories
    for _, t in r.territories.iterrows():
        row = ranked.set_index("territory").loc[t["territory"]]
        pj = list(cand["outlet_id"]).index(t["partner_id"])
        in_t = zone_terr == t["territory"]
        capture = alone[in_t, pj].sum() / t["potential"]
        assert capture >= p.partner_min_capture or row["best_capture"] < p.partner_min_capture
    t = r.territories
    assert ((t["partner_capture"] >= p.partner_min_capture) | (t["best_capture"] < p.partner_min_capture)).all()
    # against the old rule (the most attractive store of each territory)
    old = evaluate_outlets(market, np.array([list(o["outlet_id"]).index(x) for x in partners["outlet_id"]]),
                           "exclusive")
    assert r.profit > old.profit


def test_a_premium_change_reuses_the_territory_plan(sample_world, sample_comparison):
    """A change that does not touch the territories keeps the same exclusive territories (the plan
    is reused; its speed is measured in benchmarks/timings.py, not asserted here)."""
    again = evaluate_strategies(sample_world, dataclasses.replace(ChannelParams(), exclusive_premium=0.3))
    before = sample_comparison.exclusive.zones["territory"].to_numpy()
    assert (again.exclusive.zones["territory"].to_numpy() == before).all()


def test_sample_evaluation_is_correct_after_a_premium_change(sample_world, sample_comparison):
    """A premium change re-prices exclusive (volume by the elasticity) and leaves the territories alone."""
    more = evaluate_strategies(sample_world, dataclasses.replace(ChannelParams(), exclusive_premium=0.30)).exclusive
    base = sample_comparison.exclusive
    assert more.consumer_price == pytest.approx(base.consumer_price / 1.15 * 1.30)
    assert more.territories["potential"].tolist() == base.territories["potential"].tolist()


def test_frontier_reach_and_units_never_fall(sample_world, sample_comparison):
    """More outlets never lower reach or units along the frontier; profit matches a direct evaluation."""
    params = ChannelParams()
    f = frontier(sample_world, params, comparison=sample_comparison)
    c = f.curve
    consumer = int(sample_world.outlets["channel"].isin(["retailer", "ecommerce"]).sum())
    assert len(c) == consumer and c["outlet_id"].is_unique
    assert set(c["channel"]) <= {"retailer", "ecommerce"}
    assert (np.diff(c["store_reach"]) >= -1e-12).all()
    assert (np.diff(c["units"]) >= -1e-9).all()
    assert set(f.marks["strategy"]) == {"intensive", "selective", "exclusive"}
    assert f.best["profit"] == pytest.approx(c["profit"].max())
    market = prepare_market(sample_world, params)
    pos = {oid: i for i, oid in enumerate(market.outlets["outlet_id"])}
    for k in (1, 7, 60, int(f.best["outlets"])):
        picks = [pos[o] for o in c["outlet_id"].iloc[:k]]
        direct = evaluate_outlets(market, np.array(picks), "selective")
        assert direct.profit == pytest.approx(c["profit"].iloc[k - 1], rel=1e-9)
        assert direct.units == pytest.approx(c["units"].iloc[k - 1], rel=1e-9)
        assert direct.store_reach == pytest.approx(c["store_reach"].iloc[k - 1])
    everything = evaluate_outlets(market, np.flatnonzero(market.consumer), "selective")
    assert c["units"].iloc[-1] == pytest.approx(everything.units)


def test_frontier_gap_is_split_like_for_like(sample_world, sample_comparison):
    """Best-vs-strategy gap = outlet selection (same price) + the assumed price difference; no erosion, no pricing part."""
    f = frontier(sample_world, ChannelParams(), comparison=sample_comparison)
    g = f.gaps()
    for s, row in g.iterrows():
        assert row["selection"] + row["pricing"] == pytest.approx(row["best"] - row["strategy_profit"])
        assert row["selection"] >= -1e-6 * abs(row["best"]) or s == "exclusive"
    assert g.loc["intensive", "pricing"] != pytest.approx(0.0)
    text = f.caption("intensive")
    assert f"${g.loc['intensive', 'same_price_profit'] / 1e6:,.1f}M at the same price" in text
    flat = ChannelParams(intensive_erosion=0.0)
    f0 = frontier(sample_world, flat)
    assert f0.gaps().loc["intensive", "pricing"] == pytest.approx(0.0, abs=1e-6)


# ------------------------------------------------------------------------------------------
# honest comparisons (issue point 5)
# ------------------------------------------------------------------------------------------


def test_best_comes_with_its_margin_and_a_tie_is_called_a_tie():
    """The verdict gives the margin over the runner-up; within the tolerance it is 'too close to call'."""
    cmp = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS)
    ranked = sorted((r.profit for r in cmp.strategies.values()), reverse=True)
    assert cmp.margin == pytest.approx(ranked[0] - ranked[1])
    assert cmp.ranking["gap_to_best"].iloc[0] == 0.0
    wide = evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, decision_tolerance=0.99))
    assert wide.too_close and wide.verdict.startswith("Too close to call")
    tight = evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, decision_tolerance=0.0))
    assert not tight.too_close and f"${tight.margin / 1e6:,.2f}M" in tight.verdict


def test_break_even_values_flip_the_recommendation(sample_world):
    """Just inside a break-even value the best stays; just beyond it the named rival wins."""
    params = ChannelParams()
    market = prepare_market(sample_world, params)
    keys = tuple(a for a in KEY_ASSUMPTIONS if a.name in ("account_cost_scale", "retailer_margin", "exclusive_premium"))
    sens = break_even(market=market, assumptions=keys)
    assert set(sens.table["assumption"]) == {a.name for a in keys}
    base = strategy_profits(market)
    assert sens.best == max(base, key=base.get)
    flips = 0
    for a in keys:
        row = sens.table.set_index("assumption").loc[a.name]
        for side in ("below", "above"):
            v = row[f"break_even_{side}"]
            if not np.isfinite(v):
                continue
            flips += 1
            step = (a.high - a.low) / 4 / 2 ** 7
            d = -1 if side == "below" else 1
            inside = strategy_profits(market.with_params(a.apply(params, v - d * step)))
            beyond = strategy_profits(market.with_params(a.apply(params, v + d * step)))
            assert max(inside, key=inside.get) == sens.best
            assert max(beyond, key=beyond.get) != sens.best
    assert flips >= 1


def test_greedy_first_pick_is_best_single_outlet(sample_world):
    """The greedy's first outlet is the one with the highest stand-alone profit."""
    market = prepare_market(sample_world, ChannelParams())
    consumer = np.flatnonzero(market.consumer)
    picks, profits = greedy_selection(market, np.arange(len(market.outlets)), 1)
    assert market.consumer[picks[0]]
    first = evaluate_outlets(market, picks[:1], "selective").profit
    assert profits[0] == pytest.approx(first)
    rng = np.random.default_rng(3)
    others = rng.choice(consumer, 40, replace=False)
    top = market.outlets.loc[market.consumer, "attractiveness"].nlargest(10).index.to_numpy()
    for j in np.unique(np.concatenate([others, top])):
        assert evaluate_outlets(market, np.array([j]), "selective").profit <= first + 1e-6


def test_selective_size_picks_the_most_profitable(sample_world):
    """selective_size=n carries n outlets meeting the criteria, chosen by marginal profit."""
    cmp = evaluate_strategies(sample_world, ChannelParams(selective_size=25))
    sel = cmp.selective
    assert sel.outlet_count == 25
    consumer = sel.outlets[sel.outlets["role"] != "intermediary"]
    assert len(consumer) == 25 and consumer["tier"].isin(("flagship", "premium")).all()
    by_criteria = evaluate_strategies(sample_world, ChannelParams()).selective
    assert sel.profit / sel.outlet_count > by_criteria.profit / by_criteria.outlet_count


def test_channel_modules_import_without_cycles():
    """No import cycle among the channel modules, counting imports inside functions."""
    pkg = Path(__file__).resolve().parent.parent / "workbench" / "channels"
    graph = {}
    for f in pkg.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[f.stem] = deps & {g.stem for g in pkg.glob("*.py")}

    def visit(n, path):
        assert n not in path, f"import cycle: {' -> '.join([*path, n])}"
        for d in graph.get(n, ()):
            visit(d, [*path, n])

    for n in graph:
        visit(n, [])
    assert "strategies" in graph["frontier"] and "frontier" not in graph["strategies"]


# ------------------------------------------------------------------------------------------
# territories
# ------------------------------------------------------------------------------------------


def test_territories_balance_moves_a_zone():
    """Potentials 3,1 | 1,1 in two clusters, 2 territories, tolerance 0: the big zone stands alone."""
    zones = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "lat": [0.0, 0.0, 0.0, 0.0],
                          "lon": [0.0, 0.1, 5.0, 5.1], "annual_demand": [3.0, 1.0, 1.0, 1.0]})
    centers = pd.DataFrame({"outlet_id": ["X", "Y"], "lat": [0.0, 0.0], "lon": [0.0, 5.0]})
    free = design_territories(zones, centers, count=2, tolerance=1.0, circuity=1.0)
    assert free.assignment.set_index("customer_id")["center_id"].to_dict() == {"A": "X", "B": "X", "C": "Y", "D": "Y"}
    tight = design_territories(zones, centers, count=2, tolerance=0.0, circuity=1.0)
    got = tight.assignment.set_index("customer_id")["center_id"].to_dict()
    assert got == {"A": "X", "B": "Y", "C": "Y", "D": "Y"}
    assert tight.territories["potential"].tolist() == pytest.approx([3.0, 3.0])
    assert tight.balance == pytest.approx((1.0, 1.0))


def test_partner_is_the_store_that_earns_most_in_its_territory():
    """Two cities, two territories: each partner is an eligible store of its own territory; distributors,
    mass-tier stores and webshops cannot hold one."""
    zones = pd.DataFrame({"customer_id": ["W1", "W2", "E1", "E2"], "lat": [0.0] * 4, "lon": [0.0, 0.2, 8.0, 8.2],
                          "population": [10, 10, 10, 10], "annual_demand": [100.0, 100.0, 100.0, 100.0]})
    outlets = {"outlet_id": ["a", "b", "c", "d", "e", "f"], "name": list("abcdef"),
               "channel": ["retailer", "retailer", "distributor", "retailer", "ecommerce", "retailer"],
               "tier": ["premium", "flagship", "premium", "mass", "flagship", "premium"],
               "attractiveness": [40.0, 70.0, 55.0, 99.0, 99.0, 30.0],
               "lat": [0.0] * 6, "lon": [0.1, 0.15, 8.1, 8.05, 4.0, 8.12]}
    p = dataclasses.replace(HAND_PARAMS, territories=2, balance_tolerance=0.1, exclusive_tiers=("flagship", "premium"),
                            competitor_attraction={z: 0.1 for z in zones["customer_id"]}, ecommerce_delivery_km=2000.0)
    r = evaluate_strategies(_tables(outlets, zones=zones), p).exclusive
    assert sorted(r.outlets["outlet_id"]) == ["b", "f"]
    t = r.territories.set_index("partner_id")
    assert t.loc["b", "potential"] == pytest.approx(200.0) and t.loc["f", "potential"] == pytest.approx(200.0)
    zone_terr = r.zones.set_index("customer_id")["territory"]
    assert zone_terr["W1"] == zone_terr["W2"] == t.loc["b", "territory"]
    assert zone_terr["E1"] == zone_terr["E2"] == t.loc["f", "territory"]


def test_territory_balance_infeasible_names_the_numbers(sample_world):
    """A zone bigger than the largest allowed territory gives the numbers and the fix."""
    with pytest.raises(SpecificationError, match=r"zone C001 alone has a sales potential of 5,860,978 .* use at most "
                                                 r"\d+ territories or a balance tolerance of at least \d+%"):
        evaluate_strategies(sample_world, ChannelParams(territories=20, balance_tolerance=0.25))


def test_territories_that_cannot_balance_whole_zones():
    """Zones of 3, 1, 1, 1 cannot make three territories of exactly 2: refused as infeasible."""
    zones = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "lat": [0.0] * 4, "lon": [0.0, 1.0, 2.0, 3.0],
                          "annual_demand": [1.9, 1.4, 1.4, 1.3]})
    centers = pd.DataFrame({"outlet_id": ["X", "Y", "Z"], "lat": [0.0] * 3, "lon": [0.0, 1.5, 3.0]})
    with pytest.raises(SpecificationError, match="no plan of 3 territories keeps every territory's potential"):
        design_territories(zones, centers, count=3, tolerance=0.05, circuity=1.0)


def test_more_territories_than_partners():
    """Asking for more territories than eligible partners says how many qualify."""
    with pytest.raises(SpecificationError, match="3 exclusive territories need 3 eligible partners, but only 1"):
        evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, territories=3))


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------


def test_bad_parameters_are_all_listed():
    """Out-of-range parameters raise one DataError listing each with its fix."""
    bad = dataclasses.replace(HAND_PARAMS, alpha=0.0, beta=6.0, retailer_margin=-0.1, consumer_price=-3.0,
                              channels=("telepathy",))
    with pytest.raises(DataError) as err:
        evaluate_strategies(_tables(HAND_OUTLETS), bad)
    cols = {p.column for p in err.value.problems}
    assert {"alpha", "beta", "retailer_margin", "consumer_price", "channels"} <= cols
    assert "alpha must be a number in (0, 3]" in str(err.value)


def test_no_outlet_meets_selective_criteria():
    """Selective criteria nobody meets give the best score available."""
    p = dataclasses.replace(HAND_PARAMS, selective_min_attractiveness=50.0)
    with pytest.raises(SpecificationError,
                       match="no store or listing meets the selective criteria.*most attractive scores 30"):
        evaluate_strategies(_tables(HAND_OUTLETS), p)


def test_selective_size_larger_than_eligible():
    """Asking for more selective outlets than qualify says how many do."""
    with pytest.raises(SpecificationError, match="only 2 stores and listings meet the criteria"):
        evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, selective_size=3))


def test_no_outlets_in_enabled_channels():
    """Enabling only channels without outlets that sell to shoppers is refused with the outlets there are."""
    no_web = {k: v[:3] for k, v in HAND_OUTLETS.items()}
    with pytest.raises(SpecificationError, match=r"no outlet of the enabled channels \(ecommerce, wholesaler\) sells "
                                                 r"to shoppers.*enable retailers or e-commerce"):
        evaluate_strategies(_tables(no_web), dataclasses.replace(HAND_PARAMS, channels=("ecommerce", "wholesaler")))


def test_only_intermediaries_enabled_is_refused():
    """Wholesalers and distributors alone cannot reach shoppers: the parameters are refused with the fix."""
    with pytest.raises(DataError, match="only wholesalers or distributors are enabled"):
        evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, channels=("wholesaler",)))


def test_bad_tables_are_listed():
    """Missing columns, non-positive attractiveness and no open DC are reported together."""
    outlets = dict(HAND_OUTLETS, attractiveness=[0.0, 10.0, 10.0, 20.0])
    dcs = pd.DataFrame({"site_id": ["DC1"], "lat": [0.0], "lon": [0.0], "existing": [False]})
    zones = pd.DataFrame({"customer_id": ["Z1"], "lat": [0.0], "lon": [0.0], "annual_demand": [1.0]})
    with pytest.raises(DataError) as err:
        evaluate_strategies(_tables(outlets, zones=zones, dcs=dcs), HAND_PARAMS)
    text = str(err.value)
    assert "table 'customers': missing column(s) population" in text
    assert "table 'outlets', row 2, column 'attractiveness': attractiveness is zero or negative" in text
    assert "no DC is open today" in text


def test_serving_dcs_from_a_network_design_result():
    """Anything with an ``open_sites`` table (a solved network design) can be the serving DCs."""
    class Design:
        open_sites = pd.DataFrame({"site_id": ["N1"], "lat": [0.0], "lon": [1.0], "handling_cost": [0.0]})

    o = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS, serving_dcs=Design()).intensive.outlets
    assert set(o["serving_dc"]) == {"N1"}
    # the DC is 111 km away, beyond the 100 km parcel reach: no online sales, the stores keep the whole potential
    assert o.set_index("outlet_id").loc["O1", "logistics_cost"] == pytest.approx(600 * 0.01 * KM_PER_DEG)


def test_unknown_serving_dc_id():
    """Serving DCs given by unknown id are refused."""
    with pytest.raises(DataError, match="unknown site id"):
        evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS, serving_dcs=["NOPE"])


def test_params_round_trip():
    """to_dict/from_dict restores the parameters (JSON-able for saved scenarios)."""
    p = ChannelParams(channels=("retailer", "ecommerce"), selective_size=12, exclusive_premium=0.2)
    assert ChannelParams.from_dict(p.to_dict()) == p


# ------------------------------------------------------------------------------------------
# sources and the docs (issue point 9 and the sample tables)
# ------------------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "channel_strategy.md"


def test_every_default_has_a_source_or_says_it_is_an_assumption():
    """Every parameter has a source text; the unsourced ones that decide the answer say 'calibrate'."""
    names = {f.name for f in dataclasses.fields(ChannelParams)}
    assert names == set(SOURCES)
    for name in ("exclusive_premium", "intensive_erosion", "account_cost", "logistics_cost_per_unit_km",
                 "selective_premium", "competitor_attraction"):
        assert "Assumption: calibrate to your data" in SOURCES[name], name
    assert "LTL" not in SOURCES["logistics_cost_per_unit_km"]
    text = DOCS.read_text()
    for name in names:
        assert f"`{name}`" in text, name


def test_docs_sample_tables_are_generated_from_the_code():
    """The sample tables, verdict, frontier caption, break-even table and sources in the docs match the code."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "channel_docs_table", Path(__file__).resolve().parent.parent / "scripts" / "channel_docs_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = DOCS.read_text()
    assert mod.replace_blocks(text, mod.blocks()) == text, "run python scripts/channel_docs_table.py"


# ------------------------------------------------------------------------------------------
# calibration to the user's sell-out
# ------------------------------------------------------------------------------------------


def _sell_out(market, beta, strength):
    """The sell-out the selective network would have if the market had these parameters."""
    sel = strategy_sets(market)["selective"]
    truth = market.with_params(dataclasses.replace(market.params, beta=beta, competitor_attraction=strength))
    e = outlet_economics(truth, sel, "selective", detail=False)
    ids = market.outlets["outlet_id"].to_numpy()[e.rows[:e.n_consumer]]
    return pd.DataFrame({"outlet_id": ids, "units": e.units[:e.n_consumer]})


def test_calibration_recovers_known_parameters(sample_world):
    """Sell-out made with beta 2.4 and competitor strength 8 is fitted back to 2.4 and 8 with no error."""
    market = prepare_market(sample_world, ChannelParams())
    sales = _sell_out(market, 2.4, 8.0)
    cal = calibrate_capture(sample_world, sales=sales, market=market, betas=(2.0, 2.4, 2.8))
    assert cal.beta == 2.4
    assert cal.competitor_strength == pytest.approx(8.0, rel=1e-6)
    assert cal.wape == pytest.approx(0.0, abs=1e-6)
    assert cal.params.beta == 2.4 and cal.params.competitor_attraction == pytest.approx(8.0, rel=1e-6)
    assert cal.fit["modelled"].sum() == pytest.approx(sales["units"].sum(), rel=1e-6)
    assert (cal.grid["wape"].drop(index=1) > 0.01).all()
    world = sample_world.replace(channel_sales=sales)       # the optional table of the World
    assert len(world.channel_sales) == len(sales)


def test_calibration_refuses_sell_in_and_unknown_outlets(sample_world):
    """Wholesalers' sales (sell-in) and unknown outlets are refused with the rows and the fix."""
    market = prepare_market(sample_world, ChannelParams())
    wholesaler = market.outlets.loc[market.outlets["channel"] == "wholesaler", "outlet_id"].iloc[0]
    sales = pd.DataFrame({"outlet_id": ["O001", "O002", wholesaler, "NOPE"], "units": [10.0, 20.0, 30.0, 40.0]})
    with pytest.raises(DataError) as err:
        calibrate_capture(sample_world, sales=sales, market=market)
    text = str(err.value)
    assert "sell-in to retailers" in text and "give the sell-out of the stores they supply" in text
    assert "not a store or listing" in text and "first rows 5" in text
    with pytest.raises(DataError, match="no sell-out to calibrate to"):
        calibrate_capture(sample_world, market=market)
