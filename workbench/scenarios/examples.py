"""Ready-made what-if functions for sweeps over the planning models.

    >>> from workbench import load_sample
    >>> from workbench.scenarios import ScenarioStore, run_sweep
    >>> from workbench.scenarios.examples import NetworkWhatIf, network_what_if
    >>> world = load_sample()
    >>> sweep = run_sweep(network_what_if,
    ...                   {"dc_count": range(1, 11), "demand_growth": [-0.1, 0.0, 0.1],
    ...                    "transport_rate": [0.8, 1.2]},
    ...                   base=NetworkWhatIf(world), store=ScenarioStore(), app="network_design",
    ...                   name="DC count x growth x rate", progress=True)

Each function is top level (so worker processes and Dask workers can run it) and takes one
frozen spec; the World travels with the spec, so workers need no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["NetworkWhatIf", "network_what_if"]


@dataclass(frozen=True)
class NetworkWhatIf:
    """A network-design what-if on a World.

    ``dc_count``: DCs to open (None: the cheapest number). ``demand_growth``: -0.1 is 10 % less
    demand for every customer. ``transport_rate``: multiplier on the outbound and inbound rates
    (1.2 = +20 %). ``fixed_cost_factor``: multiplier on the sites' fixed costs.
    ``service_radius_km`` / ``service_share``: a service constraint (see ``NetworkSpec``).
    """

    world: Any
    dc_count: int | None = 4
    demand_growth: float = 0.0
    transport_rate: float = 1.0
    fixed_cost_factor: float = 1.0
    service_radius_km: float | None = None
    service_share: float = 0.0
    time_limit_s: float = 20.0


def network_what_if(spec: NetworkWhatIf):
    """Solve the network design for one what-if; returns the ``NetworkResult``."""
    from ..network import FacilityProblem, NetworkSpec

    w = spec.world
    customers = w.customers.assign(annual_demand=w.customers["annual_demand"] * (1.0 + float(spec.demand_growth)))
    net = NetworkSpec(dc_count=spec.dc_count, transport_multiplier=float(spec.transport_rate),
                      fixed_cost_multiplier=float(spec.fixed_cost_factor), service_radius_km=spec.service_radius_km,
                      service_share=float(spec.service_share), time_limit_s=float(spec.time_limit_s))
    problem = FacilityProblem.from_tables(customers, w.sites, w.plants, spec=net, name=getattr(w, "source", "world"))
    return problem.solve()
