"""Network design: known answers on hand-checkable cases, every constraint option, the checker,
infeasible specifications, the large-model method, the sweep and OR-Library instances."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError, SpecificationError
from workbench.network import (FacilityProblem, NetworkSpec, centre_of_gravity, check_network, sweep_dc_count,
                               weber_point)

from .conftest import SHARED_BENCHMARKS

FACILITY = SHARED_BENCHMARKS / "facility"
D1 = 6371.0088 * math.pi / 180  # km per degree along the equator


# ------------------------------------------------------------------------------------------
# a hand-checkable instance: 3 sites, 3 customers of demand 1 (cost = per-unit cost = km)
# ------------------------------------------------------------------------------------------
#   site  fixed   C1  C2  C3
#   S1    100      1   2  50
#   S2     90     50   3   1
#   S3    500      3   3   3
# {S2} = 90+50+3+1 = 144 (best); {S1} = 153; {S1,S2} = 190+1+2+1 = 194; {S3} = 509;
# {S1,S2,S3} = 690 + 4 = 694.
COST = np.array([[1.0, 2.0, 50.0], [50.0, 3.0, 1.0], [3.0, 3.0, 3.0]])
FIXED = [100.0, 90.0, 500.0]


def tiny(**spec) -> FacilityProblem:
    """The 3 x 3 instance above (distances = costs), with spec options."""
    base = dict(sourcing="multi", circuity=1.0, time_limit_s=10)
    base.update(spec)
    return FacilityProblem.from_cost_matrix(COST, demand=1.0, fixed_cost=FIXED, distance_km=COST,
                                            site_ids=["S1", "S2", "S3"], customer_ids=["C1", "C2", "C3"],
                                            spec=NetworkSpec(**base))


def solved(problem: FacilityProblem):
    result = problem.solve()
    report = check_network(result, problem)
    assert report.ok, report.violations
    return result


def test_free_choice_picks_the_cheapest_network():
    """With no constraints the single cheap site S2 wins at 144, proven optimal, costs split correctly."""
    r = solved(tiny())
    assert r.open_site_ids == ("S2",)
    assert r.total_cost == pytest.approx(144.0)
    assert r.fixed_cost == pytest.approx(90.0) and r.outbound_cost == pytest.approx(54.0)
    assert r.status == "optimal" and r.gap <= 1e-4 and r.best_bound <= r.total_cost + 1e-9
    assert r.mean_distance_km == pytest.approx(54.0 / 3) and r.max_distance_km == pytest.approx(50.0)
    assert r.assignment().to_dict() == {"C1": "S2", "C2": "S2", "C3": "S2"}


def test_exact_count_min_max_forced_sites():
    """dc_count=2 gives {S1,S2} at 194; force_closed S2 gives {S1} at 153; force_open S3 gives {S3} at 509."""
    r = solved(tiny(dc_count=2))
    assert set(r.open_site_ids) == {"S1", "S2"} and r.total_cost == pytest.approx(194.0)
    assert r.assignment().to_dict() == {"C1": "S1", "C2": "S1", "C3": "S2"}
    assert solved(tiny(min_dcs=2)).total_cost == pytest.approx(194.0)
    assert solved(tiny(force_closed=("S2",))).open_site_ids == ("S1",)
    assert solved(tiny(force_closed=("S2",))).total_cost == pytest.approx(153.0)
    r = solved(tiny(force_open=("S3",)))
    assert r.open_site_ids == ("S3",) and r.total_cost == pytest.approx(509.0)
    assert solved(tiny(min_dcs=3)).total_cost == pytest.approx(694.0)
    assert solved(tiny(max_dcs=1, force_closed=("S2",))).total_cost == pytest.approx(153.0)


def test_service_radius_for_every_customer():
    """Every customer within 10 km rules out {S2} (C1 is 50 km away): {S1,S2} at 194, max distance 2."""
    r = solved(tiny(service_radius_km=10, service_share=1.0))
    assert set(r.open_site_ids) == {"S1", "S2"} and r.total_cost == pytest.approx(194.0)
    assert r.max_distance_km <= 10 and r.share_within_radius == pytest.approx(1.0)


def test_service_share():
    """60% of demand within 10 km: {S2} serves 2 of 3 within (144); 90% needs all three (194)."""
    r = solved(tiny(service_radius_km=10, service_share=0.6))
    assert r.open_site_ids == ("S2",) and r.share_within_radius == pytest.approx(2 / 3)
    r = solved(tiny(service_radius_km=10, service_share=0.9))
    assert r.total_cost == pytest.approx(194.0) and r.share_within_radius == pytest.approx(1.0)


def test_capacity_split_versus_single_sourcing():
    """Two sites of capacity 10, X and Y of demand 8: split demand costs 22, single sourcing 24."""
    # per-unit costs: A: X 1, Y 1; B: X 2, Y 5 -> matrices are the cost of all 8 units
    cost = np.array([[8.0, 8.0], [16.0, 40.0]])
    spec = NetworkSpec(sourcing="multi", circuity=1.0)
    p = FacilityProblem.from_cost_matrix(cost, demand=[8, 8], fixed_cost=0, capacity=10, site_ids=["A", "B"],
                                         customer_ids=["X", "Y"], spec=spec)
    r = solved(p)
    assert r.total_cost == pytest.approx(22.0)
    f = r.flows.set_index(["customer_id", "site_id"])["units"]
    assert f[("Y", "A")] == pytest.approx(8) and f[("X", "A")] == pytest.approx(2) and f[("X", "B")] == pytest.approx(6)
    assert r.sites.set_index("site_id").loc["A", "utilisation"] == pytest.approx(1.0)
    r = solved(p.with_spec(sourcing="single"))
    assert r.total_cost == pytest.approx(24.0)
    assert r.assignment().to_dict() == {"X": "B", "Y": "A"}
    assert len(r.flows) == 2


def test_two_echelon_uses_the_far_plant_when_the_near_one_is_full():
    """Plant P1 (0 km, 50 units) and P2 (3 degrees, plenty): inbound 150 x 3 deg; outbound 200 x 1 deg."""
    customers = pd.DataFrame({"customer_id": ["W", "E"], "lat": [0.0, 0.0], "lon": [0.0, 2.0],
                              "annual_demand": [100.0, 100.0]})
    sites = pd.DataFrame({"site_id": ["M"], "lat": [0.0], "lon": [1.0], "fixed_cost": [0.0], "capacity": [1000.0],
                          "handling_cost": [0.5]})
    plants = pd.DataFrame({"plant_id": ["P1", "P2"], "lat": [0.0, 0.0], "lon": [1.0, 4.0], "capacity": [50.0, 1000.0]})
    spec = NetworkSpec(two_echelon=True, outbound_rate=1.0, inbound_rate=1.0, circuity=1.0, sourcing="multi")
    p = FacilityProblem.from_tables(customers, sites, plants, spec=spec)
    r = solved(p)
    assert r.outbound_cost == pytest.approx(200 * D1, rel=1e-9)
    assert r.inbound_cost == pytest.approx(150 * 3 * D1, rel=1e-9)
    assert r.handling_cost == pytest.approx(100.0)
    inbound = r.inbound.set_index("plant_id")["units"]
    assert inbound["P1"] == pytest.approx(50) and inbound["P2"] == pytest.approx(150)
    # circuity and rate multipliers scale the transport cost
    r2 = solved(p.with_spec(circuity=1.25, transport_multiplier=2.0))
    assert r2.outbound_cost == pytest.approx(2 * 1.25 * 200 * D1, rel=1e-9)
    # one echelon: no inbound cost or flows
    r3 = solved(p.with_spec(two_echelon=False))
    assert r3.inbound_cost == 0 and len(r3.inbound) == 0


def test_rates_and_fixed_cost_multiplier_from_tables():
    """Costs from tables: fixed x multiplier + handling x units + rate x units x km (circuity 1)."""
    customers = pd.DataFrame({"customer_id": ["A", "B"], "name": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 1.0],
                              "annual_demand": [10.0, 30.0]})
    sites = pd.DataFrame({"site_id": ["S", "T"], "name": ["s", "t"], "lat": [0.0, 0.0], "lon": [0.0, 1.0],
                          "fixed_cost": [1000.0, 1000.0], "capacity": [100.0, 100.0], "handling_cost": [1.0, 2.0],
                          "existing": [True, False]})
    spec = NetworkSpec(outbound_rate=0.1, circuity=1.0, fixed_cost_multiplier=1.5)
    r = solved(FacilityProblem.from_tables(customers, sites, spec=spec))
    # S: 1500 + 40 x 1 + 0.1 x 30 x D1 = 1873.6; T: 1500 + 40 x 2 + 0.1 x 10 x D1 = 1691.2 -> T
    assert r.open_site_ids == ("T",)
    assert r.total_cost == pytest.approx(1500 + 80 + 0.1 * 10 * D1)
    assert r.kpis()["cost_per_unit"] == pytest.approx(r.total_cost / 40)


# ------------------------------------------------------------------------------------------
# the independent checker
# ------------------------------------------------------------------------------------------


def test_checker_catches_corrupted_solutions():
    """Dropping a flow, overloading a site, closing a shipping site or misreporting cost are all caught."""
    cost = np.array([[8.0, 8.0], [16.0, 40.0]])
    p = FacilityProblem.from_cost_matrix(cost, demand=[8, 8], fixed_cost=0, capacity=10, site_ids=["A", "B"],
                                         customer_ids=["X", "Y"], spec=NetworkSpec(sourcing="multi", circuity=1.0))
    r = p.solve()
    assert check_network(r, p).ok
    # a customer left unserved
    bad = dataclasses.replace(r, flows=r.flows[r.flows.customer_id != "Y"])
    assert "demand" in check_network(bad, p).checks_failed()
    # everything through A: over capacity
    flows = r.flows.copy()
    flows["site_id"] = "A"
    assert "capacity" in check_network(dataclasses.replace(r, flows=flows), p).checks_failed()
    # a shipping site reported closed
    sites = r.sites.copy()
    sites.loc[sites.site_id == "B", "open"] = False
    assert "open" in check_network(dataclasses.replace(r, sites=sites), p).checks_failed()
    # a cost that does not match the flows
    report = check_network(dataclasses.replace(r, total_cost=r.total_cost - 1.0), p)
    assert report.checks_failed() == {"cost"}
    with pytest.raises(Exception, match="fails 1 checks"):
        report.raise_if_failed()
    # split demand under single sourcing
    assert "single_sourcing" in check_network(r, p.with_spec(sourcing="single")).checks_failed()
    # a flow beyond the radius
    t = tiny(dc_count=1)
    rt = t.solve()
    assert "service_radius" in check_network(rt, t.with_spec(service_radius_km=10, service_share=1.0)).checks_failed()
    assert "dc_count" in check_network(rt, t.with_spec(dc_count=2)).checks_failed()


# ------------------------------------------------------------------------------------------
# infeasible specifications and bad data
# ------------------------------------------------------------------------------------------


def test_infeasible_specs_are_caught_before_solving_with_numbers():
    """Capacity short, too many forced sites, nobody within the radius, plants short, a customer too big."""
    cost = np.array([[8.0, 8.0], [16.0, 40.0]])
    p = FacilityProblem.from_cost_matrix(cost, demand=[8, 8], fixed_cost=0, capacity=10, site_ids=["A", "B"],
                                         customer_ids=["X", "Y"], spec=NetworkSpec(sourcing="multi", circuity=1.0))
    with pytest.raises(SpecificationError, match=r"capacity of the 1 largest open-able sites is 10 units/yr < demand "
                                                 r"16 units/yr \(short by 6\)") as exc:
        p.with_spec(dc_count=1).solve()
    assert exc.value.shortfall == pytest.approx(6.0) and exc.value.constraint == "capacity"
    with pytest.raises(SpecificationError, match="capacity of all open-able sites is 10 units/yr < demand 16"):
        p.with_spec(force_closed=("B",)).solve()
    with pytest.raises(SpecificationError, match="2 sites are forced open but at most 1 DCs"):
        p.with_spec(force_open=("A", "B"), max_dcs=1).solve()
    with pytest.raises(SpecificationError, match="unknown site"):
        p.with_spec(force_open=("Z",)).solve()
    with pytest.raises(SpecificationError, match="needs 12 units/yr but the largest open-able site holds 10"):
        FacilityProblem.from_cost_matrix(cost, demand=[12, 4], capacity=10, spec=NetworkSpec(sourcing="single")).solve()
    with pytest.raises(SpecificationError, match=r"2 customer\(s\) have no open-able site within 2 km: "
                                                 r"C1 \(3 km\), C2 \(3 km\)\. Widen the radius to at least 3 km"):
        tiny(service_radius_km=2, service_share=1.0, force_closed=("S1",)).solve()
    with pytest.raises(SpecificationError, match=r"only 1 units/yr \(33.3% of demand\) have any open-able site within 2 km"):
        tiny(service_radius_km=2.5, service_share=0.9, force_closed=("S1",)).solve()
    with pytest.raises(SpecificationError, match="3 DCs were asked for but there are only 2"):
        p.with_spec(dc_count=3).solve()
    with pytest.raises(SpecificationError, match="sourcing must be one of"):
        NetworkSpec(sourcing="some")
    with pytest.raises(SpecificationError, match="service share needs a service radius"):
        NetworkSpec(service_share=0.5)
    customers = pd.DataFrame({"customer_id": ["W"], "lat": [0.0], "lon": [0.0], "annual_demand": [100.0]})
    sites = pd.DataFrame({"site_id": ["M"], "lat": [0.0], "lon": [1.0], "fixed_cost": [0.0], "capacity": [1000.0]})
    plants = pd.DataFrame({"plant_id": ["P"], "lat": [0.0], "lon": [1.0], "capacity": [60.0]})
    with pytest.raises(SpecificationError, match=r"plant capacity 60 units/yr < demand 100 units/yr \(short by 40\)"):
        FacilityProblem.from_tables(customers, sites, plants, spec=NetworkSpec(two_echelon=True)).solve()
    with pytest.raises(SpecificationError, match="two echelons need plants"):
        FacilityProblem.from_tables(customers, sites, None, spec=NetworkSpec(two_echelon=True)).solve()


def test_infeasible_combination_is_explained_by_the_solver():
    """Single sourcing that no packing can meet (3 x 6 units into 2 sites of 10) becomes a SolverError."""
    from workbench.errors import SolverError

    p = FacilityProblem.from_cost_matrix(np.ones((2, 3)), demand=[6, 6, 6], capacity=10,
                                         spec=NetworkSpec(sourcing="single"))
    with pytest.raises(SolverError, match="no network meets every constraint together.*single sourcing"):
        p.solve()
    assert solved(p.with_spec(sourcing="multi")).total_cost == pytest.approx(3.0)


def test_bad_tables_report_every_problem():
    """Negative demand, a latitude out of range and a duplicate site id are all reported, with rows."""
    customers = pd.DataFrame({"customer_id": ["A", "B"], "lat": [0.0, 95.0], "lon": [0.0, 0.0],
                              "annual_demand": [-5.0, 3.0]})
    sites = pd.DataFrame({"site_id": ["S", "S"], "lat": [0.0, 0.0], "lon": [0.0, 1.0], "fixed_cost": [1.0, 1.0],
                          "capacity": [10.0, 10.0]})
    with pytest.raises(DataError) as exc:
        FacilityProblem.from_tables(customers, sites)
    text = "\n".join(exc.value.messages)
    # rows as a spreadsheet shows them (header = row 1), as in every other loader
    assert "table 'customers', row 2, column 'annual_demand': annual_demand is negative" in text
    assert "table 'customers', row 3, column 'lat'" in text
    assert "table 'sites', rows 2, 3, column 'site_id': duplicate site_id (2 rows; first value: 'S')" in text
    with pytest.raises(DataError, match="missing column 'capacity'"):
        FacilityProblem.from_tables(customers, sites.drop(columns="capacity"))


# ------------------------------------------------------------------------------------------
# large models, time limits, the sweep
# ------------------------------------------------------------------------------------------


def random_instance(m: int, n: int, seed: int, slack: float = 1.6) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sx, cx = rng.uniform(0, 100, (m, 2)), rng.uniform(0, 100, (n, 2))
    dist = np.hypot(*(sx[:, None, :] - cx[None, :, :]).transpose(2, 0, 1))
    demand = rng.integers(5, 35, n).astype(float)
    cap = np.full(m, float(np.ceil(slack * demand.sum() / (m / 3))))
    fixed = rng.uniform(800, 1500, m).round()
    return dist * demand[None, :] * 0.2, demand, fixed, cap


def test_lagrangian_method_matches_the_mip_and_bounds_it():
    """On a 20 x 150 capacitated model the Lagrangian method is within 1% of the MIP optimum and its
    bound is below it; the checker accepts both."""
    cost, demand, fixed, cap = random_instance(20, 150, seed=3)
    base = FacilityProblem.from_cost_matrix(cost, demand=demand, fixed_cost=fixed, capacity=cap,
                                            spec=NetworkSpec(sourcing="multi", min_dcs=0, time_limit_s=20))
    exact = solved(base.with_spec(method="mip"))
    assert exact.status == "optimal"
    lag = solved(base.with_spec(method="lagrangian", time_limit_s=6))
    assert lag.total_cost <= exact.total_cost * 1.01
    assert lag.best_bound <= exact.total_cost * (1 + 1e-6)
    assert lag.gap == pytest.approx((lag.total_cost - lag.best_bound) / lag.total_cost)
    single = solved(base.with_spec(method="lagrangian", sourcing="single", time_limit_s=6))
    assert single.total_cost >= exact.total_cost - 1e-6
    assert single.flows.groupby("customer_id").size().max() == 1


def test_time_limit_is_honoured_and_the_best_solution_returned():
    """A 30 x 400 single-sourcing model with a 2 s limit returns a checked design with its gap and
    bound (how close it gets in 2 s is measured in benchmarks/timings.py, not asserted here)."""
    cost, demand, fixed, cap = random_instance(30, 400, seed=5, slack=1.15)
    p = FacilityProblem.from_cost_matrix(cost, demand=demand, fixed_cost=fixed, capacity=cap,
                                         spec=NetworkSpec(sourcing="single", min_dcs=0, time_limit_s=2))
    r = solved(p)
    assert r.time_limit_s == 2
    assert r.best_bound <= r.total_cost * (1 + 1e-9)
    assert r.gap == pytest.approx(max(0.0, (r.total_cost - r.best_bound) / r.total_cost), abs=1e-9)


def test_sweep_gives_the_trade_off_curve_with_progress():
    """k = 1..3 on the hand instance: 144, 194, 694; progress is reported for each k."""
    calls = []
    sw = sweep_dc_count(tiny(), [1, 2, 3], progress=lambda d, t: calls.append((d, t)))
    assert list(sw.table.total_cost) == pytest.approx([144.0, 194.0, 694.0])
    assert list(sw.table.mean_distance_km) == pytest.approx([54 / 3, 4 / 3, 4 / 3])
    assert sw.best_k == 1 and calls[-1] == (3, 3) and len(calls) == 3
    # an impossible k is a row with the reason, not an error
    sw = sweep_dc_count(tiny(force_open=("S1", "S2")), [1, 2])
    assert sw.table.status.tolist() == ["infeasible", "optimal"]
    assert "forced open" in sw.table.reason[0]
    assert len(sw.curve()) == 1


def test_sweep_in_processes_matches_in_process():
    """The process-parallel sweep gives the same curve as the in-process one."""
    a = sweep_dc_count(tiny(), [1, 2], workers=1)
    b = sweep_dc_count(tiny(), [1, 2], workers=2)
    assert list(a.table.total_cost) == pytest.approx(list(b.table.total_cost))
    assert b.workers == 2


# ------------------------------------------------------------------------------------------
# centre of gravity
# ------------------------------------------------------------------------------------------


def test_weber_point_of_a_symmetric_cross_is_its_centre():
    """Four equal customers around (0, 0): the centre of gravity is (0, 0)."""
    pts = np.array([[0, 1], [0, -1], [1, 0], [-1, 0]], float)
    lat, lon, _ = weber_point(pts, np.ones(4))
    assert lat == pytest.approx(0, abs=1e-5) and lon == pytest.approx(0, abs=1e-5)


def test_dominant_customer_attracts_the_centre():
    """A customer heavier than all others together is the Weber point (the median property)."""
    df = pd.DataFrame({"customer_id": ["A", "B", "C"], "lat": [40.0, 41.0, 40.0], "lon": [-90.0, -90.0, -89.0],
                       "annual_demand": [10.0, 1.0, 1.0]})
    g = centre_of_gravity(df, 1)
    assert g.centres.lat[0] == pytest.approx(40.0, abs=1e-6) and g.centres.lon[0] == pytest.approx(-90.0, abs=1e-6)
    assert g.weighted_km == pytest.approx(float(g.assignments.distance_km @ df.annual_demand))


def test_two_centres_split_two_clusters():
    """Two far-apart clusters get one centre each, at the cluster's weighted median on the line."""
    df = pd.DataFrame({"customer_id": list("ABCDEF"), "lat": [0.0] * 6, "lon": [0.0, 0.1, 0.2, 20.0, 20.1, 20.2],
                       "annual_demand": [1.0] * 6})
    g = centre_of_gravity(df, 2, starts=4, seed=1)
    lons = sorted(g.centres.lon)
    assert lons[0] == pytest.approx(0.1, abs=1e-4) and lons[1] == pytest.approx(20.1, abs=1e-4)
    assert g.weighted_km == pytest.approx(4 * 0.1 * D1, rel=1e-4)
    assert sorted(g.centres.customers) == [3, 3]
    with pytest.raises(SpecificationError, match="k must be between 1 and the number of customers"):
        centre_of_gravity(df, 7)


# ------------------------------------------------------------------------------------------
# the sample company and OR-Library
# ------------------------------------------------------------------------------------------


def test_sample_world_network_is_checked(sample_world):
    """The sample: a split-demand design with the existing DCs kept open passes the checker."""
    existing = tuple(sample_world.sites.loc[sample_world.sites.existing, "site_id"])
    p = FacilityProblem.from_world(sample_world, NetworkSpec(sourcing="multi", force_open=existing, time_limit_s=15))
    r = solved(p)
    assert set(existing) <= set(r.open_site_ids)
    assert r.total_demand == pytest.approx(sample_world.customers.annual_demand.sum())
    assert r.gap < 0.01
    assert r.sites.volume.sum() == pytest.approx(r.total_demand)


orlib = pytest.mark.skipif(not (FACILITY / "optima.csv").exists() and os.environ.get("CI") != "true",
                           reason="shared benchmark data not present (in CI this fails instead)")


@orlib
@pytest.mark.parametrize("instance, kind, optimum", [
    ("cap41", "cflp", 1040444.375),
    ("cap131", "cflp", 793439.562),
    ("cap61_ss", "ss", 932615.75),
    ("cap101_ss", "ss", 796648.44),
    ("pmed1", "pmed", 5819.0),
])
def test_or_library_published_optima(instance, kind, optimum):
    """OR-Library instances reach their published optimum (proven) and pass the checker."""
    from benchmarks.facility import build

    p = build({"instance": instance, "kind": kind, "capacity_override": ""}, FACILITY, 20)
    r = solved(p)
    assert r.total_cost == pytest.approx(optimum, rel=1e-6, abs=0.01)
    assert r.status == "optimal"


def test_network_spec_in_another_currency_converts_the_default_rates_only():
    """The default transport rates are USD figures: a BRL spec holds them at the ECB rate of
    11 June 2024 (5.3797 BRL per USD), values given stay as given, USD is unchanged, and a
    currency without a rate must give every rate."""
    from workbench.errors import DataError
    from workbench.network.model import NetworkSpec

    brl = NetworkSpec.for_currency("brl", carbon_price=400.0)
    rate = 5.7912 / 1.0765
    assert brl.outbound_rate == pytest.approx(round(0.0006 * rate, 8)) == pytest.approx(0.00322779)
    assert brl.inbound_rate == pytest.approx(round(0.0002 * rate, 8))
    assert brl.outbound_rate_tkm == pytest.approx(round(0.06 * rate, 8))
    assert brl.carbon_price == 400.0
    assert NetworkSpec.for_currency("USD", dc_count=3) == NetworkSpec(dc_count=3)
    with pytest.raises(DataError, match="no exchange rate for NGN"):
        NetworkSpec.for_currency("NGN")
    own = NetworkSpec.for_currency("NGN", outbound_rate=1.0, inbound_rate=0.3, outbound_rate_tkm=90.0,
                                   inbound_rate_tkm=30.0)
    assert own.outbound_rate == 1.0


def test_network_app_on_brazilian_data_prices_transport_in_reais():
    """The network app on the Brazil sample uses the default rates in BRL."""
    from widgets.network_design import NetworkDesignModel
    from workbench import load_sample

    model = NetworkDesignModel(load_sample("brazil"), solve=False)
    assert model.world.currency == "BRL"
    assert model.spec().outbound_rate == pytest.approx(0.00322779)
    assert NetworkDesignModel(load_sample(), solve=False).spec().outbound_rate == 0.0006
