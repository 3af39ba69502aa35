"""Every odd or bad input a new user brings: read correctly, or one DataError naming the file,
rows, column, value and fix (once per kind of problem and column, with a count)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from workbench import DataError, World, load_files, load_world

HDR = "customer_id,name,region,lat,lon,population,annual_demand\n"


@pytest.fixture(scope="module")
def us():
    """The US sample (the required tables are taken from it)."""
    import workbench

    return workbench.load_sample()


def _files(world, **replace) -> dict[str, bytes]:
    out = {f"{n}.csv": getattr(world, n).to_csv(index=False).encode() for n in ("customers", "sites", "products")}
    out.update(replace)
    return out


def _problems(files) -> list[str]:
    with pytest.raises(DataError) as info:
        load_files(files)
    return info.value.messages


def _history(us, *rows: str) -> dict[str, bytes]:
    return _files(us, **{"demand_history.csv": ("product_id,region,ds,y\n" + "".join(r + "\n" for r in rows)).encode()})


# -- crashes that became messages ------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "A,Denver,,39.7,-105,10,5\n",                      # blank cell in a choice-like column
    "A,Denver,West,39.7,-105,10,5\nB,Boise\n",         # a short row
    "A,Denver,West,39.7,-105,10,5\n,,,,,,\n,,x,,,,\n",  # a stray cell below the data
])
def test_blank_cells_are_problems_not_crashes(us, body):
    """Blank cells (pandas 3 reads them as NaN) are 'empty cell' problems with the row."""
    msgs = _problems(_files(us, **{"customers.csv": (HDR + body).encode()}))
    assert any("empty cell where a value is required" in m and "customers.csv, row" in m for m in msgs)


def test_blank_channel_and_tier(us):
    """A blank channel or tier in outlets is an empty-cell problem (it used to crash on .lower())."""
    o = us.outlets.head(3).copy().astype(object)
    o.loc[0, "channel"] = np.nan
    o.loc[1, "tier"] = None
    msgs = _problems(_files(us, **{"outlets.csv": o.to_csv(index=False).encode()}))
    assert any("row 2, column 'channel': empty cell" in m for m in msgs)
    assert any("row 3, column 'tier': empty cell" in m for m in msgs)


@pytest.mark.parametrize("value,expected", [
    ("2024-01-01T00:00:00Z", "2024-01-01"), ("2024-01-01T00:00:00+02:00", "2024-01-01"),
    ("2024-01-01T23:00:00-05:00", "2024-01-01"),  # the date as written, whatever the zone
    ("44935", "2023-01-09"), ("20240101", "2024-01-01"), ("2024/01/01", "2024-01-01"), ("1 Jan 2024", "2024-01-01"),
])
def test_dates_in_common_formats_are_read(us, value, expected):
    """Zones, mixed offsets, Excel serials, compact and named-month dates are read as the date written."""
    w = load_files(_history(us, f"BEV,West,{value},5", "BEV,West,2024-02-05+01:00,6"))
    assert str(w.demand_history.ds.iloc[0].date()) == expected
    assert str(w.demand_history.ds.iloc[1].date()) == "2024-02-05"


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_out_of_range_years(us, value):
    """Years outside 1900-2200 are a problem naming the value, not an overflow."""
    msgs = _problems(_history(us, f"BEV,West,{value},5"))
    assert msgs == [f"demand_history.csv, row 2, column 'ds': the year is outside 1900-2200 (value: '{value}'). "
                    "Fix: check the date; enter it as YYYY-MM-DD"]


def test_excel_dates_and_times(us, tmp_path):
    """Excel date serials and day fractions in typed cells are read as dates and times of day."""
    tables = {n: getattr(us, n) for n in ("customers", "sites", "products")}
    v = us.vehicles.copy().astype(object)
    v["shift_start"] = [0.25, 0.3125, 0.5]  # 06:00, 07:30, 12:00
    v["shift_end"] = ["18:00", "19:00", "20:00"]
    h = pd.DataFrame({"product_id": ["BEV"], "region": ["West"], "ds": [44935], "y": [5.0]})
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xw:
        for n, df in {**tables, "vehicles": v, "demand_history": h}.items():
            df.to_excel(xw, sheet_name=n, index=False)
    w = load_world(path)
    assert w.vehicles.shift_start.tolist() == [360.0, 450.0, 720.0]
    assert str(w.demand_history.ds.iloc[0].date()) == "2023-01-09"


def test_bare_number_times_are_ambiguous(us):
    """'7' in a time column could be 07:00 or 00:07: refused with both readings in the fix."""
    v = us.vehicles.copy().astype(object)
    for c in ("shift_start", "shift_end"):
        v[c] = v[c].map(lambda m: f"{int(m) // 60:02d}:{int(m) % 60:02d}")
    v.loc[0, "shift_start"] = "7"
    msgs = _problems(_files(us, **{"vehicles.csv": v.to_csv(index=False).encode()}))
    assert msgs == ["vehicles.csv, row 2, column 'shift_start': a bare number is not a time of day (hours or "
                    "minutes?) (value: '7'). Fix: enter the time as HH:MM: 07:00 for 7 o'clock, 00:07 for 7 "
                    "minutes past midnight"]


# -- silent misreads that became right readings or messages ----------------------------------

@pytest.mark.parametrize("value", ["1e30", str(2 ** 63), "9" * 25])
def test_integer_overflow(us, value):
    """A population too large for an integer is a problem, never a wrapped negative number."""
    c = us.customers.copy().astype(object)
    c.loc[0, "population"] = value
    msgs = _problems(_files(us, **{"customers.csv": c.to_csv(index=False).encode()}))
    assert len(msgs) == 1 and "population is too large to store exactly" in msgs[0] and "row 2" in msgs[0]


@pytest.mark.parametrize("header", ["lat,lat", "lat,LAT", "lat, Lat "])
def test_duplicate_headers_case_insensitive(us, header):
    """The same column twice (in any case) is a problem, not 'the first one wins'."""
    body = f"customer_id,name,region,{header},lon,population,annual_demand\nA,x,West,1,2,3,4,5\n"
    msgs = _problems(_files(us, **{"customers.csv": body.encode()}))
    assert any("column appears more than once" in m and "column 'lat'" in m for m in msgs)


def test_day_month_order(us):
    """A day above 12 decides the order for the whole column; no such day, or both, is a question."""
    w = load_files(_history(us, "BEV,West,01/02/2024,5", "BEV,West,13/02/2024,6"))
    assert [str(d.date()) for d in w.demand_history.ds] == ["2024-02-01", "2024-02-13"]
    w = load_files(_history(us, "BEV,West,02/01/2024,5", "BEV,West,02/13/2024,6"))
    assert [str(d.date()) for d in w.demand_history.ds] == ["2024-02-01", "2024-02-13"]
    assert any("cannot tell whether these dates are day/month/year or month/day/year" in m
               for m in _problems(_history(us, "BEV,West,01/02/2024,5", "BEV,West,03/04/2024,6")))
    assert any("dates mix day/month and month/day order" in m
               for m in _problems(_history(us, "BEV,West,13/02/2024,5", "BEV,West,02/14/2024,6")))


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig", "utf-16-le", "latin-1"])
def test_encodings(us, encoding):
    """Windows-1252 (curly quotes, euro sign), UTF-16 and BOMs are read as written."""
    c = us.customers.copy()
    text = "São Paulo – “Centro”" if encoding != "latin-1" else "São Paulo"
    c.loc[0, "name"] = text
    data = c.to_csv(index=False).encode(encoding)
    if encoding == "utf-16-le":  # no BOM
        assert not data.startswith(b"\xff\xfe")
    w = load_files(_files(us, **{"customers.csv": data}))
    assert w.customers.loc[0, "name"] == text


@pytest.mark.parametrize("sep", ["\t", ";", "|"])
def test_separators(us, sep):
    """Tab-, semicolon- and pipe-separated files are read."""
    w = load_files(_files(us, **{"customers.csv": us.customers.to_csv(index=False, sep=sep).encode()}))
    pd.testing.assert_frame_equal(w.customers, us.customers)


@pytest.mark.parametrize("name", ["customers (1).csv", "Customers_2025.csv", "customer.csv", "CUSTOMERS.CSV",
                                  "customers - Copy.csv", "2025-11 customers.csv"])
def test_file_names_are_matched_tolerantly(us, name):
    """Copies, dates and singular names map to their table."""
    files = _files(us)
    files[name] = files.pop("customers.csv")
    assert len(load_files(files).customers) == 300


def test_unknown_table_is_always_reported(us):
    """A file that maps to no table is a problem even when everything else is fine."""
    msgs = _problems(_files(us, **{"clients.csv": b"a,b\n1,2\n"}))
    from workbench.schema import SCHEMAS

    assert msgs == ["clients.csv: 'clients' is not one of the workbench's tables. Fix: name each file or sheet "
                    f"after its table: {', '.join(SCHEMAS)} (a sheet whose name starts with '_' is ignored)"]
    msgs = _problems(_files(us, **{"customers (1).csv": b"x\n"}))
    assert any("two files hold the table 'customers'" in m for m in msgs)


def test_upload_is_one_company(us):
    """Tables an upload does not bring are absent: no US plants under a Brazilian company."""
    import workbench

    br = workbench.load_sample("brazil")
    w = load_files(_files(br))
    assert len(w.plants) == 0 and len(w.vehicles) == 0 and len(w.outlets) == 0


def test_decimal_commas_and_thousands_separators(us):
    """A column consistently in one convention is read; a mixed column names the comma once with a count."""
    c = us.customers.copy().astype(object)
    c["lat"] = c["lat"].map(lambda v: str(v).replace(".", ","))
    c["lon"] = c["lon"].map(lambda v: str(v).replace(".", ","))
    c["population"] = c["population"].map(lambda v: f"{v:,}".replace(",", "."))
    w = load_files(_files(us, **{"customers.csv": c.to_csv(index=False, sep=";").encode()}))
    pd.testing.assert_frame_equal(w.customers, us.customers)
    c2 = us.customers.copy().astype(object)
    c2.loc[:4, "lat"] = c2.loc[:4, "lat"].map(lambda v: str(v).replace(".", ","))
    msgs = _problems(_files(us, **{"customers.csv": c2.to_csv(index=False, sep=";").encode()}))
    assert len(msgs) == 1
    assert msgs[0].startswith("customers.csv, rows 2, 3, 4, 5, 6, column 'lat': numbers mix a decimal comma")
    assert "(5 rows; first value: '40,71427')" in msgs[0] and "decimal comma (1234,5)" in msgs[0]


def test_thousands_dot_in_a_whole_number_column_is_not_198(us):
    """'198.000' in a population column is never read as 198."""
    c = us.customers.copy().astype(object)
    c.loc[0, "population"] = "198.000"
    msgs = _problems(_files(us, **{"customers.csv": c.to_csv(index=False).encode()}))
    assert len(msgs) == 1 and "thousands separator or a decimal point" in msgs[0]


def test_one_message_per_column_with_a_count(us):
    """617 bad cells in one column give one problem with the count and the first rows."""
    c = pd.concat([us.customers] * 3, ignore_index=True).astype(object)
    c["customer_id"] = [f"C{i}" for i in range(len(c))]
    c.loc[: 616, "annual_demand"] = "n/a"
    msgs = _problems(_files(us, **{"customers.csv": c.to_csv(index=False).encode()}))
    assert len(msgs) == 1
    assert msgs[0].startswith("customers.csv, rows 2, 3, 4, 5, 6 and 612 more, column 'annual_demand': not a number "
                              "(617 rows; first value: 'n/a')")


def test_vehicles_one_row_per_type_and_depot(us):
    """The same vehicle type at two depots is two rows; the same type twice at one depot is a duplicate."""
    v = us.vehicles.copy()
    v2 = v.copy()
    v2["depot_id"] = "DC-ATL"
    w = us.replace(vehicles=pd.concat([v, v2], ignore_index=True))
    assert len(w.vehicles) == 6
    with pytest.raises(DataError, match="duplicate row for the same vehicle_type \\+ depot_id"):
        us.replace(vehicles=pd.concat([v, v.iloc[[0]]], ignore_index=True))


def test_header_of_ten_thousand_columns(us):
    """A 10,000-column header is checked (linear duplicate check) and gives the missing-column problems."""
    header = ",".join(f"c{i}" for i in range(10_000))
    msgs = _problems(_files(us, **{"customers.csv": (header + "\n" + ",".join("1" * 10_000) + "\n").encode()}))
    assert any("missing column 'customer_id'" in m and "the columns found are 'c0', 'c1'" in m for m in msgs)


def test_regions_and_states_are_the_companys_own(us):
    """Any region names load; a history region unknown to customers is named, with the known ones."""
    body = HDR + "A,Curitiba,Sul,-25.4,-49.3,1900000,1000\nB,Recife,Nordeste,-8.05,-34.9,1600000,900\n"
    w = load_files(_files(us, **{"customers.csv": body.encode()}))
    assert w.regions == ["Nordeste", "Sul"] and w.customers.state.tolist() == ["", ""]
    msgs = _problems({**_files(us, **{"customers.csv": body.encode()}),
                      "demand_history.csv": b"product_id,region,ds,y\nBEV,Sudeste,2024-01-01,5\n"})
    assert any("column 'region': region is not a region of any row of the 'customers' table" in m and "Sudeste" in m
               for m in msgs)


def test_company_table_currency(us):
    """The company table sets the currency; a bad code is a problem; two rows are a problem."""
    w = load_files(_files(us, **{"company.csv": b"name,country,currency\nACME GmbH,Germany,eur\n"}))
    assert w.currency == "EUR" and w.company_name == "ACME GmbH"
    msgs = _problems(_files(us, **{"company.csv": b"name,currency\nACME,Euro\n"}))
    assert any("not a three-letter currency code" in m for m in msgs)
    msgs = _problems(_files(us, **{"company.csv": b"name,currency\nA,EUR\nB,USD\n"}))
    assert any("more than one row" in m for m in msgs)


def test_optional_tables_absent_round_trip(tmp_path):
    """A World without its optional tables writes and reads back through Excel and CSV unchanged."""
    import workbench

    br = workbench.load_sample("brazil")
    w = World.from_tables({n: getattr(br, n) for n in ("customers", "sites", "products")})
    assert w.to_excel(tmp_path / "w.xlsx") and load_world(tmp_path / "w.xlsx").version == w.version
    assert load_world(w.to_csv(tmp_path / "csv")).version == w.version
    br.to_csv(tmp_path / "csv")  # a fuller World into the same folder, then the smaller one again
    assert load_world(w.to_csv(tmp_path / "csv")).version == w.version
    assert br.to_excel(tmp_path / "b.xlsx") and load_world(tmp_path / "b.xlsx").version == br.version


def test_planning_inputs_use_the_loader_rules(us):
    """Network, gravity, channels and forecast inputs: spreadsheet rows (header = row 1), every bad row
    counted in one problem per column (no cap at 10)."""
    from workbench.channels import ChannelParams
    from workbench.channels.market import prepare_market
    from workbench.forecast.data import validate_history
    from workbench.network import FacilityProblem
    from workbench.network.gravity import centre_of_gravity

    c = us.customers.copy()
    c.loc[:29, "annual_demand"] = -1.0
    with pytest.raises(DataError) as info:
        FacilityProblem.from_tables(c, us.sites)
    assert info.value.messages == ["table 'customers', rows 2, 3, 4, 5, 6 and 25 more, column 'annual_demand': "
                                   "annual_demand is negative (30 rows; first value: -1.0). Fix: enter a value >= 0 "
                                   "units/yr"]
    with pytest.raises(DataError) as info:
        centre_of_gravity(c, 2, weight="annual_demand")
    assert "rows 2, 3, 4, 5, 6 and 25 more" in info.value.messages[0]
    o = us.outlets.copy()
    o.loc[:11, "attractiveness"] = 0.0
    o.loc[:14, "channel"] = "kiosk"
    with pytest.raises(DataError) as info:
        prepare_market({"customers": us.customers, "outlets": o, "sites": us.sites, "products": us.products},
                       ChannelParams())
    msgs = info.value.messages
    assert any("rows 2, 3, 4, 5, 6 and 7 more, column 'attractiveness'" in m and "(12 rows" in m for m in msgs)
    assert any("rows 2, 3, 4, 5, 6 and 10 more, column 'channel': channel 'kiosk' has no economic role" in m
               for m in msgs)
    h = pd.DataFrame({"unique_id": "A", "ds": pd.date_range("2024-01-01", periods=20, freq="W-MON"), "y": 1.0})
    h.loc[[0, 5], "y"] = np.nan
    with pytest.raises(DataError) as info:
        validate_history(h)
    assert info.value.messages[0].startswith("table 'demand history', rows 2, 7, column 'y': demand of series 'A' is missing")
