"""The registry of apps, view side: which module builds each app's screen and which notebook
serves it, keyed by the names of the domain registry (:data:`workbench.scenarios.apps.APPS`,
which holds each app's title, kind, KPI labels and sample scenarios).

The links between apps, the scenario studio and the sample scenarios all read :func:`apps`.
A test checks that the two halves name the same apps, that every notebook is listed and that
every module builds its app.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from workbench.scenarios.apps import APPS as DOMAIN_APPS
from workbench.scenarios.apps import AppInfo

from .model import AppModel

__all__ = ["AppView", "App", "VIEWS", "apps", "app", "model_class", "NOTEBOOKS"]

#: where the app notebooks are (served by Voila)
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class AppView:
    """The view side of one app: its module (holding the model and the builder) and notebook."""

    name: str
    module: str
    factory: str
    notebook: str


VIEWS: dict[str, AppView] = {v.name: v for v in (
    AppView("home", "widgets.home", "home_app", "home.ipynb"),
    AppView("network_design", "widgets.network_design", "network_design_app", "network_design.ipynb"),
    AppView("channel_strategy", "widgets.channel_strategy", "channel_strategy_app", "channel_strategy.ipynb"),
    AppView("demand_forecasting", "widgets.demand_forecasting", "demand_forecasting_app",
            "demand_forecasting.ipynb"),
    AppView("route_planning", "widgets.route_planning", "route_planning_app", "route_planning.ipynb"),
    AppView("scenario_compare", "widgets.compare", "compare_app", "scenario_compare.ipynb"),
    AppView("scenario_viewer", "widgets.viewer", "viewer_app", "scenario_viewer.ipynb"),
)}


@dataclass(frozen=True)
class App:
    """One app, both halves: ``info`` (domain: title, kind, samples) and ``view`` (module, notebook)."""

    info: AppInfo
    view: AppView

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def title(self) -> str:
        return self.info.title

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def notebook_path(self) -> Path:
        return NOTEBOOKS / self.view.notebook


def apps(kind: str | None = None) -> list[App]:
    """Every app with both halves registered, in the domain registry's order (the links' order)."""
    out = [App(info, VIEWS[name]) for name, info in DOMAIN_APPS.items() if name in VIEWS]
    return [a for a in out if kind is None or a.kind == kind]


def app(name: str) -> App:
    """One app by name (KeyError naming the registered apps when it is not there)."""
    for a in apps():
        if a.name == name:
            return a
    raise KeyError(f"no app named {name!r}; the apps are {', '.join(a.name for a in apps())}")


def model_class(name: str) -> type[AppModel]:
    """The :class:`AppModel` subclass of an app (imported from its module)."""
    module = importlib.import_module(app(name).view.module)
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, AppModel) and obj.app_name == name:
            return obj
    raise LookupError(f"{app(name).view.module} has no AppModel subclass with app_name {name!r}")
