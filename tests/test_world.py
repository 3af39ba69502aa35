"""The shared data model: loading, validation messages, round trips."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench import DataError, load_files, load_world
from workbench.schema import REQUIRED_TABLES, SCHEMAS
from workbench.validate import format_time, parse_time


@pytest.fixture()
def sample_folder(tmp_path, sample_world):
    """The sample world written as CSV files into a temporary folder."""
    return sample_world.to_csv(tmp_path / "world")


def _edit_csv(folder, table, fn):
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)
    return path


def _messages(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def test_sample_loads_with_expected_sizes(sample_world):
    """The sample world has the sizes the data README promises."""
    w = sample_world
    assert len(w.customers) == 300
    assert len(w.sites) == 25 and int(w.sites.existing.sum()) == 3
    assert len(w.plants) == 3
    assert len(w.products) == 5
    assert len(w.demand_history) == 5 * 5 * 156
    assert len(w.outlets) == 400
    assert set(w.outlets.channel) == {"wholesaler", "retailer", "distributor", "ecommerce"}
    assert len(w.orders) == 120
    assert w.plants.capacity.sum() > w.customers.annual_demand.sum()
    assert w.products.demand_share.sum() == pytest.approx(1.0, abs=1e-5)


def test_typed_columns(sample_world):
    """Loaded tables carry real types: floats, bools, dates and times as minutes."""
    w = sample_world
    assert w.customers.lat.dtype == float and w.customers.population.dtype == np.int64
    assert w.sites.existing.dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(w.demand_history.ds)
    assert w.vehicles.shift_start.tolist() == [420.0, 360.0, 300.0]
    assert (w.orders.tw_end >= w.orders.tw_start).all()


def test_load_sample_returns_copies(sample_world):
    """Changing a loaded table never changes the next load."""
    a = workbench.load_sample()
    a.customers.loc[0, "annual_demand"] = -1
    b = workbench.load_sample()
    assert b.customers.loc[0, "annual_demand"] > 0
    assert a.version == b.version  # the version is the content at load time


def test_csv_folder_round_trip(sample_folder, sample_world):
    """A World written to CSVs loads back identical (same content hash)."""
    again = load_world(sample_folder)
    assert again.version == sample_world.version
    pd.testing.assert_frame_equal(again.orders, sample_world.orders)


def test_excel_round_trip(tmp_path, sample_world):
    """World.to_excel writes the workbook layout that load_world reads back unchanged."""
    path = sample_world.to_excel(tmp_path / "world.xlsx")
    again = load_world(path)
    assert again.version == sample_world.version
    assert not list(tmp_path.glob(".*tmp"))  # nothing half-written left behind


def test_missing_table(sample_folder):
    """A missing required table is named with the columns it needs."""
    (sample_folder / "sites.csv").unlink()
    with pytest.raises(DataError, match=r"missing table 'sites'.*Fix: add a 'sites.csv' file"):
        load_world(sample_folder)


def test_missing_optional_table_is_empty(sample_folder):
    """An absent optional table loads as an empty table with the schema's columns."""
    (sample_folder / "outlets.csv").unlink()
    w = load_world(sample_folder)
    assert len(w.outlets) == 0 and list(w.outlets.columns) == SCHEMAS["outlets"].column_names


def test_missing_column(sample_folder):
    """A missing column names the file, the column and what it holds."""
    _edit_csv(sample_folder, "customers", lambda d: d.drop(columns=["annual_demand"]))
    with pytest.raises(DataError, match=r"customers.csv, column 'annual_demand': missing column 'annual_demand'.*units/yr"):
        load_world(sample_folder)


def test_wrong_type(sample_folder):
    """A value of the wrong type names file, row, column and value."""
    def bad(d):
        d.loc[4, "lat"] = "forty"
        return d
    _edit_csv(sample_folder, "customers", bad)
    with pytest.raises(DataError, match=r"customers.csv, row 6, column 'lat': not a number \(value: 'forty'\)"):
        load_world(sample_folder)


def test_empty_required_cell(sample_folder):
    """An empty cell where a value is required is reported with its row."""
    def bad(d):
        d.loc[0, "capacity"] = ""
        return d
    _edit_csv(sample_folder, "sites", bad)
    with pytest.raises(DataError, match=r"sites.csv, row 2, column 'capacity': empty cell where a value is required"):
        load_world(sample_folder)


def test_nan_in_dataframe_input(sample_world):
    """NaN in a DataFrame handed over in code is caught like an empty cell."""
    cust = sample_world.customers.copy()
    cust.loc[2, "annual_demand"] = np.nan
    with pytest.raises(DataError, match=r"table 'customers', row 4, column 'annual_demand': empty cell"):
        sample_world.replace(customers=cust)


def test_negative_demand_and_capacity(sample_folder):
    """Negative demand and zero capacity are both reported, with the fix."""
    def bad_c(d):
        d.loc[1, "annual_demand"] = "-500"
        return d
    def bad_s(d):
        d.loc[3, "capacity"] = "0"
        return d
    _edit_csv(sample_folder, "customers", bad_c)
    _edit_csv(sample_folder, "sites", bad_s)
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    msgs = _messages(info)
    assert any("customers.csv, row 3, column 'annual_demand': annual_demand is negative (value: '-500')" in m
               and "enter a value >= 0 units/yr" in m for m in msgs)
    assert any("sites.csv, row 5, column 'capacity': capacity is zero or negative" in m for m in msgs)


def test_lat_lon_out_of_range(sample_folder):
    """Out-of-range coordinates are reported and the fix hints at swapped columns."""
    def bad(d):
        d.loc[0, "lat"], d.loc[0, "lon"] = "-87.6", "241.8"
        return d
    _edit_csv(sample_folder, "outlets", bad)
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    msgs = _messages(info)
    assert any("outlets.csv, row 2, column 'lon': lon is above the allowed range" in m and "swapped" in m for m in msgs)


def test_duplicate_ids(sample_folder):
    """Duplicate ids are reported on every row that shares them."""
    def bad(d):
        d.loc[1, "site_id"] = d.loc[0, "site_id"]
        return d
    _edit_csv(sample_folder, "sites", bad)
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    msgs = [m for m in _messages(info) if "duplicate site_id" in m]
    assert msgs == ["sites.csv, rows 2, 3, column 'site_id': duplicate site_id (2 rows; first value: 'DC-CHI'). "
                    "Fix: make every site_id unique (it is used to link tables)"]


def test_duplicate_history_key(sample_folder):
    """Two rows for the same product, region and week are reported."""
    def bad(d):
        return pd.concat([d, d.iloc[[0]]], ignore_index=True)
    _edit_csv(sample_folder, "demand_history", bad)
    with pytest.raises(DataError, match=r"duplicate row for the same product_id \+ region \+ ds"):
        load_world(sample_folder)


def test_unknown_reference(sample_folder):
    """A depot id that is not a site is reported with the table to fix."""
    def bad(d):
        d.loc[2, "depot_id"] = "DC-NOWHERE"
        return d
    _edit_csv(sample_folder, "orders", bad)
    with pytest.raises(DataError, match=r"orders.csv, row 4, column 'depot_id': depot_id refers to an unknown site "
                                        r"\(value: 'DC-NOWHERE'\)\. Fix: use a site_id that exists in the 'sites' table"):
        load_world(sample_folder)


def test_bad_choice_and_time(sample_folder):
    """A channel without a role (its name is not a role and no channels table maps it) and an
    unreadable time are reported together, naming the channel, its rows, the roles and the fix."""
    def bad_o(d):
        d.loc[0, "channel"] = "supermarket"
        return d
    def bad_v(d):
        d.loc[0, "shift_start"] = "7am"
        return d
    _edit_csv(sample_folder, "outlets", bad_o)
    _edit_csv(sample_folder, "vehicles", bad_v)
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    msgs = _messages(info)
    assert any("outlets.csv, row 2, column 'channel': channel 'supermarket' has no economic role" in m
               and "add a 'channels' table" in m and "wholesaler, retailer, distributor, ecommerce" in m
               for m in msgs)
    assert any("vehicles.csv, row 2, column 'shift_start': not a time of day" in m and "HH:MM" in m for m in msgs)


def test_window_and_shift_order(sample_folder):
    """Windows that close before they open and shifts that end before they start are caught."""
    def bad_o(d):
        d.loc[0, "tw_start"], d.loc[0, "tw_end"] = "15:00", "09:00"
        return d
    def bad_v(d):
        d.loc[1, "shift_end"] = "05:00"
        return d
    _edit_csv(sample_folder, "orders", bad_o)
    _edit_csv(sample_folder, "vehicles", bad_v)
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    msgs = _messages(info)
    assert any("orders.csv, row 2, column 'tw_end': time window closes before it opens (value: '09:00')" in m for m in msgs)
    assert any("vehicles.csv, row 3, column 'shift_end': shift ends before it starts" in m for m in msgs)


def test_every_problem_reported_at_once(sample_folder):
    """One load reports problems from several files and rows together."""
    def bad_c(d):
        d.loc[0, "lat"] = "x"
        d.loc[5, "population"] = "-3"
        return d
    _edit_csv(sample_folder, "customers", bad_c)
    (sample_folder / "products.csv").unlink()
    with pytest.raises(DataError) as info:
        load_world(sample_folder)
    assert len(info.value.problems) == 3
    assert "3 problems found" in str(info.value)


def test_unreadable_files():
    """A corrupt workbook and an unsupported file type give a clear message."""
    with pytest.raises(DataError, match=r"world.xlsx: the file could not be read .*save it as CSV"):
        load_files({"world.xlsx": b"this is not a zip file"})
    with pytest.raises(DataError, match=r"notes.pdf: unsupported file type '.pdf'"):
        load_files({"notes.pdf": b"%PDF"})


def test_missing_path(tmp_path):
    """A path that does not exist says so."""
    with pytest.raises(DataError, match="no such file or folder"):
        load_world(tmp_path / "nope")


_FIVE = ("A,Denver,West,39.74,-104.99,715000,500000\nB,Boston,Northeast,42.36,-71.06,650000,400000\n"
         "C,Columbus,Midwest,39.96,-83.0,900000,450000\nD,Dallas,Southwest,32.78,-96.8,1300000,600000\n"
         "E,Atlanta,Southeast,33.75,-84.39,500000,300000\n")


def test_upload_merges_into_base_when_asked(sample_world):
    """With an explicit base, uploaded tables replace the base World's tables; the rest is kept."""
    csv = ("customer_id,name,region,lat,lon,population,annual_demand\n" + _FIVE).encode()
    w = load_files({"customers.csv": csv}, base=sample_world)
    assert len(w.customers) == 5 and w.customers.name.iloc[0] == "Denver"
    assert len(w.sites) == 25
    assert w.customers.state.iloc[0] == ""  # optional column filled with its default
    assert w.version != sample_world.version


def test_upload_is_one_company(sample_world):
    """Without a base, tables the upload does not bring are absent, never the sample's."""
    with pytest.raises(DataError) as info:
        load_files({"customers.csv": ("customer_id,name,region,lat,lon,population,annual_demand\n" + _FIVE).encode()})
    assert {p.table for p in info.value.problems if "missing table" in p.message} == {"sites", "products"}
    files = _company_files(sample_world)
    w = load_files(files)
    assert len(w.plants) == 0 and len(w.outlets) == 0 and len(w.vehicles) == 0 and len(w.demand_history) == 0


def _company_files(world, **replace) -> dict[str, bytes]:
    """The required tables of ``world`` as uploaded CSV bytes, with some files replaced."""
    out = {}
    for name in ("customers", "sites", "products"):
        buf = io.StringIO()
        world.tables()[name].to_csv(buf, index=False)
        out[f"{name}.csv"] = buf.getvalue().encode()
    out.update(replace)
    return out


def test_semicolon_csv_and_case_insensitive_columns(sample_world):
    """European-style CSV (semicolons) and differently cased headers load; regions keep the data's spelling."""
    csv = ("Customer_ID;Name;Region;Lat;Lon;Population;Annual_Demand\nA;Lyon-like;west;39.7;-105.0;10;5\n"
           "B;Other;WEST ;39.8;-105.1;10;5\n").encode()
    w = load_files(_company_files(sample_world, **{"customers.csv": csv}))
    assert list(w.customers.region) == ["west", "west"]
    assert set(w.sites.region) >= {"west", "Midwest"}  # one spelling per region, the customers' first


def test_nothing_half_loaded(sample_folder, sample_world):
    """When any table is bad, no World is returned (the caller keeps what it had)."""
    def bad(d):
        d.loc[0, "price"] = "free"
        return d
    _edit_csv(sample_folder, "products", bad)
    current = sample_world
    try:
        current = load_world(sample_folder)
    except DataError:
        pass
    assert current is sample_world


def test_required_tables_declared():
    """Only customers, sites and products are required."""
    assert set(REQUIRED_TABLES) == {"customers", "sites", "products"}


@pytest.mark.parametrize("text,minutes", [("08:30", 510.0), ("8:05", 485.0), ("23:59:30", 1439.5), (90, 90.0), ("x", None)])
def test_parse_time(text, minutes):
    """Times of day read as minutes after midnight."""
    got = parse_time(text)
    assert (np.isnan(got) if minutes is None else got == minutes)


def test_format_time():
    """Minutes after midnight print as HH:MM."""
    assert format_time(510) == "08:30" and format_time(0) == "00:00"


def test_summary_numbers(sample_world):
    """The World summary adds up from the tables."""
    s = sample_world.summary()
    assert s["annual_demand"] == pytest.approx(sample_world.customers.annual_demand.sum())
    assert s["outlets"] == sum(s[f"outlets_{c}"] for c in ("wholesaler", "retailer", "distributor", "ecommerce"))
    assert s["vehicles"] == 16


def test_version_ignores_tables_added_later_when_absent(sample_world):
    """An empty table added to the schema after the first eight (company, ...) leaves the version as it was,
    so scenarios saved on the same data before the table existed still match it."""
    from workbench.world import _FIRST_TABLES, _content_hash

    tables = sample_world.tables()
    first = {n: tables[n] for n in _FIRST_TABLES}
    later = {n: df.iloc[:0] for n, df in tables.items() if n not in _FIRST_TABLES}
    assert later  # there are such tables
    assert _content_hash({**first, **later}) == sample_world.version
    company = pd.DataFrame({"name": ["ACME"], "country": ["US"], "currency": ["USD"]})
    assert sample_world.replace(company=company).version != sample_world.version
