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
from pathlib import Path

import workbench
from workbench.errors import DataError

log = logging.getLogger("workbench.apps")

__all__ = ["current_world", "open_world", "set_current_world", "reset_current_world", "saved_world_problems"]


def _workspace() -> Path:
    return Path(os.environ.get("WORKBENCH_HOME", Path.home() / ".workbench")) / "current_world"


_PAGE_REQUESTED = False


def _wait_for_page() -> None:
    """Under Voila with preheated kernels, block until the page is actually requested (once).

    A preheated kernel runs the notebook before anyone asks for the page; waiting here means the
    World is read when the page opens, so data loaded on Home in the meantime is used.
    Elsewhere (JupyterLab, tests, Voila without preheating) it returns at once.
    """
    global _PAGE_REQUESTED
    if _PAGE_REQUESTED or os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    from voila.utils import wait_for_request

    wait_for_request()
    _PAGE_REQUESTED = True


_SAVED_WORLD_PROBLEMS: list[str] = []


def current_world() -> workbench.World:
    """The World every app opens with: the user's data loaded on Home, else the sample.

    When the saved data no longer passes validation (a file edited by hand, a newer rule), the
    apps open the sample and :func:`saved_world_problems` says why; every app shows it.
    """
    _wait_for_page()
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
    """The World for an app that is being opened (``current_world``, which waits for the page
    request under preheated Voila kernels)."""
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

