"""A company's own channel names, mapped to the channel model's four economic roles, and the
model's US dollar defaults expressed in the data's currency at stated exchange rates."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import workbench
from workbench import DataError, World
from workbench.channels import ChannelParams, break_even, evaluate_strategies, prepare_market
from workbench.channels.summary import comparison_markdown, sensitivity_markdown
from workbench.currency import ECB_RATES, RATES_DATE, usd_rate

# role -> the company's names (two retail channels share the retailer role)
RENAME = {"wholesaler": "Atacado", "distributor": "Distribuidores", "ecommerce": "Marketplace"}


@pytest.fixture(scope="module")
def us():
    """The US sample company (channels named after their roles)."""
    return workbench.load_sample()


@pytest.fixture(scope="module")
def renamed(us):
    """The US sample with its own channel names: retailers split into 'Supermercados' and
    'Key accounts' (flagships), the others renamed, and a channels table mapping each to its role."""
    o = us.outlets.copy()
    o["channel"] = [("Key accounts" if t == "flagship" else "Supermercados") if c == "retailer" else RENAME[c]
                    for c, t in zip(o["channel"], o["tier"])]
    channels = pd.DataFrame({"channel": ["Supermercados", "Key accounts", *RENAME.values()],
                             "role": ["retailer", "retailer", *RENAME]})
    return us.replace(outlets=o, channels=channels)


@pytest.fixture(scope="module")
def us_cmp(us):
    """The three strategies on the US sample."""
    return evaluate_strategies(us, ChannelParams())


# ------------------------------------------------------------------------------------------
# channel names and roles
# ------------------------------------------------------------------------------------------


def test_own_names_change_no_number(renamed, us_cmp):
    """Renaming the channels (with a channels table giving their roles) changes no number of
    the model: every strategy's KPIs equal the sample's, and units and profit per role add up
    to the same totals."""
    cmp = evaluate_strategies(renamed, ChannelParams())
    for s, r in cmp.strategies.items():
        base = us_cmp.strategies[s]
        assert r.kpis() == pytest.approx(base.kpis(), rel=1e-12, abs=1e-9)
        by_role = r.channels.groupby("channel_role")[["units", "profit"]].sum()
        base_by_role = base.channels.groupby("channel_role")[["units", "profit"]].sum()
        pd.testing.assert_frame_equal(by_role, base_by_role, rtol=1e-12)
    assert cmp.verdict == us_cmp.verdict


def test_routes_and_tables_use_the_companys_names(renamed):
    """Routes, the outlets table and the per-route table name the company's channels; the
    roles ride along for the economics."""
    r = evaluate_strategies(renamed, ChannelParams()).intensive
    assert set(r.outlets["channel"]) == {"Supermercados", "Key accounts", "Atacado", "Distribuidores", "Marketplace"}
    assert set(r.channels["channel"]) == set(r.outlets["route"])
    roles = dict(zip(r.channels["channel"], r.channels["channel_role"]))
    assert roles["Atacado"] == "wholesaler" and roles["Marketplace"] == "ecommerce"
    assert roles["Key accounts"] == "retailer" and roles["Supermercados"] == "retailer"
    # a mass store served through a wholesaler is on the wholesaler's route, with its supplier named
    via = r.outlets[(r.outlets["role"] == "store") & (r.outlets["route"] == "Atacado")]
    assert len(via) and (via["channel"] == "Supermercados").all() and (via["supplier_id"] != "").all()
    direct = r.outlets[(r.outlets["role"] == "store") & (r.outlets["route"] == r.outlets["channel"])]
    assert (direct["supplier_id"] == "").all()
    # the waterfall of a route is the margin stack of its role
    w = r.waterfall("Atacado")
    assert "Wholesaler margin" in set(w["step"]) and "Retailer margin" in set(w["step"])


def test_roles_from_the_names(us):
    """Names that state their role ('Retail', 'E-commerce', 'wholesale', 'Distributors') need
    no channels table."""
    o = us.outlets.copy()
    o["channel"] = o["channel"].map({"retailer": "Retail", "ecommerce": "E-commerce", "wholesaler": "wholesale",
                                     "distributor": "Distributors"})
    w = World.from_tables({**us.tables(), "outlets": o})
    assert w.channel_roles == {"Retail": "retailer", "wholesale": "wholesaler", "Distributors": "distributor",
                               "E-commerce": "ecommerce"}
    assert w.summary()["outlets_retailer"] == 300


def test_a_channel_without_a_role_is_named_with_the_fix(us, tmp_path):
    """A channel whose name is not a role and which no channels table maps is a DataError naming
    the channel, its rows and count, the allowed roles and the file to add."""
    o = us.outlets.copy()
    o.loc[o["channel"] == "wholesaler", "channel"] = "Atacado"
    folder = tmp_path / "data"
    World(**{**us.tables(), "outlets": o}, source="x").to_csv(folder)
    with pytest.raises(DataError) as info:
        workbench.load_world(folder)
    msgs = info.value.messages
    assert len(msgs) == 1
    m = msgs[0]
    first = int(o.index[o["channel"] == "Atacado"][0]) + 2
    assert m.startswith(f"outlets.csv, rows {first}, ")
    assert "column 'channel': channel 'Atacado' has no economic role" in m and "(40 rows; first value: 'Atacado')" in m
    assert ("add a 'channels' table (a channels.csv file or a 'channels' sheet) with columns channel, role and a row "
            "'Atacado' with its role: one of wholesaler, retailer, distributor, ecommerce") in m
    # the fix works: a channels table (spelled differently) maps it, and the outlets take its spelling
    pd.DataFrame({"channel": [" atacado "], "role": ["Wholesaler"]}).to_csv(folder / "channels.csv", index=False)
    w = workbench.load_world(folder)
    assert w.channel_roles["atacado"] == "wholesaler" and "Atacado" not in w.channel_roles
    assert (w.outlets["channel"] == "atacado").sum() == 40 and w.summary()["outlets_wholesaler"] == 40
    # ... and round-trips
    w.to_csv(tmp_path / "again")
    assert workbench.load_world(tmp_path / "again").channel_roles == w.channel_roles


def test_a_role_that_is_not_one_of_the_four(us):
    """A channels table role outside the four is refused with the allowed roles."""
    bad = pd.DataFrame({"channel": ["Atacado"], "role": ["cash and carry"]})
    with pytest.raises(DataError) as info:
        World.from_tables({**us.tables(), "channels": bad})
    assert any("column 'role': value is not one of the allowed choices" in m
               and "wholesaler, retailer, distributor, ecommerce" in m for m in info.value.messages)


def test_a_channel_listed_twice_in_another_spelling(us):
    """'Atacado' and 'ATACADO ' are one channel: listing both (whatever their roles) is refused."""
    o = us.outlets.copy()
    o.loc[o["channel"] == "wholesaler", "channel"] = "Atacado"
    two = pd.DataFrame({"channel": ["Atacado", "ATACADO "], "role": ["wholesaler", "distributor"]})
    with pytest.raises(DataError) as info:
        World.from_tables({**us.tables(), "outlets": o, "channels": two})
    assert info.value.messages == [
        "table 'channels', rows 2, 3, column 'channel': the same channel is listed twice (names are compared without "
        "case or extra spaces) (2 rows; first value: 'Atacado'). Fix: keep one row per channel, with its one role"]


def test_tables_without_a_role_reach_the_model_as_a_data_error(us):
    """prepare_market on raw tables names the channel without a role (no traceback)."""
    o = us.outlets.copy()
    o.loc[:4, "channel"] = "Key accounts"
    with pytest.raises(DataError, match="channel 'Key accounts' has no economic role"):
        prepare_market({"customers": us.customers, "outlets": o, "sites": us.sites, "products": us.products},
                       ChannelParams())
    roles = pd.DataFrame({"channel": ["Key accounts"], "role": ["retailer"]})
    m = prepare_market({"customers": us.customers, "outlets": o, "sites": us.sites, "products": us.products,
                        "channels": roles}, ChannelParams())
    assert set(m.outlets.loc[m.outlets["channel"] == "Key accounts", "role"]) == {"store"}


def test_brazil_sample_names_its_channels_in_portuguese():
    """The Brazil sample's outlets use Portuguese channel names mapped by its channels table."""
    br = workbench.load_sample("brazil")
    assert br.channel_roles == {"Varejo": "retailer", "Atacado": "wholesaler", "Distribuidores": "distributor",
                                "Marketplace": "ecommerce"}
    s = br.summary()
    assert (s["outlets_retailer"], s["outlets_wholesaler"], s["outlets_distributor"], s["outlets_ecommerce"]) == (
        60, 15, 15, 10)


# ------------------------------------------------------------------------------------------
# money defaults in the data's currency
# ------------------------------------------------------------------------------------------


def test_exchange_rates_are_the_stated_table():
    """Rates per US dollar come from the ECB euro reference rates of 11 June 2024."""
    assert RATES_DATE == "2024-06-11" and ECB_RATES["USD"] == 1.0765 and ECB_RATES["BRL"] == 5.7912
    assert usd_rate("USD") == 1.0
    assert usd_rate("brl") == pytest.approx(5.7912 / 1.0765)
    assert usd_rate("EUR") == pytest.approx(1 / 1.0765)
    assert usd_rate("INR") == pytest.approx(89.9490 / 1.0765)
    assert usd_rate("NGN") is None


@pytest.mark.parametrize("code, fulfilment, parcel, account, per_km", [
    # 2.50, 6.50, (60k, 90k, 120k, 150k) and 0.001 USD at 5.7912/1.0765 = 5.379656 BRL per USD
    ("BRL", 13.45, 34.97, (322779.0, 484169.0, 645559.0, 806948.0), 0.00538),
    ("EUR", 2.32, 6.04, (55736.0, 83604.0, 111472.0, 139340.0), 0.000929),
    ("INR", 208.89, 543.12, (5013414.0, 7520121.0, 10026828.0, 12533535.0), 0.083557),
    ("USD", 2.50, 6.50, (60000.0, 90000.0, 120000.0, 150000.0), 0.001),
])
def test_defaults_in_another_currency(code, fulfilment, parcel, account, per_km):
    """for_currency converts every money default at the stated rate (cents per unit, whole
    units per account, 6 decimals per unit-km) and leaves the other assumptions alone."""
    p = ChannelParams.for_currency(code)
    assert p.currency == code
    assert p.ecommerce_fulfilment == fulfilment and p.ecommerce_parcel == parcel
    assert tuple(p.account_cost[c] for c in ("retailer", "wholesaler", "distributor", "ecommerce")) == account
    assert p.logistics_cost_per_unit_km == per_km
    assert dataclasses.replace(p, currency="USD", account_cost=ChannelParams().account_cost, ecommerce_fulfilment=2.5,
                               ecommerce_parcel=6.5, logistics_cost_per_unit_km=0.001) == ChannelParams()
    # a value given is taken as it is (already in the currency)
    assert ChannelParams.for_currency(code, ecommerce_parcel=12.0).ecommerce_parcel == 12.0


def test_a_currency_without_a_rate_asks_for_the_money_inputs():
    """For a currency outside the table the defaults are refused, naming the inputs to give;
    given all of them, the parameters are built."""
    with pytest.raises(DataError) as info:
        ChannelParams.for_currency("NGN", ecommerce_parcel=3000.0)
    m = info.value.messages[0]
    assert "no exchange rate for NGN" in m
    assert "give account_cost, ecommerce_fulfilment, logistics_cost_per_unit_km in NGN" in m
    p = ChannelParams.for_currency("NGN", account_cost={"retailer": 9e7, "wholesaler": 1e8, "distributor": 1e8,
                                                       "ecommerce": 2e8},
                                   ecommerce_fulfilment=4000.0, ecommerce_parcel=9000.0, logistics_cost_per_unit_km=1.5)
    assert p.currency == "NGN" and p.ecommerce_parcel == 9000.0


def test_usd_defaults_on_a_brl_world_are_refused():
    """The US dollar defaults are never used as reais: the mismatch is a DataError with the fix."""
    br = workbench.load_sample("brazil")
    with pytest.raises(DataError) as info:
        prepare_market(br, ChannelParams())
    m = info.value.messages[0]
    assert "the channel parameters are in USD but the data's money is in BRL" in m
    assert "ChannelParams.for_currency('BRL')" in m and "5.3797 BRL per USD" in m
    market = prepare_market(br, ChannelParams.for_currency("BRL", territories=7))
    cost = dict(zip(market.outlets["channel"], market.outlets["account_cost"]))
    assert cost == {"Varejo": 322779.0, "Atacado": 484169.0, "Distribuidores": 645559.0, "Marketplace": 806948.0}
    with pytest.raises(DataError, match="in USD but the data's money is in BRL"):
        market.with_params(ChannelParams())


def test_a_world_in_a_currency_without_a_rate(us):
    """On data in a currency the table lacks, the fix names every money input to give."""
    ngn = us.replace(company=pd.DataFrame({"name": ["Lagos Foods"], "country": ["Nigeria"], "currency": ["NGN"]}))
    with pytest.raises(DataError) as info:
        prepare_market(ngn, ChannelParams())
    assert ("no exchange rate for NGN: give account_cost, ecommerce_fulfilment, ecommerce_parcel, "
            "logistics_cost_per_unit_km in NGN") in info.value.messages[0]


def test_brazil_reports_and_break_even_in_brl():
    """The comparison, the notes, the docs tables and the money ranges of the break-even search
    are in BRL: no bare '$', and the freight range is the US one at the stated rate."""
    br = workbench.load_sample("brazil")
    params = ChannelParams.for_currency("BRL", territories=7)
    market = prepare_market(br, params)
    cmp = evaluate_strategies(br, params, market=market)
    text = comparison_markdown(cmp) + " ".join(cmp.notes)
    assert "R$" in text and "$" not in text.replace("R$", "")
    sens = break_even(market=market, params=params, assumptions=[
        a for a in workbench.channels.KEY_ASSUMPTIONS if a.name == "logistics_cost_per_unit_km"], grid=3, iterations=1)
    row = sens.table.iloc[0]
    rate = 5.7912 / 1.0765
    assert row["low"] == pytest.approx(0.0002 * rate) and row["high"] == pytest.approx(0.004 * rate)
    assert sens.currency == "BRL"
    md = sensitivity_markdown(sens)
    assert "R$" in md and "$" not in md.replace("R$", "")


# ------------------------------------------------------------------------------------------
# the apps
# ------------------------------------------------------------------------------------------


def test_channel_app_in_a_currency_without_a_rate(us):
    """The channel app on data in NGN asks for the money inputs instead of using dollars; once
    they are entered it evaluates."""
    from widgets.channel_strategy import MONEY_TRAITS, ChannelStrategyModel

    ngn = us.replace(company=pd.DataFrame({"name": ["Lagos Foods"], "country": ["Nigeria"], "currency": ["NGN"]}))
    m = ChannelStrategyModel(ngn)
    assert m.result is None and len(m.problems) == 1
    assert "no exchange rate for NGN" in m.problems[0] and "account cost of retailer" in m.problems[0]
    with m.quiet():
        for name in MONEY_TRAITS:
            setattr(m, name, getattr(m, name) * 500.0)
    m.refresh()
    assert m.problems == [] and m.result is not None and m.result.params.currency == "NGN"
    # "Back to defaults" has no NGN defaults to go back to: it asks again
    from widgets.channel_strategy import ChannelStrategyView

    view = ChannelStrategyView(m, background=False)
    view.reset()
    assert m.result is None and "no exchange rate for NGN" in m.problems[0]


def test_channel_app_switches_currency_with_the_world(us):
    """Moving the app from the US World to the Brazilian one puts the money inputs in BRL
    (the converted defaults) and back."""
    from widgets.channel_strategy import ChannelStrategyModel

    m = ChannelStrategyModel(us)
    assert m.ecommerce_parcel == 6.5 and m.result.params.currency == "USD"
    m.world = workbench.load_sample("brazil")
    assert m.ecommerce_parcel == 34.97 and m.account_cost_retailer == 322779.0
    assert m.problems == [] and m.result.params.currency == "BRL"
    m.world = us
    assert m.ecommerce_parcel == 6.5 and m.territories == 10 and m.result.params.currency == "USD"


def test_home_shows_the_companys_channel_names(fresh_home):
    """Home counts outlets by the company's channel names and labels its map layers with them."""
    from widgets.home import home_app

    app = home_app(workbench.load_sample("brazil"))
    assert app.cards.values["Outlets"] == 100
    assert "60 Varejo, 15 Atacado, 15 Distribuidores, 10 Marketplace" in app.cards.value
    assert app.map.toggles["wholesaler"].description == "Atacado (wholesaler)"
