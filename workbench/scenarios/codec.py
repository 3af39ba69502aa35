"""Serialise typed results to JSON plus tables, and back to the same types.

A planning result is a frozen dataclass whose fields are DataFrames, numbers, strings, dates,
tuples, dicts and nested dataclasses. :func:`encode` turns any such value into

* a JSON-able *structure* in which every DataFrame or Series is replaced by a reference
  ``{"__t": "table", "ref": "<name>"}``, and
* a dict of *tables*: name -> DataFrame (named after the field path, e.g. ``flows`` or
  ``lanes.by_mode``),

and :func:`decode` rebuilds the value from the two, with the same classes and dtypes. Tables are
stored one by one (:func:`table_to_json` / :func:`table_from_json`) so a store can list them,
export them to Excel, or read one without the rest.

Values are tagged, never pickled, so a scenario saved today opens after an upgrade of the
workbench: fields that a result class no longer has are dropped, fields it gained take their
defaults. Classes are only imported from the ``workbench`` package (a class of another package
must already be imported, else it is rebuilt as an :class:`OpaqueResult` that still shows its
fields). Classes that moved keep their old path in :data:`ALIASES`; a ``workbench`` class that is
neither there nor in an alias raises a :class:`ScenarioError` naming it, rather than opening as
something that cannot be read. Reopening a scenario never imports the view layer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import importlib
import json
import math
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import ScenarioError

__all__ = [
    "encode",
    "decode",
    "encode_value",
    "decode_value",
    "table_to_json",
    "table_from_json",
    "to_jsonable",
    "dumps",
    "loads",
    "OpaqueResult",
    "CODEC_VERSION",
]

CODEC_VERSION = 1
TAG = "__t"
#: packages whose classes may be imported when a stored value is rebuilt
TRUSTED_PACKAGES = ("workbench",)
#: where classes saved under an older path live now (old "module:qualname" -> new)
ALIASES = {
    "widgets.demand_forecasting:SeriesAnalysis": "workbench.forecast.planning:SeriesAnalysis",
    "widgets.demand_forecasting:AllSeriesForecast": "workbench.forecast.planning:AllSeriesForecast",
}
#: packages of our own whose classes must resolve (the view layer saved result types before)
_OWN_PACKAGES = ("workbench", "widgets")


@dataclass(frozen=True)
class OpaqueResult:
    """A stored dataclass whose class can no longer be imported: its name and its fields."""

    type_name: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None


# ---------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------


def encode(value: Any) -> tuple[Any, dict[str, pd.DataFrame]]:
    """``value`` -> (JSON-able structure, {table name: DataFrame})."""
    tables: dict[str, pd.DataFrame] = {}
    struct = _Encoder(tables).enc(value, "")
    return struct, tables


def decode(struct: Any, tables: Mapping[str, pd.DataFrame] | None = None) -> Any:
    """Rebuild the value written by :func:`encode` from its structure and tables."""
    return _decode(struct, tables or {})


def encode_value(value: Any) -> Any:
    """A JSON-able tagged form of a value that holds no DataFrames (inputs, table cells)."""
    tables: dict[str, pd.DataFrame] = {}
    out = _Encoder(tables).enc(value, "")
    if tables:
        raise ScenarioError("this value holds tables where plain values were expected: "
                            + ", ".join(sorted(tables)))
    return out


def decode_value(struct: Any) -> Any:
    return _decode(struct, {})


def dumps(struct: Any) -> str:
    """Strict JSON text (no NaN/Infinity literals, which PostgreSQL and browsers reject)."""
    return json.dumps(struct, allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def to_jsonable(value: Any) -> Any:
    """Plain JSON for display and for the user's inputs: numpy scalars to numbers, dates to ISO text,
    tuples to lists, NaN to None. Not reversible (use :func:`encode_value` for that)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, dt.time)):
        return None if value is pd.NaT else value.isoformat()
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not isinstance(getattr(value, f.name), (pd.DataFrame, pd.Series))}
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if value is pd.NA:
        return None
    return str(value)


# ---------------------------------------------------------------------------------------
# scalar values
# ---------------------------------------------------------------------------------------


def _float(v: float) -> Any:
    if math.isfinite(v):
        return v
    return {TAG: "float", "v": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}


def _class_path(obj_type: type) -> str:
    return f"{obj_type.__module__}:{obj_type.__qualname__}"


def _import_class(path: str) -> type | None:
    """The class stored as ``module:qualname`` (after :data:`ALIASES`). None for a class of a
    foreign package that is not imported; ScenarioError for one of ours that cannot be found."""
    path = ALIASES.get(path, path)
    module_name, _, qualname = path.partition(":")
    package = module_name.split(".")[0]
    ours = package in _OWN_PACKAGES
    module = None
    if package in TRUSTED_PACKAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
    elif not ours:  # a foreign class is used only when the program already imported it
        module = sys.modules.get(module_name)
    obj: Any = module
    for part in qualname.split(".") if module is not None else ():
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if isinstance(obj, type):
        return obj
    if ours:
        raise ScenarioError(
            f"this scenario holds a {qualname} saved from {module_name}, which this version of the workbench "
            "no longer has under that name (it was moved or renamed without an alias). Open it with the version "
            "that saved it, or add the new place of the class to workbench.scenarios.codec.ALIASES.")
    return None


class _Encoder:
    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = tables

    def _table_name(self, path: str) -> str:
        base = path or "table"
        name, i = base, 2
        while name in self.tables:
            name = f"{base}_{i}"
            i += 1
        return name

    def enc(self, v: Any, path: str) -> Any:  # noqa: C901 - one dispatch table
        if v is None or isinstance(v, str):
            return v
        if isinstance(v, bool):
            return v
        if isinstance(v, int) and type(v) is int:
            return v
        if isinstance(v, float) and type(v) is float:
            return _float(v)
        if isinstance(v, pd.DataFrame):
            name = self._table_name(path)
            self.tables[name] = v
            return {TAG: "table", "ref": name}
        if isinstance(v, pd.Series):
            name = self._table_name(path)
            col = v.name if v.name is not None else "value"
            self.tables[name] = v.to_frame(name=col)
            return {TAG: "series", "ref": name, "name": self.enc(v.name, path + ".name")}
        if isinstance(v, np.generic):
            return self._numpy_scalar(v)
        if v is pd.NaT:
            return {TAG: "NaT"}
        if v is pd.NA:
            return {TAG: "NA"}
        if isinstance(v, pd.Timestamp):
            return {TAG: "Timestamp", "v": v.isoformat(), "unit": getattr(v, "unit", "ns")}
        if isinstance(v, pd.Timedelta):
            return {TAG: "Timedelta", "ns": int(v.value), "unit": getattr(v, "unit", "ns")}
        if isinstance(v, pd.Period):
            return {TAG: "Period", "v": str(v), "freq": v.freqstr}
        if isinstance(v, dt.datetime):
            return {TAG: "datetime", "v": v.isoformat()}
        if isinstance(v, dt.date):
            return {TAG: "date", "v": v.isoformat()}
        if isinstance(v, dt.time):
            return {TAG: "time", "v": v.isoformat()}
        if isinstance(v, dt.timedelta):
            return {TAG: "timedelta", "d": v.days, "s": v.seconds, "us": v.microseconds}
        if isinstance(v, enum.Enum):
            return {TAG: "enum", "cls": _class_path(type(v)), "v": self.enc(v.value, path)}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            if isinstance(v, OpaqueResult):
                return {TAG: "dataclass", "cls": v.type_name,
                        "fields": {k: self.enc(x, _join(path, k)) for k, x in v.fields.items()}}
            out = {}
            for f in dataclasses.fields(v):
                out[f.name] = self.enc(getattr(v, f.name), _join(path, f.name))
            return {TAG: "dataclass", "cls": _class_path(type(v)), "fields": out}
        if isinstance(v, tuple):
            if hasattr(v, "_fields"):  # namedtuple
                return {TAG: "namedtuple", "cls": _class_path(type(v)),
                        "fields": {k: self.enc(x, _join(path, k)) for k, x in zip(v._fields, v)}}
            return {TAG: "tuple", "v": [self.enc(x, _join(path, str(i))) for i, x in enumerate(v)]}
        if isinstance(v, list):
            return [self.enc(x, _join(path, str(i))) for i, x in enumerate(v)]
        if isinstance(v, (set, frozenset)):
            items = [self.enc(x, path) for x in sorted(v, key=repr)]
            return {TAG: "frozenset" if isinstance(v, frozenset) else "set", "v": items}
        if isinstance(v, Mapping):
            plain = all(isinstance(k, str) for k in v) and TAG not in v
            if plain:
                return {k: self.enc(x, _join(path, k)) for k, x in v.items()}
            return {TAG: "dict", "items": [[self.enc(k, path), self.enc(x, _join(path, str(k)))]
                                           for k, x in v.items()]}
        if isinstance(v, np.ndarray):
            return self._ndarray(v, path)
        if isinstance(v, int):  # int subclasses (IntEnum handled above)
            return int(v)
        if isinstance(v, float):
            return _float(float(v))
        if isinstance(v, decimal.Decimal):
            return {TAG: "Decimal", "v": str(v)}
        if isinstance(v, complex):
            return {TAG: "complex", "re": _float(v.real), "im": _float(v.imag)}
        if isinstance(v, pathlib.PurePath):
            return {TAG: "path", "v": str(v)}
        if isinstance(v, bytes):
            import base64

            return {TAG: "bytes", "v": base64.b64encode(v).decode("ascii")}
        raise ScenarioError(
            f"cannot store a value of type {type(v).__module__}.{type(v).__qualname__}"
            + (f" at '{path}'" if path else "")
            + ": results may hold DataFrames, numbers, text, dates, tuples, lists, dicts and dataclasses")

    def _numpy_scalar(self, v: np.generic) -> Any:
        if isinstance(v, np.datetime64):
            unit, _ = np.datetime_data(v.dtype)
            return {TAG: "np", "dtype": str(v.dtype), "v": None if np.isnat(v) else int(v.view("i8"))}
        if isinstance(v, np.timedelta64):
            return {TAG: "np", "dtype": str(v.dtype), "v": None if np.isnat(v) else int(v.view("i8"))}
        item = v.item()
        if isinstance(item, float):
            item = _float(item)
        elif isinstance(item, complex):
            item = {TAG: "complex", "re": _float(item.real), "im": _float(item.imag)}
        elif isinstance(item, bytes):
            item = item.decode("latin-1")
        return {TAG: "np", "dtype": v.dtype.str if v.dtype.kind in "SU" else str(v.dtype), "v": item}

    def _ndarray(self, a: np.ndarray, path: str) -> Any:
        if a.dtype.kind in "biuf":
            flat = a.ravel().tolist()
            if a.dtype.kind == "f":
                flat = [_float(x) for x in flat]
            return {TAG: "ndarray", "dtype": str(a.dtype), "shape": list(a.shape), "v": flat}
        if a.dtype.kind in "mM":
            flat = [None if x == np.iinfo("i8").min else int(x) for x in a.view("i8").ravel().tolist()]
            return {TAG: "ndarray", "dtype": str(a.dtype), "shape": list(a.shape), "v": flat}
        if a.dtype.kind == "U":
            return {TAG: "ndarray", "dtype": a.dtype.str, "shape": list(a.shape), "v": a.ravel().tolist()}
        return {TAG: "ndarray", "dtype": "object", "shape": list(a.shape),
                "v": [self.enc(x, path) for x in a.ravel().tolist()]}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unfloat(v: Any) -> Any:
    if isinstance(v, dict) and v.get(TAG) == "float":
        return float(v["v"])
    return v


def _decode(s: Any, tables: Mapping[str, pd.DataFrame]) -> Any:  # noqa: C901 - one dispatch table
    if s is None or isinstance(s, (str, bool, int, float)):
        return s
    if isinstance(s, list):
        return [_decode(x, tables) for x in s]
    if not isinstance(s, dict):
        raise ScenarioError(f"unreadable stored value of type {type(s).__name__}")
    t = s.get(TAG)
    if t is None:
        return {k: _decode(x, tables) for k, x in s.items()}
    if t == "float":
        return float(s["v"])
    if t == "table":
        return _table(tables, s["ref"])
    if t == "series":
        df = _table(tables, s["ref"])
        out = df.iloc[:, 0].copy()
        out.name = _decode(s.get("name"), tables)
        return out
    if t == "np":
        dtype = np.dtype(s["dtype"])
        if dtype.kind in "mM":
            return (np.datetime64("NaT") if dtype.kind == "M" else np.timedelta64("NaT")).astype(dtype) \
                if s["v"] is None else np.array([s["v"]], dtype="i8").view(dtype)[0]
        v = s["v"]
        if isinstance(v, dict):
            v = complex(_unfloat(v["re"]), _unfloat(v["im"])) if v.get(TAG) == "complex" else _unfloat(v)
        return dtype.type(v)
    if t == "NaT":
        return pd.NaT
    if t == "NA":
        return pd.NA
    if t == "Timestamp":
        ts = pd.Timestamp(s["v"])
        unit = s.get("unit")
        return ts.as_unit(unit) if unit and hasattr(ts, "as_unit") else ts
    if t == "Timedelta":
        td = pd.Timedelta(int(s["ns"]), unit="ns")
        unit = s.get("unit")
        return td.as_unit(unit) if unit and hasattr(td, "as_unit") else td
    if t == "Period":
        return pd.Period(s["v"], freq=s["freq"])
    if t == "datetime":
        return dt.datetime.fromisoformat(s["v"])
    if t == "date":
        return dt.date.fromisoformat(s["v"])
    if t == "time":
        return dt.time.fromisoformat(s["v"])
    if t == "timedelta":
        return dt.timedelta(days=s["d"], seconds=s["s"], microseconds=s["us"])
    if t == "tuple":
        return tuple(_decode(x, tables) for x in s["v"])
    if t == "set":
        return {_decode(x, tables) for x in s["v"]}
    if t == "frozenset":
        return frozenset(_decode(x, tables) for x in s["v"])
    if t == "dict":
        return {_hashable(_decode(k, tables)): _decode(v, tables) for k, v in s["items"]}
    if t == "ndarray":
        dtype = np.dtype(s["dtype"])
        shape = tuple(s["shape"])
        if dtype.kind in "mM":
            ints = np.array([np.iinfo("i8").min if x is None else x for x in s["v"]], dtype="i8")
            return ints.view(dtype).reshape(shape)
        if dtype.kind == "O":
            out = np.empty(len(s["v"]), dtype=object)
            for i, x in enumerate(s["v"]):
                out[i] = _decode(x, tables)
            return out.reshape(shape)
        vals = [_unfloat(x) for x in s["v"]] if dtype.kind == "f" else s["v"]
        return np.array(vals, dtype=dtype).reshape(shape)
    if t == "enum":
        cls = _import_class(s["cls"])
        value = _decode(s["v"], tables)
        if cls is None or not issubclass(cls, enum.Enum):
            return value
        try:
            return cls(value)
        except ValueError:
            return value
    if t == "dataclass":
        return _dataclass(s, tables)
    if t == "namedtuple":
        cls = _import_class(s["cls"])
        vals = {k: _decode(x, tables) for k, x in s["fields"].items()}
        if cls is None or not issubclass(cls, tuple):
            return OpaqueResult(s["cls"], vals)
        return cls(**{k: v for k, v in vals.items() if k in cls._fields})
    if t == "Decimal":
        return decimal.Decimal(s["v"])
    if t == "complex":
        return complex(_unfloat(s["re"]), _unfloat(s["im"]))
    if t == "path":
        return pathlib.Path(s["v"])
    if t == "bytes":
        import base64

        return base64.b64decode(s["v"])
    raise ScenarioError(f"unknown stored value tag '{t}': this scenario was written by a newer workbench; "
                        "upgrade the workbench to open it")


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v


def _table(tables: Mapping[str, pd.DataFrame], ref: str) -> pd.DataFrame:
    try:
        return tables[ref]
    except KeyError:
        raise ScenarioError(f"the stored result refers to a table '{ref}' that is missing") from None


def _dataclass(s: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> Any:
    values = {k: _decode(x, tables) for k, x in s["fields"].items()}
    cls = _import_class(s["cls"])
    if cls is None or not dataclasses.is_dataclass(cls):
        return OpaqueResult(s["cls"], values)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    init = {k: v for k, v in values.items() if k in fields and fields[k].init}
    missing = [f.name for f in fields.values() if f.init and f.name not in init
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    obj = None
    if not missing:
        try:
            obj = cls(**init)
        except Exception:  # validation in __post_init__ may reject stored values; restore as stored
            obj = None
    if obj is None:
        obj = cls.__new__(cls)
        for f in fields.values():
            if f.name in values:
                object.__setattr__(obj, f.name, values[f.name])
            elif f.default is not dataclasses.MISSING:
                object.__setattr__(obj, f.name, f.default)
            elif f.default_factory is not dataclasses.MISSING:
                object.__setattr__(obj, f.name, f.default_factory())
            else:
                object.__setattr__(obj, f.name, None)
        return obj
    for name, f in fields.items():  # computed fields (init=False) as stored
        if not f.init and name in values:
            object.__setattr__(obj, name, values[name])
    return obj


# ---------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------

_NAT = np.iinfo("i8").min


def _column_to_json(s: pd.Series) -> dict:
    dtype = s.dtype
    out: dict[str, Any] = {"name": encode_value(s.name), "dtype": str(dtype)}
    if isinstance(dtype, pd.CategoricalDtype):
        cats = pd.Series(dtype.categories)
        out["dtype"] = "category"
        out["categories"] = _column_to_json(cats)
        out["ordered"] = bool(dtype.ordered)
        out["v"] = s.cat.codes.astype("int64").tolist()
        return out
    if isinstance(dtype, pd.DatetimeTZDtype):
        out["tz"] = str(dtype.tz)
        out["unit"] = dtype.unit
        ints = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().view("i8")
        out["v"] = [None if x == _NAT else int(x) for x in ints.tolist()]
        return out
    kind = getattr(dtype, "kind", "O")
    if isinstance(dtype, np.dtype) and kind in "mM":
        out["v"] = [None if x == _NAT else int(x) for x in s.to_numpy().view("i8").tolist()]
        return out
    if isinstance(dtype, np.dtype) and kind == "f":
        out["v"] = [_float(x) for x in s.to_numpy().tolist()]
        return out
    if isinstance(dtype, np.dtype) and kind in "biu":
        out["v"] = s.to_numpy().tolist()
        return out
    if isinstance(dtype, pd.PeriodDtype):
        out["v"] = [None if pd.isna(x) else str(x) for x in s.tolist()]
        return out
    if isinstance(dtype, (pd.StringDtype,)) or (isinstance(dtype, pd.api.extensions.ExtensionDtype)
                                               and kind in "biuf"):
        vals = []
        for x in s.tolist():
            if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
                vals.append(None)
            elif isinstance(x, float):
                vals.append(_float(x))
            else:
                vals.append(x.item() if isinstance(x, np.generic) else x)
        out["v"] = vals
        return out
    if isinstance(dtype, pd.IntervalDtype):
        out["dtype"] = "object"
    out["dtype"] = "object" if isinstance(dtype, np.dtype) or isinstance(dtype, pd.IntervalDtype) else out["dtype"]
    if out["dtype"] != "object":
        raise ScenarioError(f"cannot store a table column of dtype {dtype} (column {s.name!r})")
    out["v"] = [encode_value(x) for x in s.tolist()]
    return out


def _column_from_json(c: Mapping[str, Any]) -> pd.Series:
    dtype = c["dtype"]
    name = decode_value(c["name"])
    vals = c["v"]
    if dtype == "category":
        cats = _column_from_json(c["categories"])
        cat = pd.Categorical.from_codes(np.asarray(vals, dtype="int64"),
                                        categories=pd.Index(cats), ordered=c.get("ordered", False))
        return pd.Series(cat, name=name)
    if "tz" in c:
        ints = np.array([_NAT if x is None else x for x in vals], dtype="i8")
        naive = pd.Series(ints.view(f"M8[{c['unit']}]"), name=name)
        return naive.dt.tz_localize("UTC").dt.tz_convert(c["tz"])
    if dtype == "object":
        arr = np.empty(len(vals), dtype=object)
        for i, x in enumerate(vals):
            arr[i] = decode_value(x)
        return pd.Series(arr, name=name, dtype=object)
    pdt = pd.api.types.pandas_dtype(dtype)
    if isinstance(pdt, np.dtype):
        if pdt.kind in "mM":
            ints = np.array([_NAT if x is None else x for x in vals], dtype="i8")
            return pd.Series(ints.view(pdt), name=name)
        if pdt.kind == "f":
            return pd.Series(np.array([_unfloat(x) for x in vals], dtype=pdt), name=name)
        return pd.Series(np.array(vals, dtype=pdt), name=name)
    if isinstance(pdt, pd.PeriodDtype):
        return pd.Series(pd.PeriodIndex([None if x is None else x for x in vals], freq=pdt.freq), name=name)
    vals = [_unfloat(x) for x in vals]
    return pd.Series(pd.array(vals, dtype=pdt), name=name)


def table_to_json(df: pd.DataFrame) -> str:
    """A DataFrame as strict JSON text: every column with its dtype, the index when it is not 0..n-1."""
    if not isinstance(df, pd.DataFrame):
        raise ScenarioError(f"expected a DataFrame, got {type(df).__name__}")
    if df.columns.duplicated().any():
        dups = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ScenarioError(f"a table has duplicate column names ({', '.join(dups)}); rename them before saving")
    idx = df.index
    payload: dict[str, Any] = {"codec": CODEC_VERSION, "n": int(len(df))}
    if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1:
        payload["index"] = None
    else:
        frame = idx.to_frame(index=False)
        payload["index"] = {"multi": isinstance(idx, pd.MultiIndex),
                            "columns": [_column_to_json(frame.iloc[:, i].rename(n))
                                        for i, n in enumerate(idx.names)]}
        freq = getattr(idx, "freqstr", None)
        if freq and isinstance(idx, (pd.DatetimeIndex, pd.TimedeltaIndex)):
            payload["index"]["freq"] = freq
    payload["columns"] = [_column_to_json(df.iloc[:, i]) for i in range(df.shape[1])]
    if isinstance(df.columns, pd.MultiIndex):
        payload["column_index"] = {"multi": True, "names": [encode_value(n) for n in df.columns.names]}
    elif df.columns.name is not None:
        payload["column_index"] = {"multi": False, "names": [encode_value(df.columns.name)]}
    if df.attrs:
        try:
            payload["attrs"] = encode_value(dict(df.attrs))
        except ScenarioError:
            pass
    return dumps(payload)


def table_from_json(text: str | Mapping[str, Any]) -> pd.DataFrame:
    """The DataFrame written by :func:`table_to_json`, with the same dtypes, index and column names."""
    payload = json.loads(text) if isinstance(text, str) else text
    n = payload["n"]
    cols = [_column_from_json(c) for c in payload["columns"]]
    if cols:
        df = pd.concat([c.reset_index(drop=True) for c in cols], axis=1)
        df.columns = pd.Index([c.name for c in cols], tupleize_cols=False) if not any(
            isinstance(c.name, tuple) for c in cols) else pd.MultiIndex.from_tuples([c.name for c in cols])
    else:
        df = pd.DataFrame(index=pd.RangeIndex(n))
    ci = payload.get("column_index")
    if ci:
        names = [decode_value(x) for x in ci["names"]]
        if ci.get("multi") and isinstance(df.columns, pd.MultiIndex):
            df.columns = df.columns.set_names(names)
        elif not ci.get("multi"):
            df.columns.name = names[0]
    index = payload.get("index")
    if index is not None:
        parts = [_column_from_json(c) for c in index["columns"]]
        if index["multi"]:
            df.index = pd.MultiIndex.from_arrays([p.to_numpy() if not isinstance(p.dtype, pd.api.extensions.ExtensionDtype)
                                                  else p.array for p in parts], names=[p.name for p in parts])
        else:
            df.index = pd.Index(parts[0], name=parts[0].name)
            freq = index.get("freq")
            if freq and isinstance(df.index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
                try:
                    df.index.freq = freq
                except ValueError:  # values no longer conform: keep them without a frequency
                    pass
    if "attrs" in payload:
        df.attrs.update(decode_value(payload["attrs"]))
    return df
