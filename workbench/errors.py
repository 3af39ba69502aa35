"""Errors the workbench raises, each carrying readable, actionable detail.

Every error a user can cause is a subclass of :class:`WorkbenchError`. Input problems are
collected as :class:`Problem` records (where, what, the offending value and the fix) so that a
loader can report *all* of them at once and an app can show them as a list instead of a
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = [
    "Problem",
    "WorkbenchError",
    "DataError",
    "SpecificationError",
    "SolverError",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in the user's input.

    ``source`` is the file or sheet, ``row`` the row as a spreadsheet shows it (the header is
    row 1, the first data row is row 2), ``column`` the column name. Any of them may be ``None``
    when the problem is about a whole table or file.

    One problem stands for every row of a column with the same kind of fault: ``count`` is how
    many rows have it, ``rows`` the first few of them (``row`` is the first) and ``value`` the
    value in the first one.
    """

    message: str
    fix: str = ""
    source: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    count: int = 1
    rows: tuple[int, ...] = ()

    def where(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        elif self.table:
            parts.append(f"table '{self.table}'")
        if self.count > 1 and len(self.rows) > 1:
            listed = ", ".join(str(r) for r in self.rows)
            more = self.count - len(self.rows)
            parts.append(f"rows {listed}" + (f" and {more:,} more" if more > 0 else ""))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        notes = [f"{self.count:,} rows"] if self.count > 1 else []
        if self.value is not None and not _is_blank(self.value):
            notes.append(f"{'first ' if self.count > 1 else ''}value: {self.value!r}")
        if notes:
            text += f" ({'; '.join(notes)})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


def _is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    try:
        return value != value  # NaN
    except Exception:  # pragma: no cover - exotic values
        return False


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class DataError(WorkbenchError, ValueError):
    """Input data is unusable. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem] | str, *, context: str = ""):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.context = context
        head = context or "The input data has problems"
        n = len(self.problems)
        lines = [f"{head}: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems[:50]]
        if n > 50:
            lines.append(f"  ... and {n - 50} more")
        super().__init__("\n".join(lines))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


class SpecificationError(WorkbenchError, ValueError):
    """A model specification cannot be satisfied; the message gives the numbers and the fix.

    ``constraint`` names the constraint that is short and ``shortfall`` by how much, where known.
    """

    def __init__(self, message: str, *, constraint: str | None = None,
                 shortfall: float | None = None):
        self.constraint = constraint
        self.shortfall = shortfall
        super().__init__(message)


class SolverError(WorkbenchError, RuntimeError):
    """A solver ended without a usable solution; the message explains the status."""


class CheckedReport:
    """What an independent checker found: a ``violations`` table with ``check`` and ``message``.

    Mixed into the checkers' frozen reports (network designs, routing plans); ``_subject`` names
    what was checked in the error message.
    """

    violations: Any
    _subject = "the result"

    @property
    def ok(self) -> bool:
        return len(self.violations) == 0

    def checks_failed(self) -> set[str]:
        return set(self.violations["check"])

    def raise_if_failed(self) -> None:
        if not self.ok:
            lines = "; ".join(self.violations["message"].head(10))
            raise SolverError(f"{self._subject} fails {len(self.violations)} checks: {lines}")

    def _state(self) -> str:
        return "ok" if self.ok else f"{len(self.violations)} violations ({', '.join(sorted(self.checks_failed()))})"
