"""Former home of the scenario screens, kept so existing imports keep working.

The save bar is in ``widgets.scenario_bar``, the comparison app in ``widgets.compare``, the
read-only viewer in ``widgets.viewer`` and the sample scenarios in ``widgets.samples``.
"""

from __future__ import annotations

from .compare import CompareModel, CompareView, compare_app
from .samples import seed_sample_scenarios
from .scenario_bar import ScenarioBar, scenario_label
from .viewer import ViewerModel, ViewerView, viewer_app

__all__ = ["ScenarioBar", "CompareModel", "CompareView", "compare_app", "ViewerModel", "ViewerView", "viewer_app",
           "scenario_label", "seed_sample_scenarios"]
