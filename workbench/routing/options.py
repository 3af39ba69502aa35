"""How to solve a routing problem (:class:`SolveOptions`) and how its clock times read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import SpecificationError
from ..validate import format_time

__all__ = ["SolveOptions", "RoutingSpec", "fmt_clock"]


def fmt_clock(minutes: float) -> str:
    """``HH:MM`` for minutes after midnight (``+1d`` past midnight)."""
    if minutes is None or not np.isfinite(minutes):
        return ""
    m = int(round(float(minutes)))
    day, m = divmod(m, 24 * 60)
    return format_time(m) + (f" +{day}d" if day else "")


@dataclass(frozen=True)
class SolveOptions:
    """How to solve a routing problem (a what-if is ``dataclasses.replace(options, ...)``).

    ``time_limit_s``: wall-clock limit of the search (one core); the best plan found is returned.
    ``seed``: random seed (same seed, same machine speed -> same plan).
    ``allow_unserved``: when True, orders that no vehicle can serve, or that do not fit the fleet,
    are left out and reported with the reason; when False they are an error.
    ``unserved_penalty``: USD charged in the objective per order left unserved (must exceed what
    serving one order can cost, so that the plan serves every order it can).
    ``max_iterations``: optional iteration cap (for reproducible runs independent of speed).
    """

    time_limit_s: float = 10.0
    seed: int = 0
    allow_unserved: bool = True
    unserved_penalty: float = 10_000.0
    max_iterations: int | None = None

    def __post_init__(self):
        if not (isinstance(self.time_limit_s, (int, float)) and math.isfinite(self.time_limit_s)
                and self.time_limit_s > 0):
            raise SpecificationError(f"time limit must be a positive number of seconds, got {self.time_limit_s!r}",
                                     constraint="time_limit_s")
        if not (math.isfinite(self.unserved_penalty) and self.unserved_penalty > 0):
            raise SpecificationError(f"unserved penalty must be a positive amount of money (in the data's currency), got {self.unserved_penalty!r}",
                                     constraint="unserved_penalty")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise SpecificationError(f"max_iterations must be at least 1, got {self.max_iterations}",
                                     constraint="max_iterations")


RoutingSpec = SolveOptions  # the same thing under the name other planning modules use
