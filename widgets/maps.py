"""The map component: an ipyleaflet map that stays readable offline (outline, graticule, data layers)."""

from __future__ import annotations

import html
import os
from typing import Any, Callable

import ipywidgets as W
import pandas as pd

from .formatting import format_value
from .geojson import _center_zoom, _graticule, _outline_geojson

__all__ = ["MapView"]


class MapView(W.VBox):
    """An ipyleaflet map that stays readable offline: outline, graticule and data layers, tiles optional.

    ``set_layer(name, geojson, visible=True)`` adds or replaces a named GeoJSON layer;
    ``layer_toggles`` holds a checkbox per named layer. Tiles are added only when ``tiles=True``
    (or the environment variable ``WORKBENCH_TILES=1``) because they need the internet.
    """

    def __init__(self, *, height: str = "480px", tiles: bool | None = None, legend: bool = True):
        import ipyleaflet as L

        self._L = L
        self.map = L.Map(center=(39.5, -96.5), zoom=4, scroll_wheel_zoom=True,
                         layout=W.Layout(height=height, width="100%"), attribution_control=False)
        use_tiles = tiles if tiles is not None else os.environ.get("WORKBENCH_TILES") == "1"
        if not use_tiles:
            self.map.layers = tuple(l for l in self.map.layers if not isinstance(l, L.TileLayer))
        self.map.add(L.ScaleControl(position="bottomleft"))
        self.layers: dict[str, Any] = {}
        self.toggles: dict[str, W.Checkbox] = {}
        self.toggle_box = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.legend = W.HTML()
        self.hover = W.HTML(layout=W.Layout(min_height="20px"))
        self.hover.add_class("wb-busy")
        children = [self.toggle_box, self.map, self.hover]
        super().__init__(children)
        self.add_class("wb-map")

    def fit(self, lats, lons) -> None:
        center, zoom = _center_zoom(lats, lons)
        self.map.center = center
        self.map.zoom = zoom

    def set_outline(self, points: pd.DataFrame, group: str = "region") -> None:
        """Region outlines (convex hulls of the points) and a graticule, so the map reads without tiles."""
        (s, w), (n, e) = ((points.lat.min(), points.lon.min()), (points.lat.max(), points.lon.max()))
        self.set_layer("_graticule", _graticule(((s, w), (n, e))), toggle=False)
        self.set_layer("_outline", _outline_geojson(points, group), toggle=False, hover_key="name")

    def set_layer(self, name: str, data: dict, *, visible: bool = True, toggle: bool = True,
                  label: str | None = None, color: str | None = None, hover_key: str | None = "name",
                  on_click: Callable[[dict], None] | None = None) -> Any:
        """Add or replace the GeoJSON layer ``name`` (features carry their style in properties)."""
        L = self._L
        old = self.layers.get(name)
        if old is not None and old in self.map.layers:
            self.map.remove(old)
        layer = L.GeoJSON(data=data, name=name, point_style={"radius": 5}, style={}, hover_style={"fillOpacity": 1.0})
        if hover_key:
            layer.on_hover(lambda feature=None, **_: self._show_hover(feature, hover_key))
        if on_click is not None:
            layer.on_click(lambda feature=None, **_: on_click(feature))
        self.layers[name] = layer
        if toggle:
            box = self.toggles.get(name)
            if box is None:
                box = W.Checkbox(value=visible, description=label or name, indent=False,
                                 layout=W.Layout(width="auto", margin="0 12px 0 0"))
                box.observe(lambda ch, n=name: self._toggle(n, ch["new"]), names="value")
                self.toggles[name] = box
                self.toggle_box.children = tuple(self.toggles.values())
            visible = box.value
        if visible:
            self.map.add(layer)
        return layer

    def remove_layer(self, name: str) -> None:
        layer = self.layers.pop(name, None)
        if layer is not None and layer in self.map.layers:
            self.map.remove(layer)
        box = self.toggles.pop(name, None)
        if box is not None:
            self.toggle_box.children = tuple(self.toggles.values())

    def visible_layers(self) -> list[str]:
        return [n for n, l in self.layers.items() if l in self.map.layers and not n.startswith("_")]

    def _toggle(self, name: str, on: bool) -> None:
        layer = self.layers.get(name)
        if layer is None:
            return
        if on and layer not in self.map.layers:
            self.map.add(layer)
        elif not on and layer in self.map.layers:
            self.map.remove(layer)

    def _show_hover(self, feature, key):
        if not feature:
            return
        p = feature.get("properties", {})
        shown = {k: v for k, v in p.items() if k not in ("style",)}
        text = " · ".join(f"{k}: {format_value(v) if isinstance(v, (int, float)) else v}" for k, v in shown.items())
        self.hover.value = html.escape(text)

