"""Network design app: how many DCs, where, serving whom, at what cost and service.

The model re-solves on every changed choice (the distance matrices are built once and the
previous design warm-starts the solver); the trade-off curve (cost and service against the
number of DCs) is computed on demand, in the background in the app.
"""

from __future__ import annotations

import dataclasses

import ipywidgets as W
import numpy as np
import pandas as pd
import traitlets as T

import workbench
from workbench.network import (FacilityProblem, NetworkResult, NetworkSpec, SweepResult, check_network,
                               sweep_dc_count)

from .components import KPI, FigureView, KPICards, section, TableView
from .geojson import lines_layer, points_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world
from .figures.network import cost_figure, dc_colors, tradeoff_figure

__all__ = ["NetworkDesignModel", "NetworkDesignView", "network_design_app", "cost_figure", "tradeoff_figure",
           "dc_colors", "site_table"]

CLOSED_COLOR = "#bcccdc"


def site_table(result: NetworkResult) -> pd.DataFrame:
    """The open DCs: volume, utilisation, customers, distance and cost (for the table view)."""
    s = result.open_sites
    out = pd.DataFrame({
        "site": s.site_id, "name": s.name, "customers": s.customers.astype(int), "volume": s.volume,
        "utilisation %": 100 * s.utilisation, "mean km": s.mean_distance_km, "fixed": s.fixed_cost,
        "handling": s.handling_cost, "inbound": s.inbound_cost, "outbound": s.outbound_cost, "total": s.total_cost,
    })
    return out.sort_values("total", ascending=False).reset_index(drop=True)


class NetworkDesignModel(AppModel):
    """The user's network choices and the latest design.

    ``dc_count`` 0 means free (the cheapest number); ``service_radius_km`` 0 means no service
    rule; ``service_share`` 1.0 means every customer within the radius. Every change re-solves
    (``auto_solve``); ``compute_tradeoff()`` sweeps the number of DCs under the same choices.
    """

    app_name = "network_design"
    title = "Network design"
    input_traits = ("dc_count", "sourcing", "service_radius_km", "service_share", "transport_multiplier",
                    "fixed_cost_multiplier", "force_open", "two_echelon", "time_limit_s")

    dc_count = T.Int(0)
    sourcing = T.Unicode("single")
    service_radius_km = T.Float(0.0)
    service_share = T.Float(0.9)
    transport_multiplier = T.Float(1.0)
    fixed_cost_multiplier = T.Float(1.0)
    force_open = T.List(T.Unicode())
    two_echelon = T.Bool(False)
    time_limit_s = T.Float(3.0)

    auto_solve = T.Bool(True)
    check_ok = T.Bool(False)
    sweep = T.Any(None, allow_none=True)
    sweep_stale = T.Bool(True)
    site_ids = T.List(T.Unicode())

    def __init__(self, world: workbench.World | None = None, *, solve: bool = True, **choices):
        self._version = 0
        self._base: FacilityProblem | None = None
        self.problem: FacilityProblem | None = None
        super().__init__(world if world is not None else current_world(), auto_solve=False)
        w = self.world
        self.site_ids = list(w.sites.site_id)
        choices.setdefault("force_open", [str(s) for s in w.sites.loc[w.sites.existing, "site_id"]])
        for name, value in choices.items():
            if name not in self.input_traits:
                raise TypeError(f"unknown choice {name!r}; the choices are {', '.join(self.input_traits)}")
            setattr(self, name, value)
        self.auto_solve = True
        if solve:
            self.solve()

    # -- the problem ----------------------------------------------------------------------
    def spec(self) -> NetworkSpec:
        """The current choices as a :class:`NetworkSpec`."""
        radius = float(self.service_radius_km) if self.service_radius_km > 0 else None
        return NetworkSpec(dc_count=int(self.dc_count) or None, sourcing=self.sourcing,
                           force_open=tuple(self.force_open), service_radius_km=radius,
                           service_share=float(self.service_share) if radius else 0.0,
                           two_echelon=bool(self.two_echelon), transport_multiplier=float(self.transport_multiplier),
                           fixed_cost_multiplier=float(self.fixed_cost_multiplier),
                           time_limit_s=float(self.time_limit_s))

    def base_problem(self) -> FacilityProblem:
        """The World's sites, customers and plants with their distance matrices (built once)."""
        if self._base is None:
            self._base = FacilityProblem.from_world(self.world)
        return self._base

    def build_problem(self) -> FacilityProblem:
        return self.base_problem().with_spec(self.spec())

    # -- solving --------------------------------------------------------------------------
    @T.observe(*input_traits)
    def _on_change(self, change):
        self._version += 1
        self.sweep_stale = True
        if self.auto_solve and not self.is_quiet:
            self.solve()

    def refresh(self) -> None:
        """Solve under the current choices (the contract's one way to run the app again)."""
        self.solve()

    def solve(self) -> NetworkResult | None:
        """Solve under the current choices (warm-started from the shown design); problems become messages."""
        def work():
            problem = self.build_problem()
            previous = self.result if isinstance(self.result, NetworkResult) else None
            result = problem.solve(hint=previous)
            return problem, result

        out = self.run(work, label="Designing the network")
        if out is None:
            self.result = None
            self.check_ok = False
            return None
        self.problem, result = out
        self.check_ok = check_network(result, self.problem).ok
        self.result = result
        gap = "proven optimal" if result.proven_optimal else f"within {100 * result.gap:.2f}% of the best bound"
        self.status = f"{result.dc_count} DCs, {gap}, solved in {result.seconds:.1f} s"
        notes = list(result.notes)
        if not result.proven_optimal:
            notes.append(f"The time limit ({self.time_limit_s:g} s) ended the search {100 * result.gap:.2f}% from the "
                         "best bound: this design may cost up to that much more than the best possible one. "
                         "Raise the time limit to narrow it.")
        self.notes = notes
        return result

    def compute_tradeoff(self, ks: list[int] | None = None, *, background: bool = False) -> SweepResult | None:
        """Solve for each number of DCs under the current choices (the trade-off curve)."""
        problem = self.build_problem()
        if ks is None:
            ks = self.default_ks()
        per_k = dataclasses.replace(problem.spec, time_limit_s=min(float(self.time_limit_s), 5.0))
        problem = problem.with_spec(per_k)

        version = self._version

        def progress(done: int, total: int) -> None:
            self.progress = done / total if total else 1.0
            if not self.busy:
                self.status = f"Trade-off curve: {done} of {total} numbers of DCs solved"

        def finish(sw: SweepResult) -> None:
            self.sweep = sw
            self.sweep_stale = version != self._version
            out.append(sw)

        def failed(messages: list[str]) -> None:
            # the curve is a side job: its failure is added to the design's problems, never replaces them
            self.problems = list(self.problems) + [f"The trade-off curve could not be computed: {m}" for m in messages]

        out: list[SweepResult] = []
        self.run_in_background(sweep_dc_count, problem, ks, progress=progress, label="Trade-off curve",
                               done=finish, failed=failed, background=background)
        return out[0] if out and not background else None

    def default_ks(self) -> list[int]:
        """From the fewest DCs whose capacity can cover demand to a few past the current design."""
        w = self.world
        cap = np.sort(w.sites.capacity.to_numpy(float))[::-1]
        need = int(np.searchsorted(np.cumsum(cap), w.customers.annual_demand.sum() * (1 - 1e-12)) + 1)
        lo = max(1, need, len(self.force_open))
        current = self.result.dc_count if isinstance(self.result, NetworkResult) else lo
        hi = min(len(w.sites), max(current + 3, lo + 6))
        return list(range(lo, hi + 1))

    # -- site picking -----------------------------------------------------------------------
    def toggle_site(self, site_id: str) -> None:
        """Force a site open, or release it (clicking a site on the map)."""
        if site_id not in self.site_ids:
            return
        fo = list(self.force_open)
        self.force_open = [s for s in fo if s != site_id] if site_id in fo else fo + [site_id]

    def kpis(self) -> dict[str, float]:
        return self.result.kpis() if isinstance(self.result, NetworkResult) else {}


class NetworkDesignView(W.VBox):
    """Thin view of :class:`NetworkDesignModel`."""

    def __init__(self, model: NetworkDesignModel, *, background: bool = True):
        self.model = model
        self.background = background
        model.background = background
        n_sites = len(model.site_ids)
        full = W.Layout(width="100%")
        narrow = {"description_width": "110px"}
        self.free_count = W.Checkbox(value=model.dc_count == 0, description="cheapest number of DCs", indent=False)
        self.count = W.IntSlider(value=model.dc_count or max(1, model.result.dc_count if model.result else 1),
                                 min=1, max=n_sites, description="DCs", continuous_update=False, layout=full,
                                 disabled=model.dc_count == 0, style=narrow)
        self.count.add_class("wb-dc-count")
        self.sourcing = W.ToggleButtons(options=[("single", "single"), ("split", "multi")], value=model.sourcing,
                                        style={"button_width": "80px"},
                                        tooltips=["each customer served by one DC", "demand may be split across DCs"])
        self.radius = W.IntSlider(value=int(model.service_radius_km), min=0, max=2000, step=50,
                                  description="radius km (0 off)", continuous_update=False, layout=full, style=narrow)
        self.share = W.IntSlider(value=int(round(100 * model.service_share)), min=50, max=100, step=5,
                                 description="within radius %", continuous_update=False, layout=full, style=narrow)
        self.transport = W.FloatSlider(value=model.transport_multiplier, min=0.25, max=3.0, step=0.05,
                                       description="transport rate x", continuous_update=False, layout=full,
                                       style=narrow, readout_format=".2f")
        self.fixed = W.FloatSlider(value=model.fixed_cost_multiplier, min=0.25, max=3.0, step=0.05,
                                   description="fixed cost x", continuous_update=False, layout=full, style=narrow,
                                   readout_format=".2f")
        w = model.world
        labels = [(f"{n} ({s}){' - existing' if e else ''}", s) for s, n, e in zip(w.sites.site_id, w.sites.name,
                                                                                 w.sites.existing)]
        self.forced = W.SelectMultiple(options=labels, value=tuple(model.force_open), rows=8, layout=full)
        self.two_echelon = W.Checkbox(value=model.two_echelon, description="plants -> DCs -> customers (two echelons)",
                                      indent=False, disabled=len(w.plants) == 0)
        self.time_limit = W.IntSlider(value=int(model.time_limit_s), min=1, max=60, description="time limit (s)",
                                      continuous_update=False, layout=full, style=narrow)
        self.sweep_button = W.Button(description="Trade-off curve", icon="line-chart", layout=full)
        self.sweep_button.add_class("wb-sweep")
        self.cards = KPICards()
        self.map = MapView(height="480px")
        self.costs = FigureView()
        self.tradeoff = FigureView()
        self.table = TableView(height="300px", formats={"fixed": "USD", "handling": "USD", "inbound": "USD",
                                                        "outbound": "USD", "total": "USD"})
        self._syncing = False

        W.link((self.sourcing, "value"), (model, "sourcing"))
        W.link((self.transport, "value"), (model, "transport_multiplier"))
        W.link((self.fixed, "value"), (model, "fixed_cost_multiplier"))
        W.link((self.two_echelon, "value"), (model, "two_echelon"))
        W.link((self.time_limit, "value"), (model, "time_limit_s"))
        W.link((self.radius, "value"), (model, "service_radius_km"))
        self.share.observe(lambda ch: setattr(model, "service_share", ch["new"] / 100.0), names="value")
        self.free_count.observe(self._on_count, names="value")
        self.count.observe(self._on_count, names="value")
        self.forced.observe(self._on_forced, names="value")
        self.sweep_button.on_click(lambda _: model.compute_tradeoff(background=self.background))
        model.observe(self._render_result, names="result")
        model.observe(self._render_forced, names="force_open")
        model.observe(self._render_tradeoff, names=["sweep", "sweep_stale"])
        model.observe(self._render_busy, names=["busy", "running"])
        model.observe(self._render_count, names="dc_count")

        controls = [section("Number of DCs"), self.free_count, self.count,
                    section("Sourcing"), self.sourcing,
                    section("Service"), self.radius, self.share,
                    section("Costs"), self.transport, self.fixed, self.two_echelon,
                    section("Keep open (or click a site on the map)"), self.forced,
                    section("Solver"), self.time_limit, self.sweep_button]
        body = [self.cards, section("Network"), self.map, section("Cost breakdown"), self.costs,
                section("Trade-off"), self.tradeoff, section("DCs"), self.table]
        super().__init__([app_shell(model, controls=controls, body=body,
                                    subtitle="Choose how many DCs, where, and which customers each serves; see what "
                                             "it costs against the service it gives.", sidebar_width="330px")])
        cust = w.customers
        self.map.set_outline(cust, "region")
        self.map.fit(pd.concat([cust.lat, w.sites.lat]), pd.concat([cust.lon, w.sites.lon]))
        self._render_result()
        self._render_tradeoff()

    # -- events ---------------------------------------------------------------------------
    def _on_count(self, _=None):
        if self._syncing:
            return
        self.count.disabled = self.free_count.value
        self.model.dc_count = 0 if self.free_count.value else int(self.count.value)

    def _on_forced(self, change):
        if not self._syncing:
            self.model.force_open = list(change["new"])

    def _on_site_click(self, feature):
        sid = (feature or {}).get("properties", {}).get("site_id")
        if sid:
            self.model.toggle_site(sid)

    # -- rendering ------------------------------------------------------------------------
    def _render_count(self, *_):
        self._syncing = True
        try:
            free = self.model.dc_count == 0
            self.free_count.value = free
            self.count.disabled = free
            if not free:
                self.count.value = self.model.dc_count
        finally:
            self._syncing = False

    def _render_forced(self, *_):
        self._syncing = True
        try:
            self.forced.value = tuple(s for s in self.model.force_open if s in self.model.site_ids)
        finally:
            self._syncing = False

    def _render_busy(self, *_):
        self.sweep_button.disabled = self.model.busy or self.model.running

    def _render_result(self, *_):
        m = self.model
        r = m.result
        w = m.world
        if not isinstance(r, NetworkResult):
            self.cards.update([KPI("Customers", len(w.customers)), KPI("Candidate sites", len(w.sites))])
            self.costs.figure = None
            self.costs.outputs = ()
            self.table.update(pd.DataFrame())
            self._render_map(None)
            return
        radius = r.service_radius_km
        self.cards.update([
            KPI("Total cost", r.total_cost, "USD", f"${r.cost_per_unit:,.3f} per unit"),
            KPI("DCs open", r.dc_count, "", f"{int(r.sites.forced_open.sum())} kept open"),
            KPI("Mean distance", r.mean_distance_km, "km", "demand-weighted"),
            KPI("Within radius", r.share_within_radius if radius else None, "share",
                f"of demand within {radius:,.0f} km" if radius else "no radius set"),
            KPI("Max distance", r.max_distance_km, "km"),
            KPI("Utilisation", float(r.open_sites.volume.sum() / r.open_sites.capacity.sum()), "share",
                "volume / capacity of open DCs"),
            KPI("Optimality gap", 100 * r.gap, "%", "proven optimal" if r.proven_optimal else "time limit reached"),
            KPI("Solve time", r.seconds, "s", r.method),
        ])
        self.costs.show(cost_figure(r))
        self.table.update(site_table(r), formats={"fixed": "USD", "handling": "USD", "inbound": "USD",
                                                  "outbound": "USD", "total": "USD"})
        self._render_map(r)
        self._render_tradeoff()

    def _render_map(self, r: NetworkResult | None):
        m = self.map
        w = self.model.world
        sites = w.sites.copy()
        forced = set(self.model.force_open)
        if r is None:
            m.remove_layer("lines")
            m.set_layer("customers", points_layer(w.customers, color="#1f77b4", radius=4, props=("name",)),
                        label="Customers")
            sites["state_text"] = ["kept open" if s in forced else "candidate" for s in sites.site_id]
            m.set_layer("sites", points_layer(sites, color=CLOSED_COLOR, radius=6, props=("site_id", "name", "state_text")),
                        label="Sites", on_click=self._on_site_click)
            return
        colors = dc_colors(r)
        main = r.assignment()
        cust = w.customers.set_index("customer_id")
        f = r.flows
        site_pos = sites.set_index("site_id")
        segs = list(zip(cust.loc[f.customer_id, "lat"], cust.loc[f.customer_id, "lon"],
                        site_pos.loc[f.site_id, "lat"], site_pos.loc[f.site_id, "lon"]))
        m.set_layer("lines", lines_layer(segs, [colors[s] for s in f.site_id], weight=1.2, opacity=0.55,
                                         props=[{"name": f"{c} -> {s}: {u:,.0f} units, {d:,.0f} km"}
                                                for c, s, u, d in zip(f.customer, f.site_id, f.units, f.distance_km)]),
                    label="Customer-DC lines")
        cdf = w.customers.copy()
        cdf["dc"] = [main.get(c, "") for c in cdf.customer_id]
        r_c = 3 + 7 * np.sqrt(cdf.annual_demand / max(cdf.annual_demand.max(), 1.0))
        m.set_layer("customers", points_layer(cdf, color=[colors.get(d, "#777777") for d in cdf.dc], radius=r_c,
                                              props=("name", "annual_demand", "dc")), label="Customers")
        open_ids = set(r.open_site_ids)
        sites["state_text"] = [("open" if s in open_ids else "closed") + (", kept open" if s in forced else "")
                               for s in sites.site_id]
        sites = sites.sort_values("site_id", key=lambda s: s.isin(open_ids))  # open ones drawn on top
        m.set_layer("sites", points_layer(sites, color=[colors.get(s, CLOSED_COLOR) for s in sites.site_id],
                                          radius=[11 if s in open_ids else 6 for s in sites.site_id],
                                          props=("site_id", "name", "state_text"), fill_opacity=0.95),
                    label="Sites (click to keep open)", on_click=self._on_site_click)
        if r.spec.two_echelon and len(w.plants):
            m.set_layer("plants", points_layer(w.plants, color="#8c564b", radius=9, props=("name", "capacity")),
                        label="Plants")
        else:
            m.remove_layer("plants")

    def _render_tradeoff(self, *_):
        m = self.model
        current = m.result if isinstance(m.result, NetworkResult) else None
        self.tradeoff.show(tradeoff_figure(m.sweep, current))
        self.sweep_button.description = "Update trade-off curve" if m.sweep is not None and m.sweep_stale else \
            "Trade-off curve"


def network_design_app(world: workbench.World | None = None, *, tradeoff: bool = True, **choices) -> NetworkDesignView:
    """Build the Network design app (the notebook's one line); the trade-off curve starts in the background.

    ``choices`` set the model's starting choices (e.g. ``sourcing="multi"``, ``dc_count=8``).
    """
    model = NetworkDesignModel(world, **choices)
    view = NetworkDesignView(model)
    if tradeoff and isinstance(model.result, NetworkResult):
        model.compute_tradeoff(background=True)
    return view
