"""Channel strategy: Huff capture, margin stack, strategies, territories and the frontier."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from workbench import DataError, SpecificationError
from workbench.channels import (
    ChannelParams,
    design_territories,
    evaluate_outlets,
    evaluate_strategies,
    frontier,
    greedy_selection,
    huff_probabilities,
    margin_stack,
    prepare_market,
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


HAND_OUTLETS = {"outlet_id": ["O1", "O2"], "name": ["Big store", "Cash & carry"], "channel": ["retailer", "wholesaler"],
                "tier": ["flagship", "mass"], "attractiveness": [30.0, 10.0], "lat": [0.0, 0.0], "lon": [0.0, 0.0]}
HAND_PARAMS = ChannelParams(
    alpha=1.0, beta=2.0, min_distance_km=5.0, circuity=1.0, competitor_attraction={"Z1": 0.4},
    consumer_price=10.0, unit_cost=4.0, retailer_margin=0.3, wholesaler_margin=0.1, intensive_erosion=0.0,
    account_cost={"retailer": 100.0, "wholesaler": 50.0, "distributor": 0.0, "ecommerce": 0.0},
    logistics_cost_per_unit_km=0.01, selective_tiers=("flagship",), selective_min_attractiveness=0.0,
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
    """One zone, two outlets at the zone and the DC: units, money and profit by hand."""
    cmp = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS)
    r = cmp.intensive
    o = r.outlets.set_index("outlet_id")
    # U = 30/25 = 1.2 and 10/25 = 0.4; C = 0.4 -> shares 0.6, 0.2, competitors 0.2
    assert o["units"].to_dict() == pytest.approx({"O1": 600.0, "O2": 200.0})
    assert r.zones["competitor_share"].iloc[0] == pytest.approx(0.2)
    assert o.loc["O1", ["consumer_sales", "retailer_margin", "revenue", "cost_of_goods", "net_margin",
                        "logistics_cost", "account_cost", "profit"]].tolist() == pytest.approx(
        [6000, 1800, 4200, 2400, 1800, 300, 100, 1400])
    assert o.loc["O2", ["consumer_sales", "retailer_margin", "wholesaler_margin", "revenue", "cost_of_goods",
                        "net_margin", "logistics_cost", "account_cost", "profit"]].tolist() == pytest.approx(
        [2000, 600, 140, 1260, 800, 460, 100, 50, 310])
    assert r.profit == pytest.approx(1710.0)
    assert r.units == pytest.approx(800.0) and r.market_share == pytest.approx(0.8)
    # stand-alone: O1 alone 1.2/1.6 = 750 units, O2 alone 0.4/0.8 = 500 -> 1 - 800/1250 lost to each other
    assert r.cannibalisation == pytest.approx(1 - 800 / 1250)
    assert r.brand_control == pytest.approx(600 / 800)
    assert r.coverage == pytest.approx(1.0) and r.overlap == pytest.approx(2.0)
    # selective and exclusive carry the flagship alone: 750 units
    assert cmp.selective.units == pytest.approx(750.0)
    assert cmp.exclusive.outlets["outlet_id"].tolist() == ["O1"]


def test_hand_logistics_by_distance_from_dc():
    """Logistics cost = units x (cost per unit-km x road distance from the serving DC + handling)."""
    dcs = pd.DataFrame({"site_id": ["FAR", "NEAR"], "lat": [0.0, 0.0], "lon": [2.0, 1.0], "handling_cost": [0.0, 0.2]})
    cmp = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS, serving_dcs=dcs)
    o = cmp.intensive.outlets.set_index("outlet_id")
    assert set(o["serving_dc"]) == {"NEAR"}
    assert o.loc["O1", "dc_distance_km"] == pytest.approx(KM_PER_DEG)
    assert o.loc["O1", "logistics_cost"] == pytest.approx(600 * (0.01 * KM_PER_DEG + 0.2))


def test_waterfall_steps_sum_to_profit_per_unit():
    """The per-unit waterfall starts at the consumer price and its steps add up to profit per unit."""
    r = evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS).intensive
    wf = r.waterfall()
    assert wf["step"].iloc[0] == "Consumer price" and wf["amount"].iloc[0] == pytest.approx(10.0)
    assert wf["amount"].iloc[:-1].sum() == pytest.approx(wf["amount"].iloc[-1])
    assert wf["amount"].iloc[-1] == pytest.approx(1710.0 / 800.0)
    wh = r.waterfall("wholesaler").set_index("step")["amount"]
    assert wh["Wholesaler margin"] == pytest.approx(-0.7) and wh["Profit"] == pytest.approx(310 / 200)


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
    """Intensive carries every outlet, selective meets the criteria, exclusive is the narrowest."""
    c = sample_comparison
    p = c.params
    assert c.intensive.outlet_count == len(sample_world.outlets)
    sel = c.selective.outlets
    assert sel["tier"].isin(p.selective_tiers).all() and (sel["attractiveness"] >= p.selective_min_attractiveness).all()
    assert c.exclusive.outlet_count == p.territories
    assert c.intensive.coverage >= c.selective.coverage >= c.exclusive.coverage
    assert c.intensive.units > c.selective.units > c.exclusive.units
    assert c.intensive.cannibalisation > c.selective.cannibalisation > c.exclusive.cannibalisation
    assert c.selective.brand_control == pytest.approx(1.0) and c.exclusive.brand_control == pytest.approx(1.0)
    assert c.intensive.brand_control < 1.0
    assert c.exclusive.net_margin_pct > c.intensive.net_margin_pct


def test_exclusive_one_partner_per_balanced_territory(sample_comparison):
    """Exactly one partner per territory, every zone in one territory, potentials within the tolerance."""
    r = sample_comparison.exclusive
    p = sample_comparison.params
    t = r.territories
    assert sorted(t["territory"]) == list(range(1, p.territories + 1))
    assert t["partner_id"].is_unique and len(t) == r.outlet_count
    assert sorted(r.outlets["territory"]) == list(range(1, p.territories + 1))
    assert (r.outlets["channel"] != "ecommerce").all()
    assert r.zones["territory"].notna().all()
    mean = r.zones["potential"].sum() / p.territories
    assert t["potential"].sum() == pytest.approx(r.zones["potential"].sum())
    assert (t["potential"] <= (1 + p.balance_tolerance) * mean * (1 + 1e-9)).all()
    assert (t["potential"] >= (1 - p.balance_tolerance) * mean * (1 - 1e-9)).all()
    # the partner is the most attractive eligible store of its territory or the centre itself
    assert (r.outlets["tier"].isin(p.exclusive_tiers)).all()


def test_a_premium_change_reuses_the_territory_plan(sample_world, sample_comparison):
    """A change that does not touch the territories keeps the same exclusive territories (the plan
    is reused; its speed is measured in benchmarks/timings.py, not asserted here)."""
    again = evaluate_strategies(sample_world, dataclasses.replace(ChannelParams(), exclusive_premium=0.3))
    before = sample_comparison.exclusive.zones["territory"].to_numpy()
    assert (again.exclusive.zones["territory"].to_numpy() == before).all()


# ------------------------------------------------------------------------------------------
# monotone behaviour
# ------------------------------------------------------------------------------------------


def test_higher_premium_raises_exclusive_margin(sample_world, sample_comparison):
    """A higher exclusivity premium raises the exclusive net margin (volume fixed without elasticity)."""
    base = sample_comparison.exclusive
    more = evaluate_strategies(sample_world, dataclasses.replace(ChannelParams(), exclusive_premium=0.30)).exclusive
    assert more.net_margin > base.net_margin
    assert more.net_margin_pct > base.net_margin_pct
    assert more.units == pytest.approx(base.units)
    assert more.consumer_price == pytest.approx(base.consumer_price / 1.15 * 1.30)


def test_price_elasticity_trades_volume_for_price(sample_world):
    """With elasticity 1.5 a 30% premium sells 1.3**-1.5 of the units."""
    p0 = ChannelParams(price_elasticity=1.5, exclusive_premium=0.0)
    p1 = dataclasses.replace(p0, exclusive_premium=0.3)
    u0 = evaluate_strategies(sample_world, p0).exclusive.units
    u1 = evaluate_strategies(sample_world, p1).exclusive.units
    assert u1 == pytest.approx(u0 * 1.3 ** -1.5)


def test_frontier_coverage_and_units_never_fall(sample_world, sample_comparison):
    """More outlets never lower coverage or units along the frontier; profit matches a direct evaluation."""
    params = ChannelParams()
    f = frontier(sample_world, params, comparison=sample_comparison)
    c = f.curve
    assert len(c) == len(sample_world.outlets) and c["outlet_id"].is_unique
    assert (np.diff(c["coverage"]) >= -1e-12).all()
    assert (np.diff(c["units"]) > 0).all()
    assert set(f.marks["strategy"]) == {"intensive", "selective", "exclusive"}
    assert f.best["profit"] == pytest.approx(c["profit"].max())
    market = prepare_market(sample_world, params)
    pos = {oid: i for i, oid in enumerate(market.outlets["outlet_id"])}
    for k in (1, 7, 60):
        picks = [pos[o] for o in c["outlet_id"].iloc[:k]]
        direct = evaluate_outlets(market, np.array(picks), "selective")
        assert direct.profit == pytest.approx(c["profit"].iloc[k - 1], rel=1e-9)
        assert direct.coverage == pytest.approx(c["coverage"].iloc[k - 1])
    # at full size the frontier carries every outlet: same units as intensive before erosion
    everything = evaluate_outlets(market, np.arange(len(market.outlets)), "selective")
    assert c["units"].iloc[-1] == pytest.approx(everything.units)


def test_greedy_first_pick_is_best_single_outlet(sample_world):
    """The greedy's first outlet is the one with the highest stand-alone profit."""
    market = prepare_market(sample_world, ChannelParams())
    picks, profits = greedy_selection(market, np.arange(len(market.outlets)), 1)
    first = evaluate_outlets(market, picks[:1], "selective").profit
    assert profits[0] == pytest.approx(first)
    rng = np.random.default_rng(3)
    others = rng.choice(len(market.outlets), 40, replace=False)
    top = market.outlets["attractiveness"].nlargest(10).index.to_numpy()
    for j in np.unique(np.concatenate([others, top])):
        assert evaluate_outlets(market, np.array([j]), "selective").profit <= first + 1e-6


def test_selective_size_picks_the_most_profitable(sample_world):
    """selective_size=n carries n outlets meeting the criteria, chosen by marginal profit."""
    cmp = evaluate_strategies(sample_world, ChannelParams(selective_size=25))
    sel = cmp.selective
    assert sel.outlet_count == 25
    assert sel.outlets["tier"].isin(("flagship", "premium")).all()
    by_criteria = evaluate_strategies(sample_world, ChannelParams()).selective
    assert sel.profit / sel.outlet_count > by_criteria.profit / by_criteria.outlet_count


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


def test_partner_is_the_most_attractive_store_of_its_territory():
    """Two cities, two territories: each partner is the most attractive eligible store there."""
    zones = pd.DataFrame({"customer_id": ["W1", "W2", "E1", "E2"], "lat": [0.0] * 4, "lon": [0.0, 0.2, 8.0, 8.2],
                          "population": [10, 10, 10, 10], "annual_demand": [100.0, 100.0, 100.0, 100.0]})
    outlets = {"outlet_id": ["a", "b", "c", "d", "e"], "name": list("abcde"),
               "channel": ["retailer", "retailer", "distributor", "retailer", "ecommerce"],
               "tier": ["premium", "flagship", "premium", "mass", "flagship"],
               "attractiveness": [40.0, 70.0, 55.0, 99.0, 99.0],
               "lat": [0.0] * 5, "lon": [0.1, 0.15, 8.1, 8.05, 4.0]}
    p = dataclasses.replace(HAND_PARAMS, territories=2, balance_tolerance=0.1, exclusive_tiers=("flagship", "premium"),
                            competitor_attraction={z: 0.1 for z in zones["customer_id"]})
    r = evaluate_strategies(_tables(outlets, zones=zones), p).exclusive
    # d is more attractive but mass tier; e is online and cannot hold a territory
    assert sorted(r.outlets["outlet_id"]) == ["b", "c"]
    t = r.territories.set_index("partner_id")
    assert t.loc["b", "potential"] == pytest.approx(200.0) and t.loc["c", "potential"] == pytest.approx(200.0)
    zone_terr = r.zones.set_index("customer_id")["territory"]
    assert zone_terr["W1"] == zone_terr["W2"] == t.loc["b", "territory"]
    assert zone_terr["E1"] == zone_terr["E2"] == t.loc["c", "territory"]


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
    with pytest.raises(SpecificationError, match="no outlet meets the selective criteria.*most attractive scores 30"):
        evaluate_strategies(_tables(HAND_OUTLETS), p)


def test_selective_size_larger_than_eligible():
    """Asking for more selective outlets than qualify says how many do."""
    with pytest.raises(SpecificationError, match="only 1 outlets meet the criteria"):
        evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, selective_size=2))


def test_no_outlets_in_enabled_channels():
    """Disabling every channel that has outlets is refused with the channels that do."""
    with pytest.raises(SpecificationError, match="no outlet belongs to the enabled channels"):
        evaluate_strategies(_tables(HAND_OUTLETS), dataclasses.replace(HAND_PARAMS, channels=("ecommerce",)))


def test_bad_tables_are_listed():
    """Missing columns, non-positive attractiveness and no open DC are reported together."""
    outlets = dict(HAND_OUTLETS, attractiveness=[0.0, 10.0])
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
    assert o.set_index("outlet_id").loc["O1", "logistics_cost"] == pytest.approx(600 * 0.01 * KM_PER_DEG)


def test_unknown_serving_dc_id():
    """Serving DCs given by unknown id are refused."""
    with pytest.raises(DataError, match="unknown site id"):
        evaluate_strategies(_tables(HAND_OUTLETS), HAND_PARAMS, serving_dcs=["NOPE"])


def test_params_round_trip():
    """to_dict/from_dict restores the parameters (JSON-able for saved scenarios)."""
    p = ChannelParams(channels=("retailer", "ecommerce"), selective_size=12, exclusive_premium=0.2)
    assert ChannelParams.from_dict(p.to_dict()) == p
