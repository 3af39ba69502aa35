"""The channel-strategy specification: one frozen dataclass holding every assumption.

A what-if is ``dataclasses.replace(params, exclusive_premium=0.25)``. Every default is
documented in ``docs/channel_strategy.md`` with where it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..errors import DataError, Problem
from ..schema import CHANNELS, TIERS

__all__ = [
    "ChannelParams",
    "CHANNELS",
    "TIERS",
    "STRATEGIES",
    "DEFAULT_ACCOUNT_COST",
    "validate_params",
]

STRATEGIES = ("intensive", "selective", "exclusive")

# USD per outlet per year: key-account management, listing and merchandising, in-store display
# and the share of a field rep's time an account takes. Wholesalers and distributors are fewer,
# larger accounts with negotiated terms; an e-commerce account carries content, advertising
# and platform management.
DEFAULT_ACCOUNT_COST: Mapping[str, float] = {
    "retailer": 60_000.0,
    "wholesaler": 90_000.0,
    "distributor": 120_000.0,
    "ecommerce": 150_000.0,
}


def _default_account_cost() -> dict[str, float]:
    return dict(DEFAULT_ACCOUNT_COST)


@dataclass(frozen=True)
class ChannelParams:
    """Every assumption of a channel-strategy evaluation (keyword arguments, all with defaults).

    Market capture (Huff 1963): the probability that zone *i* buys at outlet *j* is
    ``A_j**alpha * d_ij**-beta / (sum_k A_k**alpha * d_ik**-beta + C_i)`` over the carried
    outlets *k*, where ``C_i`` is the competitors' attraction in zone *i*.

    * ``alpha`` — exponent on outlet attractiveness (1 = proportional to the score).
    * ``beta`` — distance-decay exponent; 2 is the classic gravity value, estimates for shopping
      trips run from about 1.5 to 3.
    * ``min_distance_km`` — distance floor (a zone's shoppers also travel inside their own city).
    * ``circuity`` — road distance = great-circle distance x circuity.
    * ``competitor_attraction`` — a number: the competitors in every zone pull like this many
      outlets of mean attractiveness at ``competitor_distance_km``; or a mapping
      ``customer_id -> C_i`` (absolute, same units as ``A**alpha * d**-beta``) for every zone.
    * ``ecommerce_distance_km`` — an online shop is equally near to every zone: it pulls like
      a store at this distance.

    Prices and the margin stack (margins are shares of the intermediary's own selling price):
    ``consumer_price`` (USD/unit; ``None`` = the demand-weighted list price of the products
    grossed up by the retailer margin), ``unit_cost`` (USD/unit; ``None`` = demand-weighted
    from the products), ``retailer_margin``, ``wholesaler_margin``, ``distributor_margin``
    (wholesalers and distributors sell to retailers, so the retailer margin applies on top),
    ``ecommerce_commission`` (the platform's take), ``ecommerce_fulfilment`` and
    ``ecommerce_parcel`` (USD/unit, paid by the manufacturer).

    Strategy pricing: ``exclusive_premium`` and ``selective_premium`` raise, and
    ``intensive_erosion`` lowers, the consumer price of that strategy (fractions);
    ``price_elasticity`` (>= 0) scales units by ``price_factor**-elasticity`` (0 = volume does
    not react to price).

    Cost to serve: ``account_cost`` (USD/outlet/yr per channel), ``logistics_cost_per_unit_km``
    from the serving DC, plus the DC's ``handling_cost`` per unit when the DC table has it.

    Strategies: ``channels`` (enabled channels), ``coverage_radius_km`` (a zone is covered when
    a carried store is within this road distance), selective criteria (``selective_tiers``,
    ``selective_min_attractiveness``, and optionally ``selective_size``: the most profitable
    ``n`` outlets among those meeting the criteria), exclusive design (``territories``,
    ``balance_tolerance``: every territory's sales potential within this fraction of the mean,
    ``exclusive_tiers``: who may be a partner, ``territory_time_limit_s``).
    """

    # market capture
    alpha: float = 1.0
    beta: float = 2.0
    min_distance_km: float = 5.0
    circuity: float = 1.2
    competitor_attraction: float | Mapping[str, float] = 5.0
    competitor_distance_km: float = 10.0
    ecommerce_distance_km: float = 60.0
    # prices and margin stack
    consumer_price: float | None = None
    unit_cost: float | None = None
    retailer_margin: float = 0.30
    wholesaler_margin: float = 0.12
    distributor_margin: float = 0.18
    ecommerce_commission: float = 0.15
    ecommerce_fulfilment: float = 2.50
    ecommerce_parcel: float = 6.50
    exclusive_premium: float = 0.15
    selective_premium: float = 0.0
    intensive_erosion: float = 0.05
    price_elasticity: float = 0.0
    # cost to serve
    account_cost: Mapping[str, float] = field(default_factory=_default_account_cost)
    logistics_cost_per_unit_km: float = 0.001
    # strategies
    channels: tuple[str, ...] = CHANNELS
    coverage_radius_km: float = 50.0
    selective_tiers: tuple[str, ...] = ("flagship", "premium")
    selective_min_attractiveness: float = 40.0
    selective_size: int | None = None
    territories: int = 10
    balance_tolerance: float = 0.25
    exclusive_tiers: tuple[str, ...] = ("flagship", "premium")
    territory_time_limit_s: float = 20.0

    def price_factor(self, strategy: str) -> float:
        """Consumer price of ``strategy`` relative to the base consumer price."""
        if strategy == "exclusive":
            return 1.0 + self.exclusive_premium
        if strategy == "selective":
            return 1.0 + self.selective_premium
        if strategy == "intensive":
            return 1.0 - self.intensive_erosion
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (tuples as lists, mappings as dicts)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, Mapping):
                v = {str(k): float(x) for k, x in v.items()}
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "ChannelParams":
        """Inverse of :meth:`to_dict` (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        kw = {}
        for k, v in values.items():
            if k not in names:
                continue
            if k in ("channels", "selective_tiers", "exclusive_tiers") and v is not None:
                v = tuple(v)
            kw[k] = v
        return cls(**kw)


def _num(v) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def validate_params(p: ChannelParams) -> None:
    """Raise :class:`DataError` listing every out-of-range parameter, each with its fix."""
    problems: list[Problem] = []

    def bad(name: str, message: str, fix: str) -> None:
        problems.append(Problem(message, fix, table="channel parameters", column=name, value=getattr(p, name)))

    def check_range(name: str, lo: float, hi: float, *, lo_open=False, hi_open=False, fix: str = "") -> None:
        x = _num(getattr(p, name))
        lo_ok = x is not None and (x > lo if lo_open else x >= lo)
        hi_ok = x is not None and (x < hi if hi_open else x <= hi)
        if not (lo_ok and hi_ok):
            lb = "(" if lo_open else "["
            rb = ")" if hi_open else "]"
            hi_text = "inf" if math.isinf(hi) else f"{hi:g}"
            bad(name, f"{name} must be a number in {lb}{lo:g}, {hi_text}{rb}", fix or f"set {name} within that range")

    check_range("alpha", 0.0, 3.0, lo_open=True, fix="use an attractiveness exponent between 0.5 and 2 (1 is proportional)")
    check_range("beta", 0.0, 4.0, fix="use a distance-decay exponent between 1.5 and 3 (2 is the classic gravity value)")
    check_range("min_distance_km", 0.0, math.inf, lo_open=True, hi_open=True, fix="use a distance floor of about 1-10 km")
    check_range("circuity", 1.0, 3.0, fix="use 1.2 for US roads (1.0 = straight line)")
    check_range("competitor_distance_km", 0.0, math.inf, lo_open=True, hi_open=True)
    check_range("ecommerce_distance_km", 0.0, math.inf, lo_open=True, hi_open=True)
    for name in ("retailer_margin", "wholesaler_margin", "distributor_margin", "ecommerce_commission"):
        check_range(name, 0.0, 1.0, hi_open=True, fix=f"give {name} as a fraction of the selling price, e.g. 0.3 for 30%")
    for name in ("ecommerce_fulfilment", "ecommerce_parcel", "logistics_cost_per_unit_km", "price_elasticity",
                 "selective_premium", "exclusive_premium"):
        check_range(name, 0.0, math.inf, hi_open=True, fix=f"{name} cannot be negative")
    check_range("intensive_erosion", 0.0, 1.0, hi_open=True, fix="give the price erosion as a fraction below 1, e.g. 0.05")
    check_range("coverage_radius_km", 0.0, math.inf, lo_open=True, hi_open=True)
    check_range("selective_min_attractiveness", 0.0, 100.0, fix="attractiveness scores run from 1 to 100")
    check_range("balance_tolerance", 0.0, math.inf, hi_open=True, fix="use e.g. 0.25 (every territory within 25% of the mean)")
    check_range("territory_time_limit_s", 0.0, math.inf, lo_open=True, hi_open=True)
    if p.consumer_price is not None:
        check_range("consumer_price", 0.0, math.inf, lo_open=True, hi_open=True, fix="the consumer price must be positive")
    if p.unit_cost is not None:
        check_range("unit_cost", 0.0, math.inf, hi_open=True, fix="the unit cost cannot be negative")

    comp = p.competitor_attraction
    if isinstance(comp, Mapping):
        negative = [k for k, v in comp.items() if _num(v) is None or float(v) < 0]
        if negative:
            bad("competitor_attraction", f"competitor attraction must be >= 0 in every zone; not so for "
                f"{', '.join(map(str, negative[:5]))}", "give a non-negative number per customer_id")
    else:
        check_range("competitor_attraction", 0.0, math.inf, hi_open=True,
                    fix="give the competitors' strength as a number of mean outlets (0 = no competition)")

    if not isinstance(p.account_cost, Mapping):
        bad("account_cost", "account_cost must map each channel to USD per outlet per year",
            f"e.g. {dict(DEFAULT_ACCOUNT_COST)}")
    else:
        unknown = [k for k in p.account_cost if k not in CHANNELS]
        if unknown:
            bad("account_cost", f"unknown channel(s) {unknown}", f"use channels among {', '.join(CHANNELS)}")
        missing = [c for c in p.channels if c in CHANNELS and c not in p.account_cost]
        if missing:
            bad("account_cost", f"no account cost for channel(s) {', '.join(missing)}",
                "give an account cost (USD/outlet/yr) for every enabled channel")
        neg = [k for k, v in p.account_cost.items() if _num(v) is None or float(v) < 0]
        if neg:
            bad("account_cost", f"account cost must be >= 0; not so for {', '.join(neg)}", "use a non-negative cost")

    chans = tuple(p.channels or ())
    if not chans:
        bad("channels", "no channel is enabled", f"enable at least one of {', '.join(CHANNELS)}")
    elif any(c not in CHANNELS for c in chans):
        bad("channels", f"unknown channel(s) {[c for c in chans if c not in CHANNELS]}",
            f"use channels among {', '.join(CHANNELS)}")
    for name in ("selective_tiers", "exclusive_tiers"):
        tiers = tuple(getattr(p, name) or ())
        if not tiers:
            bad(name, f"{name} is empty", f"choose at least one of {', '.join(TIERS)}")
        elif any(t not in TIERS for t in tiers):
            bad(name, f"unknown tier(s) {[t for t in tiers if t not in TIERS]}", f"use tiers among {', '.join(TIERS)}")
    if p.selective_size is not None and (not isinstance(p.selective_size, (int,)) or isinstance(p.selective_size, bool)
                                         or p.selective_size < 1):
        bad("selective_size", "selective_size must be a whole number of outlets >= 1 (or None for the criteria)",
            "give e.g. 60, or None to carry every outlet meeting the criteria")
    if not isinstance(p.territories, int) or isinstance(p.territories, bool) or p.territories < 1:
        bad("territories", "the number of territories must be a whole number >= 1", "give e.g. 10")
    if problems:
        raise DataError(problems, context="The channel-strategy parameters are not usable")
