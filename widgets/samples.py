"""Sample scenarios: a few scenarios of every planning app, run on the sample company, so the
scenario studio has something to show on a first visit."""

from __future__ import annotations

import importlib
from typing import Iterable

import workbench
from workbench.scenarios import Scenario, ScenarioError, ScenarioStore

from .model import AppModel
from .scenario_bar import _store, rerun

__all__ = ["SAMPLE_RECIPES", "seed_sample_scenarios"]


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
