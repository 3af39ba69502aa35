"""Network design: the specification, the problem (tables + matrices) and its solve.

Units: demand and capacity in units per year; fixed cost in USD per year; handling cost in USD
per unit; rates in USD per unit-km; distances in km (great circle x circuity, or any
:class:`~workbench.geo.DistanceSource`). Every cost in a result is USD per year.

    >>> from workbench import load_sample
    >>> from workbench.network import FacilityProblem, NetworkSpec
    >>> problem = FacilityProblem.from_world(load_sample(), NetworkSpec(dc_count=4))
    >>> result = problem.solve()
    >>> result.total_cost, result.share_within_radius
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SolverError, SpecificationError
from ..schema import Column, TableSchema
from ..validate import check_table
from ..geo import DEFAULT_CIRCUITY, distance_matrix_km
from .core import INF, Core, Solution, evaluate, plant_transport, solve_mip
from .heuristics import greedy_solution, solve_large
from .profile import WEEKS, DemandProfile, build_profile, forecast_growth

__all__ = ["NetworkSpec", "FacilityProblem", "NetworkResult", "SOURCING", "METHODS"]

SOURCING = ("single", "multi")
RATE_BASES = ("unit", "tonne")
#: site (and weekly) capacities in units per year, or in m3 per year of the products' volumes
CAPACITY_BASES = ("units", "m3")
DEMAND_SOURCES = ("annual", "forecast")
#: Default CO2e factors, kg per tonne-km, well-to-wheel ("grand total" GHG), diesel HGVs at UK
#: average loads: Defra/DECC, 2012 Guidelines to GHG Conversion Factors for Company Reporting,
#: Annex 7, Table 7e. Outbound: rigid > 17 t (0.23320); inbound: articulated > 33 t (0.10273).
#: Defaults to calibrate with the carrier's own figures (GLEC Framework).
CO2_OUTBOUND_KG_TKM = 0.23320
CO2_INBOUND_KG_TKM = 0.10273
METHODS = ("auto", "mip", "lagrangian")
#: models with more candidate pairs than this go to the Lagrangian + restricted-MIP method
LARGE_PAIRS = 20_000
#: re-linearisations of the safety-stock cost after the first solve (stops early when the open set repeats)
INVENTORY_ROUNDS = 3


_SPEC_WHOLE = ("dc_count", "min_dcs", "max_dcs", "peak_weeks")
_SPEC_REAL = ("service_radius_km", "service_share", "outbound_rate", "inbound_rate", "transport_multiplier",
              "fixed_cost_multiplier", "circuity", "time_limit_s", "mip_gap", "outbound_rate_tkm", "inbound_rate_tkm",
              "holding_rate", "service_level", "lead_time_weeks", "review_period_weeks", "co2_outbound_kg_tkm",
              "co2_inbound_kg_tkm", "carbon_price", "co2_cap_kg", "peak_surge")
_SPEC_OPTIONAL = ("dc_count", "max_dcs", "service_radius_km", "co2_cap_kg")


def _number_problems(spec) -> list[str]:
    """Type problems of a spec's numbers: whole numbers where counts go, finite reals elsewhere.

    A whole float (``3.0``) is accepted as the integer it is; text, ``2.5``, NaN and infinity
    are refused with the field's name.
    """
    msgs = []
    for name in _SPEC_WHOLE + _SPEC_REAL:
        v = getattr(spec, name)
        if v is None and name in _SPEC_OPTIONAL:
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            kind = "a whole number" if name in _SPEC_WHOLE else "a number"
            msgs.append(f"{name} must be {kind}, got {v!r} ({type(v).__name__})")
            continue
        if not math.isfinite(float(v)):
            msgs.append(f"{name} must be a finite number, got {v!r}")
            continue
        if name in _SPEC_WHOLE:
            if float(v) != int(v):
                msgs.append(f"{name} must be a whole number, got {v!r}")
                continue
            object.__setattr__(spec, name, int(v))
        else:
            object.__setattr__(spec, name, float(v))
    return msgs


@dataclass(frozen=True)
class NetworkSpec:
    """What the network must satisfy and how costs are counted (a what-if is ``dataclasses.replace``).

    * ``dc_count``: exact number of DCs, or ``None`` for free (within ``min_dcs``..``max_dcs``).
    * ``sourcing``: ``"single"`` (each customer served by one DC) or ``"multi"`` (demand may split).
    * ``force_open`` / ``force_closed``: site ids that must be open (the existing network) / closed.
    * ``service_radius_km`` and ``service_share``: at least this share (0-1) of demand within the
      radius; ``service_share=1.0`` means *every* customer within the radius.
    * ``two_echelon``: add inbound flows plant -> DC at ``inbound_rate`` with plant capacities.
    * ``outbound_rate`` / ``inbound_rate``: USD per unit-km, both scaled by ``transport_multiplier``;
      ``fixed_cost_multiplier`` scales the sites' fixed costs; ``circuity`` turns great-circle
      into road distance.
    * ``time_limit_s``, ``mip_gap`` (relative), ``method`` (``auto``, ``mip``, ``lagrangian``).
    """

    dc_count: int | None = None
    min_dcs: int = 1
    max_dcs: int | None = None
    sourcing: str = "single"
    force_open: tuple[str, ...] = ()
    force_closed: tuple[str, ...] = ()
    service_radius_km: float | None = None
    service_share: float = 0.0
    two_echelon: bool = False
    outbound_rate: float = 0.0006
    inbound_rate: float = 0.0002
    transport_multiplier: float = 1.0
    fixed_cost_multiplier: float = 1.0
    circuity: float = DEFAULT_CIRCUITY
    time_limit_s: float = 30.0
    mip_gap: float = 1e-4
    method: str = "auto"
    # -- transport rated by weight (needs a demand profile with product weights) -----------
    rate_basis: str = "unit"
    outbound_rate_tkm: float = 0.06
    inbound_rate_tkm: float = 0.02
    # -- inventory in the trade-off ------------------------------------------------------
    inventory: bool = False
    holding_rate: float = 0.25
    service_level: float = 0.95
    lead_time_weeks: float = 1.0
    review_period_weeks: float = 1.0
    # -- carbon --------------------------------------------------------------------------
    co2_outbound_kg_tkm: float = CO2_OUTBOUND_KG_TKM
    co2_inbound_kg_tkm: float = CO2_INBOUND_KG_TKM
    carbon_price: float = 0.0
    co2_cap_kg: float | None = None
    # -- peak weeks ----------------------------------------------------------------------
    peak_constraint: bool = False
    peak_surge: float = 1.0
    peak_weeks: int = 3
    # -- capacity unit -------------------------------------------------------------------
    capacity_basis: str = "units"

    def __post_init__(self):
        object.__setattr__(self, "force_open", tuple(str(s) for s in self.force_open))
        object.__setattr__(self, "force_closed", tuple(str(s) for s in self.force_closed))
        msgs = _number_problems(self)
        if msgs:  # wrong types first: the range checks below need numbers
            raise SpecificationError("; ".join(msgs), constraint="spec")
        if self.sourcing not in SOURCING:
            msgs.append(f"sourcing must be one of {SOURCING}, got {self.sourcing!r}")
        if self.method not in METHODS:
            msgs.append(f"method must be one of {METHODS}, got {self.method!r}")
        if self.dc_count is not None and self.dc_count < 1:
            msgs.append(f"the number of DCs must be at least 1, got {self.dc_count}")
        if self.min_dcs < 0:
            msgs.append(f"min_dcs must be >= 0, got {self.min_dcs}")
        if self.max_dcs is not None and self.max_dcs < self.min_dcs:
            msgs.append(f"max_dcs ({self.max_dcs}) is below min_dcs ({self.min_dcs})")
        if not 0.0 <= self.service_share <= 1.0:
            msgs.append(f"service_share is a share between 0 and 1, got {self.service_share}")
        if self.service_radius_km is not None and not self.service_radius_km > 0:
            msgs.append(f"service_radius_km must be positive, got {self.service_radius_km}")
        if self.service_share > 0 and self.service_radius_km is None:
            msgs.append("a service share needs a service radius (service_radius_km)")
        for name in ("outbound_rate", "inbound_rate", "transport_multiplier", "fixed_cost_multiplier"):
            if not getattr(self, name) >= 0:
                msgs.append(f"{name} must be >= 0, got {getattr(self, name)}")
        if not self.circuity > 0:
            msgs.append(f"circuity must be positive, got {self.circuity}")
        if not self.time_limit_s > 0:
            msgs.append(f"time_limit_s must be positive, got {self.time_limit_s}")
        if not 0 <= self.mip_gap < 1:
            msgs.append(f"mip_gap is a relative gap in [0, 1), got {self.mip_gap}")
        if self.capacity_basis not in CAPACITY_BASES:
            msgs.append(f"capacity_basis must be one of {CAPACITY_BASES}, got {self.capacity_basis!r}")
        if self.rate_basis not in RATE_BASES:
            msgs.append(f"rate_basis must be one of {RATE_BASES}, got {self.rate_basis!r}")
        for name in ("outbound_rate_tkm", "inbound_rate_tkm", "holding_rate", "co2_outbound_kg_tkm",
                     "co2_inbound_kg_tkm", "carbon_price"):
            v = getattr(self, name)
            if not v >= 0:
                msgs.append(f"{name} must be >= 0, got {v}")
        if not 0.5 <= self.service_level < 1.0:
            msgs.append(f"service_level is a cycle service level in [0.5, 1), e.g. 0.95; got {self.service_level}")
        for name in ("lead_time_weeks", "review_period_weeks", "peak_surge"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                msgs.append(f"{name} must be positive, got {v}")
        if self.co2_cap_kg is not None and not (math.isfinite(self.co2_cap_kg) and self.co2_cap_kg > 0):
            msgs.append(f"co2_cap_kg must be a positive number of kg CO2e per year, got {self.co2_cap_kg}")
        if not 1 <= self.peak_weeks <= 52:
            msgs.append(f"peak_weeks is a number of weeks from 1 to 52, got {self.peak_weeks}")
        both = set(self.force_open) & set(self.force_closed)
        if both:
            msgs.append(f"sites both forced open and forced closed: {', '.join(sorted(both))}")
        if msgs:
            raise SpecificationError("; ".join(msgs), constraint="spec")

    #: the transport rates whose defaults are US dollar figures (money per unit-km or tonne-km)
    MONEY_RATES = ("outbound_rate", "inbound_rate", "outbound_rate_tkm", "inbound_rate_tkm")

    @classmethod
    def for_currency(cls, currency: str, **values) -> "NetworkSpec":
        """A spec for data whose money is in ``currency`` (the World's, ``world.currency``).

        The default transport rates (:attr:`MONEY_RATES`) are US dollar figures; here they are
        expressed in ``currency`` at the exchange rates of :data:`workbench.currency.ECB_RATES`
        (ECB reference rates of 11 June 2024), rounded to 8 decimals. ``values`` are taken as
        given (already in ``currency``; a carbon price too). A currency without a rate in the
        table is refused unless ``values`` gives every rate (:class:`DataError` naming them)."""
        from ..currency import usd_rate

        code = str(currency or "USD").strip().upper()
        rate = usd_rate(code)
        if rate is None:
            missing = [n for n in cls.MONEY_RATES if n not in values]
            if missing:
                raise DataError([Problem(
                    f"the network model's default transport rates are in USD and the workbench has no exchange "
                    f"rate for {code}",
                    f"give {', '.join(missing)} in {code} per unit-km (tonne-km for the _tkm rates): "
                    f"NetworkSpec.for_currency('{code}', " + ", ".join(f"{n}=..." for n in missing) + ")",
                    table="network specification", column="currency", value=code)],
                    context="The network design's transport rates are not usable")
            return cls(**values)
        if code == "USD":
            return cls(**values)
        usd = cls()
        base = {n: round(getattr(usd, n) * rate, 8) for n in cls.MONEY_RATES}
        base.update(values)
        return cls(**base)

    @property
    def every_customer_within_radius(self) -> bool:
        return self.service_radius_km is not None and self.service_share >= 1.0

    def count_bounds(self, n_sites: int) -> tuple[int, int]:
        if self.dc_count is not None:
            return self.dc_count, self.dc_count
        hi = n_sites if self.max_dcs is None else min(self.max_dcs, n_sites)
        return self.min_dcs, hi


@dataclass(frozen=True)
class NetworkResult:
    """A solved network.

    ``sites``: every candidate (open or not) with ``open``, volume (units/yr), utilisation,
    customers served, fixed / handling / inbound / outbound cost and total (USD/yr).
    ``flows``: one row per customer -> site flow (units/yr, share of the customer's demand,
    distance km, within the service radius, handling and outbound cost). ``inbound``: plant ->
    site flows when two echelons are modelled (else empty). Cost breakdown, service KPIs and the
    solver's facts are plain numbers. ``gap`` is relative: (objective - best_bound) / objective.
    """

    sites: pd.DataFrame
    flows: pd.DataFrame
    inbound: pd.DataFrame
    spec: NetworkSpec
    # costs (USD / yr)
    fixed_cost: float
    handling_cost: float
    inbound_cost: float
    outbound_cost: float
    total_cost: float
    # service
    total_demand: float
    dc_count: int
    mean_distance_km: float
    share_within_radius: float
    max_distance_km: float
    service_radius_km: float | None
    # solver
    status: str
    objective: float
    best_bound: float
    gap: float
    seconds: float
    method: str
    time_limit_s: float
    notes: tuple[str, ...] = ()
    # inventory (reported for every design; its holding cost is in the total when spec.inventory)
    inventory_cost: float = 0.0
    inventory_value: float = 0.0
    safety_stock_units: float = 0.0
    # carbon (kg CO2e per year; carbon_cost = price x CO2, in the total)
    co2_kg: float = math.nan
    carbon_cost: float = 0.0
    # peak weeks: units per week above the weekly capacity, summed over sites at their worst week
    peak_shortfall_units: float = 0.0
    peak: pd.DataFrame | None = None
    #: how ``best_bound`` was obtained and what it proves ("" for the solver's own bound of the exact model)
    bound_method: str = ""

    @property
    def open_sites(self) -> pd.DataFrame:
        return self.sites[self.sites["open"]].reset_index(drop=True)

    @property
    def open_site_ids(self) -> tuple[str, ...]:
        return tuple(self.sites.loc[self.sites["open"], "site_id"])

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def cost_breakdown(self) -> dict[str, float]:
        return {"fixed": self.fixed_cost, "handling": self.handling_cost, "inbound": self.inbound_cost,
                "outbound": self.outbound_cost, "inventory": self.inventory_cost, "carbon": self.carbon_cost,
                "total": self.total_cost}

    @property
    def cost_per_unit(self) -> float:
        return self.total_cost / self.total_demand if self.total_demand > 0 else math.nan

    def assignment(self) -> pd.Series:
        """Main DC of each customer (the site serving the largest share), indexed by customer_id."""
        f = self.flows.sort_values(["customer_id", "share"], ascending=[True, False])
        return f.drop_duplicates("customer_id").set_index("customer_id")["site_id"]

    def kpis(self) -> dict[str, float]:
        """Headline numbers (for cards, saved scenarios and comparisons)."""
        return {
            "total_cost": self.total_cost,
            "fixed_cost": self.fixed_cost,
            "handling_cost": self.handling_cost,
            "inbound_cost": self.inbound_cost,
            "outbound_cost": self.outbound_cost,
            "inventory_cost": self.inventory_cost,
            "carbon_cost": self.carbon_cost,
            "inventory_value": self.inventory_value,
            "co2_t": self.co2_kg / 1000.0,
            "peak_shortfall_units": self.peak_shortfall_units,
            "cost_per_unit": self.cost_per_unit,
            "dc_count": float(self.dc_count),
            "mean_distance_km": self.mean_distance_km,
            "share_within_radius": self.share_within_radius,
            "max_distance_km": self.max_distance_km,
            "gap": self.gap,
            "seconds": self.seconds,
        }

    def __repr__(self) -> str:
        return (f"NetworkResult({self.dc_count} DCs: {', '.join(self.open_site_ids)}; total cost "
                f"{self.total_cost:,.0f} a year; mean distance {self.mean_distance_km:,.0f} km; "
                f"{self.status}, gap {100 * self.gap:.3f}%, {self.seconds:.2f} s)")


def _col(df: pd.DataFrame, name: str, default) -> np.ndarray:
    if name in df.columns:
        return df[name].to_numpy()
    return np.full(len(df), default)


def _lat_lon() -> tuple[Column, Column]:
    return (Column("lat", "float", "Latitude", "degrees", min=-90, max=90),
            Column("lon", "float", "Longitude", "degrees", min=-180, max=180))


def _typed(raw, typed: pd.DataFrame):
    """The input with its checked columns replaced by their typed values (other columns kept)."""
    if not isinstance(raw, pd.DataFrame) or typed.empty or len(typed) != len(raw):
        return raw
    out = raw.reset_index(drop=True).copy()
    for c in typed.columns:
        out[c] = typed[c].to_numpy()
    return out


_CUSTOMERS = TableSchema("customers", "Demand points", (
    Column("customer_id", "id", "Customer id", unique=True), *_lat_lon(),
    Column("annual_demand", "float", "Demand per year", "units/yr", min=0)), min_rows=0)
_SITES = TableSchema("sites", "Candidate DC sites", (
    Column("site_id", "id", "Site id", unique=True), *_lat_lon(),
    Column("fixed_cost", "float", "Fixed cost per year", "money/yr", min=0),
    Column("capacity", "float", "Capacity (inf: uncapacitated)", "units/yr", min=0, allow_inf=True),
    Column("handling_cost", "float", "Handling cost per unit", "money/unit", min=0, required=False, default=0.0)),
    min_rows=0)
_PLANTS = TableSchema("plants", "Plants", (
    Column("plant_id", "id", "Plant id", unique=True), *_lat_lon(),
    Column("capacity", "float", "Capacity (inf: uncapacitated)", "units/yr", min=0, allow_inf=True)), min_rows=0)


@dataclass(frozen=True)
class FacilityProblem:
    """Candidate sites, customers (and plants), the distance matrices and a :class:`NetworkSpec`.

    Build with :meth:`from_world`, :meth:`from_tables` or :meth:`from_cost_matrix`; change the
    spec with :meth:`with_spec` (the matrices are reused); :meth:`solve` returns a
    :class:`NetworkResult`.
    """

    customers: pd.DataFrame      # customer_id, name, lat, lon, demand
    sites: pd.DataFrame          # site_id, name, lat, lon, fixed_cost, capacity, handling_cost, existing
    plants: pd.DataFrame         # plant_id, name, lat, lon, capacity (may be empty)
    distance_km: np.ndarray | None          # (sites, customers)
    plant_distance_km: np.ndarray | None    # (plants, sites)
    spec: NetworkSpec = field(default_factory=NetworkSpec)
    assignment_cost: np.ndarray | None = None  # (sites, customers) cost of all of j's demand from i
    name: str = "network"
    #: True when ``distance_km`` are road distances already (a DistanceSource, a cost matrix);
    #: False when they are great-circle km to be multiplied by ``spec.circuity``
    road_distances: bool = False
    #: product mix, weekly variability and weekly pattern per customer (inventory, weight, peaks)
    profile: DemandProfile | None = None
    #: "annual" (customers' annual demand) or "forecast" (the planning year from the forecast)
    demand_source: str = "annual"
    #: growth per product and region when the demand is the forecast's (else empty)
    growth: pd.DataFrame | None = None

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_world(cls, world, spec: NetworkSpec | None = None, *, distance_source=None,
                   demand: str = "annual") -> "FacilityProblem":
        """From a :class:`~workbench.World`: its customers, candidate sites, plants, products and history.

        ``demand="forecast"`` plans for the next 52 weeks: every customer's annual demand grows
        by the forecast growth of its region's products (:func:`forecast_growth`), and the
        weekly pattern (peak weeks) is the forecast's.
        """
        return cls.from_tables(world.customers, world.sites, world.plants, spec=spec,
                               distance_source=distance_source, name=getattr(world, "source", "world"),
                               products=world.products, demand_history=world.demand_history, demand=demand)

    @classmethod
    def from_tables(cls, customers: pd.DataFrame, sites: pd.DataFrame, plants: pd.DataFrame | None = None, *,
                    spec: NetworkSpec | None = None, distance_source=None, name: str = "network",
                    products: pd.DataFrame | None = None, demand_history: pd.DataFrame | None = None,
                    demand: str = "annual") -> "FacilityProblem":
        """From tables: customers (customer_id, lat, lon, annual_demand[, region]), sites (site_id, lat,
        lon, fixed_cost, capacity, handling_cost[, existing, name]), plants (plant_id, lat, lon, capacity),
        optionally products (product_id, weight_kg, volume_m3, unit_cost, demand_share) and the
        weekly demand history (product_id, region, ds, y) for the demand profile.

        Distances: great circle x ``spec.circuity``, or ``distance_source.matrices(...)`` (km).
        ``demand``: ``"annual"`` (the customers' annual demand) or ``"forecast"`` (next 52 weeks).
        """
        spec = spec or NetworkSpec()
        problems: list[Problem] = []  # one validation path: the schema rules, spreadsheet row numbers
        customers = _typed(customers, check_table(customers, _CUSTOMERS, problems))
        sites = _typed(sites, check_table(sites, _SITES, problems))
        if plants is not None and len(plants):
            plants = _typed(plants, check_table(plants, _PLANTS, problems))
        if len(customers) == 0:
            problems.append(Problem("there are no customers", fix="load a customers table", table="customers"))
        if len(sites) == 0:
            problems.append(Problem("there are no candidate sites", fix="load a sites table", table="sites"))
        if problems:
            raise DataError(problems, context="The network design input has problems")
        if demand not in DEMAND_SOURCES:
            raise SpecificationError(f"demand must be one of {DEMAND_SOURCES}, got {demand!r}", constraint="demand")
        growth = None
        pattern = None
        if demand == "forecast":
            if demand_history is None or not len(demand_history) or "region" not in customers.columns:
                raise SpecificationError("next year's demand needs the weekly demand history and a region per "
                                         "customer: load demand_history or plan on the annual demand",
                                         constraint="demand")
            growth, pattern = forecast_growth(demand_history)
            customers = _grow(customers, growth, products)
        cust = pd.DataFrame({
            "customer_id": customers["customer_id"].astype(str).to_numpy(),
            "name": _col(customers, "name", "").astype(str) if "name" in customers else customers["customer_id"].astype(str).to_numpy(),
            "lat": customers["lat"].to_numpy(float), "lon": customers["lon"].to_numpy(float),
            "demand": customers["annual_demand"].to_numpy(float),
        })
        st = pd.DataFrame({
            "site_id": sites["site_id"].astype(str).to_numpy(),
            "name": sites["name"].astype(str).to_numpy() if "name" in sites else sites["site_id"].astype(str).to_numpy(),
            "lat": sites["lat"].to_numpy(float), "lon": sites["lon"].to_numpy(float),
            "fixed_cost": sites["fixed_cost"].to_numpy(float),
            "capacity": pd.to_numeric(sites["capacity"]).to_numpy(float),
            "handling_cost": _col(sites, "handling_cost", 0.0).astype(float),
            "existing": _col(sites, "existing", False).astype(bool),
        })
        if plants is not None and len(plants):
            pl = pd.DataFrame({
                "plant_id": plants["plant_id"].astype(str).to_numpy(),
                "name": plants["name"].astype(str).to_numpy() if "name" in plants else plants["plant_id"].astype(str).to_numpy(),
                "lat": plants["lat"].to_numpy(float), "lon": plants["lon"].to_numpy(float),
                "capacity": pd.to_numeric(plants["capacity"]).to_numpy(float),
            })
        else:
            pl = pd.DataFrame({"plant_id": pd.Series(dtype=str), "name": pd.Series(dtype=str),
                               "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float),
                               "capacity": pd.Series(dtype=float)})
        if distance_source is not None:
            dist, _ = distance_source.matrices(st[["lat", "lon"]], cust[["lat", "lon"]])
            pdist = distance_source.matrices(pl[["lat", "lon"]], st[["lat", "lon"]])[0] if len(pl) else None
        else:
            dist = distance_matrix_km(st[["lat", "lon"]], cust[["lat", "lon"]], circuity=1.0)
            pdist = distance_matrix_km(pl[["lat", "lon"]], st[["lat", "lon"]], circuity=1.0) if len(pl) else None
        profile = build_profile(customers.assign(customer_id=cust["customer_id"]), products, demand_history,
                                pattern=pattern)
        return cls(cust, st, pl, np.asarray(dist, float), None if pdist is None else np.asarray(pdist, float),
                   spec, None, name, road_distances=distance_source is not None, profile=profile,
                   demand_source=demand, growth=growth)

    @classmethod
    def from_cost_matrix(cls, cost, *, demand, fixed_cost=None, capacity=None, distance_km=None,
                         site_ids: Sequence[str] | None = None, customer_ids: Sequence[str] | None = None,
                         spec: NetworkSpec | None = None, name: str = "cost matrix") -> "FacilityProblem":
        """From a (sites x customers) matrix of the cost of serving *all* of a customer's demand
        from a site (the OR-Library convention), demands, fixed costs and capacities.

        ``distance_km`` (same shape) is optional; without it service constraints are unavailable
        and distance KPIs are NaN. All assignment cost is reported as outbound cost.
        """
        cost = np.asarray(cost, float)
        if cost.ndim != 2:
            raise DataError("the cost matrix must be two-dimensional (sites x customers)")
        m, n = cost.shape
        demand = np.broadcast_to(np.asarray(demand, float), (n,)).copy()
        fixed = np.zeros(m) if fixed_cost is None else np.broadcast_to(np.asarray(fixed_cost, float), (m,)).copy()
        cap = np.full(m, np.inf) if capacity is None else np.broadcast_to(np.asarray(capacity, float), (m,)).copy()
        problems = []
        if not np.isfinite(cost).all() or (cost < 0).any():
            problems.append(Problem("the cost matrix has negative or non-finite entries", fix="use costs >= 0",
                                    table="cost"))
        for arr, label in ((demand, "demand"), (fixed, "fixed_cost")):
            bad = ~np.isfinite(arr) | (arr < 0)
            for r in np.nonzero(bad)[0][:20]:
                problems.append(Problem(f"{label} must be a number >= 0", fix=f"correct {label}", table=label,
                                        row=int(r) + 1, value=float(arr[r])))
        if (np.isnan(cap) | (cap < 0)).any():
            problems.append(Problem("capacity must be >= 0 (inf for none)", fix="correct capacity", table="capacity"))
        if problems:
            raise DataError(problems, context="The cost-matrix input has problems")
        sid = [str(s) for s in site_ids] if site_ids is not None else [f"S{i + 1}" for i in range(m)]
        cid = [str(c) for c in customer_ids] if customer_ids is not None else [f"C{j + 1}" for j in range(n)]
        cust = pd.DataFrame({"customer_id": cid, "name": cid, "lat": np.nan, "lon": np.nan, "demand": demand})
        st = pd.DataFrame({"site_id": sid, "name": sid, "lat": np.nan, "lon": np.nan, "fixed_cost": fixed,
                           "capacity": cap, "handling_cost": 0.0, "existing": False})
        pl = pd.DataFrame({"plant_id": pd.Series(dtype=str), "name": pd.Series(dtype=str),
                           "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float),
                           "capacity": pd.Series(dtype=float)})
        dist = None if distance_km is None else np.asarray(distance_km, float)
        profile = build_profile(pd.DataFrame({"customer_id": cid, "annual_demand": demand}))
        return cls(cust, st, pl, dist, None, spec or NetworkSpec(circuity=1.0), cost, name, road_distances=True,
                   profile=profile)

    def with_spec(self, spec: NetworkSpec | None = None, **changes) -> "FacilityProblem":
        """The same data (and distance matrices) under another spec, or the spec with ``changes``."""
        spec = spec if spec is not None else dataclasses.replace(self.spec, **changes)
        return dataclasses.replace(self, spec=spec)

    # -- derived numbers ----------------------------------------------------------------
    @property
    def road_km(self) -> np.ndarray | None:
        """(sites x customers) road km under the spec's circuity."""
        if self.distance_km is None:
            return None
        return self.distance_km if self.road_distances else self.distance_km * self.spec.circuity

    @property
    def plant_road_km(self) -> np.ndarray | None:
        if self.plant_distance_km is None:
            return None
        return self.plant_distance_km if self.road_distances else self.plant_distance_km * self.spec.circuity

    def unit_costs(self) -> tuple[np.ndarray, np.ndarray]:
        """(handling, outbound) cost per unit, each (sites x customers)."""
        s = self.spec
        m, n = len(self.sites), len(self.customers)
        if self.assignment_cost is not None:
            d = self.customers["demand"].to_numpy(float)
            per_unit = np.divide(self.assignment_cost, d[None, :], out=np.zeros((m, n)), where=d[None, :] > 0)
            return np.zeros((m, n)), per_unit * s.transport_multiplier
        handling = np.repeat(self.sites["handling_cost"].to_numpy(float)[:, None], n, axis=1)
        if s.rate_basis == "tonne":
            outbound = self.road_km * self.unit_weight_kg()[None, :] / 1000.0 * (s.outbound_rate_tkm * s.transport_multiplier)
        else:
            outbound = self.road_km * (s.outbound_rate * s.transport_multiplier)
        return handling, outbound

    def inbound_unit_cost(self) -> np.ndarray | None:
        """(plants x sites) USD per unit plant -> site, or None without two echelons."""
        if not self.spec.two_echelon or self.plant_road_km is None:
            return None
        if self.spec.rate_basis == "tonne":
            return self.plant_road_km * self.mean_unit_weight_kg() / 1000.0 * (self.spec.inbound_rate_tkm * self.spec.transport_multiplier)
        return self.plant_road_km * (self.spec.inbound_rate * self.spec.transport_multiplier)

    # -- weight, carbon, inventory, peaks (exact, from flows) -------------------------------
    def _profile(self, what: str) -> DemandProfile:
        if self.profile is None:
            raise SpecificationError(f"{what} needs a demand profile: build the problem with from_world or "
                                     "from_tables", constraint="profile")
        return self.profile

    def unit_weight_kg(self) -> np.ndarray:
        """(customers,) kg per unit of each customer's product mix."""
        return self._profile("weight").unit_weight_kg()

    def mean_unit_weight_kg(self) -> float:
        """kg per unit of the whole demand (plant -> DC loads carry the network's mix)."""
        d = self.customers["demand"].to_numpy(float)
        w = self.unit_weight_kg()
        return float((w * d).sum() / d.sum()) if d.sum() > 0 else float(w.mean())

    def co2_per_unit(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """kg CO2e per unit: outbound (sites x customers) and inbound (plants x sites, None with one echelon)."""
        s = self.spec
        if self.road_km is None:
            return None, None
        out = self.road_km * self.unit_weight_kg()[None, :] / 1000.0 * s.co2_outbound_kg_tkm
        inb = None
        if s.two_echelon and self.plant_road_km is not None:
            inb = self.plant_road_km * self.mean_unit_weight_kg() / 1000.0 * s.co2_inbound_kg_tkm
        return out, inb

    def inventory_by_site(self, units: np.ndarray) -> dict[str, np.ndarray]:
        """Exact inventory of each site for flows ``units`` (sites x customers, units/yr).

        Periodic review every R weeks with lead time L: safety stock per product
        ``z * sqrt((L + R) * V_ip)`` with ``V_ip = sum_j units_ij * var_rate_jp`` (weekly variance
        of the demand served), cycle stock ``R / 2`` weeks of the mean weekly demand; value at
        the products' unit cost, holding cost at ``holding_rate`` per year.
        """
        from scipy.stats import norm

        s = self.spec
        prof = self._profile("inventory")
        z = float(norm.ppf(s.service_level))
        V = units @ prof.var_rate                                  # (m, P) weekly variance
        ss = z * np.sqrt((s.lead_time_weeks + s.review_period_weeks) * V)
        cs = (units @ prof.mix) / WEEKS * s.review_period_weeks / 2.0
        value = ss @ prof.unit_value + cs @ prof.unit_value
        return {"safety_stock": ss.sum(axis=1), "cycle_stock": cs.sum(axis=1),
                "safety_stock_value": ss @ prof.unit_value, "inventory_value": value,
                "inventory_cost": value * s.holding_rate}

    def product_flows(self, result: "NetworkResult") -> pd.DataFrame:
        """The result's customer -> DC flows split per product family by each customer's mix:
        customer_id, site_id, product_id, units, weight_t (units add up to the flows')."""
        prof = self._profile("products")
        cidx = {c: j for j, c in enumerate(self.customers["customer_id"])}
        f = result.flows
        j = f["customer_id"].map(cidx).to_numpy(int)
        mix = prof.mix[j]                                             # (flows, P)
        units = f["units"].to_numpy(float)[:, None] * mix
        P = len(prof.products)
        out = pd.DataFrame({
            "customer_id": np.repeat(f["customer_id"].to_numpy(), P),
            "site_id": np.repeat(f["site_id"].to_numpy(), P),
            "product_id": np.tile(np.array(prof.products, dtype=object), len(f)),
            "units": units.ravel(),
            "weight_t": (units * prof.weight_kg[None, :] / 1000.0).ravel(),
        })
        return out[out["units"] > 0].reset_index(drop=True)

    def capacity_use(self) -> np.ndarray:
        """(customers,) capacity each customer's annual demand takes: units, or m3 with capacity_basis="m3"."""
        d = self.customers["demand"].to_numpy(float)
        if self.spec.capacity_basis == "m3":
            vol = self._profile("capacity in m3").unit_volume_m3()
            if not (vol > 0).all():
                raise SpecificationError("capacity in m3 needs a volume per unit for every product (products."
                                         "volume_m3 > 0): add volumes or keep capacities in units",
                                         constraint="capacity_basis")
            return d * vol
        return d

    def weekly_capacity(self) -> np.ndarray:
        """Units per week each site can ship: a ``weekly_capacity`` column, else capacity / 52 x surge."""
        if "weekly_capacity" in self.sites.columns:
            return self.sites["weekly_capacity"].to_numpy(float)
        return self.sites["capacity"].to_numpy(float) / WEEKS * self.spec.peak_surge

    def weekly_loads(self, units: np.ndarray) -> np.ndarray:
        """(sites x weeks) units shipped per week for flows ``units`` (the profile's weekly pattern)."""
        return units @ self._profile("peak weeks").week_share

    def peak_week_index(self) -> np.ndarray:
        """Weeks of the pattern that can be the peak of some DC: each region's (customer group's) top weeks."""
        prof = self._profile("peak weeks")
        d = self.customers["demand"].to_numpy(float)
        pats, inv = np.unique(np.round(prof.week_share, 12), axis=0, return_inverse=True)
        weeks = set()
        k = self.spec.peak_weeks
        for g in range(len(pats)):
            weeks.update(np.argsort(-pats[g], kind="stable")[:k].tolist())
        total = (d[:, None] * prof.week_share).sum(axis=0)
        weeks.update(np.argsort(-total, kind="stable")[:k].tolist())
        return np.array(sorted(weeks), int)

    def _indices(self, ids: Sequence[str], what: str) -> np.ndarray:
        known = {s: i for i, s in enumerate(self.sites["site_id"])}
        bad = [s for s in ids if s not in known]
        if bad:
            raise SpecificationError(f"{what} names unknown site(s) {', '.join(bad)}; known sites are "
                                     f"{', '.join(list(known)[:30])}", constraint=what)
        mask = np.zeros(len(self.sites), bool)
        mask[[known[s] for s in ids]] = True
        return mask

    # -- validation ---------------------------------------------------------------------
    def check_spec(self) -> list[str]:
        """Raise :class:`SpecificationError` for a spec that cannot be met (with the numbers).

        Returns warnings for legal but odd choices.
        """
        s = self.spec
        m = len(self.sites)
        warnings: list[str] = []
        opened = self._indices(s.force_open, "force_open")
        closed = self._indices(s.force_closed, "force_closed")
        lo, hi = s.count_bounds(m)
        if s.dc_count is not None and s.dc_count > m:
            raise SpecificationError(f"{s.dc_count} DCs were asked for but there are only {m} candidate sites: "
                                     "ask for fewer DCs or add candidate sites", constraint="dc_count",
                                     shortfall=float(s.dc_count - m))
        if opened.sum() > hi:
            raise SpecificationError(f"{int(opened.sum())} sites are forced open but at most {hi} DCs are allowed: "
                                     "force fewer sites open or allow more DCs", constraint="force_open",
                                     shortfall=float(opened.sum() - hi))
        available = int((~closed).sum())
        if available < lo:
            raise SpecificationError(f"{lo} DCs are required but only {available} sites are not forced closed: "
                                     "close fewer sites or ask for fewer DCs", constraint="force_closed",
                                     shortfall=float(lo - available))
        d = self.capacity_use()
        D = float(d.sum())
        unit = "m3/yr" if s.capacity_basis == "m3" else "units/yr"
        cap = self.sites["capacity"].to_numpy(float)
        # the most capacity hi sites can have: the forced ones plus the largest of the others
        cand = np.where(closed, -1.0, cap)
        others = np.sort(cand[~opened & ~closed])[::-1][:max(0, hi - int(opened.sum()))]
        best_cap = float(cap[opened].sum() + others.sum())
        if best_cap < D * (1 - 1e-12):
            limit = f"the {hi} largest open-able sites" if hi < available else "all open-able sites"
            raise SpecificationError(
                f"capacity of {limit} is {best_cap:,.0f} {unit} < demand {D:,.0f} {unit} "
                f"(short by {D - best_cap:,.0f}): raise capacities, allow more DCs or close fewer sites",
                constraint="capacity", shortfall=D - best_cap)
        if s.sourcing == "single":
            dmax = float(d.max()) if len(d) else 0.0
            biggest = float(cand.max()) if len(cand) else 0.0
            if dmax > biggest:
                j = int(np.argmax(d))
                raise SpecificationError(
                    f"customer {self.customers['customer_id'].iloc[j]} needs {dmax:,.0f} {unit} but the largest "
                    f"open-able site holds {biggest:,.0f}: allow multi-sourcing or raise capacities",
                    constraint="single_sourcing", shortfall=dmax - biggest)
        if s.service_radius_km is not None and s.service_share > 0:
            km = self.road_km
            if km is None:
                raise SpecificationError("a service radius needs distances: build the problem from tables "
                                         "or give distance_km", constraint="service")
            within = (km <= s.service_radius_km) & ~closed[:, None]
            if s.every_customer_within_radius:
                lonely = np.nonzero(~within.any(axis=0))[0]
                if len(lonely):
                    names = ", ".join(_customer_label(self.customers, j) + f" ({km[~closed, j].min():,.0f} km)"
                                      for j in lonely[:8])
                    need = float(km[~closed][:, lonely].min(axis=0).max())
                    raise SpecificationError(
                        f"{len(lonely)} customer(s) have no open-able site within {s.service_radius_km:,.0f} km: "
                        f"{names}{' ...' if len(lonely) > 8 else ''}. Widen the radius to at least {need:,.0f} km, "
                        "lower the service share or add candidate sites", constraint="service_radius",
                        shortfall=need - s.service_radius_km)
            else:
                reach = float(d[within.any(axis=0)].sum())
                if reach < s.service_share * D * (1 - 1e-12):
                    raise SpecificationError(
                        f"only {reach:,.0f} units/yr ({100 * reach / D:.1f}% of demand) have any open-able site within "
                        f"{s.service_radius_km:,.0f} km, but {100 * s.service_share:.1f}% is required: widen the "
                        "radius, lower the share or add candidate sites", constraint="service_share",
                        shortfall=s.service_share * D - reach)
        if s.two_echelon:
            if len(self.plants) == 0:
                raise SpecificationError("two echelons need plants, and the plants table is empty: load plants "
                                         "or switch two-echelon off", constraint="plants")
            pcap = float(self.plants["capacity"].sum())
            if pcap < D * (1 - 1e-12):
                raise SpecificationError(
                    f"plant capacity {pcap:,.0f} units/yr < demand {D:,.0f} units/yr (short by {D - pcap:,.0f}): "
                    "raise plant capacities or switch two-echelon off", constraint="plant_capacity",
                    shortfall=D - pcap)
        if s.dc_count is not None and (s.max_dcs is not None or s.min_dcs not in (0, 1)):
            warnings.append(f"the exact number of DCs ({s.dc_count}) overrides min/max DCs")
        if s.sourcing == "single" and s.service_share > 0 and not s.every_customer_within_radius:
            pass
        return warnings

    # -- the core -------------------------------------------------------------------------
    def core(self, inventory_at: np.ndarray | None = None, peak_extra: Sequence[int] = ()) -> Core:
        """The numeric model. ``inventory_at`` (sites x products weekly variance) is where the
        concave safety-stock cost is linearised (tangent per site and product) when inventory is on."""
        s = self.spec
        m = len(self.sites)
        d = self.customers["demand"].to_numpy(float)
        handling, outbound = self.unit_costs()
        cost = (handling + outbound) * d[None, :]
        fixed_extra = np.zeros(m)
        co2_out, co2_in = (self.co2_per_unit() if (s.carbon_price > 0 or s.co2_cap_kg is not None)
                           else (None, None))
        if s.carbon_price > 0 and co2_out is not None:
            cost = cost + co2_out * d[None, :] * (s.carbon_price / 1000.0)
        if s.inventory:
            a, b = self.inventory_tangent(inventory_at)
            cost = cost + b * d[None, :]
            fixed_extra = a
        lo, hi = s.count_bounds(m)
        opened = self._indices(s.force_open, "force_open")
        closed = self._indices(s.force_closed, "force_closed")
        allowed = np.ones((m, len(d)), bool)
        within = None
        if s.service_radius_km is not None and self.road_km is not None:
            within = self.road_km <= s.service_radius_km + 1e-9
            if s.every_customer_within_radius:
                allowed = within.copy()
        core = Core(self.sites["fixed_cost"].to_numpy(float) * s.fixed_cost_multiplier + fixed_extra,
                    self.sites["capacity"].to_numpy(float), d, cost, allowed=allowed,
                    single=s.sourcing == "single", kmin=lo, kmax=hi, force_open=opened, force_closed=closed,
                    within=within if (within is not None and 0 < s.service_share < 1) else None,
                    share=s.service_share if 0 < s.service_share < 1 else 0.0)
        inbound = self.inbound_unit_cost()
        if inbound is not None:
            core.plant_capacity = self.plants["capacity"].to_numpy(float)
            if s.carbon_price > 0 and co2_in is not None:
                inbound = inbound + co2_in * (s.carbon_price / 1000.0)
            core.inbound = inbound
        use = d
        if s.capacity_basis == "m3":
            # exact rows in m3; the unit capacity the heuristics see is a relaxation (largest units
            # a site can hold), and a construction within the smallest is safe
            use = self.capacity_use()
            vol = use / np.maximum(d, 1e-300)
            cap_m3 = self.sites["capacity"].to_numpy(float)
            core.site_rows.append((use, cap_m3))
            core.capacity = cap_m3 / float(vol.min())
            core.safe_capacity = cap_m3 / float(vol.max())
        if s.peak_constraint:
            wcap = self.weekly_capacity()
            share = self._profile("peak weeks").week_share
            for t in sorted(set(self.peak_week_index().tolist()) | set(peak_extra)):
                core.site_rows.append((use * share[:, t], wcap))
            # any assignment within wcap / (largest weekly share) units a year holds every week
            top = float(share.max()) if share.size else 0.0
            if top > 0:
                safe = core.safe_capacity if core.safe_capacity is not None else core.capacity
                core.safe_capacity = np.minimum(safe, wcap / top / (float((use / np.maximum(d, 1e-300)).max())
                                                                    if s.capacity_basis == "m3" else 1.0))
        if s.co2_cap_kg is not None:
            if co2_out is None:
                raise SpecificationError("a CO2 cap needs distances: build the problem from tables",
                                         constraint="co2_cap")
            core.global_rows.append((co2_out * d[None, :], co2_in, float(s.co2_cap_kg)))
        return core

    def catchment_variance(self) -> np.ndarray:
        """(sites x products) weekly variance of the customers nearest to each site (a site nobody is
        nearest to: the mean over the others) - where the safety-stock tangent starts."""
        prof = self._profile("inventory")
        d = self.customers["demand"].to_numpy(float)
        km = self.road_km if self.road_km is not None else self.unit_costs()[1]
        near = np.argmin(km, axis=0)
        units = np.zeros((len(self.sites), len(d)))
        units[near, np.arange(len(d))] = d
        V0 = units @ prof.var_rate
        empty = V0.sum(axis=1) <= 0
        if empty.any() and (~empty).any():
            V0[empty] = V0[~empty].mean(axis=0)
        return V0

    def min_inventory_cost(self) -> float:
        """The least inventory holding cost (USD/yr) any design that serves all demand can have.

        Cycle stock is R/2 weeks of every unit whatever the design. Safety stock per site and product
        is ``c_p z sqrt(T V_ip)`` and the variances served add up to the same total ``V_p`` in every
        design; as ``sqrt`` is subadditive, ``sum_i sqrt(V_ip) >= sqrt(V_p)``: no design holds less
        safety stock than all demand pooled at one DC.
        """
        from scipy.stats import norm

        s = self.spec
        prof = self._profile("inventory")
        d = self.customers["demand"].to_numpy(float)
        k = s.holding_rate * float(norm.ppf(s.service_level)) * math.sqrt(s.lead_time_weeks + s.review_period_weeks)
        pooled = float(k * (np.sqrt(d @ prof.var_rate) @ prof.unit_value))
        cycle = float(s.holding_rate * s.review_period_weeks / 2.0 / WEEKS * (d @ (prof.mix @ prof.unit_value)))
        return pooled + cycle

    def inventory_lower_bound(self, *, time_limit_s: float, hint: "NetworkResult | None" = None,
                              peak_extra: Sequence[int] = ()) -> tuple[float, str]:
        """A lower bound on the exact cost, inventory included, of every feasible design, and how it
        was obtained: the solver's bound of the same model without inventory (its constraints; the
        peak weeks generated so far, a relaxation) plus :meth:`min_inventory_cost`. Valid because the
        minimum of a sum is at least the sum of the minima. ``-inf`` when the solver has no bound."""
        base = self.with_spec(inventory=False)
        core = base.core(peak_extra=peak_extra)
        start = _hint_solution(hint, base, core)
        sol = solve_core(core, method=self.spec.method, time_limit_s=time_limit_s, mip_gap=self.spec.mip_gap,
                         hint=start)
        if not math.isfinite(sol.bound):
            return -INF, "no bound: the model without inventory was not bounded within the time limit"
        inv = self.min_inventory_cost()
        return float(sol.bound) + inv, (
            f"lower bound = the solver's bound of the design without inventory ({sol.bound:,.0f}, its gap "
            f"{100 * max(0.0, sol.gap):.2f}%) + the least inventory cost any design can have ({inv:,.0f}: cycle stock, "
            "and safety stock with all demand pooled at one DC)")

    def inventory_tangent(self, V0: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Linearised inventory holding cost: per site a fixed part ``a_i`` and per customer unit ``b_ij``.

        Safety stock value ``c_p z sqrt(T V_ip)`` is concave in the variance ``V_ip``; its tangent
        at ``V0_ip`` (``a + slope * V``) lies above it, so the linear model never under-states the
        cost of a design. Cycle stock is linear (R/2 weeks of each unit). Without ``V0`` the
        tangent is taken at each site's natural catchment (the customers nearest to it).
        """
        from scipy.stats import norm

        s = self.spec
        prof = self._profile("inventory")
        d = self.customers["demand"].to_numpy(float)
        m = len(self.sites)
        if V0 is None:
            V0 = self.catchment_variance()
        V0 = np.maximum(V0, 1e-9)
        k = s.holding_rate * float(norm.ppf(s.service_level)) * math.sqrt(s.lead_time_weeks + s.review_period_weeks)
        root = np.sqrt(V0)
        a = k * (root / 2.0) @ prof.unit_value                               # (m,)
        slope = k * prof.unit_value[None, :] / (2.0 * root)                  # (m, P) per unit of variance
        b = slope @ prof.var_rate.T                                          # (m, n) per unit of demand
        cycle = s.holding_rate * s.review_period_weeks / 2.0 / WEEKS * (prof.mix @ prof.unit_value)
        return a, b + cycle[None, :]

    # -- solving --------------------------------------------------------------------------
    def _solve_inventory(self, core: Core, sol: Solution, start: float, warnings, progress,
                         rounds: int = INVENTORY_ROUNDS, peak_extra: Sequence[int] = ()) -> NetworkResult:
        """Iterate: re-linearise the safety-stock cost at the design's own variances, re-solve from it,
        re-cost every design exactly; the cheapest exactly-costed design wins."""
        d = self.customers["demand"].to_numpy(float)
        var_rate = self.profile.var_rate
        best = build_result(self, core, sol, notes=tuple(warnings))
        seen = {sol.open.tobytes()}
        V0 = None
        deadline = start + self.spec.time_limit_s
        for r in range(rounds):
            if progress is not None:
                progress(r + 1, rounds + 1)
            V = (sol.x * d[None, :]) @ var_rate
            if V0 is None:
                # open sites at the variance they serve, closed ones at their catchment's
                V0 = np.where(sol.open[:, None], V, self.catchment_variance())
            else:
                V0[sol.open] = V[sol.open]
            left = deadline - time.perf_counter()
            if left < 0.2:
                break
            core = self.core(inventory_at=V0, peak_extra=peak_extra)
            hint = Solution(sol.open, sol.x, sol.z, evaluate(core, sol.x, sol.open, sol.z), -INF, "feasible", 0.0, "hint")
            sol = solve_core(core, method=self.spec.method, time_limit_s=left / (rounds - r),
                             mip_gap=self.spec.mip_gap, hint=hint)
            if not math.isfinite(sol.objective):
                break
            res = build_result(self, core, sol, notes=tuple(warnings))
            if res.total_cost < best.total_cost - 1e-9 * abs(best.total_cost):
                best = res
            key = sol.open.tobytes()
            if key in seen:
                break
            seen.add(key)
        # what is proven: the design is re-costed exactly; its distance from the best possible
        # design is bounded by a lower bound of the exact problem (the iteration proves nothing)
        lb, how = self.inventory_lower_bound(time_limit_s=max(deadline - time.perf_counter(), 0.2 * self.spec.time_limit_s),
                                             hint=best, peak_extra=peak_extra)
        total = best.total_cost
        notes = tuple(n for n in best.notes if not n.startswith("inventory is priced by iterated tangents"))
        if math.isfinite(lb) and total > 0:
            bound = min(lb, total)
            gap = max(0.0, (total - bound) / abs(total))
            status = "optimal" if gap <= self.spec.mip_gap + 1e-12 else "feasible"
            proof = (f"Inventory is priced by re-solving with tangents of the concave safety-stock cost (at most "
                     f"{INVENTORY_ROUNDS + 1} solves) and re-costing every design exactly. Proven: this design costs "
                     f"{total:,.0f} exactly and at most {100 * gap:.2f}% more than the best possible design "
                     f"({how}). Not proven: that the iteration found the best design; the bound may be loose, as it "
                     "prices inventory as if all demand were pooled at one DC.")
        else:
            bound, gap, status = math.nan, math.nan, "feasible"
            proof = ("Inventory is priced by re-solving with tangents of the concave safety-stock cost and re-costing "
                     f"every design exactly; {how}, so no distance from the best possible design is claimed.")
        if progress is not None:
            progress(1, 1)
        return dataclasses.replace(best, seconds=time.perf_counter() - start, best_bound=float(bound),
                                   gap=float(gap), status=status, notes=notes + (proof,), bound_method=proof)

    def solve(self, *, progress: Callable[[int, int], None] | None = None,
              hint: "NetworkResult | None" = None,
              open_sets: Sequence[Sequence[str]] = ()) -> NetworkResult:
        """Choose the DCs and flows; raises :class:`SpecificationError` before solving when the spec
        cannot be met, :class:`SolverError` when no feasible solution exists or none was found in time.

        ``hint`` (an earlier result on the same sites and customers) warm-starts the solver;
        ``open_sets`` are further candidate sets of open site ids (e.g. from other DC counts): each
        is assigned and the cheapest feasible one is a starting incumbent, so a design known to be
        feasible is never lost.
        """
        start = time.perf_counter()
        warnings = self.check_spec()
        core = self.core()
        start_sol = _hint_solution(hint, self, core)
        if start_sol is not None and not _hint_ok(core, start_sol, partial=True):
            start_sol = None
        for ids in open_sets:
            cand = _solution_for_open(core, self._indices(tuple(ids), "open_sets"))
            if cand is not None and (start_sol is None or cand.objective < start_sol.objective):
                start_sol = cand
        sol = solve_core(core, method=self.spec.method, time_limit_s=self.spec.time_limit_s,
                         mip_gap=self.spec.mip_gap, hint=start_sol)
        peak_extra: set[int] = set()
        while self.spec.peak_constraint and math.isfinite(sol.objective):
            # the peak rows cover each region's top weeks; a DC's own mix may peak in another
            # week: add the weeks the design breaks and solve again (row generation)
            weekly = self.weekly_loads(sol.x * self.capacity_use()[None, :])
            over = (weekly > self.weekly_capacity()[:, None] * (1 + 1e-9) + 1e-6) & sol.open[:, None]
            new = set(np.nonzero(over.any(axis=0))[0].tolist()) - peak_extra
            left = start + self.spec.time_limit_s - time.perf_counter()
            if not new or left < 0.2:
                break
            peak_extra |= new
            core = self.core(peak_extra=tuple(peak_extra))
            sol = solve_core(core, method=self.spec.method, time_limit_s=left, mip_gap=self.spec.mip_gap)
        if self.spec.inventory and math.isfinite(sol.objective):
            return self._solve_inventory(core, sol, start, warnings, progress, peak_extra=tuple(peak_extra))
        if progress is not None:
            progress(1, 1)
        if sol.status == "infeasible":
            raise SolverError(_explain_infeasible(self))
        if not math.isfinite(sol.objective):
            err = SolverError(f"no feasible network was found within the time limit of {self.spec.time_limit_s:g} s "
                              f"(solver status: {sol.status}); raise the time limit or relax the constraints")
            err.status = sol.status
            raise err
        sol.seconds = time.perf_counter() - start
        return build_result(self, core, sol, notes=tuple(warnings))


def _grow(customers: pd.DataFrame, growth: pd.DataFrame, products: pd.DataFrame | None) -> pd.DataFrame:
    """Customers with next year's demand: each grows by its region's forecast growth (the product
    growths weighted by the region's product mix, i.e. forecast units / last year's units)."""
    by_region = growth.groupby(growth["region"].astype(str))[["last_units", "forecast_units"]].sum()
    factor = (by_region["forecast_units"] / by_region["last_units"]).where(by_region["last_units"] > 0, 1.0)
    regions = customers["region"].astype(str)
    unknown = sorted(set(regions) - set(factor.index))
    if unknown:
        raise DataError([Problem(f"region {unknown[0]} has customers but no demand history "
                                 f"({len(unknown)} regions)", table="customers", column="region", value=unknown[0],
                                 fix="add the region's weekly history or plan on the annual demand")])
    out = customers.copy()
    out["annual_demand"] = customers["annual_demand"].to_numpy(float) * regions.map(factor).to_numpy(float)
    return out


def _customer_label(customers: pd.DataFrame, j: int) -> str:
    cid, name = str(customers["customer_id"].iloc[j]), str(customers["name"].iloc[j])
    return cid if name in ("", cid) else f"{cid} {name}"


def _explain_infeasible(problem: FacilityProblem) -> str:
    s = problem.spec
    parts = ["the solver proved that no network meets every constraint together"]
    if s.dc_count is not None:
        parts.append(f"{s.dc_count} DCs")
    if s.service_radius_km is not None and s.service_share > 0:
        parts.append(f"{100 * s.service_share:.0f}% of demand within {s.service_radius_km:,.0f} km")
    if s.sourcing == "single":
        parts.append("single sourcing")
    if s.force_open:
        parts.append(f"forced open: {', '.join(s.force_open)}")
    return (parts[0] + (" (" + "; ".join(parts[1:]) + ")" if len(parts) > 1 else "")
            + ": allow more DCs, widen the service radius or lower the share, allow multi-sourcing, "
              "or raise capacities")


def _hint_solution(hint: NetworkResult | None, problem: FacilityProblem, core: Core) -> Solution | None:
    if hint is None:
        return None
    try:
        sidx = {s: i for i, s in enumerate(problem.sites["site_id"])}
        cidx = {c: j for j, c in enumerate(problem.customers["customer_id"])}
        x = np.zeros((core.m, core.n))
        for cid, sid, share in hint.flows[["customer_id", "site_id", "share"]].itertuples(index=False):
            x[sidx[sid], cidx[cid]] += share
        open_ = hint.sites.set_index("site_id").loc[list(problem.sites["site_id"]), "open"].to_numpy(bool)
    except (KeyError, ValueError):
        return None
    return Solution(open_, x, None, evaluate(core, x, open_), -INF, "feasible", 0.0, "hint")


def _solution_for_open(core: Core, open_: np.ndarray) -> Solution | None:
    """The best assignment found for a given open set, if it meets counts, forced sites and capacities."""
    from .heuristics import assign

    cost, x = assign(core, open_)
    if x is None:
        return None
    sol = Solution(open_.copy(), x, None, cost, -INF, "feasible", 0.0, "start")
    return sol if _hint_ok(core, sol, partial=True) else None


def _hint_ok(core: Core, sol: Solution, partial: bool = False) -> bool:
    """Is the warm start feasible for this core (counts, forced sites, capacities, pairs, sourcing)?"""
    o, x = sol.open, sol.x
    if x.shape != (core.m, core.n):
        return False
    k = int(o.sum())
    if not core.kmin <= k <= core.kmax or (o & core.force_closed).any() or (core.force_open & ~o).any():
        return False
    if not np.allclose(x.sum(axis=0), 1.0, atol=1e-6) or (x[~o] > 1e-9).any() or (x[~core.allowed] > 1e-9).any():
        return False
    if core.single and not np.all((x < 1e-9) | (x > 1 - 1e-9)):
        return False
    load = (x * core.demand[None, :]).sum(axis=1)
    if (load > core.capacity * (1 + 1e-9) + 1e-6).any():
        return False
    if core.has_share and (x * core.within * core.demand[None, :]).sum() < core.share * core.demand.sum() * (1 - 1e-9):
        return False
    if core.has_rows and not core.rows_ok(x, o, sol.z):
        return False
    return partial or not core.two_echelon


def solve_core(core: Core, *, method: str = "auto", time_limit_s: float = 30.0, mip_gap: float = 1e-4,
               hint: Solution | None = None) -> Solution:
    """Solve a :class:`Core` with the chosen method (``auto`` picks by size)."""
    pairs = int(core.allowed.sum())
    if hint is not None and not _hint_ok(core, hint, partial=True):
        hint = None
    uncapacitated = not core.capacitated and not core.has_share and not core.two_echelon
    # a constructed design is the incumbent from the start (and kept if the solver finds nothing
    # better); the greedy ignores the service share and the plants: keep it only if it meets them
    if hint is None:
        hint = greedy_solution(core)
        if hint is not None and not _hint_ok(core, hint, partial=True):
            hint = None
    if hint is None and core.safe_capacity is not None:
        # the peak-week rows: build within the capacity that holds every week whatever the mix
        safe = copy.copy(core)
        safe.capacity = core.safe_capacity
        safe.site_rows, safe.safe_capacity = [], None
        hint = greedy_solution(safe)
        if hint is not None:
            hint.objective = evaluate(core, hint.x, hint.open)
            if not _hint_ok(core, hint, partial=True):
                hint = None
    if method == "lagrangian" or (method == "auto" and (pairs > LARGE_PAIRS or uncapacitated)):
        sol = solve_large(core, time_limit_s=time_limit_s, mip_gap=mip_gap, hint=hint)
    elif method == "mip":
        sol = solve_mip(core, time_limit_s=time_limit_s, mip_gap=mip_gap, hint=hint)
    else:
        # a short Lagrangian phase first: a bound that holds even if SCIP stops early, often the proof
        sol = solve_large(core, time_limit_s=time_limit_s, mip_gap=mip_gap, hint=hint, lr_share=0.25,
                          lr_cap_s=0.3, local=False, lr_iterations=200)
    if not math.isfinite(sol.objective) and hint is not None and math.isfinite(hint.objective):
        # never "no feasible network" while a feasible design is known: the start is the answer
        # (a proof of infeasibility cannot happen here: the start is feasible)
        bound = sol.bound if math.isfinite(sol.bound) else -INF
        return Solution(hint.open, hint.x, hint.z, hint.objective, min(bound, hint.objective), "feasible",
                        sol.seconds, sol.method)
    return sol


def build_result(problem: FacilityProblem, core: Core, sol: Solution, *, notes: tuple[str, ...] = ()) -> NetworkResult:
    """Turn a core solution into tables, cost breakdown and KPIs (all recomputed from the flows)."""
    s = problem.spec
    d = core.demand
    x = np.where(sol.x > 1e-9, sol.x, 0.0)
    if core.single:
        x = (x > 0.5).astype(float)
    handling_u, outbound_u = problem.unit_costs()
    km = problem.road_km
    ii, jj = np.nonzero(x)
    units = x[ii, jj] * d[jj]
    cust = problem.customers
    sites = problem.sites
    dist = km[ii, jj] if km is not None else np.full(len(ii), np.nan)
    radius = s.service_radius_km
    flows = pd.DataFrame({
        "customer_id": cust["customer_id"].to_numpy()[jj],
        "customer": cust["name"].to_numpy()[jj],
        "site_id": sites["site_id"].to_numpy()[ii],
        "units": units,
        "share": x[ii, jj],
        "distance_km": dist,
        "within_radius": (dist <= radius + 1e-9) if radius is not None else np.ones(len(ii), bool),
        "handling_cost": units * handling_u[ii, jj],
        "outbound_cost": units * outbound_u[ii, jj],
    }).sort_values(["customer_id", "site_id"]).reset_index(drop=True)
    open_ = sol.open.copy() | (x.sum(axis=1) > 0)
    load = (x * d[None, :]).sum(axis=1)
    # inbound: solve the plant -> site transport exactly for the chosen flows
    inbound_rows = pd.DataFrame({"plant_id": pd.Series(dtype=str), "site_id": pd.Series(dtype=str),
                                 "units": pd.Series(dtype=float), "distance_km": pd.Series(dtype=float),
                                 "cost": pd.Series(dtype=float)})
    inbound_by_site = np.zeros(core.m)
    if core.two_echelon:
        z = sol.z if sol.z is not None else plant_transport(core, load)
        if z is None:
            raise SolverError("plant capacity cannot cover the DCs' volumes: raise plant capacities")
        pi, si = np.nonzero(z > 1e-6)
        pkm = problem.plant_road_km
        unit = problem.inbound_unit_cost()
        inbound_rows = pd.DataFrame({
            "plant_id": problem.plants["plant_id"].to_numpy()[pi],
            "site_id": sites["site_id"].to_numpy()[si],
            "units": z[pi, si], "distance_km": pkm[pi, si], "cost": z[pi, si] * unit[pi, si]})
        np.add.at(inbound_by_site, si, z[pi, si] * unit[pi, si])
    fixed_by_site = np.where(open_, sites["fixed_cost"].to_numpy(float) * s.fixed_cost_multiplier, 0.0)
    hand_by_site = np.zeros(core.m)
    out_by_site = np.zeros(core.m)
    np.add.at(hand_by_site, ii, units * handling_u[ii, jj])
    np.add.at(out_by_site, ii, units * outbound_u[ii, jj])
    n_cust = np.bincount(ii, minlength=core.m)
    wdist = np.zeros(core.m)
    if km is not None:
        np.add.at(wdist, ii, units * dist)
    raw_cap = sites["capacity"].to_numpy(float)   # units/yr, or m3/yr with capacity_basis="m3"
    use_j = problem.capacity_use() if s.capacity_basis == "m3" else d
    cap_load = (x * use_j[None, :]).sum(axis=1)
    cap = raw_cap
    site_table = pd.DataFrame({
        "site_id": sites["site_id"].to_numpy(), "name": sites["name"].to_numpy(),
        "lat": sites["lat"].to_numpy(), "lon": sites["lon"].to_numpy(),
        "open": open_, "existing": sites["existing"].to_numpy(bool),
        "forced_open": core.force_open, "forced_closed": core.force_closed,
        "capacity": cap, "volume": load,
        "utilisation": np.divide(cap_load, raw_cap, out=np.zeros(core.m), where=np.isfinite(raw_cap) & (raw_cap > 0)),
        "customers": n_cust,
        "mean_distance_km": np.divide(wdist, load, out=np.full(core.m, np.nan), where=load > 0) if km is not None else np.nan,
        "fixed_cost": fixed_by_site, "handling_cost": hand_by_site, "inbound_cost": inbound_by_site,
        "outbound_cost": out_by_site,
    })
    # inventory, carbon and peak weeks from the same flows
    U = np.zeros((core.m, core.n))
    U[ii, jj] = units
    inv_cost_by_site = np.zeros(core.m)
    notes = tuple(notes)
    peak_rows = None
    co2_total = math.nan
    carbon_by_site = np.zeros(core.m)
    if problem.profile is not None:
        inv = problem.inventory_by_site(U)
        site_table["safety_stock"] = inv["safety_stock"]
        site_table["cycle_stock"] = inv["cycle_stock"]
        site_table["inventory_value"] = inv["inventory_value"]
        if s.inventory:
            inv_cost_by_site = inv["inventory_cost"]
        w = problem.unit_weight_kg()
        flows["weight_t"] = flows["units"].to_numpy() * w[jj] / 1000.0
        co2_out, co2_in = problem.co2_per_unit()
        if co2_out is not None:
            flow_co2 = units * co2_out[ii, jj]
            flows["co2_kg"] = flow_co2
            co2_by_site = np.zeros(core.m)
            np.add.at(co2_by_site, ii, flow_co2)
            if core.two_echelon and co2_in is not None and len(inbound_rows):
                pi2, si2 = np.nonzero(z > 1e-6)
                inbound_rows["co2_kg"] = z[pi2, si2] * co2_in[pi2, si2]
                np.add.at(co2_by_site, si2, z[pi2, si2] * co2_in[pi2, si2])
            site_table["co2_kg"] = co2_by_site
            co2_total = float(co2_by_site.sum())
            carbon_by_site = co2_by_site * (s.carbon_price / 1000.0)
        weekly = problem.weekly_loads(U * (use_j / np.maximum(d, 1e-300))[None, :] if s.capacity_basis == "m3" else U)
        wcap = problem.weekly_capacity()
        worst = weekly.argmax(axis=1) if weekly.shape[1] else np.zeros(core.m, int)
        peak_units = weekly[np.arange(core.m), worst] if weekly.shape[1] else np.zeros(core.m)
        weeks = problem.profile.weeks
        site_table["peak_week"] = [weeks[t] if open_[i] and weekly.shape[1] else None for i, t in enumerate(worst)]
        site_table["peak_units"] = np.where(open_, peak_units, 0.0)
        site_table["weekly_capacity"] = wcap
        # a load within the solver's tolerance of the capacity holds it (the same test flags a week below)
        over = (weekly > wcap[:, None] * (1 + 1e-9) + 1e-6) & open_[:, None]
        site_table["peak_shortfall"] = np.where(over.any(axis=1), np.maximum(peak_units - wcap, 0.0), 0.0)
        over_i, over_t = np.nonzero(over)
        peak_rows = pd.DataFrame({
            "site_id": sites["site_id"].to_numpy()[over_i], "week": [weeks[t] for t in over_t],
            "units": weekly[over_i, over_t], "weekly_capacity": wcap[over_i],
            "shortfall": weekly[over_i, over_t] - wcap[over_i]})
    if s.capacity_basis == "m3":
        site_table["volume_m3"] = cap_load
    site_table["inventory_cost"] = inv_cost_by_site
    site_table["carbon_cost"] = carbon_by_site
    site_table["total_cost"] = site_table[["fixed_cost", "handling_cost", "inbound_cost", "outbound_cost",
                                           "inventory_cost", "carbon_cost"]].sum(axis=1)
    fixed = float(fixed_by_site.sum())
    handling = float(hand_by_site.sum())
    inbound = float(inbound_by_site.sum())
    outbound = float(out_by_site.sum())
    inventory_cost = float(inv_cost_by_site.sum())
    carbon_cost = float(carbon_by_site.sum())
    total = fixed + handling + inbound + outbound + inventory_cost + carbon_cost
    D = float(d.sum())
    if km is not None and D > 0:
        mean_d = float((units * dist).sum() / D)
        maxd = float(dist[units > 1e-9].max()) if (units > 1e-9).any() else 0.0
        share = float(units[dist <= radius + 1e-9].sum() / D) if radius is not None else math.nan
    else:
        mean_d, maxd, share = math.nan, math.nan, math.nan
    bound = min(sol.bound, total) if math.isfinite(sol.bound) else sol.bound
    gap = max(0.0, (total - bound) / abs(total)) if math.isfinite(bound) and total != 0 else (0.0 if total == 0 else math.inf)
    status = sol.status
    if s.inventory:
        # the safety stock is concave in the demand served: the solver's bound is of the tangent
        # model, not of the exact cost, so no optimality is claimed
        notes = notes + (f"inventory is priced by iterated tangents of the concave safety-stock cost: the "
                         f"design is re-costed exactly; the last tangent model was solved to a "
                         f"{100 * sol.gap:.2f}% gap, no bound on the exact cost is claimed",)
        bound, gap, status = math.nan, math.nan, "feasible"
    shortfall = float(site_table["peak_shortfall"].sum()) if "peak_shortfall" in site_table else 0.0
    return NetworkResult(
        sites=site_table, flows=flows, inbound=inbound_rows, spec=s,
        fixed_cost=fixed, handling_cost=handling, inbound_cost=inbound, outbound_cost=outbound, total_cost=total,
        total_demand=D, dc_count=int(open_.sum()), mean_distance_km=mean_d, share_within_radius=share,
        max_distance_km=maxd, service_radius_km=radius,
        status=status, objective=float(sol.objective), best_bound=float(bound), gap=float(gap),
        seconds=float(sol.seconds), method=sol.method, time_limit_s=float(s.time_limit_s), notes=notes,
        inventory_cost=inventory_cost,
        inventory_value=float(site_table["inventory_value"].sum()) if "inventory_value" in site_table else 0.0,
        safety_stock_units=float(site_table["safety_stock"].sum()) if "safety_stock" in site_table else 0.0,
        co2_kg=co2_total, carbon_cost=carbon_cost, peak_shortfall_units=shortfall, peak=peak_rows)
