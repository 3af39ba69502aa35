"""Scenario screens: the save-as / open bar every app carries, the comparison app and the read-only viewer.

    from widgets.scenarios import ScenarioBar, compare_app, viewer_app
    bar = ScenarioBar(model)          # in any app's controls: "Save as scenario" and "Open scenario"
    compare_app()                     # notebooks/scenario_compare.ipynb
    viewer_app()                      # notebooks/scenario_viewer.ipynb

The bar works with any :class:`~widgets.core.AppModel` (``app_name``, ``inputs()``,
``set_inputs()``, ``kpis()``, ``result``). Opening a scenario restores its inputs and either shows
the saved result as it was, or re-runs the app with those inputs (the model's ``rerun()``, else
``solve()``, else the model's own observers).
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
import math
from typing import Any, Iterable

import ipywidgets as W
import pandas as pd
import traitlets as T

import workbench
from workbench.scenarios import Comparison, Scenario, ScenarioError, ScenarioStore, compare, export_excel, kpi_info
from workbench.scenarios.export import flatten_inputs
from workbench.scenarios.kpis import headline_kpis, readable

from .core import (KPI, STYLE, AppModel, FigureView, KPICards, MapView, ProblemsAlert, TableView, app_links,
                   app_shell, current_world, download_link, format_value, open_world, section)
from .report import _kpi_table_html, delta_figure, format_kpi, kpi_figures, layers_geojson, map_layers, report_html

__all__ = ["ScenarioBar", "CompareModel", "CompareView", "compare_app", "ViewerModel", "ViewerView", "viewer_app",
           "scenario_label", "seed_sample_scenarios", "restore_inputs", "rerun", "SAMPLE_RECIPES"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MAPS = 4


def _store(store: ScenarioStore | None) -> ScenarioStore:
    return store if store is not None else ScenarioStore()


def _when(t: Any) -> str:
    if t is None or (isinstance(t, float) and math.isnan(t)) or t is pd.NaT:
        return ""
    return pd.Timestamp(t).tz_convert("UTC").strftime("%Y-%m-%d %H:%M") if pd.Timestamp(t).tzinfo else str(t)


def scenario_label(row: Any, app: str | None = None, kpis: Iterable[str] = ()) -> str:
    """'Name · total cost $1.2M · 2026-11-22 02:10' for dropdowns."""
    parts = [str(row["name"])]
    for k in kpis:
        v = row.get(k) if hasattr(row, "get") else None
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            info = kpi_info(k, app or row.get("app"))
            parts.append(f"{info.label.lower()} {format_kpi(v, info.unit)}")
            break
    when = _when(row.get("updated"))
    if when:
        parts.append(when)
    return " · ".join(parts)


def _headline_kpis(listing: pd.DataFrame, n: int = 3, app: str | None = None) -> list[str]:
    base = {"id", "name", "app", "note", "world_version", "created", "updated"}
    have = [c for c in listing.columns if c not in base and listing[c].notna().any()]
    return headline_kpis(app or "", have, n)


def _message(kind: str, text: str) -> str:
    cls = "wb-alert" if kind == "error" else "wb-note"
    role = ' role="alert"' if kind == "error" else ""
    return f'<div class="{cls}"{role}>{html.escape(text, quote=False)}</div>'


# ---------------------------------------------------------------------------------------
# the bar every app carries
# ---------------------------------------------------------------------------------------


class ScenarioBar(W.VBox):
    """"Save as scenario" (name + note) and "Open scenario" (the app's saved scenarios) for a model."""

    def __init__(self, model: AppModel, store: ScenarioStore | None = None, **kwargs):
        self.model = model
        self.store: ScenarioStore | None = None
        error = ""
        try:
            self.store = _store(store)
        except ScenarioError as exc:  # the app still opens; the bar says why it cannot save
            error = f"Scenarios are unavailable: {exc}"
        self.name = W.Text(placeholder="Scenario name, e.g. 'Base case, 4 DCs'", layout=W.Layout(width="100%"))
        self.note = W.Textarea(placeholder="Note for whoever opens it (optional)", rows=2, layout=W.Layout(width="100%"))
        self.overwrite = W.Checkbox(value=False, description="replace a scenario with this name", indent=False)
        self.save_button = W.Button(description="Save as scenario", icon="save", layout=W.Layout(width="100%"))
        self.choice = W.Dropdown(options=[], layout=W.Layout(width="100%"))
        self.mode = W.ToggleButtons(options=[("Saved result", "restore"), ("Re-run", "rerun")], value="restore",
                                    tooltips=["Show the result as it was saved", "Run the app again with these inputs"],
                                    style={"button_width": "118px"})
        self.open_button = W.Button(description="Open scenario", icon="folder-open", layout=W.Layout(width="100%"))
        self.message = W.HTML()
        for w, cls in ((self.name, "wb-scenario-name"), (self.note, "wb-scenario-note"),
                       (self.save_button, "wb-scenario-save"), (self.choice, "wb-scenario-choice"),
                       (self.open_button, "wb-scenario-open"), (self.message, "wb-scenario-message")):
            w.add_class(cls)
        self.save_button.on_click(lambda _: self.save())
        self.open_button.on_click(lambda _: self.open_scenario())
        model.observe(self._render_buttons, names=["result", "busy", "problems"])
        super().__init__([section("Scenarios"), self.name, self.note, self.overwrite, self.save_button,
                          self.choice, self.mode, self.open_button, self.message], **kwargs)
        self.add_class("wb-scenario-bar")
        if self.store is None:
            self.message.value = _message("error", error)
        self.refresh()
        self._render_buttons()

    def _render_buttons(self, *_):
        m = self.model
        if self.store is None:
            self.save_button.disabled = self.open_button.disabled = True
            return
        self.save_button.disabled = bool(m.busy) or m.result is None
        self.save_button.tooltip = ("Run the app first: there is no result to save yet" if m.result is None
                                    else "Save the inputs, results and KPIs under this name")
        self.open_button.disabled = bool(m.busy) or self.choice.value is None

    def refresh(self) -> None:
        """Reload the app's saved scenarios into the dropdown (newest first)."""
        if self.store is None:
            return
        try:
            listing = self.store.list(self.model.app_name)
        except ScenarioError as exc:
            self.message.value = _message("error", str(exc))
            return
        kp = _headline_kpis(listing, 1, self.model.app_name)
        current = self.choice.value
        self.choice.options = [(scenario_label(r, self.model.app_name, kp), int(r["id"])) for _, r in listing.iterrows()]
        ids = [v for _, v in self.choice.options]
        self.choice.value = current if current in ids else (ids[0] if ids else None)
        self._render_buttons()

    def save(self, name: str | None = None, note: str | None = None, *, overwrite: bool | None = None) -> int | None:
        """Save the model's current inputs and result; returns the id, or None with a message."""
        m = self.model
        if self.store is None:
            return None
        name = self.name.value if name is None else name
        note = self.note.value if note is None else note
        if m.result is None:
            self.message.value = _message("error", "Run the app first: there is no result to save yet.")
            return None
        if m.problems:
            self.message.value = _message("error", "Fix the problems shown above first: the result on screen "
                                                    "does not match the inputs.")
            return None
        try:
            sc = Scenario.from_model(m, name, note)
            sid = self.store.save(sc, overwrite=self.overwrite.value if overwrite is None else overwrite)
        except ScenarioError as exc:
            self.message.value = _message("error", str(exc))
            return None
        self.message.value = _message("ok", f"Saved '{' '.join(name.split())}' with {len(sc.kpis)} KPIs. "
                                            "Open 'Compare scenarios' to line it up with others.")
        self.refresh()
        self.choice.value = sid
        return sid

    def open_scenario(self, scenario_id: int | None = None, mode: str | None = None) -> Scenario | None:
        """Restore a saved scenario's inputs; show its saved result (``restore``) or run again (``rerun``)."""
        sid = self.choice.value if scenario_id is None else scenario_id
        mode = mode or self.mode.value
        if sid is None or self.store is None:
            if self.store is not None:
                self.message.value = _message("error", "There is no saved scenario to open yet.")
            return None
        m = self.model
        try:
            sc = self.store.load(sid)
        except ScenarioError as exc:
            self.message.value = _message("error", str(exc))
            self.refresh()
            return None
        if sc.app != m.app_name:
            self.message.value = _message("error", f"'{sc.name}' belongs to {readable(sc.app)}, not to {m.title}.")
            return None
        before = m.result
        restore_inputs(m, sc.inputs)
        ran_on_restore = m.result is not before and m.result is not None  # models that re-run in set_inputs
        notes = []
        if mode == "restore" and sc.result is not None:
            m.problems = []
            m.result = sc.result
            if "stale" in m.trait_names():
                m.stale = False
            notes.append(f"Showing '{sc.name}' as saved {_when(sc.updated)}.")
        else:
            ran = ran_on_restore or rerun(m)
            notes.append(f"Opened '{sc.name}'" + (" and ran it again with its inputs." if ran else
                                                  "; its inputs are set: run the app to see the result."))
        wv = getattr(getattr(m, "world", None), "version", "")
        if sc.world_version and wv and sc.world_version != wv:
            notes.append(f"It was saved on other data (version {sc.world_version[:10]}; the data now open is "
                         f"{wv[:10]}): re-run it to see it on today's data.")
        self.message.value = _message("ok", " ".join(notes))
        return sc


def restore_inputs(model: AppModel, inputs: dict) -> None:
    """``set_inputs`` and, when an observer reset a value on the way (a depot change resetting the fleet),
    set the values that differ once more."""
    model.set_inputs(inputs)
    from .core import _jsonable

    again = {k: inputs[k] for k in model.input_traits if k in inputs and _jsonable(getattr(model, k)) != inputs[k]}
    if again:
        model.set_inputs(again)


def rerun(model: AppModel, *, background: bool = True) -> bool:
    """Run the model again: ``rerun()``, else ``solve()`` (in the background when it can and
    ``background``), else ``recompute()``/``compute()``. False when the model has none of them."""
    for name in ("rerun", "solve", "recompute", "compute"):
        fn = getattr(model, name, None)
        if callable(fn):
            try:
                params = inspect.signature(fn).parameters
            except (TypeError, ValueError):
                params = {}
            fn(background=background) if "background" in params else fn()
            return True
    return False


# ---------------------------------------------------------------------------------------
# the comparison app
# ---------------------------------------------------------------------------------------


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
        self.store = _open_store(self, store)
        if self.store is None:
            return
        if seed:
            _seed_if_empty(self)
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
        self.apps = [a for a in apps if a not in (self.app_name, "scenario_viewer")]
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
        self.charts_box = W.VBox()
        self.maps_box = W.HBox(layout=W.Layout(flex_flow="row wrap", width="100%"))
        self.maps_section = section("Maps")
        self.figures: list = []
        self.map_views: list[MapView] = []
        for w, cls in ((self.baseline, "wb-compare-baseline"), (self.others, "wb-compare-others"),
                       (self.table, "wb-compare-table"), (self.excel_button, "wb-export-excel"),
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
        body = [section("Key figures against the baseline"), self.table, section("Charts"), self.charts_box,
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
            self.app_pick.options = [(readable(a), a) for a in m.apps]
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
            self.charts_box.children = ()
            self.maps_box.children = ()
            self.figures = []
            self.map_views = []
            return
        self.table.value = _kpi_table_html(cmp).replace('class="kpis"', 'class="kpis wb-table"') + _TABLE_CSS
        self.figures = kpi_figures(cmp) + ([delta_figure(cmp)] if len(cmp.labels) > 1 else [])
        self.charts_box.children = tuple(FigureView(f) for f in self.figures)
        views = []
        for lab, sc in list(zip(cmp.labels, cmp.scenarios))[:MAX_MAPS]:
            layers = map_layers(sc, m.world)
            if not layers:
                continue
            mv = MapView(height="360px")
            lats, lons = [], []
            for layer in layers:
                mv.set_layer(layer.name, layers_geojson(layer), label=layer.label, hover_key="name")
                if layer.kind == "points":
                    lats += layer.data["lat"]
                    lons += layer.data["lon"]
            if lats:
                mv.fit(lats, lons)
            mv.map.layout.height = "360px"
            box = W.VBox([W.HTML(f"<b>{html.escape(lab)}</b>"), mv],
                         layout=W.Layout(width="49%" if len(cmp.labels) > 1 else "100%", margin="0 1% 8px 0"))
            views.append((box, mv))
        self.map_views = [mv for _, mv in views]
        self.maps_box.children = tuple(b for b, _ in views)
        self.maps_section.layout.display = None if views else "none"


_TABLE_CSS = """<style>
.wb-compare-table table.kpis td { text-align: right; } .wb-compare-table table.kpis td:first-child { text-align: left; }
.wb-compare-table td.better { color: #1a7f37; } .wb-compare-table td.worse { color: #cf222e; }
.wb-compare-table table.kpis th { text-align: right; }
</style>"""


def compare_app(store: ScenarioStore | None = None, world: workbench.World | None = None) -> CompareView:
    """Build the comparison app (the notebook's one line); seeds sample scenarios into an empty store.

    Under Voila with preheated kernels it waits for the page request (``open_world``), so the list
    holds the scenarios saved up to the moment the page is opened."""
    return CompareView(CompareModel(store, world if world is not None else open_world()))


# ---------------------------------------------------------------------------------------
# the read-only viewer
# ---------------------------------------------------------------------------------------


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
        self.store = _open_store(self, store)
        if self.store is None:
            return
        if seed:
            _seed_if_empty(self)
        self.refresh()

    def refresh(self) -> None:
        if self.store is None:
            return
        try:
            self.apps = [a for a in self.store.apps() if a not in ("scenario_compare", self.app_name)]
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
            opts.append((lab if self.app_filter else f"{readable(app)}: {lab}", int(r["id"])))
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
            kp = " · ".join(f"{kpi_info(k, app).label}: {format_kpi(r[k], kpi_info(k, app).unit)}" for k in heads
                            if k in r and not pd.isna(r[k]))
            rows.append({"Scenario": r["name"], "App": readable(app), "Headline KPIs": kp, "Note": r["note"],
                         "Saved (UTC)": _when(r["updated"])})
        return pd.DataFrame(rows, columns=["Scenario", "App", "Headline KPIs", "Note", "Saved (UTC)"])

    def kpis(self) -> dict[str, float]:
        return dict(self.result.kpis) if isinstance(self.result, Scenario) else {}

    def report(self) -> str:
        if not isinstance(self.result, Scenario):
            raise ScenarioError("open a scenario first")
        return report_html([self.result], title=f"{readable(self.result.app)}: {self.result.name}", world=self.world)


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
            self.filter.options = [("All apps", "")] + [(readable(a), a) for a in m.apps]
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
        meta = [readable(sc.app)]
        if sc.updated is not None:
            meta.append("saved " + sc.updated.strftime("%Y-%m-%d %H:%M UTC"))
        if sc.world_version:
            meta.append(f"data version {html.escape(sc.world_version[:10])}")
        note = f"<p>{html.escape(sc.note)}</p>" if sc.note else ""
        self.header.value = (f'<div class="wb-section" style="font-size:18px">{html.escape(sc.name)}</div>'
                             f'<div class="wb-sub">{" · ".join(meta)}</div>{note}')
        cards = []
        for k in headline_kpis(sc.app, sc.kpis, 10):
            v = sc.kpis[k]
            info = kpi_info(k, sc.app)
            unit = "share" if info.unit == "share" else ("" if info.unit == "count" else info.unit)
            cards.append(KPI(info.label, v, unit))
        self.cards.update(cards)
        cmp = compare([sc])
        self.figures = kpi_figures(cmp)
        self.charts_box.children = tuple(FigureView(f) for f in self.figures)
        layers = map_layers(sc, self.model.world)
        for name in [n for n in list(self.map.layers) if not n.startswith("_")]:
            self.map.remove_layer(name)
        if layers:
            lats, lons = [], []
            for layer in layers:
                self.map.set_layer(layer.name, layers_geojson(layer), label=layer.label)
                if layer.kind == "points":
                    lats += layer.data["lat"]
                    lons += layer.data["lon"]
            if lats:
                self.map.fit(lats, lons)
            self.map_box.layout.display = None
        else:
            self.map_box.layout.display = "none"
        self.inputs.update(pd.DataFrame([{"Input": readable(k.split(".")[-1]), "Value": "" if v is None else str(v),
                                          "Name": k} for k, v in flatten_inputs(dict(sc.inputs or {}))],
                                        columns=["Input", "Value", "Name"]))
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
    """Build the read-only viewer app (the notebook's one line); waits for the page request like
    :func:`compare_app`."""
    return ViewerView(ViewerModel(store, world if world is not None else open_world()))


# ---------------------------------------------------------------------------------------
# sample scenarios
# ---------------------------------------------------------------------------------------

#: app -> (module of its model, [(scenario name, note, inputs changed from the app's defaults)])
SAMPLE_RECIPES: dict[str, tuple[str, list[tuple[str, str, dict]]]] = {
    "network_design": ("widgets.network_design", [
        ("Sample: cheapest network", "Sample company, the number of DCs left free", {"dc_count": 0}),
        ("Sample: 10 DCs", "Sample company, exactly 10 DCs", {"dc_count": 10}),
        ("Sample: transport +20%", "Cheapest network when transport rates rise by 20%",
         {"dc_count": 0, "transport_multiplier": 1.2}),
    ]),
    "channel_strategy": ("widgets.channel_strategy", [
        ("Sample: default assumptions", "Sample company with the default margins and costs", {}),
        ("Sample: exclusive premium 25%", "Exclusive outlets sell 25% above list price", {"exclusive_premium": 0.25}),
        ("Sample: price-sensitive shoppers", "Price elasticity 1.5", {"price_elasticity": 1.5}),
    ]),
    "route_planning": ("widgets.route_planning", [
        ("Sample day: fleet as it is", "The sample depot's orders with today's fleet", {"time_limit_s": 3.0}),
        ("Sample day: windows widened 1 h", "Every delivery window one hour wider on both sides",
         {"time_limit_s": 3.0, "widen_windows_min": 60.0}),
    ]),
    "demand_forecasting": ("widgets.demand_forecasting", [
        ("Sample: 95% service level", "First series of the sample history, default forecast, 95% cycle service", {}),
        ("Sample: 99% service level", "The same forecast with 99% cycle service", {"service_level": 0.99}),
    ]),
}


def _model_class(module_name: str, app: str):
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, AppModel) and getattr(obj, "app_name", None) == app:
            return obj
    return None


def seed_sample_scenarios(store: ScenarioStore, world: workbench.World | None = None, *,
                          apps: Iterable[str] | None = None) -> list[int]:
    """Save a few scenarios of every planning app that exists, run on the sample company, through
    the apps' own models (so each opens in its app). Names already taken are left alone."""
    world = world if world is not None else workbench.load_sample()
    ids: list[int] = []
    for app, (module_name, recipes) in SAMPLE_RECIPES.items():
        if apps is not None and app not in apps:
            continue
        taken = set(store.list(app)["name"])
        recipes = [r for r in recipes if r[0] not in taken]
        cls = _model_class(module_name, app) if recipes else None
        if cls is None:
            continue
        model = cls(world)
        initial = {k: v for k, v in model.inputs().items() if k in cls.input_traits}
        for name, note, changes in recipes:
            wanted = {**initial, **{k: v for k, v in changes.items() if k in cls.input_traits}}
            current = {k: v for k, v in model.inputs().items() if k in cls.input_traits}
            model.set_inputs({k: v for k, v in wanted.items() if current.get(k) != v})
            if model.result is None or model.problems or "stale" in model.trait_names() and getattr(model, "stale"):
                rerun(model, background=False)
            if model.result is None or model.problems:
                continue
            try:
                ids.append(store.save(Scenario.from_model(model, name, note)))
            except ScenarioError:
                continue
    return ids


def _open_store(model: AppModel, store: ScenarioStore | None) -> ScenarioStore | None:
    """The store, or None with the reason in ``model.problems`` (the screen still opens)."""
    try:
        return _store(store)
    except ScenarioError as exc:
        model.problems = [f"Scenarios are unavailable: {exc}"]
        return None


def _seed_if_empty(model: AppModel) -> None:
    """An empty store gets a few sample scenarios from the sample company, so there is something to look at."""
    try:
        if model.store.count() > 0:
            return
        ids = model.run(seed_sample_scenarios, model.store, label="Preparing sample scenarios")
        if ids:
            model.notes = [f"The scenario store was empty: {len(ids)} sample scenarios of the sample company were "
                           "added to look at."]
    except ScenarioError as exc:
        model.problems = [str(exc)]
