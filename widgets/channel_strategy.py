"""Channel strategy app: intensive, selective and exclusive distribution side by side.

The model holds every assumption as a trait; any change re-evaluates the three strategies and
the coverage-versus-profit frontier (about half a second on the sample company; the exclusive
territories are re-designed only when their inputs change). The view shows KPI cards per
strategy, a grouped bar chart, a map per strategy, a per-unit margin waterfall per channel and
the frontier with the three strategies marked.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import ipywidgets as W
import numpy as np
import pandas as pd
import traitlets as T

import workbench
from workbench.channels import (
    CHANNELS,
    STRATEGIES,
    TIERS,
    ChannelComparison,
    ChannelFrontier,
    ChannelParams,
    StrategyResult,
    evaluate_strategies,
    frontier,
    prepare_market,
    reference_prices,
)

from .components import KPI, download_link, FigureView, KPICards, section, TableView
from .figures.channels import (CHANNEL_LABELS, STRATEGY_COLORS, STRATEGY_LABELS, comparison_figure, frontier_figure,
                               waterfall_figure)
from .formatting import LAYER_COLORS, PALETTE, format_value
from .geojson import hull_polygons, polygons_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world

__all__ = [
    "ChannelStrategyModel",
    "ChannelStrategyView",
    "channel_strategy_app",
    "comparison_figure",
    "waterfall_figure",
    "frontier_figure",
    "strategy_layers",
    "STRATEGY_COLORS",
]

DEFAULTS = ChannelParams()

# model trait -> ChannelParams field (same name unless listed)
PARAM_TRAITS = (
    "alpha", "beta", "competitor_attraction", "coverage_radius_km", "consumer_price", "retailer_margin",
    "wholesaler_margin", "distributor_margin", "ecommerce_commission", "ecommerce_fulfilment", "ecommerce_parcel",
    "exclusive_premium", "intensive_erosion", "price_elasticity", "logistics_cost_per_unit_km",
    "selective_min_attractiveness", "territories", "balance_tolerance",
)
ACCOUNT_TRAITS = tuple(f"account_cost_{c}" for c in CHANNELS)


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

    serving_site_ids = T.List(T.Unicode())   # DCs to serve outlets from; empty = today's (existing) DCs

    frontier = T.Any(None, allow_none=True)
    unit_cost = T.Float(0.0)
    serving_dcs = T.Any(None, allow_none=True)

    _ready = False

    def __init__(self, world: workbench.World | None = None, *, serving_dcs: pd.DataFrame | None = None,
                 autorun: bool = True, **kwargs):
        super().__init__(world if world is not None else current_world(), **kwargs)
        self.serving_dcs = serving_dcs
        with self.quiet():
            try:
                price, cost = reference_prices(self.world, DEFAULTS)
                self.consumer_price = round(price, 2)
                self.unit_cost = cost
            except workbench.WorkbenchError as exc:
                self.problems = [str(exc)]
        self.observe(self._on_input, names=list(self.input_traits))
        self._ready = True
        if autorun:
            self.recompute()

    # -- inputs -------------------------------------------------------------------------
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
        return ChannelParams(**kw)

    def _on_input(self, change) -> None:
        if not self.is_quiet:
            self.recompute()

    def refresh(self) -> None:
        """Evaluate the strategies under the current choices (the contract's one way to run again)."""
        self.recompute()

    @T.observe("world")
    def _on_world(self, change) -> None:
        if self._ready and change["new"] is not None:
            self.recompute()

    # -- running ------------------------------------------------------------------------
    def _evaluate(self, params: ChannelParams) -> tuple[ChannelComparison, ChannelFrontier]:
        dcs = self.serving_dcs if self.serving_dcs is not None else (list(self.serving_site_ids) or None)
        market = prepare_market(self.world, params, serving_dcs=dcs)
        comparison = evaluate_strategies(self.world, params, market=market)
        front = frontier(self.world, params, comparison=comparison, market=market)
        return comparison, front

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
        out = self.run(lambda: self._evaluate(self.params()), label="Evaluating the three strategies")
        if out is None:
            self.result = None
            self.frontier = None
            return
        comparison, front = out
        self.notes = list(comparison.notes)
        self.frontier = front
        self.result = comparison

    def kpis(self) -> dict[str, float]:
        if self.result is None:
            return {}
        out = dict(self.result.kpis())
        if self.frontier is not None:
            out.update(self.frontier.kpis())
        return out


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
        oc = [LAYER_COLORS.get(c, "#333333") for c in o["channel"]]
        props_z = ("name", "own_share", "units", "outlets_within_r")
    layers["zones"] = _points(z, zc, r, props_z, 0.45)
    ro = 3 + 3 * (o["tier"] != "mass").to_numpy(float)
    layers["outlets"] = _points(o, oc, ro, ("name", "channel", "tier", "units"), 0.95)
    return layers


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

CARD_KPIS = (("Outlets", "outlet_count", ""), ("Coverage", "coverage", "share"), ("Units", "units", "units"),
             ("Revenue", "revenue", "USD"), ("Net margin", "net_margin", "USD"), ("Cost to serve", "cost_to_serve", "USD"),
             ("Profit", "profit", "USD"), ("Brand control", "brand_control", "share"),
             ("Cannibalisation", "cannibalisation", "share"))


def _slider(model, name, lo, hi, step, desc, fmt=".2f", percent=False):
    s = W.FloatSlider(value=getattr(model, name), min=lo, max=hi, step=step, description=desc, continuous_update=False,
            readout_format=".0%" if percent else fmt, style={"description_width": "105px"},
            layout=W.Layout(width="100%"))
    W.link((model, name), (s, "value"))
    s.add_class(f"wb-input-{name}")
    return s


def _number(model, name, desc, *, lo=0.0, hi=1e9, step=None, integer=False):
    cls = W.BoundedIntText if integer else W.BoundedFloatText
    kw = {"step": step} if step else {}
    t = cls(value=getattr(model, name), min=lo, max=hi, description=desc, continuous_update=False,
            style={"description_width": "105px"}, layout=W.Layout(width="100%"), **kw)
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


# The lab's plotly renderer calls Plotly.Plots.resize on show/resize; with no layout width that
# drops the layout height and autosizes to the container, whose height is 0 (its children are
# absolutely positioned), so a chart drawn at start-up could collapse to nothing. Giving each
# chart's container its height keeps the width responsive and the height right.
FIGURE_HEIGHTS = (360, 400, 420)
FIGURE_STYLE = "<style>" + "".join(
    f".wb-fig-h{h} .jp-RenderedPlotly {{ height: {h}px; min-height: {h}px; }}" for h in FIGURE_HEIGHTS) + "</style>"


def _figure_view(height: int) -> FigureView:
    view = FigureView()
    view.add_class(f"wb-fig-h{height}")
    return view


class ChannelStrategyView(W.VBox):
    """Thin view of :class:`ChannelStrategyModel`."""

    def __init__(self, model: ChannelStrategyModel):
        self.model = model
        m = model
        # controls ---------------------------------------------------------------------
        market = [
            _slider(m, "alpha", 0.2, 3.0, 0.1, "Attractiveness α", ".1f"),
            _slider(m, "beta", 0.0, 4.0, 0.1, "Distance decay β", ".1f"),
            _slider(m, "competitor_attraction", 0.0, 30.0, 0.5, "Competitor strength", ".1f"),
            _slider(m, "coverage_radius_km", 10.0, 200.0, 5.0, "Coverage radius km", ".0f"),
        ]
        prices = [
            _number(m, "consumer_price", "Consumer price $", lo=0.01, hi=10_000.0, step=0.5),
            _slider(m, "exclusive_premium", 0.0, 0.6, 0.01, "Exclusive premium", percent=True),
            _slider(m, "intensive_erosion", 0.0, 0.3, 0.01, "Intensive erosion", percent=True),
            _slider(m, "price_elasticity", 0.0, 3.0, 0.1, "Price elasticity", ".1f"),
            _slider(m, "retailer_margin", 0.0, 0.6, 0.01, "Retailer margin", percent=True),
            _slider(m, "wholesaler_margin", 0.0, 0.4, 0.01, "Wholesaler margin", percent=True),
            _slider(m, "distributor_margin", 0.0, 0.4, 0.01, "Distributor margin", percent=True),
            _slider(m, "ecommerce_commission", 0.0, 0.4, 0.01, "Platform commission", percent=True),
            _number(m, "ecommerce_fulfilment", "Fulfilment $/unit", hi=1000.0, step=0.1),
            _number(m, "ecommerce_parcel", "Parcel $/unit", hi=1000.0, step=0.1),
        ]
        costs = [_number(m, f"account_cost_{c}", f"{CHANNEL_LABELS[c]} $/yr", hi=1e8, step=1000.0) for c in CHANNELS]
        costs.append(_number(m, "logistics_cost_per_unit_km", "Logistics $/unit-km", hi=10.0, step=0.0001))
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
        self.channel_boxes = _checks(m, "channels", CHANNELS, CHANNEL_LABELS)
        strategies = [
            W.HTML("<b>Enabled channels</b>"), self.channel_boxes,
            W.HTML("<b>Selective: tiers</b>"), _checks(m, "selective_tiers", TIERS, {}),
            _slider(m, "selective_min_attractiveness", 0.0, 100.0, 1.0, "Min attractiveness", ".0f"),
            _number(m, "selective_size", "Best N (0 = all)", hi=100_000, integer=True),
            W.HTML("<b>Exclusive: partner tiers</b>"), _checks(m, "exclusive_tiers", TIERS, {}),
            self._territory_slider(m),
            _slider(m, "balance_tolerance", 0.05, 1.0, 0.05, "Balance ±", percent=True),
        ]
        self.inputs: dict[str, W.Widget] = {}
        for group in (market, prices, costs, strategies):
            for wdg in group:
                for cls in getattr(wdg, "_dom_classes", ()):
                    if cls.startswith("wb-input-"):
                        self.inputs[cls[len("wb-input-"):]] = wdg
        self.controls = W.Accordion(children=[W.VBox(prices), W.VBox(market), W.VBox(strategies), W.VBox(costs)],
                                    titles=("Prices and margins", "Market (Huff)", "Strategies", "Cost to serve"),
                                    selected_index=0)
        self.reset_button = W.Button(description="Back to defaults", icon="undo", layout=W.Layout(width="100%"))
        self.reset_button.on_click(lambda _: self.reset())
        self.download = W.HTML()
        # results ----------------------------------------------------------------------
        self.cards = {s: KPICards() for s in STRATEGIES}
        cols = []
        for s in STRATEGIES:
            head = W.HTML(f'<div class="wb-section" style="color:{STRATEGY_COLORS[s]}">{STRATEGY_LABELS[s]}</div>')
            self.cards[s].add_class(f"wb-strategy-{s}")
            cols.append(W.VBox([head, self.cards[s]], layout=W.Layout(width="33%", padding="0 6px 0 0")))
        self.bars = _figure_view(360)
        self.maps = {s: MapView(height="320px") for s in STRATEGIES}
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
        controls = [self.controls, self.reset_button, section("Export"), self.download]
        body = [W.HTML(FIGURE_STYLE), W.HBox(cols, layout=W.Layout(width="100%")), self.bars, section("Where each strategy sells"),
                W.HBox(map_cols, layout=W.Layout(width="100%")),
                W.HTML("<div class='wb-busy'>Zones shaded by the brand's share (grey none, dark blue all); outlets "
                       "coloured by channel; exclusive territories coloured with their partner.</div>"),
                section("Margin stack per channel"), self.waterfall_strategy, self.waterfall,
                section("Coverage versus profit"), self.frontier, self.frontier_caption,
                section("Comparison"), self.summary, section("Exclusive territories"), self.territories,
                section("Outlets carried"), self.outlet_strategy, self.outlets]
        super().__init__([app_shell(model, controls=controls, body=body, subtitle=(
            "Intensive: every outlet of the enabled channels. Selective: outlets meeting the tier and quality "
            "criteria. Exclusive: one partner per balanced territory."))])
        for s in STRATEGIES:
            if len(model.world.customers):
                self.maps[s].set_outline(model.world.customers, "region")
                self.maps[s].fit(model.world.customers.lat, model.world.customers.lon)
                self.maps[s].map.zoom = 3
        model.observe(lambda _: self._render(), names="result")
        self._render()

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
                        style={"description_width": "105px"}, layout=W.Layout(width="100%"))
        W.link((m, "territories"), (s, "value"))
        s.add_class("wb-input-territories")
        return s

    def reset(self) -> None:
        traits = ChannelStrategyModel.class_traits()
        defaults = {name: traits[name].default() for name in self.model.input_traits}
        defaults["consumer_price"] = round(reference_prices(self.model.world, DEFAULTS)[0], 2)
        self.model.set_inputs(defaults)

    # -- rendering --------------------------------------------------------------------
    def _render(self) -> None:
        cmp = self.model.result
        if cmp is None:
            for s in STRATEGIES:
                self.cards[s].update([])
            return
        for s, r in cmp.strategies.items():
            sub = {"Outlets": f"{r.outlets['channel'].nunique()} channels",
                   "Coverage": f"{r.population_covered / 1e6:,.1f}M people within {cmp.params.coverage_radius_km:g} km",
                   "Units": f"{100 * r.market_share:.1f}% market share",
                   "Revenue": f"consumer price ${r.consumer_price:,.2f}",
                   "Net margin": f"{100 * r.net_margin_pct:.1f}% of revenue",
                   "Profit": "best" if cmp.best == s else ""}
            self.cards[s].update([KPI(label, getattr(r, attr), unit, sub.get(label, ""))
                                  for label, attr, unit in CARD_KPIS])
        self.bars.show(comparison_figure(cmp))
        for s, r in cmp.strategies.items():
            layers = strategy_layers(r)
            mv = self.maps[s]
            if "territories" in layers:
                mv.set_layer("territories", layers["territories"], label="Territories", hover_key="name")
            else:
                mv.remove_layer("territories")
            mv.set_layer("zones", layers["zones"], label="Zones")
            mv.set_layer("outlets", layers["outlets"], label="Outlets")
        self._render_waterfall()
        if self.model.frontier is not None:
            front = self.model.frontier
            self.frontier.show(frontier_figure(front))
            b = front.best
            best = cmp.strategies[cmp.best]
            self.frontier_caption.value = (
                "<div class='wb-busy'>Adding outlets one at a time by marginal profit (at the selective price), the "
                f"most profitable network carries <b>{int(b['outlets'])} outlets</b>, covers "
                f"{100 * b['coverage']:.1f}% of the population and earns <b>{format_value(b['profit'], 'USD')}</b> "
                f"a year; the best of the three strategies is {cmp.best} with {format_value(best.profit, 'USD')}."
                "</div>")
        summ = cmp.summary.reset_index()
        show = summ[["strategy", "outlets", "coverage", "units", "market_share", "consumer_price", "revenue",
                     "net_margin", "cost_to_serve", "profit", "brand_control", "cannibalisation", "overlap"]]
        self.summary.update(show, formats={"coverage": "share", "market_share": "share", "brand_control": "share",
                                           "cannibalisation": "share", "revenue": "USD", "net_margin": "USD",
                                           "cost_to_serve": "USD", "profit": "USD", "consumer_price": "USD"})
        t = cmp.exclusive.territories
        if t is not None:
            shown = t[["territory", "partner", "partner_channel", "partner_tier", "zones", "potential",
                       "share_of_mean", "mean_distance_km", "units", "profit"]].copy()
            shown["mean_distance_km"] = shown["mean_distance_km"].round(0)
            self.territories.update(shown, formats={"share_of_mean": "share", "profit": "USD"})
        self._render_outlets()
        self.download.value = download_link(self._csv(cmp), "channel_strategy_outlets.csv",
                                            "Download outlets of all three strategies (CSV)", mime="text/csv")

    def _render_waterfall(self) -> None:
        cmp = self.model.result
        if cmp is not None:
            self.waterfall.show(waterfall_figure(cmp.strategies[self.waterfall_strategy.value]))

    def _render_outlets(self) -> None:
        cmp = self.model.result
        if cmp is None:
            return
        o = cmp.strategies[self.outlet_strategy.value].outlets
        cols = [c for c in ("outlet_id", "name", "channel", "tier", "territory", "attractiveness", "serving_dc",
                            "dc_distance_km", "units", "revenue", "cost_to_serve", "profit") if c in o.columns]
        self.outlets.update(o.sort_values("profit", ascending=False)[cols],
                            formats={"revenue": "USD", "cost_to_serve": "USD", "profit": "USD"})

    @staticmethod
    def _csv(cmp: ChannelComparison) -> bytes:
        frames = [r.outlets.assign(strategy=s) for s, r in cmp.strategies.items()]
        return pd.concat(frames, ignore_index=True).to_csv(index=False, lineterminator="\n").encode()


def channel_strategy_app(world: workbench.World | None = None, **kwargs) -> ChannelStrategyView:
    """Build the channel strategy app (the notebook's one line)."""
    return ChannelStrategyView(ChannelStrategyModel(world, **kwargs))
