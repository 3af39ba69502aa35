"""Network design against brute force: every DC count of small generated instances.

Every subset of up to 7 candidate sites is enumerated; for single sourcing every assignment of
the customers to the subset's sites is enumerated too (an exact generalised-assignment check),
for split sourcing each subset's transportation LP is solved. Each exact DC count (and "at most
k") must be feasible exactly when brute force finds a feasible design, at the brute-force cost
within the solver's gap. Instances are drawn so that only a few sites can hold all demand (the
shape where a count limit used to end in "no feasible network").
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from workbench.errors import SolverError, SpecificationError
from workbench.network import FacilityProblem, NetworkSpec, check_network, sweep_dc_count
from workbench.network.heuristics import greedy_solution

GAP = 1e-4


def instance(seed: int, m: int, n: int):
    """Sites of two kinds: a few that hold all demand, the rest a share of it; integral data."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 20, n).astype(float)
    D = demand.sum()
    big = rng.integers(1, 3)
    cap = np.where(np.arange(m) < big, D, np.ceil(rng.uniform(0.25, 0.6) * D))
    cap = cap[rng.permutation(m)]
    fixed = rng.integers(20, 200, m).astype(float) + np.where(cap >= D, 150.0, 0.0)
    cost = rng.integers(1, 30, (m, n)).astype(float) * demand[None, :]
    return cost, demand, fixed, cap


def brute_force(cost, demand, fixed, cap, single: bool) -> dict[int, float]:
    """Cheapest cost per number of open sites (missing key: no feasible design with that count)."""
    m, n = cost.shape
    best: dict[int, float] = {}
    for k in range(1, m + 1):
        for subset in itertools.combinations(range(m), k):
            sub = np.array(subset)
            if cap[sub].sum() < demand.sum() - 1e-9:
                continue
            if single:
                a = np.array(list(itertools.product(range(k), repeat=n)))          # (k^n, n)
                load = np.zeros((len(a), k))
                for j in range(n):
                    np.add.at(load, (np.arange(len(a)), a[:, j]), demand[j])
                ok = (load <= cap[sub][None, :] + 1e-9).all(axis=1)
                if not ok.any():
                    continue
                c = cost[sub][a, np.arange(n)].sum(axis=1)
                val = float(c[ok].min())
            else:
                # x_ij share of j from site i: sum_i x_ij = 1, sum_j d_j x_ij <= s_i
                A_eq = np.zeros((n, k * n))
                A_ub = np.zeros((k, k * n))
                for i in range(k):
                    for j in range(n):
                        A_eq[j, i * n + j] = 1.0
                        A_ub[i, i * n + j] = demand[j]
                lp = linprog(cost[sub].ravel(), A_ub=A_ub, b_ub=cap[sub], A_eq=A_eq, b_eq=np.ones(n),
                             bounds=(0, 1), method="highs")
                if lp.status != 0:
                    continue
                val = float(lp.fun)
            val += float(fixed[sub].sum())
            best[k] = min(best.get(k, np.inf), val)
    return best


def problem_of(cost, demand, fixed, cap, **spec) -> FacilityProblem:
    return FacilityProblem.from_cost_matrix(cost, demand=demand, fixed_cost=fixed, capacity=cap,
                                            spec=NetworkSpec(time_limit_s=20, mip_gap=GAP, **spec))


CASES = [(seed, 4 + seed % 3, 4 + seed % 2, sourcing) for seed in range(5) for sourcing in ("single", "multi")]


@pytest.mark.parametrize("seed,m,n,sourcing", CASES)
def test_every_dc_count_matches_brute_force(seed, m, n, sourcing):
    """Exact k and at most k: feasible exactly when brute force finds a design, at its cost within the gap."""
    cost, demand, fixed, cap = instance(seed, m, n)
    truth = brute_force(cost, demand, fixed, cap, sourcing == "single")
    for k in range(1, m + 1):
        for spec in ({"dc_count": k}, {"max_dcs": k}):
            expect = truth.get(k) if "dc_count" in spec else min((v for kk, v in truth.items() if kk <= k),
                                                                 default=None)
            problem = problem_of(cost, demand, fixed, cap, sourcing=sourcing, **spec)
            if expect is None:
                with pytest.raises((SpecificationError, SolverError)) as info:
                    problem.solve()
                assert "time limit" not in str(info.value), (spec, str(info.value))
                continue
            result = problem.solve()
            assert check_network(result, problem).ok
            assert result.total_cost == pytest.approx(expect, rel=GAP), (spec, truth)
            assert result.best_bound <= expect * (1 + 1e-9) + 1e-6


@pytest.mark.parametrize("seed", range(2))
def test_sweep_matches_brute_force(seed):
    """The DC-count sweep marks exactly the counts brute force cannot meet as infeasible, costs equal."""
    cost, demand, fixed, cap = instance(100 + seed, 7, 5)
    truth = brute_force(cost, demand, fixed, cap, True)
    sweep = sweep_dc_count(problem_of(cost, demand, fixed, cap, sourcing="single"), range(1, 8))
    for row in sweep.table.itertuples():
        if row.dc_count in truth:
            assert row.status in ("optimal", "feasible"), row.reason
            assert row.total_cost == pytest.approx(truth[row.dc_count], rel=GAP)
        else:
            assert row.status == "infeasible"


@pytest.mark.parametrize("seed", range(10))
def test_greedy_construction_finds_a_design_whenever_one_exists(seed):
    """The construction that seeds every solve (and is kept as the incumbent) is feasible for every
    count that brute force can meet with split demand, and under single sourcing for one DC when a
    site holds all demand; its design is never cheaper than the brute-force optimum."""
    cost, demand, fixed, cap = instance(200 + seed, 6, 5)
    truth = {True: brute_force(cost, demand, fixed, cap, True), False: brute_force(cost, demand, fixed, cap, False)}
    for single in (True, False):
        for k in range(1, 7):
            for spec in ({"dc_count": k}, {"max_dcs": k}):
                core = problem_of(cost, demand, fixed, cap, sourcing="single" if single else "multi", **spec).core()
                sol = greedy_solution(core)
                ks = [k] if "dc_count" in spec else list(range(1, k + 1))
                best = min((truth[single][kk] for kk in ks if kk in truth[single]), default=None)
                if sol is not None:
                    assert best is not None and sol.objective >= best * (1 - 1e-9)
                    assert core.kmin <= sol.open.sum() <= core.kmax
                    load = (sol.x * demand[None, :]).sum(axis=1)
                    assert (load <= cap + 1e-9).all() and np.allclose(sol.x.sum(axis=0), 1.0)
                if not single and best is not None:
                    assert sol is not None, spec
                if single and k == 1 and (cap >= demand.sum()).any():
                    assert sol is not None, spec


def test_one_dc_on_a_large_single_sourcing_network_with_few_big_sites():
    """676 customers, 14 sites of which 4 hold all demand and 10 hold 45%, single sourcing: exactly one
    DC and at most one DC give the cheapest single big site (the brute force over the 4 big sites)."""
    rng = np.random.default_rng(1)
    n, m = 676, 14
    demand = rng.integers(10, 2000, n).astype(float)
    D = demand.sum()
    cap = np.array([D] * 4 + [np.ceil(0.45 * D)] * 10)
    fixed = np.array([500_000.0] * 4 + [200_000.0] * 10)
    cost = rng.uniform(50, 3000, (m, n)).round() * demand[None, :] * 0.001
    expect = min(fixed[i] + cost[i].sum() for i in range(4))
    for spec in ({"dc_count": 1}, {"max_dcs": 1}):
        problem = problem_of(cost, demand, fixed, cap, sourcing="single", **spec)
        result = problem.solve()
        assert result.dc_count == 1 and check_network(result, problem).ok
        assert result.total_cost == pytest.approx(expect, rel=1e-9)


def test_sweep_never_marks_a_count_infeasible_while_a_neighbour_design_is_known(monkeypatch):
    """When the solver gives up on a count (no design, no proof), the sweep starts that count again from
    the neighbouring counts' designs (one site added / dropped) and reports the design found."""
    import workbench.network.model as model

    real_large = model.solve_large
    monkeypatch.setattr(model, "greedy_solution", lambda core, v=None: None)

    def giving_up(core, *, hint=None, **kw):
        if core.kmin == 2 and hint is None:
            return model.Solution(np.zeros(core.m, bool), np.zeros((core.m, core.n)), None, model.INF, -model.INF,
                                  "no_solution", 0.0, "mip")
        return real_large(core, hint=hint, **kw)

    monkeypatch.setattr(model, "solve_large", giving_up)
    cost, demand, fixed, cap = instance(100, 7, 5)
    truth = brute_force(cost, demand, fixed, cap, True)
    problem = problem_of(cost, demand, fixed, cap, sourcing="single")
    with pytest.raises(SolverError, match="no feasible network was found"):
        problem.with_spec(dc_count=2).solve()
    sweep = sweep_dc_count(problem, range(1, 4))
    row = sweep.table.set_index("dc_count").loc[2]
    assert row["status"] in ("optimal", "feasible")
    assert row["total_cost"] >= truth[2] * (1 - 1e-9)
    assert check_network(sweep.results[2], problem.with_spec(dc_count=2)).ok


# ------------------------------------------------------------------------------------------
# the lower bound with inventory (a concave cost priced by an iteration)
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_inventory_lower_bound_holds_and_the_gap_is_reported_right(seed):
    """With inventory priced, the reported bound is at most the true optimum (brute force over every
    single-sourcing assignment, exact inventory cost), equals the optimum without inventory (brute
    force) plus the inventory of all demand pooled at one DC, and the gap is (total - bound) / total;
    the result says what is proven and what is not."""
    from tests.test_network_tradeoff import brute_force as brute_force_network, brute_force_inventory, line

    rng = np.random.default_rng(seed)
    n, m = 6, 3
    cust = np.sort(rng.uniform(0, 6, n))
    demand = rng.integers(500, 1500, n).astype(float)
    sites = np.sort(rng.uniform(0, 6, m))
    p = line(cust, demand, sites, fixed=float(rng.uniform(20, 80)), inventory=True,
             holding_rate=float(rng.choice([0.25, 1.0, 4.0])), outbound_rate=0.01)
    r = p.solve()
    assert check_network(r, p).ok
    optimum = brute_force_inventory(p)
    assert r.total_cost >= optimum * (1 - 1e-9)
    assert r.best_bound <= optimum * (1 + 1e-9)
    pooled = np.zeros((m, n))
    pooled[0] = demand
    least_inventory = p.inventory_by_site(pooled)["inventory_cost"].sum()
    assert p.min_inventory_cost() == pytest.approx(least_inventory, rel=1e-12)
    assert r.best_bound == pytest.approx(brute_force_network(p, inventory=False) + least_inventory, rel=1e-6)
    assert r.gap == pytest.approx((r.total_cost - r.best_bound) / r.total_cost, abs=1e-12)
    assert r.status == ("optimal" if r.gap <= p.spec.mip_gap + 1e-12 else "feasible")
    assert "Proven:" in r.bound_method and "Not proven:" in r.bound_method
    assert r.bound_method in r.notes
