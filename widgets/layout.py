"""How a screen is laid out: links to the other apps, title line, problems, busy line, controls
left and results right, and the scenario bar at the end of the controls."""

from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as W

from workbench.scenarios.apps import APPS as DOMAIN_APPS

from . import registry
from .components import BusyIndicator, ProblemsAlert
from .formatting import STYLE
from .model import AppModel
from .scenario_bar import ScenarioBar
from .world_store import saved_world_problems

__all__ = ["app_links", "app_shell", "world_banner"]


def app_links(current: str | None = None) -> W.HTML:
    """Links to every app of the registry whose notebook exists (relative links work in Voila)."""
    links = []
    for a in registry.apps():
        if not a.notebook_path.exists():
            continue
        if a.name == current:
            links.append(f"<b>{html.escape(a.title)}</b>")
        else:
            links.append(f'<a href="./{html.escape(a.view.notebook)}" target="_self" data-app="{a.name}">'
                         f'{html.escape(a.title)}</a>')
    return W.HTML(f'<div class="wb-links">{" ".join(links)}</div>')


def app_shell(model: AppModel, *, controls: Sequence[W.Widget], body: Sequence[W.Widget],
              subtitle: str = "", header: Sequence[W.Widget] = (), sidebar_width: str = "300px",
              scenarios: bool = True) -> W.VBox:
    """The standard screen: links, subtitle, problems, busy line; controls left, results right.

    The title itself is the notebook's first (markdown) cell, so it is not repeated here. With
    ``scenarios`` (the default) the controls of a planning app end with the scenario bar ("Save as
    scenario", "Open scenario"), unless the app placed one itself; the scenario studio's own
    screens (kind 'studio' in the registry) never carry it.
    """
    controls = list(controls)
    kind = DOMAIN_APPS[model.app_name].kind if model.app_name in DOMAIN_APPS else "planning"
    if scenarios and kind == "planning" and not any(isinstance(c, ScenarioBar) for c in controls):
        controls.append(ScenarioBar(model))
    title = W.HTML(f'<div class="wb-title"><p>{html.escape(subtitle)}</p></div>' if subtitle else "")
    side = W.VBox(list(controls), layout=W.Layout(width=sidebar_width, min_width=sidebar_width, padding="0 12px 0 0"))
    side.add_class("wb-controls")
    main = W.VBox(list(body), layout=W.Layout(flex="1 1 auto", min_width="0"))
    root = W.VBox([W.HTML(STYLE), app_links(model.app_name), title, world_banner(), *header, ProblemsAlert(model),
                   BusyIndicator(model), W.HBox([side, main], layout=W.Layout(width="100%"))])
    root.add_class("wb-app")
    root.add_class(f"wb-app-{model.app_name}")
    return root


def world_banner() -> W.HTML:
    """A red banner when the data loaded on Home could not be opened (the app shows the sample)."""
    problems = saved_world_problems()
    box = W.HTML()
    box.add_class("wb-world-problem")
    if problems:
        head, rest = problems[0], problems[1:]
        items = "".join(f"<li>{html.escape(p)}</li>" for p in rest[:20])
        more = f"<li>… and {len(rest) - 20} more</li>" if len(rest) > 20 else ""
        box.value = f'<div class="wb-alert" role="alert"><b>{html.escape(head)}</b><ul>{items}{more}</ul></div>'
    return box

