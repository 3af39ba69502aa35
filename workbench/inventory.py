"""Safety stock, reorder points and projected stock from a demand forecast per DC/region.

Formulas (Chopra & Meindl, *Supply Chain Management*, ch. 12; Silver, Pyke & Peterson, ch. 7):

* demand over the lead time ``L`` (periods, mean) with lead-time standard deviation ``s_L``:
  ``sigma_LT = sqrt(L * sigma_d**2 + d**2 * s_L**2)`` (``d``: mean demand per period,
  ``sigma_d``: standard deviation of the forecast error per period);
* cycle service level ``CSL`` (probability of no stock-out in a cycle): ``SS = z * sigma_LT``,
  ``z = Phi^-1(CSL)``;
* fill rate ``fr`` (share of demand served from stock) with order quantity ``Q``: the expected
  shortage per cycle ``ESC = sigma_LT * G(k)`` must equal ``(1 - fr) * Q``, where
  ``G(k) = phi(k) - k * (1 - Phi(k))`` is the standard normal loss function; ``SS = k * sigma_LT``;
* reorder point ``ROP = d * L + SS`` (continuous review);
* order-up-to level ``S = d * (L + R) + z * sqrt((L + R) * sigma_d**2 + d**2 * s_L**2)``
  (periodic review every ``R`` periods);
* economic order quantity ``EOQ = sqrt(2 * D * S_o / H)``, ``D`` annual demand, ``S_o`` cost per
  order, ``H = holding rate * unit cost`` per unit and year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from .errors import DataError, Problem, SpecificationError

__all__ = [
    "InventoryPolicy",
    "InventoryPlan",
    "normal_loss",
    "lead_time_sigma",
    "safety_stock_csl",
    "safety_stock_fill_rate",
    "fill_rate_from_safety_stock",
    "reorder_point",
    "order_up_to",
    "eoq",
    "plan_inventory",
    "project_stock",
    "sigma_from_intervals",
]


# ----------------------------------------------------------------------------------------
# formulas
# ----------------------------------------------------------------------------------------


def normal_loss(k: float) -> float:
    """Standard normal loss ``G(k) = E[(Z - k)+] = phi(k) - k (1 - Phi(k))``."""
    return float(norm.pdf(k) - k * norm.sf(k))


def lead_time_sigma(sigma_d: float, lead_time: float, demand: float = 0.0, lead_time_sd: float = 0.0) -> float:
    """Standard deviation of demand over the lead time: ``sqrt(L sigma_d^2 + d^2 s_L^2)``."""
    return math.sqrt(lead_time * sigma_d ** 2 + demand ** 2 * lead_time_sd ** 2)


def safety_stock_csl(service_level: float, sigma_d: float, lead_time: float, *, demand: float = 0.0,
                     lead_time_sd: float = 0.0) -> float:
    """Safety stock for a cycle service level: ``Phi^-1(CSL) * sigma_LT``."""
    _check_level(service_level, "cycle service level")
    return float(norm.ppf(service_level)) * lead_time_sigma(sigma_d, lead_time, demand, lead_time_sd)


def safety_stock_fill_rate(fill_rate: float, order_qty: float, sigma_d: float, lead_time: float, *,
                           demand: float = 0.0, lead_time_sd: float = 0.0) -> float:
    """Safety stock for a fill rate: solve ``sigma_LT * G(k) = (1 - fr) * Q`` for ``k``.

    The safety factor ``k`` may be negative (a low fill rate with a large order quantity needs
    less than the mean lead-time demand).
    """
    _check_level(fill_rate, "fill rate")
    if order_qty <= 0:
        raise SpecificationError(f"the order quantity must be positive for a fill-rate target (got {order_qty})",
                                 constraint="order quantity")
    s = lead_time_sigma(sigma_d, lead_time, demand, lead_time_sd)
    if s <= 0:
        return 0.0
    target = (1.0 - fill_rate) * order_qty / s
    k = brentq(lambda x: normal_loss(x) - target, -10.0, 10.0, xtol=1e-10)
    return float(k * s)


def fill_rate_from_safety_stock(safety_stock: float, order_qty: float, sigma_lt: float) -> float:
    """Fill rate achieved by a safety stock: ``1 - sigma_LT * G(ss / sigma_LT) / Q``."""
    if sigma_lt <= 0:
        return 1.0
    return 1.0 - sigma_lt * normal_loss(safety_stock / sigma_lt) / order_qty


def reorder_point(demand: float, lead_time: float, safety_stock: float) -> float:
    return demand * lead_time + safety_stock


def order_up_to(service_level: float, demand: float, sigma_d: float, lead_time: float, review_period: float, *,
                lead_time_sd: float = 0.0) -> float:
    """Order-up-to level of a periodic review policy (protects ``L + R`` periods)."""
    _check_level(service_level, "cycle service level")
    t = lead_time + review_period
    return demand * t + float(norm.ppf(service_level)) * lead_time_sigma(sigma_d, t, demand, lead_time_sd)


def eoq(annual_demand: float, order_cost: float, holding_cost: float) -> float:
    """Economic order quantity ``sqrt(2 D S / H)`` (``H`` per unit and year)."""
    if holding_cost <= 0:
        raise SpecificationError("the holding cost per unit and year must be positive for an EOQ "
                                 f"(got {holding_cost}): give a unit cost and a holding rate above 0",
                                 constraint="holding cost")
    return math.sqrt(2.0 * max(annual_demand, 0.0) * max(order_cost, 0.0) / holding_cost)


def _check_level(level: float, what: str) -> None:
    if not 0.0 < level < 1.0:
        raise SpecificationError(f"the {what} must be between 0 and 1 (exclusive), e.g. 0.95; got {level}",
                                 constraint=what)


def sigma_from_intervals(forecasts: pd.DataFrame) -> pd.Series:
    """Per-period forecast error standard deviation per series, from the one-step interval.

    Uses the widest level present: ``(hi - yhat) / z`` in the first forecast period.
    """
    levels = sorted(int(c[3:]) for c in forecasts.columns if c.startswith("hi-"))
    if not levels:
        raise DataError([Problem("the forecast has no interval columns (hi-80, hi-95, ...)", table="forecast",
                                 fix="forecast with level=(80, 95) so the error can be measured")])
    lv = levels[-1]
    z = float(norm.ppf(0.5 + lv / 200.0))
    first = forecasts.sort_values("ds").groupby("unique_id", sort=False).first()
    return ((first[f"hi-{lv}"] - first["yhat"]) / z).clip(lower=0.0).rename("sigma_d")


# ----------------------------------------------------------------------------------------
# the plan
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryPolicy:
    """Inventory settings (keyword-only). Times are in forecast periods (weeks in the World).

    Give ``service_level`` (cycle service level) or ``fill_rate``; ``review_period`` is used for
    the order-up-to level; ``holding_rate`` is the yearly carrying cost as a share of unit cost.
    """

    service_level: float | None = 0.95
    fill_rate: float | None = None
    lead_time: float = 2.0
    lead_time_sd: float = 0.0
    review_period: float = 1.0
    order_cost: float = 250.0
    holding_rate: float = 0.25
    periods_per_year: float = 52.0

    def __post_init__(self):
        for name in ("service_level", "fill_rate", "lead_time", "lead_time_sd", "review_period", "order_cost",
                     "holding_rate", "periods_per_year"):
            v = getattr(self, name)
            if v is None and name in ("service_level", "fill_rate"):
                continue
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(float(v)):
                raise SpecificationError(f"{name.replace('_', ' ')} must be a finite number, got {v!r}",
                                         constraint=name)
        for name in ("service_level", "fill_rate"):
            v = getattr(self, name)
            if v is not None and not 0 < v < 1:
                raise SpecificationError(f"the {name.replace('_', ' ')} is a share strictly between 0 and 1 "
                                         f"(0.95 for 95 %), got {v!r}", constraint=name)
        if not self.periods_per_year > 0:
            raise SpecificationError(f"periods per year must be positive, got {self.periods_per_year!r}",
                                     constraint="periods_per_year")
        if (self.service_level is None) == (self.fill_rate is None):
            raise SpecificationError("give either a cycle service level or a fill rate (exactly one)",
                                     constraint="service target")
        for name in ("lead_time", "lead_time_sd", "review_period", "order_cost", "holding_rate"):
            if getattr(self, name) < 0:
                raise SpecificationError(f"{name.replace('_', ' ')} cannot be negative (got {getattr(self, name)})",
                                         constraint=name)
        if self.lead_time <= 0:
            raise SpecificationError("the lead time must be longer than 0 periods", constraint="lead_time")


@dataclass(frozen=True)
class InventoryPlan:
    """Per DC/region and item: ``table`` (demand, sigma, safety stock, reorder point, order-up-to,
    EOQ, on hand, reorder date) and ``projection`` (period by period on-hand and position)."""

    table: pd.DataFrame
    projection: pd.DataFrame
    policy: InventoryPolicy
    kpis: dict = field(default_factory=dict)


def _unit_costs(unit_cost, ids: list) -> dict:
    """The unit cost of every series; a missing, negative or non-finite cost is an error, never 1."""
    if unit_cost is None:
        raise SpecificationError("plan_inventory needs unit_cost (it prices the holding cost, the EOQ and the "
                                 "stock value): pass one number or a cost per series, e.g. the products' "
                                 "unit_cost", constraint="unit_cost")
    if isinstance(unit_cost, (dict, pd.Series)):
        costs = {uid: unit_cost.get(uid) for uid in ids}
    else:
        costs = {uid: unit_cost for uid in ids}
    problems = []
    for uid, v in costs.items():
        try:
            ok = v is not None and not isinstance(v, bool) and math.isfinite(float(v)) and float(v) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(Problem("no usable unit cost for this series" if v is None else "unit cost is not a "
                                    "finite number >= 0", "give a unit cost (in the World's currency) for every "
                                    "series", table="unit_cost", column=str(uid), value=v))
    if problems:
        raise DataError(problems, context="Unit costs are missing or unusable")
    return {uid: float(v) for uid, v in costs.items()}


def plan_inventory(forecasts: pd.DataFrame, *, policy: InventoryPolicy = InventoryPolicy(),
                   sigma: pd.Series | None = None, on_hand: pd.Series | dict | None = None,
                   unit_cost: pd.Series | dict | float | None = None, open_orders: pd.DataFrame | None = None,
                   plan_orders: bool = True) -> InventoryPlan:
    """Safety stock, reorder point, order-up-to level and EOQ per series, and the projected stock.

    ``forecasts``: unique_id, ds, yhat (+ lo-/hi- bounds, used for ``sigma`` when it is not given).
    ``sigma``: forecast error sd per period per series. ``on_hand``: units per series (default:
    the reorder point plus one EOQ, a freshly replenished DC). ``unit_cost`` (required: it
    prices the holding cost, hence the EOQ and the stock value): per series or one number, in
    the World's currency, e.g. ``world.products.set_index("product_id").unit_cost`` mapped to the
    series. ``open_orders``: unique_id, ds (arrival), qty.
    """
    missing = [c for c in ("unique_id", "ds", "yhat") if c not in forecasts.columns]
    if missing:
        raise DataError([Problem(f"column '{c}' is missing", table="forecast", column=c,
                                 fix="pass the forecast frame from Forecaster.predict()") for c in missing])
    fc = forecasts.sort_values(["unique_id", "ds"])
    costs = _unit_costs(unit_cost, list(dict.fromkeys(fc["unique_id"])))
    if sigma is None:
        sigma = sigma_from_intervals(fc)
    sigma = pd.Series(sigma)
    on_hand = pd.Series(on_hand, dtype=float) if on_hand is not None else pd.Series(dtype=float)
    p = policy
    rows = []
    projections = []
    for uid, g in fc.groupby("unique_id", sort=False):
        yh = g["yhat"].to_numpy(float)
        L = p.lead_time
        nlt = max(1, int(math.ceil(L)))
        d = float(np.mean(yh[:nlt])) if len(yh) else 0.0
        d_all = float(np.mean(yh))
        sd = float(sigma.get(uid, 0.0))
        s_lt = lead_time_sigma(sd, L, d, p.lead_time_sd)
        cost = costs[uid]
        H = p.holding_rate * cost
        Q = eoq(d_all * p.periods_per_year, p.order_cost, H) if H > 0 else float("nan")
        if p.fill_rate is not None:
            q_for_fr = Q if math.isfinite(Q) and Q > 0 else max(d_all * p.review_period, 1e-9)
            ss = safety_stock_fill_rate(p.fill_rate, q_for_fr, sd, L, demand=d, lead_time_sd=p.lead_time_sd)
            csl = float(norm.cdf(ss / s_lt)) if s_lt > 0 else 1.0
            z = ss / s_lt if s_lt > 0 else 0.0
            level = csl
        else:
            ss = safety_stock_csl(p.service_level, sd, L, demand=d, lead_time_sd=p.lead_time_sd)
            z = float(norm.ppf(p.service_level))
            level = p.service_level
        rop = reorder_point(d, L, ss)
        S = order_up_to(level, d, sd, L, p.review_period, lead_time_sd=p.lead_time_sd)
        start = float(on_hand.get(uid, rop + (Q if math.isfinite(Q) else d * p.review_period)))
        proj = project_stock(g[["ds", "yhat"]], on_hand=start, reorder_point=rop,
                             order_qty=Q if math.isfinite(Q) and Q > 0 else S - rop,
                             lead_time=nlt, open_orders=None if open_orders is None else
                             open_orders[open_orders["unique_id"] == uid], plan_orders=plan_orders)
        proj.insert(0, "unique_id", uid)
        hit = proj.index[proj["at_or_below_rop"]]
        reorder_ds = proj.loc[hit[0], "ds"] if len(hit) else pd.NaT
        stockout = proj.index[proj["on_hand"] < 0]
        rec = {"unique_id": uid, "demand_per_period": d, "sigma_d": sd, "lead_time": L,
               "lead_time_demand": d * L, "sigma_lead_time": s_lt, "safety_factor": z,
               "safety_stock": ss, "reorder_point": rop, "order_up_to": S, "eoq": Q,
               "on_hand": start, "weeks_of_cover": start / d if d > 0 else float("inf"),
               "reorder_ds": reorder_ds,
               "stockout_ds": proj.loc[stockout[0], "ds"] if len(stockout) else pd.NaT,
               "safety_stock_value": ss * cost, "unit_cost": cost}
        for col in ("product_id", "region"):
            if col in g.columns:
                rec[col] = g[col].iloc[0]
        rows.append(rec)
        projections.append(proj)
    table = pd.DataFrame(rows)
    projection = pd.concat(projections, ignore_index=True) if projections else pd.DataFrame()
    kpis = {"safety_stock_units": float(table["safety_stock"].sum()) if len(table) else 0.0,
            "safety_stock_value": float(table["safety_stock_value"].sum()) if len(table) else 0.0,
            "items_reordering_in_horizon": int(table["reorder_ds"].notna().sum()) if len(table) else 0}
    return InventoryPlan(table, projection, policy, kpis)


def project_stock(forecast: pd.DataFrame, *, on_hand: float, reorder_point: float, order_qty: float,
                  lead_time: int, open_orders: pd.DataFrame | None = None, plan_orders: bool = True) -> pd.DataFrame:
    """Period-by-period stock from on-hand, forecast demand (``yhat``) and orders.

    Each period: receipts arrive, demand is taken (``on_hand`` may go negative = backorders),
    and the inventory position (on hand + on order) is compared with the reorder point. With
    ``plan_orders`` an order of ``order_qty`` is placed whenever the position is at or below
    the reorder point, arriving ``lead_time`` periods later.
    """
    ds = list(forecast["ds"])
    demand = forecast["yhat"].to_numpy(float)
    n = len(ds)
    receipts = np.zeros(n + lead_time + 1)
    if open_orders is not None and len(open_orders):
        pos = {d: i for i, d in enumerate(ds)}
        for _, o in open_orders.iterrows():
            i = pos.get(o["ds"])
            if i is not None:
                receipts[i] += float(o["qty"])
    stock = float(on_hand)
    on_order = float(receipts[:n].sum())
    rows = []
    for t in range(n):
        got = receipts[t]
        stock += got
        on_order -= got
        stock -= demand[t]
        position = stock + on_order
        ordered = 0.0
        below = position <= reorder_point + 1e-9
        if plan_orders and below and order_qty > 0:
            qty = order_qty
            while position + qty <= reorder_point:  # a big demand spike may need several lots
                qty += order_qty
            ordered = qty
            if t + lead_time < len(receipts):
                receipts[t + lead_time] += qty
            on_order += qty
            position += qty
        rows.append({"ds": ds[t], "demand": demand[t], "receipts": got, "on_hand": stock,
                     "position": position, "reorder_point": reorder_point, "order_placed": ordered,
                     "at_or_below_rop": bool(below)})
    return pd.DataFrame(rows)
