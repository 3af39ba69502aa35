"""The model every screen is built on: the user's choices, the latest result and readable problems.

The app contract (see ``docs/ARCHITECTURE.md``, "The app contract"): a subclass declares
``app_name`` (its key in the app registry), ``title`` and ``input_traits``, and implements

* ``refresh()``: run the app with its current inputs (what "Re-run" on a reopened scenario calls);
* ``kpis()``: the headline numbers of the latest result.

The base class gives ``inputs()`` / ``set_inputs()`` (the saved choices: restoring them never
runs the app), ``show_result()`` (show a saved result as it was), ``run()`` (foreground work whose
errors become ``problems``) and ``run_in_background()`` (the one background runner: one job at a
time, every error a readable problem, ``join()`` waits for it).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from typing import Any, Callable, ClassVar, Iterator, Mapping

import traitlets as T

import workbench
from workbench.errors import DataError, WorkbenchError

from .formatting import jsonable as _jsonable
from .formatting import set_display_currency

log = logging.getLogger("workbench.apps")

__all__ = ["AppModel"]


class AppModel(T.HasTraits):
    """Base of every screen's model: choices as traits, the latest result and readable problems.

    Subclasses declare ``app_name``, ``title`` and ``input_traits`` (the names of the traits that
    are the user's choices; they make ``inputs()``/``set_inputs()`` for saved scenarios) and
    implement ``refresh()`` and ``kpis()``. Observers that run the app when a choice changes
    return early while ``quiet`` (``set_inputs`` restores choices quietly).
    """

    app_name: ClassVar[str] = "app"
    title: ClassVar[str] = "App"
    input_traits: ClassVar[tuple[str, ...]] = ()

    world = T.Instance(workbench.World, allow_none=True)
    result = T.Any(None, allow_none=True)
    problems = T.List(T.Unicode())
    notes = T.List(T.Unicode())          # non-blocking warnings and confirmations
    busy = T.Bool(False)
    running = T.Bool(False)              # a background job (run_in_background) is running
    background = T.Bool(False)           # long runs go to a background thread (set by the app's view)
    status = T.Unicode("")
    progress = T.Float(0.0)              # 0..1 while long work runs
    last_seconds = T.Float(0.0)

    def __init__(self, world: workbench.World | None = None, **kwargs):
        super().__init__(**kwargs)
        self._quiet = 0
        self._job: threading.Thread | None = None
        self._job_lock = threading.Lock()
        if world is not None:
            self.world = world

    @property
    def currency(self) -> str:
        """The ISO code of the currency money is in: the World's (USD before a World is set)."""
        return self.world.currency.upper() if self.world is not None else "USD"

    @T.validate("world")
    def _world_currency(self, proposal):
        # before any observer draws: money on every card, table and chart is in this World's currency
        if proposal["value"] is not None:
            set_display_currency(proposal["value"].currency)
        return proposal["value"]

    # -- the contract -------------------------------------------------------------------
    def refresh(self) -> None:
        """Run the app with its current inputs (in the background when ``background`` and the run
        is long). Reopening a scenario with "Re-run" calls this, and nothing else."""
        raise NotImplementedError(f"{type(self).__name__} must implement refresh()")

    def kpis(self) -> dict[str, float]:
        """Headline numbers of the latest result (for cards, saved scenarios and comparisons)."""
        return {}

    def inputs(self) -> dict[str, Any]:
        """The user's choices as a JSON-able dict (saved with a scenario)."""
        out = {name: _jsonable(getattr(self, name)) for name in self.input_traits}
        if self.world is not None:
            out["world_version"] = self.world.version
            out["world_source"] = self.world.source
            out["currency"] = self.world.currency
        return out

    def set_inputs(self, values: Mapping[str, Any]) -> None:
        """Restore choices saved by ``inputs()`` (unknown keys are ignored) without running the app.

        Observers see the changes while ``quiet``; when one of them reset another choice on the
        way (a depot change resetting the fleet), the saved values that differ are set once more.
        """
        names = [n for n in self.input_traits if n in values]
        with self.quiet():
            with self.hold_trait_notifications():
                for name in names:
                    setattr(self, name, values[name])
            again = [n for n in names if _jsonable(getattr(self, n)) != _jsonable(values[n])]
            if again:
                with self.hold_trait_notifications():
                    for name in again:
                        setattr(self, name, values[name])

    def show_result(self, result: Any) -> None:
        """Show a saved result as it was saved (the inputs were restored with ``set_inputs``)."""
        self.problems = []
        self.result = result

    @property
    def is_quiet(self) -> bool:
        """True while choices are being restored or prepared: observers must not run the app."""
        return self._quiet > 0

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Change choices without the observers running the app."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    # -- running work -----------------------------------------------------------------
    def _attempt(self, fn: Callable[..., Any], args, kwargs, label: str) -> tuple[bool, Any, list[str], str]:
        """Call ``fn``; (ok, value, problems, status). Every exception becomes a readable problem."""
        try:
            return True, fn(*args, **kwargs), [], ""
        except DataError as exc:
            return False, None, exc.messages or [str(exc)], \
                f"{label} stopped: the data has {len(exc.problems)} problem(s)"
        except WorkbenchError as exc:
            return False, None, [str(exc)], f"{label} stopped"
        except Exception as exc:  # an unexpected error still reaches the user as a message
            log.error("unexpected error in %s:\n%s", self.app_name, traceback.format_exc())
            return False, None, [f"Unexpected error ({type(exc).__name__}: {exc}). The inputs were kept; change a "
                                 "setting and try again, or report this with the inputs used."], f"{label} failed"

    def _tracked(self, fn: Callable[..., Any], args, kwargs, label: str) -> tuple[bool, Any]:
        self.busy = True
        self.progress = 0.0
        self.status = f"{label}…"
        start = time.perf_counter()
        try:
            ok, value, problems, status = self._attempt(fn, args, kwargs, label)
        finally:
            self.busy = False
            self.last_seconds = time.perf_counter() - start
        if not ok:
            self.problems = problems
            self.status = status
            return False, None
        self.problems = []
        self.progress = 1.0
        self.status = f"{label} done in {self.last_seconds:.2f} s"
        return True, value

    def run(self, fn: Callable[..., Any], *args, label: str = "Working", **kwargs) -> Any:
        """Call ``fn`` with busy state on; turn any error into ``problems``. Returns its value or None."""
        return self._tracked(fn, args, kwargs, label)[1]

    def run_in_background(self, fn: Callable[..., Any], *args, label: str = "Working",
                          done: Callable[[Any], None] | None = None,
                          failed: Callable[[list[str]], None] | None = None,
                          background: bool = True, **kwargs) -> bool:
        """Run ``fn`` in a thread (in the caller when ``background`` is False), one job at a time.

        Without ``failed`` the job runs like :meth:`run` (busy state, status, ``problems``);
        with ``failed`` it leaves them alone and ``failed(messages)`` says what went wrong, so a
        side job (a trade-off curve) does not clear the main result's problems. ``done(value)``
        gets the value. An error in ``fn``, ``done`` or ``failed`` becomes a readable problem.
        Returns False, doing nothing, when a job is already running (a second click).
        """
        with self._job_lock:
            if self.running:
                return False
            self.running = True

        def job() -> None:
            try:
                if failed is None:
                    ok, value = self._tracked(fn, args, kwargs, label)
                    problems: list[str] = []
                else:
                    ok, value, problems, _ = self._attempt(fn, args, kwargs, label)
                if ok:
                    if done is not None:
                        done(value)
                elif failed is not None:
                    failed(problems)
            except Exception as exc:  # the callbacks draw on screen: never let a thread die silently
                log.error("unexpected error in %s:\n%s", self.app_name, traceback.format_exc())
                self.problems = list(self.problems) + [
                    f"Unexpected error while showing the result of '{label}' ({type(exc).__name__}: {exc}); "
                    "try again, or report this with the inputs used."]
            finally:
                self.running = False

        if not background:
            job()
            return True
        thread = threading.Thread(target=job, name=f"{self.app_name}-job", daemon=True)
        self._job = thread
        thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background job, if one runs."""
        job = self._job
        if job is not None:
            job.join(timeout)

    def progress_callback(self) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callable for workbench functions."""
        def cb(done: int, total: int) -> None:
            self.progress = float(done) / float(total) if total else 1.0
        return cb
