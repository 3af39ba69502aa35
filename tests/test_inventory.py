"""Safety stock, reorder points, EOQ and projected stock against textbook examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError, SpecificationError
from workbench.inventory import (InventoryPolicy, eoq, fill_rate_from_safety_stock, lead_time_sigma, normal_loss,
                                 order_up_to, plan_inventory, project_stock, reorder_point, safety_stock_csl,
                                 safety_stock_fill_rate)


def test_safety_stock_for_a_cycle_service_level_chopra_meindl():
    """Chopra & Meindl, Supply Chain Management, ch. 12 (Lego at Wal-Mart): weekly demand 2,500,
    sd 500, lead time 2 weeks, CSL 0.90 -> sigma_L = 707, safety stock = 1.2816 x 707 = 906."""
    assert lead_time_sigma(500, 2) == pytest.approx(707.107, abs=1e-3)
    assert safety_stock_csl(0.90, 500, 2) == pytest.approx(906.19, abs=0.01)
    assert reorder_point(2500, 2, 906.19) == pytest.approx(5906.19)


def test_fill_rate_of_a_safety_stock_chopra_meindl():
    """Chopra & Meindl ch. 12: ROP 6,000 and Q 10,000 for the same Lego demand -> ss = 1,000,
    ESC = 25.13 boxes per cycle, fill rate = 1 - 25.13/10,000 = 0.9975."""
    s = lead_time_sigma(500, 2)
    esc = s * normal_loss(1000 / s)
    assert esc == pytest.approx(25.13, abs=0.01)
    assert fill_rate_from_safety_stock(1000, 10000, s) == pytest.approx(0.9975, abs=1e-4)


def test_safety_stock_for_a_fill_rate_chopra_meindl():
    """Chopra & Meindl ch. 12: fill rate 0.975 with Q = 10,000 -> ESC = 250 -> ss = 67 boxes."""
    ss = safety_stock_fill_rate(0.975, 10000, 500, 2)
    assert ss == pytest.approx(67, abs=0.5)
    s = lead_time_sigma(500, 2)
    assert s * normal_loss(ss / s) == pytest.approx(250.0, rel=1e-6)


def test_normal_loss_known_values():
    """G(0) = phi(0) = 0.39894; G(1) = 0.08332 (standard normal loss tables)."""
    assert normal_loss(0.0) == pytest.approx(0.398942, abs=1e-6)
    assert normal_loss(1.0) == pytest.approx(0.083315, abs=1e-6)


def test_lead_time_variability_adds_to_sigma():
    """sqrt(L sigma_d^2 + d^2 s_L^2): daily demand 1,000 (sd 300), L = 7 days, s_L = 2 days
    -> sqrt(7 x 90,000 + 1,000,000 x 4) = 2,151.74; CSL 0.90 -> ss = 2,757.6."""
    s = lead_time_sigma(300, 7, 1000, 2)
    assert s == pytest.approx(math.sqrt(630_000 + 4_000_000))
    assert safety_stock_csl(0.90, 300, 7, demand=1000, lead_time_sd=2) == pytest.approx(1.281552 * s, rel=1e-6)


def test_eoq_chopra_meindl_best_buy():
    """Chopra & Meindl ch. 11 (Best Buy computers): D = 12,000/yr, S = $4,000, H = 0.2 x $500
    -> EOQ = sqrt(2 x 12,000 x 4,000 / 100) = 980 units."""
    assert eoq(12000, 4000, 0.2 * 500) == pytest.approx(979.80, abs=0.01)
    with pytest.raises(SpecificationError, match="holding cost"):
        eoq(12000, 4000, 0.0)


def test_order_up_to_covers_lead_time_plus_review():
    """S = d (L+R) + z sigma sqrt(L+R): d 100, sigma 20, L 2, R 1, CSL 0.95 -> 300 + 1.6449 x 34.64."""
    assert order_up_to(0.95, 100, 20, 2, 1) == pytest.approx(300 + 1.644854 * 20 * math.sqrt(3), rel=1e-6)


def test_service_targets_are_validated():
    """A level outside (0, 1) or both/neither targets is a SpecificationError naming it."""
    with pytest.raises(SpecificationError, match="between 0 and 1"):
        safety_stock_csl(1.2, 10, 2)
    with pytest.raises(SpecificationError, match="exactly one"):
        InventoryPolicy(service_level=0.9, fill_rate=0.98)
    with pytest.raises(SpecificationError, match="lead time"):
        InventoryPolicy(lead_time=0)


def _forecast(level=100.0, n=12, uid="BEV|West", sd=10.0):
    ds = pd.date_range("2026-01-05", periods=n, freq="W-MON")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "yhat": level, "lo-95": level - 1.959964 * sd,
                         "hi-95": level + 1.959964 * sd, "product_id": uid.split("|")[0], "region": uid.split("|")[1]})


def test_plan_inventory_per_region_from_the_forecast_intervals():
    """The plan reads sigma from the 95% interval and applies the CSL formula per series."""
    fc = pd.concat([_forecast(100.0, uid="BEV|West", sd=10.0), _forecast(50.0, uid="BEV|Midwest", sd=5.0)])
    pol = InventoryPolicy(service_level=0.95, lead_time=2, order_cost=100.0, holding_rate=0.26)
    plan = plan_inventory(fc, policy=pol, unit_cost=10.0, on_hand={"BEV|West": 400.0, "BEV|Midwest": 90.0})
    t = plan.table.set_index("unique_id")
    assert t.loc["BEV|West", "sigma_d"] == pytest.approx(10.0, rel=1e-6)
    assert t.loc["BEV|West", "safety_stock"] == pytest.approx(1.644854 * 10 * math.sqrt(2), rel=1e-5)
    assert t.loc["BEV|West", "reorder_point"] == pytest.approx(200 + 1.644854 * 10 * math.sqrt(2), rel=1e-5)
    # EOQ = sqrt(2 x 5,200 x 100 / 2.6) = 632.5
    assert t.loc["BEV|West", "eoq"] == pytest.approx(math.sqrt(2 * 5200 * 100 / 2.6), rel=1e-9)
    assert t.loc["BEV|Midwest", "region"] == "Midwest"
    # West: 400 on hand, 100/week -> position 300 after week 1, 200 after week 2 <= ROP 223.3
    assert t.loc["BEV|West", "reorder_ds"] == pd.Timestamp("2026-01-12")
    # Midwest starts below its reorder point (ROP 111.6 > 90 - 50)
    assert t.loc["BEV|Midwest", "reorder_ds"] == pd.Timestamp("2026-01-05")
    assert plan.kpis["safety_stock_units"] == pytest.approx(t.safety_stock.sum())


def test_fill_rate_policy_uses_the_eoq_as_order_quantity():
    """With a fill-rate target the safety stock solves sigma_LT G(k) = (1 - fr) EOQ."""
    fc = _forecast(100.0, sd=30.0)
    pol = InventoryPolicy(service_level=None, fill_rate=0.99, lead_time=2, order_cost=100.0, holding_rate=0.26)
    plan = plan_inventory(fc, policy=pol, unit_cost=10.0)
    row = plan.table.iloc[0]
    expected = safety_stock_fill_rate(0.99, row.eoq, 30.0, 2, demand=100.0)
    assert row.safety_stock == pytest.approx(expected, rel=1e-6)
    s = lead_time_sigma(30.0, 2)
    assert s * normal_loss(row.safety_stock / s) == pytest.approx(0.01 * row.eoq, rel=1e-6)


def test_projected_stock_period_by_period():
    """On hand falls by the forecast; an order of Q placed at the reorder point arrives L later."""
    fc = pd.DataFrame({"ds": range(1, 7), "yhat": [30.0] * 6})
    p = project_stock(fc, on_hand=100.0, reorder_point=45.0, order_qty=90.0, lead_time=2)
    assert p["on_hand"].tolist() == [70.0, 40.0, 10.0, 70.0, 40.0, 10.0]
    assert p["order_placed"].tolist() == [0.0, 90.0, 0.0, 0.0, 90.0, 0.0]
    assert p["receipts"].tolist() == [0.0, 0.0, 0.0, 90.0, 0.0, 0.0]
    assert p["at_or_below_rop"].tolist() == [False, True, False, False, True, False]
    # without planned orders the stock runs out and an open order arrives as scheduled
    q = project_stock(fc, on_hand=100.0, reorder_point=45.0, order_qty=90.0, lead_time=2, plan_orders=False,
                      open_orders=pd.DataFrame({"ds": [5], "qty": [50.0]}))
    assert q["on_hand"].tolist() == [70.0, 40.0, 10.0, -20.0, -0.0, -30.0]


def test_plan_needs_forecast_columns():
    """A frame without yhat is a DataError that says what to pass."""
    with pytest.raises(DataError, match="yhat"):
        plan_inventory(pd.DataFrame({"unique_id": ["a"], "ds": [1]}), unit_cost=1.0)


def test_plan_needs_unit_costs():
    """No unit cost, or a series without one, is an error: never a silent price of 1."""
    fc = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2], "yhat": [10.0, 10, 5, 5]})
    with pytest.raises(SpecificationError, match="needs unit_cost"):
        plan_inventory(fc)
    with pytest.raises(DataError, match="no usable unit cost") as info:
        plan_inventory(fc, unit_cost={"a": 3.0})
    assert [p.column for p in info.value.problems] == ["b"]
    with pytest.raises(DataError, match="finite"):
        plan_inventory(fc, unit_cost={"a": 3.0, "b": float("nan")})
    plan = plan_inventory(fc, unit_cost={"a": 3.0, "b": 4.0}, sigma=pd.Series({"a": 1.0, "b": 1.0}))
    assert plan.table.set_index("unique_id")["unit_cost"].to_dict() == {"a": 3.0, "b": 4.0}


@pytest.mark.parametrize("kw", [dict(service_level=1.5), dict(service_level=float("nan")), dict(service_level=0.0),
                                dict(service_level=1.0), dict(lead_time=float("inf")), dict(order_cost="250"),
                                dict(service_level=None, fill_rate=1.2)])
def test_policy_refuses_impossible_settings(kw):
    """Service levels outside (0, 1), NaN, infinity and text are specification errors with the field's name."""
    with pytest.raises(SpecificationError):
        InventoryPolicy(**kw)
