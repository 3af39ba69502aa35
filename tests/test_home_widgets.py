"""Home app driven through its model and widgets, without a browser."""

from __future__ import annotations

import pytest

import workbench
from widgets.core import AppModel, KPICards, TableView, current_world, format_value
from widgets.home import HomeModel, HomeView, home_app


@pytest.fixture()
def app(fresh_home, sample_world):
    """A Home app on the sample world, saving into a fresh workspace."""
    return home_app(sample_world)


def test_cards_show_the_world(app, sample_world):
    """KPI cards carry the World's headline numbers."""
    v = app.cards.values
    assert v["Customers"] == 300
    assert v["Annual demand"] == pytest.approx(sample_world.customers.annual_demand.sum())
    assert v["Candidate DC sites"] == 25 and v["Outlets"] == 400 and v["Fleet"] == 16


def test_map_layers_toggle_through_model(app):
    """Layer checkboxes and the model's visible_layers stay in step both ways."""
    assert app.map.visible_layers() == ["customers", "sites", "plants"]
    app.map.toggles["retailer"].value = True
    assert "retailer" in app.model.visible_layers and "retailer" in app.map.visible_layers()
    app.model.set_inputs({"visible_layers": ["orders"]})
    assert app.map.visible_layers() == ["orders"]
    assert app.map.toggles["customers"].value is False
    features = app.map.layers["orders"].data["features"]
    assert len(features) == 120


def test_bad_upload_becomes_problems(app, sample_world):
    """A bad file is reported as readable problems and the World is unchanged."""
    bad = b"customer_id,name,region,lat,lon,population,annual_demand\nA,x,West,95,-100,10,-5\n"
    app.upload.value = ({"name": "customers.csv", "type": "text/csv", "size": len(bad), "content": memoryview(bad),
                         "last_modified": __import__("datetime").datetime(2026, 1, 1)},)
    probs = app.model.problems
    assert len(probs) == 4  # lat, annual_demand, and the two required tables an upload must bring
    assert probs[0].startswith("customers.csv, row 2, column 'lat'")
    assert any("missing table 'sites'" in p for p in probs) and any("missing table 'products'" in p for p in probs)
    assert app.model.world.version == sample_world.version
    assert app.cards.values["Customers"] == 300


def _csv(df) -> bytes:
    return df.to_csv(index=False).encode()


def test_good_upload_replaces_table_and_persists(app, fresh_home, sample_world):
    """A good upload (one company: its own tables only) updates cards and map, and every app then opens with it."""
    good = (b"customer_id,name,region,lat,lon,population,annual_demand\n"
            b"A,Denver,West,39.74,-104.99,715000,500000\nB,Boise,West,43.61,-116.2,235000,150000\n")
    assert app.model.load_files({"customers.csv": good, "sites.csv": _csv(sample_world.sites),
                                 "products.csv": _csv(sample_world.products)})
    assert app.model.problems == []
    assert app.cards.values["Customers"] == 2
    assert len(app.map.layers["customers"].data["features"]) == 2
    assert "Loaded customers.csv" in app.model.notes[0]
    assert len(current_world().customers) == 2
    assert len(current_world().outlets) == 0 and len(app.model.world.plants) == 0  # not the sample's
    app.reset_button.click()
    assert app.cards.values["Customers"] == 300
    assert len(current_world().customers) == 300


def test_empty_upload_message(app):
    """Asking to load nothing explains what to upload."""
    assert not app.model.load_files({})
    assert "No file was uploaded" in app.model.problems[0]


def test_template_download(app):
    """The template button produces an Excel download link of the World."""
    app.template_button.click()
    assert 'download="workbench_template.xlsx"' in app.template_link.value
    assert app.model.problems == []


def test_run_turns_errors_into_problems():
    """AppModel.run reports domain and unexpected errors as messages, never raises."""
    m = AppModel()

    def boom():
        raise workbench.SpecificationError("open-site capacity 41,000 < demand 52,300")

    assert m.run(boom) is None
    assert m.problems == ["open-site capacity 41,000 < demand 52,300"]
    assert m.run(lambda: 1 / 0) is None
    assert "Unexpected error (ZeroDivisionError" in m.problems[0]
    assert m.run(lambda: 42) == 42 and m.problems == [] and not m.busy


def test_inputs_carry_world_version(app, sample_world):
    """Saved inputs name the World version they ran on."""
    inputs = app.model.inputs()
    assert inputs["world_version"] == sample_world.version
    assert inputs["visible_layers"] == ["customers", "sites", "plants"]


@pytest.mark.parametrize("value,unit,text", [
    (1234567.0, "USD", "$1.23M"), (0.456, "share", "45.6%"), (65304879.0, "units", "65.3M units"),
    (300.0, "", "300"), (12.5, "km", "12.5 km"), (None, "", "–"), (2500.0, "USD", "$2,500"),
])
def test_format_value(value, unit, text):
    """Numbers are formatted the way planners read them."""
    assert format_value(value, unit) == text


def test_table_view_formats_and_limits():
    """TableView keeps the data, formats numbers and says when rows are cut."""
    import pandas as pd

    t = TableView(max_rows=2)
    t.update(pd.DataFrame({"site": ["a", "b", "c"], "cost": [1e6, 2e6, 3e6]}), formats={"cost": "USD"})
    assert len(t.data) == 3 and "$1.00M" in t.value and "showing 2 of 3 rows" in t.value


def test_kpi_cards_values():
    """KPICards keeps its numbers for tests and renders one card each."""
    c = KPICards()
    c.update([("Cost", 5.0, "USD", ""), ("Sites", 3, "", "")])
    assert c.values == {"Cost": 5.0, "Sites": 3} and c.value.count('class="wb-card"') == 2
