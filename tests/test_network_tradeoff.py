"""Network design beyond fixed + transport: inventory, weight-based rates, carbon, peak weeks,
next year's demand and the stress test - each on a hand-checkable case."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from workbench.errors import SpecificationError
from workbench.network import (FacilityProblem, NetworkSpec, build_profile, carbon_frontier, check_network,
                               check_stress, stress_test)

D1 = 6371.0088 * math.pi / 180  # km per degree along the equator


def line(customer_lons, demands, site_lons, *, fixed=0.0, capacity=math.inf, products=None, history=None,
         regions=None, **spec) -> FacilityProblem:
    """Customers and sites on the equator (distance = degrees x D1 km), circuity 1."""
    cust = pd.DataFrame({"customer_id": [f"C{j + 1}" for j in range(len(customer_lons))], "lat": 0.0,
                         "lon": customer_lons, "annual_demand": demands})
    if regions is not None:
        cust["region"] = regions
    sites = pd.DataFrame({"site_id": [f"S{i + 1}" for i in range(len(site_lons))], "lat": 0.0, "lon": site_lons,
                          "fixed_cost": fixed, "capacity": capacity, "handling_cost": 0.0})
    base = dict(circuity=1.0, sourcing="single", time_limit_s=20, mip_gap=1e-6)
    base.update(spec)
    return FacilityProblem.from_tables(cust, sites, spec=NetworkSpec(**base), products=products,
                                       demand_history=history)


# ------------------------------------------------------------------------------------------
# inventory
# ------------------------------------------------------------------------------------------

def test_safety_stock_follows_the_square_root_law():
    """k equal DCs splitting the same demand hold sqrt(k) times the safety stock of one; the value of
    one DC is z sqrt(L + R) sigma at the unit value (cv 0.25 of weekly demand, assumed profile)."""
    n = 8
    p = line(np.zeros(n), np.full(n, 5200.0), [0.0] * 8, inventory=True, lead_time_weeks=2.0,
             review_period_weeks=1.0, service_level=0.95)
    d = np.full(n, 5200.0)
    z = norm.ppf(0.95)
    one = np.zeros((8, n))
    one[0] = d
    ss1 = p.inventory_by_site(one)["safety_stock"].sum()
    sigma = math.sqrt(n) * 0.25 * 5200.0 / 52          # independent customers
    assert ss1 == pytest.approx(z * math.sqrt(3.0) * sigma, rel=1e-12)
    for k in (2, 4, 8):
        split = np.zeros((8, n))
        for j in range(n):
            split[j % k, j] = d[j]
        assert p.inventory_by_site(split)["safety_stock"].sum() == pytest.approx(math.sqrt(k) * ss1, rel=1e-12)
    # cycle stock is R/2 weeks of demand whatever the split
    assert p.inventory_by_site(one)["cycle_stock"].sum() == pytest.approx(d.sum() / 52 / 2)


def brute_force(p: FacilityProblem, *, inventory: bool = True) -> float:
    """Cheapest single-sourcing design by enumerating every assignment: fixed + handling +
    transport, plus the exact inventory cost when ``inventory``."""
    d = p.customers["demand"].to_numpy(float)
    m, n = len(p.sites), len(d)
    fixed = p.sites["fixed_cost"].to_numpy(float)
    handling, outbound = p.unit_costs()
    best = math.inf
    for a in itertools.product(range(m), repeat=n):
        U = np.zeros((m, n))
        U[list(a), np.arange(n)] = d
        open_ = U.sum(axis=1) > 0
        cost = fixed[open_].sum() + ((handling + outbound) * U).sum()
        if inventory:
            cost += p.inventory_by_site(U)["inventory_cost"].sum()
        best = min(best, cost)
    return best


def brute_force_inventory(p: FacilityProblem) -> float:
    """Cheapest single-sourcing design with the exact inventory cost (see :func:`brute_force`)."""
    return brute_force(p, inventory=True)


@pytest.mark.parametrize("holding_rate", [0.0, 0.25, 2.0])
def test_inventory_in_the_objective_matches_brute_force(holding_rate):
    """Three sites, six customers: the design with inventory costs what the exact brute force finds
    and is re-costed exactly (checker)."""
    p = line([0, 0.5, 1, 4, 4.5, 5], [900, 1200, 800, 1000, 700, 1500], [0.5, 2.5, 4.5], fixed=50.0,
             inventory=True, holding_rate=holding_rate, outbound_rate=0.01)
    r = p.solve()
    assert check_network(r, p).ok
    assert r.total_cost == pytest.approx(brute_force_inventory(p), rel=1e-9)
    assert r.inventory_cost == pytest.approx(holding_rate * r.inventory_value)
    assert r.cost_breakdown["inventory"] == r.inventory_cost
    if holding_rate == 0.0:
        assert r.dc_count == 2


def test_inventory_off_reports_the_value_but_leaves_the_total_alone():
    """With inventory off the total is fixed + handling + transport and the inventory value is still shown."""
    p = line([0, 1], [100, 100], [0, 1], fixed=10.0, outbound_rate=0.001)
    r = p.solve()
    assert r.inventory_cost == 0.0 and r.inventory_value > 0
    assert r.total_cost == pytest.approx(r.fixed_cost + r.handling_cost + r.outbound_cost)


# ------------------------------------------------------------------------------------------
# products and weight
# ------------------------------------------------------------------------------------------

PRODUCTS = pd.DataFrame({"product_id": ["A", "B"], "weight_kg": [10.0, 2.0], "volume_m3": [0.02, 0.01],
                         "unit_cost": [5.0, 20.0], "demand_share": [0.25, 0.75]})


def test_tonne_km_rates_with_one_product_reproduce_the_unit_km_result():
    """A single product of 10 kg at 0.06 USD/t-km is the same network as 0.0006 USD/unit-km (same design,
    same cost); the flows carry their tonnes."""
    one = PRODUCTS.iloc[:1].assign(demand_share=1.0)
    kw = dict(fixed=[300.0, 250.0, 400.0], products=one)
    lons, dem, sites = [0, 1, 2, 3, 6], [5e3, 4e3, 7e3, 3e3, 6e3], [0.5, 2.5, 5.5]
    by_unit = line(lons, dem, sites, outbound_rate=0.0006, **kw).solve()
    p = line(lons, dem, sites, rate_basis="tonne", outbound_rate_tkm=0.06, **kw)
    by_tonne = p.solve()
    assert by_tonne.open_site_ids == by_unit.open_site_ids
    assert by_tonne.total_cost == pytest.approx(by_unit.total_cost, rel=1e-12)
    assert by_tonne.flows["weight_t"].sum() == pytest.approx(sum(dem) * 10 / 1000)
    assert check_network(by_tonne, p).ok


def test_weight_of_the_mix_sets_the_tonne_km_cost():
    """Mix 25% A (10 kg) + 75% B (2 kg) = 4 kg per unit: 1,000 units over 1 degree cost 4 t x D1 km x rate."""
    p = line([1.0], [1000.0], [0.0], products=PRODUCTS, rate_basis="tonne", outbound_rate_tkm=0.05)
    r = p.solve()
    assert r.outbound_cost == pytest.approx(4.0 * D1 * 0.05, rel=1e-9)
    assert check_network(r, p).ok


# ------------------------------------------------------------------------------------------
# carbon
# ------------------------------------------------------------------------------------------

def test_co2_known_answer_price_and_cap():
    """One customer of 1,000 units x 4 kg; S1 is 1 degree away and 100 USD cheaper than S2 at 0.1
    degree. CO2 = t-km x factor; a carbon price above the break-even, or a cap below S1's
    emissions, moves the customer to S2."""
    factor = 0.2
    kw = dict(fixed=[1.0, 101.0], products=PRODUCTS, co2_outbound_kg_tkm=factor, outbound_rate=0.0)
    p = line([1.0], [1000.0], [0.0, 0.9], **kw)
    r = p.solve()
    co2_s1 = 4.0 * D1 * factor
    co2_s2 = 4.0 * 0.1 * D1 * factor
    assert r.open_site_ids == ("S1",) and r.co2_kg == pytest.approx(co2_s1)
    break_even = 100.0 / ((co2_s1 - co2_s2) / 1000.0)    # USD per tonne CO2e
    low = line([1.0], [1000.0], [0.0, 0.9], carbon_price=0.9 * break_even, **kw).solve()
    high_p = line([1.0], [1000.0], [0.0, 0.9], carbon_price=1.1 * break_even, **kw)
    high = high_p.solve()
    assert low.open_site_ids == ("S1",) and high.open_site_ids == ("S2",)
    assert high.carbon_cost == pytest.approx(co2_s2 * 1.1 * break_even / 1000.0)
    assert check_network(high, high_p).ok
    capped_p = line([1.0], [1000.0], [0.0, 0.9], co2_cap_kg=0.5 * (co2_s1 + co2_s2), **kw)
    capped = capped_p.solve()
    assert capped.open_site_ids == ("S2",) and capped.carbon_cost == 0.0
    assert check_network(capped, capped_p).ok


def test_carbon_frontier_trades_cost_for_co2():
    """Higher carbon prices never raise CO2 and never lower the cost without carbon; the ends are Pareto."""
    p = line([0, 1, 2, 3, 4, 5], [1e3] * 6, [0, 2.5, 5], fixed=[100.0, 2000.0, 100.0], products=PRODUCTS)
    fr = carbon_frontier(p, (0, 100, 10_000, 100_000))
    t = fr.table
    assert (np.diff(t["co2_t"]) <= 1e-9).all() and (np.diff(t["cost"]) >= -1e-9).all()
    assert t["pareto"].iloc[0] and t["pareto"].iloc[-1]
    assert t["co2_t"].iloc[-1] < t["co2_t"].iloc[0]


# ------------------------------------------------------------------------------------------
# peak weeks
# ------------------------------------------------------------------------------------------

def history(peak_share: float) -> pd.DataFrame:
    """52 weeks of one product in region R: flat, with one week holding ``peak_share`` of the year."""
    ds = pd.date_range("2024-01-01", periods=52, freq="W-MON")
    y = np.full(52, (1 - peak_share) / 51)
    y[47] = peak_share
    return pd.DataFrame({"product_id": "A", "region": "R", "ds": ds, "y": y * 52_000})


def test_peak_week_is_flagged_with_its_shortfall_and_can_be_required():
    """A DC of 52,000 units/yr (1,000 per week) serving 52,000 units with 4% in one week ships 2,080 in
    that week: flagged with the week and a 1,080 shortfall; requiring the peak opens a second DC."""
    hist = history(0.04)
    prods = PRODUCTS.iloc[:1].assign(demand_share=1.0)
    kw = dict(products=prods, history=hist, regions=["R", "R"], fixed=[10.0, 20.0], capacity=[52_000.0, 52_000.0],
              outbound_rate=0.0)
    p = line([0.0, 0.1], [26_000.0, 26_000.0], [0.0, 0.1], **kw)
    r = p.solve()
    assert r.dc_count == 1
    row = r.peak.iloc[0]
    assert row["site_id"] == "S1" and row["week"] == hist["ds"].iloc[47]
    assert row["units"] == pytest.approx(0.04 * 52_000) and row["shortfall"] == pytest.approx(0.04 * 52_000 - 1000)
    assert r.peak_shortfall_units == pytest.approx(1080.0)
    held = line([0.0, 0.1], [26_000.0, 26_000.0], [0.0, 0.1], peak_constraint=True, peak_surge=1.1, **kw)
    rh = held.solve()
    assert rh.dc_count == 2 and rh.peak_shortfall_units == 0.0 and len(rh.peak) == 0
    assert check_network(rh, held).ok


# ------------------------------------------------------------------------------------------
# next year's demand
# ------------------------------------------------------------------------------------------

def test_next_years_demand_grows_each_customer_by_its_regions_forecast():
    """demand='forecast' scales every customer by its region's forecast units / last year's units."""
    from workbench import load_sample

    world = load_sample()
    p = FacilityProblem.from_world(world, NetworkSpec(), demand="forecast")
    g = p.growth.groupby("region")[["last_units", "forecast_units"]].sum()
    factor = (g["forecast_units"] / g["last_units"])
    base = world.customers.set_index("customer_id")
    got = p.customers.set_index("customer_id")["demand"]
    expect = base["annual_demand"] * base["region"].map(factor)
    assert got.to_numpy() == pytest.approx(expect.loc[got.index].to_numpy(), rel=1e-12)
    assert p.profile.source == "forecast" and len(p.profile.weeks) == 52
    assert not np.allclose(got.sum(), base["annual_demand"].sum())


# ------------------------------------------------------------------------------------------
# a DC lost
# ------------------------------------------------------------------------------------------

def test_stress_test_known_answer_and_checker():
    """Three DCs of 1,000 units each serving 600, 600, 900: losing S3 moves 400 + 400 units to S1/S2 (the
    spare capacity) and leaves 100 unserved; losing S1 moves its 600 to S2 (400 spare) and S3 (100),
    losing S2 to S1 (400) and S3 (100), each leaving 100 unserved."""
    p = line([0, 1, 2], [600.0, 600.0, 900.0], [0, 1, 2], fixed=1.0, capacity=1000.0, outbound_rate=1.0,
             dc_count=3)
    r = p.solve()
    assert r.open_site_ids == ("S1", "S2", "S3") and r.outbound_cost == 0.0
    st = stress_test(r, p)
    t = st.table.set_index("lost_site")
    assert t.loc["S3", "unserved_units"] == pytest.approx(100.0)
    # 400 to S2 (1 degree) and 400 to S1 (2 degrees)
    assert t.loc["S3", "extra_cost"] == pytest.approx((400 * 1 + 400 * 2) * D1 - 0.0, rel=1e-9)
    assert t.loc["S1", "unserved_units"] == pytest.approx(100.0)
    assert t.loc["S1", "extra_cost"] == pytest.approx((400 * 1 + 100 * 2) * D1, rel=1e-9)
    assert t.loc["S2", "unserved_units"] == pytest.approx(100.0)
    assert t.loc["S2", "extra_cost"] == pytest.approx((400 * 1 + 100 * 1) * D1, rel=1e-9)
    assert st.worst["lost_site"] in ("S1", "S3")
    assert check_stress(st, p).empty
    # a corrupted re-assignment is caught
    bad = st.designs["S3"]
    flows = bad.flows.copy()
    flows.loc[flows.index[0], "units"] += 50.0
    import dataclasses
    st2 = dataclasses.replace(st, designs={**st.designs, "S3": dataclasses.replace(bad, flows=flows)})
    assert not check_stress(st2, p).empty


def test_product_flows_split_each_flow_by_the_customers_mix():
    """Per-product flows add up to the flows, in the product mix (25% A, 75% B), with their tonnes."""
    p = line([0.0, 1.0], [1000.0, 3000.0], [0.5], products=PRODUCTS)
    r = p.solve()
    pf = p.product_flows(r)
    assert pf["units"].sum() == pytest.approx(r.flows["units"].sum())
    by = pf.groupby("product_id")["units"].sum()
    assert by["A"] == pytest.approx(1000.0) and by["B"] == pytest.approx(3000.0)
    assert pf["weight_t"].sum() == pytest.approx(r.flows["weight_t"].sum())


def test_stress_test_loses_each_plant_with_two_echelons():
    """Two plants of 1,500 units feed one DC shipping 2,000: losing P1 leaves 500 units unserved and
    moves the supply to P2; every re-plan passes the checker."""
    cust = pd.DataFrame({"customer_id": ["C1", "C2"], "lat": 0.0, "lon": [0.0, 1.0], "annual_demand": [1000.0, 1000.0]})
    sites = pd.DataFrame({"site_id": ["S1"], "lat": 0.0, "lon": [0.5], "fixed_cost": 10.0, "capacity": 5000.0,
                          "handling_cost": 0.0})
    plants = pd.DataFrame({"plant_id": ["P1", "P2"], "lat": 0.0, "lon": [0.5, 3.5], "capacity": [1500.0, 1500.0]})
    p = FacilityProblem.from_tables(cust, sites, plants, spec=NetworkSpec(circuity=1.0, two_echelon=True,
                                                                          inbound_rate=0.01, outbound_rate=0.0))
    r = p.solve()
    assert r.inbound.set_index("plant_id")["units"].to_dict() == pytest.approx({"P1": 1500.0, "P2": 500.0})
    st = stress_test(r, p)
    t = st.table.set_index("lost_site")
    assert set(t.index) == {"S1", "P1", "P2"}
    assert t.loc["P1", "kind"] == "plant" and t.loc["P1", "unserved_units"] == pytest.approx(500.0)
    # P2 now ships 1,500 over 3 degrees instead of 500: +1,000 x 3 D1 km x 0.01; P1's 0 km flows gone
    assert t.loc["P1", "extra_cost"] == pytest.approx(1000 * 3 * D1 * 0.01, rel=1e-9)
    assert t.loc["P2", "unserved_units"] == pytest.approx(500.0)
    assert t.loc["S1", "unserved_units"] == pytest.approx(2000.0)      # the only DC
    assert check_stress(st, p).empty


def test_capacity_in_m3():
    """Capacity in m3: product A takes 0.02 m3, B 0.01 (mix 25/75: 0.0125 m3 a unit). A site of 40 m3
    holds 3,200 units; 4,000 units need a second site; utilisation is in m3; the checker agrees,
    and the stress test re-assigns within the m3 left."""
    kw = dict(products=PRODUCTS, fixed=[10.0, 20.0], outbound_rate=0.001)
    p = line([0.0, 1.0], [2000.0, 2000.0], [0.0, 1.0], capacity=[40.0, 40.0], capacity_basis="m3",
             sourcing="multi", **kw)
    r = p.solve()
    assert r.dc_count == 2 and check_network(r, p).ok
    s = r.sites.set_index("site_id")
    assert (s["volume_m3"] <= 40.0 + 1e-9).all() and s["volume_m3"].sum() == pytest.approx(4000 * 0.0125)
    assert s.loc["S1", "utilisation"] == pytest.approx(s.loc["S1", "volume_m3"] / 40.0)
    st = stress_test(r, p)
    lost = st.table.set_index("lost_site")
    # either DC lost: the other has 40 m3 - its own load left; the rest is unserved
    for site in ("S1", "S2"):
        other = "S2" if site == "S1" else "S1"
        spare_units = (40.0 - s.loc[other, "volume_m3"]) / 0.0125
        assert lost.loc[site, "unserved_units"] == pytest.approx(s.loc[site, "volume"] - spare_units, abs=1e-6)
    assert check_stress(st, p).empty
    with pytest.raises(SpecificationError, match="m3/yr"):
        line([0.0], [8000.0], [0.0], capacity=[40.0], capacity_basis="m3", **{**kw, "fixed": [1.0]}).solve()


def test_a_region_without_history_gets_the_assumed_profile():
    """Customers of a region the history does not cover still get a profile (demand shares, cv 0.25,
    flat weeks), marked as assumed; the covered region keeps its history's pattern."""
    prods = PRODUCTS.iloc[:1].assign(demand_share=1.0)
    cust = pd.DataFrame({"customer_id": ["C1", "C2"], "annual_demand": [5200.0, 5200.0], "region": ["R", "Q"]})
    prof = build_profile(cust, prods, history(0.04))
    assert "assumed for Q" in prof.source
    assert prof.week_share[1] == pytest.approx(np.full(52, 1 / 52))
    assert prof.week_share[0].max() == pytest.approx(0.04)
    assert prof.var_rate[1, 0] * 5200.0 == pytest.approx((0.25 * 5200.0 / 52) ** 2)
