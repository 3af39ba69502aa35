"""Figure builders: plain functions of ``workbench`` results that return a plotly figure.

They import plotly only (no ipywidgets), so a script or a report can draw the apps' charts:

    from widgets.figures.network import cost_figure
    cost_figure(result).write_html("costs.html")

(The model is PyVRP's ``plotting`` package.) Scenario comparison charts are in ``widgets.report``.
"""

from .style import figure_layout

__all__ = ["figure_layout"]
