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

from .check import NetworkCheck, check_network, check_stress
from .gravity import GravityResult, centre_of_gravity, weber_point
from .model import METHODS, SOURCING, FacilityProblem, NetworkResult, NetworkSpec
from .profile import DemandProfile, build_profile, forecast_growth
from .stress import StressResult, stress_test
from .sweep import FrontierResult, SweepResult, carbon_frontier, sweep_dc_count

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
    "carbon_frontier",
    "FrontierResult",
    "stress_test",
    "StressResult",
    "check_stress",
    "DemandProfile",
    "build_profile",
    "forecast_growth",
    "SweepResult",
    "SOURCING",
    "METHODS",
]
