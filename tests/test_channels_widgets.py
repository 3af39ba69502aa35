"""Channel strategy app driven through its model and widgets, without a browser."""

from __future__ import annotations

import dataclasses
import io
import time

import numpy as np
import pandas as pd
import pytest

from widgets.channel_strategy import (
    ChannelStrategyModel,
    channel_strategy_app,
    comparison_figure,
    frontier_figure,
    source_of,
    strategy_layers,
    tornado_figure,
    waterfall_figure,
)
from workbench.channels import KEY_ASSUMPTIONS, SOURCES, ChannelParams, break_even, evaluate_strategies


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
        assert v["Store reach"] == pytest.approx(r.store_reach)
    consumer = sample_world.outlets["channel"].isin(["retailer", "ecommerce"]).sum()
    assert app.cards["intensive"].values["Outlets"] == consumer
    assert app.cards["exclusive"].values["Outlets"] == m.territories
    assert m.consumer_price == pytest.approx(27.74)


def test_app_and_api_give_the_same_profit_for_the_same_inputs(app, sample_world):
    """The app's model and the API, each from its own defaults, agree on every strategy's profit,
    also after the retailer margin changes (the app keeps the shelf price; so does the API)."""
    for margin in (0.30, 0.40):
        app.model.retailer_margin = margin
        api = evaluate_strategies(sample_world, ChannelParams(retailer_margin=margin))
        for s, r in api.strategies.items():
            assert app.model.result.strategies[s].profit == pytest.approx(r.profit, rel=1e-12)
            assert app.cards[s].values["Profit"] == pytest.approx(r.profit, rel=1e-12)
    assert app.model.result.intensive.profit < evaluate_strategies(sample_world).intensive.profit


def test_price_control_moves_volume_by_the_elasticity(app):
    """A higher shelf price sells (30/27.74)**-2.62 of the units in every strategy; revenue follows price x units."""
    before = {s: (app.cards[s].values["Units"], app.cards[s].values["Revenue"]) for s in app.cards}
    app.inputs["consumer_price"].value = 30.0
    assert app.model.consumer_price == 30.0
    q = (30.0 / 27.74) ** -2.62
    for s, (units, revenue) in before.items():
        assert app.cards[s].values["Units"] == pytest.approx(units * q, rel=1e-9)
        assert app.cards[s].values["Revenue"] == pytest.approx(revenue * q * 30.0 / 27.74, rel=1e-9)


def test_premium_slider_moves_exclusive_only(app):
    """A higher exclusivity premium raises exclusive's net margin per unit, sells fewer units, leaves intensive alone."""
    ex = app.model.result.exclusive
    in0 = app.cards["intensive"].values["Net margin"]
    app.inputs["exclusive_premium"].value = 0.35
    ex1 = app.model.result.exclusive
    assert ex1.net_margin / ex1.units > ex.net_margin / ex.units
    assert ex1.units == pytest.approx(ex.units * (1.35 / 1.15) ** -2.62, rel=1e-9)
    assert app.cards["intensive"].values["Net margin"] == pytest.approx(in0)


def test_figures_show_the_result(app):
    """Bars per strategy, a waterfall per channel, the frontier with the strategies marked."""
    bars = app.bars.figure
    assert [t.name for t in bars.data] == ["Intensive", "Intensive", "Selective", "Selective", "Exclusive", "Exclusive"]
    cmp = app.model.result
    profit_bar = [t for t in bars.data if t.name == "Exclusive"][0]
    assert profit_bar.y[-1] == pytest.approx(cmp.exclusive.profit / 1e6)
    app.waterfall_strategy.value = "intensive"
    wf = app.waterfall.figure
    assert [t.name for t in wf.data] == ["Via wholesaler", "Retailer (direct)", "Via distributor", "E-commerce"]
    assert list(wf.data[0].x)[:3] == ["Consumer price", "Retailer margin", "Wholesaler margin"]
    assert all(t.type == "waterfall" for t in wf.data)
    ecom = wf.data[3]
    assert list(ecom.x)[:4] == ["Consumer price", "Platform commission", "Fulfilment", "Parcel"]
    assert sum(ecom.y[:-1]) == pytest.approx(ecom.y[-1])
    app.waterfall_strategy.value = "exclusive"
    assert "exclusive" in app.waterfall.figure.layout.title.text
    fr = app.frontier.figure
    names = [t.name for t in fr.data]
    assert names[0].startswith("Frontier") and names[1].startswith("Most profitable")
    assert {n.split(" (")[0].split(" at ")[0] for n in names[2:]} == {"Intensive", "Selective", "Exclusive"}
    assert fr.layout.xaxis.title.text == "Modelled population within reach of a store (%)"
    assert len(fr.data[0].x) == int(app.model.world.outlets["channel"].isin(["retailer", "ecommerce"]).sum())
    front = app.model.frontier
    g = front.gaps().loc["intensive"]
    cap = app.frontier_caption.value
    assert f"carries {int(front.best['outlets'])} outlets" in cap
    assert f"${g['selection'] / 1e6:,.1f}M comes from choosing the outlets" in cap
    assert f"${g['pricing'] / 1e6:,.1f}M from the assumed price difference" in cap


def test_maps_per_strategy(app):
    """Each map shows its strategy's outlets; the exclusive map also shows its territories."""
    cmp = app.model.result
    for s, r in cmp.strategies.items():
        feats = app.maps[s].layers["outlets"].data["features"]
        assert len(feats) == len(r.outlets)          # consumer outlets and their suppliers
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
    assert m.result.intensive.online_reach == 0.0
    app.waterfall_strategy.value = "intensive"
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
    assert not app.download.disabled
    msg, data = app.download.file()        # what a click on the button sends to the page
    assert msg["filename"] == "channel_strategy_outlets.csv" and msg["mime"] == "text/csv"
    assert msg["size"] == len(data)
    table = pd.read_csv(io.BytesIO(data))
    assert set(table["strategy"]) == {"intensive", "selective", "exclusive"}
    r = app.model.result
    assert len(table) == sum(len(x.outlets) for x in r.strategies.values())


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
    assert app.cards["exclusive"].values["Profit"] != pytest.approx(saved_profit)
    bar.open_scenario(mode="restore")
    assert m.exclusive_premium == pytest.approx(0.3)
    assert app.cards["exclusive"].values["Profit"] == pytest.approx(saved_profit)
    assert m.kpis()["exclusive_profit"] == pytest.approx(saved_profit)


def test_best_card_shows_the_margin_or_a_tie(app):
    """The best card gives its margin over the runner-up, or 'too close to call' within the tolerance."""
    m = app.model
    m.decision_tolerance = 0.0
    cmp = m.result
    sub = app.cards[cmp.best].value
    assert "best by" in sub and cmp.verdict.split(" (")[0] in app.verdict.value
    m.decision_tolerance = 0.2
    assert m.result.too_close and "too close to call" in app.cards[m.result.best].value
    assert "Too close to call" in app.verdict.value


def test_sensitivity_button_draws_the_tornado(app, monkeypatch):
    """The break-even button computes the sensitivity of the current inputs in the background and draws one bar
    pair per assumption; a result for old inputs is dropped."""
    import widgets.channel_strategy as cs

    keys = tuple(a for a in KEY_ASSUMPTIONS if a.name in ("retailer_margin", "account_cost_scale"))
    monkeypatch.setattr(cs, "break_even", lambda **kw: break_even(assumptions=keys, **kw))
    assert app.model.sensitivity is None and app.tornado.layout.display == "none"
    app.sensitivity_button.click()                     # runs in a background thread
    deadline = time.monotonic() + 300
    while (app.model.running or app.model.sensitivity is None) and time.monotonic() < deadline:
        time.sleep(0.1)
    sens = app.model.sensitivity
    assert sens is not None and sens.best == app.model.result.best
    fig = app.tornado.figure
    assert [t.name for t in fig.data] == ["At the low end of the range", "At the high end of the range"]
    assert len(fig.data[0].y) == 2 and any("Retailer margin" in y for y in fig.data[0].y)
    row = sens.table.set_index("assumption").loc["retailer_margin"]
    assert fig.data[0].base == pytest.approx(sens.margin / 1e6)
    assert app.sensitivity_table.data["assumption"].tolist() == sens.table["label"].tolist()
    app.model.retailer_margin = 0.35            # new inputs: the old sensitivity is dropped
    assert app.model.sensitivity is None and app.tornado.layout.display == "none"
    m = app.model
    m.compute_sensitivity(background=True)
    m.retailer_margin = 0.33                   # the inputs change while the search runs
    deadline = time.monotonic() + 300
    while m.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert m.sensitivity is None               # its result belonged to the old inputs: dropped
    assert np.isfinite(row["margin_low"])


def test_every_control_names_its_source(app):
    """Each assumption's control carries its source or 'Assumption: calibrate to your data' as a tooltip."""
    for name, widget in app.inputs.items():
        if name in SOURCES or name.startswith("account_cost_"):
            assert widget.tooltip == source_of(name) and widget.tooltip
    for name in ("exclusive_premium", "intensive_erosion", "account_cost_retailer"):
        assert "Assumption: calibrate to your data" in app.inputs[name].tooltip
    assert "Bijmolt" in app.inputs["price_elasticity"].tooltip
    assert "Assumption: calibrate to your data" in app.sources.value


def test_calibrate_to_sell_out_applies_the_fit(sample_world):
    """With a channel_sales table the app fits beta and competitor strength to it and re-evaluates."""
    from workbench.channels import outlet_economics, prepare_market, strategy_sets

    market = prepare_market(sample_world, ChannelParams())
    truth = market.with_params(dataclasses.replace(market.params, beta=2.5, competitor_attraction=6.0))
    e = outlet_economics(truth, strategy_sets(market)["selective"], "selective", detail=False)
    sales = pd.DataFrame({"outlet_id": market.outlets["outlet_id"].to_numpy()[e.rows[:e.n_consumer]],
                          "units": e.units[:e.n_consumer]})
    app = channel_strategy_app(sample_world.replace(channel_sales=sales))
    assert not app.calibrate_button.disabled
    app.calibrate_button.click()
    m = app.model
    assert m.problems == []
    assert m.beta == pytest.approx(2.5) and m.competitor_attraction == pytest.approx(6.0, rel=1e-6)
    assert m.calibration.wape == pytest.approx(0.0, abs=1e-6)
    assert any("Calibrated to the sell-out of" in n for n in m.notes)
    assert channel_strategy_app(sample_world).calibrate_button.disabled


def test_download_button_says_what_went_wrong_beside_it():
    """A file that cannot be made gives the reason to show beside the button, never a broken download."""
    from widgets.components import DownloadButton
    from workbench.errors import WorkbenchError

    def refuse():
        raise WorkbenchError("There is no comparison to download yet: fix the problems shown first.")

    msg, data = DownloadButton(refuse, filename="x.csv").file()
    assert msg == {"event": "file", "error": "There is no comparison to download yet: fix the problems shown first."}
    assert data == b""
    msg, data = DownloadButton(lambda: 1 / 0, filename="x.csv").file()
    assert msg["error"].startswith("Unexpected error while making x.csv (ZeroDivisionError")
    msg, data = DownloadButton(lambda: b"a,b\n1,2\n", filename="x.csv", mime="text/csv").file()
    assert msg == {"event": "file", "filename": "x.csv", "mime": "text/csv", "size": 8} and data == b"a,b\n1,2\n"
