"""The read-only scenario viewer: every saved scenario with its headline KPIs, charts, map,
inputs and tables; nothing on this screen saves, renames or deletes.

    viewer_app()                      # notebooks/scenario_viewer.ipynb
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd
import traitlets as T

import workbench
from workbench.scenarios import Scenario, ScenarioError, ScenarioStore, compare, kpi_info
from workbench.scenarios.apps import app_title, studio_apps
from workbench.scenarios.export import _input_pairs
from workbench.scenarios.kpis import (format_input, format_number, headline_kpis, input_registered, is_business,
                                      readable)

from .components import KPI, FigureView, KPICards, TableView, download_link, section
from .layout import app_shell
from .maps import MapView
from .model import AppModel
from .formatting import display_currency, format_value
from .report import format_kpi, layers_geojson, map_layers, overview_figure, report_html
from .samples import open_studio_store
from .scenario_bar import _headline_kpis, _when, scenario_label
from .world_store import current_world, for_page, open_world

__all__ = ["ViewerModel", "ViewerView", "viewer_app"]


class ViewerModel(AppModel):
    """Saved scenarios with their headline KPIs; ``result`` is the open :class:`Scenario` (never changed)."""

    app_name = "scenario_viewer"
    title = "Scenario viewer"
    input_traits = ("app_filter", "selected_id")

    app_filter = T.Unicode("")          # "" = every app
    apps = T.List(T.Unicode())
    options = T.List()
    selected_id = T.Int(0)

    def __init__(self, store: ScenarioStore | None = None, world: workbench.World | None = None, *,
                 seed: bool = True, **kwargs):
        super().__init__(world if world is not None else current_world(), **kwargs)
        self.listing = pd.DataFrame()
        self.store = open_studio_store(self, store, seed=seed)
        if self.store is None:
            return
        self.refresh()

    def refresh(self) -> None:
        if self.store is None:
            return
        try:
            self.apps = [a for a in self.store.apps() if a not in studio_apps()]
            self.listing = self.store.list(self.app_filter or None)
        except ScenarioError as exc:
            self.problems = [str(exc)]
            return
        self.listing = self.listing[self.listing["app"].isin(self.apps)].reset_index(drop=True) \
            if len(self.listing) else self.listing
        kp = {}
        opts = []
        for _, r in self.listing.iterrows():
            app = r["app"]
            if app not in kp:
                kp[app] = _headline_kpis(self.listing[self.listing["app"] == app], 1, app)
            lab = scenario_label(r, app, kp[app])
            opts.append((lab if self.app_filter else f"{app_title(app)}: {lab}", int(r["id"])))
        self.options = opts
        ids = [i for _, i in opts]
        if self.selected_id not in ids:
            self.selected_id = ids[0] if ids else 0
        if not ids:
            self.result = None
            self.notes = ["No scenarios are saved yet."]

    @T.observe("app_filter")
    def _on_filter(self, change):
        self.refresh()

    @T.observe("selected_id")
    def _on_select(self, change):
        sid = change["new"]
        if not sid:
            self.result = None
            return
        sc = self.run(self.store.load, sid, label="Opening")
        self.result = sc

    def summary(self) -> pd.DataFrame:
        """The list shown to managers: scenario, app, note, saved, then each app's headline KPIs formatted."""
        rows = []
        for _, r in self.listing.iterrows():
            app = r["app"]
            sub = self.listing[self.listing["app"] == app]
            heads = _headline_kpis(sub, 3, app)
            kp = " · ".join(f"{kpi_info(k, app).label}: {format_kpi(r[k], kpi_info(k, app).unit, currency=display_currency())}" for k in heads
                            if k in r and not pd.isna(r[k]))
            rows.append({"Scenario": r["name"], "App": app_title(app), "Headline KPIs": kp, "Note": r["note"],
                         "Saved (UTC)": _when(r["updated"])})
        return pd.DataFrame(rows, columns=["Scenario", "App", "Headline KPIs", "Note", "Saved (UTC)"])

    def kpis(self) -> dict[str, float]:
        return dict(self.result.kpis) if isinstance(self.result, Scenario) else {}

    def report(self) -> str:
        if not isinstance(self.result, Scenario):
            raise ScenarioError("open a scenario first")
        return report_html([self.result], title=f"{app_title(self.result.app)}: {self.result.name}", world=self.world)


def _input_words(value) -> str:
    """A saved input's value as text: a list of records (a fleet) one record per line in words
    ('Cargo van: count 6, capacity 400, shift start 07:00'), never a Python dict."""
    def one(x) -> str:
        if isinstance(x, dict):
            items = list(x.items())
            if items and isinstance(items[0][1], str):
                head, rest = f"{items[0][1]}: ", items[1:]
            else:
                head, rest = "", items
            return head + ", ".join(f"{readable(str(k)).lower()} {format_number(v) if isinstance(v, float) else v}"
                                    for k, v in rest)
        return str(x)

    if isinstance(value, (list, tuple)):
        return "; ".join(one(x) for x in value) if value else "none"
    return one(value)


def inputs_frame(sc: Scenario) -> pd.DataFrame:
    """A scenario's inputs as the viewer shows them: label and value in words with its unit (the
    registered words for special values, e.g. a DC count of 0 is 'cheapest number')."""
    rows = []
    for k, v in _input_pairs(dict(sc.inputs or {})):
        label, value, unit = format_input(k, v, sc.app)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # a guessed unit can be wrong ('price elasticity' is no money): plain numbers unless registered
            text = format_value(value, unit if input_registered(k, sc.app) else "count" if float(value).is_integer()
                                else "")
        elif isinstance(v, (list, tuple)) and v and isinstance(v[0], dict):
            text = _input_words(v)
        else:
            text = "" if value is None else str(value)
        rows.append({"Input": label, "Value": text})
    return pd.DataFrame(rows, columns=["Input", "Value"])


class ViewerView(W.VBox):
    """Read-only: pick a scenario to look at; nothing on this screen saves, renames or deletes."""

    def __init__(self, model: ViewerModel):
        self.model = model
        self.filter = W.Dropdown(description="App", layout=W.Layout(width="100%"), style={"description_width": "60px"})
        self.pick = W.Dropdown(description="Open", layout=W.Layout(width="100%"), style={"description_width": "60px"})
        self.refresh_button = W.Button(description="Refresh list", icon="refresh", layout=W.Layout(width="100%"))
        self.report_button = W.Button(description="HTML report of this scenario", icon="file-code-o",
                                      layout=W.Layout(width="100%"))
        self.downloads = W.HTML()
        self.listing = TableView(height="260px")
        self.header = W.HTML()
        self.cards = KPICards()
        self.charts_box = W.VBox()
        self.map = MapView(height="420px")
        self.map_box = W.VBox([section("Map"), self.map])
        self.inputs = TableView(height="240px")
        self.table_pick = W.Dropdown(description="Table", layout=W.Layout(width="420px"),
                                     style={"description_width": "50px"})
        self.table_view = TableView(height="320px")
        self.figures: list = []
        for w, cls in ((self.pick, "wb-viewer-pick"), (self.listing, "wb-viewer-list"), (self.header, "wb-viewer-header"),
                       (self.report_button, "wb-export-html"), (self.downloads, "wb-downloads")):
            w.add_class(cls)
        self._sync = False
        self.filter.observe(self._on_filter, names="value")
        self.pick.observe(self._on_pick, names="value")
        self.table_pick.observe(self._render_table, names="value")
        self.refresh_button.on_click(lambda _: self._refresh())
        self.report_button.on_click(lambda _: self.export())
        model.observe(self._render_pickers, names=["apps", "options", "selected_id", "app_filter"])
        model.observe(self._render_result, names="result")
        controls = [section("Saved scenarios"), self.filter, self.pick, self.refresh_button, section("Export"),
                    self.report_button, self.downloads]
        body = [section("All saved scenarios"), self.listing, self.header, self.cards, self.charts_box, self.map_box,
                section("Inputs"), self.inputs, section("Result tables"), self.table_pick, self.table_view]
        super().__init__([app_shell(model, controls=controls, body=body,
                                    subtitle="Saved scenarios and their headline numbers, read-only.")])
        self._render_pickers()
        self._render_result()

    def _refresh(self):
        self.model.refresh()
        self._render_pickers()

    def _on_filter(self, change):
        if not self._sync:
            self.model.app_filter = change["new"] or ""

    def _on_pick(self, change):
        if not self._sync and change["new"]:
            self.model.selected_id = int(change["new"])

    def export(self) -> str:
        try:
            data = self.model.report().encode("utf-8")
        except ScenarioError as exc:
            self.model.problems = [str(exc)]
            return ""
        link = download_link(data, "scenario_report.html", label=f"Download scenario_report.html "
                                                                  f"({len(data) / 1e6:,.1f} MB)", mime="text/html")
        self.downloads.value = link
        return link

    def _render_pickers(self, *_):
        m = self.model
        self._sync = True
        try:
            self.filter.options = [("All apps", "")] + [(app_title(a), a) for a in m.apps]
            self.filter.value = m.app_filter if m.app_filter in ("", *m.apps) else ""
            self.pick.options = list(m.options)
            ids = [i for _, i in m.options]
            self.pick.value = m.selected_id if m.selected_id in ids else None
        finally:
            self._sync = False
        self.listing.update(m.summary())

    def _render_result(self, *_):
        sc = self.model.result
        self.downloads.value = ""
        if not isinstance(sc, Scenario):
            self.header.value = "<p>No scenario is open.</p>"
            self.cards.update([])
            self.charts_box.children = ()
            self.map_box.layout.display = "none"
            self.inputs.update(pd.DataFrame())
            self.table_pick.options = []
            self.table_view.update(pd.DataFrame())
            self.figures = []
            return
        meta = [app_title(sc.app)]
        if sc.updated is not None:
            meta.append("saved " + sc.updated.strftime("%Y-%m-%d %H:%M UTC"))
        if sc.world_version:
            meta.append(f"data version {html.escape(sc.world_version[:10])}")
        note = f"<p>{html.escape(sc.note)}</p>" if sc.note else ""
        self.header.value = (f'<div class="wb-section" style="font-size:18px">{html.escape(sc.name)}</div>'
                             f'<div class="wb-sub">{" · ".join(meta)}</div>{note}')
        cards = []
        for k in headline_kpis(sc.app, [k for k in sc.kpis if is_business(k, sc.app)], 10):   # no solver numbers
            v = sc.kpis[k]
            info = kpi_info(k, sc.app)
            unit = "share" if info.unit == "share" else ("" if info.unit == "count" else info.unit)
            cards.append(KPI(info.label, v, unit, kpi=k))
        self.cards.app = sc.app
        self.cards.update(cards)
        cmp = compare([sc])
        self.figures = [overview_figure(cmp)] if cmp.business_kpis else []
        self.charts_box.children = tuple(FigureView(f) for f in self.figures)
        layers = map_layers(sc, self.model.world)
        for name in [n for n in list(self.map.layers) if not n.startswith("_")]:
            self.map.remove_layer(name)
        if layers:
            lats, lons = [], []
            for name in [n for n in self.map.labels if not n.startswith("_")]:
                self.map.set_labels(name, [])
            for layer in layers:
                self.map.set_layer(layer.name, layers_geojson(layer), label=layer.label)
                if layer.kind == "points" and layer.labelled:
                    self.map.set_labels(f"{layer.name} names", [(a, b, t.removesuffix(" DC")) for a, b, t in
                                                               zip(layer.data["lat"], layer.data["lon"], layer.data["label"])])
                if layer.kind == "points":
                    lats += layer.data["lat"]
                    lons += layer.data["lon"]
            if lats:
                self.map.fit(lats, lons)
            self.map_box.layout.display = None
        else:
            self.map_box.layout.display = "none"
        self.inputs.update(inputs_frame(sc))
        names = list(sc.tables)
        self.table_pick.options = [(f"{readable(n.split('.')[-1])} ({len(sc.tables[n]):,} rows)", n) for n in names]
        self.table_pick.value = names[0] if names else None
        self._render_table()

    def _render_table(self, *_):
        sc = self.model.result
        name = self.table_pick.value
        if isinstance(sc, Scenario) and name in (sc.tables or {}):
            self.table_view.update(sc.tables[name])
        else:
            self.table_view.update(pd.DataFrame())


def viewer_app(store: ScenarioStore | None = None, world: workbench.World | None = None) -> ViewerView:
    """Build the read-only viewer app (the notebook's one line); built ahead of the page under
    preheated kernels, like :func:`~widgets.compare.compare_app`."""
    return for_page(lambda: ViewerView(ViewerModel(store, world if world is not None else open_world())), scenarios="app")
