"""The map component used by every app: an ipyleaflet map that reads offline.

Under the data it draws the geography shipped with the package (:mod:`widgets.geography`: sea,
land, country borders, U.S. state borders, the largest cities' names) for wherever the data is;
over it the app's GeoJSON layers (a checkbox each), text labels (open DCs, depots) and a colour
legend. Tiles are added only when asked (``tiles=True`` or ``WORKBENCH_TILES=1``): they need the
internet.
"""

from __future__ import annotations

import html
import os
from collections import OrderedDict
from typing import Any, Callable, Iterable, Sequence

import ipywidgets as W
import pandas as pd

from . import geography as geo
from .formatting import format_value
from .geojson import _center_zoom, _outline_geojson

__all__ = ["MapView"]

#: the geography layers last drawn, by view box: every map of the same data shows the same box and
#: shares one layer widget per kind, so its borders (about 350 KB for the U.S.) are sent to the page
#: once, not once per map
_GEOGRAPHY_LAYERS: "OrderedDict[tuple, tuple[Any, Any]]" = OrderedDict()


def _geography_layers(L, bounds: geo.Bounds) -> tuple[Any, Any]:
    """The (countries, regions) GeoJSON layer widgets under ``bounds``, shared by every map."""
    key = tuple(round(v, 4) for v in bounds)
    found = _GEOGRAPHY_LAYERS.get(key)
    if found is not None and all(getattr(l, "comm", None) is not None for l in found):
        _GEOGRAPHY_LAYERS.move_to_end(key)
        return found
    lands, regions = geo.geography_features(bounds)
    countries = L.GeoJSON(name="_countries", point_style={"radius": 5}, style={}, hover_style={}, data={
        "type": "FeatureCollection", "features": [
            {**f, "properties": {**f["properties"], "style": {"color": geo.BORDER, "weight": 0.9, "fillColor": geo.LAND,
                                                             "fillOpacity": 1.0, "opacity": 1.0}}} for f in lands]})
    region_layer = L.GeoJSON(name="_regions", point_style={"radius": 5}, style={}, hover_style={}, data={
        "type": "FeatureCollection", "features": [
            {**f, "properties": {**f["properties"], "style": {"color": geo.REGION_BORDER, "weight": 0.7,
                                                             "fill": False, "opacity": 1.0}}} for f in regions]})
    _GEOGRAPHY_LAYERS[key] = (countries, region_layer)
    while len(_GEOGRAPHY_LAYERS) > 8:
        _GEOGRAPHY_LAYERS.popitem(last=False)
    return countries, region_layer

#: layers drawn under the data, in this order
GEO_LAYERS = ("_countries", "_regions", "_outline")


class MapView(W.VBox):
    """An ipyleaflet map with the shipped geography, data layers, labels and a legend.

    ``fit(lats, lons)`` shows every point (with room around it) and draws the geography under
    them; ``set_layer(name, geojson, label=...)`` adds or replaces a named GeoJSON layer (features
    carry their style) with a checkbox in ``toggles``; ``set_labels(name, rows)`` writes text at
    points; ``set_legend(items)`` sets the colour legend (by default it is read from the layers:
    one entry per single-coloured layer). ``width_px`` is the width the map is expected to have
    on a laptop screen (used to pick the zoom that fits the data).
    """

    def __init__(self, *, height: str = "480px", tiles: bool | None = None, legend: bool = True,
                 width_px: int = 900, cities: int = 8):
        import ipyleaflet as L

        self._L = L
        self.height_px = int(str(height).rstrip("px"))
        self.width_px = width_px
        self.n_cities = cities
        self.map = L.Map(center=(39.5, -96.5), zoom=4, zoom_snap=0.25, zoom_delta=0.5, scroll_wheel_zoom=True,
                         layout=W.Layout(height=height, width="100%"), attribution_control=False)
        use_tiles = tiles if tiles is not None else os.environ.get("WORKBENCH_TILES") == "1"
        if not use_tiles:
            self.map.layers = tuple(l for l in self.map.layers if not isinstance(l, L.TileLayer))
        self.map.add(L.ScaleControl(position="bottomleft", imperial=False))
        self.layers: dict[str, Any] = {}
        self.labels: dict[str, Any] = {}
        self.label_text: dict[str, list[str]] = {}
        self._label_rows: dict[str, list[tuple[float, float, str]]] = {}
        self._label_kind: dict[str, str] = {}
        self._markers: dict[str, dict[tuple, Any]] = {}
        self._cities: list[tuple[float, float, str]] = []
        self.toggles: dict[str, W.Checkbox] = {}
        self.toggle_box = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.show_legend = legend
        self.legend = W.HTML()
        self.legend.add_class("wb-map-legend")
        self._legend_items: list[tuple[str, str]] | None = None
        self._layer_meta: dict[str, tuple[str, str | None]] = {}
        #: how each data layer was made (hover key, interactivity, label, colour, checkbox): a layer
        #: set again the same way is updated in place
        self._layer_conf: dict[str, tuple] = {}
        self.bounds: geo.Bounds | None = None
        self.hover = W.HTML(layout=W.Layout(min_height="20px"))
        self.hover.add_class("wb-busy")
        super().__init__([self.toggle_box, self.map, self.legend, self.hover])
        self.add_class("wb-map")

    # -- view and geography --------------------------------------------------------------
    def fit(self, lats, lons) -> None:
        """Show every point with room around it, and draw the geography and city names there."""
        lats = pd.Series(list(lats), dtype=float)
        lons = pd.Series(list(lons), dtype=float)
        if not (lats.notna() & lons.notna()).any():
            return
        center, zoom = _center_zoom(lats, lons, self.width_px, self.height_px)
        self.map.center = center
        self.map.zoom = zoom
        self.set_geography(geo.bounds_of(lats, lons), geo.countries_of(lats, lons))

    def set_geography(self, bounds: geo.Bounds, countries: set[str] | None = None) -> None:
        """Country and first-level region borders under ``bounds``, and the names of the largest
        cities there (in ``countries``, the ISO codes of the data's countries, when given)."""
        if self.bounds == bounds:
            return
        self.bounds = bounds
        countries_layer, regions_layer = _geography_layers(self._L, bounds)
        self.set_layer("_countries", None, layer=countries_layer, toggle=False, hover_key=None, interactive=False)
        self.set_layer("_regions", None, layer=regions_layer, toggle=False, hover_key=None, interactive=False)
        self._cities = [(lat, lon, name) for name, lat, lon, _ in
                        geo.largest_cities(bounds, self.n_cities, countries=countries)]
        self._render_cities()

    def _render_cities(self) -> None:
        """City names, leaving out those next to a DC label (the DC's name says where it is)."""
        taken = [(lat, lon) for name, rows in self._label_rows.items() if not name.startswith("_") for lat, lon, _ in rows]
        b = self.bounds
        # "next to": within 4% of the view's height and 8% of its width (a label's size on screen)
        dlat = 0.04 * (b.north - b.south) if b else 0.8
        dlon = 0.08 * (b.east - b.west) if b else 1.6
        keep = [(lat, lon, t) for lat, lon, t in getattr(self, "_cities", [])
                if all(abs(lat - a) > dlat or abs(lon - b_) > dlon for a, b_ in taken)]
        self.set_labels("_cities", keep, kind="city")

    def set_outline(self, points: pd.DataFrame, group: str = "region") -> None:
        """The geography under the points, and the outline (convex hull) of each ``group`` of them
        (sales regions), dashed."""
        self.set_geography(geo.bounds_of(points.lat, points.lon), geo.countries_of(points.lat, points.lon))
        self.set_layer("_outline", _outline_geojson(points, group), toggle=False, hover_key="name")

    # -- data layers ---------------------------------------------------------------------
    def set_layer(self, name: str, data: dict | None, *, visible: bool = True, toggle: bool = True,
                  label: str | None = None, color: str | None = None, hover_key: str | None = "name",
                  on_click: Callable[[dict], None] | None = None, interactive: bool = True,
                  layer: Any | None = None) -> Any:
        """Add or replace the GeoJSON layer ``name`` (features carry their style in properties).

        ``label`` names it in its checkbox and the legend; ``color`` is its legend colour (read
        from the features when they share one). ``layer`` puts an existing layer widget (shared
        with other maps) there instead of a new one made from ``data``."""
        L = self._L
        old = self.layers.get(name)
        conf = (hover_key, interactive, label, color, toggle)
        if (layer is None and old is not None and on_click is None and not name.startswith("_")
                and self._layer_conf.get(name) == conf):
            # the same layer with new (or the same) features: update it in place, so the page
            # redraws its paths instead of creating a new layer (and sends nothing if unchanged)
            if old.data != data:
                old.data = data
            self._layer_meta[name] = (label or name, color or _single_colour(data))
            self._render_legend()
            return old
        if old is not None and old in self.map.layers:
            self.map.remove(old)
        if layer is None:
            layer = L.GeoJSON(data=data, name=name, point_style={"radius": 5}, style={},
                              hover_style={"fillOpacity": 1.0} if interactive else {})
            if on_click is None:
                self._layer_conf[name] = conf
        data = layer.data
        if hover_key:
            layer.on_hover(lambda feature=None, **_: self._show_hover(feature, hover_key))
        if on_click is not None:
            layer.on_click(lambda feature=None, **_: on_click(feature))
        self.layers[name] = layer
        if not name.startswith("_"):
            self._layer_meta[name] = (label or name, color or _single_colour(data))
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
        self._order()
        self._render_legend()
        return layer

    def remove_layer(self, name: str) -> None:
        layer = self.layers.pop(name, None)
        if layer is not None and layer in self.map.layers:
            self.map.remove(layer)
        self._layer_meta.pop(name, None)
        self._layer_conf.pop(name, None)
        box = self.toggles.pop(name, None)
        if box is not None:
            self.toggle_box.children = tuple(self.toggles.values())
        self._render_legend()

    def visible_layers(self) -> list[str]:
        return [n for n, l in self.layers.items() if l in self.map.layers and not n.startswith("_")]

    def _order(self) -> None:
        """Geography first (under everything), then data layers, then labels on top."""
        layers = list(self.map.layers)
        base = [l for l in layers if getattr(l, "base", False) or type(l).__name__ == "TileLayer"]
        geo_l = [self.layers[n] for n in GEO_LAYERS if n in self.layers and self.layers[n] in layers]
        labels = [l for l in self.labels.values() if l in layers]
        rest = [l for l in layers if l not in base and l not in geo_l and l not in labels]
        order = tuple(base + geo_l + rest + labels)
        if order != tuple(layers):
            self.map.layers = order

    def _toggle(self, name: str, on: bool) -> None:
        layer = self.layers.get(name)
        if layer is None:
            return
        if on and layer not in self.map.layers:
            self.map.add(layer)
            self._order()
        elif not on and layer in self.map.layers:
            self.map.remove(layer)
        self._render_legend()

    # -- labels and legend ---------------------------------------------------------------
    def set_labels(self, name: str, rows: Iterable[tuple[float, float, str]], *, kind: str = "dc") -> None:
        """Text at points (``(lat, lon, text)``): ``kind`` 'dc' (bold, for open DCs and depots) or
        'city' (small grey place names). Replaces the labels of the same ``name``."""
        L = self._L
        rows = [(float(a), float(b), t) for a, b, t in rows]
        group = self.labels.get(name)
        if (self._label_rows.get(name) == rows and self._label_kind.get(name) == kind and group is not None
                and group in self.map.layers):
            return   # the same labels: nothing to send (a re-solve keeping its DCs, the city names)
        self._label_kind[name] = kind
        self.label_text[name] = [str(t) for _, _, t in rows]
        self._label_rows[name] = rows
        # a marker widget per label, kept while its label is shown: a new design sends only the
        # labels that changed, not every city name again
        kept = self._markers.setdefault(name, {})
        markers, used = [], set()
        for lat, lon, text in rows:
            key = (lat, lon, str(text), kind)
            marker = kept.get(key)
            if marker is None:
                marker = kept[key] = L.Marker(
                    location=(lat, lon), draggable=False, keyboard=False, title=str(text),
                    icon=L.DivIcon(html=f'<span class="wb-map-label wb-map-label-{kind}">{html.escape(str(text))}</span>',
                                   icon_size=[0, 0], icon_anchor=[-7, 8 if kind == "dc" else 6]))
            markers.append(marker)
            used.add(key)
        if group is not None and group in self.map.layers:
            group.layers = tuple(markers)
        else:
            if group is not None:
                self.labels.pop(name, None)
            group = L.LayerGroup(layers=markers, name=name)
            self.labels[name] = group
            self.map.add(group)
        for key in [k for k in kept if k not in used]:
            gone = kept.pop(key)
            icon = gone.icon
            gone.close()
            if hasattr(icon, "close"):
                icon.close()
        if not name.startswith("_"):
            self._render_cities()

    def set_legend(self, items: Sequence[tuple[str, str]] | None, title: str = "") -> None:
        """The colour legend as ``(label, colour)`` pairs (``title`` before them); None: read it
        from the layers."""
        self._legend_items = None if items is None else list(items)
        self._legend_title = title
        self._render_legend()

    def legend_items(self) -> list[tuple[str, str]]:
        """What the legend shows: the explicit items, else one per single-coloured data layer."""
        if self._legend_items is not None:
            return list(self._legend_items)
        return [(label, colour) for name, (label, colour) in self._layer_meta.items()
                if colour and name in self.layers and self.layers[name] in self.map.layers]

    def _render_legend(self) -> None:
        items = self.legend_items() if self.show_legend else []
        title = getattr(self, "_legend_title", "") if self._legend_items is not None else ""
        self.legend.value = ('<div class="wb-legend">' + (f"<b>{html.escape(title)}</b>" if title else "") + "".join(
            f'<span class="sw" style="background:{html.escape(c)}"></span>{html.escape(label)}' for label, c in items)
            + "</div>") if items else ""

    def _show_hover(self, feature, key):
        if not feature:
            return
        p = feature.get("properties", {})
        shown = {k: v for k, v in p.items() if k not in ("style",)}
        text = " · ".join(f"{k}: {format_value(v) if isinstance(v, (int, float)) else v}" for k, v in shown.items())
        self.hover.value = html.escape(text)


def _single_colour(data: dict) -> str | None:
    """The one fill (or line) colour all features share, else None."""
    colours = set()
    for f in data.get("features", ()):
        st = f.get("properties", {}).get("style", {})
        c = st.get("fillColor") or st.get("color")
        if c:
            colours.add(c)
        if len(colours) > 1:
            return None
    return colours.pop() if len(colours) == 1 else None
