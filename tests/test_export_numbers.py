"""The deliverables state every number right: the Excel workbook and the HTML report of a network
design comparison are opened (openpyxl; html.parser) and each KPI's shown value and format is
checked against the scenario's result."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import openpyxl
import pytest

from workbench import load_sample
from workbench.scenarios import Scenario, ScenarioStore
from workbench.scenarios.examples import NetworkWhatIf, network_what_if
from workbench.scenarios.export import export_excel
from workbench.scenarios.kpis import excel_format, format_kpi, format_number, kpi_info

APP = "network_design"


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """Two solved network designs of the sample (cheapest number of DCs; eight DCs), saved and loaded back."""
    world = load_sample()
    store = ScenarioStore(folder=tmp_path_factory.mktemp("store"))
    for name, count in (("Cheapest", None), ("Eight DCs", 8)):
        result = network_what_if(NetworkWhatIf(world, dc_count=count, time_limit_s=5.0))
        inputs = {"dc_count": count or 0, "sourcing": "single", "service_radius_km": 0.0, "service_share": 0.9}
        store.save(Scenario.from_result(name, APP, inputs=inputs, result=result, world_version=world.version))
    return store.load_many(["Cheapest", "Eight DCs"], app=APP)


def test_format_number_states_units_and_cents():
    """One formatter: a cost per unit to the cent, totals compact, shares as %, counts plain, NaN as a dash."""
    assert format_number(0.9036, "USD/unit") == "$0.90"
    assert format_number(0.9413, "USD/unit") == "$0.94"
    assert format_number(59_010_712.6, "USD") == "$59.01M"
    assert format_number(59_010_712.6, "USD", compact=False) == "$59,010,713"
    assert format_number(0.0, "USD") == "$0"
    assert format_number(-704_746.14, "USD") == "-$705k"
    assert format_number(0.904, "share") == "90.4%"
    assert format_number(6.0, "count") == "6"
    assert format_number(413.15, "km") == "413 km"
    assert format_number(float("nan"), "USD") == "–"
    assert excel_format("USD/unit") == '"$"#,##0.00;-"$"#,##0.00'
    assert excel_format("USD") == '"$"#,##0;-"$"#,##0'


def test_excel_states_each_kpi_with_its_format(scenarios, tmp_path):
    """Comparison sheet: every business KPI's value equals the result and carries the registry's format
    (cost per unit to the cent); solve time and gap sit apart under "Solver details"; no empty radius row."""
    a, b = scenarios
    wb = openpyxl.load_workbook(export_excel([a, b], tmp_path / "c.xlsx"))
    ws = wb["Comparison"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=4) if r[0].value}
    solver_at = next(i for i, r in enumerate(ws.iter_rows(min_row=1), start=1) if str(r[0].value).startswith("Solver details"))
    for k in a.kpis:
        info = kpi_info(k, APP)
        va, vb = a.kpis[k], b.kpis[k]
        if va != va and vb != vb:  # NaN in both: no service radius set, so no row
            assert info.label not in rows
            continue
        row = rows[info.label]
        assert row[2].value == pytest.approx(va) and row[3].value == pytest.approx(vb)
        assert row[4].value == pytest.approx(vb - va)
        assert row[2].number_format == excel_format(info.unit, info.decimals)
        assert (row[2].row > solver_at) == info.solver
    assert "Demand within service radius" not in rows
    cpu = rows["Cost per unit"]
    assert cpu[2].number_format == '"$"#,##0.00;-"$"#,##0.00' and 0.5 < cpu[2].value < 2.0
    assert rows["Solve time"][2].row > solver_at and rows["Optimality gap"][2].row > solver_at
    assert rows["Total cost"][2].row < solver_at
    # inputs in words; an empty inbound table is not written
    inputs = {r[2]: r[1] for r in wb["S1 Inputs"].iter_rows(min_row=4, values_only=True) if r[2]}
    assert inputs["dc_count"] == "cheapest number" and inputs["service_radius_km"] == "none"
    assert not any(n.endswith("inbound") for n in wb.sheetnames)


def test_excel_per_unit_columns_hold_per_unit_values(scenarios, tmp_path):
    """A column headed per unit holds per-unit values; the sites' handling cost is the year's total
    (headed USD/yr) and sums to the KPI."""
    a, _ = scenarios
    wb = openpyxl.load_workbook(export_excel([a], tmp_path / "one.xlsx"))
    for name in ("S1 sites", "S1 flows"):
        ws = wb[name]
        heads = [c.value for c in ws[3]]
        for j, h in enumerate(heads):
            if h and "/unit" in h:
                vals = [r[j] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[j], (int, float))]
                assert max(vals) < 100, f"{name} {h} holds totals"
    ws = wb["S1 sites"]
    heads = [c.value for c in ws[3]]
    j = heads.index("Handling cost (USD/yr)")
    total = sum(r[j] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[j], (int, float)))
    assert total == pytest.approx(a.kpis["handling_cost"], rel=1e-9)
    assert ws.cell(row=4, column=j + 1).number_format == '"$"#,##0;-"$"#,##0'


class _Rows(HTMLParser):
    """Cells of every ``<tr data-kpi=...>`` in a page, by KPI name."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._kpi = None
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-kpi" in a:
            self._kpi = a["data-kpi"]
            self.rows[self._kpi] = []
        elif tag == "td" and self._kpi:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[self._kpi].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr":
            self._kpi = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def test_html_report_states_each_kpi_as_the_app_does(scenarios):
    """Report: each KPI row shows the value formatted by the registry (cost per unit $0.9x, not $1);
    solver details in their own fold; no empty radius row or chart."""
    from widgets.report import report_html

    a, b = scenarios
    page = report_html([a, b], maps=False)
    p = _Rows()
    p.feed(page)
    for k in a.kpis:
        if a.kpis[k] != a.kpis[k]:
            assert k not in p.rows
            continue
        cells = p.rows[k]
        assert cells[1] == format_kpi(k, a.kpis[k], APP)
        assert cells[2] == format_kpi(k, b.kpis[k], APP)
    assert p.rows["cost_per_unit"][1] == f"${a.kpis['cost_per_unit']:.2f}"
    assert "share_within_radius" not in p.rows and "Service: demand within the radius" not in page
    body = page.split("Solver details", 1)
    assert len(body) == 2 and 'data-kpi="seconds"' in body[1] and 'data-kpi="seconds"' not in body[0]


def test_neighbouring_volumes_share_one_scale():
    """Volumes from a million up read in millions, so '7.15M units' sits next to '34.8M units'
    (never '7,146k units' next to '34.8M units')."""
    assert format_number(7_146_000, "units") == "7.15M units"
    assert format_number(34_800_000, "units") == "34.8M units"
    assert format_number(250_000, "units") == "250k units"
