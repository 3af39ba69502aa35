"""What the network design needs to know about demand beyond one number per customer.

A :class:`DemandProfile` carries, per customer, the product mix of its annual units, the weekly
variability of its demand (for safety stock), and its share of the year's demand in each week
(for peak weeks), all derived from the World's ``products`` and ``demand_history`` (weekly units
per product and region):

* **Product mix** of a customer = the mix of its region over the last 52 weeks of history
  (``products.demand_share`` without history; one product "ALL" without products). A region
  without history gets the demand shares, the assumed variability and flat weeks.
* **Weekly variability.** For each product and region, the coefficient of variation of weekly
  demand over the last 52 weeks, measured on week-to-week changes (``sd(diff(y)) / sqrt(2)``,
  so that the seasonal level and a trend do not count as uncertainty). The region's weekly
  variance, scaled to the customers' annual demand, is split over its customers in proportion
  to their demand, as for independent customers: ``sigma_jp^2 = var_rate_jp * d_j`` with
  ``var_rate_jp = (cv_pr * D_r * mix_pr / 52)^2 / D_r``. A DC's weekly variance is the sum over
  the demand it serves, so k equal DCs splitting the same demand hold sqrt(k) times the safety
  stock of one (the square-root law).
* **Weekly pattern.** Each customer's share of the year's units in each of the 52 weeks: the
  region's last 52 weeks of history, or the region's forecast for the planning year
  (:func:`forecast_profile`), which also gives next year's demand.

Weights, volumes and unit values (inventory value) come from ``products``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

__all__ = ["DemandProfile", "build_profile", "forecast_growth"]

WEEKS = 52


@dataclass(frozen=True)
class DemandProfile:
    """Per-customer product mix, weekly variability and weekly pattern (arrays aligned with customers)."""

    customer_ids: tuple[str, ...]
    products: tuple[str, ...]
    mix: np.ndarray            # (n, P) share of the customer's units per product (rows sum to 1)
    weight_kg: np.ndarray      # (P,) kg per unit
    volume_m3: np.ndarray      # (P,) m3 per unit
    unit_value: np.ndarray     # (P,) inventory value per unit (USD)
    var_rate: np.ndarray       # (n, P) weekly variance per unit of annual demand
    weeks: tuple               # (T,) week starts of the pattern
    week_share: np.ndarray     # (n, T) share of the customer's annual units in each week
    source: str = "history"    # history | forecast | assumed

    def unit_weight_kg(self) -> np.ndarray:
        """(n,) kg per unit of each customer's mix."""
        return self.mix @ self.weight_kg

    def unit_volume_m3(self) -> np.ndarray:
        return self.mix @ self.volume_m3

    def align(self, customer_ids) -> "DemandProfile":
        """The profile in the order of ``customer_ids`` (every id must be known)."""
        pos = {c: j for j, c in enumerate(self.customer_ids)}
        ids = [str(c) for c in customer_ids]
        missing = [c for c in ids if c not in pos]
        if missing:
            raise DataError([Problem(f"customer {missing[0]} has no demand profile ({len(missing)} customers)",
                                     fix="build the profile from the same customers table", table="customers")])
        idx = np.array([pos[c] for c in ids], int)
        return DemandProfile(tuple(ids), self.products, self.mix[idx], self.weight_kg, self.volume_m3,
                             self.unit_value, self.var_rate[idx], self.weeks, self.week_share[idx], self.source)


def _last_year(history: pd.DataFrame) -> pd.DataFrame:
    h = history.copy()
    h["ds"] = pd.to_datetime(h["ds"])
    weeks = np.sort(h["ds"].unique())[-WEEKS:]
    return h[h["ds"].isin(weeks)]


def _cv(y: np.ndarray) -> float:
    y = np.asarray(y, float)
    if len(y) < 3 or y.mean() <= 0:
        return 0.0
    return float(np.std(np.diff(y), ddof=1) / math.sqrt(2.0) / y.mean())


def build_profile(customers: pd.DataFrame, products: pd.DataFrame | None = None,
                  demand_history: pd.DataFrame | None = None, *, weekly_cv: float = 0.25,
                  unit_weight_kg: float = 10.0, growth: pd.DataFrame | None = None,
                  pattern: pd.DataFrame | None = None) -> DemandProfile:
    """A profile for ``customers`` (customer_id, annual_demand[, region]).

    With ``demand_history`` (product_id, region, ds, y) and a ``region`` column on customers the
    mix, variability and weekly pattern are the region's; otherwise the mix is
    ``products.demand_share``, every customer's weekly coefficient of variation is ``weekly_cv``
    and the weeks are flat. ``pattern`` (product_id, region, ds, y) replaces the history's last
    52 weeks as the weekly pattern (e.g. the forecast of the planning year).
    """
    ids = customers["customer_id"].astype(str).to_numpy()
    n = len(ids)
    d = customers["annual_demand"].to_numpy(float)
    if products is not None and len(products):
        prods = products["product_id"].astype(str).tolist()
        weight = pd.to_numeric(products.get("weight_kg", pd.Series(unit_weight_kg, index=products.index))).to_numpy(float)
        vol = pd.to_numeric(products.get("volume_m3", pd.Series(0.0, index=products.index))).to_numpy(float)
        value = pd.to_numeric(products.get("unit_cost", pd.Series(1.0, index=products.index))).to_numpy(float)
        share = pd.to_numeric(products.get("demand_share", pd.Series(1.0, index=products.index))).to_numpy(float)
        share = share / share.sum() if share.sum() > 0 else np.full(len(prods), 1.0 / len(prods))
    else:
        prods, weight, vol, value, share = ["ALL"], np.array([unit_weight_kg]), np.array([0.0]), np.array([1.0]), np.array([1.0])
    P = len(prods)
    pidx = {p: k for k, p in enumerate(prods)}
    use_history = (demand_history is not None and len(demand_history) and "region" in customers.columns
                   and P > 0 and prods != ["ALL"])
    if not use_history:
        mix = np.tile(share, (n, 1))
        # sigma_j = cv * weekly mean, split over products by the mix (independent products)
        var_rate = (weekly_cv ** 2) * (d[:, None] / WEEKS) ** 2 / np.maximum(d[:, None], 1e-12) * mix
        return DemandProfile(tuple(ids), tuple(prods), mix, weight, vol, value, var_rate, tuple(range(WEEKS)),
                             np.full((n, WEEKS), 1.0 / WEEKS), "assumed")
    hist = _last_year(demand_history)
    # one pivot (weeks x (region, product)) instead of a filter per region and product
    tab = hist.pivot_table(index="ds", columns=[hist["region"].astype(str), hist["product_id"].astype(str)],
                           values="y", aggfunc="sum").sort_index().fillna(0.0)
    pat = _last_year(pattern) if pattern is not None else hist
    ptab = (pat.pivot_table(index="ds", columns=pat["region"].astype(str), values="y", aggfunc="sum")
            .sort_index().fillna(0.0))
    weeks = tuple(ptab.index)
    regions = customers["region"].astype(str).to_numpy()
    mix = np.zeros((n, P))
    var_rate = np.zeros((n, P))
    D_r = pd.Series(d).groupby(regions).sum()
    week_share = np.zeros((n, len(weeks)))
    assumed: list[str] = []
    hist_regions = set(tab.columns.get_level_values(0))
    for r in np.unique(regions):
        rows = regions == r
        if r not in hist_regions:
            # no history for this region: the products' demand shares, the assumed variability, flat weeks
            mix[rows] = share
            dr = d[rows]
            var_rate[rows] = (weekly_cv ** 2) * (dr[:, None] / WEEKS) ** 2 / np.maximum(dr[:, None], 1e-12) * share
            week_share[rows] = 1.0 / len(weeks)
            assumed.append(r)
            continue
        sub = tab[r]
        m_r = np.zeros(P)
        for p_id in sub.columns:
            if p_id in pidx:
                m_r[pidx[p_id]] = float(sub[p_id].sum())
        m_r = m_r / m_r.sum() if m_r.sum() > 0 else share
        mix[rows] = m_r
        Dr = float(D_r[r])
        for p_id in sub.columns:
            if p_id not in pidx:
                continue
            cv = _cv(sub[p_id].to_numpy(float))
            mean_w = Dr * m_r[pidx[p_id]] / WEEKS
            var_rate[rows, pidx[p_id]] = (cv * mean_w) ** 2 / max(Dr, 1e-12)
        w = ptab[r].to_numpy(float) if r in ptab.columns else np.zeros(len(weeks))
        week_share[rows] = w / w.sum() if w.sum() > 0 else 1.0 / len(weeks)
    source = "forecast" if pattern is not None else "history"
    if assumed:
        source += f" (assumed for {', '.join(assumed)}: no history)"
    return DemandProfile(tuple(ids), tuple(prods), mix, weight, vol, value, var_rate, weeks, week_share, source)


def forecast_growth(demand_history: pd.DataFrame, *, horizon_weeks: int = WEEKS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast every (product, region) series ``horizon_weeks`` ahead with :mod:`workbench.forecast`.

    Returns ``(growth, forecast)``: growth per product and region (forecast units over the next
    ``horizon_weeks`` / units over the last ``horizon_weeks``) and the weekly forecast (product_id,
    region, ds, y) for the weekly pattern of the planning year.
    """
    from ..forecast import forecast_series

    h = demand_history.copy()
    h["ds"] = pd.to_datetime(h["ds"])
    rows, fc_rows = [], []
    for (p, r), g in h.groupby(["product_id", "region"], sort=True):
        g = g.sort_values("ds")
        y = g["y"].to_numpy(float)
        season = WEEKS if len(y) >= 2 * WEEKS else 1
        f = forecast_series(y, horizon_weeks, m=season)
        last = float(y[-horizon_weeks:].sum())
        nxt = float(np.clip(f.mean, 0.0, None).sum())
        rows.append({"product_id": p, "region": r, "last_units": last, "forecast_units": nxt,
                     "growth": nxt / last if last > 0 else 1.0, "method": f.method})
        step = g["ds"].diff().median() if len(g) > 1 else pd.Timedelta(weeks=1)
        ds = g["ds"].iloc[-1] + step * np.arange(1, horizon_weeks + 1)
        fc_rows.append(pd.DataFrame({"product_id": p, "region": r, "ds": ds, "y": np.clip(f.mean, 0.0, None)}))
    return pd.DataFrame(rows), pd.concat(fc_rows, ignore_index=True)
