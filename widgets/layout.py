"""How a screen is laid out: links to the other apps, title line, problems, busy line, controls
left and results right, and the scenario bar at the end of the controls."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Sequence

import ipywidgets as W

from .components import BusyIndicator, ProblemsAlert
from .formatting import STYLE
from .model import AppModel
from .scenario_bar import ScenarioBar

__all__ = ["app_links", "app_shell"]


def app_links(current: str | None = None) -> W.HTML:
    """Links to the other apps that exist in ``notebooks/`` (relative links work in Voila)."""
    apps = [("home", "Home"), ("network_design", "Network design"), ("channel_strategy", "Channel strategy"),
            ("demand_forecasting", "Demand & inventory"), ("route_planning", "Route planning"),
            ("scenario_compare", "Compare scenarios"), ("scenario_viewer", "Scenario viewer")]
    here = Path(__file__).resolve().parent.parent / "notebooks"
    links = []
    for name, label in apps:
        if not (here / f"{name}.ipynb").exists():
            continue
        if name == current:
            links.append(f"<b>{html.escape(label)}</b>")
        else:
            links.append(f'<a href="./{name}.ipynb" target="_self" data-app="{name}">{html.escape(label)}</a>')
    return W.HTML(f'<div class="wb-links">{" ".join(links)}</div>')


def app_shell(model: AppModel, *, controls: Sequence[W.Widget], body: Sequence[W.Widget],
              subtitle: str = "", header: Sequence[W.Widget] = (), sidebar_width: str = "300px",
              scenarios: bool = True) -> W.VBox:
    """The standard screen: links, subtitle, problems, busy line; controls left, results right.

    The title itself is the notebook's first (markdown) cell, so it is not repeated here. With
    ``scenarios`` (the default) the controls end with the scenario bar ("Save as scenario",
    "Open scenario"), unless the app placed one itself; the scenario studio's own screens
    (``scenario_*``) never carry it.
    """
    controls = list(controls)
    if (scenarios and not model.app_name.startswith("scenario_")
            and not any(type(c).__name__ == "ScenarioBar" for c in controls)):
        controls.append(ScenarioBar(model))
    title = W.HTML(f'<div class="wb-title"><p>{html.escape(subtitle)}</p></div>' if subtitle else "")
    side = W.VBox(list(controls), layout=W.Layout(width=sidebar_width, min_width=sidebar_width, padding="0 12px 0 0"))
    side.add_class("wb-controls")
    main = W.VBox(list(body), layout=W.Layout(flex="1 1 auto", min_width="0"))
    root = W.VBox([W.HTML(STYLE), app_links(model.app_name), title, *header, ProblemsAlert(model),
                   BusyIndicator(model), W.HBox([side, main], layout=W.Layout(width="100%"))])
    root.add_class("wb-app")
    root.add_class(f"wb-app-{model.app_name}")
    return root
