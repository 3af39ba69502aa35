"""The comparison app: a baseline and up to N saved scenarios of one app side by side, with
KPI changes, charts, maps and exports (Excel, HTML report).

    compare_app()                     # notebooks/scenario_compare.ipynb
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd
import traitlets as T

import workbench
from workbench.scenarios import Comparison, Scenario, ScenarioError, ScenarioStore, compare, export_excel
from workbench.scenarios.apps import app_title, studio_apps

from .components import FigureView, download_link, section
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .report import (_kpi_table_html, delta_figure, kpi_figures, layers_geojson, map_layers, report_html,
                     solver_details_html)
from .samples import open_studio_store
from .scenario_bar import _headline_kpis, scenario_label
from .world_store import current_world, for_page, open_world

__all__ = ["CompareModel", "CompareView", "compare_app"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MAPS = 4


class CompareModel(AppModel):
    """Pick an app, a baseline and N scenarios; ``result`` is the :class:`Comparison`."""

    app_name = "scenario_compare"
    title = "Compare scenarios"
    input_traits = ("app", "baseline_id", "scenario_ids")

    app = T.Unicode("")
    apps = T.List(T.Unicode())
    options = T.List()                 # [(label, id)] of the chosen app, newest first
    baseline_id = T.Int(0)             # 0: none chosen
    scenario_ids = T.List(T.Int())

    def __init__(self, store: ScenarioStore | None = None, world: workbench.World | None = None, *,
                 seed: bool = True, **kwargs):
        super().__init__(world if world is not None else current_world(), **kwargs)
        self._cache: dict[int, Scenario] = {}
        self.listing = pd.DataFrame()
        self.store = open_studio_store(self, store, seed=seed)
        if self.store is None:
            return
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store (new scenarios saved by other apps appear)."""
        self._cache.clear()
        if self.store is None:
            return
        try:
            apps = self.store.apps()
        except ScenarioError as exc:
            self.problems = [str(exc)]
            return
        self.apps = [a for a in apps if a not in studio_apps()]
        if self.app not in self.apps:
            self.app = self.apps[0] if self.apps else ""
        else:
            self._load_options()
        if not self.apps:
            self.notes = ["No scenarios are saved yet: open a planning app, run it and use 'Save as scenario'."]

    @T.observe("app")
    def _on_app(self, change):
        self._load_options(reset=True)

    def _load_options(self, reset: bool = False) -> None:
        if not self.app or self.store is None:
            self.options, self.listing = [], pd.DataFrame()
            return
        self.listing = self.store.list(self.app)
        kp = _headline_kpis(self.listing, 1, self.app)
        self.options = [(scenario_label(r, self.app, kp), int(r["id"])) for _, r in self.listing.iterrows()]
        ids = [i for _, i in self.options]
        if reset or self.baseline_id not in ids:
            oldest_first = ids[::-1]
            with self.hold_trait_notifications():
                self.baseline_id = oldest_first[0] if ids else 0
                self.scenario_ids = oldest_first[1:4]
        else:
            self.scenario_ids = [i for i in self.scenario_ids if i in ids]
        self.compute()

    @T.observe("baseline_id", "scenario_ids")
    def _on_pick(self, change):
        self.compute()

    def scenario(self, sid: int) -> Scenario:
        if sid not in self._cache:
            self._cache[sid] = self.store.load(sid)
        return self._cache[sid]

    def compute(self) -> Comparison | None:
        """Compare the chosen scenarios with the baseline."""
        if not self.baseline_id:
            self.result = None
            return None
        ids = [self.baseline_id] + [i for i in self.scenario_ids if i != self.baseline_id]

        def work():
            return compare([self.scenario(i) for i in ids], baseline=self.baseline_id)

        out = self.run(work, label="Comparing")
        self.result = out
        if out is not None:
            self.notes = list(out.notes)
        return out

    def kpis(self) -> dict[str, float]:
        return {}

    def excel(self) -> bytes:
        """The comparison as an Excel workbook (bytes)."""
        if self.result is None:
            raise ScenarioError("pick a baseline first")
        return export_excel(self.result)

    def report(self) -> str:
        """The comparison as a self-contained HTML report."""
        if self.result is None:
            raise ScenarioError("pick a baseline first")
        return report_html(self.result, world=self.world)


class CompareView(W.VBox):
    """Thin view of :class:`CompareModel`: pickers, KPI table, charts, maps side by side, exports."""

    def __init__(self, model: CompareModel):
        self.model = model
        self.app_pick = W.Dropdown(description="App", layout=W.Layout(width="100%"), style={"description_width": "70px"})
        self.baseline = W.Dropdown(description="Baseline", layout=W.Layout(width="100%"),
                                   style={"description_width": "70px"})
        self.others = W.SelectMultiple(rows=9, layout=W.Layout(width="100%"))
        self.refresh_button = W.Button(description="Refresh list", icon="refresh", layout=W.Layout(width="100%"))
        self.excel_button = W.Button(description="Excel workbook", icon="file-excel-o", layout=W.Layout(width="48%"))
        self.html_button = W.Button(description="HTML report", icon="file-code-o", layout=W.Layout(width="48%"))
        self.downloads = W.HTML()
        self.table = W.HTML()
        #: solve time, optimality gap, solver method: below the business comparison, in a fold
        self.solver = W.HTML()
        self.charts_box = W.VBox()
        self.maps_box = W.HBox(layout=W.Layout(flex_flow="row wrap", width="100%"))
        self.maps_section = section("Maps")
        self.figures: list = []
        self.map_views: list[MapView] = []
        for w, cls in ((self.baseline, "wb-compare-baseline"), (self.others, "wb-compare-others"),
                       (self.table, "wb-compare-table"), (self.solver, "wb-compare-solver"), (self.excel_button, "wb-export-excel"),
                       (self.html_button, "wb-export-html"), (self.downloads, "wb-downloads"),
                       (self.refresh_button, "wb-compare-refresh")):
            w.add_class(cls)
        self._sync = False
        self.app_pick.observe(self._pick_app, names="value")
        self.baseline.observe(self._pick_baseline, names="value")
        self.others.observe(self._pick_others, names="value")
        self.refresh_button.on_click(lambda _: self._refresh())
        self.excel_button.on_click(lambda _: self.export("xlsx"))
        self.html_button.on_click(lambda _: self.export("html"))
        model.observe(self._render_pickers, names=["apps", "app", "options", "baseline_id", "scenario_ids"])
        model.observe(self._render_result, names="result")
        controls = [section("Scenarios"), self.app_pick, self.baseline, W.HTML("<small>Compare with (Ctrl/Shift-click "
                                                                               "to pick several):</small>"),
                    self.others, self.refresh_button, section("Export"), W.HBox([self.excel_button, self.html_button]),
                    self.downloads]
        body = [section("Key figures against the baseline"), self.table, self.solver, section("Charts"), self.charts_box,
                self.maps_section, self.maps_box]
        super().__init__([app_shell(model, controls=controls, body=body,
                                    subtitle="Line saved scenarios up against a baseline: KPI changes, charts and "
                                             "maps; export them to Excel or a report to email.")])
        self._render_pickers()
        self._render_result()

    # -- events ---------------------------------------------------------------------------
    def _refresh(self):
        self.model.refresh()
        self.downloads.value = ""

    def _pick_app(self, change):
        if not self._sync and change["new"]:
            self.model.app = change["new"]

    def _pick_baseline(self, change):
        if not self._sync and change["new"]:
            with self.model.hold_trait_notifications():
                self.model.scenario_ids = [i for i in self.model.scenario_ids if i != change["new"]]
                self.model.baseline_id = int(change["new"])

    def _pick_others(self, change):
        if not self._sync:
            self.model.scenario_ids = [int(i) for i in change["new"] if i != self.model.baseline_id]

    def export(self, kind: str) -> str:
        """Build the Excel workbook or HTML report and show its download link; returns the link's HTML."""
        m = self.model
        try:
            if kind == "xlsx":
                data, name, mime = m.excel(), "scenario_comparison.xlsx", XLSX
            else:
                data, name, mime = m.report().encode("utf-8"), "scenario_report.html", "text/html"
        except ScenarioError as exc:
            m.problems = [str(exc)]
            return ""
        link = download_link(data, name, label=f"Download {name} ({len(data) / 1e6:,.1f} MB)", mime=mime)
        self.downloads.value = f'<div class="wb-download-{kind}">{link}</div>'
        return link

    # -- rendering ------------------------------------------------------------------------
    def _render_pickers(self, *_):
        m = self.model
        self._sync = True
        try:
            self.app_pick.options = [(app_title(a), a) for a in m.apps]
            self.app_pick.value = m.app if m.app in m.apps else None
            self.baseline.options = list(m.options)
            ids = [i for _, i in m.options]
            self.baseline.value = m.baseline_id if m.baseline_id in ids else None
            self.others.options = [(lab, i) for lab, i in m.options if i != m.baseline_id]
            self.others.value = tuple(i for i in m.scenario_ids if i in ids and i != m.baseline_id)
        finally:
            self._sync = False

    def _render_result(self, *_):
        m = self.model
        cmp = m.result
        self.downloads.value = ""
        if not isinstance(cmp, Comparison):
            self.table.value = "<p>Pick a baseline and the scenarios to compare with it.</p>"
            self.solver.value = ""
            self.charts_box.children = ()
            self.maps_box.children = ()
            self.figures = []
            self.map_views = []
            return
        self.table.value = _kpi_table_html(cmp).replace('class="kpis"', 'class="kpis wb-table"') + _TABLE_CSS
        self.solver.value = solver_details_html(cmp, "kpis solver wb-table")
        self.figures = kpi_figures(cmp) + ([delta_figure(cmp)] if len(cmp.labels) > 1 else [])
        self.charts_box.children = tuple(FigureView(f) for f in self.figures)
        views = []
        per = [(lab, map_layers(sc, m.world)) for lab, sc in list(zip(cmp.labels, cmp.scenarios))[:MAX_MAPS]]
        per = [(lab, layers) for lab, layers in per if layers]
        # one view for every map (so they compare), fitted with room around every point
        lats = [a for _, layers in per for l in layers if l.kind == "points" for a in l.data["lat"]]
        lons = [b for _, layers in per for l in layers if l.kind == "points" for b in l.data["lon"]]
        wide = len(per) == 1
        for lab, layers in per:
            mv = MapView(height="360px", width_px=1000 if wide else 500, cities=8 if wide else 5)
            for layer in layers:
                mv.set_layer(layer.name, layers_geojson(layer), label=layer.label, hover_key="name")
                if layer.kind == "points" and layer.labelled:
                    mv.set_labels(f"{layer.name} names", [(a, b, t.removesuffix(" DC")) for a, b, t in
                                                         zip(layer.data["lat"], layer.data["lon"], layer.data["label"])])
            if lats:
                mv.fit(lats, lons)
            box = W.VBox([W.HTML(f"<b>{html.escape(lab)}</b>"), mv],
                         layout=W.Layout(width="100%" if wide else "49%", margin="0 1% 8px 0"))
            views.append((box, mv))
        self.map_views = [mv for _, mv in views]
        self.maps_box.children = tuple(b for b, _ in views)
        self.maps_section.layout.display = None if views else "none"


_TABLE_CSS = """<style>
.wb-compare-table table.kpis td { text-align: right; } .wb-compare-table table.kpis td:first-child { text-align: left; }
.wb-compare-table td.better { color: #1a7f37; } .wb-compare-table td.worse { color: #cf222e; }
.wb-compare-table table.kpis th { text-align: right; }
.wb-compare-solver table.kpis td { text-align: right; } .wb-compare-solver table.kpis td:first-child { text-align: left; }
.wb-compare-solver table.facts td { text-align: left; }
</style>"""


def compare_app(store: ScenarioStore | None = None, world: workbench.World | None = None) -> CompareView:
    """Build the comparison app (the notebook's one line); seeds sample scenarios into an empty store.

    Under Voila with preheated kernels it is built ahead of the page and built again if a scenario
    was saved meanwhile (:func:`~widgets.world_store.for_page`), so the list holds the scenarios
    saved up to the moment the page is opened."""
    return for_page(lambda: CompareView(CompareModel(store, world if world is not None else open_world())), scenarios="app")
