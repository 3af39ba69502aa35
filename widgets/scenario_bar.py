"""The scenario bar every app carries: "Save as scenario" and "Open scenario".

    bar = ScenarioBar(model)          # app_shell adds it to every planning app's controls

It works with any :class:`~widgets.model.AppModel` (``app_name``, ``inputs()``, ``set_inputs()``,
``kpis()``, ``result``). Opening a scenario restores its inputs and either shows the saved result
as it was, or re-runs the app with those inputs.
"""

from __future__ import annotations

import html
import math
from typing import Any, Iterable

import ipywidgets as W
import pandas as pd

from workbench.scenarios import Scenario, ScenarioError, ScenarioStore, kpi_info
from workbench.scenarios.apps import app_title
from workbench.scenarios.kpis import headline_kpis

from .components import section
from .model import AppModel
from .formatting import display_currency
from .report import format_kpi

__all__ = ["ScenarioBar", "scenario_label"]


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
            parts.append(f"{info.label.lower()} {format_kpi(v, info.unit, currency=display_currency())}")
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

    #: what a preheated page calls when scenarios were saved while it waited (``world_store.for_page``)
    refresh_scenarios = refresh

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
            self.message.value = _message("error", f"'{sc.name}' belongs to {app_title(sc.app)}, not to {m.title}.")
            return None
        m.set_inputs(sc.inputs)
        if mode == "restore" and sc.result is not None:
            m.show_result(sc.result)
            notes = [f"Showing '{sc.name}' as saved {_when(sc.updated)}."]
        else:
            m.refresh()
            notes = [f"Opened '{sc.name}' and " + ("is running it again with its inputs (the result appears when done)."
                                                   if m.running else "ran it again with its inputs.")]
        wv = getattr(getattr(m, "world", None), "version", "")
        if sc.world_version and wv and sc.world_version != wv:
            notes.append(f"It was saved on other data (version {sc.world_version[:10]}; the data now open is "
                         f"{wv[:10]}): re-run it to see it on today's data.")
        self.message.value = _message("ok", " ".join(notes))
        return sc
