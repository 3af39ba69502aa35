"""Former home of the shared app pieces, kept so existing imports keep working.

The pieces now live in modules by job (see ``docs/ARCHITECTURE.md``, "A map of widgets/"):
``world_store`` (the World apps open with), ``model`` (:class:`AppModel`), ``formatting``
(numbers, colours, CSS), ``components`` (cards, alerts, figures, tables), ``geojson`` and
``maps`` (map layers and :class:`MapView`), ``layout`` (:func:`app_shell`, :func:`app_links`) and
``figures`` (plotly-only chart builders). Import from those in new code.
"""

from __future__ import annotations

from .components import (KPI, BusyIndicator, FigureView, KPICards, ProblemsAlert, TableView,
                         download_link, section)
from .figures.style import figure_layout
from .formatting import LAYER_COLORS, PALETTE, STYLE, format_value
from .formatting import jsonable as _jsonable
from .geojson import hull_polygons, lines_layer, points_layer, polygons_layer
from .layout import app_links, app_shell
from .maps import MapView
from .model import AppModel
from .world_store import current_world, open_world, reset_current_world, set_current_world

__all__ = [
    "AppModel", "KPI", "KPICards", "ProblemsAlert", "BusyIndicator", "FigureView", "TableView", "MapView",
    "app_shell", "download_link", "format_value", "PALETTE", "current_world", "open_world", "set_current_world",
    "reset_current_world", "app_links", "section", "figure_layout", "points_layer", "lines_layer", "hull_polygons",
    "polygons_layer", "LAYER_COLORS", "STYLE", "_jsonable",
]
