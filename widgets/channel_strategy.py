"""Channel strategy app: intensive, selective and exclusive distribution side by side.

The model holds every assumption as a trait; any change re-evaluates the three strategies and
the reach-versus-profit frontier (about half a second on the sample company; the exclusive
territories are re-designed only when their inputs change). The view shows the verdict (best,
margin, tolerance), KPI cards per strategy, a grouped bar chart, the break-even tornado on
request, a map per strategy, a per-unit margin waterfall per path to the shopper and the
frontier with the three strategies marked like for like; every control's tooltip gives the
source of its default.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import ipywidgets as W
import numpy as np
import pandas as pd
import traitlets as T

import workbench
from workbench.currency import currency_symbol
from workbench.channels import (
    CHANNELS,
    SOURCES,
    STRATEGIES,
    TIERS,
    ChannelComparison,
    ChannelFrontier,
    ChannelParams,
    StrategyResult,
    break_even,
    calibrate_capture,
    evaluate_strategies,
    frontier,
    prepare_market,
    reference_prices,
)

from .components import KPI, DownloadButton, FigureView, KPICards, section, TableView
from .figures.channels import (CHANNEL_LABELS, STRATEGY_COLORS, STRATEGY_LABELS, comparison_figure,
                               format_assumption, frontier_figure, role_labels, tornado_figure, waterfall_figure)
from .figures.style import money_text
from .formatting import LAYER_COLORS, PALETTE, format_value, money_unit
from .geojson import hull_polygons, polygons_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world, for_page

__all__ = [
    "ChannelStrategyModel",
    "ChannelStrategyView",
    "channel_strategy_app",
    "comparison_figure",
    "waterfall_figure",
    "frontier_figure",
    "strategy_layers",
    "tornado_figure",
    "STRATEGY_COLORS",
]

DEFAULTS = ChannelParams()

# model trait -> ChannelParams field (same name unless listed)
PARAM_TRAITS = (
    "alpha", "beta", "competitor_attraction", "coverage_radius_km", "consumer_price", "retailer_margin",
    "wholesaler_margin", "distributor_margin", "ecommerce_commission", "ecommerce_fulfilment", "ecommerce_parcel",
    "exclusive_premium", "intensive_erosion", "price_elasticity", "logistics_cost_per_unit_km",
    "selective_min_attractiveness", "territories", "balance_tolerance", "online_share", "ecommerce_delivery_km",
    "intermediary_radius_km", "partner_min_capture", "decision_tolerance",
)
ACCOUNT_TRAITS = tuple(f"account_cost_{c}" for c in CHANNELS)
# the money inputs: in the World's currency (their defaults are US dollar figures, converted)
MONEY_TRAITS = ("ecommerce_fulfilment", "ecommerce_parcel", "logistics_cost_per_unit_km", *ACCOUNT_TRAITS)


def money_defaults(currency: str) -> dict[str, float] | None:
    """The default of every money input in ``currency`` (ChannelParams.for_currency: the US
    dollar defaults at the ECB rates of 11 June 2024), or None for a currency without a rate."""
    try:
        d = ChannelParams.for_currency(currency)
    except workbench.DataError:
        return None
    out = {n: float(getattr(d, n)) for n in ("ecommerce_fulfilment", "ecommerce_parcel", "logistics_cost_per_unit_km")}
    out.update({f"account_cost_{c}": float(d.account_cost[c]) for c in CHANNELS})
    return out


class ChannelStrategyModel(AppModel):
    """Every channel-strategy assumption as a trait, the latest comparison and frontier.

    ``result`` is a :class:`~workbench.channels.ChannelComparison`; ``frontier`` the
    :class:`~workbench.channels.ChannelFrontier`. ``consumer_price`` starts at the price
    derived from the World's products. ``selective_size`` 0 means "every outlet meeting the
    criteria". ``params()`` gives the :class:`ChannelParams` the traits stand for.
    """

    app_name = "channel_strategy"
    title = "Channel strategy"
    input_traits = (*PARAM_TRAITS, *ACCOUNT_TRAITS, "channels", "selective_tiers", "selective_size",
                    "exclusive_tiers", "serving_site_ids")

    alpha = T.Float(DEFAULTS.alpha)
    beta = T.Float(DEFAULTS.beta)
    competitor_attraction = T.Float(float(DEFAULTS.competitor_attraction))
    coverage_radius_km = T.Float(DEFAULTS.coverage_radius_km)
    consumer_price = T.Float(0.0)
    retailer_margin = T.Float(DEFAULTS.retailer_margin)
    wholesaler_margin = T.Float(DEFAULTS.wholesaler_margin)
    distributor_margin = T.Float(DEFAULTS.distributor_margin)
    ecommerce_commission = T.Float(DEFAULTS.ecommerce_commission)
    ecommerce_fulfilment = T.Float(DEFAULTS.ecommerce_fulfilment)
    ecommerce_parcel = T.Float(DEFAULTS.ecommerce_parcel)
    exclusive_premium = T.Float(DEFAULTS.exclusive_premium)
    intensive_erosion = T.Float(DEFAULTS.intensive_erosion)
    price_elasticity = T.Float(DEFAULTS.price_elasticity)
    logistics_cost_per_unit_km = T.Float(DEFAULTS.logistics_cost_per_unit_km)
    account_cost_wholesaler = T.Float(DEFAULTS.account_cost["wholesaler"])
    account_cost_retailer = T.Float(DEFAULTS.account_cost["retailer"])
    account_cost_distributor = T.Float(DEFAULTS.account_cost["distributor"])
    account_cost_ecommerce = T.Float(DEFAULTS.account_cost["ecommerce"])
    channels = T.List(T.Unicode(), default_value=list(DEFAULTS.channels))
    selective_tiers = T.List(T.Unicode(), default_value=list(DEFAULTS.selective_tiers))
    selective_min_attractiveness = T.Float(DEFAULTS.selective_min_attractiveness)
    selective_size = T.Int(0)
    exclusive_tiers = T.List(T.Unicode(), default_value=list(DEFAULTS.exclusive_tiers))
    territories = T.Int(DEFAULTS.territories)
    balance_tolerance = T.Float(DEFAULTS.balance_tolerance)
    online_share = T.Float(DEFAULTS.online_share)
    ecommerce_delivery_km = T.Float(DEFAULTS.ecommerce_delivery_km)
    intermediary_radius_km = T.Float(DEFAULTS.intermediary_radius_km)
    partner_min_capture = T.Float(DEFAULTS.partner_min_capture)
    decision_tolerance = T.Float(DEFAULTS.decision_tolerance)

    serving_site_ids = T.List(T.Unicode())   # DCs to serve outlets from; empty = today's (existing) DCs

    frontier = T.Any(None, allow_none=True)
    sensitivity = T.Any(None, allow_none=True)   # workbench.channels.Sensitivity of the current inputs
    calibration = T.Any(None, allow_none=True)   # workbench.channels.Calibration last applied
    unit_cost = T.Float(0.0)
    reference_price = T.Float(0.0)
    serving_dcs = T.Any(None, allow_none=True)

    _ready = False
    _money_currency = "USD"   # the currency the money inputs are in
    _territory_note = ""
    _unpriced: frozenset = frozenset()  # money inputs still at their USD default in a currency without a rate

    def __init__(self, world: workbench.World | None = None, *, serving_dcs: pd.DataFrame | None = None,
                 autorun: bool = True, **kwargs):
        super().__init__(world if world is not None else current_world(), **kwargs)
        self.serving_dcs = serving_dcs
        with self.quiet():
            self._money_in(self.currency)
            self._fit_territories()
            try:
                price, cost = reference_prices(self.world, DEFAULTS)
                self.consumer_price = price
                self.reference_price = price
                self.unit_cost = cost
            except workbench.WorkbenchError as exc:
                self.problems = [str(exc)]
        self.observe(self._on_input, names=list(self.input_traits))
        self._ready = True
        if autorun:
            self.recompute()

    # -- inputs -------------------------------------------------------------------------
    def _money_in(self, currency: str) -> None:
        """Put the money inputs in ``currency`` (the World's): the defaults in that currency when
        it differs from the one they are in (a note says so); for a currency without an exchange
        rate they wait for the analyst's figures (a problem names them)."""
        if currency == self._money_currency:
            return
        values = money_defaults(currency)
        self._money_currency = currency
        if values is None:
            self._unpriced = frozenset(MONEY_TRAITS)
            return
        self._unpriced = frozenset()
        with self.quiet():
            for name, v in values.items():
                setattr(self, name, v)

    def _fit_territories(self) -> None:
        """When the default number of territories cannot be balanced on this World (one zone
        holds more potential than the largest territory allowed), use the most that can be, and
        say so in the notes."""
        self._territory_note = ""
        if self.world is None or not len(self.world.customers) or self.territories != DEFAULTS.territories:
            return
        pot = self.world.customers["annual_demand"].to_numpy(float)
        total, top = float(pot.sum()), float(pot.max())
        if not (total > 0 and top > 0):
            return
        most = max(int(np.floor((1.0 + self.balance_tolerance) * total / top + 1e-9)), 1)
        if most < self.territories:
            with self.quiet():
                self.territories = most
            self._territory_note = (f"Exclusive territories: {most} instead of {DEFAULTS.territories}, the most this "
                                    f"data can balance within ±{self.balance_tolerance:.0%} (its largest zone holds "
                                    f"{top / total:.0%} of the potential).")

    def money_defaults(self) -> dict[str, float]:
        """The defaults of the money inputs in the World's currency (USD figures when it has no rate)."""
        return money_defaults(self.currency) or {n: float(self.trait_defaults(n)) for n in MONEY_TRAITS}

    def params(self) -> ChannelParams:
        """The :class:`ChannelParams` these choices stand for."""
        kw: dict[str, Any] = {name: getattr(self, name) for name in PARAM_TRAITS}
        kw["account_cost"] = {c: float(getattr(self, f"account_cost_{c}")) for c in CHANNELS}
        kw["channels"] = tuple(c for c in CHANNELS if c in self.channels)
        kw["selective_tiers"] = tuple(t for t in TIERS if t in self.selective_tiers)
        kw["exclusive_tiers"] = tuple(t for t in TIERS if t in self.exclusive_tiers)
        kw["selective_size"] = int(self.selective_size) if self.selective_size > 0 else None
        kw["unit_cost"] = self.unit_cost if self.unit_cost > 0 else None
        kw["consumer_price"] = self.consumer_price if self.consumer_price > 0 else None
        kw["reference_price"] = self.reference_price if self.reference_price > 0 else None
        kw["currency"] = self._money_currency
        return ChannelParams(**kw)

    def _on_input(self, change) -> None:
        if change["name"] in self._unpriced:
            self._unpriced = self._unpriced - {change["name"]}
        if not self.is_quiet:
            self.recompute()

    def refresh(self) -> None:
        """Evaluate the strategies under the current choices (the contract's one way to run again)."""
        self.recompute()

    @T.observe("world")
    def _on_world(self, change) -> None:
        if self._ready and change["new"] is not None:
            self._money_in(self.currency)
            with self.quiet():
                if self.territories != DEFAULTS.territories and self._territory_note:
                    self.territories = DEFAULTS.territories  # the last World's fit, not the analyst's choice
                self._fit_territories()
            try:
                price, cost = reference_prices(change["new"], DEFAULTS)
            except workbench.WorkbenchError:
                pass  # recompute() reports the missing products
            else:
                with self.quiet():
                    if self.consumer_price == self.reference_price:
                        self.consumer_price = price
                    self.reference_price, self.unit_cost = price, cost
            self.recompute()

    # -- running ------------------------------------------------------------------------
    def _market(self, params: ChannelParams):
        """The market under ``params``: its tables are validated and its distances computed once
        per World and serving DCs; another price or assumption re-derives only what depends on it
        (:meth:`~workbench.channels.Market.with_params`, the same market ``prepare_market`` builds)."""
        dcs = self.serving_dcs if self.serving_dcs is not None else (list(self.serving_site_ids) or None)
        world = self.world
        key = (world.version, tuple(dcs) if isinstance(dcs, list) else None)
        cached = getattr(self, "_market_cache", None)
        if (cached is not None and cached[0] is world and cached[1] is self.serving_dcs and cached[2] == key
                and np.isfinite(cached[3].product_price)):
            return cached[3].with_params(params)
        market = prepare_market(world, params, serving_dcs=dcs)
        self._market_cache = (world, self.serving_dcs, key, market)
        return market

    def _evaluate(self, params: ChannelParams) -> tuple[ChannelComparison, ChannelFrontier]:
        market = self._market(params)
        comparison = evaluate_strategies(self.world, params, market=market)
        front = frontier(self.world, params, comparison=comparison, market=market)
        return comparison, front

    def has_sell_out(self) -> bool:
        """True when the World carries a channel_sales table to calibrate to."""
        sales = getattr(self.world, "channel_sales", None)
        return sales is not None and len(sales) > 0

    def calibrate(self) -> None:
        """Fit the distance decay and competitor strength to the World's sell-out and apply them."""
        params = self.params()
        out = self.run(lambda: calibrate_capture(self.world, params, market=self._market(params)),
                       label="Fitting the capture model to your sell-out")
        if out is None:
            return
        self.calibration = out
        self.set_inputs({"beta": out.beta, "competitor_attraction": out.competitor_strength})
        self.refresh()
        self.notes = [*self.notes, f"Calibrated to the sell-out of {len(out.fit)} outlets: distance decay "
                      f"{out.beta:.1f}, competitor strength {out.competitor_strength:.2f}; the modelled units miss "
                      f"the observed by {out.wape:.1%} (weighted absolute error)."]

    def compute_sensitivity(self, *, background: bool = False) -> None:
        """Break-even values of the key assumptions for the current inputs (a few seconds; in a
        background thread with ``background``). A result that arrives after the inputs changed is
        dropped: it belongs to the old inputs."""
        if self.result is None:
            return
        params = self.params()

        def done(sens) -> None:
            if self.params() == params:
                self.sensitivity = sens

        self.run_in_background(lambda: break_even(market=self._market(params), params=params,
                                                  progress=self.progress_callback()),
                               label="Finding the break-even value of each assumption", done=done,
                               background=background)

    def recompute(self) -> None:
        """Evaluate the three strategies and the frontier; problems become readable messages."""
        if self.world is None:
            return
        if len(self.world.outlets) == 0:
            self.problems = ["This data has no outlets table, so there is nothing to distribute through. Load an "
                             "outlets table (outlet_id, channel, tier, attractiveness, lat, lon) on Home."]
            self.result = None
            self.frontier = None
            return
        if self._unpriced:
            labels = {"ecommerce_fulfilment": "fulfilment per unit", "ecommerce_parcel": "parcel per unit",
                      "logistics_cost_per_unit_km": "freight per unit-km"}
            names = [labels.get(n, n.replace("account_cost_", "account cost of ")) for n in MONEY_TRAITS
                     if n in self._unpriced]
            self.problems = [f"The channel model's default costs are in USD and the workbench has no exchange rate "
                             f"for {self.currency}. Enter these costs in {self.currency} under Prices and margins and "
                             f"Cost to serve: {', '.join(names)}."]
            self.result = None
            self.frontier = None
            return
        out = self.run(lambda: self._evaluate(self.params()), label="Evaluating the three strategies")
        if out is None:
            self.result = None
            self.frontier = None
            return
        comparison, front = out
        self.notes = ([self._territory_note] if self._territory_note and self.territories < DEFAULTS.territories
                      else []) + list(comparison.notes)
        self.sensitivity = None   # stale: it belongs to the previous inputs
        self.frontier = front
        self.result = comparison

    def kpis(self) -> dict[str, float]:
        if self.result is None:
            return {}
        out = dict(self.result.kpis())
        if self.frontier is not None:
            out.update(self.frontier.kpis())
        return out

    def verdict(self) -> str:
        """The comparison in one sentence (best, margin over the runner-up, tolerance)."""
        return self.result.verdict if self.result is not None else ""


def _hulls(points: pd.DataFrame, group: str, colors: Mapping[Any, str]) -> dict:
    return polygons_layer(hull_polygons(points, group), lambda _, name: {
        "color": colors[name], "weight": 1.5, "fillColor": colors[name], "fillOpacity": 0.12},
        label=lambda name: f"Territory {name}")


def strategy_layers(result: StrategyResult) -> dict[str, dict]:
    """GeoJSON layers of one strategy: ``zones`` (sized by potential, shaded by the brand's
    share), ``outlets`` (carried, coloured by channel or by territory) and, for exclusive,
    ``territories`` (outlines)."""
    z = result.zones.copy()
    r = 2 + 8 * np.sqrt(z["potential"] / max(float(z["potential"].max()), 1.0))
    o = result.outlets.copy()
    layers = {}
    if result.strategy == "exclusive" and "territory" in z:
        colors = {t: PALETTE[(int(t) - 1) % len(PALETTE)] for t in sorted(z["territory"].unique())}
        z["territory_name"] = z["territory"].map(lambda t: f"Territory {int(t)}")
        layers["territories"] = _hulls(z, "territory", colors)
        zc = [colors[t] for t in z["territory"]]
        oc = [colors[t] for t in o["territory"]]
        props_z = ("name", "territory_name", "own_share", "units")
    else:
        share = z["own_share"].to_numpy(float)
        zc = [_shade(s) for s in share]
        oc = [LAYER_COLORS.get(c, "#333333") for c in o["channel_role"]]
        props_z = ("name", "own_share", "units", "outlets_within_r")
    layers["zones"] = _points(z, zc, r, props_z, 0.45)
    ro = 3 + 3 * (o["tier"] != "mass").to_numpy(float)
    layers["outlets"] = _points(o, oc, ro, ("name", "channel", "tier", "units"), 0.95)
    return layers


def strategy_legend(result: StrategyResult) -> list[tuple[str, str]]:
    """The colour legend of one strategy's map: channels (or territories) of the outlets, and the
    shading of the zones by the brand's share."""
    o = result.outlets
    if result.strategy == "exclusive" and "territory" in result.zones:
        items = [("outlets and zones coloured by territory", PALETTE[0])]
    else:
        pairs = o[["channel", "channel_role"]].drop_duplicates().sort_values("channel")
        items = [(f"{CHANNEL_LABELS.get(c, c) if c == r else c} outlet", LAYER_COLORS.get(r, "#333333"))
                 for c, r in zip(pairs["channel"], pairs["channel_role"])]
    return items + [("zone: brand's share low", _shade(0.0)), ("high", _shade(1.0))]


def _points(df: pd.DataFrame, colors, radius, props, fill_opacity: float) -> dict:
    """GeoJSON points with per-feature style (same shape as ``core.points_layer``, built from
    columns at once so a few hundred features take milliseconds)."""
    cols = {k: [v.item() if isinstance(v, np.generic) else v for v in df[k].tolist()] for k in props if k in df}
    radius = np.broadcast_to(np.asarray(radius, float), (len(df),)).tolist()
    feats = []
    for i, (lat, lon) in enumerate(zip(df["lat"].tolist(), df["lon"].tolist())):
        p = {k: (round(v[i], 4) if isinstance(v[i], float) else v[i]) for k, v in cols.items()}
        p["style"] = {"radius": radius[i], "color": "#ffffff", "weight": 1, "fillColor": colors[i],
                      "fillOpacity": fill_opacity, "opacity": 0.9}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _shade(share: float) -> str:
    """Light grey (no share) to deep blue (the whole zone)."""
    s = float(min(max(share, 0.0), 1.0))
    lo, hi = np.array([0xd9, 0xe2, 0xec]), np.array([0x10, 0x2a, 0x43])
    rgb = (lo + (hi - lo) * s).round().astype(int)
    return "#%02x%02x%02x" % tuple(rgb)


# ---------------------------------------------------------------------------------------
# the view
# ---------------------------------------------------------------------------------------

CARD_KPIS = (("Outlets", "outlet_count", ""), ("Store reach", "store_reach", "share"), ("Units", "units", "units"),
             ("Revenue", "revenue", "USD"), ("Net margin", "net_margin", "USD"), ("Cost to serve", "cost_to_serve", "USD"),
             ("Profit", "profit", "USD"), ("Brand control", "brand_control", "share"),
             ("Cannibalisation", "cannibalisation", "share"))


#: table headers in words, with units (the frames keep their column names)
def channel_headers(currency: str = "USD") -> dict[str, str]:
    """The tables' headers, money in ``currency`` (the World's ISO code)."""
    per_year = money_unit("/yr", currency)
    return {**CHANNEL_HEADERS, "consumer_price": f"Consumer price ({money_unit('/unit', currency)})",
            "revenue": f"Revenue ({per_year})", "net_margin": f"Net margin ({per_year})",
            "cost_to_serve": f"Cost to serve ({per_year})", "profit": f"Profit ({per_year})"}


#: the headers of a US company's tables (the app uses channel_headers(the World's currency))
CHANNEL_HEADERS = {
    "strategy": "Strategy", "outlets": "Outlets", "coverage": "Population covered (%)", "units": "Units per year",
    "market_share": "Market share (%)", "consumer_price": "Consumer price (USD/unit)", "revenue": "Revenue (USD/yr)",
    "net_margin": "Net margin (USD/yr)", "cost_to_serve": "Cost to serve (USD/yr)", "profit": "Profit (USD/yr)",
    "brand_control": "Brand control (%)", "cannibalisation": "Sales taken from own outlets (%)",
    "overlap": "Outlets competing with each other", "territory": "Territory", "partner": "Partner outlet",
    "partner_channel": "Partner channel", "partner_tier": "Partner tier", "zones": "Zones",
    "potential": "Potential (people)", "share_of_mean": "Potential vs. average territory (%)",
    "mean_distance_km": "Mean distance (km)", "outlet_id": "Outlet", "name": "Name", "channel": "Channel",
    "tier": "Tier", "attractiveness": "Attractiveness (0-100)", "serving_dc": "Serving DC",
    "dc_distance_km": "Distance from DC (km)",
    "store_reach": "Population within reach of a store (%)", "online_reach": "Population with parcel delivery (%)",
    "partner_capture": "Partner's share of territory (%)", "best_capture": "Best store's share of territory (%)",
    "route": "Route to market", "supplier_id": "Supplied by", "supplied_units": "Units supplied to stores per year",
    "incremental_units": "Units not taken from own outlets per year",
}


def source_of(name: str) -> str:
    """Where the default of a control comes from (a published source or an explicit assumption)."""
    key = "account_cost" if name.startswith("account_cost_") else name
    return SOURCES.get(key, "")


def _slider(model, name, lo, hi, step, desc, fmt=".2f", percent=False):
    s = W.FloatSlider(value=getattr(model, name), min=lo, max=hi, step=step, description=desc, continuous_update=False,
            readout_format=".0%" if percent else fmt, style={"description_width": "105px"},
            layout=W.Layout(width="100%"), tooltip=source_of(name))
    W.link((model, name), (s, "value"))
    s.add_class(f"wb-input-{name}")
    return s


def _number(model, name, desc, *, lo=0.0, hi=1e9, step=None, integer=False):
    cls = W.BoundedIntText if integer else W.BoundedFloatText
    kw = {"step": step} if step else {}
    t = cls(value=getattr(model, name), min=lo, max=hi, description=desc, continuous_update=False,
            style={"description_width": "105px"}, layout=W.Layout(width="100%"), tooltip=source_of(name), **kw)
    W.link((model, name), (t, "value"))
    t.add_class(f"wb-input-{name}")
    return t


def _checks(model, name, options, labels):
    boxes = []

    def sync(_=None):
        setattr(model, name, [o for o, b in zip(options, boxes) if b.value])

    for o in options:
        b = W.Checkbox(value=o in getattr(model, name), description=labels.get(o, o), indent=False,
                       layout=W.Layout(width="auto", margin="0 10px 0 0"))
        b.observe(sync, names="value")
        boxes.append(b)

    def back(change):
        for o, b in zip(options, boxes):
            if b.value != (o in change["new"]):
                b.value = o in change["new"]

    model.observe(back, names=name)
    return W.HBox(boxes, layout=W.Layout(flex_flow="row wrap"))


def _figure_view(height: int) -> FigureView:
    return FigureView(height=height)


class ChannelStrategyView(W.VBox):
    """Thin view of :class:`ChannelStrategyModel`."""

    def __init__(self, model: ChannelStrategyModel, *, background: bool = True):
        self.model = model
        self.background = background
        m = model
        # controls ---------------------------------------------------------------------
        market = [
            _slider(m, "alpha", 0.2, 3.0, 0.1, "Store appeal weight (α)", ".1f"),
            _slider(m, "beta", 0.0, 4.0, 0.1, "Distance penalty (β)", ".1f"),
            _slider(m, "competitor_attraction", 0.0, 30.0, 0.5, "Competitor strength", ".1f"),
            _slider(m, "coverage_radius_km", 10.0, 200.0, 5.0, "Reach radius km", ".0f"),
            _slider(m, "online_share", 0.0, 0.5, 0.01, "Online share", percent=True),
            _number(m, "ecommerce_delivery_km", "Parcel reach km", hi=10_000.0, step=50.0),
        ]
        self.calibrate_button = W.Button(description="Calibrate to sell-out", icon="crosshairs",
                                         tooltip="Fit the distance decay and competitor strength to the channel_sales "
                                                 "table (a year's sell-out per store and listing)",
                                         layout=W.Layout(width="100%"), disabled=not m.has_sell_out())
        self.calibrate_button.on_click(lambda _: self.model.calibrate())
        market += [self.calibrate_button, W.HTML(
            "<div class='wb-busy'>" + ("Your data has sell-out: fit the market to it." if m.has_sell_out() else
                                       "Add a channel_sales table (outlet_id, units: a year's sell-out) to fit "
                                       "the market to your data.") + "</div>")]
        sym = currency_symbol(m.currency)  # money inputs in the World's currency
        prices = [
            _number(m, "consumer_price", f"Shelf price {sym}", lo=0.01, hi=10_000.0, step=0.5),
            W.HTML(f"<div class='wb-busy'>Demand was observed at {html.escape(money_text(m.reference_price, m.currency))}; another price moves "
                   "volume by the elasticity.</div>"),
            _slider(m, "exclusive_premium", 0.0, 0.6, 0.01, "Exclusive premium", percent=True),
            _slider(m, "intensive_erosion", 0.0, 0.3, 0.01, "Intensive erosion", percent=True),
            _slider(m, "price_elasticity", 0.0, 5.0, 0.01, "Price elasticity", ".2f"),
            _slider(m, "retailer_margin", 0.0, 0.6, 0.01, "Retailer margin", percent=True),
            _slider(m, "wholesaler_margin", 0.0, 0.4, 0.01, "Wholesaler margin", percent=True),
            _slider(m, "distributor_margin", 0.0, 0.4, 0.01, "Distributor margin", percent=True),
            _slider(m, "ecommerce_commission", 0.0, 0.4, 0.01, "Platform commission", percent=True),
            _number(m, "ecommerce_fulfilment", f"Fulfilment {sym}/unit", hi=1000.0, step=0.1),
            _number(m, "ecommerce_parcel", f"Parcel {sym}/unit", hi=1000.0, step=0.1),
        ]
        roles = role_labels(m.world.channel_roles)  # the company's channel names for each role
        costs = [_number(m, f"account_cost_{c}", f"{roles[c]} {sym}/yr", hi=1e8, step=1000.0) for c in CHANNELS]
        costs.append(_number(m, "logistics_cost_per_unit_km", f"Freight {sym}/unit-km", hi=10.0, step=0.0001))
        costs.append(_number(m, "intermediary_radius_km", "Wholesale reach km", hi=5_000.0, step=25.0))
        sites = m.world.sites
        self.dc_select = W.SelectMultiple(
            options=[(f"{r.name}{' (open today)' if r.existing else ''}", r.site_id) for r in sites.itertuples()],
            value=tuple(m.serving_site_ids) or tuple(sites.loc[sites["existing"], "site_id"]),
            rows=6, layout=W.Layout(width="100%"))
        self.dc_select.observe(self._on_dcs, names="value")
        m.observe(self._dcs_back, names="serving_site_ids")
        costs += [W.HTML("<b>Serve outlets from</b> (nearest by road; Ctrl-click to choose several)"), self.dc_select]
        if m.serving_dcs is not None:
            self.dc_select.disabled = True
        self.channel_boxes = _checks(m, "channels", CHANNELS, roles)
        strategies = [
            W.HTML("<b>Enabled channels</b>"), self.channel_boxes,
            W.HTML("<b>Selective: tiers</b>"), _checks(m, "selective_tiers", TIERS, {}),
            _slider(m, "selective_min_attractiveness", 0.0, 100.0, 1.0, "Min attractiveness", ".0f"),
            _number(m, "selective_size", "Best N (0 = all)", hi=100_000, integer=True),
            W.HTML("<b>Exclusive: partner tiers</b>"), _checks(m, "exclusive_tiers", TIERS, {}),
            self._territory_slider(m),
            _slider(m, "balance_tolerance", 0.05, 1.0, 0.05, "Balance ±", percent=True),
            _slider(m, "partner_min_capture", 0.0, 0.3, 0.01, "Partner capture ≥", percent=True),
            _slider(m, "decision_tolerance", 0.0, 0.2, 0.005, "Too close within", ".1%"),
        ]
        self.inputs: dict[str, W.Widget] = {}
        for group in (market, prices, costs, strategies):
            for wdg in group:
                for cls in getattr(wdg, "_dom_classes", ()):
                    if cls.startswith("wb-input-"):
                        self.inputs[cls[len("wb-input-"):]] = wdg
        self.controls = W.Accordion(children=[W.VBox(prices), W.VBox(market), W.VBox(strategies), W.VBox(costs)],
                                    titles=("Prices and margins", "Market (store choice model)", "Strategies", "Cost to serve"),
                                    selected_index=0)
        self.reset_button = W.Button(description="Back to defaults", icon="undo", layout=W.Layout(width="100%"))
        self.reset_button.on_click(lambda _: self.reset())
        self.download = DownloadButton(self._outlets_csv, description="Download outlets of all three strategies (CSV)",
                                       filename="channel_strategy_outlets.csv", mime="text/csv", disabled=True,
                                       tooltip="Every strategy's outlets with their channel, route, partner, units and "
                                               "profit, one row per outlet and strategy")
        # results ----------------------------------------------------------------------
        self.cards = {s: KPICards(app="channel_strategy") for s in STRATEGIES}
        cols = []
        for s in STRATEGIES:
            head = W.HTML(f'<div class="wb-section" style="color:{STRATEGY_COLORS[s]}">{STRATEGY_LABELS[s]}</div>')
            self.cards[s].add_class(f"wb-strategy-{s}")
            cols.append(W.VBox([head, self.cards[s]], layout=W.Layout(width="33%", padding="0 6px 0 0")))
        self.bars = _figure_view(360)
        self.maps = {s: MapView(height="320px", width_px=330, cities=4) for s in STRATEGIES}
        map_cols = [W.VBox([W.HTML(f"<b>{STRATEGY_LABELS[s]}</b>"), self.maps[s]],
                           layout=W.Layout(width="33%", padding="0 4px 0 0")) for s in STRATEGIES]
        self.waterfall_strategy = W.ToggleButtons(options=[(STRATEGY_LABELS[s], s) for s in STRATEGIES],
                                                  value="selective", style={"button_width": "90px"})
        self.waterfall_strategy.observe(lambda _: self._render_waterfall(), names="value")
        self.waterfall = _figure_view(420)
        self.frontier = _figure_view(400)
        self.frontier_caption = W.HTML()
        self.frontier_caption.add_class("wb-frontier-caption")
        self.summary = TableView(height="260px")
        self.territories = TableView(height="260px")
        self.outlet_strategy = W.Dropdown(options=[(STRATEGY_LABELS[s], s) for s in STRATEGIES], value="exclusive",
                                          description="Outlets of")
        self.outlet_strategy.observe(lambda _: self._render_outlets(), names="value")
        self.outlets = TableView(height="300px")
        self.verdict = W.HTML()
        self.verdict.add_class("wb-verdict")
        self.sensitivity_button = W.Button(description="Find break-even values", icon="balance-scale",
                                           tooltip="Move each key assumption alone over its range and find where "
                                                   "another strategy becomes the best (a few seconds)",
                                           layout=W.Layout(width="260px"))
        self.sensitivity_button.on_click(lambda _: self.model.compute_sensitivity(background=self.background))
        self.tornado = _figure_view(420)
        self.sensitivity_table = TableView(height="260px")
        self.sources = W.HTML(self._sources_html())
        controls = [self.controls, self.reset_button, section("Export"), self.download]
        body = [self.verdict, W.HBox(cols, layout=W.Layout(width="100%")), self.bars,
                section("Which assumption changes the recommendation"), self.sensitivity_button, self.tornado,
                self.sensitivity_table, section("Where each strategy sells"),
                W.HBox(map_cols, layout=W.Layout(width="100%")),
                W.HTML("<div class='wb-busy'>Zones shaded by the brand's share (grey none, dark blue all); outlets "
                       "coloured by channel; exclusive territories coloured with their partner.</div>"),
                section("Margin stack per channel"), self.waterfall_strategy, self.waterfall,
                section("Store reach versus profit"), self.frontier, self.frontier_caption,
                section("Comparison"), self.summary, section("Exclusive territories"), self.territories,
                section("Outlets carried"), self.outlet_strategy, self.outlets,
                section("Assumptions and their sources"), self.sources]
        super().__init__([app_shell(model, controls=controls, body=body, subtitle=(
            "Intensive: every store and listing of the enabled channels. Selective: those meeting the tier and "
            "quality criteria. Exclusive: one store per balanced territory. Wholesalers and distributors supply "
            "the small stores; they do not sell to shoppers."))])
        for s in STRATEGIES:
            if len(model.world.customers):
                self.maps[s].set_outline(model.world.customers, "region")
                self.maps[s].fit(model.world.customers.lat, model.world.customers.lon)
                self.maps[s].map.zoom = 3
        model.observe(lambda _: self._render(), names="result")
        model.observe(lambda _: self._render_sensitivity(), names="sensitivity")
        self._render()
        self._render_sensitivity()

    def _sources_html(self) -> str:
        p = self.model.params()
        rows = []
        for name, text in SOURCES.items():
            v = getattr(p, name, None)
            if isinstance(v, Mapping):
                v = ", ".join(f"{k} {x:,.0f}" for k, x in v.items())
            elif isinstance(v, tuple):
                v = ", ".join(v)
            rows.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(str(v))}</td>"
                        f"<td>{html.escape(text)}</td></tr>")
        return ("<details><summary>Every default, with its published source or marked as an assumption to "
                "calibrate to your data</summary><table class='wb-sources'><tr><th>assumption</th><th>today</th>"
                "<th>source</th></tr>" + "".join(rows) + "</table></details>")

    def _render_sensitivity(self) -> None:
        sens = self.model.sensitivity
        if sens is None:
            self.tornado.layout.display = "none"
            self.sensitivity_table.layout.display = "none"
            return
        self.tornado.layout.display = None
        self.sensitivity_table.layout.display = None
        self.tornado.show(tornado_figure(sens, currency=self.model.currency))
        t = sens.table
        shown = pd.DataFrame({
            "assumption": t["label"],
            "today": [format_assumption(u, v, currency=self.model.currency) for u, v in zip(t["unit"], t["value"])],
            "break-even below": [format_assumption(u, v, currency=self.model.currency) for u, v in zip(t["unit"], t["break_even_below"])],
            "break-even above": [format_assumption(u, v, currency=self.model.currency) for u, v in zip(t["unit"], t["break_even_above"])],
            "then best": t["overtaken_by"],
            "move needed": [("" if not np.isfinite(m) else f"{m:+.0%}") for m in t["move"]],
        })
        self.sensitivity_table.update(shown)

    def _on_dcs(self, change) -> None:
        chosen = list(change["new"])
        if not chosen:  # at least one DC: put the current choice back
            self._dcs_back({"new": self.model.serving_site_ids})
            return
        existing = list(self.model.world.sites.loc[self.model.world.sites["existing"], "site_id"])
        self.model.serving_site_ids = [] if sorted(chosen) == sorted(existing) else chosen

    def _dcs_back(self, change) -> None:
        sites = self.model.world.sites
        want = tuple(change["new"]) or tuple(sites.loc[sites["existing"], "site_id"])
        if tuple(self.dc_select.value) != want:
            self.dc_select.value = want

    @staticmethod
    def _territory_slider(m) -> W.IntSlider:
        s = W.IntSlider(value=m.territories, min=1, max=30, description="Territories", continuous_update=False,
                        style={"description_width": "105px"}, layout=W.Layout(width="100%"),
                        tooltip=source_of("territories"))
        W.link((m, "territories"), (s, "value"))
        s.add_class("wb-input-territories")
        return s

    def reset(self) -> None:
        traits = ChannelStrategyModel.class_traits()
        defaults = {name: traits[name].default() for name in self.model.input_traits}
        defaults.update(self.model.money_defaults())
        defaults["consumer_price"] = reference_prices(self.model.world, DEFAULTS)[0]
        self.model.set_inputs(defaults)
        if money_defaults(self.model.currency) is None:  # no rate: the US dollar figures are not defaults here
            self.model._unpriced = frozenset(MONEY_TRAITS)
        self.model._fit_territories()  # the most territories this data can balance, as when it opened
        self.model.refresh()

    # -- rendering --------------------------------------------------------------------
    def _render(self) -> None:
        cmp = self.model.result
        if cmp is None:
            for s in STRATEGIES:
                self.cards[s].update([])
            self.download.disabled = True
            return
        close = cmp.too_close
        self.verdict.value = (f"<div class='wb-busy'><b>{html.escape(cmp.verdict)}</b> Use <i>Find break-even "
                              "values</i> to see which assumption would change it.</div>")
        for s, r in cmp.strategies.items():
            gap = cmp.strategies[cmp.best].profit - r.profit
            if cmp.best == s:
                prof = (f"too close to call (+{format_value(cmp.margin, 'USD', currency=self.model.currency)})" if close
                        else f"best by {format_value(cmp.margin, 'USD', currency=self.model.currency)}")
            else:
                prof = f"{format_value(gap, 'USD', currency=self.model.currency)} below {cmp.best}"
            n_sup = int((r.outlets["role"] == "intermediary").sum())
            sub = {"Outlets": f"{r.outlets.loc[r.outlets['role'] != 'intermediary', 'channel'].nunique()} consumer "
                              f"channel(s), {n_sup} supplier(s)",
                   "Store reach": f"{r.population_in_reach / 1e6:,.1f}M of the modelled zones' people within "
                                  f"{cmp.params.coverage_radius_km:g} km of a store",
                   "Units": f"{100 * r.market_share:.1f}% market share",
                   "Revenue": f"shelf price {money_text(r.consumer_price, self.model.currency)}",
                   "Net margin": f"{100 * r.net_margin_pct:.1f}% of revenue",
                   "Profit": prof,
                   "Cannibalisation": "own sales other own outlets would make"}
            self.cards[s].update([KPI(label, getattr(r, attr), unit, sub.get(label, ""),
                                      kpi=f"{s}_{'outlets' if attr == 'outlet_count' else attr}")
                                  for label, attr, unit in CARD_KPIS])
        self.bars.show(comparison_figure(cmp, currency=self.model.currency))
        for s, r in cmp.strategies.items():
            layers = strategy_layers(r)
            mv = self.maps[s]
            if "territories" in layers:
                mv.set_layer("territories", layers["territories"], label="Territories", hover_key="name")
            else:
                mv.remove_layer("territories")
            mv.set_layer("zones", layers["zones"], label="Zones")
            mv.set_layer("outlets", layers["outlets"], label="Outlets")
            mv.set_legend(strategy_legend(r))
        self._render_waterfall()
        if self.model.frontier is not None:
            front = self.model.frontier
            self.frontier.show(frontier_figure(front, currency=self.model.currency))
            self.frontier_caption.value = (
                "<div class='wb-busy'>Outlets added one at a time by marginal profit. "
                + html.escape(front.caption("intensive", currency=self.model.currency)) + " Open circles: each strategy's outlets at the curve's "
                "price (like for like); filled: at the strategy's own assumed price.</div>")
        summ = cmp.summary.reset_index()
        show = summ[["strategy", "outlets", "store_reach", "online_reach", "units", "market_share", "consumer_price",
                     "revenue", "net_margin", "cost_to_serve", "profit", "brand_control", "cannibalisation", "overlap"]]
        self.summary.update(show, formats={"store_reach": "share", "online_reach": "share", "market_share": "share",
                                           "brand_control": "share",
                                           "cannibalisation": "share", "revenue": "USD", "net_margin": "USD",
                                           "cost_to_serve": "USD", "profit": "USD", "consumer_price": "USD/unit",
                                           "units": "units"},
                            headers=channel_headers(self.model.currency))
        t = cmp.exclusive.territories
        if t is not None:
            shown = t[["territory", "partner", "partner_tier", "zones", "potential", "share_of_mean",
                       "mean_distance_km", "partner_capture", "best_capture", "units", "profit"]].copy()
            shown["mean_distance_km"] = shown["mean_distance_km"].round(0)
            self.territories.update(shown, formats={"share_of_mean": "share", "partner_capture": "share",
                                                    "best_capture": "share", "profit": "USD", "units": "units"},
                                    headers=channel_headers(self.model.currency))
        self._render_outlets()
        self.download.disabled = False

    def _render_waterfall(self) -> None:
        cmp = self.model.result
        if cmp is not None:
            self.waterfall.show(waterfall_figure(cmp.strategies[self.waterfall_strategy.value],
                                                currency=self.model.currency))

    def _render_outlets(self) -> None:
        cmp = self.model.result
        if cmp is None:
            return
        o = cmp.strategies[self.outlet_strategy.value].outlets
        cols = [c for c in ("outlet_id", "name", "channel", "route", "supplier_id", "tier", "territory",
                            "attractiveness", "serving_dc", "dc_distance_km", "units", "supplied_units",
                            "incremental_units", "revenue", "cost_to_serve", "profit") if c in o.columns]
        self.outlets.update(o.sort_values("profit", ascending=False)[cols],
                            formats={"revenue": "USD", "cost_to_serve": "USD", "profit": "USD", "units": "units"},
                            headers=channel_headers(self.model.currency))

    def _outlets_csv(self) -> bytes:
        """The CSV the download button gives: the outlets of the comparison shown."""
        cmp = self.model.result
        if cmp is None:
            raise workbench.WorkbenchError("There is no comparison to download yet: fix the problems shown first.")
        return self._csv(cmp)

    @staticmethod
    def _csv(cmp: ChannelComparison) -> bytes:
        frames = [r.outlets.assign(strategy=s) for s, r in cmp.strategies.items()]
        return pd.concat(frames, ignore_index=True).to_csv(index=False, lineterminator="\n").encode()


def channel_strategy_app(world: workbench.World | None = None, *, background: bool = True,
                         **kwargs) -> ChannelStrategyView:
    """Build the channel strategy app (the notebook's one line); the break-even search runs in the
    background so the controls stay responsive."""
    return for_page(lambda: ChannelStrategyView(ChannelStrategyModel(world, **kwargs), background=background))
