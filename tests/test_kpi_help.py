"""Every KPI of every app says what it is and how it is computed (the KPI registry's ``help``), and
every KPI card of every app shows that as its tooltip, driven through the apps' models and views."""

from __future__ import annotations

import re

import pytest

from widgets.components import KPI, KPICards
from workbench.scenarios import Scenario, ScenarioStore
from workbench.scenarios.apps import APPS
from workbench.scenarios.kpis import app_kpis, kpi_help, kpi_info


def _card_titles(cards: KPICards) -> dict[str, str]:
    """data-kpi -> title of each card as the HTML draws it ('' when a card has no title)."""
    out = {}
    for m in re.finditer(r'<div class="wb-card" data-kpi="([^"]*)"(?: title="([^"]*)")?>', cards.value):
        out[m.group(1)] = m.group(2) or ""
    return out


def _assert_every_card_has_help(cards: KPICards) -> None:
    titles = _card_titles(cards)
    assert len(titles) == len(cards.values) >= 1
    for label, title in titles.items():
        assert len(title) > 15, f"card {label!r} has no tooltip"
    assert all(cards.tooltips[k] for k in cards.values)


@pytest.mark.parametrize("app", [a for a, info in APPS.items() if info.kind in ("planning", "home")])
def test_every_kpi_of_every_app_has_a_description(app):
    """Each registered KPI has a label and a description of more than a few words."""
    infos = app_kpis(app)
    assert infos, f"{app} registers no KPIs"
    for info in infos:
        assert info.label.strip(), info.name
        assert len(info.help.split()) >= 3, f"{app}: KPI {info.name!r} has no description"


def test_the_registry_lists_an_apps_kpis_in_order():
    """app_kpis gives the app's registrations in order; kpi_help reads one, '' for an unknown KPI."""
    names = [i.name for i in app_kpis("network_design")]
    assert names[:3] == ["total_cost", "fixed_cost", "handling_cost"]
    assert "gap" in names and kpi_info("gap", "network_design").solver
    assert kpi_help("cost_per_unit", "network_design") == "total yearly cost divided by the units delivered in the year"
    assert kpi_help("no_such_kpi", "network_design") == ""


def test_a_card_takes_its_tooltip_from_the_registry():
    """KPICards(app=...) puts the registered help of each card's KPI in its title (escaped); a card
    without a KPI name gets none."""
    cards = KPICards([KPI("Cost per unit", 0.9, "USD/unit", kpi="cost_per_unit"), KPI("Loose", 1.0)],
                     app="network_design")
    titles = _card_titles(cards)
    assert titles["Cost per unit"] == "total yearly cost divided by the units delivered in the year"
    assert titles["Loose"] == "" and cards.tooltips == {
        "Cost per unit": "total yearly cost divided by the units delivered in the year", "Loose": ""}
    assert cards.values == {"Cost per unit": 0.9, "Loose": 1.0}


def test_home_cards_have_tooltips(sample_world):
    """Home's eight cards each explain their number."""
    from widgets.home import home_app

    view = home_app(sample_world)
    _assert_every_card_has_help(view.cards)
    assert len(view.cards.values) == 8


def test_network_design_cards_have_tooltips_before_and_after_solving(sample_world):
    """Before the first design (customers, candidate sites) and after it (cost, DCs, distances ...)."""
    from widgets.network_design import NetworkDesignModel, NetworkDesignView

    view = NetworkDesignView(NetworkDesignModel(sample_world, solve=False, time_limit_s=10), background=False)
    _assert_every_card_has_help(view.cards)
    assert set(view.cards.values) == {"Customers", "Candidate sites"}
    view.model.solve()
    assert view.model.result is not None
    _assert_every_card_has_help(view.cards)
    assert {"Total cost", "Utilisation", "Worst DC lost", "CO2e"} <= set(view.cards.values)


def test_channel_strategy_cards_have_tooltips_per_strategy(sample_world):
    """Each strategy's cards explain their number, naming the strategy."""
    from widgets.channel_strategy import channel_strategy_app

    view = channel_strategy_app(sample_world)
    for s, cards in view.cards.items():
        _assert_every_card_has_help(cards)
        assert cards.tooltips["Profit"].startswith(f"{s.capitalize()} distribution: net margin - cost to serve")


def test_demand_cards_have_tooltips(sample_world):
    """The forecast, backtest and stock cards each explain their number (MASE named in its tooltip)."""
    from widgets.demand_forecasting import demand_forecasting_app

    view = demand_forecasting_app(sample_world)
    _assert_every_card_has_help(view.cards)
    assert view.cards.tooltips["Error vs. 'same week last year'"].startswith("MASE:")


def test_route_planning_cards_have_tooltips_before_and_after_solving(sample_world):
    """Before Solve (the day's orders) and after it (vehicles, distance, cost ...)."""
    from widgets.route_planning import route_planning_app

    view = route_planning_app(sample_world)
    view.time_limit.value = 1
    _assert_every_card_has_help(view.cards)
    view.solve_button.click()
    view.model.join(60)
    assert view.model.result is not None
    _assert_every_card_has_help(view.cards)
    assert len(view.cards.values) == 7


def test_viewer_cards_have_tooltips_and_show_no_solver_numbers(sample_world, tmp_path):
    """The viewer's cards of a saved network design explain their number; solve time and optimality
    gap are not cards (they are no business result)."""
    from widgets.network_design import NetworkDesignModel
    from widgets.viewer import ViewerModel, ViewerView

    model = NetworkDesignModel(sample_world, solve=False, time_limit_s=10)
    model.solve()
    store = ScenarioStore(folder=tmp_path)
    try:
        sid = store.save(Scenario.from_result("Cheapest", "network_design", inputs=model.inputs(),
                                              result=model.result))
        view = ViewerView(ViewerModel(store, sample_world, seed=False))
        view.pick.value = sid
        _assert_every_card_has_help(view.cards)
        assert "Optimality gap" not in view.cards.values and "Solve time" not in view.cards.values
        assert view.cards.values["Total cost"] == pytest.approx(model.result.total_cost)
    finally:
        store.close()


def test_result_tables_name_code_columns_in_words():
    """Route and forecast result columns with code names get words in every table header."""
    from widgets.components import TableView
    from workbench.scenarios.kpis import header

    assert [header(c) for c in ("seq", "kind", "tw_start", "tw_end")] == [
        "Stop no.", "Stop type", "Window opens (HH:MM)", "Window closes (HH:MM)"]
    assert TableView().shown_headers(["seq", "lat", "unique_id", "ds", "y"]) == [
        "Stop no.", "Latitude (°)", "Series", "Week", "Units (units/week)"]
