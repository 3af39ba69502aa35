"""The World: every table the planning apps share, validated, in one frozen bundle.

Load one with :func:`load_sample` (the sample company), :func:`load_world` (a folder of CSV
files or one Excel workbook, one sheet per table) or :func:`load_files` (uploaded bytes).
``World.to_excel`` writes the workbook layout that :func:`load_world` reads, so an analyst can
start from the sample as a template.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import DataError, Problem
from .excel import text_not_formulas
from .schema import SCHEMAS, data_dictionary_markdown
from .validate import channel_roles, empty_table, format_time, validate_tables

__all__ = ["World", "load_world", "load_sample", "load_files", "SAMPLE_DIR", "SAMPLES", "TABLES",
           "DEFAULT_CURRENCY", "table_for_file"]

DEFAULT_CURRENCY = "USD"

TABLES = tuple(SCHEMAS)
SAMPLE_DIR = Path(os.environ.get("WORKBENCH_SAMPLE_DIR", Path(__file__).resolve().parent.parent / "data" / "sample"))
SAMPLES = {"us": SAMPLE_DIR, "brazil": SAMPLE_DIR.parent / "sample_brazil"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True, eq=False)
class World:
    """The shared data model: one validated DataFrame per table (see ``data/README.md``)."""

    customers: pd.DataFrame
    sites: pd.DataFrame
    plants: pd.DataFrame
    products: pd.DataFrame
    demand_history: pd.DataFrame
    outlets: pd.DataFrame
    vehicles: pd.DataFrame
    orders: pd.DataFrame
    channels: pd.DataFrame = field(default_factory=lambda: empty_table(SCHEMAS["channels"]))
    company: pd.DataFrame = field(default_factory=lambda: empty_table(SCHEMAS["company"]))
    channel_sales: pd.DataFrame = field(default_factory=lambda: empty_table(SCHEMAS["channel_sales"]))
    source: str = "in memory"
    version: str = field(default="", compare=False)

    def __post_init__(self):
        if not self.version:
            object.__setattr__(self, "version", _content_hash(self.tables()))

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame], *, source: str = "in memory",
                    sources: Mapping[str, str] | None = None) -> "World":
        """Validate raw or typed tables and bundle them. Raises DataError listing every problem."""
        clean = validate_tables(tables, sources, context=f"The data in {source} could not be loaded")
        return cls(**clean, source=source)

    def replace(self, **tables: pd.DataFrame) -> "World":
        """A new World with some tables replaced; the whole World is validated again."""
        merged = {**self.tables(), **tables}
        return World.from_tables(merged, source=self.source + " (edited)")

    # -- views -------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

    def present_tables(self) -> dict[str, pd.DataFrame]:
        """The tables the data brings: required ones, and optional ones with at least one row."""
        return {name: df for name, df in self.tables().items() if SCHEMAS[name].required or len(df)}

    @property
    def currency(self) -> str:
        """ISO 4217 code of every money column (the ``company`` table; USD when it is absent)."""
        return str(self.company["currency"].iloc[0]) if len(self.company) else DEFAULT_CURRENCY

    @property
    def company_name(self) -> str:
        return str(self.company["name"].iloc[0]) if len(self.company) else ""

    @property
    def regions(self) -> list[str]:
        """The company's sales regions (from the customers table), sorted."""
        return sorted(set(self.customers["region"].dropna()))

    @property
    def channel_roles(self) -> dict[str, str]:
        """Each channel of the outlets table (the company's own names, in order of first use) and
        its economic role (``retailer``, ``wholesaler``, ``distributor`` or ``ecommerce``): from
        the ``channels`` table, or from the name when it names a role."""
        roles, _ = channel_roles(self.outlets, self.channels)
        return roles

    def summary(self) -> dict[str, float]:
        """Headline numbers of the World (the Home app's KPI cards); ``outlets_<role>`` counts the
        outlets of each economic role."""
        outlets = self.outlets
        roles = self.channel_roles
        by_channel = (outlets["channel"].map(roles).value_counts() if len(outlets) else pd.Series(dtype=int))
        out = {
            "customers": float(len(self.customers)),
            "annual_demand": float(self.customers["annual_demand"].sum()),
            "population": float(self.customers["population"].sum()),
            "candidate_sites": float(len(self.sites)),
            "existing_sites": float(self.sites["existing"].sum()),
            "site_capacity": float(self.sites["capacity"].sum()),
            "plants": float(len(self.plants)),
            "products": float(len(self.products)),
            "history_weeks": float(self.demand_history["ds"].nunique()) if len(self.demand_history) else 0.0,
            "outlets": float(len(outlets)),
            "vehicles": float(self.vehicles["count"].sum()) if len(self.vehicles) else 0.0,
            "vehicle_types": float(len(self.vehicles)),
            "orders": float(len(self.orders)),
        }
        for ch in ("wholesaler", "retailer", "distributor", "ecommerce"):
            out[f"outlets_{ch}"] = float(by_channel.get(ch, 0))
        return out

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(getattr(self, n))}" for n in TABLES)
        return f"World({sizes}, source={self.source!r}, version={self.version[:10]})"

    # -- writing -----------------------------------------------------------------------
    def to_excel(self, path: str | os.PathLike) -> Path:
        """Write one sheet per table (plus a ``_dictionary`` sheet the loader ignores).

        The file is written to a temporary name and moved into place, so a failure never
        leaves a half-written workbook behind.
        """
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for name, df in self.present_tables().items():
                    _for_file(name, df).to_excel(xw, sheet_name=name, index=False)
                _dictionary_frame().to_excel(xw, sheet_name="_dictionary", index=False)
                text_not_formulas(xw.book)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path

    def to_csv(self, folder: str | os.PathLike) -> Path:
        """Write one ``<table>.csv`` per table the data brings (UTF-8) into ``folder``.

        Optional tables without rows are not written (and stale files of them are removed), so
        the folder loads back as the same World.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        present = self.present_tables()
        for name in TABLES:
            if name not in present and (folder / f"{name}.csv").exists():
                (folder / f"{name}.csv").unlink()
        for name, df in present.items():
            _for_file(name, df).to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        return folder


def _for_file(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A table as it is written to a file: times as HH:MM, dates as YYYY-MM-DD."""
    out = df.copy()
    for col in SCHEMAS[name].columns:
        if col.name not in out:
            continue
        if col.kind == "time":
            out[col.name] = out[col.name].map(lambda v: "" if pd.isna(v) else format_time(v))
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name]).dt.strftime("%Y-%m-%d")
    return out


def _dictionary_frame() -> pd.DataFrame:
    rows = []
    for s in SCHEMAS.values():
        for c in s.columns:
            rows.append({"table": s.name, "column": c.name, "unit": c.unit, "meaning": c.description,
                         "required": "yes" if c.required else "no", "rules": c.bounds_text()})
    return pd.DataFrame(rows)


# the tables of the first schema: their columns always enter the version (saved scenarios name it)
_FIRST_TABLES = ("customers", "sites", "plants", "products", "demand_history", "outlets", "vehicles", "orders")


def _content_hash(tables: Mapping[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in TABLES:
        df = tables[name]
        if name not in _FIRST_TABLES and not len(df):
            continue  # a table added to the schema later leaves the version of a World without it unchanged
        h.update(name.encode())
        h.update(",".join(map(str, df.columns)).encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# reading files
# ---------------------------------------------------------------------------------------
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read with: a BOM, UTF-16, UTF-8, else Windows-1252.

    Windows-1252 is tried before Latin-1 because it is what spreadsheets on Windows write
    (curly quotes, the euro sign); Latin-1 reads the few bytes 1252 leaves undefined.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc), enc
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:  # UTF-16 without a BOM
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _separator(text: str) -> str:
    """The field separator, read from the header line: the most frequent of , ; tab |."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def _read_csv_bytes(data: bytes, source: str) -> pd.DataFrame:
    """All cells as text, the header as written (pandas would rename a repeated 'lat' to 'lat.1')."""
    text, _ = _decode(data)
    text = text.replace("\x00", "")
    if not text.strip():
        return pd.DataFrame()
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), skipinitialspace=True)]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        return pd.DataFrame()
    header, body = rows[0], rows[1:]
    width = len(header)
    long_rows = [i + 2 for i, r in enumerate(body) if len(r) > width and any(c.strip() for c in r[width:])]
    if long_rows:
        shown = ", ".join(map(str, long_rows[:5])) + (f" and {len(long_rows) - 5} more" if len(long_rows) > 5 else "")
        raise DataError([Problem(f"row{'s' if len(long_rows) > 1 else ''} {shown} ha{'ve' if len(long_rows) > 1 else 's'} "
                                 f"more cells than the header ({width} columns)",
                                 "remove the extra cells, or quote text that holds the separator", source=source)],
                        context=f"{source} could not be read")
    cells = np.array([(r + [""] * (width - len(r)))[:width] for r in body], dtype=object).reshape(len(body), width)
    df = pd.DataFrame(cells, dtype=object)  # dtype=object: no per-column type guessing
    df.columns = header
    return df


def _header_from_first_row(df: pd.DataFrame) -> pd.DataFrame:
    """The first row as the header, as written: pandas would rename a repeated 'lat' to 'lat.1'."""
    if df.empty:
        return pd.DataFrame()
    out = df.iloc[1:].reset_index(drop=True)
    out.columns = ["" if v is None or (isinstance(v, float) and v != v) else v for v in df.iloc[0].tolist()]
    return out


_COPY = re.compile(r"\s*\(\d+\)$|\s*-\s*copy$|\s*copy(\s*\d+)?$", re.IGNORECASE)
_TRAIL = re.compile(r"[_\s.-]*(\d[\d_.-]*|v\d+|final|latest|export|new|old)$", re.IGNORECASE)
_LEAD = re.compile(r"^(\d[\d_.-]*|export|my|our|the)[_\s.-]+", re.IGNORECASE)
_ALIASES = {"customer": "customers", "site": "sites", "dc": "sites", "dcs": "sites", "plant": "plants",
            "product": "products", "history": "demand_history", "demand": "demand_history",
            "outlet": "outlets", "vehicle": "vehicles", "fleet": "vehicles", "order": "orders",
            "settings": "company", "setting": "company", "channel": "channels", "channel_roles": "channels"}


def table_for_file(name: str) -> str:
    """The table a file or sheet name stands for, tolerant of copies, dates and case.

    ``customers (1).csv``, ``Customers_2025.csv``, ``customer.csv`` and ``Demand History.csv``
    all map to their table; a name that maps to none is returned normalised (and then reported
    as an unknown table).
    """
    stem = name.strip()
    for _ in range(3):
        stem = _COPY.sub("", stem).strip()
        stem = _TRAIL.sub("", stem).strip()
    stem = _LEAD.sub("", stem).strip()
    key = re.sub(r"[\s.-]+", "_", stem.lower()).strip("_")
    if key in SCHEMAS:
        return key
    return _ALIASES.get(key, key) if key else name.strip().lower()


def _read_one(name: str, data: bytes) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read one file (CSV: one table named by the file; Excel: one table per sheet)."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object, engine="openpyxl", header=None)
            sheets = {sheet: _header_from_first_row(df) for sheet, df in sheets.items()}
            tables: dict[str, pd.DataFrame] = {}
            srcs: dict[str, str] = {}
            for sheet, df in sheets.items():
                if str(sheet).startswith("_"):
                    continue
                t = table_for_file(str(sheet))
                if t in tables:
                    raise DataError([Problem(f"two sheets hold the table '{t}' ('{srcs[t]}' and '{sheet}')",
                                             "keep one sheet per table", source=name)],
                                    context=f"{name} could not be loaded")
                tables[t] = df
                srcs[t] = f"{name}, sheet '{sheet}'"
            return tables, srcs
        if suffix in (".csv", ".txt", ".tsv"):
            t = table_for_file(Path(name).stem)
            return {t: _read_csv_bytes(data, name)}, {t: name}
    except DataError:
        raise
    except Exception as exc:  # any reader failure is the user's file, not our bug
        raise DataError([Problem(f"the file could not be read ({type(exc).__name__}: {_short(exc)})",
                                 "save it as CSV (UTF-8) or as an Excel .xlsx workbook and try again",
                                 source=name)], context=f"{name} is unreadable") from None
    raise DataError([Problem(f"unsupported file type '{suffix or name}'",
                             "use .csv files (one per table, named like 'customers.csv') or one .xlsx workbook",
                             source=name)], context=f"{name} is unreadable")


def _short(exc: Exception) -> str:
    text = str(exc).encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= 200 else text[:200] + "..."


def load_files(files: Mapping[str, bytes], *, base: World | None = None) -> World:
    """A World from uploaded files (file name -> bytes): one company's data.

    Tables the files do not bring are absent (optional ones empty; required ones a problem),
    never taken from another World. With ``base``, the uploaded tables replace the base World's
    tables of the same name and the rest is kept (an analyst's explicit choice, e.g. to try a
    new customer list on the sample). File and sheet names are matched tolerantly
    (:func:`table_for_file`); two files for one table, and files for no table, are problems.
    """
    raw: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for name, data in files.items():
        tables, srcs = _read_one(name, data)
        for t, df in tables.items():
            if t in raw:
                problems.append(Problem(f"two files hold the table '{t}' ({sources[t]} and {srcs[t]})",
                                        "upload one file per table", source=srcs[t], table=t))
                continue
            raw[t] = df
            sources[t] = srcs[t]
    label = ", ".join(files) or "no files"
    if problems:
        raise DataError(problems, context=f"The data in {label} could not be loaded")
    if base is not None:
        raw = {**base.present_tables(), **raw}
    clean = validate_tables(raw, sources, context=f"The data in {label} could not be loaded")
    return World(**clean, source=label)


def load_world(path: str | os.PathLike, *, base: World | None = None) -> World:
    """Load a World from a folder of ``<table>.csv`` files or from one Excel workbook.

    Raises :class:`~workbench.DataError` listing every problem (file or sheet, row, column,
    value and fix); nothing is loaded unless everything is valid.
    """
    path = Path(path)
    if not path.exists():
        raise DataError([Problem("no such file or folder", "check the path", source=str(path))],
                        context=f"{path} was not found")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv",) and not p.name.startswith("."))
        if not files:
            raise DataError([Problem("the folder has no .csv files",
                                     "put one CSV per table in it, named like customers.csv, sites.csv",
                                     source=str(path))], context=f"{path} has no data")
        payload = {}
        for p in files:
            try:
                payload[p.name] = p.read_bytes()
            except OSError as exc:
                raise DataError([Problem(f"the file could not be read ({exc})", "check its permissions",
                                         source=str(p))], context=f"{p} is unreadable") from None
        world = load_files(payload, base=base)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError([Problem(f"the file could not be read ({exc})", "check its permissions",
                                     source=str(path))], context=f"{path} is unreadable") from None
        world = load_files({path.name: data}, base=base)
    object.__setattr__(world, "source", str(path))
    return world


@lru_cache(maxsize=4)
def _sample_tables(name: str) -> tuple[dict[str, pd.DataFrame], str]:
    world = load_world(SAMPLES[name])
    return world.tables(), world.version


def load_sample(name: str = "us") -> World:
    """A sample company by name; each call returns fresh copies.

    ``"us"`` (the default, ``data/sample/``): a US consumer-goods maker in USD.
    ``"brazil"`` (``data/sample_brazil/``): a smaller Brazilian company with its own regions
    (Sudeste, Sul, ...), states (SP, RJ, ...) and currency (BRL).
    """
    if name not in SAMPLES:
        raise DataError([Problem(f"no sample called {name!r}", "use one of: " + ", ".join(SAMPLES))],
                        context="Unknown sample")
    tables, version = _sample_tables(name)
    source = "sample" if name == "us" else f"sample ({name})"
    return World(**{k: v.copy() for k, v in tables.items()}, source=source, version=version)


def data_dictionary() -> str:
    """The data dictionary as Markdown (also in ``data/README.md``)."""
    return data_dictionary_markdown()
