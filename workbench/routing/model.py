"""The routing problem: orders, fleet, depots, travel matrices and solve options.

Units and integer scaling
-------------------------
The engine (PyVRP) works in integers. A :class:`RoutingProblem` therefore holds its travel
matrices as integers in documented units, and every other quantity is converted once, the same
way, for the solver and for the independent checker:

* distance: ``distance_unit_km`` km per unit (default 0.001: metres);
* time: ``time_unit_min`` minutes per unit (default 1/60: seconds). Times of day are minutes
  after midnight in the tables; windows are rounded *inwards* to whole units (opening up, closing
  down), service times to the nearest unit, shifts inwards;
* load: ``load_unit`` demand units per integer unit: 1 when every demand and capacity is a whole
  number, else 0.001 (demands rounded up, capacities down, so a plan is never over capacity);
* cost: chosen per solve as the largest power of ten in USD (1, 0.1, ... 1e-9) that represents
  every fixed cost, cost per distance unit and cost per time unit within 0.01 % (1e-6 USD with
  metres and seconds for typical USD/km and USD/h rates). Reported costs are recomputed in floating
  point from the plan; the solver's integer objective is kept in ``RoutingResult.objective``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SpecificationError
from ..geo import DistanceSource, GreatCircleSource
from ..schema import SCHEMAS, Column, TableSchema
from ..validate import convert_table
from .options import RoutingSpec, SolveOptions, fmt_clock

__all__ = [
    "SolveOptions",
    "RoutingSpec",
    "RoutingProblem",
    "ORDER_COLUMNS",
    "VEHICLE_COLUMNS",
    "DEPOT_COLUMNS",
    "fmt_clock",
]

ORDER_COLUMNS = ("order_id", "name", "lat", "lon", "demand", "tw_start", "tw_end", "service_min")
VEHICLE_COLUMNS = ("vehicle_type", "capacity", "count", "fixed_cost", "cost_per_km", "cost_per_hour",
                   "shift_start", "shift_end", "max_duration_h", "depot_id")
DEPOT_COLUMNS = ("depot_id", "name", "lat", "lon")

_EPS = 1e-9




def _sheet_row(pos: int) -> int:
    return int(pos) + 2


def _relaxed(schema: TableSchema, *, drop_latlon: bool, times_as_float: bool,
             optional: Mapping[str, Any] = {}) -> TableSchema:
    cols = []
    for c in schema.columns:
        if c.name in ("lat", "lon") and drop_latlon:
            c = dataclasses.replace(c, required=False, nullable=True, default=np.nan, min=None, max=None)
        if c.kind == "time" and times_as_float:
            c = dataclasses.replace(c, kind="float", min=0.0)
        if c.name in optional:
            c = dataclasses.replace(c, required=False, default=optional[c.name])
        if c.references:
            c = dataclasses.replace(c, references=None)
        cols.append(c)
    return dataclasses.replace(schema, columns=tuple(cols))


_ORDER_SCHEMA = _relaxed(SCHEMAS["orders"], drop_latlon=False, times_as_float=False,
                         optional={"name": "", "depot_id": None, "service_min": 0.0})
_VEHICLE_SCHEMA = _relaxed(SCHEMAS["vehicles"], drop_latlon=False, times_as_float=False,
                           optional={"depot_id": None, "fixed_cost": 0.0, "cost_per_hour": 0.0})
_ORDER_SCHEMA_XY = _relaxed(SCHEMAS["orders"], drop_latlon=True, times_as_float=True,
                            optional={"name": "", "depot_id": None, "service_min": 0.0})
_VEHICLE_SCHEMA_XY = _relaxed(SCHEMAS["vehicles"], drop_latlon=True, times_as_float=True,
                              optional={"depot_id": None, "fixed_cost": 0.0, "cost_per_hour": 0.0})
_DEPOT_SCHEMA = TableSchema(
    "depots", "Depots vehicles start from and return to.",
    (Column("depot_id", "id", "Depot id (a site id)", unique=True),
     Column("name", "str", "Depot name", required=False, default=""),
     Column("lat", "float", "Latitude (WGS84)", "degrees", min=-90, max=90),
     Column("lon", "float", "Longitude (WGS84)", "degrees", min=-180, max=180)),
    key=("depot_id",))
_DEPOT_SCHEMA_XY = _relaxed(_DEPOT_SCHEMA, drop_latlon=True, times_as_float=True)


def _convert(raw: pd.DataFrame, schema: TableSchema, problems: list[Problem]) -> pd.DataFrame:
    if not isinstance(raw, pd.DataFrame):
        problems.append(Problem(f"expected a table (DataFrame) of {schema.name}, got {type(raw).__name__}",
                                "pass a pandas DataFrame", table=schema.name))
        return pd.DataFrame()
    df, found = convert_table(raw, schema)
    problems.extend(found)
    return df


def _depots_frame(depots: pd.DataFrame) -> pd.DataFrame:
    if isinstance(depots, pd.DataFrame) and "depot_id" not in depots.columns and "site_id" in depots.columns:
        depots = depots.rename(columns={"site_id": "depot_id"})
    return depots


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """One day's routing problem: orders, vehicle types, depots and integer travel matrices.

    Locations are numbered depots first (``depots`` row order), then orders (``orders`` row
    order). ``distance[i, j]`` is in units of ``distance_unit_km`` km and ``duration[i, j]`` in
    units of ``time_unit_min`` minutes. Build it with :meth:`from_tables`, :meth:`from_world` or
    :meth:`from_matrices`; what-ifs with :meth:`with_fleet`, :meth:`widen_time_windows` or
    :meth:`with_vehicles`.
    """

    orders: pd.DataFrame
    vehicles: pd.DataFrame
    depots: pd.DataFrame
    distance: np.ndarray
    duration: np.ndarray
    distance_unit_km: float = 0.001
    time_unit_min: float = 1.0 / 60.0
    load_unit: float = 1.0
    source: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_tables(cls, orders: pd.DataFrame, vehicles: pd.DataFrame, depots: pd.DataFrame, *,
                    distance_source: DistanceSource | None = None) -> "RoutingProblem":
        """Build from tables with coordinates; travel from ``distance_source`` (great circle x 1.2 at 60 km/h by default).

        ``orders``: order_id, lat, lon, demand, tw_start, tw_end (minutes after midnight or
        ``HH:MM``), optional name, service_min (default 0). ``vehicles``: vehicle_type, capacity,
        count, cost_per_km, shift_start, shift_end, max_duration_h, optional fixed_cost,
        cost_per_hour, depot_id (default: the only depot). ``depots``: depot_id (or site_id),
        lat, lon, optional name. Raises :class:`DataError` listing every problem found.
        """
        source = distance_source if distance_source is not None else GreatCircleSource()
        problems: list[Problem] = []
        dep = _convert(_depots_frame(depots), _DEPOT_SCHEMA, problems)
        odf = _convert(orders, _ORDER_SCHEMA, problems)
        vdf = _convert(_default_depot(vehicles, dep), _VEHICLE_SCHEMA, problems)
        if problems:
            raise DataError(problems, context="The routing input has problems")
        _check_links(odf, vdf, dep, problems)
        if problems:
            raise DataError(problems, context="The routing input has problems")
        points = pd.concat([dep[["lat", "lon"]], odf[["lat", "lon"]]], ignore_index=True)
        try:
            km, hours = source.matrices(points, points)
        except OSError as exc:  # e.g. the road-distance server cannot be reached
            raise SpecificationError(f"the distance source could not be reached ({exc}); check its URL or use "
                                     "GreatCircleSource()", constraint="distance_source") from exc
        km = np.asarray(km, dtype=float)
        hours = np.asarray(hours, dtype=float)
        dist_u, dur_u = _integer_matrices(km, hours, dep, odf, 0.001, 1.0 / 60.0)
        return cls._make(odf, vdf, dep, dist_u, dur_u, 0.001, 1.0 / 60.0, _describe(source))

    @classmethod
    def from_world(cls, world, *, depot_id: str | None = None,
                   distance_source: DistanceSource | None = None) -> "RoutingProblem":
        """The day's orders of a :class:`~workbench.World` with its fleet and depots.

        With ``depot_id`` only that depot's orders and vehicles are used; without it, every order
        and vehicle (several depots: any vehicle may serve any order).
        """
        orders, vehicles = world.orders, world.vehicles
        if len(orders) == 0:
            raise DataError([Problem("the World has no orders", "load an orders table (one delivery day)",
                                     table="orders")], context="Nothing to route")
        if len(vehicles) == 0:
            raise DataError([Problem("the World has no vehicles", "load a vehicles table (the delivery fleet)",
                                     table="vehicles")], context="Nothing to route with")
        if depot_id is not None:
            orders = orders[orders["depot_id"] == depot_id]
            vehicles = vehicles[vehicles["depot_id"] == depot_id]
            if len(orders) == 0 or len(vehicles) == 0:
                have = sorted(set(world.orders["depot_id"]) & set(world.vehicles["depot_id"]))
                raise DataError([Problem(f"depot {depot_id!r} has {len(orders)} orders and {len(vehicles)} vehicle types",
                                         f"choose a depot with both orders and vehicles: {', '.join(have) or 'none'}",
                                         table="orders", column="depot_id", value=depot_id)])
        ids = list(dict.fromkeys(list(vehicles["depot_id"]) + list(orders["depot_id"])))
        sites = world.sites.set_index("site_id")
        missing = [d for d in ids if d not in sites.index]
        if missing:
            raise DataError([Problem(f"depot {d!r} is not a site", "add it to the sites table or fix depot_id",
                                     table="vehicles", column="depot_id", value=d) for d in missing])
        depots = pd.DataFrame({"depot_id": ids, "name": [sites.loc[d, "name"] for d in ids],
                               "lat": [sites.loc[d, "lat"] for d in ids], "lon": [sites.loc[d, "lon"] for d in ids]})
        cols = [c for c in ORDER_COLUMNS if c in orders.columns]
        return cls.from_tables(orders[cols].reset_index(drop=True), vehicles.reset_index(drop=True), depots,
                               distance_source=distance_source)

    @classmethod
    def from_matrices(cls, orders: pd.DataFrame, vehicles: pd.DataFrame, depots: pd.DataFrame, *,
                      distance, duration, distance_unit_km: float = 1.0, time_unit_min: float = 1.0,
                      source: str = "given matrices") -> "RoutingProblem":
        """Build from given integer matrices (depots first, then orders), e.g. a published benchmark.

        Coordinates are optional (``lat``/``lon`` or ``x``/``y``, for drawing only); times are
        plain numbers of minutes (any size). ``distance_unit_km`` and ``time_unit_min`` say what
        one matrix unit is.
        """
        problems: list[Problem] = []
        dep = _convert(_xy(_depots_frame(depots)), _DEPOT_SCHEMA_XY, problems)
        odf = _convert(_xy(orders), _ORDER_SCHEMA_XY, problems)
        vdf = _convert(_default_depot(vehicles, dep), _VEHICLE_SCHEMA_XY, problems)
        if problems:
            raise DataError(problems, context="The routing input has problems")
        _check_links(odf, vdf, dep, problems)
        dist = np.asarray(distance)
        dur = np.asarray(duration)
        n = len(dep) + len(odf)
        for name, m in (("distance", dist), ("duration", dur)):
            if m.shape != (n, n):
                problems.append(Problem(f"{name} matrix has shape {m.shape}, expected ({n}, {n}) "
                                        f"({len(dep)} depots + {len(odf)} orders)", "pass one row and column per location",
                                        table=name))
            elif not np.issubdtype(m.dtype, np.integer):
                if not np.all(np.isfinite(m)) or np.any(np.abs(m - np.round(m)) > 1e-9):
                    problems.append(Problem(f"{name} matrix must hold whole numbers of units",
                                            "scale it (e.g. metres, seconds, or tenths) and pass the unit", table=name))
            if m.shape == (n, n) and np.any(np.asarray(m, dtype=float) < 0):
                problems.append(Problem(f"{name} matrix has negative entries", "use non-negative values", table=name))
        if problems:
            raise DataError(problems, context="The routing input has problems")
        for df in (dep, odf):
            df["lat"] = df["lat"].astype(float)
            df["lon"] = df["lon"].astype(float)
        return cls._make(odf, vdf, dep, np.round(dist).astype(np.int64), np.round(dur).astype(np.int64),
                         float(distance_unit_km), float(time_unit_min), source)

    @classmethod
    def _make(cls, odf, vdf, dep, dist, dur, dunit, tunit, source) -> "RoutingProblem":
        odf = odf[[c for c in ORDER_COLUMNS] + (["depot_id"] if "depot_id" in odf else [])].reset_index(drop=True)
        odf["name"] = [n if n else oid for n, oid in zip(odf["name"], odf["order_id"])]
        vdf = vdf[list(VEHICLE_COLUMNS)].reset_index(drop=True)
        dep = dep[list(DEPOT_COLUMNS)].reset_index(drop=True)
        dep["name"] = [n if n else d for n, d in zip(dep["name"], dep["depot_id"])]
        np.fill_diagonal(dist, 0)
        np.fill_diagonal(dur, 0)
        values = np.concatenate([odf["demand"].to_numpy(float), vdf["capacity"].to_numpy(float)])
        load_unit = 1.0 if np.all(np.abs(values - np.round(values)) < _EPS) else 0.001
        return cls(orders=odf, vehicles=vdf, depots=dep, distance=dist, duration=dur,
                   distance_unit_km=dunit, time_unit_min=tunit, load_unit=load_unit, source=source)

    # ------------------------------------------------------------------ what-ifs
    def with_vehicles(self, vehicles: pd.DataFrame) -> "RoutingProblem":
        """The same orders and depots with another fleet table (validated)."""
        problems: list[Problem] = []
        numeric_times = isinstance(vehicles, pd.DataFrame) and all(
            c in vehicles.columns and pd.api.types.is_numeric_dtype(vehicles[c]) for c in ("shift_start", "shift_end"))
        schema = _VEHICLE_SCHEMA_XY if numeric_times else _VEHICLE_SCHEMA
        vdf = _convert(_default_depot(vehicles, self.depots), schema, problems)
        if not problems:
            _check_links(self.orders, vdf, self.depots, problems)
        if problems:
            raise DataError(problems, context="The fleet has problems")
        values = np.concatenate([self.orders["demand"].to_numpy(float), vdf["capacity"].to_numpy(float)])
        load_unit = 1.0 if np.all(np.abs(values - np.round(values)) < _EPS) else 0.001
        return dataclasses.replace(self, vehicles=vdf[list(VEHICLE_COLUMNS)].reset_index(drop=True),
                                   load_unit=load_unit, _cache={})

    def with_fleet(self, vehicle_type: str, **changes) -> "RoutingProblem":
        """Change columns of one vehicle type, e.g. ``with_fleet("Cargo van", count=7, capacity=450)``."""
        v = self.vehicles.copy()
        mask = v["vehicle_type"] == vehicle_type
        if not mask.any():
            raise SpecificationError(f"no vehicle type {vehicle_type!r}; the fleet has: "
                                     + ", ".join(map(str, v["vehicle_type"])), constraint="vehicle_type")
        for col, val in changes.items():
            if col not in VEHICLE_COLUMNS or col in ("vehicle_type",):
                raise SpecificationError(f"cannot change {col!r}; use one of: "
                                         + ", ".join(c for c in VEHICLE_COLUMNS if c != "vehicle_type"))
            if col == "count":
                v[col] = v[col].astype("int64")
            v.loc[mask, col] = val
        return self.with_vehicles(v)

    def widen_time_windows(self, minutes: float, *, open_earlier: bool = True) -> "RoutingProblem":
        """Every order's window closes ``minutes`` later (and opens that much earlier unless told not to)."""
        if not (np.isfinite(minutes) and minutes >= 0):
            raise SpecificationError(f"widen time windows by a non-negative number of minutes, got {minutes!r}")
        o = self.orders.copy()
        o["tw_end"] = o["tw_end"] + minutes
        if open_earlier:
            o["tw_start"] = np.maximum(o["tw_start"] - minutes, 0.0)
        return dataclasses.replace(self, orders=o, _cache={})

    # ------------------------------------------------------------------ facts
    @property
    def n_orders(self) -> int:
        return len(self.orders)

    @property
    def n_depots(self) -> int:
        return len(self.depots)

    @property
    def km(self) -> np.ndarray:
        """Distance matrix in km."""
        return self.distance * self.distance_unit_km

    @property
    def minutes(self) -> np.ndarray:
        """Travel-time matrix in minutes."""
        return self.duration * self.time_unit_min

    @property
    def total_demand(self) -> float:
        return float(self.orders["demand"].sum())

    @property
    def fleet_capacity(self) -> float:
        return float((self.vehicles["capacity"] * self.vehicles["count"]).sum())

    def depot_index(self, depot_id: str) -> int:
        return int(np.flatnonzero(self.depots["depot_id"].to_numpy() == depot_id)[0])

    # integer data shared by the solver adapter -------------------------------------
    def int_data(self) -> dict[str, np.ndarray]:
        """Integer arrays in solver units (see the module docstring for the rounding)."""
        if "int" in self._cache:
            return self._cache["int"]
        tu, lu = self.time_unit_min, self.load_unit
        o, v = self.orders, self.vehicles
        big = np.iinfo(np.int64).max
        dur_h = v["max_duration_h"].to_numpy(float)
        data = {
            "demand": np.ceil(o["demand"].to_numpy(float) / lu - 1e-6).astype(np.int64),
            "service": np.round(o["service_min"].to_numpy(float) / tu).astype(np.int64),
            "tw_early": np.ceil(o["tw_start"].to_numpy(float) / tu - 1e-6).astype(np.int64),
            "tw_late": np.floor(o["tw_end"].to_numpy(float) / tu + 1e-6).astype(np.int64),
            "capacity": np.floor(v["capacity"].to_numpy(float) / lu + 1e-6).astype(np.int64),
            "shift_early": np.ceil(v["shift_start"].to_numpy(float) / tu - 1e-6).astype(np.int64),
            "shift_late": np.floor(v["shift_end"].to_numpy(float) / tu + 1e-6).astype(np.int64),
            "max_duration": np.where(np.isfinite(dur_h), np.floor(np.where(np.isfinite(dur_h), dur_h, 0) * 60.0 / tu + 1e-6),
                                     big).astype(np.int64),
            "depot": np.array([self.depot_index(d) for d in v["depot_id"]], dtype=np.int64),
            "count": v["count"].to_numpy(np.int64),
        }
        self._cache["int"] = data
        return data

    def unservable(self) -> pd.DataFrame:
        """Orders no vehicle can serve on its own, with the reason, the column to change and the fix.

        An order is servable by a vehicle type when its demand fits, the vehicle can leave the
        depot at shift start and arrive before the window closes, serve it and be back before
        the shift ends, and the round trip fits the maximum route duration.
        """
        if "unservable" in self._cache:
            return self._cache["unservable"]
        d = self.int_data()
        tu = self.time_unit_min
        D = self.n_depots
        rows = []
        active = d["count"] > 0
        cap_max = float(self.vehicles.loc[active, "capacity"].max()) if active.any() else 0.0
        for i in range(self.n_orders):
            o = self.orders.iloc[i]
            loc = D + i
            best = None  # (checks passed, reason, column, fix)
            served = False
            for k in np.flatnonzero(active):
                veh = self.vehicles.iloc[k]
                dep = d["depot"][k]
                t_out, t_back = self.duration[dep, loc], self.duration[loc, dep]
                if d["demand"][i] > d["capacity"][k]:
                    cand = (0, None)
                else:
                    arrive = d["shift_early"][k] + t_out
                    start = max(arrive, d["tw_early"][i])
                    back = start + d["service"][i] + t_back
                    round_trip = t_out + d["service"][i] + t_back
                    if arrive > d["tw_late"][i]:
                        if d["tw_late"][i] < d["shift_early"][k]:
                            why = (f"its time window closes at {fmt_clock(o.tw_end)}, before the {veh.vehicle_type} "
                                   f"shift starts ({fmt_clock(veh.shift_start)})")
                        else:
                            why = (f"its time window closes at {fmt_clock(o.tw_end)}, before any vehicle can arrive "
                                   f"(a {veh.vehicle_type} leaving {veh.depot_id} at {fmt_clock(veh.shift_start)} "
                                   f"arrives at {fmt_clock(arrive * tu)} after {t_out * tu:.0f} min driving)")
                        cand = (1, (why, "tw_end", "widen the time window (a later tw_end) or start a shift earlier"))
                    elif back > d["shift_late"][k]:
                        cand = (2, (f"a {veh.vehicle_type} cannot serve it and be back at {veh.depot_id} before the "
                                    f"shift ends ({fmt_clock(veh.shift_end)}): earliest return {fmt_clock(back * tu)}",
                                    "tw_start", "open the window earlier, shorten the service time or extend the shift"))
                    elif round_trip > d["max_duration"][k]:
                        cand = (3, (f"the round trip from {veh.depot_id} takes {round_trip * tu / 60:.1f} h, longer "
                                    f"than the {veh.vehicle_type}'s maximum route of {veh.max_duration_h:g} h",
                                    "service_min", "raise max_duration_h or serve it from a nearer depot"))
                    else:
                        served = True
                        break
                if best is None or cand[0] > best[0]:
                    best = cand
            if served:
                continue
            if not active.any():
                why, col, fix = "no vehicles are available", "count", "set a vehicle count above 0"
            elif best[1] is None:
                why = (f"its demand of {o.demand:,.0f} units is above the largest vehicle capacity "
                       f"({cap_max:,.0f} units)")
                col, fix = "demand", (f"split it into orders of at most {cap_max:,.0f} units, or add a larger "
                                      "vehicle type")
            else:
                why, col, fix = best[1]
            rows.append({"order_id": o.order_id, "name": o["name"], "row": _sheet_row(i), "column": col,
                         "value": o[col] if col in o.index else None, "reason": why, "fix": fix})
        out = pd.DataFrame(rows, columns=["order_id", "name", "row", "column", "value", "reason", "fix"])
        self._cache["unservable"] = out
        return out

    def unservable_problems(self) -> list[Problem]:
        """The unservable orders as :class:`Problem` records (table, row, column, value, fix)."""
        return [Problem(f"order {r.order_id} cannot be served: {r.reason}", r.fix, table="orders", row=int(r.row),
                        column=r.column, value=r.value) for r in self.unservable().itertuples()]

    # ------------------------------------------------------------------ solving
    def solve(self, options: SolveOptions | None = None, *, progress: Callable[[int, int], None] | None = None,
              cancel=None, **overrides) -> "RoutingResult":  # noqa: F821
        """Solve with PyVRP; ``overrides`` replace fields of ``options`` (e.g. ``time_limit_s=2``)."""
        from .solve import solve_routes

        opts = options if options is not None else SolveOptions()
        if overrides:
            opts = dataclasses.replace(opts, **overrides)
        return solve_routes(self, opts, progress=progress, cancel=cancel)


# ---------------------------------------------------------------------------------- helpers


def _describe(source) -> str:
    if isinstance(source, GreatCircleSource):
        return f"great-circle distance x {source.circuity:g} circuity at {source.speed_kmh:g} km/h"
    url = getattr(source, "url", None)
    return f"road distances from {url}" if url else type(source).__name__


def _xy(df: pd.DataFrame) -> pd.DataFrame:
    if isinstance(df, pd.DataFrame) and "lat" not in df.columns and "y" in df.columns:
        df = df.rename(columns={"y": "lat", "x": "lon"})
    return df


def _default_depot(vehicles: pd.DataFrame, depots: pd.DataFrame) -> pd.DataFrame:
    if isinstance(vehicles, pd.DataFrame) and "depot_id" not in vehicles.columns and len(depots) == 1 \
            and "depot_id" in depots.columns:
        vehicles = vehicles.assign(depot_id=depots["depot_id"].iloc[0])
    return vehicles


def _check_links(odf: pd.DataFrame, vdf: pd.DataFrame, dep: pd.DataFrame, problems: list[Problem]) -> None:
    known = set(dep["depot_id"]) if len(dep) else set()
    for pos, d in enumerate(vdf.get("depot_id", pd.Series(dtype=object))):
        if d is None or d not in known:
            problems.append(Problem(f"depot {d!r} is not in the depots table",
                                    "use a depot_id from the depots table: " + ", ".join(map(str, sorted(known))),
                                    table="vehicles", row=_sheet_row(pos), column="depot_id", value=d))
    if len(vdf) and int(vdf["count"].sum()) == 0:
        problems.append(Problem("no vehicles available: every count is 0", "set count above 0 for at least one type",
                                table="vehicles", column="count"))
    if len(vdf) == 0:
        problems.append(Problem("the fleet is empty", "add at least one vehicle type", table="vehicles"))
    if len(dep) == 0:
        problems.append(Problem("no depot given", "add the depot vehicles start from", table="depots"))


def _integer_matrices(km, hours, dep, odf, dunit, tunit):
    n = len(dep) + len(odf)
    problems = []
    if km.shape != (n, n) or hours.shape != (n, n):
        raise SpecificationError(f"the distance source returned matrices of shape {km.shape}/{hours.shape}, "
                                 f"expected ({n}, {n})", constraint="distance_source")
    bad = ~(np.isfinite(km) & np.isfinite(hours)) | (km < 0) | (hours < 0)
    np.fill_diagonal(bad, False)
    if bad.any():
        D = len(dep)
        # a stop is unreachable when it has no route to or from any other location
        rows_bad = bad.sum(axis=1) + bad.sum(axis=0)
        for loc in np.flatnonzero(rows_bad):
            if loc < D:
                problems.append(Problem(f"depot {dep.depot_id.iloc[loc]} cannot be reached by road from "
                                        f"{int(rows_bad[loc])} locations", "check the depot coordinates",
                                        table="depots", row=_sheet_row(loc), column="lat",
                                        value=f"{dep.lat.iloc[loc]}, {dep.lon.iloc[loc]}"))
            else:
                i = loc - D
                problems.append(Problem(f"order {odf.order_id.iloc[i]} is unreachable: no road route to or from "
                                        f"{int(rows_bad[loc])} other locations",
                                        "check its coordinates (lat/lon may be swapped or off the road network) "
                                        "or remove the order", table="orders", row=_sheet_row(i), column="lat",
                                        value=f"{odf.lat.iloc[i]}, {odf.lon.iloc[i]}"))
        raise DataError(problems, context="Some stops cannot be reached")
    return (np.round(km / dunit).astype(np.int64), np.round(hours * 60.0 / tunit).astype(np.int64))
