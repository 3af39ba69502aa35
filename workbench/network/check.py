"""An independent checker of a network design.

It reads only the result's tables (open sites, customer -> site flows, plant -> site flows) and
the problem's raw data (demands, capacities, coordinates-derived distances, rates from the
spec); it never looks at the solver's variables. It verifies that all demand is served, only
open sites ship, capacities, sourcing, the number of DCs, forced sites, the service constraint
and plant capacities hold, and recomputes every cost and service KPI from the flows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CheckedReport
from .model import FacilityProblem, NetworkResult

__all__ = ["check_network", "NetworkCheck", "check_stress"]

REL = 1e-6


@dataclass(frozen=True)
class NetworkCheck(CheckedReport):
    """What the checker found: ``violations`` (check, message) and the recomputed totals."""

    violations: pd.DataFrame
    fixed_cost: float
    handling_cost: float
    inbound_cost: float
    outbound_cost: float
    total_cost: float
    mean_distance_km: float
    share_within_radius: float
    max_distance_km: float

    _subject = "the network"

    def __repr__(self) -> str:
        state = self._state()
        return f"NetworkCheck({state}, total cost {self.total_cost:,.2f})"


def _close(a: float, b: float, scale: float) -> bool:
    if (isinstance(a, float) and math.isnan(a)) and (isinstance(b, float) and math.isnan(b)):
        return True
    return abs(a - b) <= REL * max(1.0, abs(scale))


def check_network(result: NetworkResult, problem: FacilityProblem) -> NetworkCheck:
    """Verify ``result`` against ``problem`` and recompute its costs and service KPIs."""
    out: list[tuple[str, str]] = []

    def bad(check: str, message: str) -> None:
        out.append((check, message))

    spec = problem.spec
    cust = problem.customers
    sites = problem.sites
    cidx = {c: j for j, c in enumerate(cust["customer_id"])}
    sidx = {s: i for i, s in enumerate(sites["site_id"])}
    m, n = len(sites), len(cust)
    demand = cust["demand"].to_numpy(float)
    D = float(demand.sum())

    # open sites as the result states them
    st = result.sites
    unknown_sites = sorted(set(st["site_id"]) - set(sidx))
    if unknown_sites:
        bad("sites", f"the result lists unknown sites {unknown_sites[:5]}")
    is_open = np.zeros(m, bool)
    for sid, o in zip(st["site_id"], st["open"]):
        if sid in sidx:
            is_open[sidx[sid]] = bool(o)

    # flows -> matrix of units
    units = np.zeros((m, n))
    f = result.flows
    for cid, sid, u in zip(f["customer_id"], f["site_id"], f["units"].to_numpy(float)):
        if cid not in cidx:
            bad("flows", f"flow to unknown customer {cid}")
            continue
        if sid not in sidx:
            bad("flows", f"flow from unknown site {sid}")
            continue
        if u < -1e-9:
            bad("flows", f"negative flow {u:,.3f} from {sid} to {cid}")
        units[sidx[sid], cidx[cid]] += u

    served = units.sum(axis=0)
    for j in np.nonzero(np.abs(served - demand) > 1e-6 * np.maximum(1.0, demand))[0][:20]:
        bad("demand", f"customer {cust['customer_id'].iloc[j]} receives {served[j]:,.3f} units/yr of its "
                      f"{demand[j]:,.3f}")
    ships = units.sum(axis=1) > 1e-9
    for i in np.nonzero(ships & ~is_open)[0]:
        bad("open", f"site {sites['site_id'].iloc[i]} ships {units[i].sum():,.1f} units/yr but is not open")
    load = units.sum(axis=1)
    cap = sites["capacity"].to_numpy(float)
    if spec.capacity_basis == "m3":
        m3_unit = problem.profile.mix @ problem.profile.volume_m3
        cap_units = units * m3_unit[None, :]
        what = "m3/yr"
    else:
        cap_units, what = units, "units/yr"
    cap_load = cap_units.sum(axis=1)
    for i in np.nonzero(cap_load > cap * (1 + 1e-9) + 1e-6)[0]:
        bad("capacity", f"site {sites['site_id'].iloc[i]} handles {cap_load[i]:,.1f} {what} > capacity {cap[i]:,.1f}")
    if spec.sourcing == "single":
        k = (units > 1e-9).sum(axis=0)
        for j in np.nonzero(k > 1)[0][:20]:
            bad("single_sourcing", f"customer {cust['customer_id'].iloc[j]} is served by {int(k[j])} sites")
    lo, hi = spec.count_bounds(m)
    k_open = int(is_open.sum())
    if not lo <= k_open <= hi:
        bad("dc_count", f"{k_open} DCs are open; the spec allows {lo}..{hi}")
    for sid in spec.force_open:
        if sid in sidx and not is_open[sidx[sid]]:
            bad("force_open", f"site {sid} must be open but is not")
    for sid in spec.force_closed:
        if sid in sidx and is_open[sidx[sid]]:
            bad("force_closed", f"site {sid} must be closed but is open")

    # distances, service
    km = problem.road_km
    if km is not None:
        mean_d = float((units * km).sum() / D) if D > 0 else math.nan
        used = units > 1e-9
        max_d = float(km[used].max()) if used.any() else math.nan  # no flow: undefined, as reported
    else:
        mean_d = max_d = math.nan
    R = spec.service_radius_km
    share = math.nan
    if R is not None and km is not None:
        share = float(units[km <= R + 1e-9].sum() / D) if D > 0 else 1.0
        if spec.every_customer_within_radius and max_d > R + 1e-6:
            far = np.argwhere(used & (km > R + 1e-9))[:5]
            names = ", ".join(f"{cust['customer_id'].iloc[j]} from {sites['site_id'].iloc[i]} ({km[i, j]:,.0f} km)"
                              for i, j in far)
            bad("service_radius", f"flows beyond {R:,.0f} km: {names}")
        elif 0 < spec.service_share < 1 and share < spec.service_share - 1e-9:
            bad("service_share", f"{100 * share:.3f}% of demand is within {R:,.0f} km; "
                                 f"{100 * spec.service_share:.3f}% is required")

    # costs from raw data
    fixed = float((sites["fixed_cost"].to_numpy(float) * spec.fixed_cost_multiplier)[is_open].sum())
    if problem.assignment_cost is not None:
        per_unit = np.divide(problem.assignment_cost, demand[None, :], out=np.zeros((m, n)),
                             where=demand[None, :] > 0) * spec.transport_multiplier
        handling = 0.0
        outbound = float((units * per_unit).sum())
    else:
        handling = float((load * sites["handling_cost"].to_numpy(float)).sum())
        if spec.rate_basis == "tonne":
            tonnes = units * (problem.profile.mix @ problem.profile.weight_kg)[None, :] / 1000.0
            outbound = float((tonnes * km).sum() * spec.outbound_rate_tkm * spec.transport_multiplier)
        else:
            outbound = float((units * km).sum() * spec.outbound_rate * spec.transport_multiplier)
    inbound = 0.0
    if spec.two_echelon:
        plants = problem.plants
        pidx = {p: q for q, p in enumerate(plants["plant_id"])}
        z = np.zeros((len(plants), m))
        for pid, sid, u in zip(result.inbound["plant_id"], result.inbound["site_id"],
                               result.inbound["units"].to_numpy(float)):
            if pid not in pidx or sid not in sidx:
                bad("inbound", f"inbound flow {pid} -> {sid} names an unknown plant or site")
                continue
            z[pidx[pid], sidx[sid]] += u
        into = z.sum(axis=0)
        for i in np.nonzero(np.abs(into - load) > 1e-6 * np.maximum(1.0, load))[0]:
            bad("inbound", f"site {sites['site_id'].iloc[i]} receives {into[i]:,.1f} units/yr from plants but "
                           f"ships {load[i]:,.1f}")
        pcap = plants["capacity"].to_numpy(float)
        for q in np.nonzero(z.sum(axis=1) > pcap * (1 + 1e-9) + 1e-6)[0]:
            bad("plant_capacity", f"plant {plants['plant_id'].iloc[q]} ships {z[q].sum():,.1f} units/yr > "
                                  f"capacity {pcap[q]:,.1f}")
        if spec.rate_basis == "tonne":
            w_bar = float((demand * (problem.profile.mix @ problem.profile.weight_kg)).sum() / D) if D > 0 else 0.0
            inbound = float((z * problem.plant_road_km).sum() * w_bar / 1000.0 * spec.inbound_rate_tkm
                            * spec.transport_multiplier)
        else:
            inbound = float((z * problem.plant_road_km).sum() * spec.inbound_rate * spec.transport_multiplier)
    elif len(result.inbound):
        bad("inbound", "the result has plant flows but two echelons are off")
    inventory_cost = carbon_cost = 0.0
    co2 = math.nan
    prof = problem.profile
    if prof is not None:
        # inventory: periodic review, safety stock z sqrt((L + R) V) per site and product
        from scipy.stats import norm

        zf = float(norm.ppf(spec.service_level))
        T = spec.lead_time_weeks + spec.review_period_weeks
        value = 0.0
        for i in range(m):
            for p in range(len(prof.products)):
                V = float((units[i] * prof.var_rate[:, p]).sum())
                mean_week = float((units[i] * prof.mix[:, p]).sum()) / 52.0
                value += prof.unit_value[p] * (zf * math.sqrt(T * V) + mean_week * spec.review_period_weeks / 2.0)
        if spec.inventory:
            inventory_cost = value * spec.holding_rate
        if not _close(value, result.inventory_value, value):
            bad("inventory", f"inventory value reported {result.inventory_value:,.2f} but the flows give {value:,.2f}")
        if km is not None:
            kg_unit = prof.mix @ prof.weight_kg
            co2 = float((units * km * kg_unit[None, :]).sum() / 1000.0 * spec.co2_outbound_kg_tkm)
            if spec.two_echelon:
                w_bar = float((demand * kg_unit).sum() / D) if D > 0 else 0.0
                co2 += float((z * problem.plant_road_km).sum() * w_bar / 1000.0 * spec.co2_inbound_kg_tkm)
            carbon_cost = co2 * spec.carbon_price / 1000.0
            if not _close(co2, result.co2_kg, co2):
                bad("co2", f"CO2 reported {result.co2_kg:,.1f} kg but the flows give {co2:,.1f} kg")
            if spec.co2_cap_kg is not None and co2 > spec.co2_cap_kg * (1 + 1e-9) + 1e-6:
                bad("co2_cap", f"the design emits {co2:,.0f} kg CO2e/yr, above the cap of {spec.co2_cap_kg:,.0f}")
        if spec.peak_constraint:
            if "weekly_capacity" in sites.columns:
                wcap = sites["weekly_capacity"].to_numpy(float)
            else:
                wcap = cap / 52.0 * spec.peak_surge
            weekly = cap_units @ prof.week_share
            over_i, over_t = np.nonzero(weekly > wcap[:, None] * (1 + 1e-9) + 1e-6)
            for i, t in list(zip(over_i, over_t))[:10]:
                bad("peak", f"site {sites['site_id'].iloc[i]} ships {weekly[i, t]:,.0f} units in the week of "
                            f"{prof.weeks[t]} > weekly capacity {wcap[i]:,.0f}")
    total = fixed + handling + inbound + outbound + inventory_cost + carbon_cost

    for name, mine, theirs in (("fixed_cost", fixed, result.fixed_cost), ("handling_cost", handling, result.handling_cost),
                               ("inbound_cost", inbound, result.inbound_cost),
                               ("outbound_cost", outbound, result.outbound_cost),
                               ("inventory_cost", inventory_cost, result.inventory_cost),
                               ("carbon_cost", carbon_cost, result.carbon_cost),
                               ("total_cost", total, result.total_cost)):
        if not _close(mine, theirs, total):
            bad("cost", f"{name} reported {theirs:,.2f} but the flows give {mine:,.2f}")
    if not _close(float(st["total_cost"].sum()), total, total):
        bad("cost", f"the per-site costs add up to {st['total_cost'].sum():,.2f}, not {total:,.2f}")
    for name, mine, theirs in (("mean_distance_km", mean_d, result.mean_distance_km),
                               ("max_distance_km", max_d, result.max_distance_km),
                               ("share_within_radius", share, result.share_within_radius)):
        if not _close(mine, theirs, 1.0 if name == "share_within_radius" else max(1.0, mine if mine == mine else 1.0)):
            bad("service", f"{name} reported {theirs:,.4f} but the flows give {mine:,.4f}")
    rep_vol = st.set_index("site_id")["volume"].reindex(sites["site_id"]).to_numpy(float)
    for i in np.nonzero(np.abs(rep_vol - load) > 1e-6 * np.maximum(1.0, load))[0]:
        bad("sites", f"site {sites['site_id'].iloc[i]} volume reported {rep_vol[i]:,.1f} but flows give {load[i]:,.1f}")
    if result.dc_count != k_open:
        bad("dc_count", f"dc_count reported {result.dc_count} but {k_open} sites are open")
    if math.isfinite(result.best_bound) and result.best_bound > total * (1 + 1e-9) + 1e-6:
        bad("bound", f"the best bound {result.best_bound:,.2f} exceeds the cost {total:,.2f}")
    viol = pd.DataFrame(out, columns=["check", "message"])
    return NetworkCheck(viol, fixed, handling, inbound, outbound, total, mean_d, share, max_d)


def check_stress(stress, problem: FacilityProblem) -> pd.DataFrame:
    """Verify every re-planned design of a stress test; returns its violations (empty when all hold).

    For each lost site: the lost DC ships nothing (a lost plant supplies nothing), no other flow
    of the base design was taken away (only the lost site's customers moved), nothing is served
    beyond demand, the unserved units are what is missing, the design passes
    :func:`check_network` (capacities, plant capacities, flow balance, every cost recomputed),
    and the extra cost is the change of the recomputed variable cost.
    """
    from .stress import scenario_problem

    out: list[tuple[str, str, str]] = []
    base = stress.base
    cust = problem.customers
    sites = problem.sites
    cidx = {c: j for j, c in enumerate(cust["customer_id"])}
    sidx = {s: i for i, s in enumerate(sites["site_id"])}
    demand = cust["demand"].to_numpy(float)
    D = float(demand.sum())

    def units_of(res) -> np.ndarray:
        U = np.zeros((len(sites), len(cust)))
        for cid, sid, u in res.flows[["customer_id", "site_id", "units"]].itertuples(index=False):
            U[sidx[sid], cidx[cid]] += u
        return U

    U0 = units_of(base)
    base_check = check_network(base, problem)
    base_var = base_check.total_cost - base_check.fixed_cost
    for row in stress.table.itertuples(index=False):
        lost = row.lost_site
        design = stress.designs[lost]
        U = units_of(design)
        served = U.sum(axis=0)
        if (served > demand * (1 + 1e-9) + 1e-6).any():
            out.append((lost, "demand", "a customer receives more than its demand"))
        unserved = D - float(served.sum())
        if abs(unserved - row.unserved_units) > 1e-6 * max(1.0, D):
            out.append((lost, "unserved", f"unserved reported {row.unserved_units:,.1f} but flows leave {unserved:,.1f}"))
        if row.kind == "DC":
            i = sidx[lost]
            if U[i].sum() > 1e-9:
                out.append((lost, "lost_site", f"the lost DC still ships {U[i].sum():,.1f} units/yr"))
            others = np.arange(len(sites)) != i
            if (U[others] < U0[others] - 1e-6 * np.maximum(1.0, U0[others])).any():
                out.append((lost, "moved", "a flow of a customer the lost DC did not serve was taken away"))
        else:
            gone = design.inbound[design.inbound["plant_id"] == lost]["units"].sum()
            if gone > 1e-9:
                out.append((lost, "lost_site", f"the lost plant still ships {gone:,.1f} units/yr"))
        sp = scenario_problem(problem, base, lost, served)
        rep = check_network(design, sp)
        for check, msg in rep.violations.itertuples(index=False):
            out.append((lost, check, msg))
        extra = (rep.total_cost - rep.fixed_cost) - base_var
        if not _close(extra, row.extra_cost, max(abs(base_var), 1.0)):
            out.append((lost, "extra_cost", f"extra cost reported {row.extra_cost:,.2f} but the flows give {extra:,.2f}"))
    return pd.DataFrame(out, columns=["lost_site", "check", "message"])
