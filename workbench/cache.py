"""Results of expensive, repeatable work kept on disk and shared by every process of a user.

A result is stored under a key made of everything it depends on: the caller's parts (for a
network design: the World's content hash, the demand source and the full spec) and the content of
this package's code and data (:func:`code_stamp`), so a changed model or rate table never meets a
result computed by the old one. Values are pickled; a file is written whole or not at all (a
temporary file renamed into place), so processes reading and writing at once see either no entry
or a complete one.

The cache lives in ``$WORKBENCH_HOME/cache`` (default ``~/.workbench/cache``);
``WORKBENCH_CACHE=off`` turns it off. It holds at most ``max_bytes`` (oldest used first out).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger("workbench.cache")

__all__ = ["ResultCache", "code_stamp", "default_cache"]

PACKAGE = Path(__file__).resolve().parent
#: what of the package enters the code stamp: its code and the data it ships (sample, rates, geography)
STAMPED = (".py", ".csv", ".json", ".gz", ".parquet")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A hash of the content of every code and data file of the ``workbench`` package."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in STAMPED and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class ResultCache:
    """A folder of pickled results by key, shared by processes; see the module's docstring."""

    SUFFIX = ".pickle"

    def __init__(self, folder: str | Path, *, max_bytes: int = 256 * 2**20):
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)

    def key(self, *parts: Any) -> str:
        """The key of a result that depends on ``parts`` (values whose ``repr`` says all of them:
        strings, numbers, tuples, frozen dataclasses of those) and on this package's code."""
        text = repr((code_stamp(),) + parts)
        return hashlib.sha256(text.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / (key + self.SUFFIX)

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None when there is none."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            value = pickle.loads(data)
        except Exception as exc:  # a file damaged outside the cache's own writes: drop it, recompute
            log.warning("result cache entry %s is unreadable (%s: %s); it is removed and computed again",
                        path, type(exc).__name__, exc)
            path.unlink(missing_ok=True)
            return None
        try:
            os.utime(path)  # most recently used: pruned last
        except OSError:
            pass
        return value

    def put(self, key: str, value: Any) -> bool:
        """Store ``value`` under ``key``; False (with a warning in the log) when the disk refuses it.

        The result was computed and is shown either way; only its reuse by the next process is lost.
        """
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=self.SUFFIX)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            log.warning("result not kept in the cache %s (%s: %s)", self.folder, type(exc).__name__, exc)
            return False
        self.prune()
        return True

    def entries(self) -> list[Path]:
        return [p for p in self.folder.glob("??/*" + self.SUFFIX) if not p.name.startswith(".tmp-")]

    def size_bytes(self) -> int:
        total = 0
        for p in self.entries():
            try:
                total += p.stat().st_size
            except FileNotFoundError:
                pass
        return total

    def prune(self) -> int:
        """Remove the least recently used entries until the cache holds at most ``max_bytes``;
        returns how many were removed."""
        stats = []
        for p in self.entries():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            stats.append((st.st_mtime, st.st_size, p))
        total = sum(s for _, s, _ in stats)
        removed = 0
        for _, size, p in sorted(stats, key=lambda t: t[0]):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed

    def clear(self) -> None:
        for p in self.entries():
            p.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"ResultCache({str(self.folder)!r}, max_bytes={self.max_bytes})"


def default_cache() -> ResultCache | None:
    """The user's cache (``$WORKBENCH_HOME/cache``), or None when ``WORKBENCH_CACHE`` is ``off``."""
    if os.environ.get("WORKBENCH_CACHE", "").strip().lower() in ("off", "0", "false", "no"):
        return None
    home = Path(os.environ.get("WORKBENCH_HOME", Path.home() / ".workbench"))
    return ResultCache(home / "cache")

