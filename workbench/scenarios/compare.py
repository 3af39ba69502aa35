"""Scenarios side by side: every KPI against a baseline, as an absolute and a percentage change.

    >>> cmp = compare([base, more_dcs, fewer_dcs], baseline=base)
    >>> cmp.table        # long: scenario, kpi, value, baseline, delta, delta_pct, verdict
    >>> cmp.summary()    # one row per KPI: baseline value, then value / change / % change per scenario

``delta = value - baseline``; ``delta_pct = 100 * delta / |baseline|`` (NaN when the baseline is 0
and the value is not; 0 when both are 0). ``verdict`` reads the KPI's direction (lower cost is
better, higher service is better): 'better', 'worse', 'same', or '' when the KPI has no direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .kpis import kpi_info
from .store import Scenario

__all__ = ["Comparison", "compare", "delta", "delta_pct"]


def delta(value: float, baseline: float) -> float:
    """Absolute change against the baseline."""
    return float(value) - float(baseline)


def delta_pct(value: float, baseline: float) -> float:
    """Change against the baseline in percent of the baseline's magnitude."""
    value, baseline = float(value), float(baseline)
    if math.isnan(value) or math.isnan(baseline):
        return math.nan
    if baseline == 0.0:
        return 0.0 if value == 0.0 else math.nan
    return 100.0 * (value - baseline) / abs(baseline)


@dataclass(frozen=True)
class Comparison:
    """KPIs of several scenarios against a baseline (see :func:`compare`)."""

    app: str
    baseline: Scenario
    scenarios: tuple[Scenario, ...]   # the baseline first, then the others in the order given
    labels: tuple[str, ...]           # a unique display name per scenario (same order)
    kpis: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def baseline_label(self) -> str:
        return self.labels[0]

    @property
    def business_kpis(self) -> tuple[str, ...]:
        """The KPIs that are business results (cost, service, ...), in order."""
        return tuple(k for k in self.kpis if not kpi_info(k, self.app).solver)

    @property
    def solver_kpis(self) -> tuple[str, ...]:
        """The KPIs about the solve (solve time, optimality gap): shown apart, never charted."""
        return tuple(k for k in self.kpis if kpi_info(k, self.app).solver)

    def wide(self, what: str = "value") -> pd.DataFrame:
        """One row per KPI, one column per scenario, of ``value``, ``delta`` or ``delta_pct``."""
        if what not in ("value", "delta", "delta_pct"):
            raise ScenarioError("what must be 'value', 'delta' or 'delta_pct'")
        out = self.table.pivot(index="kpi", columns="scenario", values=what)
        out = out.reindex(index=list(self.kpis), columns=list(self.labels))
        out.columns.name = None
        return out

    def summary(self) -> pd.DataFrame:
        """A readable table: KPI, unit, baseline value, then value, change and % change per scenario."""
        rows = []
        t = self.table.set_index(["kpi", "scenario"])
        for k in self.kpis:
            info = kpi_info(k, self.app)
            row: dict[str, Any] = {"KPI": info.label, "Unit": info.unit, self.labels[0]: t.loc[(k, self.labels[0]), "value"]}
            for lab in self.labels[1:]:
                r = t.loc[(k, lab)]
                row[lab] = r["value"]
                row[f"{lab}: change"] = r["delta"]
                row[f"{lab}: change %"] = r["delta_pct"]
            rows.append(row)
        return pd.DataFrame(rows)

    def value(self, scenario: str | int, kpi: str, what: str = "value") -> float:
        """One number of the comparison, by scenario label or position."""
        label = self.labels[scenario] if isinstance(scenario, int) else scenario
        m = self.table[(self.table["scenario"] == label) & (self.table["kpi"] == kpi)]
        if m.empty:
            raise ScenarioError(f"no KPI '{kpi}' for scenario '{label}' in this comparison")
        return float(m[what].iloc[0])


def _number(v: Any) -> bool:
    try:
        return v is not None and not math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    names = [s.name for s in scenarios]
    out = []
    for s in scenarios:
        if names.count(s.name) > 1:
            out.append(f"{s.name} (#{s.id})" if s.id is not None else f"{s.name} ({len(out) + 1})")
        else:
            out.append(s.name)
    if len(set(out)) < len(out):
        out = [f"{lab} [{i + 1}]" for i, lab in enumerate(out)]
    return out


def _pick_baseline(scenarios: list[Scenario], baseline: Any) -> int:
    if baseline is None:
        return 0
    if isinstance(baseline, Scenario):
        for i, s in enumerate(scenarios):
            if s is baseline or (baseline.id is not None and s.id == baseline.id):
                return i
        scenarios.insert(0, baseline)
        return 0
    if isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        for i, s in enumerate(scenarios):
            if s.id == int(baseline):
                return i
        raise ScenarioError(f"the baseline (id {baseline}) is not among the scenarios to compare")
    for i, s in enumerate(scenarios):
        if s.name == str(baseline):
            return i
    raise ScenarioError(f"the baseline '{baseline}' is not among the scenarios to compare")


def compare(scenarios: Sequence[Scenario], baseline: Scenario | int | str | None = None, *,
            kpis: Sequence[str] | None = None) -> Comparison:
    """Compare scenarios of one app against a baseline (a scenario, its id or name; default the first).

    ``kpis`` limits and orders the KPIs; by default every KPI any scenario has a number for, in
    the order they first appear (a KPI that is blank in every scenario, such as the demand within
    the service radius when no scenario sets a radius, is left out). A KPI a scenario lacks is
    NaN for it.
    """
    items = list(scenarios)
    if not items:
        raise ScenarioError("pick at least one scenario to compare")
    b = _pick_baseline(items, baseline)
    items.insert(0, items.pop(b))
    apps = sorted({s.app for s in items})
    if len(apps) > 1:
        raise ScenarioError("scenarios of different apps cannot be compared (" + ", ".join(apps)
                            + "): pick scenarios of one app")
    app = apps[0]
    if kpis is None:
        names: list[str] = []
        for s in items:
            for k in s.kpis:
                if k not in names:
                    names.append(k)
        names = [k for k in names if any(_number(s.kpis.get(k)) for s in items)]
    else:
        names = list(kpis)
    labels = _labels(items)
    base = items[0]
    rows = []
    for s, lab in zip(items, labels):
        for k in names:
            v = float(s.kpis.get(k, math.nan)) if s.kpis.get(k) is not None else math.nan
            bv = float(base.kpis.get(k, math.nan)) if base.kpis.get(k) is not None else math.nan
            d = v - bv
            dp = delta_pct(v, bv)
            info = kpi_info(k, app)
            verdict = ""
            if not (math.isnan(d)) and info.better:
                if d == 0 or (bv != 0 and abs(d) <= 1e-9 * abs(bv)):
                    verdict = "same"
                elif (d < 0) == (info.better == "lower"):
                    verdict = "better"
                else:
                    verdict = "worse"
            elif not math.isnan(d) and d == 0:
                verdict = "same"
            rows.append({"scenario": lab, "scenario_id": s.id, "kpi": k, "label": info.label, "unit": info.unit,
                         "value": v, "baseline": bv, "delta": d, "delta_pct": dp, "verdict": verdict})
    table = pd.DataFrame(rows, columns=["scenario", "scenario_id", "kpi", "label", "unit", "value", "baseline",
                                        "delta", "delta_pct", "verdict"])
    notes = []
    if base.world_version:
        other = [lab for s, lab in zip(items[1:], labels[1:]) if s.world_version and s.world_version != base.world_version]
        if other:
            notes.append(f"{', '.join(other)} ran on different data (World version) than the baseline "
                         f"'{labels[0]}': differences may come from the data, not only from the choices")
    missing = [f"'{lab}' lacks {', '.join(k for k in names if k not in s.kpis)}"
               for s, lab in zip(items, labels) if any(k not in s.kpis for k in names)]
    if missing:
        notes.append("Some KPIs are missing (shown as blanks): " + "; ".join(missing))
    return Comparison(app=app, baseline=base, scenarios=tuple(items), labels=tuple(labels), kpis=tuple(names),
                      table=table, notes=tuple(notes))
