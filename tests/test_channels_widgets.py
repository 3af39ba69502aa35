"""Channel strategy app driven through its model and widgets, without a browser."""

from __future__ import annotations

import base64
import dataclasses
import io

import pandas as pd
import pytest

from widgets.channel_strategy import (
    ChannelStrategyModel,
    channel_strategy_app,
    comparison_figure,
    frontier_figure,
    strategy_layers,
    waterfall_figure,
)
from workbench.channels import ChannelParams, evaluate_strategies


@pytest.fixture()
def app(sample_world):
    """The channel strategy app on the sample company."""
    return channel_strategy_app(sample_world)


def test_cards_match_the_domain(app, sample_world):
    """Each strategy's cards carry the numbers of a direct evaluation with the same parameters."""
    m = app.model
    assert m.problems == []
    direct = evaluate_strategies(sample_world, m.params())
    for s, r in direct.strategies.items():
        v = app.cards[s].values
        assert v["Profit"] == pytest.approx(r.profit)
        assert v["Outlets"] == r.outlet_count
        assert v["Coverage"] == pytest.approx(r.coverage)
    assert app.cards["intensive"].values["Outlets"] == len(sample_world.outlets)
    assert app.cards["exclusive"].values["Outlets"] == m.territories
    assert m.consumer_price == pytest.approx(27.74)


def test_price_control_updates_all_three(app):
    """Changing the consumer price re-evaluates all three strategies (its speed is in benchmarks/timings.py)."""
    before = {s: app.cards[s].values["Revenue"] for s in app.cards}
    app.inputs["consumer_price"].value = 30.0
    assert app.model.consumer_price == 30.0
    after = {s: app.cards[s].values["Revenue"] for s in app.cards}
    for s in before:
        assert after[s] == pytest.approx(before[s] * 30.0 / 27.74)


def test_premium_slider_raises_exclusive_margin(app):
    """A higher exclusivity premium raises the exclusive net margin and leaves intensive alone."""
    ex0 = app.cards["exclusive"].values["Net margin"]
    in0 = app.cards["intensive"].values["Net margin"]
    app.inputs["exclusive_premium"].value = 0.35
    assert app.cards["exclusive"].values["Net margin"] > ex0
    assert app.cards["intensive"].values["Net margin"] == pytest.approx(in0)


def test_figures_show_the_result(app):
    """Bars per strategy, a waterfall per channel, the frontier with the strategies marked."""
    bars = app.bars.figure
    assert [t.name for t in bars.data] == ["Intensive", "Intensive", "Selective", "Selective", "Exclusive", "Exclusive"]
    cmp = app.model.result
    profit_bar = [t for t in bars.data if t.name == "Exclusive"][0]
    assert profit_bar.y[-1] == pytest.approx(cmp.exclusive.profit / 1e6)
    wf = app.waterfall.figure
    assert [t.name for t in wf.data] == ["Wholesaler", "Retailer", "Distributor", "E-commerce"]
    assert all(t.type == "waterfall" for t in wf.data)
    ecom = wf.data[3]
    assert list(ecom.x)[:4] == ["Consumer price", "Platform commission", "Fulfilment", "Parcel"]
    assert sum(ecom.y[:-1]) == pytest.approx(ecom.y[-1])
    app.waterfall_strategy.value = "exclusive"
    assert "exclusive" in app.waterfall.figure.layout.title.text
    fr = app.frontier.figure
    names = [t.name for t in fr.data]
    assert names[0].startswith("Frontier") and names[1].startswith("Most profitable")
    assert {n.split(" (")[0] for n in names[2:]} == {"Intensive", "Selective", "Exclusive"}
    assert fr.layout.xaxis.title.text == "Population covered (%)"
    assert len(fr.data[0].x) == len(app.model.world.outlets)
    best = app.model.frontier.best
    assert f"<b>{int(best['outlets'])} outlets</b>" in app.frontier_caption.value


def test_maps_per_strategy(app):
    """Each map shows its strategy's outlets; the exclusive map also shows its territories."""
    cmp = app.model.result
    for s, r in cmp.strategies.items():
        feats = app.maps[s].layers["outlets"].data["features"]
        assert len(feats) == r.outlet_count
        assert len(app.maps[s].layers["zones"].data["features"]) == 300
    assert "territories" in app.maps["exclusive"].layers
    assert "territories" not in app.maps["intensive"].layers
    terr = app.maps["exclusive"].layers["territories"].data["features"]
    assert 1 <= len(terr) <= app.model.territories


def test_infeasible_territories_become_a_problem(app):
    """Too many territories for balance shows the numbers as a problem, and recovers."""
    app.inputs["territories"].value = 20
    m = app.model
    assert m.result is None
    assert len(m.problems) == 1 and "zone C001 alone" in m.problems[0] and "use at most" in m.problems[0]
    assert app.cards["exclusive"].values == {}
    app.inputs["territories"].value = 8
    assert m.problems == [] and app.cards["exclusive"].values["Outlets"] == 8


def test_channel_checkbox_disables_a_channel(app):
    """Unticking e-commerce removes it from every strategy and from the waterfall."""
    box = [b for b in app.channel_boxes.children if b.description == "E-commerce"][0]
    box.value = False
    m = app.model
    assert m.channels == ["wholesaler", "retailer", "distributor"]
    assert "ecommerce" not in set(m.result.intensive.outlets["channel"])
    assert "E-commerce" not in [t.name for t in app.waterfall.figure.data]
    m.channels = ["wholesaler", "retailer", "distributor", "ecommerce"]
    assert box.value is True


def test_inputs_round_trip_with_one_evaluation(app, sample_world):
    """Saved inputs restore every choice without running; refresh() re-evaluates once."""
    m = app.model
    m.exclusive_premium = 0.25
    m.selective_size = 30
    saved = m.inputs()
    assert saved["world_version"] == sample_world.version
    other = ChannelStrategyModel(sample_world)
    runs = []
    other.observe(lambda ch: runs.append(1), names="result")
    other.set_inputs(saved)
    assert runs == []  # restoring choices never runs the app
    other.refresh()
    assert len(runs) == 1
    assert other.params() == m.params()
    assert other.result.selective.outlet_count == 30
    assert other.kpis()["exclusive_profit"] == pytest.approx(m.kpis()["exclusive_profit"])
    assert "frontier_best_profit" in other.kpis()


def test_reset_and_download(app):
    """Back to defaults restores the parameters; the CSV download carries every strategy's outlets."""
    app.model.beta = 3.0
    app.reset_button.click()
    assert app.model.beta == 2.0 and app.model.consumer_price == pytest.approx(27.74)
    href = app.download.value.split('base64,')[1].split('"')[0]
    table = pd.read_csv(io.BytesIO(base64.b64decode(href)))
    assert set(table["strategy"]) == {"intensive", "selective", "exclusive"}
    assert len(table) == 400 + app.model.result.selective.outlet_count + app.model.territories


def test_serving_dcs_from_a_network_design(sample_world):
    """Serving from one far DC raises the cost to serve of every strategy."""
    near = ChannelStrategyModel(sample_world)
    far = ChannelStrategyModel(sample_world, serving_dcs=pd.DataFrame(
        {"site_id": ["X"], "lat": [25.77], "lon": [-80.19], "handling_cost": [0.4]}))
    for s in ("intensive", "selective", "exclusive"):
        assert far.result.strategies[s].cost_to_serve > near.result.strategies[s].cost_to_serve
    assert set(far.result.intensive.outlets["serving_dc"]) == {"X"}


def test_world_without_outlets(sample_world):
    """Data with no outlets says what to load instead of failing."""
    import workbench

    empty = workbench.World.from_tables({k: v for k, v in sample_world.tables().items() if k != "outlets"})
    assert len(empty.outlets) == 0
    m = ChannelStrategyModel(empty)
    assert m.result is None
    assert "no outlets table" in m.problems[0]


def test_figure_builders_on_a_domain_result(sample_world):
    """The figure and layer builders work on a plain domain result (no model needed)."""
    cmp = evaluate_strategies(sample_world, dataclasses.replace(ChannelParams(), territories=6))
    assert len(comparison_figure(cmp).data) == 6
    assert len(waterfall_figure(cmp.exclusive).data) == cmp.exclusive.channels["channel"].nunique()
    layers = strategy_layers(cmp.exclusive)
    assert set(layers) == {"territories", "zones", "outlets"}
    assert len(layers["outlets"]["features"]) == 6


def test_choosing_serving_dcs(app, sample_world):
    """Picking the DCs to serve from re-assigns every outlet to its nearest chosen DC."""
    assert set(app.dc_select.value) == {"DC-CHI", "DC-ATL", "DC-ONT"}
    app.dc_select.value = ("DC-DAL",)
    m = app.model
    assert m.serving_site_ids == ["DC-DAL"]
    assert set(m.result.intensive.outlets["serving_dc"]) == {"DC-DAL"}
    assert m.inputs()["serving_site_ids"] == ["DC-DAL"]
    app.dc_select.value = ()          # nothing chosen: the choice is kept
    assert app.dc_select.value == ("DC-DAL",)
    app.dc_select.value = ("DC-CHI", "DC-ATL", "DC-ONT")
    assert m.serving_site_ids == []   # today's network


def test_save_and_open_as_a_scenario(sample_world, tmp_path):
    """The app's scenario bar saves its choices and result; opening restores both."""
    from widgets.scenarios import ScenarioBar
    from workbench.scenarios import ScenarioStore

    app = channel_strategy_app(sample_world)
    m = app.model
    bar = ScenarioBar(m, ScenarioStore(folder=tmp_path))
    m.exclusive_premium = 0.3
    saved_profit = m.result.exclusive.profit
    bar.name.value = "Premium 30%"
    bar.save_button.click()
    assert "Saved 'Premium 30%'" in bar.message.value
    m.exclusive_premium = 0.05
    assert app.cards["exclusive"].values["Profit"] < saved_profit
    bar.open_scenario(mode="restore")
    assert m.exclusive_premium == pytest.approx(0.3)
    assert app.cards["exclusive"].values["Profit"] == pytest.approx(saved_profit)
    assert m.kpis()["exclusive_profit"] == pytest.approx(saved_profit)
