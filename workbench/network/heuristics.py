"""Lagrangian relaxation, assignment and local search for large facility-location models.

* **Lower bound.** The assignment constraints ``sum_i x_ij = 1`` are relaxed with multipliers
  ``u_j`` and the aggregate capacity cut ``sum_i s_i y_i >= D`` with ``mu >= 0``. For fixed
  multipliers the problem splits by site into continuous knapsacks (exact by a ratio sort), and
  the choice of sites under the count limits and forced sites is a sort. Subgradient steps
  (Polyak step towards the best known cost) give a valid lower bound on the *full* model (as
  strong as its LP relaxation). When every cost is integral the bound is rounded up.
* **Upper bound.** Every few iterations the relaxation's sites are repaired to enough capacity
  and the customers assigned optimally: a min-cost flow (split demand), nearest open site
  (uncapacitated) or flow + repair + shift moves (single sourcing). Then local search over the
  open set: add / drop / swap, fully vectorised for uncapacitated models (vertex substitution
  with nearest and second-nearest sites), evaluated by re-assignment otherwise.
* Whatever time is left goes to OR-Tools' SCIP on the full model from the best solution.

The gap is always reported against a bound of the full model.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .core import INF, Core, Solution, evaluate, solve_mip

__all__ = ["lagrangian", "greedy_solution", "solve_large", "assign", "local_search"]

BIG = 1e30
#: above this many customer-site pairs SCIP does not finish its root LP in useful time here
MIP_PAIRS = 40_000


def _masked_cost(core: Core) -> np.ndarray:
    c = core.cost.copy()
    if core.two_echelon:
        # every unit through site i pays at least the cheapest inbound to i (keeps bounds valid)
        c += core.inbound.min(axis=0)[:, None] * core.demand[None, :]
    c[~core.allowed] = BIG
    c[core.force_closed, :] = BIG
    return c


def _unit_cost(core: Core) -> np.ndarray:
    d = core.demand
    c = _masked_cost(core)
    u = np.divide(c, d[None, :], out=np.where(c >= BIG, BIG, 0.0), where=d[None, :] > 0)
    return np.where(c >= BIG, BIG, u)


def _integral(a: np.ndarray) -> bool:
    a = a[np.isfinite(a)]
    return bool(np.all(np.abs(a - np.round(a)) < 1e-9))


# ------------------------------------------------------------------------------------------
# the lower bound
# ------------------------------------------------------------------------------------------


def _knapsacks(r: np.ndarray, d: np.ndarray, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """min sum_j r_ij x_ij s.t. sum_j d_j x_ij <= cap_i, 0 <= x <= 1, for every row i (greedy, exact)."""
    m, n = r.shape
    neg = r < 0
    if not np.isfinite(cap).any():
        x = neg.astype(float)
        return np.where(neg, r, 0.0).sum(axis=1), x
    ratio = np.where(neg, r / np.maximum(d, 1e-12)[None, :], np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    rows = np.arange(m)[:, None]
    ds = np.where(neg[rows, order], d[order], 0.0)
    cum = np.cumsum(ds, axis=1)
    capc = np.where(np.isfinite(cap), cap, np.inf)[:, None]
    prev = cum - ds
    frac = np.clip((capc - prev) / np.maximum(ds, 1e-12), 0.0, 1.0)
    frac = np.where(ds > 0, frac, 0.0)
    x = np.zeros((m, n))
    x[rows, order] = frac
    return np.where(x > 0, r * x, 0.0).sum(axis=1), x


def _choose_sites(v: np.ndarray, core: Core) -> np.ndarray:
    """min sum v_i y_i with kmin <= sum y <= kmax and forced sites (exact by sorting)."""
    y = core.force_open.copy()
    free = ~core.force_open & ~core.force_closed
    k0 = int(y.sum())
    idx = np.nonzero(free)[0]
    idx = idx[np.argsort(v[idx], kind="stable")]
    need = max(0, core.kmin - k0)
    room = max(0, core.kmax - k0)
    for t, i in enumerate(idx):
        if t >= room:
            break
        if t < need or v[i] < 0:
            y[i] = True
        else:
            break
    return y


def lagrangian(core: Core, *, iterations: int = 3000, time_limit_s: float = 10.0, ub: float = INF,
               u0: np.ndarray | None = None, deadline: float | None = None, primal=None, primal_every: int = 15, mu0: float = 0.0):
    """Subgradient optimisation. Returns (bound, u, mu, site costs v at the best u, ub).

    ``primal(y, v)`` (optional) turns a relaxation's sites into a feasible cost (or INF); it is
    called every ``primal_every`` iterations and its best value steers the step size.
    """
    start = time.perf_counter()
    deadline = deadline if deadline is not None else start + time_limit_s
    c = _masked_cost(core)
    d = core.demand
    D = max(float(d.sum()), 1e-12)
    cap = core.capacity
    use_cap_cut = bool(np.isfinite(cap).all()) and core.capacitated
    finite_cap = np.where(np.isfinite(cap), cap, 0.0)
    if u0 is None:
        cs = np.sort(np.where(c < BIG, c, np.nan), axis=0)
        u = np.nan_to_num(cs[min(1, c.shape[0] - 1)], nan=0.0)
    else:
        u = u0.copy()
    u = np.minimum(u, np.nanmax(np.where(c < BIG, c, np.nan), axis=0))
    mu = float(mu0)
    best = -INF
    best_u, best_mu, best_v = u.copy(), mu, None
    theta = 1.0
    stall = 0
    mark, mark_it = -INF, 0
    for it in range(iterations):
        if time.perf_counter() > deadline:
            break
        g, x = _knapsacks(c - u[None, :], d, cap)
        v = core.fixed + g - (mu * finite_cap / D if use_cap_cut else 0.0)
        y = _choose_sites(v, core)
        L = float(u.sum() + v[y].sum() + (mu if use_cap_cut else 0.0))
        if L > best + 1e-7 * max(1.0, abs(L)):
            if L > mark + 1e-5 * max(1.0, abs(L)):
                mark, mark_it = L, it
            best, best_u, best_mu, best_v = L, u.copy(), mu, v.copy()
            stall = 0
        else:
            stall += 1
        if it - mark_it > 200:
            break  # no real progress for 200 iterations
        if primal is not None and (it % primal_every == 0):
            ub = min(ub, primal(y, v))
        if stall >= 25:
            theta /= 2.0
            stall = 0
            if theta < 1e-5:
                break
        if math.isfinite(ub) and best >= ub - 1e-9 * max(1.0, abs(ub)):
            break
        sg_u = 1.0 - (x * y[:, None]).sum(axis=0)
        sg_l = (1.0 - float(finite_cap[y].sum()) / D) if use_cap_cut else 0.0
        if use_cap_cut and mu <= 0 and sg_l < 0:
            sg_l = 0.0
        norm = float((sg_u ** 2).sum() + sg_l ** 2)
        if norm < 1e-12:
            break
        tgt = ub if math.isfinite(ub) else best + 0.05 * abs(best) + 1.0
        step = theta * max(tgt - L, 1e-4 * max(1.0, abs(L))) / norm
        u = u + step * sg_u
        if use_cap_cut:
            mu = max(0.0, mu + step * sg_l)
    if best_v is None:
        g, _ = _knapsacks(c - best_u[None, :], d, cap)
        best_v = core.fixed + g
    return best, best_u, best_mu, best_v, ub


# ------------------------------------------------------------------------------------------
# assignment of customers to a given open set
# ------------------------------------------------------------------------------------------


def _nearest(U: np.ndarray, open_: np.ndarray) -> np.ndarray | None:
    idx = np.nonzero(open_)[0]
    if len(idx) == 0:
        return None
    sub = U[idx]
    best = sub.argmin(axis=0)
    if (sub[best, np.arange(U.shape[1])] >= BIG).any():
        return None
    x = np.zeros(U.shape)
    x[idx[best], np.arange(U.shape[1])] = 1.0
    return x


def _flow(core: Core, U: np.ndarray, open_: np.ndarray, k_nearest: int = 12) -> np.ndarray | None:
    """Optimal split-demand assignment for an open set (min-cost flow on integer data, LP otherwise)."""
    d = core.demand
    cap = np.where(open_, core.capacity, 0.0)
    D = float(d.sum())
    idx = np.nonzero(open_)[0]
    if len(idx) == 0 or np.where(np.isfinite(cap), cap, D).sum() < D - 1e-6:
        return None
    if not np.isfinite(cap[idx]).any():
        return _nearest(U, open_)
    if _integral(d) and _integral(cap[idx]) and D < 2 ** 50:
        for k in (k_nearest, len(idx)):
            x = _mcf(core, U, idx, min(k, len(idx)))
            if x is not None:
                return x
        return None
    return _lp_flow(core, U, idx)


def _mcf(core: Core, U: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray | None:
    from ortools.graph.python import min_cost_flow

    d = np.round(core.demand).astype(np.int64)
    n = len(d)
    caps = core.capacity[idx]
    D = int(d.sum())
    capi = np.where(np.isfinite(caps), np.round(np.minimum(caps, D)), D).astype(np.int64)
    sub = U[idx]
    if k < len(idx):
        near = np.argpartition(sub, k - 1, axis=0)[:k]
    else:
        near = np.tile(np.arange(len(idx))[:, None], (1, n))
    si = near.ravel()
    cj = np.tile(np.arange(n), near.shape[0])
    cost = sub[si, cj]
    ok = cost < BIG
    si, cj, cost = si[ok], cj[ok], cost[ok]
    maxc = float(cost.max()) if len(cost) else 1.0
    scale = min(1e6, 4e15 / max(1.0, maxc * max(D, 1)))
    ucost = np.round(cost * scale).astype(np.int64)
    kk = len(idx)
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([si, np.arange(kk)])
    heads = np.concatenate([kk + cj, np.full(kk, kk + n)])
    capa = np.concatenate([d[cj], capi])
    costs = np.concatenate([ucost, np.zeros(kk, np.int64)])
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capa, costs)
    supplies = np.concatenate([capi, -d, [-(int(capi.sum()) - D)]])
    smcf.set_nodes_supplies(np.arange(kk + n + 1), supplies)
    if smcf.solve() != smcf.OPTIMAL:
        return None
    f = smcf.flows(arcs)[:len(si)]
    x = np.zeros(U.shape)
    pos = f > 0
    np.add.at(x, (idx[si[pos]], cj[pos]), f[pos] / np.maximum(d[cj[pos]], 1))
    zero = d == 0
    if zero.any():
        x[:, zero] = 0.0
        best = idx[sub[:, zero].argmin(axis=0)]
        x[best, np.nonzero(zero)[0]] = 1.0
    return x


def _lp_flow(core: Core, U: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
    from ortools.linear_solver import pywraplp

    d = core.demand
    n = len(d)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    xs = {}
    for a, i in enumerate(idx):
        for j in range(n):
            if U[i, j] < BIG:
                xs[i, j] = solver.NumVar(0, 1, "")
    obj = solver.Objective()
    for (i, j), var in xs.items():
        obj.SetCoefficient(var, float(U[i, j] * d[j]))
    obj.SetMinimization()
    for j in range(n):
        ct = solver.Constraint(1, 1)
        for i in idx:
            if (i, j) in xs:
                ct.SetCoefficient(xs[i, j], 1)
    for i in idx:
        if math.isfinite(core.capacity[i]):
            ct = solver.Constraint(-solver.infinity(), float(core.capacity[i]))
            for j in range(n):
                if (i, j) in xs:
                    ct.SetCoefficient(xs[i, j], float(d[j]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    x = np.zeros(U.shape)
    for (i, j), var in xs.items():
        x[i, j] = var.solution_value()
    return x


def _single(core: Core, U: np.ndarray, open_: np.ndarray, start: np.ndarray | None) -> np.ndarray | None:
    """Single-sourcing assignment: round a split assignment, repair capacities, improve by shifts."""
    d = core.demand
    m, n = U.shape
    cap = np.where(open_, core.capacity, 0.0)
    Uo = np.where(open_[:, None], U, BIG)
    if start is None:
        cur = Uo.argmin(axis=0)
    else:
        cur = np.where(start.max(axis=0) > 0, start.argmax(axis=0), Uo.argmin(axis=0))
    if (Uo[cur, np.arange(n)] >= BIG).any():
        return None
    load = np.bincount(cur, weights=d, minlength=m)
    cols = np.arange(n)
    # repair overloads: move the customer whose move costs least per unit of excess removed
    for _ in range(4 * n):
        over = np.nonzero(load > cap + 1e-9)[0]
        if len(over) == 0:
            break
        i = over[np.argmax(load[over] - cap[over])]
        members = np.nonzero(cur == i)[0]
        room = cap - load
        fits = (d[members][None, :] <= room[:, None] + 1e-9) & (Uo[:, members] < BIG)
        fits[i, :] = False
        if not fits.any():
            return None
        delta = np.where(fits, (Uo[:, members] - Uo[i, members][None, :]) * d[members][None, :], INF)
        excess = load[i] - cap[i]
        score = delta / np.minimum(d[members], excess)[None, :].clip(min=1e-12)
        a, b = np.unravel_index(np.argmin(score), score.shape)
        j = members[b]
        cur[j] = a
        load[i] -= d[j]
        load[a] += d[j]
    if (load > cap + 1e-9).any():
        return None
    # improve: best shift per customer, repeated; then pairwise swaps between sites
    for _ in range(50):
        room = cap - load
        cost_now = Uo[cur, cols] * d
        cand = np.where(d[None, :] <= room[:, None] + 1e-9, Uo * d[None, :], INF)
        cand[cur, cols] = INF
        best_i = cand.argmin(axis=0)
        gain = cost_now - cand[best_i, cols]
        moved = False
        for j in np.argsort(-gain):
            if gain[j] <= 1e-9:
                break
            a = best_i[j]
            if d[j] <= cap[a] - load[a] + 1e-9 and Uo[a, j] * d[j] < Uo[cur[j], j] * d[j] - 1e-9:
                load[cur[j]] -= d[j]
                load[a] += d[j]
                cur[j] = a
                moved = True
        if not moved:
            break
    x = np.zeros((m, n))
    x[cur, cols] = 1.0
    return x


def assign(core: Core, open_: np.ndarray, U: np.ndarray | None = None) -> tuple[float, np.ndarray | None]:
    """(cost, x) of the best assignment found for the open set (INF, None if none)."""
    if U is None:
        U = _unit_cost(core)
    open_ = open_ & ~core.force_closed
    if not core.capacitated:
        x = _nearest(U, open_)
    else:
        x = _flow(core, U, open_)
        if x is not None and core.single:
            x = _single(core, U, open_, x)
    if x is None:
        return INF, None
    return evaluate(core, x, open_), x


def _reduced_cost_fixing(core: Core, u: np.ndarray, mu: float, v: np.ndarray, ub: float,
                         integral: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites whose opposite state provably costs more than ``ub`` (Lagrangian reduced costs).

    With multipliers (u, mu) the relaxation's value with site i forced open (closed) is a lower
    bound on every solution with y_i = 1 (0); above ``ub`` (``ub - 1`` with integral data) no
    better solution has that state, so the site can be fixed.
    """
    use_cap_cut = bool(np.isfinite(core.capacity).all()) and core.capacitated
    const = float(u.sum() + (mu if use_cap_cut else 0.0))
    limit = ub - 1 + 1e-6 if integral else ub + 1e-9 * max(1.0, abs(ub))
    base = _choose_sites(v, core)
    L = const + float(v[base].sum())
    fo = np.zeros(core.m, bool)
    fc = np.zeros(core.m, bool)
    with_site = np.full(core.m, L)   # bound with the site open
    saved = core.force_open, core.force_closed
    try:
        for i in range(core.m):
            if saved[0][i] or saved[1][i]:
                continue
            if base[i]:
                core.force_closed = saved[1].copy()
                core.force_closed[i] = True
                core.force_open = saved[0]
            else:
                core.force_open = saved[0].copy()
                core.force_open[i] = True
                core.force_closed = saved[1]
            y = _choose_sites(v, core)
            val = const + float(v[y].sum())
            if not base[i]:
                with_site[i] = val
            if val > limit:
                (fo if base[i] else fc)[i] = True
    finally:
        core.force_open, core.force_closed = saved
    # pairs: serving j from i adds at least its positive reduced cost (uncapacitated models, where the
    # site's subproblem takes every customer with a negative reduced cost)
    pairs = core.allowed & ~fc[:, None] & ~core.force_closed[:, None]
    if not core.capacitated:
        rc = np.maximum(_masked_cost(core) - u[None, :], 0.0)
        pairs &= (with_site[:, None] + rc) <= limit
    return fo, fc, pairs


def _counts_ok(core: Core, open_: np.ndarray) -> bool:
    k = int(open_.sum())
    return core.kmin <= k <= core.kmax and not (open_ & core.force_closed).any() and bool((open_ | ~core.force_open).all())


def _repair_open(core: Core, y: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Sites from a relaxation made count- and capacity-feasible (cheapest Lagrangian cost first).

    Sites are added (cheapest first) while capacity is short and the count allows; when the count
    is at its maximum and capacity is still short, an open site is swapped for a closed one with
    more capacity (the cheapest swap that closes the shortfall, else the one that gains most).
    Without the swap, a maximum of one DC whose relaxation picks a site too small for all demand
    would never become feasible although a large enough site exists.
    """
    open_ = (y | core.force_open) & ~core.force_closed
    order = [i for i in np.argsort(v, kind="stable") if not core.force_closed[i]]
    D = float(core.demand.sum())
    cap = np.where(np.isfinite(core.capacity), core.capacity, 2.0 * D + 1.0)
    # single sourcing packs better with some slack: aim for 5% above demand while sites can be added
    need = D * (1.05 if core.single else 1.0)
    for i in order:
        capok = cap[open_].sum() >= need
        if capok and open_.sum() >= core.kmin:
            break
        if not open_[i] and open_.sum() < core.kmax:
            open_[i] = True
    # too many sites: drop the most expensive non-forced ones
    for i in order[::-1]:
        if open_.sum() <= core.kmax:
            break
        if open_[i] and not core.force_open[i]:
            open_[i] = False
    # at the count limit and still short of demand: swap sites for bigger ones
    for _ in range(core.m):
        short = D - cap[open_].sum()
        if short <= 1e-9 * max(D, 1.0):
            break
        outs = np.nonzero(open_ & ~core.force_open)[0]
        ins = np.nonzero(~open_ & ~core.force_closed)[0]
        if not len(outs) or not len(ins):
            break
        gain = cap[ins][None, :] - cap[outs][:, None]
        if gain.max() <= 0:
            break
        closes = gain >= short
        if closes.any():
            dv = np.where(closes, v[ins][None, :] - v[outs][:, None], np.inf)
            a, b = np.unravel_index(np.argmin(dv), dv.shape)
        else:
            a, b = np.unravel_index(np.argmax(gain), gain.shape)
        open_[outs[a]] = False
        open_[ins[b]] = True
    return open_


def greedy_solution(core: Core, v: np.ndarray | None = None) -> Solution | None:
    """A feasible solution from site costs ``v`` (default: fixed cost per unit of capacity + mean cost)."""
    if v is None:
        c = _masked_cost(core)
        mean_c = np.where(c < BIG, c, np.nan)
        v = core.fixed + np.nan_to_num(np.nanmean(mean_c, axis=1), nan=BIG) * 0.1
    y = _choose_sites(v - np.abs(v).max() - 1.0, core) if core.kmax < core.m else np.zeros(core.m, bool)
    if core.kmax < core.m:
        y = np.zeros(core.m, bool)
        y[np.argsort(v)[:max(core.kmin, 1)]] = True
    open_ = _repair_open(core, y, v)
    for _ in range(core.m):
        cost, x = assign(core, open_)
        if x is not None and _counts_ok(core, open_):
            return Solution(open_, x, None, cost, -INF, "feasible", 0.0, "greedy")
        extra = [i for i in np.argsort(v) if not open_[i] and not core.force_closed[i]]
        if not extra or open_.sum() >= core.kmax:
            return None
        open_[extra[0]] = True
    return None


# ------------------------------------------------------------------------------------------
# local search over the open set
# ------------------------------------------------------------------------------------------


def _swap_uncapacitated(core: Core, U: np.ndarray, open_: np.ndarray, deadline: float) -> np.ndarray:
    """Best-improvement add / drop / swap for uncapacitated models (vectorised vertex substitution)."""
    c = np.where(U >= BIG, BIG, U * core.demand[None, :])
    f = core.fixed
    cand = ~core.force_closed
    open_ = open_.copy()
    while time.perf_counter() < deadline:
        idx = np.nonzero(open_)[0]
        sub = c[idx]
        order = np.argsort(sub, axis=0)
        n1 = idx[order[0]]
        d1 = c[n1, np.arange(c.shape[1])]
        if len(idx) > 1:
            n2 = idx[order[1]]
            d2 = c[n2, np.arange(c.shape[1])]
        else:
            d2 = np.full(c.shape[1], BIG)
        cur = float(d1.sum() + f[open_].sum())
        best_delta, best_move = -1e-9 * max(1.0, abs(cur)), None
        k = len(idx)
        closed = np.nonzero(cand & ~open_)[0]
        # add a site
        if k < core.kmax and len(closed):
            gains = np.minimum(c[closed], d1[None, :]).sum(axis=1) + f[closed] - d1.sum()
            a = int(np.argmin(gains))
            if gains[a] < best_delta:
                best_delta, best_move = gains[a], ("add", closed[a], None)
        for r in idx:
            if core.force_open[r]:
                continue
            base = np.where(n1 == r, d2, d1)
            if k > max(core.kmin, 1):
                delta = base.sum() - d1.sum() - f[r]
                if delta < best_delta:
                    best_delta, best_move = delta, ("drop", r, None)
            if len(closed):
                delta = np.minimum(c[closed], base[None, :]).sum(axis=1) + f[closed] - f[r] - d1.sum()
                a = int(np.argmin(delta))
                if delta[a] < best_delta:
                    best_delta, best_move = delta[a], ("swap", r, closed[a])
            if time.perf_counter() > deadline:
                break
        if best_move is None:
            break
        kind, a, b = best_move
        if kind == "add":
            open_[a] = True
        elif kind == "drop":
            open_[a] = False
        else:
            open_[a] = False
            open_[b] = True
    return open_


def local_search(core: Core, sol: Solution, v: np.ndarray, deadline: float, U: np.ndarray | None = None) -> Solution:
    """Improve the open set by add / drop / swap moves until no move helps or time runs out."""
    if U is None:
        U = _unit_cost(core)
    if not core.capacitated:
        open_ = _swap_uncapacitated(core, U, sol.open, deadline)
        cost, x = assign(core, open_, U)
        if x is not None and cost < sol.objective:
            return Solution(open_, x, None, cost, sol.bound, "feasible", 0.0, "local search")
        return sol
    best = sol
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        open_ = best.open
        load = (best.x * core.demand[None, :]).sum(axis=1)
        util = np.divide(load, core.capacity, out=np.zeros(core.m), where=core.capacity > 0)
        opened = [i for i in np.argsort(util) if open_[i] and not core.force_open[i]]
        closed = [i for i in np.argsort(v) if not open_[i] and not core.force_closed[i]]
        moves = []
        if open_.sum() > core.kmin:
            moves += [("drop", i, None) for i in opened]
        if open_.sum() < core.kmax:
            moves += [("add", None, j) for j in closed[:20]]
        # swaps: an open site for a promising closed one close to it in cost
        for i in opened:
            near = sorted(closed[:30], key=lambda j: float(np.abs(np.minimum(U[i], 1e9) - np.minimum(U[j], 1e9)).mean()))[:5]
            moves += [("swap", i, j) for j in near]
        for kind, i, j in moves:
            if time.perf_counter() > deadline:
                break
            trial = open_.copy()
            if i is not None:
                trial[i] = False
            if j is not None:
                trial[j] = True
            if not _counts_ok(core, trial):
                continue
            if np.where(trial, core.capacity, 0).sum() < core.demand.sum():
                continue
            cost, x = assign(core, trial, U)
            if x is not None and cost < best.objective - 1e-9 * abs(best.objective):
                best = Solution(trial, x, None, cost, best.bound, "feasible", 0.0, "local search")
                improved = True
                break
    return best


def _iterated_local_search(core: Core, sol: Solution, v: np.ndarray, U: np.ndarray, deadline: float,
                           lb: float, mip_gap: float, seed: int = 0) -> Solution:
    """Close a few open sites and open a few promising closed ones at random, repair, improve; keep the best."""
    rng = np.random.default_rng(seed)
    best = sol
    order = np.argsort(v, kind="stable")
    D = float(core.demand.sum())
    while time.perf_counter() < deadline and best.objective - lb > mip_gap * abs(best.objective):
        trial = best.open.copy()
        opened = np.nonzero(trial & ~core.force_open)[0]
        closed = [i for i in order if not trial[i] and not core.force_closed[i]][:max(5, core.m // 4)]
        k = int(rng.integers(1, 3))
        if len(opened):
            trial[rng.choice(opened, size=min(k, len(opened)), replace=False)] = False
        if closed:
            trial[rng.choice(closed, size=min(k, len(closed)), replace=False)] = True
        trial = _repair_open(core, trial, v)
        if not _counts_ok(core, trial) or np.where(trial, core.capacity, 0).sum() < D:
            continue
        cost, x = assign(core, trial, U)
        if x is None:
            continue
        cand = local_search(core, Solution(trial, x, None, cost, best.bound, "feasible", 0.0, "perturbation"), v,
                            deadline, U)
        if cand.objective < best.objective - 1e-9 * abs(best.objective):
            best = cand
    return best


# ------------------------------------------------------------------------------------------
# the driver
# ------------------------------------------------------------------------------------------


def solve_large(core: Core, *, time_limit_s: float, mip_gap: float = 1e-4, hint: Solution | None = None,
                log=None, lr_share: float = 0.4, lr_cap_s: float = 25.0, local: bool = True,
                lr_iterations: int = 3000) -> Solution:
    """Lagrangian bound + primal repair + local search (+ SCIP with the time left); best found with gap.

    ``lr_share`` / ``lr_cap_s`` bound the time of the subgradient phase; ``local`` turns the
    open-set local search on (models small enough for SCIP leave that to the MIP).
    """
    start = time.perf_counter()
    deadline = start + time_limit_s
    say = log or (lambda *_: None)
    U = _unit_cost(core)
    pairs = int(core.allowed.sum())
    # plants never make a design infeasible (their total capacity covers demand, checked before
    # solving): only the service share needs the MIP to be met
    simple = not core.has_share and not core.has_rows
    best: list[Solution | None] = [hint]
    seen: set[bytes] = set()

    def primal(y: np.ndarray, v: np.ndarray) -> float:
        if not simple:
            return INF
        open_ = _repair_open(core, y, v)
        key = open_.tobytes()
        if key in seen:
            return best[0].objective if best[0] is not None else INF
        seen.add(key)
        cost, x = assign(core, open_, U)
        if x is not None and _counts_ok(core, open_) and (best[0] is None or cost < best[0].objective):
            best[0] = Solution(open_, x, None, cost, -INF, "feasible", 0.0, "lagrangian heuristic")
        return best[0].objective if best[0] is not None else INF

    ub = best[0].objective if best[0] is not None else INF
    lb_deadline = start + min(lr_share * time_limit_s, lr_cap_s)
    lb, u, mu, v, ub = lagrangian(core, deadline=lb_deadline, ub=ub, primal=primal, iterations=lr_iterations)
    # restart the subgradient from the best multipliers while the gap is open and time is left
    while time.perf_counter() < lb_deadline - 0.2 and math.isfinite(ub) and ub - lb > mip_gap * abs(ub):
        lb2, u2, mu2, v2, ub = lagrangian(core, deadline=lb_deadline, ub=ub, primal=primal, u0=u, mu0=mu,
                                          iterations=lr_iterations)
        if lb2 <= lb + 1e-5 * max(1.0, abs(lb)):
            if lb2 > lb:
                lb, u, mu, v = lb2, u2, mu2, v2
            break
        lb, u, mu, v = lb2, u2, mu2, v2
    integral = _integral(core.cost[core.allowed]) and _integral(core.fixed) and not core.two_echelon
    if integral and math.isfinite(lb):
        lb = math.ceil(lb - 1e-6 * max(1.0, abs(lb)))
    say(f"lagrangian bound {lb:,.3f}, heuristic {ub:,.3f} after {time.perf_counter() - start:.1f} s")
    if simple and local and best[0] is not None:
        ls_deadline = deadline - 0.3 if pairs > MIP_PAIRS else start + 0.75 * time_limit_s
        improved = local_search(core, best[0], v, ls_deadline, U)
        if improved.objective < best[0].objective:
            best[0] = improved
        say(f"local search {best[0].objective:,.3f} after {time.perf_counter() - start:.1f} s")
    sol = best[0]
    bound = lb
    done = sol is not None and (sol.objective - bound) <= mip_gap * abs(sol.objective) + 1e-9
    left = deadline - time.perf_counter()
    mip_ran = False
    fix_open = fix_closed = keep = None
    remaining = pairs
    if not done and sol is not None and math.isfinite(lb):
        fix_open, fix_closed, keep = _reduced_cost_fixing(core, u, mu, v, sol.objective, integral)
        keep |= sol.x > 0
        remaining = int(keep.sum())
        say(f"fixed by reduced cost: {int(fix_open.sum())} open, {int(fix_closed.sum())} closed; "
            f"{remaining:,} pairs left")
    if not done and simple and local and sol is not None and remaining > MIP_PAIRS:
        # too big for SCIP: spend the time left on perturbation + local search (iterated local search)
        sol = _iterated_local_search(core, sol, v, U, deadline - 0.3, lb, mip_gap)
        say(f"iterated local search {sol.objective:,.3f} after {time.perf_counter() - start:.1f} s")
        left = 0.0
    if not done and left > 0.3 and (remaining <= MIP_PAIRS or sol is None):
        mip_ran = True
        margin = 0.2 if remaining <= 5_000 else max(0.3, 0.03 * time_limit_s)  # SCIP stops between LPs
        mip = solve_mip(core, time_limit_s=left - 0.3, mip_gap=mip_gap, hint=sol, deadline=deadline - margin,
                        fix_open=fix_open, fix_closed=fix_closed, pairs=keep)
        if fix_open is not None and math.isfinite(mip.bound):
            # solutions outside the fixing cost more than the incumbent: the full model's bound
            mip.bound = min(mip.bound, sol.objective)
        say(f"MIP {mip.status} {mip.objective:,.3f} bound {mip.bound:,.3f} after {time.perf_counter() - start:.1f} s")
        if math.isfinite(mip.objective) and (sol is None or mip.objective < sol.objective - 1e-9):
            sol = Solution(mip.open, mip.x, mip.z, mip.objective, -INF, "feasible", 0.0, "mip")
        if math.isfinite(mip.bound) and mip.status in ("optimal", "feasible"):
            bound = max(bound, mip.bound)
        if mip.status == "infeasible":
            if sol is None:
                return mip
            if fix_open is not None:
                # nothing better than the incumbent survives the fixing: the incumbent is optimal
                bound = max(bound, sol.objective)
    if sol is None:
        return Solution(np.zeros(core.m, bool), np.zeros((core.m, core.n)), None, INF, lb, "no_solution",
                        time.perf_counter() - start, "lagrangian")
    gap_ok = (sol.objective - bound) <= mip_gap * abs(sol.objective) + 1e-9
    method = "lagrangian" + ("+local-search" if local else "") + ("+mip" if mip_ran else "")
    return Solution(sol.open, sol.x, sol.z, sol.objective, min(bound, sol.objective),
                    "optimal" if gap_ok else "feasible", time.perf_counter() - start, method)
