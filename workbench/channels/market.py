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
from ..validate import channel_roles, check_columns, check_table, missing_role_problems
from ..geo import distance_matrix_km
from .economics import REFERENCE_RETAIL_MARGIN
from .huff import competitor_attraction_scalar, huff_utility
from .params import CONSUMER_CHANNELS, TIERS, ChannelParams, currency_mismatch, validate_params

__all__ = ["Market", "prepare_market", "reference_prices", "data_currency"]

ZONE_COLUMNS = ("customer_id", "lat", "lon", "population", "annual_demand")
OUTLET_COLUMNS = ("outlet_id", "channel", "tier", "attractiveness", "lat", "lon")
DC_COLUMNS = ("site_id", "lat", "lon")


@dataclass(frozen=True, eq=False)
class Market:
    """Zones, the outlets of the enabled channels and the matrices every strategy reuses.

    Roles (``outlets.role``): ``store`` (retailers: they sell to shoppers in person),
    ``online`` (e-commerce listings: they sell to shoppers by parcel) and ``intermediary``
    (wholesalers and distributors: they sell to retailers, never to shoppers). ``outlets``
    carries ``serving_dc``, ``dc_distance_km``, ``handling_cost``, ``account_cost`` and, for
    stores, ``supplier`` (position of the wholesaler or distributor that supplies it, -1 when
    served direct) and ``supplier_id``.

    ``distance_km[i, j]`` is the road distance from zone *i* to outlet *j*; ``utility`` the
    Huff utility ``A**alpha * max(d, d_min)**-beta`` of stores (0 for the other roles);
    ``competitor`` is ``C_i`` in store trade and ``online_competitor`` the same competitors
    online (no distance term). ``delivered`` marks the zones a serving DC reaches by parcel.
    ``reference_price`` is the shelf price the demand was observed at, ``consumer_price`` the
    plan's base shelf price (see :mod:`.economics`).
    """

    zones: pd.DataFrame
    outlets: pd.DataFrame
    dcs: pd.DataFrame
    distance_km: np.ndarray
    utility: np.ndarray
    competitor: np.ndarray
    online_competitor: np.ndarray
    delivered: np.ndarray
    reference_price: float
    consumer_price: float
    unit_cost: float
    params: ChannelParams
    source_outlets: pd.DataFrame
    product_price: float = float("nan")
    product_cost: float = float("nan")
    geometry: dict | None = None
    roles: np.ndarray | None = None          # outlets.role as an array (set by prepare_market)
    zone_potential: np.ndarray | None = None  # zones.potential as an array
    currency: str = "USD"                    # the data's currency (params.currency agrees)

    @property
    def potential(self) -> np.ndarray:
        """Each zone's sales potential at the reference price (units/yr)."""
        if self.zone_potential is not None:
            return self.zone_potential
        return self.zones["potential"].to_numpy(dtype=float)

    @property
    def online_potential(self) -> np.ndarray:
        """The part of each zone's potential bought online (0 where parcels do not reach)."""
        return self.potential * self.params.online_share * self.delivered

    @property
    def store_potential(self) -> np.ndarray:
        """The part of each zone's potential bought in stores."""
        return self.potential - self.online_potential

    @property
    def role(self) -> np.ndarray:
        return self.roles if self.roles is not None else self.outlets["role"].to_numpy()

    @property
    def physical(self) -> np.ndarray:
        """Stores: the outlets shoppers travel to (retailers)."""
        return self.role == "store"

    @property
    def online(self) -> np.ndarray:
        return self.role == "online"

    @property
    def consumer(self) -> np.ndarray:
        """Outlets that sell to shoppers (stores and e-commerce listings)."""
        return self.role != "intermediary"

    @property
    def online_weight(self) -> np.ndarray:
        """``A**alpha`` of every outlet (the online pull of a listing)."""
        return self.outlets["attractiveness"].to_numpy(float) ** float(self.params.alpha)

    def with_params(self, params: ChannelParams) -> "Market":
        """The same zones, outlets table and DCs under other assumptions (the tables are not
        validated again; the parameters are)."""
        validate_params(params)
        bad = currency_mismatch(params, self.currency)
        if bad is not None:
            raise DataError([bad], context="The channel-strategy parameters are not usable")
        return _build(self.zones, self.source_outlets, self.dcs, params, self.product_price, self.product_cost,
                      geometry=self.geometry, currency=self.currency)


def _tables(world_or_tables: Any) -> dict[str, pd.DataFrame]:
    if isinstance(world_or_tables, Mapping):
        return {k: v for k, v in world_or_tables.items() if isinstance(v, pd.DataFrame)}
    out = {}
    for name in ("customers", "outlets", "sites", "products", "channels", "company"):
        if hasattr(world_or_tables, name):
            out[name] = getattr(world_or_tables, name)
    if not out:
        raise DataError([Problem("expected a World or a mapping of tables (customers, outlets, sites, products)",
                                 "pass workbench.load_sample() or {'customers': df, 'outlets': df, ...}")])
    return out


def data_currency(world_or_tables: Any) -> str:
    """The currency of the data's money: ``World.currency``, or the ``company`` table of a mapping
    of tables; USD when neither says."""
    cur = getattr(world_or_tables, "currency", None)
    if isinstance(cur, str) and cur:
        return cur.strip().upper()
    if isinstance(world_or_tables, Mapping):
        company = world_or_tables.get("company")
        if isinstance(company, pd.DataFrame) and len(company) and "currency" in company.columns:
            v = company["currency"].iloc[0]
            if isinstance(v, str) and v.strip():
                return v.strip().upper()
    return "USD"


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
    """The reference shelf price and unit cost derived from the products table (nan when
    ``p`` gives both and there is no usable table)."""
    prods = tables.get("products")
    usable = prods is not None and not prods.empty and {"price", "unit_cost"}.issubset(prods.columns)
    if not usable:
        if (p.reference_price is None and p.consumer_price is None) or p.unit_cost is None:
            problems.append(Problem("no products table to derive the reference price and unit cost from",
                                    "pass reference_price= (or consumer_price=) and unit_cost= in ChannelParams, or "
                                    "include products", table="products"))
        return float("nan"), float("nan")
    share = (pd.to_numeric(prods["demand_share"], errors="coerce").fillna(0.0).to_numpy(float)
             if "demand_share" in prods.columns else np.ones(len(prods)))
    if share.sum() <= 0:
        share = np.ones(len(prods))
    share = share / share.sum()
    list_price = float((prods["price"].to_numpy(float) * share).sum())
    # the list price is what the retailer pays: the shelf price grosses it up by the reference margin
    price = round(list_price / (1.0 - REFERENCE_RETAIL_MARGIN), 2)  # a shelf price, in cents
    cost = float((prods["unit_cost"].to_numpy(float) * share).sum())
    return price, cost


def _resolve_prices(p: ChannelParams, product_price: float, product_cost: float) -> tuple[float, float, float]:
    """(reference price, base consumer price, unit cost) under ``p``."""
    ref = p.reference_price if p.reference_price is not None else (
        p.consumer_price if p.consumer_price is not None and not np.isfinite(product_price) else product_price)
    base = p.consumer_price if p.consumer_price is not None else ref
    cost = p.unit_cost if p.unit_cost is not None else product_cost
    return float(ref), float(base), float(cost)


def reference_prices(world_or_tables: Any, params: ChannelParams | None = None) -> tuple[float, float]:
    """The reference shelf price and the unit cost used when ``params`` leaves them ``None``:
    the products' demand-weighted list price to the trade grossed up by
    :data:`~.economics.REFERENCE_RETAIL_MARGIN`, and the demand-weighted unit cost. Neither
    depends on the margin assumptions."""
    params = params or ChannelParams()
    problems: list[Problem] = []
    price, cost = _product_prices(_tables(world_or_tables), params, problems)
    if problems:
        raise DataError(problems, context="The channel-strategy inputs have problems")
    ref, _, cost = _resolve_prices(params, price, cost)
    return ref, cost


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
    currency = data_currency(world_or_tables)
    bad = currency_mismatch(params, currency)
    if bad is not None:
        problems.append(bad)
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
            Column("channel", "str", "Distribution channel"),
            Column("tier", "choice", "Outlet tier", choices=TIERS)), min_rows=0), problems)
        if len(typed) == len(outlets_in) and len(typed):  # 'Mass' is the tier 'mass'
            outlets_in = outlets_in.assign(channel=typed["channel"].to_numpy(), tier=typed["tier"].to_numpy())
            roles, missing = channel_roles(outlets_in, tables.get("channels"))
            problems += missing_role_problems(outlets_in, missing)
            outlets_in = outlets_in.assign(channel_role=outlets_in["channel"].map(roles))
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
    keep = list(OUTLET_COLUMNS) + [c for c in ("channel_role", "name", "city", "state", "region")
                                   if c in outlets_in.columns]
    source = outlets_in[keep].copy().reset_index(drop=True)
    source["outlet_id"] = source["outlet_id"].astype(str)
    if "name" not in source:
        source["name"] = source["outlet_id"]
    return _build(zones, source, dcs, params, price, cost, currency=currency)


def _geometry(zones: pd.DataFrame, source: pd.DataFrame, dcs: pd.DataFrame, circuity: float) -> dict:
    """Road distances between zones, every outlet of the table and the DCs (reused by
    :meth:`Market.with_params` while the circuity is the same)."""
    zxy = zones[["lat", "lon"]].to_numpy(float)
    oxy = source[["lat", "lon"]].to_numpy(float)
    dxy = dcs[["lat", "lon"]].to_numpy(float)
    return {"circuity": float(circuity), "zone_outlet": distance_matrix_km(zxy, oxy, circuity=circuity),
            "outlet_dc": distance_matrix_km(oxy, dxy, circuity=circuity),
            "outlet_outlet": distance_matrix_km(oxy, oxy, circuity=circuity),
            "zone_dc": distance_matrix_km(zxy, dxy, circuity=circuity)}


def _build(zones: pd.DataFrame, source: pd.DataFrame, dcs: pd.DataFrame, params: ChannelParams,
           product_price: float, product_cost: float, *, geometry: dict | None = None,
           currency: str = "USD") -> Market:
    """The market under ``params`` from validated zones, the whole outlets table and the DCs."""
    if geometry is None or geometry["circuity"] != float(params.circuity):
        geometry = _geometry(zones, source, dcs, params.circuity)
    on = source["channel_role"].isin(params.channels)
    sel = np.flatnonzero(on.to_numpy())
    enabled = source[on]
    if not enabled["channel_role"].isin(CONSUMER_CHANNELS).any():
        counts = source.groupby(["channel", "channel_role"], sort=False).size()
        raise SpecificationError(
            f"no outlet of the enabled channels ({', '.join(params.channels)}) sells to shoppers; the outlets are "
            f"{', '.join(f'{v} {ch} ({r})' for (ch, r), v in counts.items())}: enable retailers or e-commerce "
            f"(wholesalers and distributors sell to retailers)", constraint="channels")
    outlets = enabled.copy().reset_index(drop=True)
    chan = outlets["channel_role"].to_numpy()
    role = np.where(chan == "retailer", "store", np.where(chan == "ecommerce", "online", "intermediary"))
    outlets["role"] = role

    # serving DC: the nearest open DC by road distance
    dc_dist = geometry["outlet_dc"][sel]
    nearest = dc_dist.argmin(axis=1)
    outlets["serving_dc"] = dcs["site_id"].to_numpy()[nearest]
    outlets["dc_distance_km"] = dc_dist[np.arange(len(outlets)), nearest]
    outlets["handling_cost"] = dcs["handling_cost"].to_numpy(float)[nearest]
    outlets["account_cost"] = outlets["channel_role"].map(lambda c: float(params.account_cost[c])).astype(float)

    # two-tier flow: stores of the indirect tiers buy from the nearest intermediary within reach
    inter = np.flatnonzero(role == "intermediary")
    supplier = np.full(len(outlets), -1, dtype=int)
    supplier_km = np.full(len(outlets), np.nan)
    indirect = np.flatnonzero((role == "store") & outlets["tier"].isin(params.indirect_tiers).to_numpy())
    if len(inter) and len(indirect):
        d = geometry["outlet_outlet"][np.ix_(sel[indirect], sel[inter])]
        k = d.argmin(axis=1)
        dk = d[np.arange(len(indirect)), k]
        ok = dk <= params.intermediary_radius_km
        supplier[indirect[ok]] = inter[k[ok]]
        supplier_km[indirect[ok]] = dk[ok]
    outlets["supplier"] = supplier
    ids = outlets["outlet_id"].to_numpy()
    outlets["supplier_id"] = np.where(supplier >= 0, ids[np.maximum(supplier, 0)], "")
    outlets["supplier_km"] = supplier_km

    dist = geometry["zone_outlet"][:, sel]
    util = huff_utility(outlets["attractiveness"].to_numpy(float), dist, alpha=params.alpha, beta=params.beta,
                        min_distance_km=params.min_distance_km)
    util[:, role != "store"] = 0.0
    comp = params.competitor_attraction
    if isinstance(comp, Mapping):
        cid = zones["customer_id"]
        missing = [z for z in cid if z not in comp]
        if missing:
            raise DataError([Problem(f"competitor attraction is missing for {len(missing)} zone(s), e.g. "
                                     f"{', '.join(missing[:5])}", "give a value for every customer_id, or one number",
                                     table="channel parameters", column="competitor_attraction")])
        competitor = np.array([float(comp[z]) for z in cid])
    else:
        stores_a = source.loc[source["channel_role"] == "retailer", "attractiveness"].astype(float)
        mean_a = float(stores_a.mean()) if len(stores_a) else float(source["attractiveness"].astype(float).mean())
        competitor = np.full(len(zones), competitor_attraction_scalar(
            float(comp), mean_a, alpha=params.alpha, beta=params.beta, distance_km=params.competitor_distance_km))
    # online every seller is one click away: the same competitors without the distance term
    online_competitor = competitor * float(params.competitor_distance_km) ** float(params.beta)
    zone_dc = geometry["zone_dc"].min(axis=1)
    delivered = zone_dc <= params.ecommerce_delivery_km
    ref, base, cost = _resolve_prices(params, product_price, product_cost)
    return Market(zones=zones, outlets=outlets, dcs=dcs, distance_km=dist, utility=util, competitor=competitor,
                  online_competitor=online_competitor, delivered=delivered, reference_price=ref, consumer_price=base,
                  unit_cost=cost, params=params, source_outlets=source, product_price=product_price, geometry=geometry,
                  product_cost=product_cost, roles=role, zone_potential=zones["potential"].to_numpy(dtype=float),
                  currency=currency)
