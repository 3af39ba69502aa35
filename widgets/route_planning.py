"""Route planning app: the day's orders, the fleet, a solve with progress, routes, timeline and dispatch sheets."""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import traitlets as T

import workbench
from workbench.errors import DataError, SpecificationError
from workbench.routing import (
    RoutingProblem,
    RoutingResult,
    SolveOptions,
    check_routes,
    dispatch_csv,
    dispatch_excel,
    dispatch_html,
    fmt_clock,
)
from workbench.validate import format_time, parse_time

from .components import KPI, DownloadButton, FigureView, KPICards, section, TableView
from .formatting import LAYER_COLORS
from .geojson import lines_layer, points_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world, for_page
from .figures.routing import route_colors, timeline_figure

__all__ = ["RoutePlanningModel", "RoutePlanningView", "route_planning_app", "timeline_figure", "route_colors"]

FLEET_FIELDS = ("vehicle_type", "count", "capacity", "shift_start", "shift_end")



class RoutePlanningModel(AppModel):
    """The day to plan (depot), the fleet settings, the solve options, and the latest plan.

    ``fleet`` is a list of rows ``{vehicle_type, count, capacity, shift_start, shift_end}``
    (shift times as ``HH:MM``) overriding the World's vehicles; ``widen_windows_min`` widens every
    order's window on both sides. ``solve()`` plans in the foreground, ``solve(background=True)``
    in a thread with progress (``join()`` waits for it, ``stop()`` ends it early with the best plan).
    """

    app_name = "route_planning"
    title = "Route planning"
    input_traits = ("depot_id", "fleet", "time_limit_s", "widen_windows_min", "allow_unserved", "seed")

    depot_id = T.Unicode("")
    fleet = T.List(T.Dict())
    time_limit_s = T.Float(5.0)
    widen_windows_min = T.Float(0.0)
    allow_unserved = T.Bool(True)
    seed = T.Int(0)

    depots = T.List(T.Unicode())          # depots that have orders and vehicles
    stale = T.Bool(True)                  # settings changed since the shown plan
    check_ok = T.Bool(False)
    previous_kpis = T.Dict()

    def __init__(self, world: workbench.World | None = None, **kwargs):
        super().__init__(world if world is not None else current_world(), **kwargs)
        self._base: dict[str, RoutingProblem] = {}
        self._cancel = threading.Event()
        self.problem: RoutingProblem | None = None
        w = self.world
        have = [d for d in dict.fromkeys(w.orders.depot_id) if d in set(w.vehicles.depot_id)] if len(w.orders) else []
        self.depots = have
        if not have:
            self.problems = ["This data has no delivery day to plan: it needs an orders table and a vehicles table "
                             "with the same depot_id. Load them on Home (see the data dictionary)."]
            return
        self.depot_id = have[0]

    # -- choices ------------------------------------------------------------------------
    @T.observe("depot_id")
    def _on_depot(self, change):
        v = self.world.vehicles[self.world.vehicles.depot_id == change["new"]]
        self.result = None
        self.stale = True
        if [r.get("vehicle_type") for r in self.fleet] == list(v.vehicle_type):
            return  # settings for this depot's fleet (e.g. restored with set_inputs) are kept
        self.fleet = [{"vehicle_type": r.vehicle_type, "count": int(r.count), "capacity": float(r.capacity),
                       "shift_start": format_time(r.shift_start), "shift_end": format_time(r.shift_end)}
                      for r in v.itertuples()]

    @T.observe("fleet", "widen_windows_min", "allow_unserved", "time_limit_s", "seed")
    def _on_change(self, change):
        self.stale = True

    def base_problem(self) -> RoutingProblem:
        """The depot's day as in the World (travel matrices computed once per depot)."""
        if self.depot_id not in self._base:
            self._base[self.depot_id] = RoutingProblem.from_world(self.world, depot_id=self.depot_id)
        return self._base[self.depot_id]

    def fleet_table(self) -> pd.DataFrame:
        """The World's vehicles of this depot with the fleet settings applied."""
        base = self.base_problem().vehicles.copy()
        for col in ("shift_start", "shift_end"):
            base[col] = [format_time(v) for v in base[col]]
        base["count"] = base["count"].astype("int64")
        base = base.astype({"shift_start": object, "shift_end": object}).set_index("vehicle_type")
        for row in self.fleet:
            t = row["vehicle_type"]
            if t not in base.index:
                continue
            base.loc[t, "count"] = int(row["count"])
            base.loc[t, "capacity"] = float(row["capacity"])
            base.loc[t, "shift_start"] = str(row["shift_start"])
            base.loc[t, "shift_end"] = str(row["shift_end"])
        return base.reset_index()

    def build_problem(self) -> RoutingProblem:
        """The problem to solve: the depot's day with the fleet settings and widened windows."""
        p = self.base_problem().with_vehicles(self.fleet_table())
        if self.widen_windows_min > 0:
            p = p.widen_time_windows(self.widen_windows_min)
        return p

    def options(self) -> SolveOptions:
        return SolveOptions(time_limit_s=float(self.time_limit_s), seed=int(self.seed),
                            allow_unserved=bool(self.allow_unserved))

    def set_vehicle(self, vehicle_type: str, **changes) -> None:
        """Change a fleet row (``count``, ``capacity``, ``shift_start``, ``shift_end``)."""
        rows = [dict(r) for r in self.fleet]
        for r in rows:
            if r["vehicle_type"] == vehicle_type:
                r.update(changes)
        self.fleet = rows

    def add_vehicle(self, vehicle_type: str) -> None:
        """What-if: one more vehicle of this type."""
        row = next(r for r in self.fleet if r["vehicle_type"] == vehicle_type)
        self.set_vehicle(vehicle_type, count=int(row["count"]) + 1)

    # -- solving --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Plan the day with the current settings (in the background when the app runs in one)."""
        self.solve(background=self.background)

    def show_result(self, result: Any) -> None:
        """Show a saved plan as it was: it matches the restored settings."""
        super().show_result(result)
        self.stale = False

    def solve(self, background: bool = False) -> RoutingResult | None:
        """Plan the day; in the background the UI stays live and ``progress`` moves with the clock
        (``join()`` waits). A click while a plan is being made is ignored. Returns the plan when
        solved in the foreground."""
        cancel = threading.Event()
        planned: list[RoutingResult] = []

        def work():
            problem = self.build_problem()
            result = problem.solve(self.options(), progress=self._progress, cancel=cancel)
            return problem, result, check_routes(result, problem)

        def done(out) -> None:
            planned.append(self._show_plan(*out))

        if self.running:
            return None
        self._cancel = cancel
        self.run_in_background(work, label="Planning routes", done=done, background=background)
        return planned[0] if planned else None

    def improve(self, background: bool = False) -> RoutingResult | None:
        """Search again with four times the time limit (at most 120 s) and keep the better plan:
        more orders planned first, then the lower cost. Without a current plan it is a Solve."""
        if not isinstance(self.result, RoutingResult) or self.stale or self.running:
            return self.solve(background=background)
        self._keep_better = self.result
        self.time_limit_s = float(min(120.0, max(4 * self.time_limit_s, 10.0)))
        self.stale = False  # the longer limit does not change the plan's settings
        return self.solve(background=background)

    def stop(self) -> None:
        """End a running solve early; the best plan found so far is kept."""
        self._cancel.set()

    def _progress(self, done: int, total: int) -> None:
        self.progress = min(done / total, 0.999) if total else 0.0
        self.status = f"Solving… {done / 1000:.0f} of {total / 1000:.0f} s"

    def _show_plan(self, problem: RoutingProblem, result: RoutingResult, report) -> RoutingResult:
        previous = self.result
        kept = getattr(self, "_keep_better", None)
        self._keep_better = None
        if (isinstance(kept, RoutingResult) and report.ok
                and (kept.orders_served, -kept.total_cost) > (result.orders_served, -result.total_cost)):
            self.stale = False
            self.notes = [f"A longer search ({result.seconds:.0f} s) found no better plan than the one shown "
                          f"({kept.orders_served} orders, cost {kept.total_cost:,.0f}); it is kept."]
            self.status = f"Kept the plan: the {result.time_limit_s:.0f} s search found none better"
            return kept
        self.problem = problem
        self.previous_kpis = previous.kpis() if isinstance(previous, RoutingResult) else {}
        self.check_ok = report.ok
        self.stale = False
        notes = [f"{result.orders_served} of {result.orders_total} orders planned on {result.vehicles_used} vehicles "
                 f"in {result.seconds:.1f} s ({result.stop_reason}); the independent check "
                 + ("confirms capacity, time windows, shifts and costs." if report.ok else "FAILED.")]
        if len(result.unserved):
            notes.append(f"{len(result.unserved)} orders are not planned; see 'Unserved orders' for the reasons.")
        self.result = result
        self.notes = notes
        if not report.ok:
            self.problems = [str(m) for m in report.violations.message.head(20)]
        self.status = (f"Planned in {result.seconds:.1f} s of {result.time_limit_s:.0f} s "
                       f"({result.iterations:,} iterations, {result.engine})")
        return result

    # -- outputs ------------------------------------------------------------------------
    def kpis(self) -> dict[str, float]:
        return self.result.kpis() if isinstance(self.result, RoutingResult) else {}

    def downloads(self) -> dict[str, bytes]:
        """The dispatch sheets of the current plan as files: name -> bytes."""
        if not isinstance(self.result, RoutingResult):
            return {}
        return {f"dispatch.{ext}": self.download(ext) for ext in ("csv", "xlsx", "html")}

    def download(self, ext: str) -> bytes:
        """One dispatch sheet of the current plan (``ext``: csv, xlsx or html)."""
        r = self.result
        if not isinstance(r, RoutingResult):
            raise workbench.WorkbenchError("There is no plan to download yet: press Solve first.")
        if ext == "csv":
            return dispatch_csv(r)
        if ext == "xlsx":
            return dispatch_excel(r, currency=self.currency)
        if ext == "html":
            return dispatch_html(r, title=f"Dispatch sheets · {self.depot_id}").encode("utf-8")
        raise ValueError(f"no dispatch sheet as {ext!r}; the formats are csv, xlsx and html")


_MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html"}


def _show(view: FigureView, fig: go.Figure) -> None:
    """Show a figure in a FigureView (safe from the solve thread)."""
    view.show(fig)


class _FleetRow(W.VBox):
    """Controls of one vehicle type: count (with +1), capacity, shift."""

    def __init__(self, model: RoutePlanningModel, row: dict):
        self.model = model
        self.vehicle_type = row["vehicle_type"]
        lay = W.Layout(width="88px")
        self.count = W.BoundedIntText(value=int(row["count"]), min=0, max=500, description="vehicles",
                                      layout=W.Layout(width="150px"), style={"description_width": "60px"})
        self.add = W.Button(description="+1", tooltip=f"Add a {self.vehicle_type}", layout=W.Layout(width="44px"))
        self.capacity = W.BoundedFloatText(value=float(row["capacity"]), min=0.001, max=1e9, description="capacity",
                                           layout=W.Layout(width="200px"), style={"description_width": "60px"})
        self.start = W.Text(value=str(row["shift_start"]), description="shift", layout=W.Layout(width="130px"),
                            style={"description_width": "60px"}, continuous_update=False)
        self.end = W.Text(value=str(row["shift_end"]), layout=lay, continuous_update=False)
        self.add.on_click(lambda _: model.add_vehicle(self.vehicle_type))
        self.count.observe(lambda ch: model.set_vehicle(self.vehicle_type, count=int(ch["new"])), names="value")
        self.capacity.observe(lambda ch: model.set_vehicle(self.vehicle_type, capacity=float(ch["new"])), names="value")
        self.start.observe(lambda ch: self._time("shift_start", ch["new"]), names="value")
        self.end.observe(lambda ch: self._time("shift_end", ch["new"]), names="value")
        super().__init__([W.HTML(f"<b>{html.escape(self.vehicle_type)}</b>"), W.HBox([self.count, self.add]),
                          self.capacity, W.HBox([self.start, self.end])],
                         layout=W.Layout(border_bottom="1px solid #eef2f6", padding="2px 0 6px 0"))

    def _time(self, field: str, text: str) -> None:
        minutes = parse_time(text)
        if not np.isfinite(minutes) or minutes < 0 or minutes > 48 * 60:
            self.model.problems = [f"fleet, {self.vehicle_type}, {field}: {text!r} is not a time of day. "
                                   "Fix: enter it as HH:MM, e.g. 07:30"]
            return
        self.model.problems = []
        self.model.set_vehicle(self.vehicle_type, **{field: format_time(minutes)})

    def sync(self, row: dict) -> None:
        self.count.value = int(row["count"])
        self.capacity.value = float(row["capacity"])
        self.start.value = str(row["shift_start"])
        self.end.value = str(row["shift_end"])


class RoutePlanningView(W.VBox):
    """Thin view of :class:`RoutePlanningModel`."""

    def __init__(self, model: RoutePlanningModel, *, background: bool = True):
        self.model = model
        self.background = background
        model.background = background
        self.depot = W.Dropdown(options=model.depots, value=model.depot_id or None, description="Depot",
                                layout=W.Layout(width="100%"), style={"description_width": "60px"})
        self.day = W.HTML()
        self.fleet_box = W.VBox()
        self.rows: dict[str, _FleetRow] = {}
        self.widen = W.IntSlider(value=int(model.widen_windows_min), min=0, max=180, step=15,
                                 description="widen (min)", continuous_update=False, layout=W.Layout(width="100%"),
                                 style={"description_width": "80px"})
        self.time_limit = W.IntSlider(value=int(model.time_limit_s), min=1, max=120, description="time limit (s)",
                                      continuous_update=False, layout=W.Layout(width="100%"),
                                      style={"description_width": "90px"})
        self.allow_unserved = W.Checkbox(value=model.allow_unserved, description="plan what fits (list the rest)",
                                         indent=False)
        self.solve_button = W.Button(description="Solve", icon="truck", button_style="primary",
                                     layout=W.Layout(width="48%"))
        self.stop_button = W.Button(description="Stop", icon="stop", disabled=True, layout=W.Layout(width="48%"))
        self.improve_button = W.Button(description="Improve further", icon="search-plus", disabled=True,
                                       tooltip="search again with four times the time limit; the better plan is kept",
                                       layout=W.Layout(width="100%"))
        self.improve_button.add_class("wb-improve")
        self.stale_note = W.HTML()
        self.cards = KPICards(app="route_planning")
        self.map = MapView(height="460px")
        self.timeline = FigureView()
        self.summary_table = TableView(height="260px")
        self.stop_table = TableView(height="340px")
        self.unserved_table = TableView(height="200px")
        self.unserved_box = W.VBox()
        self.download_buttons = {
            ext: DownloadButton(lambda ext=ext: self.model.download(ext), description=label, mime=_MIME[ext],
                                filename=f"dispatch.{ext}", disabled=True,
                                tooltip="The dispatch sheets of the plan shown: one per vehicle, its stops with ETAs")
            for ext, label in (("csv", "CSV"), ("xlsx", "Excel"), ("html", "Printable HTML"))}
        self.downloads = W.VBox([W.HTML("One sheet per vehicle, its stops with ETAs:"),
                                 W.HBox(list(self.download_buttons.values()))])
        self.solve_button.add_class("wb-solve")
        self.downloads.add_class("wb-downloads")

        W.link((self.widen, "value"), (model, "widen_windows_min"))
        W.link((self.time_limit, "value"), (model, "time_limit_s"))
        W.link((self.allow_unserved, "value"), (model, "allow_unserved"))
        self.depot.observe(self._on_depot, names="value")
        self.solve_button.on_click(lambda _: model.solve(background=self.background))
        self.stop_button.on_click(lambda _: model.stop())
        self.improve_button.on_click(lambda _: model.improve(background=self.background))
        model.observe(self._render_fleet, names="fleet")
        model.observe(self._render_busy, names=["busy", "running", "problems", "result", "stale"])
        model.observe(self._render_stale, names="stale")
        model.observe(self._render_result, names="result")

        controls = [section("Delivery day"), self.depot, self.day, section("Fleet"), self.fleet_box,
                    section("Time windows"), self.widen, section("Solve"), self.time_limit, self.allow_unserved,
                    W.HBox([self.solve_button, self.stop_button]), self.improve_button, self.stale_note]
        #: before the first Solve: what will appear and how to get it (instead of empty headings)
        self.before_solve = W.HTML()
        self.before_solve.add_class("wb-before-solve")
        self.map_heading = W.HTML()
        #: what only a plan fills: hidden until there is one
        self.results_box = W.VBox([section("Timeline"), self.timeline, section("Routes summary"), self.summary_table,
                                   section("Stops and ETAs"), self.stop_table, self.unserved_box,
                                   section("Dispatch sheets"), self.downloads])
        self.results_box.add_class("wb-route-results")
        body = [self.cards, self.before_solve, self.map_heading, self.map, self.results_box]
        super().__init__([app_shell(model, controls=controls, body=body,
                                    subtitle="Plan the day's delivery routes under capacities, time windows and "
                                             "shifts; then dispatch them with ETAs.", sidebar_width="320px")])
        self._render_fleet()
        self._render_orders()
        self._render_stale()
        self._render_busy()
        self._render_result()

    # -- events ---------------------------------------------------------------------------
    def _on_depot(self, change):
        if change["new"]:
            self.model.depot_id = change["new"]
            self._render_orders()

    # -- rendering ------------------------------------------------------------------------
    def _render_fleet(self, *_):
        rows = self.model.fleet
        if [r["vehicle_type"] for r in rows] != list(self.rows):
            self.rows = {r["vehicle_type"]: _FleetRow(self.model, r) for r in rows}
            self.fleet_box.children = tuple(self.rows.values())
        else:
            for r in rows:
                self.rows[r["vehicle_type"]].sync(r)
        n = sum(int(r["count"]) for r in rows)
        cap = sum(int(r["count"]) * float(r["capacity"]) for r in rows)
        self._fleet_text = f"{n} vehicles, {cap:,.0f} units of capacity"
        self._render_day()

    def _render_before_solve(self) -> None:
        """Before a plan: one line saying what Solve will show, for how many orders and vehicles."""
        m = self.model
        if not hasattr(self, "before_solve"):
            return
        if isinstance(m.result, RoutingResult):
            self.before_solve.value = ""
            self.before_solve.layout.display = "none"
            return
        w = m.world
        n_orders = int((w.orders.depot_id == m.depot_id).sum()) if m.depot_id else 0
        n_veh = sum(int(r["count"]) for r in m.fleet)
        if not m.depot_id:
            text = "Pick a depot (left) to see its orders, then press <b>Solve</b> to plan the routes."
        else:
            text = (f"Press <b>Solve</b> (left) to plan routes for <b>{n_orders} orders</b> with <b>{n_veh} "
                    f"vehicles</b>. The routes on the map, a timeline per vehicle, the stops with their arrival "
                    f"times and the dispatch sheets to download will appear here.")
        self.before_solve.value = f"<div class='wb-note'>{text}</div>"
        self.before_solve.layout.display = None

    def _render_day(self):
        self._render_before_solve()
        w = self.model.world
        if not self.model.depot_id:
            self.day.value = ""
            return
        o = w.orders[w.orders.depot_id == self.model.depot_id]
        self.day.value = (f"<div class='wb-busy'>{len(o)} orders, {o.demand.sum():,.0f} units; "
                          f"{getattr(self, '_fleet_text', '')}</div>")

    def _render_orders(self):
        w = self.model.world
        if not self.model.depot_id:
            return
        o = w.orders[w.orders.depot_id == self.model.depot_id].copy()
        site = w.sites[w.sites.site_id == self.model.depot_id]
        o["window"] = [f"{fmt_clock(a)}-{fmt_clock(b)}" for a, b in zip(o.tw_start, o.tw_end)]
        m = self.map
        m.fit(pd.concat([o.lat, site.lat]), pd.concat([o.lon, site.lon]))
        m.remove_layer("routes")
        m.remove_layer("stops")
        m.set_layer("orders", points_layer(o, color=LAYER_COLORS["orders"], radius=5,
                                           props=("order_id", "name", "demand", "window")), label="Orders")
        m.set_layer("depot", points_layer(site, color="#111111", radius=9, props=("name",)), label="Depot")
        m.set_labels("depot_name", [(la, lo, f"Depot: {n.removesuffix(' DC')}")
                                    for la, lo, n in zip(site.lat, site.lon, site.name)])
        self._render_day()

    def _render_stale(self, *_):
        m = self.model
        if m.result is not None and m.stale:
            self.stale_note.value = ("<div class='wb-busy'>Settings changed since this plan: press Solve to "
                                     "re-plan (the cards will show the change).</div>")
        else:
            self.stale_note.value = ""

    def _render_busy(self, *_):
        m = self.model
        self.solve_button.disabled = m.busy or m.running or not m.depot_id
        self.stop_button.disabled = not (m.busy or m.running)
        self.improve_button.disabled = m.busy or m.running or m.result is None or m.stale

    def _render_result(self, *_):
        m = self.model
        r = m.result
        self._render_stale()
        self._render_before_solve()
        if not isinstance(r, RoutingResult):
            self.map_heading.value = section("The day's orders").value
            self.results_box.layout.display = "none"
            self.cards.update([KPI("Orders", len(m.world.orders[m.world.orders.depot_id == m.depot_id])
                                   if m.depot_id else 0, "", "press Solve to plan", kpi="orders")])
            self.timeline.clear()
            self.summary_table.update(pd.DataFrame())
            self.stop_table.update(pd.DataFrame())
            self.unserved_box.children = ()
            for button in self.download_buttons.values():
                button.disabled = True
            return
        self.map_heading.value = section("Routes").value
        self.results_box.layout.display = None
        prev = m.previous_kpis

        def delta(key, unit=""):
            if not prev or key not in prev:
                return ""
            d = r.kpis()[key] - prev[key]
            if abs(d) < 1e-9:
                return "same as the previous plan"
            rel = f" ({100 * d / prev[key]:+.1f}%)" if prev[key] else ""
            return f"{d:+,.{0 if abs(d) >= 100 else 1}f}{unit}{rel} vs previous plan"

        self.cards.update([
            KPI("Vehicles used", r.vehicles_used, "", f"of {r.vehicles_available} available"
                + (f"; {delta('vehicles_used')}" if prev else ""), kpi="vehicles_used"),
            KPI("Total distance", r.total_km, "km", delta("total_km", " km"), kpi="total_km"),
            KPI("Total cost", r.total_cost, "USD", delta("total_cost", " " + m.currency), kpi="total_cost"),
            KPI("Utilisation", r.utilisation, "share", "load carried / capacity of vehicles used", kpi="utilisation"),
            KPI("On time", r.on_time_share, "share", f"{r.orders_served} of {r.orders_total} orders in their window",
                kpi="on_time_share"),
            KPI("Unserved", r.orders_unserved, "orders", f"{r.demand_unserved:,.0f} units", kpi="orders_unserved"),
            KPI("Driver hours", r.total_duration_h, "h", kpi="total_duration_h"),
        ])
        colors = route_colors(r)
        segs, cols, props = [], [], []
        for vehicle, g in r.routes.groupby("vehicle", sort=False):
            g = g.sort_values("seq")
            lat, lon = g.lat.to_numpy(float), g.lon.to_numpy(float)
            for j in range(len(g) - 1):
                segs.append((lat[j], lon[j], lat[j + 1], lon[j + 1]))
                cols.append(colors[vehicle])
                props.append({"name": vehicle})
        self.map.set_layer("routes", lines_layer(segs, cols, weight=3, opacity=0.85, props=props), label="Routes")
        stops = r.stops().copy()
        stops["eta"] = stops.arrival_min.map(fmt_clock)
        self.map.set_layer("stops", points_layer(stops, color=[colors[v] for v in stops.vehicle], radius=5,
                                                 props=("vehicle", "order_id", "name", "eta")), label="Stops")
        if "orders" in self.map.toggles:
            self.map.toggles["orders"].value = False
        if len(r.unserved):
            un = self.model.world.orders.set_index("order_id").loc[list(r.unserved.order_id)].reset_index()
            self.map.set_layer("unserved", points_layer(un, color="#d62728", radius=8, props=("order_id", "name")),
                               label="Unserved")
        else:
            self.map.remove_layer("unserved")
        _show(self.timeline, timeline_figure(r))
        s = r.summary
        table = pd.DataFrame({"vehicle": s.vehicle, "stops": s.stops, "load": s.load, "capacity": s.capacity,
                              "utilisation %": (100 * s.utilisation).round(1), "km": s.km.round(1),
                              "leaves": s.start_min.map(fmt_clock), "returns": s.end_min.map(fmt_clock),
                              "hours": s.duration_h.round(2), f"cost {m.currency}": s.cost.round(2)})
        self.summary_table.update(table)
        st = pd.DataFrame({"vehicle": stops.vehicle, "#": stops.seq, "order": stops.order_id, "customer": stops.name,
                           "arrive": stops.arrival_min.map(fmt_clock),
                           "window": [f"{fmt_clock(a)}-{fmt_clock(b)}" for a, b in zip(stops.tw_start, stops.tw_end)],
                           "wait min": stops.wait_min.round(1), "depart": stops.departure_min.map(fmt_clock),
                           "units": stops.demand, "load after": stops.load_after})
        self.stop_table.update(st)
        if len(r.unserved):
            self.unserved_table.update(r.unserved[["order_id", "name", "demand", "reason", "fix"]])
            self.unserved_box.children = (section("Unserved orders"), self.unserved_table)
        else:
            self.unserved_box.children = ()
        for ext, button in self.download_buttons.items():
            button.filename = f"dispatch_{m.depot_id}.{ext}"
            button.disabled = False


def route_planning_app(world: workbench.World | None = None) -> RoutePlanningView:
    """Build the Route planning app (the notebook's one line)."""
    return for_page(lambda: RoutePlanningView(RoutePlanningModel(world)))
