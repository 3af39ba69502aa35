"""Network design app driven through its model and widgets, without a browser."""

from __future__ import annotations

import pytest

from widgets.network_design import (NetworkDesignModel, NetworkDesignView, cost_figure, network_design_app,
                                    site_table, tradeoff_figure)
from workbench.network import FacilityProblem, NetworkResult, check_network


@pytest.fixture(scope="module")
def app(sample_world):
    """The app on the sample with split demand, the trade-off not started. The tests compare designs
    with the optimum, so the limit leaves room to prove it on a busy machine (a quiet one proves it in
    well under a second and stops there)."""
    model = NetworkDesignModel(sample_world, sourcing="multi", time_limit_s=20)
    return NetworkDesignView(model, background=False)


def test_opens_with_existing_dcs_kept_and_a_checked_design(app, sample_world):
    """First solve: existing DCs forced open, a checked design, cards equal to the result."""
    m = app.model
    existing = list(sample_world.sites.loc[sample_world.sites.existing, "site_id"])
    assert m.force_open == existing and set(app.forced.value) == set(existing)
    r = m.result
    assert isinstance(r, NetworkResult) and m.check_ok and m.problems == []
    assert set(existing) <= set(r.open_site_ids)
    assert check_network(r, m.problem).ok
    c = app.cards.values
    assert c["Total cost"] == pytest.approx(r.total_cost) and c["DCs open"] == r.dc_count
    assert c["Mean distance"] == pytest.approx(r.mean_distance_km)
    assert m.kpis()["total_cost"] == pytest.approx(r.total_cost)
    # map: one line per flow, every customer and site drawn, open sites coloured by DC
    assert len(app.map.layers["lines"].data["features"]) == len(r.flows)
    assert len(app.map.layers["customers"].data["features"]) == len(sample_world.customers)
    assert len(app.map.layers["sites"].data["features"]) == len(sample_world.sites)
    colours = {f["properties"]["style"]["stroke"] if "stroke" in f["properties"]["style"] else
               f["properties"]["style"]["color"] for f in app.map.layers["lines"].data["features"]}
    assert len(colours) == r.dc_count
    # cost chart: one stacked trace per cost component, bars per open DC, adding up to the total
    fig = app.costs.figure
    assert [t.name for t in fig.data] == ["Fixed", "Handling", "Outbound"]
    assert sum(sum(t.y) for t in fig.data) == pytest.approx(r.total_cost)
    assert list(app.table.data.site) == list(site_table(r).site) and len(app.table.data) == r.dc_count


def test_changing_the_number_of_dcs_resolves(app):
    """Setting 9 DCs re-solves: 9 open, cost not lower than the free optimum, the map lines change."""
    m = app.model
    free = m.result
    before = app.map.layers["lines"].data
    app.free_count.value = False
    app.count.value = 9
    assert m.dc_count == 9
    r = m.result
    assert r.dc_count == 9 and m.check_ok
    assert r.total_cost >= free.total_cost - 1e-6
    assert app.cards.values["DCs open"] == 9
    assert app.map.layers["lines"].data != before
    app.free_count.value = True
    assert m.dc_count == 0 and m.result.total_cost == pytest.approx(free.total_cost, rel=1e-4)


def test_service_radius_rate_and_fixed_cost_controls(app):
    """A 700 km radius for 80% of demand is met; a higher transport rate raises outbound cost."""
    m = app.model
    base = m.result
    app.radius.value = 700
    app.share.value = 80
    assert m.service_radius_km == 700 and m.service_share == pytest.approx(0.8)
    r = m.result
    assert r.share_within_radius >= 0.8 - 1e-9 and m.check_ok
    assert app.cards.values["Within radius"] == pytest.approx(r.share_within_radius)
    app.radius.value = 0
    assert m.result.service_radius_km is None
    app.transport.value = 2.0
    assert m.result.outbound_cost > base.outbound_cost
    app.transport.value = 1.0
    app.fixed.value = 1.5
    r = m.result
    assert r.fixed_cost == pytest.approx(1.5 * r.sites.loc[r.sites.open, "fixed_cost"].sum() / 1.5 * 1.0)
    assert r.fixed_cost == pytest.approx(1.5 * m.world.sites.set_index("site_id").loc[list(r.open_site_ids),
                                                                                      "fixed_cost"].sum())
    app.fixed.value = 1.0
    assert m.result.total_cost == pytest.approx(base.total_cost, rel=1e-4)


def test_click_a_site_to_keep_it_open_and_two_echelons(app):
    """Clicking a closed site forces it open (and into the list); two echelons add inbound cost."""
    m = app.model
    closed = [s for s in m.site_ids if s not in m.result.open_site_ids]
    target = closed[0]
    app._on_site_click({"properties": {"site_id": target}})
    assert target in m.force_open and target in app.forced.value
    assert target in m.result.open_site_ids and m.check_ok
    app._on_site_click({"properties": {"site_id": target}})
    assert target not in m.force_open
    app.two_echelon.value = True
    r = m.result
    assert r.inbound_cost > 0 and len(r.inbound) > 0 and m.check_ok
    assert "Inbound" in [t.name for t in app.costs.figure.data]
    assert "plants" in app.map.layers
    app.two_echelon.value = False


def test_infeasible_choice_becomes_a_message(app):
    """Asking for 4 DCs cannot cover demand: a readable problem with the numbers, no traceback."""
    m = app.model
    app.free_count.value = False
    app.count.value = 4
    assert m.result is None and not m.check_ok
    assert len(m.problems) == 1 and "< demand" in m.problems[0] and "units/yr" in m.problems[0]
    assert "Traceback" not in m.problems[0]
    app.free_count.value = True
    assert m.problems == [] and isinstance(m.result, NetworkResult)


def test_tradeoff_curve_marks_the_current_design(app):
    """The sweep gives one point per feasible k, cost and distance traces, and the current design starred."""
    m = app.model
    app.sweep_button.click()
    sw = m.sweep
    assert sw is not None and not m.sweep_stale
    curve = sw.curve()
    assert list(curve.dc_count) == sorted(curve.dc_count) and len(curve) >= 3
    fig = app.tradeoff.figure
    assert [t.name for t in fig.data] == ["Total cost", "Mean distance", "Current design"]
    assert list(fig.data[2].x) == [m.result.dc_count]
    assert fig.data[2].y[0] == pytest.approx(m.result.total_cost / 1e6)
    # the free optimum is the cheapest point of the curve
    assert m.result.total_cost <= curve.total_cost.min() * (1 + 1e-3)
    m.transport_multiplier = 1.1
    assert m.sweep_stale and app.sweep_button.description == "Update trade-off curve"
    m.transport_multiplier = 1.0


def test_inputs_round_trip(sample_world):
    """inputs() is JSON-able; set_inputs() restores the choices without solving, refresh() solves once."""
    import json

    m = NetworkDesignModel(sample_world, sourcing="multi", solve=False)
    m.dc_count = 8
    saved = json.loads(json.dumps(m.inputs()))
    other = NetworkDesignModel(sample_world, sourcing="multi", solve=False)
    solves = []
    other.observe(lambda ch: solves.append(ch["new"]), names="result")
    other.set_inputs(saved)
    assert other.dc_count == 8 and other.sourcing == "multi" and other.force_open == m.force_open
    assert solves == []
    other.refresh()
    assert other.result.dc_count == 8
    assert len([s for s in solves if s is not None]) == 1


def test_figures_from_a_plain_result(sample_world):
    """cost_figure and tradeoff_figure work from domain results alone."""
    p = FacilityProblem.from_world(sample_world).with_spec(sourcing="multi", dc_count=7)
    r = p.solve()
    fig = cost_figure(r)
    assert fig.layout.yaxis.title.text == "USD per year" and len(fig.data[0].x) == 7
    fig = tradeoff_figure(None, r)
    assert [t.name for t in fig.data] == ["Current design"]
    assert "press 'Trade-off curve'" in fig.layout.title.text


def test_app_builder_starts_the_tradeoff_in_the_background(sample_world):
    """network_design_app() shows a design at once and fills the curve from a background thread."""
    view = network_design_app(sample_world, sourcing="multi", time_limit_s=1)
    assert isinstance(view.model.result, NetworkResult)
    view.model.join(120)
    assert view.model.sweep is not None
    assert [t.name for t in view.tradeoff.figure.data][-1] == "Current design"


def test_advanced_assumptions_reach_the_design(sample_world):
    """The collapsible advanced controls set the spec: inventory and a carbon price enter the cost and
    its breakdown, the cards show inventory value and CO2e, and every design passes the checker."""
    m = NetworkDesignModel(sample_world, sourcing="multi", time_limit_s=20)
    v = NetworkDesignView(m, background=False)
    assert v.advanced.selected_index is None          # collapsed
    base = m.result
    assert base.inventory_cost == 0.0 and v.cards.values["Inventory value"] == pytest.approx(base.inventory_value)
    assert v.cards.values["CO2e"] == pytest.approx(base.co2_kg / 1000)
    # the sample's busiest DCs cannot ship their December week within capacity / 52: flagged in a note
    assert len(base.peak) > 0 and any("peak week" in n for n in m.notes)
    v.peak.value = True
    assert m.result.peak_shortfall_units == 0.0 and m.check_ok
    v.peak.value = False
    v.inventory.value = True
    v.holding.value = 0.3
    r = m.result
    assert m.spec().inventory and m.spec().holding_rate == pytest.approx(0.3)
    assert r.inventory_cost == pytest.approx(0.3 * r.inventory_value) and m.check_ok
    assert "Inventory" in [t.name for t in v.costs.figure.data]
    # the iteration proves nothing; the details fold says what the lower bound proves, and its gap
    assert r.gap == pytest.approx((r.total_cost - r.best_bound) / r.total_cost) and r.best_bound <= r.total_cost
    assert "<details" in v.solver_details.value and "Proven:" in v.solver_details.value
    assert "Not proven:" in v.solver_details.value and f"{100 * r.gap:.2f}%" in v.solver_details.value
    v.carbon_price.value = 200
    r = m.result
    assert r.carbon_cost == pytest.approx(r.co2_kg * 200 / 1000) and m.check_ok
    v.co2_out.value = 0.1
    assert m.spec().co2_outbound_kg_tkm == pytest.approx(0.1)
    v.rate_basis.value = "tonne"
    assert m.result.spec.rate_basis == "tonne" and m.check_ok
    saved = m.inputs()
    assert saved["inventory"] is True and saved["carbon_price"] == 200 and saved["rate_basis"] == "tonne"


@pytest.fixture(scope="module")
def design_app(sample_world):
    """The app on the sample with split demand and room to solve (its own state, not the shared app's)."""
    model = NetworkDesignModel(sample_world, sourcing="multi", time_limit_s=10)
    return NetworkDesignView(model, background=False)


def test_stress_test_table_worst_case_card_and_map(design_app):
    """The stress test closes each open DC in turn: one row per DC, checked, the worst case on a card,
    and the chosen lost DC ringed on the map with the flows that moved."""
    app = design_app
    m = app.model
    app.stress_button.click()
    st = m.stress
    assert st is not None and m.stress_ok
    assert sorted(st.table.lost_site) == sorted(m.result.open_site_ids)
    worst = st.worst
    assert app.cards.values["Worst DC lost"] == pytest.approx(worst["extra_cost"])
    assert m.kpis()["worst_loss_unserved_units"] == pytest.approx(worst["unserved_units"])
    assert m.lost_site == worst["lost_site"] and "lost" in app.map.layers
    other = [s for s in st.table.lost_site if s != worst["lost_site"]][0]
    app.lost.value = other
    assert m.lost_site == other
    assert app.map.layers["lost"].data["features"][0]["properties"]["id"] == other


def test_cost_co2_frontier(design_app):
    """The frontier solves one design per carbon price; CO2e never rises with the price."""
    app = design_app
    m = app.model
    app.frontier_button.click()
    fr = m.frontier
    assert fr is not None
    t = fr.table[fr.table.status.isin(["optimal", "feasible"])]
    assert len(t) >= 3 and (t.co2_t.diff().dropna() <= 1e-9 * t.co2_t.max()).all()
    assert (t.cost.diff().dropna() >= -1e-9 * t.cost.max()).all()
    assert [tr.name for tr in app.frontier_chart.figure.data][0] == "Frontier"


def test_capacity_in_m3_control(sample_world):
    """DC capacity read in m3/yr: sites of 150,000 each cannot hold the sample's 65 M units/yr as units
    (a clear message) but can as m3 (about 0.014 m3 a unit); the design keeps every open DC within its
    m3, the table and the utilisation card are in m3, and the design equals the domain's own solve."""
    sites = sample_world.sites.assign(capacity=150_000.0)
    world = sample_world.replace(sites=sites)
    m = NetworkDesignModel(world, sourcing="multi", time_limit_s=20, force_open=[])
    v = NetworkDesignView(m, background=False)
    assert m.result is None and any("units/yr" in p for p in m.problems)
    assert "m3" in v.capacity_basis.options[1][0] and v.capacity_basis.value == "units"
    v.capacity_basis.value = "m3"
    r = m.result
    assert m.problems == [] and r.spec.capacity_basis == "m3" and m.check_ok
    s = r.open_sites
    assert (s.volume_m3 <= 150_000.0 * (1 + 1e-9)).all()
    assert s.utilisation.to_numpy() == pytest.approx((s.volume_m3 / 150_000.0).to_numpy())
    assert v.cards.values["Utilisation"] == pytest.approx(s.volume_m3.sum() / (150_000.0 * r.dc_count))
    table = v.table.data.set_index("site")
    assert table["volume m3"].to_dict() == pytest.approx(s.set_index("site_id").volume_m3.to_dict())
    direct = FacilityProblem.from_world(world, m.spec()).solve()
    assert r.total_cost == pytest.approx(direct.total_cost, rel=2e-4)
    assert m.inputs()["capacity_basis"] == "m3"


def test_a_design_solved_before_is_shown_again_without_a_re_solve(sample_world):
    """The trade-off curve's proven designs are shown as they are when their count is chosen; a
    count chosen again shows the design solved for it; another choice (a rate) is a new solve."""
    m = NetworkDesignModel(sample_world, sourcing="multi", time_limit_s=20)
    v = NetworkDesignView(m, background=False)
    sweep = m.compute_tradeoff([7, 8])
    proven = {k: r for k, r in sweep.results.items() if r is not None and r.proven_optimal}
    assert proven, "the sample's curve proves these counts with a 20 s limit"
    k, swept = next(iter(proven.items()))
    v.free_count.value = False
    v.count.value = k
    assert m.result is swept and "shown again" in m.status and m.check_ok
    assert v.cards.values["Total cost"] == pytest.approx(swept.total_cost)
    other = 9
    v.count.value = other
    nine = m.result
    assert nine is not swept and nine.dc_count == other
    v.count.value = k
    v.count.value = other
    assert m.result is nine
    v.transport.value = 1.5
    assert m.result is not nine and m.result.spec.transport_multiplier == 1.5 and m.result.dc_count == other


def test_map_labels_keep_their_markers_when_unchanged():
    """Labels set again unchanged send nothing; a changed set keeps the markers of the labels that
    stay and replaces only the others."""
    from widgets.maps import MapView

    mv = MapView()
    mv.set_labels("dc_names", [(40.0, -100.0, "A"), (35.0, -90.0, "B")])
    group = mv.labels["dc_names"]
    first = list(group.layers)
    mv.set_labels("dc_names", [(40.0, -100.0, "A"), (35.0, -90.0, "B")])
    assert mv.labels["dc_names"] is group and list(group.layers) == first
    mv.set_labels("dc_names", [(40.0, -100.0, "A"), (30.0, -80.0, "C")])
    assert list(group.layers)[0] is first[0] and list(group.layers)[1] is not first[1]
    assert mv.label_text["dc_names"] == ["A", "C"] and group in mv.map.layers
