"""Specification edge cases: wrong types and non-finite numbers are specification errors that
name the field, never a TypeError or a solver that runs out of time."""

from __future__ import annotations

import pytest

from workbench.errors import SpecificationError
from workbench.network import NetworkSpec


@pytest.mark.parametrize("kw,match", [
    (dict(dc_count=2.5), "dc_count must be a whole number, got 2.5"),
    (dict(dc_count="3"), "dc_count must be a whole number, got '3'"),
    (dict(max_dcs=True), "max_dcs must be a whole number"),
    (dict(outbound_rate=float("inf")), "outbound_rate must be a finite number, got inf"),
    (dict(inbound_rate=float("nan")), "inbound_rate must be a finite number"),
    (dict(service_radius_km="100"), "service_radius_km must be a number"),
])
def test_network_spec_types(kw, match):
    """dc_count=2.5 or '3', outbound_rate=inf: a SpecificationError naming the field."""
    with pytest.raises(SpecificationError, match=match):
        NetworkSpec(**kw)


def test_network_spec_accepts_whole_floats():
    """A whole float count (from a slider or a spreadsheet) is the integer it is."""
    spec = NetworkSpec(dc_count=3.0, outbound_rate=1)
    assert spec.dc_count == 3 and isinstance(spec.dc_count, int) and spec.outbound_rate == 1.0


def test_markup_in_scenario_names_is_text_in_charts():
    """A scenario name with markup is escaped in chart labels, trace names and titles (plotly shows it as text)."""
    from workbench.scenarios import Scenario, compare
    from widgets.report import delta_figure, kpi_figures

    evil = '<a href="http://x">click</a>'
    a = Scenario.from_result(evil, "network_design", kpis={"total_cost": 1.0, "fixed_cost": 0.5})
    b = Scenario.from_result("<b>two</b>", "network_design", kpis={"total_cost": 2.0, "fixed_cost": 0.7})
    cmp = compare([a, b])
    texts = []
    for fig in [*kpi_figures(cmp), delta_figure(cmp)]:
        texts.append(fig.layout.title.text or "")
        for tr in fig.data:
            texts.append(str(tr.name))
            texts += [str(x) for x in (tr.x if tr.x is not None else ())]
    assert not any("<a " in t or "<b>" in t for t in texts)
    assert any("&lt;a href" in t for t in texts)


def test_excel_outputs_write_formula_like_text_as_text(tmp_path, sample_world):
    """Scenario exports and the World template store '=...' text as text cells, never live formulas."""
    import io

    from openpyxl import load_workbook

    from workbench import load_world
    from workbench.scenarios import Scenario
    from workbench.scenarios.export import export_excel

    evil = '=HYPERLINK("http://x","y")'
    data = export_excel([Scenario.from_result(evil, "network_design", kpis={"total_cost": 1.0}, note="=cmd|' /C calc'!A0")])
    cells = [c for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == evil for c in cells)
    assert not any(c.data_type == "f" for c in cells)

    customers = sample_world.customers.copy()
    customers.loc[0, "name"] = evil
    path = sample_world.replace(customers=customers).to_excel(tmp_path / "t.xlsx")
    ws = load_workbook(path)["customers"]
    assert ws["B2"].value == evil and ws["B2"].data_type == "s"
    assert load_world(path).customers.loc[0, "name"] == evil  # and it reads back as the same text
