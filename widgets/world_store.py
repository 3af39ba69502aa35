"""The World every app opens with: the sample, or what the user loaded on the Home screen.

It is kept as CSV files under ``$WORKBENCH_HOME/current_world`` (default ``~/.workbench``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import workbench
from workbench.errors import DataError

log = logging.getLogger("workbench.apps")

__all__ = ["current_world", "open_world", "set_current_world", "reset_current_world"]


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


def current_world() -> workbench.World:
    """The World every app opens with: the user's data loaded on Home, else the sample."""
    _wait_for_page()
    folder = _workspace()
    if folder.is_dir() and any(folder.glob("*.csv")):
        try:
            return workbench.load_world(folder)
        except DataError:
            log.warning("the saved world in %s is unusable; using the sample", folder)
    return workbench.load_sample()


def open_world() -> workbench.World:
    """The World for an app that is being opened (``current_world``, which waits for the page
    request under preheated Voila kernels)."""
    return current_world()


def set_current_world(world: workbench.World) -> Path:
    """Make ``world`` the one every app opens with (written as CSVs, atomically per folder)."""
    folder = _workspace()
    tmp = folder.with_name(folder.name + ".tmp")
    if tmp.exists():
        for p in tmp.iterdir():
            p.unlink()
    world.to_csv(tmp)
    (tmp / "SOURCE.txt").write_text(world.source)
    if folder.exists():
        old = folder.with_name(folder.name + ".old")
        if old.exists():
            for p in old.iterdir():
                p.unlink()
            old.rmdir()
        folder.rename(old)
        tmp.rename(folder)
        for p in old.iterdir():
            p.unlink()
        old.rmdir()
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(folder)
    return folder


def reset_current_world() -> None:
    """Go back to the sample world in every app."""
    folder = _workspace()
    if folder.exists():
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()

