"""Scenario studio: save, list, compare, sweep and export what-ifs.

    >>> from workbench.scenarios import ScenarioStore, Scenario, compare, run_sweep, export_excel
    >>> store = ScenarioStore()                        # SQLite in ~/.workbench, or a PostgreSQL URL
    >>> sid = store.save(Scenario.from_result("4 DCs", "network_design", inputs=..., result=result))
    >>> cmp = compare(store.load_many([base_id, sid]), baseline=base_id)
    >>> cmp.table                                      # KPI deltas vs the baseline, absolute and %
    >>> export_excel(store.load_many(ids), "scenarios.xlsx", baseline=base_id)

See ``docs/scenario_studio.md``.
"""

from . import apps as _apps  # noqa: F401  (registers each planning app's KPI labels, units and charts)
from .codec import OpaqueResult, decode, encode, table_from_json, table_to_json
from .compare import Comparison, compare, delta, delta_pct
from .errors import ScenarioError, ScenarioExists, ScenarioNotFound
from .export import export_excel
from .kpis import ChartSpec, KPIInfo, charts_for, kpi_info, register_charts, register_kpis
from .store import SCHEMA_VERSION, Scenario, ScenarioStore, default_url, kpis_of
from .sweep import SweepPoint, SweepResult, grid_points, run_sweep

__all__ = [
    "Scenario",
    "ScenarioStore",
    "ScenarioError",
    "ScenarioExists",
    "ScenarioNotFound",
    "SCHEMA_VERSION",
    "Comparison",
    "compare",
    "delta",
    "delta_pct",
    "export_excel",
    "run_sweep",
    "SweepResult",
    "SweepPoint",
    "grid_points",
    "KPIInfo",
    "ChartSpec",
    "kpi_info",
    "charts_for",
    "register_kpis",
    "register_charts",
    "OpaqueResult",
    "default_url",
    "kpis_of",
    "encode",
    "decode",
    "table_to_json",
    "table_from_json",
]
