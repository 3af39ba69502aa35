"""Long-frame validation, frequency inference and the events calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError
from workbench.forecast import Forecaster, black_friday, calendar_events, infer_frequency, validate_history
from workbench.forecast.data import series_from_history


def weekly(n=20, uid="BEV|West", start="2024-01-01", level=100.0):
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=n, freq="W-MON"),
                         "y": level + np.arange(n, dtype=float)})


def test_frequency_is_inferred_from_the_dates():
    """Weekly, monthly, quarterly, daily and integer periods give the right season length."""
    assert infer_frequency(weekly()["ds"]).season_length == 52
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=10, freq="MS"))).season_length == 12
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=10, freq="QS"))).season_length == 4
    assert infer_frequency(pd.Series(pd.date_range("2020-01-01", periods=10, freq="D"))).season_length == 7
    info = infer_frequency(pd.Series(np.arange(1, 11)))
    assert info.freq is None and info.season_length == 1


def test_black_friday_and_cyber_monday_weeks():
    """Black Friday 2023-11-24, 2024-11-29, 2025-11-28; Monday weeks flag BF, then CM the week after."""
    assert black_friday(2023) == dt.date(2023, 11, 24)
    assert black_friday(2024) == dt.date(2024, 11, 29)
    assert black_friday(2025) == dt.date(2025, 11, 28)
    ds = pd.Series(pd.date_range("2024-11-18", periods=4, freq="W-MON"))   # 18, 25 Nov, 2, 9 Dec
    ev = calendar_events(ds, infer_frequency(ds))
    assert ev["black_friday"].tolist() == [0, 1, 0, 0]
    assert ev["cyber_monday"].tolist() == [0, 0, 1, 0]
    assert ev["december"].tolist() == [0, 0, 1, 1]
    months = pd.Series(pd.date_range("2024-10-01", periods=3, freq="MS"))
    evm = calendar_events(months, infer_frequency(months))
    assert evm["black_friday"].tolist() == [0, 1, 0] and evm["december"].tolist() == [0, 0, 1]


def test_gaps_are_reported_with_the_missing_dates_and_fix():
    """A missing week names the series, the first missing date and how to fill it."""
    df = weekly(20).drop(index=[5, 6]).reset_index(drop=True)
    with pytest.raises(DataError, match=r"series 'BEV\|West' has 2 missing weekly period\(s\): 2024-02-05, 2024-02-12") as e:
        validate_history(df)
    assert "y = 0" in e.value.problems[0].fix


def test_duplicates_negative_and_nan_are_all_reported_with_rows():
    """Every bad row is reported at once with its spreadsheet row number (header = row 1), column and value."""
    df = pd.concat([weekly(10), weekly(10, uid="SNK|West")], ignore_index=True)
    df.loc[3, "y"] = -5.0
    df.loc[12, "y"] = np.nan
    with pytest.raises(DataError) as e:
        validate_history(df)
    text = "\n".join(e.value.messages)
    assert "row 5, column 'y': demand of series 'BEV|West' is negative (value: -5.0)" in text
    assert "row 14, column 'y': demand of series 'SNK|West' is missing" in text
    dup = pd.concat([weekly(10), weekly(10).iloc[[4]]], ignore_index=True)
    with pytest.raises(DataError, match=r"row 12, column 'ds': series 'BEV\|West' has a second row for the same "
                                        r"period \(value: '2024-01-29'\)"):
        validate_history(dup)


def test_too_short_history_says_how_many_are_needed():
    """A series shorter than the minimum is named with its length and the fix."""
    df = pd.concat([weekly(20), weekly(3, uid="DSP|West")], ignore_index=True)
    with pytest.raises(DataError, match=r"series 'DSP\|West' has 3 period\(s\) of history; at least 4 are needed"):
        Forecaster().fit(df)


def test_missing_columns_and_unknown_method():
    """Missing columns and an unknown method are DataErrors with the fix."""
    with pytest.raises(DataError, match="column 'y' is missing"):
        validate_history(weekly().drop(columns="y"))
    with pytest.raises(DataError, match="unknown forecasting method 'prophet'"):
        Forecaster(models=["prophet"])


def test_integer_periods_with_gaps():
    """Undated series (ds = 1..n) must be consecutive too."""
    df = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3, 5, 6], "y": [1.0, 2, 3, 4, 5]})
    with pytest.raises(DataError, match="jumps from period 3 to 5"):
        validate_history(df)


def test_world_history_becomes_series_with_hierarchy_columns():
    """product_id and region make unique_id 'product|region' and are kept."""
    h = pd.DataFrame({"product_id": ["BEV", "BEV"], "region": ["West", "West"],
                      "ds": pd.to_datetime(["2024-01-01", "2024-01-08"]), "y": [1.0, 2.0]})
    s = series_from_history(h)
    assert s["unique_id"].tolist() == ["BEV|West", "BEV|West"]
    assert {"product_id", "region"} <= set(s.columns)
