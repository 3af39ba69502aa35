"""The view layer of the workbench: ipywidgets, plotly and ipyleaflet screens built on ``workbench``.

Each app is a model (``AppModel`` subclass: choices, result, problems) and a thin view; see
``widgets.core`` and ``docs/ARCHITECTURE.md``. Import an app's module directly, e.g.
``from widgets.home import home_app``.
"""
