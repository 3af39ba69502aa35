"""The routing result: routes, per-route summary, unserved orders, KPIs and solver facts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["RoutingResult", "ROUTE_COLUMNS", "SUMMARY_COLUMNS", "UNSERVED_COLUMNS"]

ROUTE_COLUMNS = (
    "route", "vehicle", "vehicle_type", "depot_id", "seq", "kind", "order_id", "name", "lat", "lon",
    "arrival_min", "wait_min", "start_min", "departure_min", "tw_start", "tw_end", "service_min", "demand",
    "load_after", "leg_km", "cum_km", "on_time",
)
SUMMARY_COLUMNS = (
    "route", "vehicle", "vehicle_type", "depot_id", "stops", "load", "capacity", "utilisation", "km",
    "start_min", "end_min", "duration_h", "drive_h", "wait_h", "service_h", "fixed_cost", "distance_cost",
    "time_cost", "cost",
)
UNSERVED_COLUMNS = ("order_id", "name", "demand", "tw_start", "tw_end", "reason", "fix")


@dataclass(frozen=True)
class RoutingResult:
    """A day's plan.

    ``routes``: one row per route event, in order: ``kind`` is ``depart`` (leave the depot,
    ``load_after`` = load on board), ``stop`` (an order: arrival, wait, service start and
    departure in minutes after midnight, the order's window, ``load_after`` = load still on board
    after unloading, ``leg_km`` from the previous event) and ``return``.
    ``summary``: one row per route with km, duration and cost split (fixed / distance / time).
    ``unserved``: orders not in the plan, with the reason and the fix.
    KPIs are plain numbers; solver facts say what ran and for how long.
    """

    routes: pd.DataFrame
    summary: pd.DataFrame
    unserved: pd.DataFrame
    # KPIs
    vehicles_used: int
    vehicles_available: int
    total_km: float
    total_cost: float
    total_duration_h: float
    utilisation: float
    on_time_share: float
    orders_total: int
    orders_served: int
    demand_served: float
    demand_unserved: float
    # solver facts
    engine: str
    status: str
    stop_reason: str
    seconds: float
    time_limit_s: float
    iterations: int
    seed: int
    objective: int
    cost_unit_usd: float
    distance_source: str

    @property
    def orders_unserved(self) -> int:
        return len(self.unserved)

    @property
    def fixed_cost(self) -> float:
        return float(self.summary["fixed_cost"].sum()) if len(self.summary) else 0.0

    def kpis(self) -> dict[str, float]:
        """Headline numbers (for cards, saved scenarios and comparisons)."""
        return {
            "vehicles_used": float(self.vehicles_used),
            "total_km": self.total_km,
            "total_cost": self.total_cost,
            "total_duration_h": self.total_duration_h,
            "utilisation": self.utilisation,
            "on_time_share": self.on_time_share,
            "orders_served": float(self.orders_served),
            "orders_unserved": float(self.orders_unserved),
            "demand_served": self.demand_served,
            "solve_seconds": self.seconds,
        }

    def stops(self) -> pd.DataFrame:
        """Only the order stops of ``routes`` (no depot rows)."""
        return self.routes[self.routes["kind"] == "stop"].reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"RoutingResult({self.vehicles_used} routes, {self.total_km:,.1f} km, cost {self.total_cost:,.2f}, "
                f"{self.orders_served}/{self.orders_total} orders served, {self.status}, {self.seconds:.1f} s)")
