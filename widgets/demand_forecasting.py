"""Demand forecasting and inventory app: forecasts with peaks and intervals, and the stock they call for.

The model forecasts one series (a product in a region) or an aggregate (a region, a product,
the company total) from the World's weekly demand history, backtests it against the seasonal
naive, and turns the forecast of the product in every region into safety stock and reorder
points at the DC that serves each region. "Forecast all series" runs every product x region
series with a progress bar and shows coherent bottom-up totals.
"""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any, Mapping

import ipywidgets as W
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets as T

import workbench
from workbench.errors import DataError
from workbench.forecast import METHODS
from workbench.forecast.hierarchy import LEVELS
from workbench.forecast.planning import (AllSeriesForecast, DemandPlanner, PlanningSpec, SeriesAnalysis,
                                         region_dcs)

from .components import KPI, FigureView, KPICards, section, TableView
from .figures.forecast import all_series_figure, forecast_figure, projection_figure
from .figures.style import figure_layout
from .formatting import money_unit
from .layout import app_shell
from .model import AppModel
from .world_store import current_world, for_page

__all__ = [
    "DemandForecastingModel",
    "DemandForecastingView",
    "demand_forecasting_app",
    "SeriesAnalysis",
    "AllSeriesForecast",
    "forecast_figure",
    "projection_figure",
    "region_dcs",
]

#: each method in a manager's words, and its technical name (kept for tooltips and the details fold)
METHOD_WORDS = {
    "auto": ("Automatic", "automatic selection by backtest (lowest mean absolute error)"),
    "combination": ("Blend of four smoothing methods", "Combination (damped trend, ETS, Theta, optimised Theta)"),
    "ets": ("Smoothed level, trend and season", "ETS (AICc, damped trend)"),
    "theta": ("Trend line with smoothing", "Theta"),
    "optimized_theta": ("Trend line with smoothing, tuned", "Optimised Theta"),
    "dynamic_optimized_theta": ("Trend line with smoothing, adaptive", "Dynamic optimised Theta"),
    "arima": ("Regression on events and promotions", "SARIMAX with events"),
    "ses": ("Smoothed average", "Simple exponential smoothing (SES)"),
    "naive": ("Last week repeated", "Naive"),
    "seasonal_naive": ("Same week last year", "Seasonal naive"),
    "croston": ("Sporadic demand: size and interval", "Croston"),
    "sba": ("Sporadic demand, bias-corrected", "SBA (Syntetos-Boylan approximation)"),
    "tsb": ("Sporadic demand, follows fading products", "TSB (Teunter-Syntetos-Babai)"),
    "adida": ("Sporadic demand, weeks grouped", "ADIDA (aggregate, then SES)"),
    "ces": ("Adaptive smoothing", "Complex exponential smoothing (CES)"),
}
#: method -> the words a manager reads
METHOD_LABELS = {k: v[0] for k, v in METHOD_WORDS.items()}
#: method -> its technical name
METHOD_TECH = {k: v[1] for k, v in METHOD_WORDS.items()}

#: calendar events and promotions in words
EVENT_LABELS = {"black_friday": "Black Friday", "cyber_monday": "Cyber Monday", "december": "December",
                "promotion": "Promotions", "promotions": "Promotions"}


def method_label(method: str) -> str:
    """A method in words ('combination' -> 'Blend of four smoothing methods')."""
    return METHOD_LABELS.get(str(method), str(method).replace("_", " "))


def method_note(sel: Mapping[str, Any]) -> str:
    """The method line of a forecast in words: the method whose numbers are shown, and, when it
    replaced the one chosen, that it did (the technical reason is in :func:`method_details`)."""
    chosen = str(sel["model"])
    used = str(sel.get("method_used") or chosen)
    why = str(sel.get("fell_back_because") or "")
    if used == chosen or not why:
        return f"Forecast method: {method_label(chosen).lower()}"
    return (f"Forecast method: {method_label(used).lower()}, because the chosen method "
            f"({method_label(chosen).lower()}) could not be used on this series")


def method_details(sel: Mapping[str, Any]) -> str:
    """The technical side of the method line (for its tooltip): technical names and the reason of a fallback."""
    chosen = str(sel["model"])
    used = str(sel.get("method_used") or chosen)
    why = str(sel.get("fell_back_because") or "")
    if used == chosen or not why:
        return f"method: {METHOD_TECH.get(chosen, chosen)}"
    return f"method: {METHOD_TECH.get(used, used)}, because {why} ({METHOD_TECH.get(chosen, chosen)} not used)"


def event_lifts(lifts: str) -> list[tuple[str, float]]:
    """The event lifts of a forecast ('black_friday x1.22, december x1.05') as (event in words, lift)."""
    out = []
    for m in re.finditer(r"([A-Za-z_][\w]*)\s*x\s*([0-9]*\.?[0-9]+)", str(lifts or "")):
        key = m.group(1)
        out.append((EVENT_LABELS.get(key, key.replace("_", " ").capitalize()), float(m.group(2))))
    return out


def events_note(lifts: str) -> str:
    """Event lifts in words: 'Black Friday: +22 %, Cyber Monday: +10 %' ('' when there are none)."""
    return "; ".join(f"{name}: {100 * (v - 1):+.0f} %" for name, v in event_lifts(lifts))


def discontinued_note(sel: Mapping[str, Any]) -> str:
    """'' or why the series looks discontinued."""
    if not bool(sel.get("discontinued", False)):
        return ""
    return f"no demand in the last {int(sel.get('zero_run', 0))} weeks: possibly discontinued"


#: the backtest's columns: header a manager reads, the unit of the cells, the technical term (tooltip)
ACCURACY_COLUMNS = {
    "model": ("Method", "", "each method forecast past weeks it had not seen (rolling-origin backtest)"),
    "mape": ("Typical error", "%", "MAPE: mean absolute error in % of each week's actual demand"),
    "wape": ("Error on the total", "%", "WAPE: absolute errors summed, in % of the total demand"),
    "bias": ("Over (+) / under (−) forecast", "%", "bias: mean of forecast minus actual, in % of demand"),
    "mase": ("Error vs. 'same week last year' (below 1× beats it)", "ratio",
             "MASE: mean absolute error divided by that of repeating the same week last year"),
    "coverage_80": ("Weeks inside the 80% range", "%", "80% prediction interval coverage"),
    "coverage_95": ("Weeks inside the 95% range", "%", "95% prediction interval coverage"),
    "windows": ("Past periods tested", "count", "rolling-origin backtest windows"),
    "smape": ("Typical error, symmetric", "%", "sMAPE: absolute error in % of the mean of forecast and actual"),
    "msis_95": ("95% range score (lower is better)", "",
                "MSIS: mean scaled interval score of the 95% interval (width plus penalties for misses)"),
}
#: columns the page shows; the others are in the "technical scores" fold
ACCURACY_MAIN = ("model", "mape", "wape", "bias", "mase", "coverage_80", "coverage_95", "windows")
ACCURACY_TECH = ("model", "smape", "msis_95")

#: the stock table's columns: header a manager reads, the unit of the cells, how it is computed (tooltip)
INVENTORY_COLUMNS = {
    "series": ("Product · region", "", ""),
    "DC": ("DC", "", "the DC that stocks the region"),
    "demand/wk": ("Demand (units/wk)", "count", "mean forecast demand per week"),
    "error sd/wk": ("Forecast error ± (units/wk)", "count", "standard deviation of the forecast error per week"),
    "safety stock": ("Safety stock (units)", "count",
                     "z(service level) x the forecast error over the lead time, lead-time variation included"),
    "reorder point": ("Reorder point (units)", "count", "demand over the lead time + safety stock"),
    "order-up-to": ("Order up to (units)", "count", "stock to top up to when reviewing every week"),
    "order quantity": ("Order quantity (units)", "count",
                       "EOQ (economic order quantity): the order size that balances ordering and holding cost"),
    "on hand": ("On hand (units)", "count", "stock today (the weeks of cover set on the left)"),
    "reorder week": ("Reorder in week of", "", "first week the projected stock reaches the reorder point"),
    "safety stock value": ("Safety stock value", "USD", "safety stock units x the product's unit value"),
}


LEVEL_LABELS = {"product x region": "Product in a region", "region": "Region (all products)",
                "product": "Product (all regions)", "total": "Company total"}


class DemandForecastingModel(AppModel):
    """Choices (series, horizon, method, events, inventory policy), the latest analysis.

    ``result`` is a :class:`SeriesAnalysis` of the selected series; ``all_result`` an
    :class:`AllSeriesForecast` after :meth:`forecast_all`. Inventory-only changes (service
    level, lead time, costs) re-plan the stock from the kept forecasts without re-forecasting.
    """

    app_name = "demand_forecasting"
    title = "Demand forecasting & inventory"
    input_traits = ("level", "series", "horizon", "method", "events", "service_level", "lead_time",
                    "lead_time_sd", "order_cost", "holding_rate", "on_hand_weeks", "backtest_windows")

    level = T.Unicode("product x region")
    series = T.Unicode("")
    horizon = T.Int(13)
    method = T.Unicode("auto")
    events = T.Bool(True)
    service_level = T.Float(0.95)
    lead_time = T.Float(2.0)
    lead_time_sd = T.Float(0.5)
    order_cost = T.Float(250.0)
    holding_rate = T.Float(0.25)
    on_hand_weeks = T.Float(4.0)
    backtest_windows = T.Int(3)

    series_options = T.List(T.Unicode())
    all_result = T.Any(None, allow_none=True)
    all_done = T.Int(0)
    all_total = T.Int(0)

    _FORECAST_TRAITS = ("level", "series", "horizon", "method", "events", "backtest_windows")
    _INVENTORY_TRAITS = ("service_level", "lead_time", "lead_time_sd", "order_cost", "holding_rate", "on_hand_weeks")

    def __init__(self, world: workbench.World | None = None, *, autorun: bool = True, design=None, **kwargs):
        #: a network design (NetworkResult): its customer-to-DC assignment places each region's stock
        self.design = design
        super().__init__(world if world is not None else current_world(), **kwargs)
        self._ready = False
        self._prepare()
        self.observe(self._on_forecast_input, names=list(self._FORECAST_TRAITS))
        self.observe(self._on_inventory_input, names=list(self._INVENTORY_TRAITS))
        self._ready = True
        if autorun:
            self.recompute()

    # -- data -----------------------------------------------------------------------------
    def _prepare(self) -> None:
        self.planner: DemandPlanner | None = None
        try:
            self.planner = DemandPlanner.from_world(self.world, getattr(self, "design", None))
        except DataError as exc:
            self.problems = exc.messages
            self.series_options = []
            return
        with self.quiet():
            self._update_options()

    def _update_options(self) -> None:
        if self.planner is None:
            self.series_options = []
            return
        ids = self.planner.series_ids(self.level)
        self.series_options = ids
        if self.series not in ids and ids:
            self.series = ids[0]

    def spec(self) -> PlanningSpec:
        """The current choices as a :class:`PlanningSpec`."""
        return PlanningSpec(horizon=int(self.horizon), method=self.method, events=bool(self.events),
                            backtest_windows=int(self.backtest_windows), service_level=float(self.service_level),
                            lead_time=float(self.lead_time), lead_time_sd=float(self.lead_time_sd),
                            order_cost=float(self.order_cost), holding_rate=float(self.holding_rate),
                            on_hand_weeks=float(self.on_hand_weeks))

    def history_of(self, uid: str) -> pd.DataFrame:
        """The long history (unique_id, ds, y, promotion, product_id, region) of one series."""
        return self.planner.history_of(uid)

    def dc_of(self, region: str) -> str:
        return self.planner.dc_of(region) if self.planner is not None else "–"

    # -- observers ------------------------------------------------------------------------
    def _on_forecast_input(self, change) -> None:
        if change["name"] == "level":
            with self.quiet():
                self._update_options()
        if not self.is_quiet:
            self.recompute()

    def _on_inventory_input(self, change) -> None:
        if not self.is_quiet:
            self.replan()

    @T.observe("world")
    def _on_world(self, change) -> None:
        if getattr(self, "_ready", False) and change["new"] is not None:
            self._prepare()
            self.all_result = None
            self.recompute()

    def set_inputs(self, values: Mapping[str, Any]) -> None:
        """Restore saved choices (the level first, so the saved series is one of its options)."""
        with self.quiet():
            if "level" in values:
                self.level = values["level"]
                self._update_options()
        super().set_inputs(values)

    def refresh(self) -> None:
        """Forecast, backtest and plan the selected series again (the contract's one way to run again)."""
        self.recompute()

    # -- running --------------------------------------------------------------------------
    def recompute(self) -> None:
        """Forecast, backtest and plan the selected series."""
        if self.planner is None or not self.series:
            self.result = None
            return
        self.result = self.run(self.planner.analyse, self.series, self.spec(), label=f"Forecasting {self.series_label(self.series)}")

    def replan(self) -> None:
        """Re-plan the stock from the kept forecasts (service level, lead time, costs changed)."""
        r = self.result
        if r is not None and r.inventory_forecast is not None:
            plan = self.run(self.planner.plan, r.inventory_forecast, self.spec(), label="Planning stock")
            if plan is not None:
                self.result = dataclasses.replace(r, inventory=plan)
        a = self.all_result
        if a is not None:
            plan = self.run(self.planner.plan, a.forecast, self.spec(), label="Planning stock")
            if plan is not None:
                self.all_result = dataclasses.replace(a, inventory=plan)

    def forecast_all(self) -> None:
        """Forecast every product x region series (progress in ``all_done``/``all_total``)."""
        if self.planner is None:
            return
        self.all_total = len(self.planner.bottom_ids())
        self.all_done = 0

        def progress(done: int, total: int) -> None:
            self.all_done, self.all_total = int(done), int(total)
            self.progress = done / total if total else 1.0

        out = self.run(self.planner.forecast_all, self.spec(), progress=progress, label="Forecasting every series")
        if out is not None:
            self.all_result = out

    # -- numbers --------------------------------------------------------------------------
    def series_label(self, uid: str) -> str:
        """A series in words: 'BEV|Midwest' -> 'Beverages · Midwest' (product names from the World)."""
        names = {}
        if self.world is not None and len(self.world.products):
            names = {str(p): str(n).split(" (")[0] for p, n in zip(self.world.products.product_id,
                                                                   self.world.products.name)}
        parts = [names.get(x, "all products" if x == "All" and i == 0 else "all regions" if x == "All" else x)
                 for i, x in enumerate(str(uid).split("|"))]
        if parts and parts[0] == "all products" and all(p == "all regions" for p in parts[1:]):
            return "Company total"
        return " · ".join(parts)

    def accuracy_table(self) -> pd.DataFrame:
        """The backtest per method (``model``; errors, bias and coverage in %, ``mase`` a ratio,
        ``windows``; headers in words: :data:`ACCURACY_COLUMNS`)."""
        r = self.result
        if r is None or r.backtest is None:
            return pd.DataFrame()
        s = r.backtest.summary
        return s[[c for c in ACCURACY_COLUMNS if c in s.columns]].reset_index(drop=True)

    def method_rows(self, models) -> list[str]:
        """The backtest's methods in words: 'auto' is the forecast shown (with the method it used)."""
        sel = self.result.forecast.selection.iloc[0] if self.result is not None else None
        out = []
        for x in models:
            if x == "auto" and sel is not None:
                out.append(f"This forecast ({method_label(sel['method_used'] or sel['model']).lower()})")
            elif x == "seasonal_naive":
                out.append("Same week last year (benchmark)")
            else:
                out.append(method_label(x))
        return out

    def inventory_table(self) -> pd.DataFrame:
        r = self.result
        if r is None or r.inventory is None:
            return pd.DataFrame()
        return _inventory_view(r.inventory.table)

    def kpis(self) -> dict[str, float]:
        return self.result.kpis() if isinstance(self.result, SeriesAnalysis) else {}


def _inventory_view(t: pd.DataFrame) -> pd.DataFrame:
    cols = {"unique_id": "series", "dc": "DC", "demand_per_period": "demand/wk", "sigma_d": "error sd/wk",
            "safety_stock": "safety stock", "reorder_point": "reorder point", "order_up_to": "order-up-to",
            "eoq": "order quantity", "on_hand": "on hand", "reorder_ds": "reorder week", "safety_stock_value": "safety stock value"}
    v = t[[c for c in cols if c in t.columns]].rename(columns=cols).copy()
    if "reorder week" in v:
        v["reorder week"] = v["reorder week"].map(lambda d: d.strftime("%Y-%m-%d") if pd.notna(d) else "not in horizon")
    return v



class DemandForecastingView(W.VBox):
    """Thin view of :class:`DemandForecastingModel`."""

    def __init__(self, model: DemandForecastingModel):
        self.model = m = model
        style = {"description_width": "110px"}
        lay = W.Layout(width="100%")
        self.level = W.Dropdown(options=[(LEVEL_LABELS[k], k) for k in LEVELS], value=m.level, description="Level",
                                style=style, layout=lay)
        self.series = W.Dropdown(options=[(m.series_label(u), u) for u in m.series_options], value=m.series or None,
                                 description="Series", style=style, layout=lay)
        self.horizon = W.BoundedIntText(value=m.horizon, min=1, max=104, description="Horizon (weeks)", style=style,
                                        layout=lay)
        self.method = W.Dropdown(options=[(method_label(k), k) for k in ("auto", *METHODS)], value=m.method,
                                 description="Method", style=style, layout=lay,
                                 tooltip="; ".join(f"{method_label(k)}: {METHOD_TECH.get(k, k)}" for k in ("auto", *METHODS)))
        self.events = W.Checkbox(value=m.events, description="Events (Black Friday, Cyber Monday, December, promotions)",
                                 indent=False, layout=lay)
        self.service = W.FloatSlider(value=m.service_level, min=0.5, max=0.995, step=0.005, description="Service level",
                                     readout_format=".1%", style=style, layout=lay, continuous_update=False)
        self.lead = W.FloatSlider(value=m.lead_time, min=0.5, max=12, step=0.5, description="Lead time (wk)",
                                  style=style, layout=lay, continuous_update=False)
        self.lead_sd = W.FloatSlider(value=m.lead_time_sd, min=0.0, max=4, step=0.25, description="Lead time ± (wk)",
                                     tooltip="how much the lead time varies (standard deviation, weeks)",
                                     style=style, layout=lay, continuous_update=False)
        self.cover = W.FloatSlider(value=m.on_hand_weeks, min=0.0, max=26, step=0.5, description="On hand (wk)",
                                   style=style, layout=lay, continuous_update=False)
        for w, name in ((self.level, "level"), (self.horizon, "horizon"), (self.method, "method"),
                        (self.events, "events"), (self.service, "service_level"), (self.lead, "lead_time"),
                        (self.lead_sd, "lead_time_sd"), (self.cover, "on_hand_weeks")):
            W.link((m, name), (w, "value"))
            w.add_class(f"wb-input-{name}")
        self.series.add_class("wb-input-series")
        self.series.observe(self._on_series, names="value")
        m.observe(self._on_options, names="series_options")
        m.observe(self._on_model_series, names="series")
        self.all_button = W.Button(description="Forecast all series", icon="play", button_style="primary", layout=lay)
        self.all_button.add_class("wb-forecast-all")
        self.all_button.on_click(lambda _: m.forecast_all())
        self.all_progress = W.IntProgress(value=0, min=0, max=1, description="Series", style=style, layout=lay)
        m.observe(self._on_all_progress, names=["all_done", "all_total"])
        m.observe(lambda ch: setattr(self.all_button, "disabled", ch["new"]), names="busy")
        controls = [section("Series"), self.level, self.series, self.horizon, self.method, self.events,
                    section("Inventory policy"), self.service, self.lead, self.lead_sd, self.cover,
                    section("Whole company"), self.all_button, self.all_progress]
        # results
        self.cards = KPICards(app="demand_forecasting")
        self.chart = FigureView()
        self.chart.add_class("wb-forecast-chart")
        self.method_line = W.HTML()
        self.method_line.add_class("wb-method-line")
        self.accuracy = TableView(height="200px")
        self.accuracy_tech = TableView(height="160px")
        self.accuracy_more = W.Accordion(children=[self.accuracy_tech], selected_index=None)
        self.accuracy_more.set_title(0, "Details: technical scores (sMAPE, MSIS)")
        self.accuracy_more.add_class("wb-details-fold")
        self.inventory = TableView(height="260px", formats={"safety stock value": "USD"})
        self.projection = FigureView()
        self.projection.add_class("wb-projection-chart")
        self.all_table = TableView(height="280px")
        self.all_chart = FigureView()
        self.all_note = W.HTML("<div class='wb-busy'>Press <b>Forecast all series</b> (left) to forecast every "
                               "product in every region and see the company's bottom-up forecast here.</div>")
        self.accuracy_note = W.HTML(
            "<details class='wb-details'><summary>How to read this</summary>Each method forecast past weeks it had "
            "not seen (a rolling-origin backtest). <b>Typical error</b> (MAPE) is the mean absolute error in % of "
            "each week's demand; <b>error on the total</b> (WAPE) weighs the weeks by volume; <b>over / under</b> "
            "(bias) is the average over (+) or under (−) forecast. <b>Error vs. 'same week last year'</b> (MASE) "
            "divides the forecast's mean absolute error by that of simply repeating the same week last year: "
            "below 1× beats it. <b>Weeks inside the range</b>: the share of actual weeks inside the forecast's "
            "80% / 95% range (prediction interval coverage). Hover a header for its technical name.</details>")
        body = [self.cards, self.method_line, self.chart,
                section("How accurate the forecast was on past weeks (vs. 'same week last year')"),
                self.accuracy, self.accuracy_note, self.accuracy_more,
                section("Safety stock and reorder points per DC and region"),
                self.inventory, self.projection, section("Every product in every region"), self.all_note,
                self.all_chart, self.all_table]
        super().__init__([app_shell(m, controls=controls, body=body,
                                    subtitle="Forecast weekly demand with its peaks and intervals, check it against "
                                             "the past, and set the stock each DC needs.")])
        m.observe(self._render, names="result")
        m.observe(self._render_all, names="all_result")
        self._render()
        self._render_all()

    # -- events ---------------------------------------------------------------------------
    def _on_series(self, change) -> None:
        if change["new"] and change["new"] != self.model.series:
            self.model.series = change["new"]

    def _on_options(self, change) -> None:
        self.series.options = [(self.model.series_label(u), u) for u in change["new"]]
        if self.model.series in change["new"]:
            self.series.value = self.model.series

    def _on_model_series(self, change) -> None:
        if change["new"] in self.series.options and self.series.value != change["new"]:
            self.series.value = change["new"]

    def _on_all_progress(self, _=None) -> None:
        self.all_progress.max = max(self.model.all_total, 1)
        self.all_progress.value = self.model.all_done

    # -- rendering ------------------------------------------------------------------------
    def _render(self, *_):
        m, r = self.model, self.model.result
        if r is None:
            self.cards.update([])
            self.method_line.value = ""
            self.chart.show(figure_layout(go.Figure(), "No forecast"))
            self.accuracy.update(pd.DataFrame())
            self.accuracy_tech.update(pd.DataFrame())
            self.inventory.update(pd.DataFrame())
            self.projection.show(figure_layout(go.Figure(), "No stock projection"))
            return
        k = m.kpis()
        sel = r.forecast.selection.iloc[0]
        cards = [KPI(f"Forecast, next {m.horizon} weeks", k["forecast_units"], "units",
                     method_label(sel["method_used"] or sel["model"]).lower(), kpi="forecast_units")]
        if discontinued_note(sel):
            cards.append(KPI("Possibly discontinued", int(sel["zero_run"]), "weeks without demand",
                             "the forecast follows the zeros; check before reordering", kpi="discontinued_weeks"))
        if np.isfinite(k.get("history_units_same_weeks_last_year", np.nan)):
            cards.append(KPI("Same weeks last year", k["history_units_same_weeks_last_year"], "units",
                             kpi="history_units_same_weeks_last_year"))
        if "backtest_mase" in k:
            cards.append(KPI("Error vs. 'same week last year'", round(k["backtest_mase"], 2), "ratio",
                             f"below 1× beats it (it scores {k.get('seasonal_naive_mase', float('nan')):.2f}× "
                             f"itself)", kpi="backtest_mase"))
            cards.append(KPI("Past weeks inside the 80% range", k["coverage_80"], "%", kpi="coverage_80"))
        if "safety_stock_units" in k:
            inv = getattr(m.result, "inventory", None)
            dcs = len(inv.table) if inv is not None and getattr(inv, "table", None) is not None else 0
            where = f", summed over {dcs} series (table below)" if dcs > 1 else ""
            cards.append(KPI("Safety stock", k["safety_stock_units"], "units", f"at {m.service_level:.1%} service{where}",
                             kpi="safety_stock_units"))
            cards.append(KPI("Safety stock value", k["safety_stock_value"], "USD", kpi="safety_stock_value"))
        self.cards.update(cards)
        events = events_note(sel["lifts"]) if m.events else ""
        self.method_line.value = (
            f'<div class="wb-busy"><span title="{html.escape(method_details(sel))}">{html.escape(method_note(sel))}'
            ' <span class="wb-info">i</span></span>'
            + (f" · Event effects: {html.escape(events)}" if events else "") + "</div>")
        fig = forecast_figure(r.history, r.forecast.forecasts,
                              title=f"{m.series_label(r.unique_id)}: history and {m.horizon}-week forecast")
        self.chart.show(fig)
        acc = m.accuracy_table()
        if "model" in acc:
            acc = acc.assign(model=m.method_rows(acc["model"]))
        for table, cols in ((self.accuracy, ACCURACY_MAIN), (self.accuracy_tech, ACCURACY_TECH)):
            have = [c for c in cols if c in acc.columns]
            table.update(acc[have], formats={c: ACCURACY_COLUMNS[c][1] for c in have},
                         headers={c: ACCURACY_COLUMNS[c][0] for c in have},
                         tips={c: ACCURACY_COLUMNS[c][2] for c in have})
        inv = m.inventory_table()
        if "series" in inv:
            inv = inv.assign(series=[m.series_label(u) for u in inv["series"]])
        headers = {c: h for c, (h, _, _) in INVENTORY_COLUMNS.items()}
        headers["safety stock value"] = f"Safety stock value ({money_unit(currency=m.currency)})"
        self.inventory.update(inv, formats={c: u for c, (_, u, _) in INVENTORY_COLUMNS.items() if u},
                              headers=headers, tips={c: t for c, (_, _, t) in INVENTORY_COLUMNS.items() if t})
        if r.inventory is not None:
            fig = projection_figure(r.inventory, title="Projected stock at each DC (dashed: reorder point)")
            for t in fig.data:  # series in words in the legend
                if t.name and "|" in str(t.name):
                    t.name = m.series_label(t.name)
            self.projection.show(fig)

    def _render_all(self, *_):
        a = self.model.all_result
        if a is None:
            self.all_table.update(pd.DataFrame())
            self.all_chart.clear()
            for wdg in (self.all_chart, self.all_table):
                wdg.layout.display = "none"
            self.all_note.layout.display = None
            return
        for wdg in (self.all_chart, self.all_table):
            wdg.layout.display = None
        self.all_note.layout.display = "none"
        sel = a.forecast.selection.set_index("unique_id")
        tot = a.forecast.forecasts.groupby("unique_id")["yhat"].sum()
        inv = a.inventory.table.set_index("unique_id")
        table = pd.DataFrame({"model": sel["model"], "method used": sel["method_used"], "forecast units": tot,
                              "safety stock": inv["safety_stock"], "reorder point": inv["reorder_point"],
                              "DC": inv["dc"],
                              "status": sel["discontinued"].map({True: "possibly discontinued", False: ""})}
                             ).reset_index()
        table["unique_id"] = [self.model.series_label(u) for u in table["unique_id"]]
        for col in ("model", "method used"):
            table[col] = [method_label(x) for x in table[col]]
        self.all_table.update(table.rename(columns={"unique_id": "series"}),
                              headers={"series": "Product · region", "model": "Method chosen",
                                       "method used": "Method used", "forecast units": "Forecast (units)",
                                       "safety stock": "Safety stock (units)",
                                       "reorder point": "Reorder point (units)", "status": "Status"})
        fig = all_series_figure(a)
        self.all_chart.show(fig)


def demand_forecasting_app(world: workbench.World | None = None, *, design=None) -> DemandForecastingView:
    """Build the demand forecasting and inventory app (the notebook's one line).

    ``design``: a network design (``NetworkResult``) whose customer-to-DC assignment places each
    region's stock (per-DC safety stock); without it each region is stocked at its region's DC.
    """
    return for_page(lambda: DemandForecastingView(DemandForecastingModel(world, design=design)))
