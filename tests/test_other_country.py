"""A company outside the US: the Brazilian sample loads with its own regions, states and
currency, and every app opens on it (each app's model is built and run on it)."""

from __future__ import annotations

import pytest

import workbench


@pytest.fixture(scope="module")
def brazil():
    """The Brazilian sample company (BRL, five macro-regions)."""
    return workbench.load_sample("brazil")


def test_brazil_sample_has_its_own_regions_states_and_currency(brazil):
    """Regions and states are the company's own; money is in BRL."""
    assert brazil.currency == "BRL" and brazil.company_name == "Alimentos Horizonte Ltda."
    assert brazil.regions == ["Centro-Oeste", "Nordeste", "Norte", "Sudeste", "Sul"]
    assert {"SP", "RJ", "RS"} <= set(brazil.customers.state)
    assert set(brazil.demand_history.region) <= set(brazil.regions)
    assert brazil.plants.state.tolist() == ["SP", "PE"]  # no US plant supplies Brazil
    assert brazil.plants.capacity.sum() > brazil.customers.annual_demand.sum()


def test_us_sample_is_in_usd():
    """The US sample has no company table and is in USD."""
    us = workbench.load_sample()
    assert us.currency == "USD" and len(us.company) == 0


def test_unknown_sample_name():
    """An unknown sample name is a DataError naming the samples there are."""
    with pytest.raises(workbench.DataError, match="brazil"):
        workbench.load_sample("atlantis")


def test_home_opens(brazil, fresh_home):
    """Home shows the Brazilian company's numbers and money in BRL."""
    from widgets.home import home_app

    app = home_app(brazil)
    assert app.cards.values["Customers"] == 80
    assert app.model.problems == []


def test_network_design_opens(brazil):
    """Network design solves on the Brazilian data, in BRL, with Brazilian plants."""
    from widgets.network_design import network_design_app

    app = network_design_app(brazil, tradeoff=False)
    m = app.model
    assert m.problems == [] and m.result is not None
    assert m.result.total_cost > 0


def test_channel_strategy_opens(brazil):
    """Channel strategy compares the strategies on the Brazilian outlets, by their Portuguese
    channel names, with money inputs in BRL."""
    from widgets.channel_strategy import channel_strategy_app

    app = channel_strategy_app(brazil, background=False)
    m = app.model
    # Sao Paulo alone is 17% of the market: ten balanced territories cannot exist; the app uses
    # the most that can (floor(1.25 / 0.1677) = 7) and says so
    assert m.problems == [] and m.result is not None
    assert m.territories == 7 and any("7 instead of 10" in n for n in m.notes)
    assert m.params().currency == "BRL" and m.result.params.currency == "BRL"
    assert "R$" in m.result.verdict and "$" not in m.result.verdict.replace("R$", "")
    routes = set(m.result.intensive.outlets["route"])
    assert routes == {"Varejo", "Atacado", "Distribuidores", "Marketplace"}
    assert [b.description for b in app.channel_boxes.children] == [
        "Atacado (wholesaler)", "Varejo (retailer)", "Distribuidores (distributor)", "Marketplace (e-commerce)"]
    app.waterfall_strategy.value = "intensive"
    titles = {a.text for a in app.waterfall.figure.layout.annotations}
    assert titles == {"Via Atacado", "Via Distribuidores", "Varejo (direct)", "Marketplace"}
    assert set(app.outlets.data["channel"]) <= {"Varejo", "Atacado", "Distribuidores", "Marketplace"}
    assert "Varejo" in app.outlets.value
    # an input change refreshes without problems; "Back to defaults" gives the BRL defaults and
    # the territories this data can balance
    m.exclusive_premium = 0.2
    m.ecommerce_parcel = 50.0
    assert m.problems == [] and m.result.params.exclusive_premium == 0.2
    app.reset()
    assert m.problems == [] and m.exclusive_premium == 0.15 and m.ecommerce_parcel == 34.97 and m.territories == 7


def test_demand_forecasting_opens(brazil):
    """Demand & inventory forecasts a Brazilian region's series."""
    from widgets.demand_forecasting import demand_forecasting_app

    app = demand_forecasting_app(brazil)
    m = app.model
    assert m.problems == []
    assert m.series.split("|")[1] in brazil.regions


def test_route_planning_opens(brazil):
    """Route planning plans the Cajamar DC's day."""
    from widgets.route_planning import route_planning_app

    app = route_planning_app(brazil)
    m = app.model
    m.time_limit = 1.0
    m.solve()
    assert m.problems == [] and m.result is not None


def test_scenario_apps_open(brazil, tmp_path):
    """Compare and Viewer open on the Brazilian company with an empty store."""
    from workbench.scenarios import ScenarioStore
    from widgets.scenarios import compare_app, viewer_app

    store = ScenarioStore(tmp_path / "s.sqlite")
    assert compare_app(store, brazil).model.problems == []
    assert viewer_app(store, brazil).model.problems == []


def test_money_is_shown_in_the_worlds_currency(brazil, fresh_home):
    """KPI cards, the formatter and saved scenarios carry the World's currency."""
    from widgets.formatting import format_value
    from widgets.home import home_app
    from widgets.network_design import network_design_app

    app = network_design_app(brazil, tradeoff=False)
    assert format_value(1_234_567.0, "USD") == "R$1.23M"
    assert format_value(1_234_567.0, "USD", currency="EUR") == "€1.23M"
    assert app.model.inputs()["currency"] == "BRL"
    cards = app.cards.value
    assert "R$" in cards and "$" not in cards.replace("R$", "")
    home_app(workbench.load_sample())
    assert format_value(1_234_567.0, "USD") == "$1.23M"


def test_excel_export_in_the_scenarios_currency(brazil):
    """A scenario saved on the Brazilian World exports money as R$ with 'BRL' as the unit."""
    import io

    from openpyxl import load_workbook

    from workbench.scenarios import Scenario
    from workbench.scenarios.export import export_excel

    sc = Scenario.from_result("Base", "network_design", kpis={"total_cost": 1.5e6},
                              inputs={"dc_count": 3, "currency": "BRL"})
    ws = load_workbook(io.BytesIO(export_excel([sc])))["Comparison"]
    row = [c for c in ws.iter_rows(min_row=4, max_row=4)][0]
    assert row[1].value == "BRL" and row[2].number_format == '"R$"#,##0;-"R$"#,##0'


def test_every_app_model_builds_and_refreshes_on_brazil(brazil, tmp_path, fresh_home):
    """Every registered app's model is built on the Brazilian company (loaded as the World every
    app opens with) and refreshed twice without a problem, money in BRL."""
    from widgets import registry
    from widgets.world_store import set_current_world
    from workbench.scenarios import ScenarioStore

    set_current_world(brazil)

    store = ScenarioStore(tmp_path / "s.sqlite")
    for name in registry.VIEWS:
        cls = registry.model_class(name)
        if name in ("scenario_compare", "scenario_viewer"):
            m = cls(store, brazil)
        elif name == "home":
            m = cls(brazil, persist=False)
        elif name == "route_planning":
            m = cls(brazil)
            m.time_limit = 1.0
        elif name == "network_design":
            m = cls(brazil, tradeoff=False) if "tradeoff" in cls.class_trait_names() else cls(brazil)
        else:
            m = cls(brazil)
        for _ in range(2):
            m.refresh()
            assert m.problems == [], (name, m.problems)
        assert m.currency == "BRL", name
