"""Network design app: how many DCs, where, serving whom, at what cost and service.

The model re-solves on every changed choice (the distance matrices are built once and the
previous design warm-starts the solver); the trade-off curve (cost and service against the
number of DCs) is computed on demand, in the background in the app.
"""

from __future__ import annotations

import dataclasses
import html
import threading
from collections import OrderedDict

import ipywidgets as W
import numpy as np
import pandas as pd
import traitlets as T

import workbench
from workbench.currency import currency_symbol
from workbench.network import (FacilityProblem, FrontierResult, NetworkResult, NetworkSpec, StressResult,
                               SweepResult, carbon_frontier, check_network, check_stress, stress_test,
                               sweep_dc_count)
from workbench.cache import ResultCache, default_cache
from workbench.network.model import CO2_INBOUND_KG_TKM, CO2_OUTBOUND_KG_TKM

from .components import KPI, FigureView, KPICards, section, TableView
from .formatting import format_value, money_unit
from .geojson import lines_layer, points_layer
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world, for_page
from .figures.network import cost_figure, dc_colors, frontier_figure, tradeoff_figure
from .figures.style import money_text

__all__ = ["NetworkDesignModel", "NetworkDesignView", "network_design_app", "cost_figure", "tradeoff_figure",
           "frontier_figure", "dc_colors", "site_table", "site_headers", "stress_table"]

CLOSED_COLOR = "#bcccdc"


def site_headers(currency: str = "USD") -> dict[str, str]:
    """The site table's column headers, money in ``currency`` (the World's ISO code)."""
    per_year = money_unit("/yr", currency)
    return {"site": "DC", "name": "Name", "customers": "Customers served", "volume": "Volume (units/yr)",
            "volume m3": "Volume (m3/yr)",
            "utilisation %": "Utilisation (%)", "mean km": "Mean distance (km)", "fixed": f"Fixed cost ({per_year})",
            "handling": f"Handling ({per_year})", "inbound": f"Inbound transport ({per_year})",
            "outbound": f"Outbound transport ({per_year})", "total": f"Total cost ({per_year})"}


SITE_HEADERS = site_headers()  # a US company's headers (the app uses site_headers(the World's currency))


def _dc_name(name: str) -> str:
    """'Chicago, IL DC' -> 'Chicago, IL' (the map's label for a DC)."""
    return name[:-3] if name.endswith(" DC") else name


def site_table(result: NetworkResult) -> pd.DataFrame:
    """The open DCs: volume, utilisation, customers, distance and cost (for the table view)."""
    s = result.open_sites
    out = pd.DataFrame({
        "site": s.site_id, "name": s.name, "customers": s.customers.astype(int), "volume": s.volume,
        "utilisation %": 100 * s.utilisation, "mean km": s.mean_distance_km, "fixed": s.fixed_cost,
        "handling": s.handling_cost, "inbound": s.inbound_cost, "outbound": s.outbound_cost, "total": s.total_cost,
    })
    if "volume_m3" in s:   # capacity in m3: the utilisation is of the m3
        out.insert(out.columns.get_loc("volume") + 1, "volume m3", s.volume_m3.to_numpy())
    if result.inventory_value > 0:
        out.insert(len(out.columns) - 1, "inventory value", s.inventory_value.to_numpy())
        out.insert(len(out.columns) - 1, "inventory", s.inventory_cost.to_numpy())
    if "co2_kg" in s:
        out.insert(len(out.columns) - 1, "CO2e t", s.co2_kg.to_numpy() / 1000)
    if "peak_shortfall" in s and (s.peak_shortfall > 0).any():
        out["peak week"] = [str(pd.Timestamp(w).date()) if f > 0 else "" for w, f in zip(s.peak_week, s.peak_shortfall)]
        out["peak short/wk"] = s.peak_shortfall.to_numpy()
    return out.sort_values("total", ascending=False).reset_index(drop=True)


def stress_table(stress: StressResult) -> pd.DataFrame:
    """One row per lost site, worst first (for the table view)."""
    t = stress.table
    return pd.DataFrame({
        "lost site": t.lost_site, "kind": t.kind, "customers hit": t.customers_affected,
        "units moved": t.units_moved, "unserved": t.unserved_units, "unserved %": 100 * t.unserved_share,
        "extra cost": t.extra_cost, "mean km": t.mean_distance_km, "km change": t.mean_distance_change_km,
    })


class NetworkDesignModel(AppModel):
    """The user's network choices and the latest design.

    ``dc_count`` 0 means free (the cheapest number); ``service_radius_km`` 0 means no service
    rule; ``service_share`` 1.0 means every customer within the radius. Every change re-solves
    (``auto_solve``); ``compute_tradeoff()`` sweeps the number of DCs under the same choices.
    """

    app_name = "network_design"
    title = "Network design"
    input_traits = ("dc_count", "sourcing", "service_radius_km", "service_share", "transport_multiplier",
                    "fixed_cost_multiplier", "force_open", "two_echelon", "time_limit_s",
                    "inventory", "holding_rate", "service_level", "lead_time_weeks", "rate_basis",
                    "co2_outbound_kg_tkm", "co2_inbound_kg_tkm", "carbon_price", "co2_cap_t", "peak_constraint",
                    "demand_source", "capacity_basis")

    dc_count = T.Int(0)
    sourcing = T.Unicode("single")
    service_radius_km = T.Float(0.0)
    service_share = T.Float(0.9)
    transport_multiplier = T.Float(1.0)
    fixed_cost_multiplier = T.Float(1.0)
    force_open = T.List(T.Unicode())
    two_echelon = T.Bool(False)
    time_limit_s = T.Float(3.0)
    # advanced assumptions (all off by default: the classic fixed + handling + transport model)
    inventory = T.Bool(False)
    holding_rate = T.Float(0.25)
    service_level = T.Float(0.95)
    lead_time_weeks = T.Float(1.0)
    rate_basis = T.Unicode("unit")
    co2_outbound_kg_tkm = T.Float(CO2_OUTBOUND_KG_TKM)
    co2_inbound_kg_tkm = T.Float(CO2_INBOUND_KG_TKM)
    carbon_price = T.Float(0.0)
    co2_cap_t = T.Float(0.0)          # 0 = no cap
    peak_constraint = T.Bool(False)
    demand_source = T.Unicode("annual")
    capacity_basis = T.Unicode("units")   # the sites' capacity column: units/yr, or m3/yr of the products' volumes

    stress = T.Any(None, allow_none=True)
    stress_ok = T.Bool(False)
    lost_site = T.Unicode("")
    frontier = T.Any(None, allow_none=True)

    auto_solve = T.Bool(True)
    check_ok = T.Bool(False)
    sweep = T.Any(None, allow_none=True)
    sweep_stale = T.Bool(True)
    site_ids = T.List(T.Unicode())

    def __init__(self, world: workbench.World | None = None, *, solve: bool = True, **choices):
        self._version = 0
        self._bases: dict[str, FacilityProblem] = {}
        # designs already solved, by (World version, demand source, spec): a choice set back, or a
        # number of DCs the trade-off curve has solved to proven optimality, is shown without a re-solve
        self._designs: OrderedDict[tuple, NetworkResult] = OrderedDict()
        self._swept: dict[tuple, NetworkResult] = {}
        self._designs_lock = threading.Lock()   # the trade-off curve adds designs from its thread
        # designs and trade-off curves solved by any kernel before (the next page, the next viewer)
        self.cache: ResultCache | None = default_cache()
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
        # the default transport rates are USD figures: in the World's currency at the ECB rates
        return NetworkSpec.for_currency(self.world.currency, dc_count=int(self.dc_count) or None, sourcing=self.sourcing,
                           force_open=tuple(self.force_open), service_radius_km=radius,
                           service_share=float(self.service_share) if radius else 0.0,
                           two_echelon=bool(self.two_echelon), transport_multiplier=float(self.transport_multiplier),
                           fixed_cost_multiplier=float(self.fixed_cost_multiplier),
                           time_limit_s=float(self.time_limit_s), inventory=bool(self.inventory),
                           holding_rate=float(self.holding_rate), service_level=float(self.service_level),
                           lead_time_weeks=float(self.lead_time_weeks), rate_basis=self.rate_basis,
                           co2_outbound_kg_tkm=float(self.co2_outbound_kg_tkm),
                           co2_inbound_kg_tkm=float(self.co2_inbound_kg_tkm), carbon_price=float(self.carbon_price),
                           co2_cap_kg=float(self.co2_cap_t) * 1000.0 if self.co2_cap_t > 0 else None,
                           peak_constraint=bool(self.peak_constraint), capacity_basis=self.capacity_basis)

    def base_problem(self) -> FacilityProblem:
        """The World's sites, customers, plants and demand profile with their distance matrices
        (built once per demand source: the annual demand or next year's from the forecast)."""
        if self.demand_source not in self._bases:
            self._bases[self.demand_source] = FacilityProblem.from_world(self.world, demand=self.demand_source)
        return self._bases[self.demand_source]

    def build_problem(self) -> FacilityProblem:
        return self.base_problem().with_spec(self.spec())

    # -- solving --------------------------------------------------------------------------
    @T.observe(*input_traits)
    def _on_change(self, change):
        self._version += 1
        self.sweep_stale = True
        self.stress = None
        self.frontier = None
        self.lost_site = ""
        if self.auto_solve and not self.is_quiet:
            self.solve()

    def refresh(self) -> None:
        """Solve under the current choices (the contract's one way to run the app again)."""
        self.solve()

    #: designs kept for choices set back (each a few hundred rows of flows)
    KEEP_DESIGNS = 64

    def _design_key(self, spec: NetworkSpec, demand_source: str | None = None, *, proven: bool = False) -> tuple:
        """Where a design is kept: the World, the demand source and the spec (for a proven optimum
        without the time limit, which does not change a proven optimum)."""
        w = self.world
        if proven:
            spec = dataclasses.replace(spec, time_limit_s=1.0)
        return (id(w), w.version, demand_source or self.demand_source, proven, spec)

    def _disk_key(self, key: tuple) -> str:
        """The result cache's key of a design key (the World by its content, not by this process's object)."""
        return self.cache.key("network_design", *key[1:])

    def _remember(self, result: NetworkResult, demand_source: str | None = None, *, keep: bool = True) -> None:
        """Keep ``result`` for these choices (and, when ``keep``, in the result cache for other kernels)."""
        keys = [self._design_key(result.spec, demand_source)]
        if result.proven_optimal:
            keys.append(self._design_key(result.spec, demand_source, proven=True))
        with self._designs_lock:
            for key in keys:
                self._designs[key] = result
                self._designs.move_to_end(key)
            while len(self._designs) > self.KEEP_DESIGNS:
                self._designs.popitem(last=False)
        if keep and self.cache is not None:
            for key in keys:
                self.cache.put(self._disk_key(key), result)

    def known_design(self, spec: NetworkSpec | None = None) -> NetworkResult | None:
        """The design already solved under exactly these choices (and this World), or proven optimal
        under them with another time limit, here or by another kernel (the result cache); None if
        there is none."""
        spec = spec if spec is not None else self.spec()
        keys = (self._design_key(spec), self._design_key(spec, proven=True))
        with self._designs_lock:
            for key in keys:
                if key in self._designs:
                    return self._designs[key]
        if self.cache is not None:
            for key in keys:
                found = self.cache.get(self._disk_key(key))
                if isinstance(found, NetworkResult):
                    self._remember(found, key[2], keep=False)
                    return found
        return None

    def solve(self) -> NetworkResult | None:
        """Solve under the current choices (warm-started from the shown design); problems become messages.

        Choices solved before (or a number of DCs the trade-off curve proved optimal under the
        same choices) show that design again without a re-solve: the inputs are identical.
        """
        def work():
            problem = self.build_problem()
            known = self.known_design(problem.spec)
            if known is not None:
                return problem, known, True
            previous = self.result if isinstance(self.result, NetworkResult) else None
            swept = self._swept.get(self._design_key(problem.spec))   # the curve's design, not proven: a start
            result = problem.solve(hint=previous, open_sets=[swept.open_site_ids] if swept is not None else ())
            return problem, result, False

        out = self.run(work, label="Designing the network")
        if out is None:
            self.result = None
            self.check_ok = False
            return None
        self.problem, result, reused = out
        self._remember(result, keep=not reused)
        self.check_ok = check_network(result, self.problem).ok
        self.result = result
        gap = ("best possible plan (proven)" if result.proven_optimal
               else f"within {100 * result.gap:.2f}% of the best possible plan")
        self.status = (f"{result.dc_count} DCs, {gap}, solved in {result.seconds:.1f} s"
                       + (" (the same choices as a design solved before: shown again)" if reused else ""))
        notes = list(result.notes)
        if result.peak is not None and len(result.peak) and not result.spec.peak_constraint:
            worst = result.peak.sort_values("shortfall", ascending=False).drop_duplicates("site_id")
            parts = [f"{r.site_id} in the week of {pd.Timestamp(r.week).date()} (short by {r.shortfall:,.0f} units)"
                     for r in worst.head(3).itertuples()]
            notes.append(f"{len(worst)} DC(s) cannot ship their peak week within their weekly capacity: "
                         + "; ".join(parts) + ". Tick 'hold the peak week' under Advanced assumptions to require it.")
        if not result.proven_optimal and result.gap == result.gap and not result.spec.inventory:
            # (with inventory priced the gap is against a lower bound, explained in the result's notes)
            notes.append(f"The time limit ({self.time_limit_s:g} s) stopped the search: this design may cost up to "
                         f"{100 * result.gap:.2f}% more than the best possible one. Raise the solver time limit "
                         "to narrow it.")
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
        demand_source = self.demand_source

        def progress(done: int, total: int) -> None:
            self.progress = done / total if total else 1.0
            if not self.busy:
                self.status = f"Trade-off curve: {done} of {total} numbers of DCs solved"

        def finish(sw: SweepResult) -> None:
            # each count's design under the same choices: a proven one is shown as is when that
            # count is chosen, another one is a start for the solver
            for res in sw.results.values():
                if isinstance(res, NetworkResult):
                    if res.proven_optimal:
                        self._remember(res, demand_source)
                    else:
                        if len(self._swept) >= self.KEEP_DESIGNS:
                            self._swept.clear()
                        # a start for the same choices (the curve's time limit may be shorter)
                        spec = dataclasses.replace(res.spec, time_limit_s=float(self.time_limit_s))
                        self._swept[self._design_key(spec, demand_source)] = res
            self.sweep = sw
            self.sweep_stale = version != self._version
            out.append(sw)

        def failed(messages: list[str]) -> None:
            # the curve is a side job: its failure is added to the design's problems, never replaces them
            self.problems = list(self.problems) + [f"The trade-off curve could not be computed: {m}" for m in messages]

        out: list[SweepResult] = []
        # the same curve computed by another kernel (the previous page, another viewer): shown as is
        disk_key = (self.cache.key("network_sweep", self.world.version, demand_source, problem.spec, tuple(ks))
                    if self.cache is not None else None)
        known = self.cache.get(disk_key) if disk_key is not None else None
        if isinstance(known, SweepResult):
            finish(known)
            return known

        def finish_and_keep(sw: SweepResult) -> None:
            finish(sw)
            if disk_key is not None:
                self.cache.put(disk_key, sw)

        self.run_in_background(sweep_dc_count, problem, ks, progress=progress, label="Trade-off curve",
                               done=finish_and_keep, failed=failed, background=background)
        return out[0] if out and not background else None

    def compute_stress(self, *, background: bool = False) -> StressResult | None:
        """Close each open DC (and plant, with two echelons) of the shown design in turn (the stress test)."""
        if not isinstance(self.result, NetworkResult) or self.problem is None:
            self.problems = list(self.problems) + ["Design a network first: the stress test closes its DCs one by one."]
            return None
        result, problem = self.result, self.problem
        out: list[StressResult] = []

        def progress(done: int, total: int) -> None:
            self.progress = done / total if total else 1.0
            self.status = f"Stress test: {done} of {total} sites lost and re-planned"

        def finish(st: StressResult) -> None:
            self.stress_ok = check_stress(st, problem).empty
            self.stress = st
            self.lost_site = str(st.worst["lost_site"]) if st.worst is not None else ""
            out.append(st)

        def failed(messages: list[str]) -> None:
            self.problems = list(self.problems) + [f"The stress test could not be run: {m}" for m in messages]

        self.run_in_background(stress_test, result, problem, progress=progress, label="Stress test",
                               done=finish, failed=failed, background=background)
        return out[0] if out and not background else None

    def compute_frontier(self, prices=(0, 50, 100, 200, 400, 800), *, background: bool = False) -> FrontierResult | None:
        """Solve at each carbon price under the current choices (the cost-versus-CO2 frontier)."""
        problem = self.build_problem()
        problem = problem.with_spec(time_limit_s=min(float(self.time_limit_s), 5.0))
        out: list[FrontierResult] = []

        def progress(done: int, total: int) -> None:
            self.progress = done / total if total else 1.0
            self.status = f"Cost-CO2 frontier: {done} of {total} carbon prices solved"

        def finish(fr: FrontierResult) -> None:
            self.frontier = fr
            out.append(fr)

        def failed(messages: list[str]) -> None:
            self.problems = list(self.problems) + [f"The cost-CO2 frontier could not be computed: {m}" for m in messages]

        hint = self.result if isinstance(self.result, NetworkResult) else None
        self.run_in_background(carbon_frontier, problem, prices, progress=progress, hint=hint,
                               label="Cost-CO2 frontier", done=finish, failed=failed, background=background)
        return out[0] if out and not background else None

    def default_ks(self) -> list[int]:
        """From the fewest DCs whose capacity can cover demand to a few past the current design."""
        w = self.world
        cap = np.sort(w.sites.capacity.to_numpy(float))[::-1]
        demand = float(w.customers.annual_demand.sum())
        if self.capacity_basis == "m3":   # capacities in m3/yr: compare with the demand's m3
            try:
                demand = float(self.build_problem().capacity_use().sum())
            except workbench.WorkbenchError:
                pass
        need = int(np.searchsorted(np.cumsum(cap), demand * (1 - 1e-12)) + 1)
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
        if not isinstance(self.result, NetworkResult):
            return {}
        out = self.result.kpis()
        if isinstance(self.stress, StressResult) and self.stress.worst is not None:
            out["worst_loss_extra_cost"] = float(self.stress.worst["extra_cost"])
            out["worst_loss_unserved_units"] = float(self.stress.worst["unserved_units"])
        return out


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
        self.sourcing = W.ToggleButtons(options=[("one DC each", "single"), ("may split", "multi")],
                                        value=model.sourcing, style={"button_width": "100px"},
                                        tooltips=["single sourcing: each customer is served by one DC",
                                                  "split sourcing: a customer's demand may come from several DCs"])
        self.sourcing_help = W.HTML("<div class='wb-busy'>One DC each: every customer gets all its goods from one "
                                    "DC (simpler to run). May split: a customer may be served by several DCs when "
                                    "that is cheaper or a DC is full.</div>")
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
        # advanced assumptions (collapsed): inventory, weight-based rates, carbon, peak weeks, demand
        self.inventory = W.Checkbox(value=model.inventory, description="price inventory (cycle + safety stock)",
                                    indent=False)
        self.holding = W.FloatSlider(value=model.holding_rate, min=0.05, max=0.5, step=0.01, readout_format=".0%",
                                     description="holding rate / yr", continuous_update=False, layout=full, style=narrow)
        self.service_level = W.FloatSlider(value=model.service_level, min=0.8, max=0.995, step=0.005,
                                           readout_format=".1%", description="service level", continuous_update=False,
                                           layout=full, style=narrow)
        self.lead_time = W.FloatSlider(value=model.lead_time_weeks, min=0.5, max=8, step=0.5, description="lead time wk",
                                       continuous_update=False, layout=full, style=narrow)
        self.rate_basis = W.ToggleButtons(options=[("per unit-km", "unit"), ("per tonne-km", "tonne")],
                                          value=model.rate_basis, style={"button_width": "100px"},
                                          tooltips=["transport rated per unit and km", "rated per tonne and km "
                                                    "(product weights)"])
        self.co2_out = W.BoundedFloatText(value=model.co2_outbound_kg_tkm, min=0, max=5, step=0.01,
                                          description="CO2e out kg/t-km", layout=full, style=narrow)
        self.co2_in = W.BoundedFloatText(value=model.co2_inbound_kg_tkm, min=0, max=5, step=0.01,
                                         description="CO2e in kg/t-km", layout=full, style=narrow)
        self.carbon_price = W.IntSlider(value=int(model.carbon_price), min=0, max=1000, step=25,
                                        description=f"carbon {currency_symbol(model.currency)}/t CO2e", continuous_update=False, layout=full, style=narrow)
        self.co2_cap = W.BoundedFloatText(value=model.co2_cap_t, min=0, max=1e9, step=1000,
                                          description="CO2e cap t/yr (0 off)", layout=full, style=narrow)
        self.peak = W.Checkbox(value=model.peak_constraint, description="hold the peak week (weekly capacity)",
                               indent=False)
        self.demand_source = W.ToggleButtons(options=[("annual demand", "annual"), ("next year (forecast)", "forecast")],
                                             value=model.demand_source, style={"button_width": "140px"})
        self.capacity_basis = W.ToggleButtons(options=[("units / yr", "units"), ("m3 / yr", "m3")],
                                              value=model.capacity_basis, style={"button_width": "100px"},
                                              tooltips=["the sites' capacity is a number of units per year",
                                                        "the sites' capacity is cubic metres per year: each unit "
                                                        "takes its product's volume (products.volume_m3)"])
        self.capacity_basis.add_class("wb-capacity-basis")
        self.capacity_help = W.HTML("<div class='wb-busy'>The sites' capacity column is read in this unit: "
                                    "units per year, or m3 per year, each unit taking its product mix's volume "
                                    "(products.volume_m3).</div>")
        self.advanced = W.Accordion(children=[W.VBox([
            section("Inventory"), self.inventory, self.holding, self.service_level, self.lead_time,
            section("Transport rates"), self.rate_basis,
            section("Carbon"), self.co2_out, self.co2_in, self.carbon_price, self.co2_cap,
            section("Peak weeks"), self.peak,
            section("Demand"), self.demand_source,
            section("DC capacity measured in"), self.capacity_basis, self.capacity_help])], selected_index=None)
        self.advanced.set_title(0, "Advanced assumptions")
        self.frontier_button = W.Button(description="Cost-CO2 frontier", icon="leaf", layout=full)
        self.stress_button = W.Button(description="Stress test: lose each DC", icon="bolt", layout=full)
        self.stress_button.add_class("wb-stress")
        self.frontier_chart = FigureView()
        self.lost = W.Dropdown(options=[("(none)", "")], value="", description="show lost site", style=narrow,
                               layout=full)
        self.stress_view = TableView(height="260px", formats={"extra cost": "USD"})
        self.cards = KPICards(app="network_design")
        self.map = MapView(height="480px")
        self.costs = FigureView()
        self.tradeoff = FigureView()
        self.table = TableView(height="300px", formats={"fixed": "USD", "handling": "USD", "inbound": "USD",
                                                        "outbound": "USD", "total": "USD"})
        self._syncing = False
        self._kpis: list[KPI] = []

        W.link((self.sourcing, "value"), (model, "sourcing"))
        W.link((self.transport, "value"), (model, "transport_multiplier"))
        W.link((self.fixed, "value"), (model, "fixed_cost_multiplier"))
        W.link((self.two_echelon, "value"), (model, "two_echelon"))
        W.link((self.time_limit, "value"), (model, "time_limit_s"))
        W.link((self.radius, "value"), (model, "service_radius_km"))
        for widget, trait in ((self.inventory, "inventory"), (self.holding, "holding_rate"),
                              (self.service_level, "service_level"), (self.lead_time, "lead_time_weeks"),
                              (self.rate_basis, "rate_basis"), (self.co2_out, "co2_outbound_kg_tkm"),
                              (self.co2_in, "co2_inbound_kg_tkm"), (self.carbon_price, "carbon_price"),
                              (self.co2_cap, "co2_cap_t"), (self.peak, "peak_constraint"),
                              (self.demand_source, "demand_source"), (self.capacity_basis, "capacity_basis")):
            W.link((widget, "value"), (model, trait))
        self.frontier_button.on_click(lambda _: model.compute_frontier(background=self.background))
        self.stress_button.on_click(lambda _: model.compute_stress(background=self.background))
        self.lost.observe(lambda ch: setattr(model, "lost_site", ch["new"] or ""), names="value")
        model.observe(self._render_frontier, names="frontier")
        model.observe(self._render_stress, names=["stress", "lost_site"])
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
                    section("Sourcing"), self.sourcing, self.sourcing_help,
                    section("Service"), self.radius, self.share,
                    section("Costs"), self.transport, self.fixed, self.two_echelon,
                    section("Keep open (or click a site on the map)"), self.forced,
                    self.advanced,
                    section("Solver"), self.time_limit, self.sweep_button, self.frontier_button, self.stress_button]
        self.solver_details = W.HTML()
        self.solver_details.add_class("wb-solver-details")
        body = [self.cards, self.solver_details, section("Network"), self.map, section("Cost breakdown"), self.costs,
                section("Trade-off"), self.tradeoff, section("Cost and CO2"), self.frontier_chart,
                section("A site lost (stress test)"), self.lost, self.stress_view, section("DCs"), self.table]
        super().__init__([app_shell(model, controls=controls, body=body,
                                    subtitle="Choose how many DCs, where, and which customers each serves; see what "
                                             "it costs against the service it gives.", sidebar_width="330px")])
        cust = w.customers
        self.map.set_outline(cust, "region")
        self.map.fit(pd.concat([cust.lat, w.sites.lat]), pd.concat([cust.lon, w.sites.lon]))
        self._render_result()
        self._render_tradeoff()
        self._render_frontier()
        self._render_stress()

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
        busy = self.model.busy or self.model.running
        self.sweep_button.disabled = busy
        self.frontier_button.disabled = busy
        self.stress_button.disabled = busy or not isinstance(self.model.result, NetworkResult)

    def _render_result(self, *_):
        m = self.model
        r = m.result
        w = m.world
        if not isinstance(r, NetworkResult):
            self.cards.update([KPI("Customers", len(w.customers), kpi="customers"),
                               KPI("Candidate sites", len(w.sites), kpi="candidate_sites")])
            self.costs.clear()
            self.table.update(pd.DataFrame())
            self._render_map(None)
            return
        radius = r.service_radius_km
        if r.spec.inventory:
            quality = ("inventory priced: the design is re-costed exactly, " +
                       (f"at most {100 * r.gap:.2f}% above the best possible plan (lower bound)" if r.gap == r.gap
                        else "no optimality bound is claimed"))
        else:
            quality = ("best possible plan (proven)" if r.proven_optimal else
                       f"within {100 * r.gap:.2f}% of the best possible plan (the time limit stopped the search)")
        self.solver_details.value = (
            "<details class='wb-details'><summary>Solver details: " + html.escape(quality) + "</summary>"
            f"Solver method: {html.escape(str(r.method))} · optimality gap "
            + (f"{100 * r.gap:.2f}%" if r.gap == r.gap else "not claimed") + " (how much cheaper a "
            f"plan could at most be) · solved in {r.seconds:.1f} s of a {self.model.time_limit_s:g} s limit"
            + (f"<p class='wb-bound'>{html.escape(r.bound_method)}</p>" if r.bound_method else "") + "</details>")
        self._kpis = [
            KPI("Total cost", r.total_cost, "USD", f"{format_value(r.cost_per_unit, 'USD/unit')} per unit, per year", kpi="total_cost"),
            KPI("DCs open", r.dc_count, "", f"{int(r.sites.forced_open.sum())} kept open", kpi="dc_count"),
            KPI("Mean distance", r.mean_distance_km, "km", "demand-weighted", kpi="mean_distance_km"),
            KPI("Within radius", r.share_within_radius if radius else None, "share",
                f"of demand within {radius:,.0f} km" if radius else "no radius set", kpi="share_within_radius"),
            KPI("Max distance", r.max_distance_km, "km", kpi="max_distance_km"),
            KPI("Utilisation", float(r.open_sites["volume_m3" if "volume_m3" in r.open_sites else "volume"].sum()
                                     / r.open_sites.capacity.sum()), "share",
                "m3 / capacity (m3) of open DCs" if "volume_m3" in r.open_sites else "volume / capacity of open DCs",
                kpi="utilisation"),
            KPI("Inventory value", r.inventory_value, "USD",
                f"holding {money_text(r.inventory_cost / 1e6, m.currency, suffix='M')}/yr" if r.spec.inventory else "not in the cost (off)",
                kpi="inventory_value"),
            KPI("CO2e", r.co2_kg / 1000.0 if r.co2_kg == r.co2_kg else None, "t/yr",
                f"carbon charge {money_text(r.carbon_cost / 1e6, m.currency, suffix='M')}" if r.carbon_cost > 0 else "transport, well-to-wheel",
                kpi="co2_t"),
            self._worst_kpi(),
        ]
        self.cards.update(self._kpis)
        self.costs.show(cost_figure(r, currency=m.currency))
        self.table.update(site_table(r), formats={"fixed": "USD", "handling": "USD", "inbound": "USD",
                                                  "outbound": "USD", "total": "USD"},
                          headers=site_headers(m.currency))
        self._render_map(r)
        self._render_tradeoff()
        if m.frontier is not None:   # the empty frontier chart needs no redraw per design
            self._render_frontier()
        self._render_busy()

    def _worst_kpi(self) -> KPI:
        st = self.model.stress
        if not isinstance(st, StressResult) or st.worst is None:
            return KPI("Worst DC lost", None, "USD", "run the stress test", kpi="worst_dc_lost")
        w = st.worst
        return KPI("Worst DC lost", float(w["extra_cost"]), "USD",
                   f"{w['lost_site']}: {100 * w['unserved_share']:.1f}% of demand unserved", kpi="worst_dc_lost")

    def _render_frontier(self, *_):
        m = self.model
        current = m.result if isinstance(m.result, NetworkResult) else None
        self.frontier_chart.show(frontier_figure(m.frontier, current, currency=m.currency))

    def _render_stress(self, *_):
        m = self.model
        st = m.stress
        if not isinstance(st, StressResult):
            self.stress_view.update(pd.DataFrame())
            self.lost.options = [("(none)", "")]
            self.map.remove_layer("lost")
            self.map.remove_layer("moved")
        else:
            self.stress_view.update(stress_table(st), formats={"extra cost": "USD"})
            opts = [("(none)", "")] + [(f"{s} ({k})", s) for s, k in zip(st.table.lost_site, st.table.kind)]
            if list(self.lost.options) != opts:
                self.lost.options = opts
            if self.lost.value != m.lost_site:
                self.lost.value = m.lost_site if m.lost_site in [o[1] for o in opts] else ""
            self._render_lost(st, m.lost_site)
        if isinstance(m.result, NetworkResult) and self._kpis:
            self._kpis[-1] = self._worst_kpi()
            self.cards.update(self._kpis)

    def _render_lost(self, st: StressResult, lost: str):
        """The lost site ringed in red and the flows that moved (dashed) on the map."""
        w = self.model.world
        if not lost or lost not in st.designs:
            self.map.remove_layer("lost")
            self.map.remove_layer("moved")
            return
        pts = pd.concat([w.sites[["site_id", "name", "lat", "lon"]].rename(columns={"site_id": "id"}),
                         w.plants[["plant_id", "name", "lat", "lon"]].rename(columns={"plant_id": "id"})])
        row = pts[pts["id"] == lost]
        self.map.set_layer("lost", points_layer(row, color="#d62728", radius=16, props=("id", "name"),
                                                fill_opacity=0.25), label=f"Lost: {lost}")
        base = st.base.flows.set_index(["customer_id", "site_id"])["units"]
        new = st.designs[lost].flows.set_index(["customer_id", "site_id"])["units"]
        moved = (new.sub(base.reindex(new.index).fillna(0.0))).loc[lambda s: s > 1e-6]
        cust = w.customers.set_index("customer_id")
        site_pos = w.sites.set_index("site_id")
        segs = [(cust.loc[c, "lat"], cust.loc[c, "lon"], site_pos.loc[s, "lat"], site_pos.loc[s, "lon"])
                for c, s in moved.index]
        if segs:
            self.map.set_layer("moved", lines_layer(segs, ["#d62728"] * len(segs), weight=2.0, opacity=0.8,
                                                    props=[{"name": f"{c} -> {s}: {u:,.0f} units moved"}
                                                           for (c, s), u in moved.items()]),
                               label="Moved when lost")
        else:
            self.map.remove_layer("moved")

    def _render_map(self, r: NetworkResult | None):
        m = self.map
        w = self.model.world
        sites = w.sites.copy()
        forced = set(self.model.force_open)
        if r is None:
            m.remove_layer("lines")
            m.set_labels("dc_names", [])
            m.set_legend(None)
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
        opened = sites[sites.site_id.isin(open_ids)]
        m.set_labels("dc_names", [(la, lo, _dc_name(n)) for la, lo, n in zip(opened.lat, opened.lon, opened.name)])
        m.set_legend([(_dc_name(n), colors[sid]) for sid, n in zip(opened.site_id, opened.name)]
                     + [("candidate site not used", CLOSED_COLOR)]
                     + ([("plant", "#8c564b")] if r.spec.two_echelon and len(w.plants) else []),
                     title="Open DCs, each with its customers in its colour (dot size: demand):")

    def _render_tradeoff(self, *_):
        m = self.model
        current = m.result if isinstance(m.result, NetworkResult) else None
        self.tradeoff.show(tradeoff_figure(m.sweep, current, currency=m.currency))
        self.sweep_button.description = "Update trade-off curve" if m.sweep is not None and m.sweep_stale else \
            "Trade-off curve"


def network_design_app(world: workbench.World | None = None, *, tradeoff: bool = True, **choices) -> NetworkDesignView:
    """Build the Network design app (the notebook's one line); the trade-off curve starts in the background.

    ``choices`` set the model's starting choices (e.g. ``sourcing="multi"``, ``dc_count=8``).
    """
    def build() -> NetworkDesignView:
        model = NetworkDesignModel(world, **choices)
        view = NetworkDesignView(model)
        if tradeoff and isinstance(model.result, NetworkResult):
            model.compute_tradeoff(background=True)
        return view

    return for_page(build)
