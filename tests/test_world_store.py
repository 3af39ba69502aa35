"""The current World store: atomic under concurrent uploads, failures shown in the Home app."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest

import workbench
from widgets.world_store import current_world, reset_current_world, set_current_world


def _small(n: int) -> workbench.World:
    w = workbench.load_sample()
    return w.replace(customers=w.customers.iloc[: n].copy())


def _tiny(k: int) -> workbench.World:
    from tests.test_loader_fuzz import BASE

    tables = {name: df.copy() for name, df in BASE.items()}
    tables["company"]["name"] = [f"Company {k}"]
    return workbench.World.from_tables(tables)


def _writer(home: str, k: int, rounds: int, versions: set, queue) -> None:
    os.environ["WORKBENCH_HOME"] = home
    try:
        world = _tiny(k)
        for _ in range(rounds):
            set_current_world(world)
            seen = current_world()
            assert seen.version in versions, f"a World nobody saved: {seen.company_name}"
        queue.put("ok")
    except BaseException as exc:  # report every failure to the parent
        queue.put(f"{type(exc).__name__}: {exc}")


def test_concurrent_uploads_all_succeed(tmp_path, monkeypatch):
    """Four processes saving and reading the current World at once: no failure, never a mixed World."""
    home = str(tmp_path / "home")
    monkeypatch.setenv("WORKBENCH_HOME", home)
    versions = {_tiny(k).version for k in range(4)}
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(home, k, 4, versions, queue)) for k in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * 4
    assert current_world().version in versions
    reset_current_world()
    assert len(current_world().customers) == 300


def test_unlinked_folders_are_removed(tmp_path, monkeypatch):
    """Saving again removes the folders no longer linked once they are past the grace period."""
    from widgets import world_store

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.setattr(world_store, "GRACE_S", 0.0)
    for k in range(3):
        set_current_world(_tiny(k))
    assert len(list((tmp_path / "worlds").iterdir())) == 1
    assert current_world().company_name == "Company 2"


def test_legacy_folder_is_replaced(tmp_path, monkeypatch):
    """A current_world folder written by an older version is replaced by the link."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    _small(10).to_csv(tmp_path / "current_world")
    assert len(current_world().customers) == 10
    set_current_world(_small(20))
    assert (tmp_path / "current_world").is_symlink() and len(current_world().customers) == 20


def test_save_failure_is_shown_in_home(tmp_path, monkeypatch, sample_world):
    """When the store cannot be written, Home says so and keeps the World it had."""
    from widgets import home

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))

    def refuse(world):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(home, "set_current_world", refuse)
    model = home.HomeModel(sample_world)
    files = {f"{n}.csv": getattr(sample_world, n).to_csv(index=False).encode()
             for n in ("customers", "sites", "products")}
    assert not model.load_files(files)
    assert "could not be saved for the other apps (Permission denied)" in model.problems[0]
    assert model.world is sample_world
