"""Demand planning for one company: forecast a series of the World's demand history, backtest it
and plan the stock it calls for at the DC serving its region.

    >>> planner = DemandPlanner.from_world(world)
    >>> analysis = planner.analyse("SNK|West", PlanningSpec(horizon=13, method="auto"))
    >>> analysis.kpis()                 # forecast units, MASE against seasonal naive, safety stock...
    >>> everything = planner.forecast_all(PlanningSpec())   # every product x region, bottom-up totals

The rules the demand app applies live here, not in the view: which DC serves a region
(:func:`region_dcs`), the stock assumed on hand today (:func:`assumed_on_hand`), how many backtest
windows a history allows (:func:`backtest_window_count`) and the KPIs of an analysis.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..inventory import InventoryPlan, InventoryPolicy, plan_inventory, sigma_from_intervals
from .auto import Forecaster, ForecastResult
from .backtest import BacktestResult, backtest
from .hierarchy import ALL, aggregate, bottom_up

__all__ = ["PlanningSpec", "SeriesAnalysis", "AllSeriesForecast", "DemandPlanner", "region_dcs", "design_dc_shares",
           "assumed_on_hand", "backtest_window_count", "MIN_BACKTEST_HISTORY", "BOTTOM_LEVEL"]

#: the fewest periods of history a backtest needs (a year of weeks plus one test window)
MIN_BACKTEST_HISTORY = 60
#: periods kept out of every backtest's training window (a season and a month)
BACKTEST_RESERVE = 56
BOTTOM_LEVEL = "product x region"
NO_HISTORY = ("This data has no demand history, so there is nothing to forecast. Load a demand_history table "
              "(product_id, region, ds, y[, promotion]) on Home.")
SERIES_COLUMNS = ["unique_id", "ds", "y", "promotion", "product_id", "region"]


@dataclass(frozen=True)
class PlanningSpec:
    """The choices of a demand plan: forecast (horizon, method, events, backtest windows) and
    inventory (service level, lead time and its spread, order cost, holding rate, weeks on hand)."""

    horizon: int = 13
    method: str = "auto"
    events: bool = True
    backtest_windows: int = 3
    service_level: float = 0.95
    lead_time: float = 2.0
    lead_time_sd: float = 0.5
    order_cost: float = 250.0
    holding_rate: float = 0.25
    on_hand_weeks: float = 4.0

    def policy(self) -> InventoryPolicy:
        return InventoryPolicy(service_level=self.service_level, lead_time=self.lead_time,
                               lead_time_sd=self.lead_time_sd, order_cost=self.order_cost,
                               holding_rate=self.holding_rate)


@dataclass(frozen=True)
class SeriesAnalysis:
    """One selected series: its history, forecast, backtest and the inventory it calls for."""

    unique_id: str
    history: pd.DataFrame
    forecast: ForecastResult
    backtest: BacktestResult | None
    inventory: InventoryPlan | None
    inventory_forecast: ForecastResult | None
    method: str = ""          # the method asked for ("" in analyses saved before it was kept)

    def kpis(self, method: str | None = None) -> dict[str, float]:
        """Forecast units over the horizon and the same weeks last year, backtest error (MASE) of
        the method and of seasonal naive, 80% interval coverage, safety stock in units and value."""
        method = method or self.method or self._first_backtest_model()
        horizon = int(self.forecast.h)
        f = self.forecast.forecasts
        out = {"forecast_units": float(f["yhat"].sum()),
               "history_units_same_weeks_last_year": float(self.history["y"].iloc[-52:-52 + horizon].sum())
               if len(self.history) >= 52 + horizon else float("nan")}
        if self.backtest is not None:
            s = self.backtest.summary.set_index("model")
            out["backtest_mase"] = float(s.loc[method, "mase"]) if method in s.index else float("nan")
            if "seasonal_naive" in s.index:
                out["seasonal_naive_mase"] = float(s.loc["seasonal_naive", "mase"])
            out["coverage_80"] = float(s.loc[method, "coverage_80"]) if method in s.index else float("nan")
        if self.inventory is not None:
            out["safety_stock_units"] = self.inventory.kpis["safety_stock_units"]
            out["safety_stock_value"] = self.inventory.kpis["safety_stock_value"]
        return out

    def _first_backtest_model(self) -> str:
        if self.backtest is None:
            return ""
        models = [m for m in self.backtest.summary["model"] if m != "seasonal_naive"]
        return str(models[0]) if models else "seasonal_naive"


@dataclass(frozen=True)
class AllSeriesForecast:
    """Every product x region series forecast, with bottom-up totals and the inventory plan."""

    forecast: ForecastResult
    totals: pd.DataFrame
    inventory: InventoryPlan


def region_dcs(world) -> dict[str, str]:
    """The DC serving each region: an existing site in the region, else the nearest existing one.

    Nearest is measured from the region's demand-weighted customer centre.
    """
    from ..geo import distance_matrix_km

    sites = world.sites
    existing = sites[sites["existing"]] if "existing" in sites else sites.iloc[0:0]
    if existing.empty:
        existing = sites
    out: dict[str, str] = {}
    cust = world.customers
    regions = sorted(set(world.demand_history["region"]) if len(world.demand_history) else set(cust["region"]))
    for r in regions:
        here = existing[existing["region"] == r]
        if len(here):
            out[r] = str(here.iloc[0]["name"])
            continue
        c = cust[cust["region"] == r]
        if c.empty or existing.empty:
            out[r] = "–"
            continue
        w = c["annual_demand"].to_numpy(float)
        w = w if w.sum() > 0 else np.ones(len(c))
        centre = np.array([[np.average(c["lat"], weights=w), np.average(c["lon"], weights=w)]])
        d = distance_matrix_km(centre, existing[["lat", "lon"]].to_numpy(float))[0]
        out[r] = str(existing.iloc[int(np.argmin(d))]["name"])
    return out


def design_dc_shares(world, design) -> dict[str, dict[str, float]]:
    """Region -> {DC site_id: share of the region's units it serves} from a network design's flows."""
    cust = world.customers[["customer_id", "region"]].astype({"customer_id": str})
    f = design.flows.merge(cust, on="customer_id", how="left")
    missing = f["region"].isna()
    if missing.any():
        raise DataError([Problem(f"the network design serves customer {f.loc[missing, 'customer_id'].iloc[0]} "
                                 f"that is not in this World ({int(missing.sum())} flows)", table="customers",
                                 fix="design the network on the same World")])
    by = f.groupby(["region", "site_id"])["units"].sum()
    out: dict[str, dict[str, float]] = {}
    for (region, site), units in by.items():
        out.setdefault(str(region), {})[str(site)] = float(units)
    for region, v in out.items():
        tot = sum(v.values())
        out[region] = {k: u / tot for k, u in v.items() if tot > 0 and u > 0}
    return out


def assumed_on_hand(forecasts: pd.DataFrame, weeks: float) -> dict[str, float]:
    """Stock assumed on hand today per series: ``weeks`` of cover at the forecast rate of the
    first four forecast periods (the World holds no stock levels)."""
    first = forecasts.sort_values("ds").groupby("unique_id")["yhat"].apply(lambda v: float(v.iloc[:4].mean()))
    return (first * float(weeks)).to_dict()


def backtest_window_count(history_length: int, horizon: int, requested: int) -> int:
    """How many rolling backtest windows a history allows: at most ``requested``, at least one,
    keeping :data:`BACKTEST_RESERVE` periods for training; 0 below :data:`MIN_BACKTEST_HISTORY`."""
    if history_length < MIN_BACKTEST_HISTORY:
        return 0
    return max(1, min(int(requested), (history_length - BACKTEST_RESERVE) // int(horizon)))


class DemandPlanner:
    """The World's demand history at every level (product x region, region, product, total), with
    forecasts computed once per (series, horizon, method, events) and kept."""

    def __init__(self, history: pd.DataFrame, dcs: Mapping[str, str], unit_cost: Mapping[str, float],
                 dc_shares: Mapping[str, Mapping[str, float]] | None = None):
        self.series = history
        self.dcs = dict(dcs)
        #: region -> {DC: share of the region's demand} from a network design (None: the region rule)
        self.dc_shares = {r: dict(v) for r, v in dc_shares.items()} if dc_shares else None
        self.unit_cost = dict(unit_cost)
        self._cache: dict[tuple, dict[str, tuple[pd.DataFrame, pd.DataFrame]]] = {}
        self._info: tuple[str, int] = ("W", 52)

    @classmethod
    def from_world(cls, world, design=None) -> "DemandPlanner":
        """The World's demand history aggregated to every level; DataError when it has none.

        ``design`` (a :class:`workbench.network.NetworkResult` on the World's customers): each
        region's demand is stocked at the DCs that serve it in the design, in proportion to the
        units they ship to the region's customers (else the region rule of :func:`region_dcs`).
        """
        if world is None or len(world.demand_history) == 0:
            raise DataError(NO_HISTORY)
        hist = world.demand_history.copy()
        hist["promotion"] = hist["promotion"].astype(bool) if "promotion" in hist else False
        series = aggregate(hist[["product_id", "region", "ds", "y", "promotion"]])
        prices = (world.products.set_index("product_id")["unit_cost"] if "unit_cost" in world.products
                  else pd.Series(dtype=float))
        if design is None:
            return cls(series, region_dcs(world), prices.to_dict())
        shares = design_dc_shares(world, design)
        labels = {r: ", ".join(f"{dc} {100 * sh:.0f}%" for dc, sh in sorted(v.items(), key=lambda kv: -kv[1]))
                  for r, v in shares.items()}
        return cls(series, labels, prices.to_dict(), dc_shares=shares)

    # -- series -----------------------------------------------------------------------------
    def series_ids(self, level: str) -> list[str]:
        return sorted(self.series.loc[self.series["level"] == level, "unique_id"].unique())

    def history_of(self, uid: str) -> pd.DataFrame:
        """The long history (unique_id, ds, y, promotion, product_id, region) of one series."""
        g = self.series[self.series["unique_id"] == uid]
        return g[SERIES_COLUMNS].reset_index(drop=True)

    def bottom_ids(self) -> list[str]:
        return self.series_ids(BOTTOM_LEVEL)

    def inventory_series(self, uid: str) -> list[str]:
        """Bottom series whose stock a selection is about (the product in every region, ...)."""
        product, region = uid.split("|", 1)
        bottom = self.series[self.series["level"] == BOTTOM_LEVEL]
        if product != ALL:
            ids = bottom.loc[bottom["product_id"] == product, "unique_id"]
        elif region != ALL:
            ids = bottom.loc[bottom["region"] == region, "unique_id"]
        else:
            ids = bottom["unique_id"]
        return sorted(ids.unique())

    def dc_of(self, region: str) -> str:
        return self.dcs.get(region, "–")

    # -- forecasting and planning -----------------------------------------------------------
    def forecast(self, ids: Iterable[str], spec: PlanningSpec,
                 progress: Callable[[int, int], None] | None = None) -> ForecastResult:
        """Forecasts of the given series, computed once per (series, horizon, method, events)."""
        ids = list(ids)
        cache = self._cache.setdefault((spec.horizon, spec.method, spec.events), {})
        todo = [u for u in ids if u not in cache]
        if todo:
            part = self.series[self.series["unique_id"].isin(todo)][SERIES_COLUMNS]
            forecaster = Forecaster(models=[spec.method], events=spec.events, level=(80, 95), n_jobs=1)
            res = forecaster.fit(part).forecast(spec.horizon, progress=progress)
            for u in todo:
                cache[u] = (res.forecasts[res.forecasts["unique_id"] == u],
                            res.selection[res.selection["unique_id"] == u])
            self._info = (res.freq, res.season_length)
        elif progress:
            progress(len(ids), len(ids))
        frames = pd.concat([cache[u][0] for u in ids], ignore_index=True)
        sel = pd.concat([cache[u][1] for u in ids], ignore_index=True)
        freq, m = self._info
        return ForecastResult(frames, sel, spec.horizon, freq, m, (80, 95))

    def plan(self, fc: ForecastResult, spec: PlanningSpec) -> InventoryPlan:
        """Safety stock, reorder point and projected stock per series, at the DC of its region."""
        frame = fc.forecasts
        if self.dc_shares is not None and "region" in frame.columns:
            return self._plan_by_dc(frame, spec)
        costs = {u: self.unit_cost.get(u.split("|", 1)[0]) for u in frame["unique_id"].unique()}  # none: an error
        plan = plan_inventory(frame, policy=spec.policy(), unit_cost=costs,
                              on_hand=assumed_on_hand(frame, spec.on_hand_weeks))
        table = plan.table.copy()
        table.insert(1, "dc", table["region"].map(self.dc_of) if "region" in table else "–")
        return dataclasses.replace(plan, table=table)

    def _plan_by_dc(self, frame: pd.DataFrame, spec: PlanningSpec) -> InventoryPlan:
        """The stock plan per series and serving DC of a network design: a DC serving a share s of a
        region holds s of its forecast and sqrt(s) of its error sd (independent customers, as in
        the network design's safety stock), so per-DC safety stocks add up as the design's do."""
        sigma = sigma_from_intervals(frame)
        parts, sig, dc_of = [], {}, {}
        for uid, g in frame.groupby("unique_id", sort=False):
            region = str(g["region"].iloc[0])
            for dc, share in self.dc_shares.get(region, {}).items():
                key = f"{uid}|{dc}"
                part = g.copy()
                for col in [c for c in part.columns if c == "yhat" or c.startswith(("lo-", "hi-"))]:
                    part[col] = part[col] * share
                part["unique_id"] = key
                parts.append(part)
                sig[key] = float(sigma.get(uid, 0.0)) * math.sqrt(share)
                dc_of[key] = dc
        split = pd.concat(parts, ignore_index=True)
        costs = {u: self.unit_cost.get(u.split("|", 1)[0]) for u in split["unique_id"].unique()}
        plan = plan_inventory(split, policy=spec.policy(), unit_cost=costs, sigma=pd.Series(sig),
                              on_hand=assumed_on_hand(split, spec.on_hand_weeks))
        table = plan.table.copy()
        table.insert(1, "dc", table["unique_id"].map(dc_of))
        return dataclasses.replace(plan, table=table)

    def analyse(self, uid: str, spec: PlanningSpec) -> SeriesAnalysis:
        """Forecast, backtest (against seasonal naive) and plan the stock of one series."""
        hist = self.history_of(uid)
        result = self.forecast([uid], spec)
        bt = None
        windows = backtest_window_count(len(hist), spec.horizon, spec.backtest_windows)
        if windows:
            methods = [spec.method] + (["seasonal_naive"] if spec.method != "seasonal_naive" else [])
            bt = backtest(hist, spec.horizon, n_windows=windows, models=methods, events=spec.events)
        inv_fc = self.forecast(self.inventory_series(uid), spec)
        return SeriesAnalysis(uid, hist, result, bt, self.plan(inv_fc, spec), inv_fc, method=spec.method)

    def forecast_all(self, spec: PlanningSpec,
                     progress: Callable[[int, int], None] | None = None) -> AllSeriesForecast:
        """Every product x region series, the bottom-up totals and the stock plan."""
        fc = self.forecast(self.bottom_ids(), spec, progress=progress)
        totals = bottom_up(fc.forecasts).forecasts
        return AllSeriesForecast(fc, totals, self.plan(fc, spec))
