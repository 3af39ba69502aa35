"""One plan across apps: the network design's customer-to-DC assignment places the stock of the
Demand & inventory plan (per-DC safety stock), instead of the fixed region rule."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from workbench.forecast.planning import DemandPlanner, PlanningSpec, design_dc_shares


def fake_design(world, split_region: str) -> SimpleNamespace:
    """Every customer served by DC-CHI, except the split region: its customers alternate DC-CHI / DC-ATL."""
    cust = world.customers.reset_index(drop=True)
    rows = []
    k = 0
    for cid, region, d in zip(cust.customer_id, cust.region, cust.annual_demand):
        site = "DC-CHI"
        if region == split_region:
            site = "DC-CHI" if k % 2 == 0 else "DC-ATL"
            k += 1
        rows.append({"customer_id": cid, "site_id": site, "units": float(d)})
    return SimpleNamespace(flows=pd.DataFrame(rows))


def test_design_places_each_regions_stock_at_its_serving_dcs(sample_world):
    """Shares follow the design's units; a region split between two DCs gets one plan row per DC whose
    safety stocks are the single-DC stock x sqrt(share) (independent customers, as in the design)."""
    design = fake_design(sample_world, "Midwest")
    shares = design_dc_shares(sample_world, design)
    cust = sample_world.customers
    mid = cust[cust.region == "Midwest"].reset_index(drop=True)
    atl = mid.annual_demand[mid.index % 2 == 1].sum() / mid.annual_demand.sum()
    assert shares["Midwest"]["DC-ATL"] == pytest.approx(atl)
    assert shares["Midwest"]["DC-CHI"] == pytest.approx(1 - atl)
    assert shares["West"] == {"DC-CHI": 1.0}
    spec = PlanningSpec(lead_time_sd=0.0)     # demand uncertainty only: the square-root law is exact
    plain = DemandPlanner.from_world(sample_world)
    linked = DemandPlanner.from_world(sample_world, design)
    uid = "BEV|Midwest"
    fc = plain.forecast([uid], spec)
    one = plain.plan(fc, spec).table.set_index("unique_id")
    split = linked.plan(fc, spec).table.set_index("unique_id")
    assert set(split.loc[split.region == "Midwest", "dc"]) == {"DC-CHI", "DC-ATL"}
    ss1 = one.loc[uid, "safety_stock"]
    for dc, share in shares["Midwest"].items():
        row = split.loc[f"{uid}|{dc}"]
        assert row["safety_stock"] == pytest.approx(ss1 * math.sqrt(share), rel=1e-9)
        assert row["demand_per_period"] == pytest.approx(one.loc[uid, "demand_per_period"] * share, rel=1e-9)
    # pooled in one DC it needs less than split over two (the square-root law)
    assert split.loc[split.region == "Midwest", "safety_stock"].sum() > ss1
    assert "DC-ATL" in linked.dc_of("Midwest") and "%" in linked.dc_of("Midwest")


def test_demand_app_takes_the_design(sample_world):
    """The Demand & inventory model built with a design plans its stock at the design's DCs."""
    from widgets.demand_forecasting import DemandForecastingModel

    design = fake_design(sample_world, "West")
    m = DemandForecastingModel(sample_world, design=design, autorun=False)
    assert m.planner.dc_shares["West"]["DC-ATL"] > 0
    assert m.dc_of("West").startswith(("DC-CHI", "DC-ATL"))
