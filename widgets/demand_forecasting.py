"""Demand forecasting and inventory app: forecasts with peaks and intervals, and the stock they call for.

The model forecasts one series (a product in a region) or an aggregate (a region, a product,
the company total) from the World's weekly demand history, backtests it against the seasonal
naive, and turns the forecast of the product in every region into safety stock and reorder
points at the DC that serves each region. "Forecast all series" runs every product x region
series with a progress bar and shows coherent bottom-up totals.
"""

from __future__ import annotations

import dataclasses
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

METHOD_LABELS = {
    "auto": "Automatic (backtest)", "combination": "Combination (damped trend, ETS, Theta, optimised Theta)",
    "ets": "ETS (AICc, damped)", "theta": "Theta", "optimized_theta": "Optimised Theta",
    "dynamic_optimized_theta": "Dynamic optimised Theta",
    "arima": "SARIMAX with events", "ses": "Simple exponential smoothing", "naive": "Naive",
    "seasonal_naive": "Same week last year", "croston": "Croston", "sba": "SBA", "tsb": "TSB",
    "adida": "ADIDA (aggregate, then SES)", "ces": "Complex exponential smoothing",
}


def method_note(sel: Mapping[str, Any]) -> str:
    """The method line of a forecast: the method whose numbers are shown, and why it replaced
    the one chosen when it did."""
    chosen = str(sel["model"])
    used = str(sel.get("method_used") or chosen)
    why = str(sel.get("fell_back_because") or "")
    if used == chosen or not why:
        return f"method: {METHOD_LABELS.get(chosen, chosen)}"
    return f"method: {METHOD_LABELS.get(used, used)}, because {why} ({METHOD_LABELS.get(chosen, chosen)} not used)"


def discontinued_note(sel: Mapping[str, Any]) -> str:
    """'' or why the series looks discontinued."""
    if not bool(sel.get("discontinued", False)):
        return ""
    return f"no demand in the last {int(sel.get('zero_run', 0))} weeks: possibly discontinued"
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
        r = self.result
        if r is None or r.backtest is None:
            return pd.DataFrame()
        s = r.backtest.summary
        cols = ["model", "mape", "smape", "mase", "wape", "bias", "coverage_80", "coverage_95", "msis_95", "windows"]
        return s[[c for c in cols if c in s.columns]].rename(columns={
            "mape": "MAPE %", "smape": "sMAPE %", "mase": "MASE", "wape": "WAPE %", "bias": "bias %",
            "coverage_80": "in 80% band %", "coverage_95": "in 95% band %", "msis_95": "95% band score (MSIS)"})

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
        self.method = W.Dropdown(options=[(METHOD_LABELS.get(k, k), k) for k in ("auto", *METHODS)], value=m.method,
                                 description="Method", style=style, layout=lay)
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
        self.cards = KPICards()
        self.chart = FigureView()
        self.chart.add_class("wb-forecast-chart")
        self.accuracy = TableView(height="200px")
        self.inventory = TableView(height="260px", formats={"safety stock value": "USD"})
        self.projection = FigureView()
        self.projection.add_class("wb-projection-chart")
        self.all_table = TableView(height="280px")
        self.all_chart = FigureView()
        self.all_note = W.HTML("<div class='wb-busy'>Press <b>Forecast all series</b> (left) to forecast every "
                               "product in every region and see the company's bottom-up forecast here.</div>")
        self.accuracy_note = W.HTML(
            "<details class='wb-details'><summary>How to read this</summary>Each method forecast past weeks it had "
            "not seen (rolling origin backtest). <b>Error vs. benchmark</b> (MASE) divides the forecast's mean "
            "absolute error by that of simply repeating the same week last year: below 1 beats it. MAPE / WAPE: "
            "mean / volume-weighted absolute error in % of demand; bias: average over (+) or under (−) forecast; "
            "band columns: share of actual weeks inside the 80% / 95% interval.</details>")
        body = [self.cards, self.chart, section("How accurate the forecast was on past weeks (vs. 'same week last year')"),
                self.accuracy, self.accuracy_note, section("Safety stock and reorder points per DC and region"),
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
            self.chart.show(figure_layout(go.Figure(), "No forecast"))
            self.accuracy.update(pd.DataFrame())
            self.inventory.update(pd.DataFrame())
            self.projection.show(figure_layout(go.Figure(), "No stock projection"))
            return
        k = m.kpis()
        sel = r.forecast.selection.iloc[0]
        sub = method_note(sel) + (f"; event lifts {sel['lifts']}" if sel["lifts"] else "")
        cards = [KPI(f"Forecast, next {m.horizon} weeks", k["forecast_units"], "units", sub)]
        if discontinued_note(sel):
            cards.append(KPI("Possibly discontinued", int(sel["zero_run"]), "weeks without demand",
                             "the forecast follows the zeros; check before reordering"))
        if np.isfinite(k.get("history_units_same_weeks_last_year", np.nan)):
            cards.append(KPI("Same weeks last year", k["history_units_same_weeks_last_year"], "units"))
        if "backtest_mase" in k:
            cards.append(KPI("Error vs. benchmark", round(k["backtest_mase"], 2), "",
                             f"MASE; below 1 beats 'same week last year' "
                             f"({k.get('seasonal_naive_mase', float('nan')):.2f})"))
            cards.append(KPI("Actuals in 80% band", k["coverage_80"], "%"))
        if "safety_stock_units" in k:
            cards.append(KPI("Safety stock", k["safety_stock_units"], "units", f"at {m.service_level:.1%} service"))
            cards.append(KPI("Safety stock value", k["safety_stock_value"], "USD"))
        self.cards.update(cards)
        fig = forecast_figure(r.history, r.forecast.forecasts,
                              title=f"{m.series_label(r.unique_id)}: history and {m.horizon}-week forecast")
        self.chart.show(fig)
        acc = m.accuracy_table().round(3)
        if "model" in acc:
            acc = acc.assign(model=[METHOD_LABELS.get(x, x) for x in acc["model"]])
        self.accuracy.update(acc, headers={"model": "Method", "MASE": "Error vs. benchmark (MASE)",
                                           "windows": "Backtest windows"})
        inv = m.inventory_table()
        if "series" in inv:
            inv = inv.assign(series=[m.series_label(u) for u in inv["series"]])
        units = {c: "count" for c in ("demand/wk", "error sd/wk", "safety stock", "reorder point", "order-up-to",
                                      "order quantity", "on hand")}
        self.inventory.update(inv, formats={**units, "safety stock value": "USD"}, headers={
            "series": "Product · region", "demand/wk": "Demand (units/wk)", "error sd/wk": "Forecast error ± (units/wk)",
            "safety stock": "Safety stock (units)", "reorder point": "Reorder point (units)",
            "order-up-to": "Order up to (units)", "order quantity": "Order quantity (units)", "on hand": "On hand (units)",
            "reorder week": "Reorder in week of", "safety stock value": f"Safety stock value ({money_unit(currency=m.currency)})"})
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
            self.all_chart.figure = None
            self.all_chart.clear_output()
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
            table[col] = [METHOD_LABELS.get(x, x) for x in table[col]]
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
