"""Network design: how many DCs, where, serving whom, at what cost and service.

    >>> from workbench import load_sample
    >>> from workbench.network import FacilityProblem, NetworkSpec, check_network, sweep_dc_count
    >>> problem = FacilityProblem.from_world(load_sample(), NetworkSpec(dc_count=4, sourcing="single"))
    >>> result = problem.solve()
    >>> check_network(result, problem).ok
    True
    >>> curve = sweep_dc_count(problem, range(1, 9)).table

Greenfield: :func:`centre_of_gravity` (Weiszfeld, multi-start). Solver: OR-Tools SCIP on the
strong formulation for normal sizes; Lagrangian relaxation + restricted MIPs for large models
(see ``docs/network_design.md``).
"""

from .check import NetworkCheck, check_network
from .gravity import GravityResult, centre_of_gravity, weber_point
from .model import METHODS, SOURCING, FacilityProblem, NetworkResult, NetworkSpec
from .sweep import SweepResult, sweep_dc_count

__all__ = [
    "NetworkSpec",
    "FacilityProblem",
    "NetworkResult",
    "check_network",
    "NetworkCheck",
    "centre_of_gravity",
    "weber_point",
    "GravityResult",
    "sweep_dc_count",
    "SweepResult",
    "SOURCING",
    "METHODS",
]
