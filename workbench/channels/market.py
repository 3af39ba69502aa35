"""The market a channel strategy plays in: zones, outlets, distances, Huff utilities, DCs.

:func:`prepare_market` validates the tables, links every outlet to its serving DC and
precomputes the zones x outlets matrices once; every strategy and the frontier reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SpecificationError
from ..schema import Column, TableSchema
from ..validate import check_columns, check_table
from ..geo import distance_matrix_km
from .huff import competitor_attraction_scalar, huff_utility
from .params import CHANNELS, TIERS, ChannelParams, validate_params

__all__ = ["Market", "prepare_market", "reference_prices"]

ZONE_COLUMNS = ("customer_id", "lat", "lon", "population", "annual_demand")
OUTLET_COLUMNS = ("outlet_id", "channel", "tier", "attractiveness", "lat", "lon")
DC_COLUMNS = ("site_id", "lat", "lon")


@dataclass(frozen=True, eq=False)
class Market:
    """Zones, the outlets of the enabled channels and the matrices every strategy reuses.

    ``outlets`` carries ``serving_dc``, ``dc_distance_km``, ``handling_cost`` and
    ``account_cost`` per outlet. ``distance_km[i, j]`` is the road distance from zone *i* to
    outlet *j* (for e-commerce, ``ecommerce_distance_km``); ``utility`` is the Huff utility
    ``A**alpha * max(d, d_min)**-beta``; ``competitor`` is ``C_i``.
    """

    zones: pd.DataFrame
    outlets: pd.DataFrame
    dcs: pd.DataFrame
    distance_km: np.ndarray
    utility: np.ndarray
    competitor: np.ndarray
    consumer_price: float
    unit_cost: float
    params: ChannelParams

    @property
    def potential(self) -> np.ndarray:
        return self.zones["potential"].to_numpy(dtype=float)

    @property
    def physical(self) -> np.ndarray:
        return (self.outlets["channel"] != "ecommerce").to_numpy()


def _tables(world_or_tables: Any) -> dict[str, pd.DataFrame]:
    if isinstance(world_or_tables, Mapping):
        return {k: v for k, v in world_or_tables.items() if isinstance(v, pd.DataFrame)}
    out = {}
    for name in ("customers", "outlets", "sites", "products"):
        if hasattr(world_or_tables, name):
            out[name] = getattr(world_or_tables, name)
    if not out:
        raise DataError([Problem("expected a World or a mapping of tables (customers, outlets, sites, products)",
                                 "pass workbench.load_sample() or {'customers': df, 'outlets': df, ...}")])
    return out


def _check_columns(df: pd.DataFrame | None, name: str, cols: Sequence[str], problems: list[Problem]) -> bool:
    if df is None:
        problems.append(Problem(f"the {name} table is missing", f"provide a {name} table with columns {', '.join(cols)}",
                                table=name))
        return False
    missing = [c for c in cols if c not in df.columns]
    if missing:
        problems.append(Problem(f"missing column(s) {', '.join(missing)}", f"add {', '.join(missing)}", table=name))
        return False
    return True


def _check_numbers(df: pd.DataFrame, name: str, cols: Sequence[str], problems: list[Problem], *,
                   positive: Sequence[str] = (), nonneg: Sequence[str] = ()) -> None:
    """Numbers checked by the schema rules (the loaders' path: spreadsheet rows, every problem)."""
    spec = []
    for c in cols:
        if c == "lat":
            spec.append(Column("lat", "float", "Latitude", "degrees", min=-90, max=90))
        elif c == "lon":
            spec.append(Column("lon", "float", "Longitude", "degrees", min=-180, max=180))
        else:
            spec.append(Column(c, "float", c, min=0 if c in positive or c in nonneg else None,
                               min_exclusive=c in positive))
    problems.extend(check_columns(df, name, spec))


def _serving_dcs(tables: dict[str, pd.DataFrame], serving_dcs, problems: list[Problem]) -> pd.DataFrame | None:
    sites = tables.get("sites")
    if serving_dcs is None:
        if sites is None or "existing" not in sites.columns:
            problems.append(Problem("no serving DCs: the World has no sites table with an 'existing' column",
                                    "pass serving_dcs= a DataFrame with site_id, lat, lon (e.g. the network design's "
                                    "open DCs)", table="sites"))
            return None
        dcs = sites[sites["existing"].astype(bool)]
        if dcs.empty:
            problems.append(Problem("no DC is open today (no site has existing = True)",
                                    "mark the open DCs as existing, or pass serving_dcs= the DCs to serve from",
                                    table="sites", column="existing"))
            return None
    elif isinstance(serving_dcs, pd.DataFrame):
        dcs = serving_dcs
    elif isinstance(getattr(serving_dcs, "open_sites", None), pd.DataFrame):
        dcs = serving_dcs.open_sites  # a solved network design (workbench.network.NetworkResult)
    else:
        ids = [str(s) for s in serving_dcs]
        if sites is None:
            problems.append(Problem("serving DCs given by id but there is no sites table",
                                    "pass a DataFrame with site_id, lat, lon instead", table="sites"))
            return None
        unknown = [s for s in ids if s not in set(sites["site_id"].astype(str))]
        if unknown:
            problems.append(Problem(f"unknown site id(s) {', '.join(unknown)}", "use site_id values of the sites table",
                                    table="sites", column="site_id"))
            return None
        dcs = sites[sites["site_id"].astype(str).isin(ids)]
    if not _check_columns(dcs, "serving DCs", DC_COLUMNS, problems):
        return None
    if dcs.empty:
        problems.append(Problem("the list of serving DCs is empty", "open at least one DC", table="serving DCs"))
        return None
    _check_numbers(dcs, "serving DCs", ("lat", "lon"), problems)
    out = dcs[list(DC_COLUMNS)].copy()
    out["site_id"] = out["site_id"].astype(str)
    out["handling_cost"] = (pd.to_numeric(dcs["handling_cost"], errors="coerce").fillna(0.0).to_numpy()
                            if "handling_cost" in dcs.columns else 0.0)
    out["name"] = dcs["name"].astype(str).to_numpy() if "name" in dcs.columns else out["site_id"]
    return out.reset_index(drop=True)


def _product_prices(tables: dict[str, pd.DataFrame], p: ChannelParams, problems: list[Problem]) -> tuple[float, float]:
    price, cost = p.consumer_price, p.unit_cost
    if price is not None and cost is not None:
        return float(price), float(cost)
    prods = tables.get("products")
    if prods is None or prods.empty or not {"price", "unit_cost"}.issubset(prods.columns):
        problems.append(Problem("no products table to derive the consumer price and unit cost from",
                                "pass consumer_price= and unit_cost= in ChannelParams, or include products",
                                table="products"))
        return float("nan"), float("nan")
    share = (pd.to_numeric(prods["demand_share"], errors="coerce").fillna(0.0).to_numpy(float)
             if "demand_share" in prods.columns else np.ones(len(prods)))
    if share.sum() <= 0:
        share = np.ones(len(prods))
    share = share / share.sum()
    list_price = float((prods["price"].to_numpy(float) * share).sum())
    if price is None:
        # the list price is what the retailer pays: gross it up by the retailer's margin
        price = list_price / (1.0 - p.retailer_margin)
    if cost is None:
        cost = float((prods["unit_cost"].to_numpy(float) * share).sum())
    return float(price), float(cost)


def reference_prices(world_or_tables: Any, params: ChannelParams | None = None) -> tuple[float, float]:
    """The consumer price and unit cost used when ``params`` leaves them ``None``: the
    demand-weighted list price of the products grossed up by the retailer margin, and the
    demand-weighted unit cost."""
    params = params or ChannelParams()
    problems: list[Problem] = []
    out = _product_prices(_tables(world_or_tables), params, problems)
    if problems:
        raise DataError(problems, context="The channel-strategy inputs have problems")
    return out


def prepare_market(world_or_tables: Any, params: ChannelParams, *, serving_dcs=None) -> Market:
    """Validate the inputs and precompute the matrices of a channel-strategy evaluation.

    ``world_or_tables`` is a :class:`~workbench.World` or a mapping with ``customers`` and
    ``outlets`` (and ``sites``/``products`` when ``serving_dcs``/prices are not given).
    ``serving_dcs`` is ``None`` (the World's existing DCs), a DataFrame with ``site_id``,
    ``lat``, ``lon`` (optional ``handling_cost``, ``name``), a solved network design (anything
    with an ``open_sites`` DataFrame, e.g. ``workbench.network.NetworkResult``), or a list of
    site ids of the World's sites.
    """
    validate_params(params)
    tables = _tables(world_or_tables)
    problems: list[Problem] = []
    zones_in, outlets_in = tables.get("customers"), tables.get("outlets")
    if _check_columns(zones_in, "customers", ZONE_COLUMNS, problems):
        _check_numbers(zones_in, "customers", ("lat", "lon", "population", "annual_demand"), problems,
                       nonneg=("population", "annual_demand"))
        if zones_in.empty:
            problems.append(Problem("there are no demand zones", "load a customers table", table="customers"))
    if _check_columns(outlets_in, "outlets", OUTLET_COLUMNS, problems):
        _check_numbers(outlets_in, "outlets", ("lat", "lon", "attractiveness"), problems, positive=("attractiveness",))
        if outlets_in.empty:
            problems.append(Problem("there are no outlets to distribute through",
                                    "load an outlets table (outlet_id, channel, tier, attractiveness, lat, lon)",
                                    table="outlets"))
        typed = check_table(outlets_in, TableSchema("outlets", "", (
            Column("channel", "choice", "Distribution channel", choices=CHANNELS),
            Column("tier", "choice", "Outlet tier", choices=TIERS)), min_rows=0), problems)
        if len(typed) == len(outlets_in) and len(typed):  # 'Retailer' is the channel 'retailer'
            outlets_in = outlets_in.assign(channel=typed["channel"].to_numpy(), tier=typed["tier"].to_numpy())
    dcs = _serving_dcs(tables, serving_dcs, problems)
    price, cost = _product_prices(tables, params, problems)
    if problems:
        raise DataError(problems, context="The channel-strategy inputs have problems")

    zones = zones_in[list(ZONE_COLUMNS) + [c for c in ("name", "region", "state") if c in zones_in.columns]].copy()
    zones["customer_id"] = zones["customer_id"].astype(str)
    zones["potential"] = zones["annual_demand"].astype(float)
    zones = zones.reset_index(drop=True)
    if zones["potential"].sum() <= 0:
        raise SpecificationError("the demand zones have no demand (annual_demand sums to 0): nothing to capture",
                                 constraint="demand")
    enabled = outlets_in[outlets_in["channel"].isin(params.channels)]
    if enabled.empty:
        counts = outlets_in["channel"].value_counts().to_dict()
        raise SpecificationError(
            f"no outlet belongs to the enabled channels ({', '.join(params.channels)}); the outlets are "
            f"{', '.join(f'{v} {k}' for k, v in counts.items())}: enable one of those channels", constraint="channels")
    keep = list(OUTLET_COLUMNS) + [c for c in ("name", "city", "state", "region") if c in outlets_in.columns]
    outlets = enabled[keep].copy().reset_index(drop=True)
    outlets["outlet_id"] = outlets["outlet_id"].astype(str)
    if "name" not in outlets:
        outlets["name"] = outlets["outlet_id"]

    # serving DC: the nearest open DC by road distance
    dc_dist = distance_matrix_km(outlets[["lat", "lon"]].to_numpy(float), dcs[["lat", "lon"]].to_numpy(float),
                                 circuity=params.circuity)
    nearest = dc_dist.argmin(axis=1)
    outlets["serving_dc"] = dcs["site_id"].to_numpy()[nearest]
    outlets["dc_distance_km"] = dc_dist[np.arange(len(outlets)), nearest]
    outlets["handling_cost"] = dcs["handling_cost"].to_numpy(float)[nearest]
    outlets["account_cost"] = outlets["channel"].map(lambda c: float(params.account_cost[c])).astype(float)

    dist = distance_matrix_km(zones[["lat", "lon"]].to_numpy(float), outlets[["lat", "lon"]].to_numpy(float),
                              circuity=params.circuity)
    online = (outlets["channel"] == "ecommerce").to_numpy()
    dist[:, online] = params.ecommerce_distance_km
    util = huff_utility(outlets["attractiveness"].to_numpy(float), dist, alpha=params.alpha, beta=params.beta,
                        min_distance_km=params.min_distance_km)
    comp = params.competitor_attraction
    if isinstance(comp, Mapping):
        ids = zones["customer_id"]
        missing = [z for z in ids if z not in comp]
        if missing:
            raise DataError([Problem(f"competitor attraction is missing for {len(missing)} zone(s), e.g. "
                                     f"{', '.join(missing[:5])}", "give a value for every customer_id, or one number",
                                     table="channel parameters", column="competitor_attraction")])
        competitor = np.array([float(comp[z]) for z in ids])
    else:
        mean_a = float(outlets_in["attractiveness"].astype(float).mean())
        competitor = np.full(len(zones), competitor_attraction_scalar(
            float(comp), mean_a, alpha=params.alpha, beta=params.beta, distance_km=params.competitor_distance_km))
    return Market(zones=zones, outlets=outlets, dcs=dcs, distance_km=dist, utility=util, competitor=competitor,
                  consumer_price=price, unit_cost=cost, params=params)
