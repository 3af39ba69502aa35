"""The World every app opens with: the sample, or what the user loaded on the Home screen.

It is kept as CSV files under ``$WORKBENCH_HOME/current_world`` (default ``~/.workbench``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import workbench
from workbench.errors import DataError

log = logging.getLogger("workbench.apps")

__all__ = ["current_world", "open_world", "set_current_world", "reset_current_world", "saved_world_problems",
           "for_page"]

T = TypeVar("T")


def _workspace() -> Path:
    return Path(os.environ.get("WORKBENCH_HOME", Path.home() / ".workbench")) / "current_world"


_PAGE_REQUESTED = False


def _preheating() -> bool:
    """True in a preheated Voila kernel whose page has not been asked for yet."""
    return not _PAGE_REQUESTED and os.environ.get("VOILA_PREHEAT", "False") != "False"


def _wait_for_page() -> None:
    """Under Voila with preheated kernels, block until the page is actually requested (once).

    Elsewhere (JupyterLab, tests, Voila without preheating) it returns at once.
    """
    global _PAGE_REQUESTED
    if not _preheating():
        return
    from voila.utils import wait_for_request

    wait_for_request()
    _PAGE_REQUESTED = True


def _saved_state() -> tuple:
    """What the apps read from storage, as a comparable stamp: the current world's files (names,
    sizes, modification times) and the saved scenarios (id, name, last update)."""
    folder = _workspace()
    world: list = [str(folder.resolve())] if folder.exists() else []  # the link's target folder
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        try:
            st = path.stat()
        except OSError:  # replaced while we looked: the next stamp differs anyway
            continue
        world.append((path.name, st.st_size, st.st_mtime_ns))
    from workbench.errors import WorkbenchError
    from workbench.scenarios import ScenarioStore

    try:
        store = ScenarioStore()
        try:
            listing = store.list()
        finally:
            store.close()
        scenarios: tuple | str = tuple(zip(listing["id"].tolist(), listing["name"].tolist(),
                                           listing["updated"].astype(str).tolist()))
    except WorkbenchError as exc:  # the apps say what is wrong with the store; nothing to compare
        scenarios = f"unavailable: {exc}"
    return tuple(world), scenarios


def for_page(build: Callable[[], T], *, scenarios: str = "list") -> T:
    """``build()`` the app for a page, ahead of the page when the kernel is a preheated one.

    In a preheated Voila kernel the app is built with the saved world and scenarios as they are
    now, then the kernel waits for a page to ask for it. If the saved world changed meanwhile (data
    loaded on Home) the app is built again. If only the saved scenarios changed (one was saved, or
    the sample scenarios were seeded into an empty store), an app that shows them just as a list
    (``scenarios="list"``: the scenario bar of a planning app) reloads its lists; an app made of
    them (``scenarios="app"``: Compare, the Viewer) is built again. So a page always shows what is
    saved when it is opened. Elsewhere it is simply ``build()``.
    """
    if scenarios not in ("list", "app"):
        raise ValueError(f"scenarios must be 'list' or 'app', not {scenarios!r}")
    if not _preheating():
        return build()
    before = _saved_state()
    app = build()
    for _ in range(3):  # building may itself save (the comparison seeds an empty store)
        after = _saved_state()
        if after == before:
            break
        before, app = after, build()
    _wait_for_page()
    now = _saved_state()
    if now[0] != before[0] or (now[1] != before[1] and scenarios == "app"):
        log.info("saved data changed while the app waited for its page; building it again")
        app = build()
    elif now[1] != before[1]:
        log.info("saved scenarios changed while the app waited for its page; reloading its scenario lists")
        _refresh_scenario_lists(app)
    return app


def _refresh_scenario_lists(app) -> None:
    """Reload every scenario list (a widget with ``refresh_scenarios()``) in the widget tree of ``app``."""
    seen: set[int] = set()
    todo = [app]
    while todo:
        w = todo.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        refresh = getattr(w, "refresh_scenarios", None)
        if callable(refresh):
            refresh()
        todo.extend(getattr(w, "children", ()) or ())


_SAVED_WORLD_PROBLEMS: list[str] = []


def current_world() -> workbench.World:
    """The World every app opens with: the user's data loaded on Home, else the sample.

    When the saved data no longer passes validation (a file edited by hand, a newer rule), the
    apps open the sample and :func:`saved_world_problems` says why; every app shows it.
    """
    folder = _workspace()
    _SAVED_WORLD_PROBLEMS.clear()
    if folder.is_dir() and any(folder.glob("*.csv")):
        try:
            return workbench.load_world(folder)
        except DataError as exc:
            log.warning("the saved world in %s is unusable; using the sample", folder)
            messages = exc.messages or [str(exc)]
            _SAVED_WORLD_PROBLEMS.extend(
                [f"The data loaded on Home ({folder}) no longer passes the checks, so this app shows the sample "
                 f"company instead. Load the corrected files on Home (or go back to the sample there). "
                 f"{len(messages)} problem(s):"] + messages)
    return workbench.load_sample()


def saved_world_problems() -> list[str]:
    """Why the data loaded on Home could not be opened by the last :func:`current_world` call
    (empty when it opened, or when none was loaded)."""
    return list(_SAVED_WORLD_PROBLEMS)


def open_world() -> workbench.World:
    """The World for an app that is being opened (``current_world``; apps are built through
    :func:`for_page`, which sees to it that the world is the one saved when the page opens)."""
    return current_world()


def set_current_world(world: workbench.World) -> Path:
    """Make ``world`` the one every app opens with.

    The tables are written as CSVs into a fresh folder under ``worlds/``; then the
    ``current_world`` link is switched to it with one atomic rename, so a reader sees the old
    World or the new one, never a mix, and two uploads at once both succeed (the later switch
    wins). Folders no longer linked are removed once they are a minute old (a reader may still
    be reading one). Raises ``OSError`` when the disk refuses (the Home app shows it).
    """
    link = _workspace()
    store = link.parent / "worlds"
    store.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="world-", dir=store))
    try:
        world.to_csv(target)
        (target / "SOURCE.txt").write_text(world.source, encoding="utf-8", errors="backslashreplace")
        if link.is_dir() and not link.is_symlink():  # a folder written by an older version
            link.rename(store / f"legacy-{uuid.uuid4().hex}")
        tmp_link = link.with_name(f".{link.name}.{uuid.uuid4().hex}")
        os.symlink(target, tmp_link, target_is_directory=True)
        os.replace(tmp_link, link)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    _remove_unlinked(store, keep=target)
    return link


GRACE_S = 60.0  # an unlinked World folder is kept this long for readers still loading it


def _remove_unlinked(store: Path, keep: Path) -> None:
    try:
        current = _workspace().resolve()
    except OSError:
        current = keep
    now = time.time()
    for folder in store.iterdir():
        if folder in (keep, current) or folder.resolve() == current:
            continue
        try:
            if now - folder.stat().st_mtime >= GRACE_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def reset_current_world() -> None:
    """Go back to the sample world in every app."""
    link = _workspace()
    if link.is_symlink():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)

