"""The margin stack: from the consumer price through each intermediary to the manufacturer.

Margins are shares of the intermediary's own selling price (gross margin on sales), so for a
consumer price ``p``:

* retailer: the retailer keeps ``p * m_r``; the manufacturer is paid ``p * (1 - m_r)``;
* wholesaler (sells to retailers): the retailer keeps ``p * m_r``, the wholesaler
  ``p * (1 - m_r) * m_w``; the manufacturer is paid ``p * (1 - m_r) * (1 - m_w)``;
* distributor: as the wholesaler with ``m_d``;
* e-commerce: the platform keeps ``p * m_e``; the manufacturer is paid ``p * (1 - m_e)`` and
  pays fulfilment and the parcel per unit.
"""

from __future__ import annotations

import pandas as pd

from .params import CHANNELS, ChannelParams

__all__ = ["STACK_STEPS", "unit_stack", "margin_stack"]

# per-unit columns of the stack, in waterfall order (money leaving the consumer price)
STACK_STEPS = ("retailer_margin", "wholesaler_margin", "distributor_margin", "platform_commission",
               "fulfilment", "parcel")


def unit_stack(channel: str, consumer_price: float, p: ChannelParams) -> dict[str, float]:
    """Per-unit split of ``consumer_price`` for ``channel``: every step of :data:`STACK_STEPS`,
    plus ``net_price`` (what the manufacturer invoices) and ``net_after_fees``."""
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
