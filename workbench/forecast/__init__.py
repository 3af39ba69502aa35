"""Demand forecasting: long frames in, forecasts with intervals, backtests and hierarchies out.

    >>> from workbench.forecast import Forecaster, backtest
    >>> fc = Forecaster(models="auto", level=(80, 95)).fit(df)     # df: unique_id, ds, y
    >>> fc.predict(h=13)        # unique_id, ds, model, yhat, lo-80, hi-80, lo-95, hi-95

See ``docs/demand_forecasting.md``.
"""

from .auto import AUTO_CANDIDATES, INTERMITTENT_CANDIDATES, Forecaster, ForecastResult
from .data import (CALENDAR_EVENTS, FrequencyInfo, black_friday, calendar_events, infer_frequency,
                   series_from_history, validate_history)
from .backtest import BacktestResult, backtest
from .hierarchy import HierarchyForecast, aggregate, bottom_up, historical_shares, top_down
from .pipeline import COMBINATION, METHODS, forecast_methods, forecast_series, is_intermittent

__all__ = [
    "AUTO_CANDIDATES", "INTERMITTENT_CANDIDATES", "Forecaster", "ForecastResult",
    "CALENDAR_EVENTS", "FrequencyInfo", "black_friday", "calendar_events", "infer_frequency",
    "series_from_history", "validate_history",
    "BacktestResult", "backtest", "HierarchyForecast", "aggregate", "bottom_up", "historical_shares", "top_down",
    "COMBINATION", "METHODS", "forecast_methods", "forecast_series", "is_intermittent",
]
