"""Errors of the scenario studio."""

from __future__ import annotations

from ..errors import WorkbenchError

__all__ = ["ScenarioError", "ScenarioNotFound", "ScenarioExists"]


class ScenarioError(WorkbenchError):
    """A scenario cannot be saved, opened, compared or exported; the message says why and what to do."""


class ScenarioNotFound(ScenarioError, KeyError):
    """No saved scenario has that id or name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "scenario not found"


class ScenarioExists(ScenarioError):
    """Another scenario of the same app already has that name."""
