"""Fit the capture model to the brand's own sell-out (the optional ``channel_sales`` table).

The outlets in the table are the stores and listings the brand sells through today. For each
distance decay ``beta`` on a grid, the competitor strength is set so that the modelled units of
those outlets (at the plan's base shelf price) add up to the observed total; the ``beta`` whose
outlet-by-outlet fit has the least weighted absolute percentage error (WAPE,
``sum |modelled - observed| / sum observed``) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SpecificationError
from .capture import outlet_economics, unit_terms
from .market import Market, prepare_market
from .params import ChannelParams

__all__ = ["Calibration", "calibrate_capture"]

STRENGTH_RANGE = (1e-3, 1e3)


@dataclass(frozen=True, eq=False)
class Calibration:
    """The fit: ``params`` (the input parameters with the fitted ``beta`` and
    ``competitor_attraction``), ``beta``, ``competitor_strength``, ``wape``; ``fit`` (one row per
    outlet: ``outlet_id``, ``name``, ``channel``, ``observed``, ``modelled``, ``error``) and
    ``grid`` (every ``beta`` tried with its strength and WAPE)."""

    params: ChannelParams
    beta: float
    competitor_strength: float
    wape: float
    fit: pd.DataFrame
    grid: pd.DataFrame


def _sales_table(world_or_tables: Any, sales: pd.DataFrame | None) -> pd.DataFrame:
    if sales is None:
        sales = (world_or_tables.get("channel_sales") if isinstance(world_or_tables, dict)
                 else getattr(world_or_tables, "channel_sales", None))
    if sales is None or len(sales) == 0:
        raise DataError([Problem("there is no sell-out to calibrate to",
                                 "add a channel_sales table (outlet_id, units: a year's sell-out of the stores and "
                                 "listings you sell through today)", table="channel_sales")])
    return sales


def calibrate_capture(world_or_tables: Any, params: ChannelParams | None = None, sales: pd.DataFrame | None = None,
                      *, serving_dcs=None, market: Market | None = None,
                      betas=tuple(np.round(np.arange(1.0, 3.01, 0.1), 2))) -> Calibration:
    """Fit ``beta`` and the competitor strength to a year's sell-out per outlet (see the module).

    ``sales``: a DataFrame with ``outlet_id`` and ``units`` (default: the World's
    ``channel_sales`` table). Raises :class:`DataError` for unknown outlets, wholesalers or
    distributors (their sales are sell-in to retailers), negative units, or fewer than three
    outlets, and :class:`SpecificationError` when even without competitors the model cannot sell
    as much as observed.
    """
    params = params or (market.params if market is not None else ChannelParams())
    sales = _sales_table(world_or_tables, sales)
    if market is None:
        market = prepare_market(world_or_tables, params, serving_dcs=serving_dcs)
    problems: list[Problem] = []
    missing = [c for c in ("outlet_id", "units") if c not in sales.columns]
    if missing:
        raise DataError([Problem(f"missing column(s) {', '.join(missing)}", "give outlet_id and units",
                                 table="channel_sales")])
    ids = sales["outlet_id"].astype(str).to_numpy()
    units = pd.to_numeric(sales["units"], errors="coerce").to_numpy(float)
    pos = {oid: i for i, oid in enumerate(market.outlets["outlet_id"])}
    role = market.role
    kinds = {"unknown": [], "intermediary": [], "bad": []}
    for row, (oid, u) in enumerate(zip(ids, units), start=2):
        if oid not in pos:
            kinds["unknown"].append((row, oid))
        elif role[pos[oid]] == "intermediary":
            kinds["intermediary"].append((row, oid))
        if not np.isfinite(u) or u < 0:
            kinds["bad"].append((row, u))
    for kind, message, fix in (
            ("unknown", "outlet_id is not a store or listing of the enabled channels",
             "use outlet ids of the outlets table, or enable their channel"),
            ("intermediary", "a wholesaler's or distributor's sales are sell-in to retailers, not sell-out",
             "give the sell-out of the stores they supply instead"),
            ("bad", "units must be a number >= 0", "give a year's units sold to shoppers")):
        rows = kinds[kind]
        if rows:
            column = "units" if kind == "bad" else "outlet_id"
            problems.append(Problem(f"{message} ({len(rows)} row(s); first rows "
                                    f"{', '.join(str(r) for r, _ in rows[:5])})", fix, table="channel_sales",
                                    row=rows[0][0], column=column, value=rows[0][1]))
    if not problems and len(set(ids)) < 3:
        problems.append(Problem(f"only {len(set(ids))} outlet(s) have sell-out: too few to fit two parameters",
                                "give the sell-out of at least three outlets", table="channel_sales"))
    if problems:
        raise DataError(problems, context="The sell-out table cannot be used for calibration")
    carried = np.array([pos[i] for i in ids], dtype=int)
    order = np.argsort(carried)                 # outlet_economics returns rows in position order
    observed = units[order]
    carried = carried[order]
    total = float(observed.sum())
    if total <= 0:
        raise DataError([Problem("the sell-out adds up to 0 units", "give a year's units sold to shoppers",
                                 table="channel_sales", column="units")])

    terms = unit_terms(market, "selective")     # prices do not depend on beta or the competitors
    by_beta: dict[float, Market] = {}

    def modelled(beta: float, strength: float) -> np.ndarray:
        # the competitors' attraction is linear in their strength: scale the strength-1 market
        if beta not in by_beta:
            by_beta[beta] = market.with_params(replace(params, beta=float(beta), competitor_attraction=1.0))
        m1 = by_beta[beta]
        m = replace(m1, competitor=m1.competitor * strength, online_competitor=m1.online_competitor * strength)
        e = outlet_economics(m, carried, "selective", detail=False, terms=terms)
        return e.units[:e.n_consumer]

    rows, best = [], None
    for b in betas:
        lo, hi = np.log(STRENGTH_RANGE[0]), np.log(STRENGTH_RANGE[1])
        if modelled(b, STRENGTH_RANGE[0]).sum() < total:
            rows.append({"beta": float(b), "competitor_strength": float("nan"), "wape": float("nan")})
            continue
        for _ in range(32):                       # units fall as the competitors grow stronger
            mid = 0.5 * (lo + hi)
            if modelled(b, np.exp(mid)).sum() > total:
                lo = mid
            else:
                hi = mid
        s = float(np.exp(0.5 * (lo + hi)))
        fit = modelled(b, s)
        wape = float(np.abs(fit - observed).sum() / total)
        rows.append({"beta": float(b), "competitor_strength": s, "wape": wape})
        if best is None or wape < best[2]:
            best = (float(b), s, wape, fit)
    grid = pd.DataFrame(rows)
    if best is None:
        top = float(modelled(max(betas), STRENGTH_RANGE[0]).sum())
        raise SpecificationError(
            f"the sell-out ({total:,.0f} units/yr) is more than these {len(carried)} outlets could sell even without "
            f"competitors ({top:,.0f} units/yr at the base shelf price): check the zones' annual_demand, the units "
            f"(a year, sold to shoppers) or the price", constraint="calibration")
    beta, strength, wape, fit = best
    o = market.outlets.iloc[carried]
    table = pd.DataFrame({"outlet_id": o["outlet_id"].to_numpy(), "name": o["name"].to_numpy(),
                          "channel": o["channel"].to_numpy(), "observed": observed, "modelled": fit,
                          "error": fit - observed})
    return Calibration(params=replace(params, beta=beta, competitor_attraction=strength), beta=beta,
                       competitor_strength=strength, wape=wape, fit=table, grid=grid)
