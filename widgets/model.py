"""The model every screen is built on: the user's choices, the latest result and readable problems.

See ``docs/ARCHITECTURE.md`` ("The app contract").
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any, Callable, ClassVar, Mapping

import traitlets as T

import workbench
from workbench.errors import DataError, WorkbenchError

from .formatting import jsonable as _jsonable

log = logging.getLogger("workbench.apps")

__all__ = ["AppModel"]

class AppModel(T.HasTraits):
    """Base of every screen's model: choices as traits, the latest result and readable problems.

    Subclasses declare ``app_name``, ``title`` and ``input_traits`` (the names of the traits that
    are the user's choices; they make ``inputs()``/``set_inputs()`` for saved scenarios) and
    implement ``kpis()``.
    """

    app_name: ClassVar[str] = "app"
    title: ClassVar[str] = "App"
    input_traits: ClassVar[tuple[str, ...]] = ()

    world = T.Instance(workbench.World, allow_none=True)
    result = T.Any(None, allow_none=True)
    problems = T.List(T.Unicode())
    notes = T.List(T.Unicode())          # non-blocking warnings and confirmations
    busy = T.Bool(False)
    status = T.Unicode("")
    progress = T.Float(0.0)              # 0..1 while long work runs
    last_seconds = T.Float(0.0)

    def __init__(self, world: workbench.World | None = None, **kwargs):
        super().__init__(**kwargs)
        self._quiet = 0
        if world is not None:
            self.world = world

    # -- running work -----------------------------------------------------------------
    def run(self, fn: Callable[..., Any], *args, label: str = "Working", **kwargs) -> Any:
        """Call ``fn`` with busy state on; turn any error into ``problems``. Returns its value or None."""
        self.busy = True
        self.progress = 0.0
        self.status = f"{label}…"
        start = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except DataError as exc:
            self.problems = exc.messages or [str(exc)]
            self.status = f"{label} stopped: the data has {len(exc.problems)} problem(s)"
            return None
        except WorkbenchError as exc:
            self.problems = [str(exc)]
            self.status = f"{label} stopped"
            return None
        except Exception as exc:  # an unexpected error still reaches the user as a message
            log.error("unexpected error in %s:\n%s", self.app_name, traceback.format_exc())
            self.problems = [f"Unexpected error ({type(exc).__name__}: {exc}). The inputs were kept; "
                             "change a setting and try again, or report this with the inputs used."]
            self.status = f"{label} failed"
            return None
        finally:
            self.busy = False
            self.last_seconds = time.perf_counter() - start
        self.problems = []
        self.progress = 1.0
        self.status = f"{label} done in {self.last_seconds:.2f} s"
        return value

    def progress_callback(self) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callable for workbench functions."""
        def cb(done: int, total: int) -> None:
            self.progress = float(done) / float(total) if total else 1.0
        return cb

    # -- scenarios ----------------------------------------------------------------------
    def inputs(self) -> dict[str, Any]:
        """The user's choices as a JSON-able dict (saved with a scenario)."""
        out = {name: _jsonable(getattr(self, name)) for name in self.input_traits}
        if self.world is not None:
            out["world_version"] = self.world.version
            out["world_source"] = self.world.source
        return out

    def set_inputs(self, values: Mapping[str, Any]) -> None:
        """Restore choices saved by ``inputs()`` (unknown keys are ignored); re-runs once."""
        with self.hold_trait_notifications():
            for name in self.input_traits:
                if name in values:
                    setattr(self, name, values[name])

    def kpis(self) -> dict[str, float]:
        """Headline numbers of the latest result (for cards, saved scenarios and comparisons)."""
        return {}

