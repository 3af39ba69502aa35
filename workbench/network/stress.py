"""A site lost: close each open DC (and each plant with two echelons) in turn and re-plan around it.

For a lost DC, the customers it served are re-assigned to the other open DCs within their
spare capacity (the rest of the network keeps its flows), by the cheapest re-assignment: a
linear programme over handling + outbound (+ the cheapest inbound, + the carbon price) per
unit, where demand that no DC can take any more is left unserved (at a penalty far above any
cost, so only when capacity runs out). In an emergency a customer may be split between DCs,
even under single sourcing. For a lost plant, the DCs are re-supplied from the other plants
within their capacity; a DC that cannot be fully supplied serves its customers in proportion.

Each scenario is re-costed exactly (fixed costs stay: the lost site's lease is still paid;
inventory and carbon recomputed) and reports the extra cost per year, the service drop (mean
distance, share within the service radius) and the demand that can no longer be served.
:func:`workbench.network.check_stress` verifies every re-assignment independently.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from ..errors import SolverError
from .core import Solution
from .model import FacilityProblem, NetworkResult, build_result

__all__ = ["StressResult", "stress_test", "scenario_problem", "STRESS_COLUMNS"]

STRESS_COLUMNS = ("lost_site", "kind", "customers_affected", "units_moved", "unserved_units", "unserved_share",
                  "extra_cost", "total_cost", "mean_distance_km", "mean_distance_change_km",
                  "share_within_radius", "service_drop", "co2_t")


@dataclass(frozen=True)
class StressResult:
    """One row per lost site (``table``, worst first) and the re-planned design of each (``designs``)."""

    table: pd.DataFrame
    designs: dict          # lost site id -> NetworkResult of the network without it
    base: NetworkResult

    @property
    def worst(self) -> pd.Series | None:
        """The lost site that hurts most: most unserved demand, then the largest extra cost."""
        return self.table.iloc[0] if len(self.table) else None


def scenario_problem(problem: FacilityProblem, result: NetworkResult, lost: str, served: np.ndarray) -> FacilityProblem:
    """The problem a scenario's design answers: demand = what is still served, the lost site closed,
    the other sites of the design open, split sourcing allowed, no count, share, peak or CO2 rule
    (those are reported)."""
    spec = dataclasses.replace(
        problem.spec, dc_count=None, min_dcs=0, max_dcs=None, service_share=0.0, peak_constraint=False,
        sourcing="multi",  # in an emergency a customer may be split between DCs
        co2_cap_kg=None, force_closed=tuple(s for s in (*problem.spec.force_closed, lost) if s in set(problem.sites["site_id"])),
        force_open=tuple(s for s in result.open_site_ids if s != lost))
    cust = problem.customers.copy()
    cust["demand"] = served
    plants = problem.plants
    if lost in set(plants["plant_id"]):
        plants = plants.copy()
        plants.loc[plants["plant_id"] == lost, "capacity"] = 0.0
    return dataclasses.replace(problem, customers=cust, plants=plants, spec=spec)


def _variable(r: NetworkResult) -> float:
    return r.total_cost - r.fixed_cost


def _units(problem: FacilityProblem, result: NetworkResult) -> np.ndarray:
    sidx = {s: i for i, s in enumerate(problem.sites["site_id"])}
    cidx = {c: j for j, c in enumerate(problem.customers["customer_id"])}
    U = np.zeros((len(sidx), len(cidx)))
    for cid, sid, u in result.flows[["customer_id", "site_id", "units"]].itertuples(index=False):
        U[sidx[sid], cidx[cid]] += u
    return U


def _design(problem: FacilityProblem, result: NetworkResult, lost: str, U: np.ndarray,
            z: np.ndarray | None, open_: np.ndarray) -> NetworkResult:
    served = U.sum(axis=0)
    sp = scenario_problem(problem, result, lost, served)
    core = sp.core()
    x = np.divide(U, served[None, :], out=np.zeros_like(U), where=served[None, :] > 0)
    sol = Solution(open_, x, z, math.nan, math.nan, "feasible", 0.0, "stress test")
    return build_result(sp, core, sol)


def _lose_dc(problem: FacilityProblem, result: NetworkResult, i: int, U: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """New units matrix without site i (its customers re-assigned within spare capacity)."""
    s = problem.spec
    handling, outbound = problem.unit_costs()
    unit = handling + outbound
    if s.carbon_price > 0:
        co2_out, _ = problem.co2_per_unit()
        if co2_out is not None:
            unit = unit + co2_out * s.carbon_price / 1000.0
    inb = problem.inbound_unit_cost()
    if inb is not None:
        unit = unit + inb.min(axis=0)[:, None]
    open_ = result.sites.set_index("site_id").loc[list(problem.sites["site_id"]), "open"].to_numpy(bool).copy()
    open_[i] = False
    cap = problem.sites["capacity"].to_numpy(float)
    d = problem.customers["demand"].to_numpy(float)
    size = problem.capacity_use() / np.maximum(d, 1e-300) if problem.spec.capacity_basis == "m3" else np.ones(len(d))
    load = (U * size[None, :]).sum(axis=1)             # in the capacity's unit (units or m3)
    resid = np.where(open_, np.maximum(cap - load, 0.0), 0.0)
    moved = U[i].copy()
    js = np.nonzero(moved > 1e-9)[0]
    ks = np.nonzero(open_ & (resid > 1e-9))[0]
    V = U.copy()
    V[i] = 0.0
    if len(js) == 0:
        return V, open_
    nk, nj = len(ks), len(js)
    penalty = 1e3 * max(1.0, float(np.nanmax(np.where(np.isfinite(unit), unit, 0.0))))
    # variables: u[k, j] (k-major) then w[j]
    c = np.concatenate([unit[np.ix_(ks, js)].ravel(), np.full(nj, penalty)])
    rows = np.concatenate([np.tile(np.arange(nj), nk), np.arange(nj)])
    cols = np.arange(nk * nj + nj)
    A_eq = coo_matrix((np.ones(len(cols)), (rows, cols)), shape=(nj, nk * nj + nj))
    rows_u = np.repeat(np.arange(nk), nj)
    A_ub = coo_matrix((np.tile(size[js], nk), (rows_u, np.arange(nk * nj))), shape=(nk, nk * nj + nj)) if nk else None
    finite = np.isfinite(resid[ks])
    b_ub = np.where(finite, resid[ks], (moved * size).sum()) if nk else None
    lp = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=moved[js], bounds=(0, None), method="highs")
    if lp.status != 0:
        raise SolverError(f"the re-assignment without {problem.sites['site_id'].iloc[i]} failed: {lp.message}")
    u = lp.x[:nk * nj].reshape(nk, nj)
    u[u < 1e-9 * max(1.0, moved.max())] = 0.0
    V[np.ix_(ks, js)] += u
    return V, open_


def _lose_plant(problem: FacilityProblem, result: NetworkResult, q: int, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New units and plant flows without plant q (DCs short of supply serve their customers pro rata)."""
    inb = problem.inbound_unit_cost()
    if problem.spec.carbon_price > 0:
        _, co2_in = problem.co2_per_unit()
        if co2_in is not None:
            inb = inb + co2_in * problem.spec.carbon_price / 1000.0
    pcap = problem.plants["capacity"].to_numpy(float).copy()
    pcap[q] = 0.0
    load = U.sum(axis=1)
    sites = np.nonzero(load > 1e-9)[0]
    P, k = len(pcap), len(sites)
    penalty = 1e3 * max(1.0, float(inb.max()))
    c = np.concatenate([inb[:, sites].ravel(), np.full(k, penalty)])
    rows = np.concatenate([np.tile(np.arange(k), P), np.arange(k)])
    A_eq = coo_matrix((np.ones(P * k + k), (rows, np.arange(P * k + k))), shape=(k, P * k + k))
    A_ub = coo_matrix((np.ones(P * k), (np.repeat(np.arange(P), k), np.arange(P * k))), shape=(P, P * k + k))
    lp = linprog(c, A_ub=A_ub, b_ub=pcap, A_eq=A_eq, b_eq=load[sites], bounds=(0, None), method="highs")
    if lp.status != 0:
        raise SolverError(f"the re-supply without plant {problem.plants['plant_id'].iloc[q]} failed: {lp.message}")
    zs = lp.x[:P * k].reshape(P, k)
    zs[zs < 1e-9 * max(1.0, load.max())] = 0.0
    z = np.zeros((P, len(load)))
    z[:, sites] = zs
    supplied = z.sum(axis=0)
    factor = np.divide(supplied, load, out=np.ones_like(load), where=load > 0)
    return U * np.minimum(factor, 1.0)[:, None], z


def stress_test(result: NetworkResult, problem: FacilityProblem, *,
                progress: Callable[[int, int], None] | None = None) -> StressResult:
    """Close each open DC (and each plant with two echelons) of ``result`` in turn and re-plan around it."""
    U = _units(problem, result)
    d = problem.customers["demand"].to_numpy(float)
    D = float(d.sum())
    open_ids = list(result.open_site_ids)
    plant_ids = list(problem.plants["plant_id"]) if problem.spec.two_echelon else []
    total = len(open_ids) + len(plant_ids)
    base_var = _variable(result)
    sidx = {s: i for i, s in enumerate(problem.sites["site_id"])}
    rows, designs = [], {}
    done = 0
    for kind, lost in [("DC", s) for s in open_ids] + [("plant", p) for p in plant_ids]:
        lost_fixed = 0.0
        if kind == "DC":
            i = sidx[lost]
            lost_fixed = float(problem.sites["fixed_cost"].iloc[i]) * problem.spec.fixed_cost_multiplier
            V, open_ = _lose_dc(problem, result, i, U)
            z = None
            moved = float(U[i].sum())
            affected = int((U[i] > 1e-9).sum())
            design = _design(problem, result, lost, V, z, open_)
        else:
            q = list(problem.plants["plant_id"]).index(lost)
            V, z = _lose_plant(problem, result, q, U)
            open_ = result.sites.set_index("site_id").loc[list(problem.sites["site_id"]), "open"].to_numpy(bool).copy()
            base_z = result.inbound[result.inbound["plant_id"] == lost]
            moved = float(base_z["units"].sum())
            affected = int(((U.sum(axis=0) - V.sum(axis=0)) > 1e-9).sum())
            design = _design(problem, result, lost, V, z, open_)
        unserved = max(0.0, D - float(V.sum()))
        designs[lost] = design
        within_before = result.share_within_radius
        within_after = (design.share_within_radius * float(V.sum()) / D) if D > 0 else math.nan
        rows.append({
            "lost_site": lost, "kind": kind, "customers_affected": affected, "units_moved": moved,
            "unserved_units": unserved, "unserved_share": unserved / D if D > 0 else 0.0,
            # the lost DC's fixed cost is still paid (its lease runs on)
            "extra_cost": _variable(design) - base_var, "total_cost": design.total_cost + lost_fixed,
            "mean_distance_km": design.mean_distance_km,
            "mean_distance_change_km": design.mean_distance_km - result.mean_distance_km,
            "share_within_radius": within_after,
            "service_drop": (within_before - within_after) if result.service_radius_km is not None else math.nan,
            "co2_t": design.co2_kg / 1000.0,
        })
        done += 1
        if progress is not None:
            progress(done, total)
    table = pd.DataFrame(rows, columns=list(STRESS_COLUMNS))
    if len(table):
        table = table.sort_values(["unserved_units", "extra_cost"], ascending=False).reset_index(drop=True)
    return StressResult(table, designs, result)
