"""Route planning: daily delivery routes with ETAs, an independent checker and dispatch sheets.

    >>> from workbench import load_sample
    >>> from workbench.routing import RoutingProblem, SolveOptions, check_routes
    >>> problem = RoutingProblem.from_world(load_sample())
    >>> result = problem.solve(SolveOptions(time_limit_s=10))
    >>> check_routes(result, problem).ok
    True

Engine: PyVRP (see ``docs/route_planning.md``). Units: see :mod:`workbench.routing.model`.
"""

from .check import CheckReport, check_routes
from .dispatch import dispatch_csv, dispatch_excel, dispatch_html, dispatch_sheets, dispatch_table, write_dispatch
from .model import RoutingProblem, RoutingSpec, SolveOptions, fmt_clock
from .result import RoutingResult
from .solve import ENGINE, solve_routes

__all__ = [
    "RoutingProblem",
    "SolveOptions",
    "RoutingSpec",
    "RoutingResult",
    "solve_routes",
    "check_routes",
    "CheckReport",
    "dispatch_table",
    "dispatch_sheets",
    "dispatch_csv",
    "dispatch_excel",
    "dispatch_html",
    "write_dispatch",
    "fmt_clock",
    "ENGINE",
]
