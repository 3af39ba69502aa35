"""The World: every table the planning apps share, validated, in one frozen bundle.

Load one with :func:`load_sample` (the sample company), :func:`load_world` (a folder of CSV
files or one Excel workbook, one sheet per table) or :func:`load_files` (uploaded bytes).
``World.to_excel`` writes the workbook layout that :func:`load_world` reads, so an analyst can
start from the sample as a template.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import pandas as pd

from .errors import DataError, Problem
from .schema import SCHEMAS, data_dictionary_markdown
from .validate import empty_table, format_time, validate_tables

__all__ = ["World", "load_world", "load_sample", "load_files", "SAMPLE_DIR", "TABLES"]

TABLES = tuple(SCHEMAS)
SAMPLE_DIR = Path(os.environ.get("WORKBENCH_SAMPLE_DIR", Path(__file__).resolve().parent.parent / "data" / "sample"))
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

    def summary(self) -> dict[str, float]:
        """Headline numbers of the World (the Home app's KPI cards)."""
        outlets = self.outlets
        by_channel = outlets.groupby("channel").size() if len(outlets) else pd.Series(dtype=int)
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
                for name, df in self.tables().items():
                    if df.empty and not SCHEMAS[name].required:
                        continue  # an optional table without rows is not a sheet the loaders accept
                    _for_file(name, df).to_excel(xw, sheet_name=name, index=False)
                _dictionary_frame().to_excel(xw, sheet_name="_dictionary", index=False)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path

    def to_csv(self, folder: str | os.PathLike) -> Path:
        """Write one ``<table>.csv`` per table into ``folder`` (optional tables without rows are left
        out: a file with only a header is not a table the loaders accept)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables().items():
            if df.empty and not SCHEMAS[name].required:
                continue
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


def _content_hash(tables: Mapping[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in TABLES:
        df = tables[name]
        h.update(name.encode())
        h.update(",".join(map(str, df.columns)).encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# reading files
# ---------------------------------------------------------------------------------------
def _read_csv_bytes(data: bytes, source: str) -> pd.DataFrame:
    for enc in ("utf-8-sig", "latin-1"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    sep = ";" if text[:2000].count(";") > text[:2000].count(",") else ","
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, skipinitialspace=True)


def _read_one(name: str, data: bytes) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read one file (CSV: one table named by the file; Excel: one table per sheet)."""
    suffix = Path(name).suffix.lower()
    stem = Path(name).stem.strip().lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object, engine="openpyxl")
            tables = {s.strip().lower(): df for s, df in sheets.items() if not s.startswith("_")}
            return tables, {t: f"{name}, sheet '{t}'" for t in tables}
        if suffix in (".csv", ".txt"):
            return {stem: _read_csv_bytes(data, name)}, {stem: name}
    except Exception as exc:  # any reader failure is the user's file, not our bug
        raise DataError([Problem(f"the file could not be read ({type(exc).__name__}: {exc})",
                                 "save it as CSV (UTF-8) or as an Excel .xlsx workbook and try again",
                                 source=name)], context=f"{name} is unreadable") from None
    raise DataError([Problem(f"unsupported file type '{suffix or name}'",
                             "use .csv files (one per table, named like 'customers.csv') or one .xlsx workbook",
                             source=name)], context=f"{name} is unreadable")


def load_files(files: Mapping[str, bytes], *, base: World | None = None) -> World:
    """A World from uploaded files (file name -> bytes).

    With ``base``, the uploaded tables replace the base World's tables of the same name and the
    rest is kept, so a user can bring just their own customers.
    """
    raw: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for name, data in files.items():
        tables, srcs = _read_one(name, data)
        raw.update(tables)
        sources.update(srcs)
    if base is not None:
        kept = {k: v for k, v in base.tables().items() if len(v) or SCHEMAS[k].required}  # empty optional: absent
        raw = {**kept, **raw}
    label = ", ".join(files) or "no files"
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


@lru_cache(maxsize=1)
def _sample_tables() -> tuple[dict[str, pd.DataFrame], str]:
    world = load_world(SAMPLE_DIR)
    return world.tables(), world.version


def load_sample() -> World:
    """The sample company (``data/sample/``): a US consumer-goods maker. Each call returns fresh copies."""
    tables, version = _sample_tables()
    return World(**{k: v.copy() for k, v in tables.items()}, source="sample", version=version)


def data_dictionary() -> str:
    """The data dictionary as Markdown (also in ``data/README.md``)."""
    return data_dictionary_markdown()
