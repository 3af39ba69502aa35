"""The price model: one place that sets the consumer price, each channel's margin and the
manufacturer's net price, and the volume the price sells.

**Consumer price.** ``reference_price`` is the shelf price at which the zones' demand
(``customers.annual_demand``) was observed. By default it is the products' demand-weighted
list price to the trade grossed up by a typical retail margin (:data:`REFERENCE_RETAIL_MARGIN`):
the list price is what a retailer pays. ``consumer_price`` is the base shelf price of the plan
(default: the reference price); each strategy moves it by its premium or erosion:
``price = consumer_price * price_factor(strategy)``. The consumer price never depends on the
channel margins: a retailer margin is a split of a price the shopper pays, so at a fixed consumer
price a higher retailer margin leaves less for the manufacturer.

**Volume.** Constant-elasticity demand around the reference price, for the price level and the
strategy premium alike::

    units = base_units * (price / reference_price) ** -elasticity

**Margin stack.** Margins are shares of each intermediary's own selling price (gross margin on
sales), so for a consumer price ``p``:

* retailer (direct): the retailer keeps ``p * m_r``; the manufacturer invoices ``p * (1 - m_r)``;
* through a wholesaler (who sells to the retailer): the retailer keeps ``p * m_r``, the
  wholesaler ``p * (1 - m_r) * m_w``; the manufacturer invoices ``p * (1 - m_r) * (1 - m_w)``;
* through a distributor: as the wholesaler with ``m_d``;
* e-commerce: the platform keeps ``p * m_e``; the manufacturer invoices ``p * (1 - m_e)`` and
  pays fulfilment and the parcel per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .params import CHANNELS, ChannelParams

__all__ = ["STACK_STEPS", "REFERENCE_RETAIL_MARGIN", "PricePoint", "price_point", "unit_stack", "margin_stack"]

# per-unit columns of the stack, in waterfall order (money leaving the consumer price)
STACK_STEPS = ("retailer_margin", "wholesaler_margin", "distributor_margin", "platform_commission",
               "fulfilment", "parcel")

# The products' list price is the price to the trade; the reference shelf price grosses it up by
# this retail margin (US food and general-merchandise retailers' gross margins run about 25-35% of
# sales, US Census Bureau Annual Retail Trade Survey). Fixed: it does not follow the retailer-margin
# assumption, which splits the shelf price rather than setting it.
REFERENCE_RETAIL_MARGIN = 0.30


@dataclass(frozen=True)
class PricePoint:
    """The price a strategy sells at and the volume it sells, relative to the reference.

    ``consumer_price`` = ``base_price * price_factor``; ``volume_factor`` =
    ``(consumer_price / reference_price) ** -elasticity``.
    """

    strategy: str
    reference_price: float
    base_price: float
    price_factor: float
    consumer_price: float
    elasticity: float
    volume_factor: float


def price_point(params: ChannelParams, reference_price: float, base_price: float, strategy: str) -> PricePoint:
    """The consumer price and volume factor of ``strategy`` (the only place they are set)."""
    pf = params.price_factor(strategy)
    price = float(base_price) * pf
    e = float(params.price_elasticity)
    q = (price / float(reference_price)) ** (-e)
    return PricePoint(strategy=strategy, reference_price=float(reference_price), base_price=float(base_price),
                      price_factor=pf, consumer_price=price, elasticity=e, volume_factor=q)


def unit_stack(channel: str, consumer_price: float, p: ChannelParams) -> dict[str, float]:
    """Per-unit split of ``consumer_price`` along ``channel`` (the path to the shopper:
    ``retailer`` direct, through a ``wholesaler`` or ``distributor`` to a retailer, or
    ``ecommerce``): every step of :data:`STACK_STEPS`, plus ``net_price`` (what the
    manufacturer invoices) and ``net_after_fees``."""
    out = dict.fromkeys(STACK_STEPS, 0.0)
    price = float(consumer_price)
    if channel == "ecommerce":
        out["platform_commission"] = price * p.ecommerce_commission
        net = price - out["platform_commission"]
        out["fulfilment"] = p.ecommerce_fulfilment
        out["parcel"] = p.ecommerce_parcel
    else:
        out["retailer_margin"] = price * p.retailer_margin
        to_retailer = price - out["retailer_margin"]
        if channel == "wholesaler":
            out["wholesaler_margin"] = to_retailer * p.wholesaler_margin
        elif channel == "distributor":
            out["distributor_margin"] = to_retailer * p.distributor_margin
        elif channel != "retailer":
            raise ValueError(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
        net = to_retailer - out["wholesaler_margin"] - out["distributor_margin"]
    out["net_price"] = net
    out["net_after_fees"] = net - out["fulfilment"] - out["parcel"]
    return out


def margin_stack(p: ChannelParams, consumer_price: float, unit_cost: float,
                 channels=CHANNELS) -> pd.DataFrame:
    """The per-unit margin stack of every channel at ``consumer_price`` (one row per channel):
    consumer price, each intermediary's cut, the manufacturer's net price, fees, cost of goods
    and the contribution per unit before cost to serve."""
    rows = []
    for ch in channels:
        s = unit_stack(ch, consumer_price, p)
        rows.append({"channel": ch, "consumer_price": float(consumer_price), **{k: s[k] for k in STACK_STEPS},
                     "net_price": s["net_price"], "cost_of_goods": float(unit_cost),
                     "contribution": s["net_after_fees"] - float(unit_cost)})
    return pd.DataFrame(rows)
