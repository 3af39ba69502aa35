"""Comparisons worked by hand on small cases, KPI labels and units, and the Excel export opened and read back."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from workbench.scenarios import (Scenario, ScenarioError, ScenarioStore, charts_for, compare, delta_pct, export_excel,
                                 kpi_info)
from workbench.scenarios.kpis import header, readable


def scenario(name, sid, **kpis) -> Scenario:
    flows = pd.DataFrame({"customer_id": ["C1", "C2"], "site_id": ["D1", "D2"], "distance_km": [12.5, 40.0],
                          "annual_demand": [1000.0, 250.0], "cost": [1250.0, 800.0],
                          "shipped": pd.to_datetime(["2026-01-05", "2026-01-06"]).tz_localize("UTC")})
    return Scenario(name=name, app="network_design", id=sid, kpis=kpis, tables={"flows": flows},
                    inputs={"dc_count": sid + 2, "regions": ["West", "East"], "costs": {"rate_usd_per_km": 1.5},
                            "world_version": "v1"}, world_version="v1", note=f"note {name}")


BASE = dict(total_cost=100.0, service_share=0.9, vehicles=0.0, profit=-50.0)
LEAN = dict(total_cost=80.0, service_share=0.95, vehicles=3.0, profit=-25.0)


def test_deltas_against_the_baseline_by_hand():
    """Absolute and % changes, a zero baseline, a negative baseline, and better/worse by KPI direction."""
    cmp = compare([scenario("Lean", 2, **LEAN), scenario("Base", 1, **BASE)], baseline=1)
    assert cmp.labels == ("Base", "Lean") and cmp.baseline.name == "Base"
    t = cmp.table.set_index(["scenario", "kpi"])
    assert t.loc[("Lean", "total_cost"), "delta"] == -20.0
    assert t.loc[("Lean", "total_cost"), "delta_pct"] == pytest.approx(-20.0)
    assert t.loc[("Lean", "service_share"), "delta"] == pytest.approx(0.05)
    assert t.loc[("Lean", "service_share"), "delta_pct"] == pytest.approx(100 * 0.05 / 0.9)
    assert t.loc[("Lean", "vehicles"), "delta"] == 3.0 and math.isnan(t.loc[("Lean", "vehicles"), "delta_pct"])
    assert t.loc[("Lean", "profit"), "delta_pct"] == pytest.approx(50.0)  # -50 -> -25 is +50 % of |-50|
    assert t.loc[("Base", "total_cost"), "delta"] == 0.0 and t.loc[("Base", "total_cost"), "verdict"] == "same"
    verdicts = t.loc["Lean", "verdict"].to_dict()
    assert verdicts == {"total_cost": "better", "service_share": "better", "vehicles": "worse", "profit": "better"}
    assert cmp.wide("delta").loc["total_cost"].tolist() == [0.0, -20.0]
    s = cmp.summary()
    assert list(s.columns) == ["KPI", "Unit", "Base", "Lean", "Lean: change", "Lean: change %"]
    assert s.loc[0].tolist() == ["Total cost", "USD", 100.0, 80.0, -20.0, pytest.approx(-20.0)]


def test_delta_pct_edge_cases():
    """0 -> 0 is no change; 0 -> x has no percentage; NaN stays NaN."""
    assert delta_pct(0, 0) == 0.0
    assert math.isnan(delta_pct(5, 0)) and math.isnan(delta_pct(float("nan"), 1))
    assert delta_pct(90, -100) == pytest.approx(190.0)


def test_missing_kpis_and_other_data_versions_are_noted():
    """A KPI a scenario lacks is blank and noted; a scenario on different data is flagged."""
    other = scenario("Other data", 3, total_cost=120.0).replace(world_version="v2")
    cmp = compare([scenario("Base", 1, **BASE), other])
    assert math.isnan(cmp.value("Other data", "service_share"))
    assert any("ran on different data" in n for n in cmp.notes)
    assert any("'Other data' lacks service_share, vehicles, profit" in n for n in cmp.notes)
    assert cmp.value(1, "total_cost", "delta_pct") == pytest.approx(20.0)


def test_compare_refuses_mixed_apps_and_empty_selection():
    """Scenarios of different apps, or none, cannot be compared; the message says what to do."""
    with pytest.raises(ScenarioError, match="pick scenarios of one app"):
        compare([scenario("A", 1, x=1.0), Scenario(name="R", app="route_planning", kpis={"x": 2.0})])
    with pytest.raises(ScenarioError, match="at least one scenario"):
        compare([])
    with pytest.raises(ScenarioError, match="baseline 'Nope' is not among"):
        compare([scenario("A", 1, x=1.0)], baseline="Nope")


def test_kpi_labels_units_and_directions_from_names():
    """Names carry meaning: cost is USD and lower is better, shares are higher-better, units show in headers."""
    assert kpi_info("total_cost_usd") .label == "Total cost"
    assert kpi_info("total_cost").unit == "USD" and kpi_info("total_cost").better == "lower"
    assert kpi_info("service_share").unit == "share" and kpi_info("service_share").better == "higher"
    assert kpi_info("forecast_mape").label == "Forecast MAPE" and kpi_info("forecast_mape").better == "lower"
    assert kpi_info("distance_km").unit == "km"
    assert header("distance_km") == "Distance (km)"
    assert header("annual_demand", table="customers") == "Annual demand (units/yr)"
    assert readable("dc_count") == "DC count"
    charts = charts_for("network_design", ["total_cost", "transport_cost", "facility_cost", "service_share"])
    assert charts[0].title == "Cost breakdown" and charts[0].kpis == ("transport_cost", "facility_cost")


def test_excel_export_sheets_headers_and_values(tmp_path):
    """The workbook has a comparison, a scenario list and inputs/KPIs/tables per scenario, readable and with units."""
    base, lean = scenario("Base", 1, **BASE), scenario("Lean: 3 DCs", 2, **LEAN)
    path = export_excel([base, lean], tmp_path / "out.xlsx", baseline=1)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Comparison", "Scenarios", "S1 Inputs", "S1 KPIs", "S1 flows",
                             "S2 Inputs", "S2 KPIs", "S2 flows"]
    ws = wb["Comparison"]
    heads = [c.value for c in ws[3]]
    assert heads == ["KPI", "Unit", "Base (baseline)", "Lean: 3 DCs", "Lean: 3 DCs: change", "Lean: 3 DCs: change %"]
    row = [c.value for c in ws[4]]
    assert row[:5] == ["Total cost", "USD", 100.0, 80.0, -20.0] and row[5] == pytest.approx(-0.2)
    assert ws.cell(row=4, column=6).number_format == "0.0%"
    assert ws.cell(row=4, column=3).number_format.startswith('"$"')
    vehicles = [c.value for c in ws[6]]
    assert vehicles[0] == "Vehicles" and vehicles[5] is None  # no % change from a zero baseline
    assert ws.freeze_panes == "A4"
    sc = wb["Scenarios"]
    assert [c.value for c in sc[4]][:4] == ["S1", "Base", "Network design", "note Base"]
    assert [c.value for c in sc[5]][7] == "" or [c.value for c in sc[5]][7] is None
    inputs = {r[2]: r[1] for r in wb["S2 Inputs"].iter_rows(min_row=4, values_only=True)}
    assert inputs == {"dc_count": 4, "regions": "West, East", "costs.rate_usd_per_km": 1.5, "world_version": "v1"}
    kp = list(wb["S2 KPIs"].iter_rows(min_row=4, values_only=True))
    assert kp[0] == ("Total cost", 80.0, "USD", "total_cost")
    assert kp[1] == ("Service", 0.95, "%", "service_share")
    flows = wb["S1 flows"]
    assert [c.value for c in flows[3]] == ["Customer ID", "Serving DC", "Distance (km)", "Annual demand (units/yr)",
                                           "Cost (USD)", "Shipped (UTC)"]
    assert [c.value for c in flows[4]][:5] == ["C1", "D1", 12.5, 1000.0, 1250.0]
    assert flows.cell(row=4, column=6).value.isoformat() == "2026-01-05T00:00:00"
    data = export_excel([base, lean])
    assert isinstance(data, bytes) and data[:2] == b"PK"


def test_excel_export_from_a_store(tmp_path):
    """Scenarios loaded from a store export with their saved tables; long names get unique short sheet names."""
    store = ScenarioStore(folder=tmp_path)
    ids = [store.save(scenario("A very long scenario name that Excel would cut", 1, **BASE).replace(id=None)),
           store.save(scenario("A very long scenario name that Excel would cut too", 2, **LEAN).replace(id=None))]
    path = export_excel(store.load_many(ids), tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(path)
    assert all(len(n) <= 31 for n in wb.sheetnames) and len(set(wb.sheetnames)) == len(wb.sheetnames)
    assert wb["Comparison"]["C3"].value == "A very long scenario name that Excel would cut (baseline)"


def test_excel_export_writes_every_column_dtype():
    """Tables with any dtype (nullable, categorical, time zones, periods, objects) export; missing values are blank."""
    import io

    from .test_scenarios_codec import every_dtype_frame

    data = export_excel([Scenario(name="All types", app="demo", kpis={"k": 1.0}, tables={"t": every_dtype_frame()})])
    ws = openpyxl.load_workbook(io.BytesIO(data))["S1 t"]
    rows = list(ws.iter_rows(min_row=3, max_row=6, values_only=True))
    assert rows[0][:4] == ("Int", "Int32", "Uint8", "Float") and rows[0][10] == "Tz (UTC)"
    assert rows[1][:4] == (1, 1, 1, 1.5) and rows[1][10].isoformat() == "2024-01-01T13:00:00"
    assert rows[2][3] is None and rows[2][13] is None and rows[2][15] is None  # NaN, <NA> (Int64), <NA> (boolean)
    assert rows[3][12] == "x" and rows[3][16] == "2024-03" and rows[3][17] == 30
