"""Greedy marginal-profit selection of the consumer outlets a brand carries.

With Huff capture the brand's profit for a set *S* of carried outlets is::

    profit(S) = sum_i Ds_i * W_i / (S_i + C_i)                      (stores)
              + sum_i Do_i * A*/(A* + Co_i) * sum_l A_l w_l / sum_l A_l  (e-commerce listings)
              - sum_{j in S} a_j - sum_{k used} a_k                 (accounts, incl. suppliers)
    S_i = sum_{j in S} U_ij,   W_i = sum_{j in S} U_ij * w_j

where ``w_j`` is outlet *j*'s contribution per unit along its route, ``a_j`` its account cost
(0 for a store its wholesaler or distributor serves), ``a_k`` the account of each
intermediary that supplies a carried store, and ``A*`` the pull of the best carried listing.
The greedy adds, one at a time, the outlet whose addition raises profit most (or lowers it
least), so the sets are nested. :func:`greedy_selection` returns the exact profit after each
pick, equal to :func:`.capture.outlet_economics` of the same set.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .capture import unit_terms
from .market import Market

__all__ = ["greedy_selection"]


def greedy_selection(market: Market, candidates: np.ndarray, count: int, *, strategy: str = "selective",
                     progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``count`` consumer outlets (positions in ``market.outlets``) among ``candidates``
    by greatest marginal profit. Returns the picks in order and the profit after each pick."""
    cand = np.asarray(candidates, dtype=int)
    cand = cand[market.consumer[cand]]
    count = int(min(count, len(cand)))
    t = unit_terms(market, strategy)
    q = t.price.volume_factor
    Ds = market.store_potential * q
    Do = market.online_potential * q
    C = market.competitor
    Con = market.online_competitor
    is_on = market.online[cand]
    U = market.utility[:, cand]              # 0 for listings
    w = t.contribution[cand]
    a = t.account_cost[cand]
    sup = t.supplier[cand]
    sup_cost = np.where(sup >= 0, market.outlets["account_cost"].to_numpy(float)[np.maximum(sup, 0)], 0.0)
    A = np.where(is_on, market.online_weight[cand], 0.0)
    # stores: value of the set plus each candidate, for every candidate at once (float32 for
    # half the memory traffic; the profits returned are exact)
    U32 = U.astype(np.float32)
    Uw = U32 * w.astype(np.float32)[None, :]
    C32 = C.astype(np.float32)[:, None]
    Ds32 = Ds.astype(np.float32)
    S = np.zeros(U.shape[0], np.float32)
    W = np.zeros(U.shape[0], np.float32)
    a_star, sa, saw = 0.0, 0.0, 0.0
    used = np.zeros(len(market.outlets), bool)
    remaining = np.ones(len(cand), bool)
    order = np.empty(count, dtype=int)
    fixed = np.empty(count)
    num = np.empty_like(U32)
    den = np.empty_like(U32)

    online_units: dict[float, float] = {}     # online units by the pull of the best listing

    def online_value(a_s: float, s_a: float, s_aw: float) -> float:
        if s_a <= 0:
            return 0.0
        if a_s not in online_units:
            d = a_s + Con
            online_units[a_s] = float((Do * np.divide(a_s, d, out=np.zeros_like(d), where=d > 0)).sum())
        return online_units[a_s] * s_aw / s_a

    on_idx = np.flatnonzero(is_on)
    for step in range(count):
        np.add(W[:, None], Uw, out=num)
        np.add(S[:, None] + C32, U32, out=den)
        np.divide(num, den, out=num, where=den > 0)  # den = 0 only where num = 0
        store_val = Ds32 @ num                      # store value with each candidate added
        cur_store = float(Ds @ np.divide(W.astype(float), S + C, out=np.zeros(len(S)), where=(S + C) > 0))
        cur_online = online_value(a_star, sa, saw)
        val = store_val.astype(float) + cur_online
        for j in on_idx:
            if remaining[j]:
                val[j] = cur_store + online_value(max(a_star, A[j]), sa + A[j], saw + A[j] * w[j])
        new_sup = (sup >= 0) & ~used[np.maximum(sup, 0)]
        val = val - a - np.where(new_sup, sup_cost, 0.0)
        val[~remaining] = -np.inf
        j = int(np.argmax(val))
        remaining[j] = False
        order[step] = j
        fixed[step] = a[j] + (sup_cost[j] if new_sup[j] else 0.0)
        if sup[j] >= 0:
            used[sup[j]] = True
        if is_on[j]:
            a_star, sa, saw = max(a_star, A[j]), sa + A[j], saw + A[j] * w[j]
        else:
            S += U32[:, j]
            W += Uw[:, j]
        if progress is not None:
            progress(step + 1, count)
    # exact profit along the nested sets
    Uo = U[:, order]
    Sk = np.cumsum(Uo, axis=1)
    Wk = np.cumsum(Uo * w[order][None, :], axis=1)
    den64 = Sk + C[:, None]
    store = Ds @ np.divide(Wk, den64, out=np.zeros_like(Wk), where=den64 > 0)
    Ao = A[order]
    a_cum = np.maximum.accumulate(Ao)
    sa_cum = np.cumsum(Ao)
    saw_cum = np.cumsum(Ao * w[order])
    online = np.zeros(count)
    for k in range(count):
        if sa_cum[k] > 0 and (k == 0 or sa_cum[k] != sa_cum[k - 1] or a_cum[k] != a_cum[k - 1]):
            online[k] = online_value(a_cum[k], sa_cum[k], saw_cum[k])
        elif k > 0:
            online[k] = online[k - 1]
    profits = store + online - np.cumsum(fixed)
    return cand[order], profits
