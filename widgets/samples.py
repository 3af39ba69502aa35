"""Sample scenarios: a few scenarios of every planning app, run on the sample company, so the
scenario studio has something to show on a first visit."""

from __future__ import annotations

from typing import Iterable

import workbench
from workbench.scenarios import Scenario, ScenarioError, ScenarioStore

from . import registry
from .model import AppModel
from .scenario_bar import _store

__all__ = ["seed_sample_scenarios", "is_sample"]


def seed_sample_scenarios(store: ScenarioStore, world: workbench.World | None = None, *,
                          apps: Iterable[str] | None = None) -> list[int]:
    """Save the sample scenarios of every planning app (``AppInfo.samples`` in the app registry),
    run on the sample company through the apps' own models, so each opens in its app. Names
    already taken are left alone."""
    world = world if world is not None else workbench.load_sample()
    ids: list[int] = []
    for entry in registry.apps("planning"):
        if apps is not None and entry.name not in apps:
            continue
        taken = set(store.list(entry.name)["name"])
        recipes = [r for r in entry.info.samples if r.name not in taken]
        if not recipes:
            continue
        cls = registry.model_class(entry.name)
        model = cls(world)
        initial = {k: v for k, v in model.inputs().items() if k in cls.input_traits}
        for recipe in recipes:
            wanted = {**initial, **{k: v for k, v in recipe.changes.items() if k in cls.input_traits}}
            current = {k: v for k, v in model.inputs().items() if k in cls.input_traits}
            changed = {k: v for k, v in wanted.items() if current.get(k) != v}
            model.set_inputs(changed)
            if changed or model.result is None or model.problems:
                model.refresh()
                model.join()
            if model.result is None or model.problems:
                continue
            ids.append(store.save(Scenario.from_model(model, recipe.name, recipe.note)))
    return ids


def _open_store(model: AppModel, store: ScenarioStore | None) -> ScenarioStore | None:
    """The store, or None with the reason in ``model.problems`` (the screen still opens)."""
    try:
        return _store(store)
    except ScenarioError as exc:
        model.problems = [f"Scenarios are unavailable: {exc}"]
        return None


def open_studio_store(model: AppModel, store: ScenarioStore | None, *, seed: bool) -> ScenarioStore | None:
    """The scenario studio's store for ``model`` (Compare, Viewer): opened, and seeded with the sample
    scenarios when empty and ``seed`` is set; None with the reason in ``model.problems``."""
    opened = _open_store(model, store)
    if opened is not None and seed:
        model.store = opened
        _seed_if_empty(model)
    return opened


def is_sample(world: workbench.World | None) -> bool:
    """True when ``world`` is the (US) sample company as shipped, the one the sample scenarios are
    written for (same content)."""
    return world is not None and world.version == workbench.load_sample().version


def _seed_if_empty(model: AppModel) -> None:
    """An empty store gets a few sample scenarios, so there is something to look at, but only
    while the data open is the sample company: a user's own store is never filled with them."""
    try:
        if model.store.count() > 0:
            return
        if not is_sample(model.world):
            model.notes = ["No scenarios are saved yet: open a planning app, run it on your data and use "
                           "'Save as scenario'."]
            return
        ids = model.run(seed_sample_scenarios, model.store, label="Preparing sample scenarios")
        if ids:
            model.notes = [f"The scenario store was empty: {len(ids)} sample scenarios of the sample company were "
                           "added to look at."]
    except ScenarioError as exc:
        model.problems = [str(exc)]
