"""Property-based tests of the loaders: whatever a user brings, only ``DataError`` comes out, and
whatever loads round-trips through Excel and CSV unchanged.

Bounded so the gating suite stays fast: about 855 derandomized cases per run (``max_examples``
below; runs of 2,250 and 1,880 cases passed when written). Raise ``max_examples`` locally to search harder.
Inputs are a small valid company mutated cell by cell (odd values, blank cells, dropped,
doubled and renamed columns, stray rows and cells), written as CSV bytes in several encodings
and separators or as an Excel workbook, plus arbitrary bytes under table names.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import DataError, World, load_files, load_world

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

BASE = {
    "customers": pd.DataFrame({
        "customer_id": ["Z1", "Z2", "Z3"], "name": ["São Paulo - SP", "Rio de Janeiro - RJ", "Curitiba - PR"],
        "state": ["SP", "RJ", "PR"], "region": ["Sudeste", "Sudeste", "Sul"],
        "lat": ["-23.5475", "-22.90278", "-25.42778"], "lon": ["-46.63611", "-43.2075", "-49.27306"],
        "population": ["12400232", "6747815", "1948626"], "annual_demand": ["7400000", "4000000", "1200000"]}),
    "sites": pd.DataFrame({
        "site_id": ["CD-1", "CD-2"], "name": ["CD Cajamar", "CD Canoas"], "state": ["SP", "RS"],
        "region": ["Sudeste", "Sul"], "lat": ["-23.35", "-29.92"], "lon": ["-46.88", "-51.18"],
        "fixed_cost": ["8000000", "7000000"], "capacity": ["20000000", "8000000"],
        "handling_cost": ["1.2", "1.1"], "existing": ["true", "false"]}),
    "products": pd.DataFrame({
        "product_id": ["BEV", "SNK"], "name": ["Bebidas", "Salgadinhos"], "price": ["42", "55"],
        "unit_cost": ["25.2", "31"], "weight_kg": ["9.6", "4.2"], "volume_m3": ["0.012", "0.02"],
        "demand_share": ["0.6", "0.4"]}),
    "demand_history": pd.DataFrame({
        "product_id": ["BEV", "BEV", "SNK"], "region": ["Sudeste", "Sudeste", "Sul"],
        "ds": ["2024-01-01", "2024-01-08", "2024-01-01"], "y": ["100", "120", "30"],
        "promotion": ["false", "true", "false"]}),
    "vehicles": pd.DataFrame({
        "vehicle_type": ["VUC", "VUC"], "capacity": ["450", "450"], "count": ["5", "3"],
        "fixed_cost": ["520", "500"], "cost_per_km": ["2.1", "2"], "cost_per_hour": ["45", "42"],
        "shift_start": ["06:00", "06:00"], "shift_end": ["18:00", "18:00"], "max_duration_h": ["10", "10"],
        "depot_id": ["CD-1", "CD-2"]}),
    "orders": pd.DataFrame({
        "order_id": ["O1", "O2"], "name": ["Loja 1", "Loja 2"], "lat": ["-23.5", "-23.6"],
        "lon": ["-46.6", "-46.7"], "demand": ["50", "80"], "tw_start": ["08:00", "12:00"],
        "tw_end": ["12:00", "17:00"], "service_min": ["10", "15"], "depot_id": ["CD-1", "CD-1"]}),
    "company": pd.DataFrame({"name": ["Alimentos Horizonte"], "country": ["Brazil"], "currency": ["BRL"]}),
}

ODD_VALUES = [
    None, np.nan, "", " ", "nan", "NULL", "0", "-1", "1e30", str(2 ** 63), "9" * 40, "inf", "-inf", "NaN",
    "-23,5475", "198.000", "1.234.567,89", "1,234", "1,234.5", "12 345", "44935", "0.25", "7", "25:00", "08:30:15",
    "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+02:00", "0001-01-01", "9999-12-31", "01/02/2024", "13/02/2024",
    "2024/02/30", "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-x", "Sudeste", "sudeste ", "SUL", "true", "yes",
    "Nordeste", "BRL", "usd", "EURO", "São José", "Ünïcödé “quoted”", "a\nb", "a,b;c\td", "\x07bell", "CD-1", "Z9",
    1.5, 0, -3, 10 ** 20, float("inf"), True, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01", tz="UTC"),
]
TABLES = list(BASE)


@st.composite
def mutated_tables(draw):
    """The base company with a few random mutations."""
    tables = {k: v.copy() for k, v in BASE.items()}
    optional_first = [t for t in TABLES if t not in ("customers", "sites", "products")] + ["products"]
    for name in draw(st.lists(st.sampled_from(optional_first), max_size=3)):
        tables.pop(name, None)
    for _ in range(draw(st.sampled_from([0, 1, 2, 0, 3, 6]))):
        if not tables:
            break
        name = draw(st.sampled_from(sorted(tables)))
        df = tables[name].astype(object)
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_col", "dup_col", "rename_col", "blank_row",
                                     "stray_cell", "extra_col", "truncate", "dup_row"]))
        cols = list(df.columns)
        if kind == "cell" and len(df):
            df.iat[draw(st.integers(0, len(df) - 1)), draw(st.integers(0, len(cols) - 1))] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "drop_col" and cols:
            df = df.drop(columns=[draw(st.sampled_from(cols))])
        elif kind == "dup_col" and cols:
            c = draw(st.sampled_from(cols))
            df = pd.concat([df, df[[c]].rename(columns={c: draw(st.sampled_from([c, c.upper(), " " + c]))})], axis=1)
        elif kind == "rename_col" and cols:
            c = draw(st.sampled_from(cols))
            df = df.rename(columns={c: draw(st.sampled_from([c.upper(), c + "_x", "", "Unnamed: 3", c.title()]))})
        elif kind == "blank_row":
            df = pd.concat([df, pd.DataFrame([[None] * len(cols)], columns=cols)], ignore_index=True)
        elif kind == "stray_cell" and cols:
            row = [None] * len(cols)
            row[draw(st.integers(0, len(cols) - 1))] = draw(st.sampled_from(ODD_VALUES))
            df = pd.concat([df, pd.DataFrame([None] * len(cols), index=cols).T, pd.DataFrame([row], columns=cols)],
                           ignore_index=True)
        elif kind == "extra_col":
            df["notes"] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "truncate":
            df = df.iloc[: draw(st.integers(0, len(df)))]
        elif kind == "dup_row" and len(df):
            df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
        tables[name] = df
    return tables


def _file_name(draw, table: str) -> str:
    """A name for the table's file or sheet: mostly ones that map to it, now and then one that does not."""
    return draw(st.sampled_from([table, table.title(), f"{table} (1)", f"{table}_2025", table.rstrip("s"),
                                 table, table, table, table, table, table, table, table, table + "z"]))


def _csv_bytes(df: pd.DataFrame, sep: str, encoding: str) -> bytes:
    text = df.to_csv(index=False, sep=sep, lineterminator="\n")
    return text.encode(encoding, errors="replace")


def _xlsx_bytes(tables: dict[str, pd.DataFrame], names: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for t, df in tables.items():
            clean = df.map(lambda v: v.tz_localize(None) if isinstance(v, pd.Timestamp) and v.tzinfo else v)
            clean = clean.map(lambda v: v.replace("\x07", "") if isinstance(v, str) else v)
            clean.to_excel(xw, sheet_name=names[t][:31] or "x", index=False)
    return buf.getvalue()


def _check_round_trip(world: World, tmp_path) -> None:
    """A loaded World written to Excel and to CSV loads back as the same World (same content hash)."""
    xlsx = world.to_excel(tmp_path / "w.xlsx")
    again = load_world(xlsx)
    assert again.version == world.version, _diff(world, again)
    folder = world.to_csv(tmp_path / "csv")
    again = load_world(folder)
    assert again.version == world.version, _diff(world, again)
    for name, df in world.tables().items():  # optional tables absent stay absent
        assert len(getattr(again, name)) == len(df)


def _diff(a: World, b: World) -> str:
    out = []
    for name in a.tables():
        x, y = getattr(a, name), getattr(b, name)
        if not x.equals(y):
            out.append(f"{name}:\n{x.head()}\n{y.head()}\n{x.dtypes.to_dict()}\n{y.dtypes.to_dict()}")
    return "\n".join(out)


@settings(max_examples=80, **SETTINGS)
@given(data=st.data(), tables=mutated_tables())
def test_csv_uploads_only_raise_data_error_and_round_trip(data, tables, tmp_path_factory):
    """Mutated tables written as CSV (any encoding and separator) load or raise DataError; what loads round-trips."""
    sep = data.draw(st.sampled_from([",", ";", "\t"]))
    enc = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    files = {f"{_file_name(data.draw, t)}.csv": _csv_bytes(df, sep, enc) for t, df in tables.items()}
    try:
        world = load_files(files)
    except DataError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    _check_round_trip(world, tmp_path_factory.mktemp("rt"))


@settings(max_examples=25, **SETTINGS)
@given(data=st.data(), tables=mutated_tables())
def test_excel_uploads_only_raise_data_error_and_round_trip(data, tables, tmp_path_factory):
    """Mutated tables in one workbook (typed cells: numbers, dates, text) load or raise DataError."""
    names = {t: _file_name(data.draw, t) for t in tables}
    if len(set(n[:31].lower() for n in names.values())) < len(names):
        return
    try:
        world = load_files({"company.xlsx": _xlsx_bytes(tables, names)})
    except DataError:
        return
    _check_round_trip(world, tmp_path_factory.mktemp("rt"))


@settings(max_examples=150, **SETTINGS)
@given(tables=mutated_tables())
def test_dataframes_only_raise_data_error(tables):
    """Tables handed over as DataFrames (World.from_tables) load or raise DataError, never anything else."""
    try:
        World.from_tables(tables)
    except DataError:
        pass


@settings(max_examples=600, **SETTINGS)
@given(name=st.sampled_from(["customers.csv", "sites.csv", "orders.csv", "book.xlsx", "x.txt", "a.pdf"]),
       payload=st.one_of(st.binary(max_size=300),
                         st.text(alphabet=st.sampled_from(list("abc,;\t\n\r\"'0123456789.-:/ é€\x00")), max_size=300)
                         .map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_arbitrary_bytes_only_raise_data_error(name, payload):
    """Any bytes under any file name give a World or a DataError."""
    try:
        load_files({name: payload})
    except DataError:
        pass


def test_the_base_company_loads_and_round_trips(tmp_path):
    """The unmutated base company is valid, and round-trips (the fuzz tests start from it)."""
    world = World.from_tables(BASE)
    assert world.currency == "BRL" and len(world.vehicles) == 2
    _check_round_trip(world, tmp_path)
    partial = World.from_tables({k: BASE[k] for k in ("customers", "sites", "products")})
    assert len(partial.company) == 0 and partial.currency == "USD"
    (tmp_path / "p").mkdir()
    _check_round_trip(partial, tmp_path / "p")
    assert not math.isnan(world.customers.lat.iloc[0])
