"""The numeric core of facility location: arrays in, open sites and flows out.

Everything here works on NumPy arrays; :mod:`workbench.network.model` turns tables and a
:class:`~workbench.network.model.NetworkSpec` into a :class:`Core` and the solution back into
tables.

Model (all costs per year)::

    min  sum_i f_i y_i + sum_ij c_ij x_ij (+ sum_pi g_pi z_pi)
    s.t. sum_i x_ij = 1                    every customer fully served   (x_ij = share of j's demand)
         sum_j d_j x_ij <= s_i y_i         site capacity
         x_ij <= y_i                       strong linking
         kmin <= sum_i y_i <= kmax         number of sites; forced open / closed sites fixed
         x_ij = 0 where the pair is not allowed (service radius for every customer)
         sum_ij w_ij x_ij >= share * D     share of demand within the radius (w_ij = d_j if within)
         sum_p z_pi = sum_j d_j x_ij       two echelons: inbound units from plants
         sum_i z_pi <= P_p                 plant capacity
         x_ij in {0, 1} with single sourcing.

``c_ij`` is the cost of serving all of customer j's demand from site i (handling + outbound).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Core", "Solution", "solve_core", "evaluate"]

INF = math.inf
#: SCIP settings measured on OR-Library cap41-134 and the sample: few cut rounds, no restarts
#: (the strong formulation's LP bound is already tight; cut loops and restarts cost more than they save)
SCIP_PARAMS = "separating/maxroundsroot = 2\nseparating/maxrounds = 0\npresolving/maxrestarts = 0"


@dataclass
class Core:
    fixed: np.ndarray                  # (m,)
    capacity: np.ndarray               # (m,) np.inf when uncapacitated
    demand: np.ndarray                 # (n,)
    cost: np.ndarray                   # (m, n) cost of serving all of j from i
    allowed: np.ndarray | None = None  # (m, n) bool, None = all
    single: bool = False
    kmin: int = 0
    kmax: int | None = None
    force_open: np.ndarray | None = None    # (m,) bool
    force_closed: np.ndarray | None = None  # (m,) bool
    within: np.ndarray | None = None   # (m, n) bool: pair counts towards the service share
    share: float = 0.0                 # required share of demand served within the radius
    plant_capacity: np.ndarray | None = None  # (p,)
    inbound: np.ndarray | None = None  # (p, m) cost per unit plant -> site
    #: extra capacity rows per site: (a (n,), cap (m,)) meaning sum_j a_j x_ij <= cap_i y_i (peak weeks)
    site_rows: list = field(default_factory=list)
    #: extra global rows: (coef (m, n), inbound coef (p, m) or None, rhs): sum coef x + sum inb z <= rhs (CO2 cap)
    global_rows: list = field(default_factory=list)
    #: annual capacity under which every site row holds whatever the customer mix (for constructions)
    safe_capacity: np.ndarray | None = None

    def __post_init__(self):
        self.fixed = np.asarray(self.fixed, float)
        self.capacity = np.asarray(self.capacity, float)
        self.demand = np.asarray(self.demand, float)
        self.cost = np.asarray(self.cost, float)
        m, n = self.cost.shape
        if self.allowed is None:
            self.allowed = np.ones((m, n), bool)
        if self.force_open is None:
            self.force_open = np.zeros(m, bool)
        if self.force_closed is None:
            self.force_closed = np.zeros(m, bool)
        if self.kmax is None:
            self.kmax = m

    @property
    def m(self) -> int:
        return self.cost.shape[0]

    @property
    def n(self) -> int:
        return self.cost.shape[1]

    @property
    def two_echelon(self) -> bool:
        return self.plant_capacity is not None

    @property
    def capacitated(self) -> bool:
        return bool(np.isfinite(self.capacity).any())

    @property
    def has_share(self) -> bool:
        return self.within is not None and self.share > 0

    @property
    def has_rows(self) -> bool:
        return bool(self.site_rows) or bool(self.global_rows)

    def rows_ok(self, x: np.ndarray, open_: np.ndarray, z: np.ndarray | None = None) -> bool:
        """Do the extra rows hold for flows ``x`` (shares) and plant flows ``z`` (units)?"""
        for a, cap in self.site_rows:
            load = x @ a
            if (load > np.where(open_, cap, 0.0) * (1 + 1e-9) + 1e-6).any():
                return False
        for coef, inb, rhs in self.global_rows:
            val = float((coef * x).sum())
            if inb is not None:
                if z is None:
                    z = plant_transport(self, (x * self.demand[None, :]).sum(axis=1))
                    if z is None:
                        return False
                val += float((inb * z).sum())
            if val > rhs * (1 + 1e-9) + 1e-6:
                return False
        return True


@dataclass
class Solution:
    open: np.ndarray                     # (m,) bool
    x: np.ndarray                        # (m, n) share of j's demand served by i
    z: np.ndarray | None = None          # (p, m) units plant -> site
    objective: float = INF
    bound: float = -INF
    status: str = "unknown"              # optimal | feasible | infeasible | no_solution
    seconds: float = 0.0
    method: str = ""
    log: list = field(default_factory=list)

    @property
    def gap(self) -> float:
        if not math.isfinite(self.objective) or not math.isfinite(self.bound):
            return INF
        return max(0.0, (self.objective - self.bound) / max(abs(self.objective), 1e-9))


def evaluate(core: Core, x: np.ndarray, open_: np.ndarray, z: np.ndarray | None = None) -> float:
    """Objective of a solution (no feasibility check); plant flows are the cheapest ones if not given."""
    val = float(core.fixed[open_].sum() + (core.cost * x).sum())
    if core.two_echelon:
        if z is None:
            z = plant_transport(core, (x * core.demand[None, :]).sum(axis=1))
        if z is None:
            return INF
        val += float((core.inbound * z).sum())
    return val


def plant_transport(core: Core, load: np.ndarray) -> np.ndarray | None:
    """Cheapest plant -> site flows (units) for given site loads (a small LP), None if plants are short."""
    from ortools.linear_solver import pywraplp

    p, m = core.inbound.shape
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    scale = max(float(load.sum()), 1.0)
    z = [[solver.NumVar(0, inf, "") for _ in range(m)] for _ in range(p)]
    for i in range(m):
        ct = solver.Constraint(float(load[i]) / scale, float(load[i]) / scale)
        for q in range(p):
            ct.SetCoefficient(z[q][i], 1.0)
    for q in range(p):
        ct = solver.Constraint(-inf, float(core.plant_capacity[q]) / scale)
        for i in range(m):
            ct.SetCoefficient(z[q][i], 1.0)
    obj = solver.Objective()
    for q in range(p):
        for i in range(m):
            obj.SetCoefficient(z[q][i], float(core.inbound[q, i]))
    obj.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return np.array([[max(0.0, z[q][i].solution_value()) * scale for i in range(m)] for q in range(p)])


# ------------------------------------------------------------------------------------------
# the MIP (OR-Tools, SCIP)
# ------------------------------------------------------------------------------------------


def solve_mip(core: Core, *, time_limit_s: float, mip_gap: float = 1e-6,
              hint: Solution | None = None, fix_closed: np.ndarray | None = None,
              fix_open: np.ndarray | None = None, pairs: np.ndarray | None = None, threads: int = 1, scip_params: str | None = None,
              deadline: float | None = None) -> Solution:
    """Solve the full model (or a restricted one: ``fix_closed`` sites off, ``fix_open`` on, only ``pairs``)."""
    from ortools.linear_solver import pywraplp

    start = time.perf_counter()
    m, n = core.m, core.n
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools always ships SCIP
        raise RuntimeError("OR-Tools has no SCIP solver")
    inf = solver.infinity()
    allowed = core.allowed if pairs is None else (core.allowed & pairs)
    closed = core.force_closed.copy()
    if fix_closed is not None:
        closed |= fix_closed
    opened = core.force_open.copy()
    if fix_open is not None:
        opened |= fix_open & ~closed
    y = []
    for i in range(m):
        lb = 1 if opened[i] else 0
        ub = 0 if closed[i] else 1
        y.append(solver.IntVar(lb, ub, f"y{i}"))
    ii, jj = np.nonzero(allowed & ~closed[:, None])
    if core.single:
        xs = [solver.IntVar(0, 1, "") for _ in range(len(ii))]
    else:
        xs = [solver.NumVar(0, 1, "") for _ in range(len(ii))]
    objective = solver.Objective()
    for i in range(m):
        objective.SetCoefficient(y[i], float(core.fixed[i]))
    cost = core.cost[ii, jj]
    for k in range(len(ii)):
        objective.SetCoefficient(xs[k], float(cost[k]))
    objective.SetMinimization()
    # assignment rows
    by_j = [[] for _ in range(n)]
    by_i = [[] for _ in range(m)]
    for k in range(len(ii)):
        by_j[jj[k]].append(k)
        by_i[ii[k]].append(k)
    for j in range(n):
        ct = solver.Constraint(1.0, 1.0)
        for k in by_j[j]:
            ct.SetCoefficient(xs[k], 1.0)
    d = core.demand
    cap = core.capacity
    for i in range(m):
        if not by_i[i] and not math.isfinite(cap[i]):
            continue
        if math.isfinite(cap[i]):
            # scaled by the capacity: sum_j (d_j / s_i) x_ij <= y_i (coefficients near 1)
            ct = solver.Constraint(-inf, 0.0)
            sc = float(cap[i]) if cap[i] > 0 else 1.0
            for k in by_i[i]:
                ct.SetCoefficient(xs[k], float(d[jj[k]]) / sc)
            ct.SetCoefficient(y[i], -float(cap[i]) / sc)
        for k in by_i[i]:
            ct = solver.Constraint(-inf, 0.0)
            ct.SetCoefficient(xs[k], 1.0)
            ct.SetCoefficient(y[i], -1.0)
    # aggregate capacity (a valid cut that tightens the relaxation)
    D = float(d.sum()) if d.sum() > 0 else 1.0
    if core.capacitated and np.isfinite(cap).all():
        ct = solver.Constraint(1.0, inf)
        for i in range(m):
            ct.SetCoefficient(y[i], float(cap[i]) / D)
    ct = solver.Constraint(float(core.kmin), float(core.kmax))
    for i in range(m):
        ct.SetCoefficient(y[i], 1.0)
    if core.has_share:
        # share of demand within the radius, as a share of total demand
        w = core.within[ii, jj] * d[jj] / D
        ct = solver.Constraint(float(core.share) - 1e-9, inf)
        for k in np.nonzero(w)[0]:
            ct.SetCoefficient(xs[k], float(w[k]))
    for a, cap_r in core.site_rows:
        # sum_j a_j x_ij <= cap_i y_i, scaled by the capacity like the annual capacity rows
        for i in range(m):
            if not by_i[i]:
                continue
            sc = float(cap_r[i]) if cap_r[i] > 0 else 1.0
            ct = solver.Constraint(-inf, 0.0)
            for k in by_i[i]:
                if a[jj[k]]:
                    ct.SetCoefficient(xs[k], float(a[jj[k]]) / sc)
            ct.SetCoefficient(y[i], -float(cap_r[i]) / sc)
    z = None
    global_cts = []
    for coef, inb, rhs in core.global_rows:
        sc = max(abs(float(rhs)), 1.0)
        ct = solver.Constraint(-inf, float(rhs) / sc)
        cvals = coef[ii, jj]
        for k in np.nonzero(cvals)[0]:
            ct.SetCoefficient(xs[k], float(cvals[k]) / sc)
        global_cts.append((ct, inb, sc))
    if core.two_echelon:
        # z[q][i]: plant q -> site i flow as a share of total demand (units = D * z)
        p = len(core.plant_capacity)
        z = [[solver.NumVar(0, inf, "") for i in range(m)] for _ in range(p)]
        for ct, inb, sc in global_cts:
            if inb is not None:
                for q in range(p):
                    for i in range(m):
                        ct.SetCoefficient(z[q][i], float(inb[q, i]) * D / sc)
        for q in range(p):
            for i in range(m):
                objective.SetCoefficient(z[q][i], float(core.inbound[q, i]) * D)
        for i in range(m):
            ct = solver.Constraint(0.0, 0.0)
            for q in range(p):
                ct.SetCoefficient(z[q][i], 1.0)
            for k in by_i[i]:
                ct.SetCoefficient(xs[k], -float(d[jj[k]]) / D)
        for q in range(p):
            ct = solver.Constraint(-inf, float(core.plant_capacity[q]) / D)
            for i in range(m):
                ct.SetCoefficient(z[q][i], 1.0)
    if hint is not None and math.isfinite(hint.objective):
        hv = [y[i] for i in range(m)] + xs
        vals = [float(hint.open[i]) for i in range(m)] + [float(hint.x[ii[k], jj[k]]) for k in range(len(ii))]
        solver.SetHint(hv, vals)
    if deadline is not None:  # the time spent building the model counts
        time_limit_s = min(time_limit_s, deadline - time.perf_counter())
    else:
        time_limit_s = time_limit_s - (time.perf_counter() - start)
    solver.SetTimeLimit(max(50, int(time_limit_s * 1000)))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, mip_gap)
    if threads > 1:
        solver.SetNumThreads(threads)
    if scip_params is None:
        scip_params = SCIP_PARAMS
    if scip_params:
        solver.SetSolverSpecificParametersAsString(scip_params)
    status = solver.Solve(params)
    secs = time.perf_counter() - start
    if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        open_ = np.array([y[i].solution_value() > 0.5 for i in range(m)])
        x = np.zeros((m, n))
        vals = np.array([v.solution_value() for v in xs])
        if core.single:
            vals = np.round(vals)
        x[ii, jj] = np.clip(vals, 0.0, 1.0)
        zz = None
        if z is not None:
            zz = np.array([[max(0.0, v.solution_value()) * D for v in row] for row in z])
        obj = solver.Objective().Value()
        bound = solver.Objective().BestBound()
        st = "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible"
        if st == "optimal":
            bound = max(bound, obj - abs(obj) * mip_gap)
        return Solution(open_, x, zz, obj, bound, st, secs, "mip")
    if status == pywraplp.Solver.INFEASIBLE:
        return Solution(np.zeros(m, bool), np.zeros((m, n)), None, INF, INF, "infeasible", secs, "mip")
    return Solution(np.zeros(m, bool), np.zeros((m, n)), None, INF, -INF, "no_solution", secs, "mip")
