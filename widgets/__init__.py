"""The view layer of the workbench: ipywidgets, plotly and ipyleaflet screens built on ``workbench``.

Each app is a model (``widgets.model.AppModel`` subclass: choices, result, problems) and a thin
view, registered in ``widgets.registry`` (and ``workbench.scenarios.apps``); chart builders are in
``widgets.figures`` and import without ipywidgets. See ``docs/ARCHITECTURE.md``. Import an app's
module directly, e.g. ``from widgets.home import home_app``.
"""
