"""The result codec: any frozen result dataclass to JSON + tables and back, with the same types."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from workbench.scenarios import ScenarioError, codec
from workbench.scenarios.codec import OpaqueResult


class Mode(enum.Enum):
    TRUCK = "truck"
    RAIL = "rail"


class Lane(NamedTuple):
    origin: str
    dest: str
    km: float


@dataclasses.dataclass(frozen=True)
class Breakdown:
    transport: float
    facilities: float
    by_site: pd.DataFrame


@dataclasses.dataclass(frozen=True)
class PlanResult:
    flows: pd.DataFrame
    total_cost: float
    open_sites: tuple[str, ...]
    n_open: np.int64
    share: np.float32
    solved_on: dt.date
    solved_at: pd.Timestamp
    breakdown: Breakdown
    by_region: dict
    weekly: pd.Series
    mode: Mode
    lanes: tuple[Lane, ...]
    matrix: np.ndarray
    extra: dict = dataclasses.field(default_factory=dict)
    status: str = dataclasses.field(default="optimal", init=False)

    def kpis(self) -> dict[str, float]:
        return {"total_cost": self.total_cost, "open_sites": float(self.n_open)}


def every_dtype_frame() -> pd.DataFrame:
    """A table with one column of every dtype a result table may carry, missing values included."""
    return pd.DataFrame({
        "int": np.array([1, 2, 3], dtype="int64"),
        "int32": np.array([1, -2, 3], dtype="int32"),
        "uint8": np.array([1, 2, 255], dtype="uint8"),
        "float": [1.5, np.nan, np.inf],
        "float32": np.array([0.1, 0.2, -np.inf], dtype="float32"),
        "text": pd.Series(["a", None, "ünïcode ✓"], dtype="str"),
        "object": [("tuple", 1), {"k": [1, 2]}, dt.date(2024, 2, 29)],
        "bool": [True, False, True],
        "date": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
        "date_ns": pd.to_datetime(["2024-01-01 10:00:00.000000001", "2024-01-02 00:00:00.000000000", None]).astype("datetime64[ns]"),
        "tz": pd.to_datetime(["2024-01-01 08:00", "2024-06-01 09:30", None]).tz_localize("US/Eastern"),
        "delta": pd.to_timedelta([1.5, None, 30], unit="h"),
        "cat": pd.Categorical(["x", "y", "x"], categories=["y", "x", "z"], ordered=True),
        "Int64": pd.array([1, None, 3], dtype="Int64"),
        "Float64": pd.array([1.25, None, 3.0], dtype="Float64"),
        "boolean": pd.array([True, None, False], dtype="boolean"),
        "period": pd.period_range("2024-01", periods=3, freq="M"),
        7: [10, 20, 30],
    })


def sample_result() -> PlanResult:
    flows = every_dtype_frame()
    return PlanResult(
        flows=flows,
        total_cost=1_234_567.891,
        open_sites=("DC-1", "DC-7"),
        n_open=np.int64(2),
        share=np.float32(0.25),
        solved_on=dt.date(2026, 11, 22),
        solved_at=pd.Timestamp("2026-11-22 02:00:00", tz="UTC"),
        breakdown=Breakdown(1.0, 2.0, pd.DataFrame({"site_id": ["DC-1", "DC-7"], "cost": [1.0, 2.0]}).set_index("site_id")),
        by_region={"West": 1.0, "East": float("nan"), ("tuple", "key"): [1, 2], 3: None},
        weekly=pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="W-MON"), name="units"),
        mode=Mode.RAIL,
        lanes=(Lane("DC-1", "C-9", 12.5), Lane("DC-7", "C-3", float("inf"))),
        matrix=np.arange(6, dtype="float64").reshape(2, 3),
        extra={"__t": "not a tag", "nested": {"deep": np.int16(3)}},
    )


def roundtrip(value):
    struct, tables = codec.encode(value)
    text = codec.dumps(struct)                       # strict JSON: no NaN literals
    stored = {k: codec.table_to_json(v) for k, v in tables.items()}
    for t in stored.values():
        json.loads(t, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    return codec.decode(json.loads(text), {k: codec.table_from_json(v) for k, v in stored.items()})


def test_table_roundtrip_keeps_every_dtype_and_missing_value():
    """Every column dtype, NaN/NaT/NA/inf and a non-string column name survive the JSON table format."""
    df = every_dtype_frame()
    back = codec.table_from_json(codec.table_to_json(df))
    pd.testing.assert_frame_equal(back, df)
    assert list(back.dtypes.astype(str)) == list(df.dtypes.astype(str))


def test_table_roundtrip_keeps_index_and_multiindex():
    """A named index, a MultiIndex and a named column index come back as they were."""
    df = pd.DataFrame({"region": ["W", "W", "E"], "week": [1, 2, 1], "y": [1.0, 2.0, 3.0]})
    for frame in (df.set_index("region"), df.set_index(["region", "week"]), df.rename_axis(columns="field"),
                  df.iloc[[2, 0]], df.iloc[0:0]):
        pd.testing.assert_frame_equal(codec.table_from_json(codec.table_to_json(frame)), frame)


def test_result_roundtrip_same_type_and_values():
    """A frozen result with tables, nested dataclasses, numpy scalars, dates, tuples and dicts returns as the same type."""
    r = sample_result()
    back = roundtrip(r)
    assert type(back) is PlanResult
    pd.testing.assert_frame_equal(back.flows, r.flows)
    pd.testing.assert_frame_equal(back.breakdown.by_site, r.breakdown.by_site)
    pd.testing.assert_series_equal(back.weekly, r.weekly)
    assert back.total_cost == r.total_cost
    assert back.open_sites == ("DC-1", "DC-7") and isinstance(back.open_sites, tuple)
    assert type(back.n_open) is np.int64 and back.n_open == 2
    assert type(back.share) is np.float32 and back.share == np.float32(0.25)
    assert back.solved_on == dt.date(2026, 11, 22) and type(back.solved_on) is dt.date
    assert back.solved_at == r.solved_at and str(back.solved_at.tz) == "UTC"
    assert back.mode is Mode.RAIL
    assert back.lanes == r.lanes and type(back.lanes[0]) is Lane
    assert back.by_region["West"] == 1.0 and np.isnan(back.by_region["East"])
    assert back.by_region[("tuple", "key")] == [1, 2] and back.by_region[3] is None
    np.testing.assert_array_equal(back.matrix, r.matrix)
    assert back.matrix.dtype == np.float64 and back.matrix.shape == (2, 3)
    assert back.extra == {"__t": "not a tag", "nested": {"deep": np.int16(3)}}
    assert type(back.extra["nested"]["deep"]) is np.int16
    assert back.status == "optimal"
    assert back.kpis() == r.kpis()


def test_tables_are_named_after_field_paths():
    """Each DataFrame of a result becomes one named table, so a store and an export can list them."""
    _, tables = codec.encode(sample_result())
    assert set(tables) == {"flows", "breakdown.by_site", "weekly"}


def test_decoding_tolerates_fields_added_and_removed_since_saving():
    """A result saved before a field was added (or after one was removed) still opens: defaults fill in, extras drop."""
    struct, tables = codec.encode(Breakdown(1.0, 2.0, pd.DataFrame({"a": [1]})))
    struct["fields"]["gone_field"] = 5
    back = codec.decode(struct, tables)
    assert type(back) is Breakdown and back.transport == 1.0
    assert not hasattr(back, "gone_field")


def test_unknown_class_becomes_opaque_result_not_an_import():
    """A class outside the workbench that is not imported is never imported from stored text."""
    struct = {"__t": "dataclass", "cls": "some_untrusted_module:Evil", "fields": {"x": 1}}
    back = codec.decode(struct, {})
    assert isinstance(back, OpaqueResult)
    assert back.type_name == "some_untrusted_module:Evil" and back.x == 1


def test_unstorable_value_names_the_field():
    """A value the codec cannot store raises ScenarioError naming where it is."""

    @dataclasses.dataclass(frozen=True)
    class Bad:
        handle: object

    with pytest.raises(ScenarioError, match=r"cannot store a value of type builtins.object at 'handle'"):
        codec.encode(Bad(object()))


def test_duplicate_column_names_are_refused_with_a_fix():
    """A table with two columns of the same name cannot be stored unambiguously."""
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ScenarioError, match="duplicate column names \\(a\\)"):
        codec.table_to_json(df)


def test_newer_tag_gives_upgrade_message():
    """A value written by a newer workbench says to upgrade instead of failing obscurely."""
    with pytest.raises(ScenarioError, match="newer workbench"):
        codec.decode({"__t": "hologram", "v": 1}, {})
