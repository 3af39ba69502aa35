"""The channel-strategy specification: one frozen dataclass holding every assumption.

A what-if is ``dataclasses.replace(params, exclusive_premium=0.25)``. Every default is
documented in ``docs/channel_strategy.md`` with where it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..currency import RATES_SOURCE, usd_rate
from ..errors import DataError, Problem
from ..schema import CHANNELS, TIERS
from .huff import DEFAULT_MIN_DISTANCE_KM

__all__ = [
    "ChannelParams",
    "CHANNELS",
    "TIERS",
    "STRATEGIES",
    "DEFAULT_ACCOUNT_COST",
    "CONSUMER_CHANNELS",
    "INTERMEDIARY_CHANNELS",
    "SOURCES",
    "MONEY_PARAMS",
    "validate_params",
    "currency_mismatch",
]

STRATEGIES = ("intensive", "selective", "exclusive")
# who sells to whom: retailers and e-commerce sell to consumers; wholesalers and distributors sell
# to retailers (the second tier of a two-tier flow)
CONSUMER_CHANNELS = ("retailer", "ecommerce")
INTERMEDIARY_CHANNELS = ("wholesaler", "distributor")

# The parameters that are amounts of money (in ChannelParams.currency); their defaults are US
# dollar figures, expressed in another currency by ChannelParams.for_currency.
MONEY_PARAMS = ("account_cost", "ecommerce_fulfilment", "ecommerce_parcel", "logistics_cost_per_unit_km")

# USD per account per year: key-account management, listing and merchandising, in-store display
# and the share of a field rep's time an account takes. Wholesalers and distributors are fewer,
# larger accounts with negotiated terms; an e-commerce account carries content, advertising and
# platform management. No published benchmark: an assumption to calibrate to your trade-spend data.
DEFAULT_ACCOUNT_COST: Mapping[str, float] = {
    "retailer": 60_000.0,
    "wholesaler": 90_000.0,
    "distributor": 120_000.0,
    "ecommerce": 150_000.0,
}

ASSUMPTION = "Assumption: calibrate to your data."

# Where every default comes from: a published source, or an explicit assumption (shown in the docs
# and as the app's tooltips).
SOURCES: Mapping[str, str] = {
    "alpha": "1 = pull proportional to the attractiveness score; Huff (1963) used floor space with exponent 1.",
    "beta": "2 is the classic gravity value; estimates for shopping trips run about 1.5-3 (Huff 1964: 2.7 for "
            "clothing, 3.2 for furniture trips). Calibrate with your sell-out data (calibrate_capture).",
    "min_distance_km": "The one distance floor of the capture model (shoppers also travel inside their own city). "
                       + ASSUMPTION,
    "circuity": "Road km = great-circle km x 1.2; Ballou, Rahardja & Sakai (2002) measured 1.15-1.30 for the US.",
    "competitor_attraction": "Competitors in every zone pull like this many outlets of mean attractiveness at the "
                             "competitor distance. " + ASSUMPTION + " Fit it to your sell-out with calibrate_capture.",
    "competitor_distance_km": "See competitor strength. " + ASSUMPTION,
    "online_share": "Share of a zone's purchases made online where parcels reach it. US e-commerce was about 16% of "
                    "retail sales in 2024 (US Census Bureau, Quarterly Retail E-Commerce Sales), less for groceries "
                    "and household goods. The 12% default sits below it. " + ASSUMPTION,
    "ecommerce_delivery_km": "A zone can buy online when a serving DC is within this road distance (about two days "
                             "by ground parcel). " + ASSUMPTION,
    "reference_price": "The shelf price the zones' demand was observed at: the products' demand-weighted list price "
                       "to the trade grossed up by a 30% retail margin (US Census Bureau Annual Retail Trade Survey: "
                       "retail gross margins about 25-35% of sales).",
    "consumer_price": "The plan's base shelf price; by default the reference price.",
    "unit_cost": "Demand-weighted cost of goods of the products table.",
    "retailer_margin": "Retail gross margin about 25-35% of sales for food and general merchandise (US Census Bureau "
                       "Annual Retail Trade Survey).",
    "wholesaler_margin": "Merchant wholesalers' gross margins are typically 10-20% of sales (US Census Bureau Annual "
                         "Wholesale Trade Survey); 12% for a high-volume consumer-goods line. " + ASSUMPTION,
    "distributor_margin": "Full-service distributors (selling, merchandising, credit) sit above wholesalers. "
                          + ASSUMPTION,
    "ecommerce_commission": "Marketplace referral fees: 15% in most categories, 8% for grocery and personal care "
                            "under $15 (Amazon Seller Central referral-fee schedule).",
    "ecommerce_fulfilment": "Pick-and-pack per order. " + ASSUMPTION,
    "ecommerce_parcel": "A ground parcel for a case of 4-10 kg. " + ASSUMPTION,
    "exclusive_premium": "Consumer-price premium of exclusive distribution. No general published value: "
                         + ASSUMPTION + " The sensitivity shows how far it may move before the recommendation changes.",
    "selective_premium": "Consumer-price premium of selective distribution. " + ASSUMPTION,
    "intensive_erosion": "Price erosion of selling everywhere (discounters, price matching). " + ASSUMPTION,
    "price_elasticity": "Brand-level price elasticity: units = base x (price / reference price)^-e. Mean of 1,851 "
                        "estimates -2.62 (Bijmolt, van Heerde & Pieters 2005); -1.76 in Tellis (1988).",
    "account_cost": "Key-account management, listing, merchandising and field-rep time per account. No published "
                    "benchmark: " + ASSUMPTION,
    "logistics_cost_per_unit_km": "A truck costs about $2.27 per mile ($1.41/km; ATRI, Operational Costs of "
                                  "Trucking, 2024 update); about 2,000 cases a load gives $0.0007 per case-km full; "
                                  "$0.001 allows for part loads. " + ASSUMPTION,
    "indirect_tiers": "Small (mass-tier) stores buy through wholesalers and distributors; chains and flagships are "
                      "served direct. " + ASSUMPTION,
    "intermediary_radius_km": "How far a wholesaler or distributor delivers to its retailers. " + ASSUMPTION,
    "channels": "The channel roles the brand may use (every channel of the company with one of these roles).",
    "coverage_radius_km": "A zone is within reach of a store at this road distance (a shopping trip). " + ASSUMPTION,
    "selective_tiers": "Outlet tiers that fit a selective network (brand fit).",
    "selective_min_attractiveness": "Minimum attractiveness score of a selective outlet. " + ASSUMPTION,
    "selective_size": "Optional: the n most profitable outlets meeting the selective criteria.",
    "territories": "Number of exclusive territories. " + ASSUMPTION,
    "balance_tolerance": "Every territory's sales potential within this share of the mean.",
    "exclusive_tiers": "Store tiers that may hold an exclusive territory.",
    "territory_time_limit_s": "Time budget of the territory design.",
    "partner_min_capture": "A partner must capture at least this share of its territory's potential when any "
                           "candidate does. " + ASSUMPTION,
    "decision_tolerance": "A winner by less than this share of its profit is 'too close to call': the model's "
                          "inputs are not that precise. " + ASSUMPTION,
    "currency": "The currency of every money parameter (account_cost, ecommerce_fulfilment, ecommerce_parcel, "
                "logistics_cost_per_unit_km, prices): the data's. The defaults are US dollar figures; "
                "ChannelParams.for_currency converts them at the " + RATES_SOURCE + " (market rates, not local "
                "price levels: calibrate them to your costs).",
}


def _default_account_cost() -> dict[str, float]:
    return dict(DEFAULT_ACCOUNT_COST)


@dataclass(frozen=True)
class ChannelParams:
    """Every assumption of a channel-strategy evaluation (keyword arguments, all with defaults).

    Where each default comes from (a published source, or an explicit assumption to calibrate)
    is in :data:`SOURCES` and ``docs/channel_strategy.md``.

    Market capture (Huff 1963): the probability that zone *i* buys at store *j* is
    ``A_j**alpha * d_ij**-beta / (sum_k A_k**alpha * d_ik**-beta + C_i)`` over the carried
    stores *k* (retailers: only they sell to shoppers in person), where ``C_i`` is the
    competitors' attraction in zone *i*. ``alpha``, ``beta``, ``min_distance_km`` (the one
    distance floor), ``circuity``, ``competitor_attraction`` (a number of competitor outlets of
    mean attractiveness at ``competitor_distance_km``, or a mapping ``customer_id -> C_i``).

    Online: ``online_share`` of a zone's purchases is made online when parcels reach it (a serving
    DC within ``ecommerce_delivery_km`` by road); the brand's e-commerce listings compete for that
    share with the same competitors, with no distance term. More listings add no reach.

    Prices (see :mod:`.economics`): ``reference_price`` (the shelf price at which the zones'
    demand was observed; ``None`` = from the products), ``consumer_price`` (the plan's base shelf
    price; ``None`` = the reference price), ``unit_cost``; strategy pricing
    ``exclusive_premium``, ``selective_premium``, ``intensive_erosion``; ``price_elasticity``
    (``e`` >= 0: ``units = base * (price / reference_price) ** -e``).

    Margin stack (shares of the intermediary's own selling price): ``retailer_margin``,
    ``wholesaler_margin``, ``distributor_margin``, ``ecommerce_commission``;
    ``ecommerce_fulfilment`` and ``ecommerce_parcel`` (money per unit, paid by the manufacturer).

    Two-tier flow: retailers of ``indirect_tiers`` buy through the nearest enabled wholesaler or
    distributor within ``intermediary_radius_km`` (which takes its margin and is delivered to
    instead of the store); the others are served direct.

    Cost to serve: ``account_cost`` (money/account/yr per channel role), ``logistics_cost_per_unit_km``
    from the serving DC, plus the DC's ``handling_cost`` per unit when the DC table has it.

    Strategies: ``channels`` (enabled channels), ``coverage_radius_km`` (a zone is within reach
    of a store at this road distance), selective criteria (``selective_tiers``,
    ``selective_min_attractiveness``, and optionally ``selective_size``), exclusive design
    (``territories``, ``balance_tolerance``, ``exclusive_tiers``, ``territory_time_limit_s``,
    ``partner_min_capture``: a partner must capture at least this share of its territory's
    potential when any candidate does). ``decision_tolerance``: the best strategy is "too close
    to call" when it beats the runner-up by less than this share of its profit.

    Money: every amount is in ``currency``, which must be the data's (``World.currency``). The
    defaults are US dollar figures: for another currency use :meth:`for_currency`, which
    converts them at the stated exchange rates (ECB, 11 June 2024) or, for a currency without
    a rate, asks for them.
    """

    # market capture
    alpha: float = 1.0
    beta: float = 2.0
    min_distance_km: float = DEFAULT_MIN_DISTANCE_KM
    circuity: float = 1.2
    competitor_attraction: float | Mapping[str, float] = 5.0
    competitor_distance_km: float = 10.0
    online_share: float = 0.12
    ecommerce_delivery_km: float = 1200.0
    # prices and margin stack
    reference_price: float | None = None
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
    price_elasticity: float = 2.62
    # cost to serve
    account_cost: Mapping[str, float] = field(default_factory=_default_account_cost)
    logistics_cost_per_unit_km: float = 0.001
    indirect_tiers: tuple[str, ...] = ("mass",)
    intermediary_radius_km: float = 400.0
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
    partner_min_capture: float = 0.05
    # comparisons
    decision_tolerance: float = 0.03
    # the currency of every money parameter (the data's: World.currency)
    currency: str = "USD"

    @classmethod
    def for_currency(cls, currency: str, **values: Any) -> "ChannelParams":
        """Parameters in ``currency`` (the World's, e.g. ``world.currency``): the US dollar
        defaults of the money parameters (:data:`MONEY_PARAMS`) converted at the exchange rates
        of :data:`workbench.currency.ECB_RATES` (ECB reference rates of 11 June 2024; per-unit
        amounts rounded to cents, account costs to whole units, the cost per unit-km to 6
        decimals), then ``values`` as given (already in ``currency``).

        A currency without a rate in the table is refused unless ``values`` gives every money
        parameter (:class:`DataError` naming them)."""
        code = str(currency or "USD").strip().upper()
        rate = usd_rate(code)
        if rate is None:
            missing = [n for n in MONEY_PARAMS if n not in values]
            if missing:
                raise DataError([Problem(
                    f"the channel model's default costs are in USD and the workbench has no exchange rate for {code}",
                    f"give {', '.join(missing)} in {code}: ChannelParams.for_currency('{code}', "
                    + ", ".join(f"{n}=..." for n in missing) + ") (account_cost maps each role to a cost per "
                    f"outlet per year)", table="channel parameters", column="currency", value=code)],
                    context="The channel-strategy parameters are not usable")
            return cls(currency=code, **values)
        usd = cls()
        base: dict[str, Any] = {
            "account_cost": {k: float(round(v * rate)) for k, v in usd.account_cost.items()},
            "ecommerce_fulfilment": round(usd.ecommerce_fulfilment * rate, 2),
            "ecommerce_parcel": round(usd.ecommerce_parcel * rate, 2),
            "logistics_cost_per_unit_km": round(usd.logistics_cost_per_unit_km * rate, 6),
        } if code != "USD" else {}
        base.update(values)
        return cls(currency=code, **base)

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
            if k in ("channels", "selective_tiers", "exclusive_tiers", "indirect_tiers") and v is not None:
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
    check_range("online_share", 0.0, 1.0, hi_open=True, fix="give the online share of purchases as a fraction, e.g. 0.12")
    check_range("ecommerce_delivery_km", 0.0, math.inf, hi_open=True, fix="give a delivery reach in road km, e.g. 1200")
    check_range("intermediary_radius_km", 0.0, math.inf, hi_open=True, fix="give a road distance in km, e.g. 400")
    check_range("partner_min_capture", 0.0, 1.0, fix="give a share of the territory's potential, e.g. 0.05")
    check_range("decision_tolerance", 0.0, 1.0, fix="give a share of the best profit, e.g. 0.03")
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
    if p.reference_price is not None:
        check_range("reference_price", 0.0, math.inf, lo_open=True, hi_open=True,
                    fix="the reference price must be positive")
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
        bad("account_cost", f"account_cost must map each channel role to {p.currency} per outlet per year",
            f"e.g. {dict(DEFAULT_ACCOUNT_COST)}")
    else:
        unknown = [k for k in p.account_cost if k not in CHANNELS]
        if unknown:
            bad("account_cost", f"unknown channel(s) {unknown}", f"use channels among {', '.join(CHANNELS)}")
        missing = [c for c in p.channels if c in CHANNELS and c not in p.account_cost]
        if missing:
            bad("account_cost", f"no account cost for channel(s) {', '.join(missing)}",
                f"give an account cost ({p.currency}/outlet/yr) for every enabled channel role")
        neg = [k for k, v in p.account_cost.items() if _num(v) is None or float(v) < 0]
        if neg:
            bad("account_cost", f"account cost must be >= 0; not so for {', '.join(neg)}", "use a non-negative cost")

    chans = tuple(p.channels or ())
    if not chans:
        bad("channels", "no channel is enabled", f"enable at least one of {', '.join(CHANNELS)}")
    elif any(c not in CHANNELS for c in chans):
        bad("channels", f"unknown channel(s) {[c for c in chans if c not in CHANNELS]}",
            f"use channels among {', '.join(CHANNELS)}")
    if any(t not in TIERS for t in tuple(p.indirect_tiers or ())):
        bad("indirect_tiers", f"unknown tier(s) {[t for t in p.indirect_tiers if t not in TIERS]}",
            f"use tiers among {', '.join(TIERS)} (or none: every retailer served direct)")
    if chans and not any(c in CONSUMER_CHANNELS for c in chans):
        bad("channels", "only wholesalers or distributors are enabled; they sell to retailers, not to shoppers",
            "enable retailers or e-commerce as well")
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
    if not isinstance(p.currency, str) or len(p.currency.strip()) != 3 or not p.currency.strip().isalpha():
        bad("currency", "currency must be a three-letter ISO 4217 code", "use the World's currency, e.g. 'USD' or 'BRL'")
    if problems:
        raise DataError(problems, context="The channel-strategy parameters are not usable")


def currency_mismatch(p: ChannelParams, data_currency: str) -> Problem | None:
    """The problem of parameters whose money is in another currency than the data's (``None`` when
    they agree): the fix names :meth:`ChannelParams.for_currency` and the inputs to give."""
    have = str(p.currency or "USD").strip().upper()
    want = str(data_currency or "USD").strip().upper()
    if have == want:
        return None
    rate = usd_rate(want)
    if rate is not None:
        fix = (f"use ChannelParams.for_currency('{want}') (the US dollar defaults at {rate:,.4f} {want} per USD, "
               f"{RATES_SOURCE}) and give your own costs in {want} as its keyword arguments")
    else:
        fix = (f"the workbench has no exchange rate for {want}: give {', '.join(MONEY_PARAMS)} in {want} with "
               f"ChannelParams.for_currency('{want}', {', '.join(n + '=...' for n in MONEY_PARAMS)})")
    return Problem(f"the channel parameters are in {have} but the data's money is in {want}", fix,
                   table="channel parameters", column="currency", value=have)
