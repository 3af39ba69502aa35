"""The product x region hierarchy: aggregates, coherent bottom-up totals, top-down shares.

Series ids follow the World: ``f"{product_id}|{region}"`` at the bottom; an aggregated level
writes ``All`` in its place (``All|West`` = every product in the West, ``BEV|All`` = one product
everywhere, ``All|All`` = the company total).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

__all__ = ["LEVELS", "ALL", "aggregate", "bottom_up", "top_down", "historical_shares", "series_id", "HierarchyForecast"]

ALL = "All"
#: level name -> the columns kept (the others become "All")
LEVELS = {
    "product x region": ("product_id", "region"),
    "region": ("region",),
    "product": ("product_id",),
    "total": (),
}
KEYS = ("product_id", "region")


def series_id(product_id: str, region: str) -> str:
    return f"{product_id}|{region}"


@dataclass(frozen=True)
class HierarchyForecast:
    """Forecasts at every level (``level`` column); ``method`` is "bottom-up" or "top-down"."""

    forecasts: pd.DataFrame
    method: str

    def level(self, name: str) -> pd.DataFrame:
        return self.forecasts[self.forecasts["level"] == name].reset_index(drop=True)


def _check(df: pd.DataFrame, cols, table: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError([Problem(f"column '{c}' is missing", table=table, column=c,
                                 fix="the hierarchy needs product_id and region on every row") for c in missing])


def aggregate(df: pd.DataFrame, levels=tuple(LEVELS), *, value_cols=("y",)) -> pd.DataFrame:
    """Sum a bottom-level long frame (product_id, region, ds, y[, promotion]) to the given levels.

    Returns ``unique_id, level, product_id, region, ds`` and the summed ``value_cols``; a
    ``promotion`` column becomes the share of bottom series on promotion that period.
    """
    _check(df, (*KEYS, "ds", *value_cols), "demand history")
    parts = []
    for name in levels:
        if name not in LEVELS:
            raise DataError([Problem(f"unknown hierarchy level '{name}'", value=name,
                                     fix=f"use one of: {', '.join(LEVELS)}")])
        keep = LEVELS[name]
        agg = {c: "sum" for c in value_cols}
        if "promotion" in df.columns:
            agg["promotion"] = "mean"
        g = df.groupby([*keep, "ds"], sort=True).agg(agg).reset_index()
        for k in KEYS:
            if k not in keep:
                g[k] = ALL
        g["level"] = name
        g["unique_id"] = g["product_id"].astype(str) + "|" + g["region"].astype(str)
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    front = ["unique_id", "level", "product_id", "region", "ds"]
    return out[front + [c for c in out.columns if c not in front]]


def _split_ids(df: pd.DataFrame) -> pd.DataFrame:
    if "product_id" in df.columns and "region" in df.columns:
        return df
    parts = df["unique_id"].astype(str).str.split("|", n=1, expand=True)
    if parts.shape[1] != 2 or parts[1].isna().any():
        bad = df.loc[parts[1].isna() if parts.shape[1] == 2 else df.index, "unique_id"].iloc[0]
        raise DataError([Problem("a series id is not 'product|region'", column="unique_id", value=bad,
                                 fix="name bottom series f'{product_id}|{region}' or give product_id and region")])
    out = df.copy()
    out["product_id"], out["region"] = parts[0], parts[1]
    return out


def bottom_up(forecasts: pd.DataFrame, levels=tuple(LEVELS)) -> HierarchyForecast:
    """Coherent forecasts at every level from bottom (product x region) forecasts by summing.

    ``yhat`` sums exactly, so every total equals the sum of its parts. Interval bounds of an
    aggregate add the parts' half-widths in quadrature (errors assumed independent across
    series), around the summed ``yhat``; lower bounds stay >= 0.
    """
    fc = _split_ids(forecasts)
    _check(fc, ("ds", "yhat"), "forecasts")
    los = [c for c in fc.columns if c.startswith("lo-")]
    fc = fc.copy()
    for lo in los:
        hi = "hi-" + lo[3:]
        fc[f"_w{lo[3:]}lo"] = (fc["yhat"] - fc[lo]) ** 2
        fc[f"_w{lo[3:]}hi"] = (fc[hi] - fc["yhat"]) ** 2
    wcols = [c for c in fc.columns if c.startswith("_w")]
    parts = []
    for name in levels:
        keep = LEVELS[name]
        g = fc.groupby([*keep, "ds"], sort=True)[["yhat", *wcols]].sum().reset_index()
        for k in KEYS:
            if k not in keep:
                g[k] = ALL
        for lo in los:
            lv = lo[3:]
            g[lo] = np.maximum(g["yhat"] - np.sqrt(g[f"_w{lv}lo"]), 0.0)
            g["hi-" + lv] = g["yhat"] + np.sqrt(g[f"_w{lv}hi"])
        g["level"] = name
        g["unique_id"] = g["product_id"].astype(str) + "|" + g["region"].astype(str)
        parts.append(g.drop(columns=wcols))
    out = pd.concat(parts, ignore_index=True)
    front = ["unique_id", "level", "product_id", "region", "ds", "yhat"]
    return HierarchyForecast(out[front + [c for c in out.columns if c not in front]], "bottom-up")


def historical_shares(history: pd.DataFrame, *, by=KEYS, last: int | None = None) -> pd.DataFrame:
    """Each bottom series' share of the total over the last ``last`` periods (all when None).

    Gross & Sohl's "proportions of the historical averages": share = sum(y of the series) /
    sum(y of all series) over the window. Returns ``by`` columns and ``share`` (sums to 1).
    """
    _check(history, (*by, "ds", "y"), "demand history")
    h = history
    if last is not None:
        dates = np.sort(h["ds"].unique())[-int(last):]
        h = h[h["ds"].isin(dates)]
    s = h.groupby(list(by), sort=True)["y"].sum()
    total = float(s.sum())
    if total <= 0:
        raise DataError([Problem("the history sums to zero, so it gives no shares", table="demand history",
                                 column="y", fix="use a window with demand, or split by another rule")])
    return (s / total).rename("share").reset_index()


def top_down(total: pd.DataFrame, history: pd.DataFrame, *, by=KEYS, last: int | None = 52) -> HierarchyForecast:
    """Split an aggregate forecast (ds, yhat[, lo-/hi- bounds]) to ``by`` series by historical shares.

    Every bound is multiplied by the share too, so the parts add up to the total exactly.
    """
    _check(total, ("ds", "yhat"), "total forecast")
    shares = historical_shares(history, by=by, last=last)
    num = [c for c in total.columns if c == "yhat" or c.startswith("lo-") or c.startswith("hi-")]
    t = total[["ds", *num]].copy()
    out = shares.merge(t, how="cross")
    for c in num:
        out[c] = out[c] * out["share"]
    if set(by) == set(KEYS):
        out["unique_id"] = out["product_id"].astype(str) + "|" + out["region"].astype(str)
        out["level"] = "product x region"
    out = out.sort_values([*by, "ds"]).reset_index(drop=True)
    return HierarchyForecast(out, "top-down")
