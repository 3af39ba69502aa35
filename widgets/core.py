"""The app pattern shared by every screen: a model, a thin view, and common components.

* :class:`AppModel` holds the user's choices (traits), the latest result, a list of readable
  ``problems`` and busy/progress state. ``run`` calls into ``workbench`` and turns every
  error into a readable problem, so a Voila app never shows a traceback.
* Components: :class:`KPICards`, :class:`ProblemsAlert`, :class:`BusyIndicator`,
  :class:`FigureView` (a plain plotly figure drawn into an ``Output``; never a FigureWidget),
  :class:`TableView`, :class:`MapView` (ipyleaflet that stays readable without tiles),
  :func:`download_link`, and :func:`app_shell` which lays a screen out.

See ``docs/ARCHITECTURE.md`` for how an app is built from these.
"""

from __future__ import annotations

import base64
import html
import logging
import math
import os
import time
import traceback
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Mapping, Sequence

import ipywidgets as W
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import traitlets as T
from IPython.display import display

import workbench
from workbench.errors import DataError, WorkbenchError

log = logging.getLogger("workbench.apps")

__all__ = [
    "AppModel",
    "KPI",
    "KPICards",
    "ProblemsAlert",
    "BusyIndicator",
    "FigureView",
    "TableView",
    "MapView",
    "app_shell",
    "download_link",
    "format_value",
    "PALETTE",
    "current_world",
    "open_world",
    "set_current_world",
    "reset_current_world",
    "app_links",
    "section",
    "figure_layout",
    "points_layer",
    "lines_layer",
    "hull_polygons",
    "polygons_layer",
    "LAYER_COLORS",
    "STYLE",
]

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1", "#636363",
)
LAYER_COLORS = {
    "customers": "#1f77b4", "sites": "#7f7f7f", "existing": "#d62728", "plants": "#8c564b",
    "wholesaler": "#9467bd", "retailer": "#2ca02c", "distributor": "#ff7f0e", "ecommerce": "#17becf",
    "orders": "#e377c2",
}

# ---------------------------------------------------------------------------------------
# the shared World: the sample, or what the user loaded on the Home screen
# ---------------------------------------------------------------------------------------


def _workspace() -> Path:
    return Path(os.environ.get("WORKBENCH_HOME", Path.home() / ".workbench")) / "current_world"


_PAGE_REQUESTED = False


def _wait_for_page() -> None:
    """Under Voila with preheated kernels, block until the page is actually requested (once).

    A preheated kernel runs the notebook before anyone asks for the page; waiting here means the
    World is read when the page opens, so data loaded on Home in the meantime is used.
    Elsewhere (JupyterLab, tests, Voila without preheating) it returns at once.
    """
    global _PAGE_REQUESTED
    if _PAGE_REQUESTED or os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    from voila.utils import wait_for_request

    wait_for_request()
    _PAGE_REQUESTED = True


def current_world() -> workbench.World:
    """The World every app opens with: the user's data loaded on Home, else the sample."""
    _wait_for_page()
    folder = _workspace()
    if folder.is_dir() and any(folder.glob("*.csv")):
        try:
            return workbench.load_world(folder)
        except DataError:
            log.warning("the saved world in %s is unusable; using the sample", folder)
    return workbench.load_sample()


def open_world() -> workbench.World:
    """The World for an app that is being opened (``current_world``, which waits for the page
    request under preheated Voila kernels)."""
    return current_world()


def set_current_world(world: workbench.World) -> Path:
    """Make ``world`` the one every app opens with (written as CSVs, atomically per folder)."""
    folder = _workspace()
    tmp = folder.with_name(folder.name + ".tmp")
    if tmp.exists():
        for p in tmp.iterdir():
            p.unlink()
    world.to_csv(tmp)
    (tmp / "SOURCE.txt").write_text(world.source)
    if folder.exists():
        old = folder.with_name(folder.name + ".old")
        if old.exists():
            for p in old.iterdir():
                p.unlink()
            old.rmdir()
        folder.rename(old)
        tmp.rename(folder)
        for p in old.iterdir():
            p.unlink()
        old.rmdir()
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(folder)
    return folder


def reset_current_world() -> None:
    """Go back to the sample world in every app."""
    folder = _workspace()
    if folder.exists():
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


# ---------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------


class AppModel(T.HasTraits):
    """Base of every screen's model: choices as traits, the latest result and readable problems.

    Subclasses declare ``app_name``, ``title`` and ``input_traits`` (the names of the traits that
    are the user's choices; they make ``inputs()``/``set_inputs()`` for saved scenarios) and
    implement ``kpis()``.
    """

    app_name: ClassVar[str] = "app"
    title: ClassVar[str] = "App"
    input_traits: ClassVar[tuple[str, ...]] = ()

    world = T.Instance(workbench.World, allow_none=True)
    result = T.Any(None, allow_none=True)
    problems = T.List(T.Unicode())
    notes = T.List(T.Unicode())          # non-blocking warnings and confirmations
    busy = T.Bool(False)
    status = T.Unicode("")
    progress = T.Float(0.0)              # 0..1 while long work runs
    last_seconds = T.Float(0.0)

    def __init__(self, world: workbench.World | None = None, **kwargs):
        super().__init__(**kwargs)
        self._quiet = 0
        if world is not None:
            self.world = world

    # -- running work -----------------------------------------------------------------
    def run(self, fn: Callable[..., Any], *args, label: str = "Working", **kwargs) -> Any:
        """Call ``fn`` with busy state on; turn any error into ``problems``. Returns its value or None."""
        self.busy = True
        self.progress = 0.0
        self.status = f"{label}…"
        start = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except DataError as exc:
            self.problems = exc.messages or [str(exc)]
            self.status = f"{label} stopped: the data has {len(exc.problems)} problem(s)"
            return None
        except WorkbenchError as exc:
            self.problems = [str(exc)]
            self.status = f"{label} stopped"
            return None
        except Exception as exc:  # an unexpected error still reaches the user as a message
            log.error("unexpected error in %s:\n%s", self.app_name, traceback.format_exc())
            self.problems = [f"Unexpected error ({type(exc).__name__}: {exc}). The inputs were kept; "
                             "change a setting and try again, or report this with the inputs used."]
            self.status = f"{label} failed"
            return None
        finally:
            self.busy = False
            self.last_seconds = time.perf_counter() - start
        self.problems = []
        self.progress = 1.0
        self.status = f"{label} done in {self.last_seconds:.2f} s"
        return value

    def progress_callback(self) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callable for workbench functions."""
        def cb(done: int, total: int) -> None:
            self.progress = float(done) / float(total) if total else 1.0
        return cb

    # -- scenarios ----------------------------------------------------------------------
    def inputs(self) -> dict[str, Any]:
        """The user's choices as a JSON-able dict (saved with a scenario)."""
        out = {name: _jsonable(getattr(self, name)) for name in self.input_traits}
        if self.world is not None:
            out["world_version"] = self.world.version
            out["world_source"] = self.world.source
        return out

    def set_inputs(self, values: Mapping[str, Any]) -> None:
        """Restore choices saved by ``inputs()`` (unknown keys are ignored); re-runs once."""
        with self.hold_trait_notifications():
            for name in self.input_traits:
                if name in values:
                    setattr(self, name, values[name])

    def kpis(self) -> dict[str, float]:
        """Headline numbers of the latest result (for cards, saved scenarios and comparisons)."""
        return {}


def _jsonable(value):
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------


def format_value(value: float | int | str | None, unit: str = "", digits: int | None = None) -> str:
    """Readable number: thousands separators, $ for USD, % for shares, k/M for big values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    v = float(value)
    if unit == "%":
        return f"{v:.{1 if digits is None else digits}f}%"
    if unit == "share":
        return f"{100 * v:.{1 if digits is None else digits}f}%"
    if unit in ("USD", "$"):
        av = abs(v)
        if av >= 1e9:
            return f"${v / 1e9:,.2f}B"
        if av >= 1e6:
            return f"${v / 1e6:,.2f}M"
        if av >= 1e4:
            return f"${v / 1e3:,.0f}k"
        return f"${v:,.0f}" if av >= 100 else f"${v:,.2f}"
    av = abs(v)
    if digits is None:
        if av >= 1e7:
            text = f"{v / 1e6:,.1f}M"
        elif av >= 1e5:
            text = f"{v / 1e3:,.0f}k"
        elif av >= 100 or float(v).is_integer():
            text = f"{v:,.0f}"
        else:
            text = f"{v:,.2f}"
    else:
        text = f"{v:,.{digits}f}"
    return f"{text} {unit}".strip()


STYLE = """
<style>
.wb-app { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933; }
.wb-title h1 { font-size: 22px; margin: 4px 0 2px 0; }
.wb-title p { margin: 0 0 8px 0; color: #52606d; }
.wb-cards { display: flex; flex-wrap: wrap; gap: 8px; }
.wb-card { border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; min-width: 130px; background: #f8fafc; }
.wb-card .wb-label { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #627d98; }
.wb-card .wb-value { font-size: 20px; font-weight: 600; }
.wb-card .wb-sub { font-size: 11px; color: #829ab1; }
.wb-alert { border-left: 4px solid #d64545; background: #fff5f5; padding: 8px 12px; margin: 6px 0; }
.wb-alert ul { margin: 4px 0 0 18px; padding: 0; }
.wb-note { border-left: 4px solid #3ebd93; background: #effcf6; padding: 6px 12px; margin: 6px 0; }
.wb-busy { color: #486581; font-size: 13px; }
.wb-spinner { display: inline-block; width: 12px; height: 12px; border: 2px solid #9fb3c8; border-top-color: #243b53;
  border-radius: 50%; animation: wb-spin 0.8s linear infinite; vertical-align: middle; margin-right: 6px; }
@keyframes wb-spin { to { transform: rotate(360deg); } }
.wb-table { border-collapse: collapse; font-size: 12px; }
.wb-table th { background: #f0f4f8; text-align: left; padding: 4px 8px; border-bottom: 1px solid #bcccdc; position: sticky; top: 0; }
.wb-table td { padding: 3px 8px; border-bottom: 1px solid #eef2f6; }
.wb-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-legend span.sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 4px 0 10px; vertical-align: middle; }
.wb-links a, .wb-links b { margin-right: 14px; }
.wb-map .leaflet-container { background: #f5f7fa; }
.wb-section { font-size: 15px; font-weight: 600; margin: 10px 0 4px 0; }
</style>
"""


# ---------------------------------------------------------------------------------------
# components
# ---------------------------------------------------------------------------------------


class KPI(tuple):
    """(label, value, unit, sub) — ``sub`` is a small line under the value."""

    def __new__(cls, label: str, value, unit: str = "", sub: str = ""):
        return super().__new__(cls, (label, value, unit, sub))


class KPICards(W.HTML):
    """A row of KPI cards. ``update([...KPI])`` redraws; ``values`` keeps the numbers for tests."""

    values = T.Dict()

    def __init__(self, kpis: Iterable[KPI] = (), **kwargs):
        super().__init__(**kwargs)
        self.add_class("wb-kpis")
        self.update(kpis)

    def update(self, kpis: Iterable[KPI]) -> None:
        kpis = list(kpis)
        self.values = {k[0]: k[1] for k in kpis}
        cards = []
        for label, value, unit, sub in kpis:
            cards.append(
                f'<div class="wb-card" data-kpi="{html.escape(label)}"><div class="wb-label">{html.escape(label)}</div>'
                f'<div class="wb-value">{html.escape(format_value(value, unit))}</div>'
                + (f'<div class="wb-sub">{html.escape(sub)}</div>' if sub else "") + "</div>")
        self.value = f'<div class="wb-cards">{"".join(cards)}</div>'


class ProblemsAlert(W.HTML):
    """Shows the model's ``problems`` (and ``notes``) as readable messages; empty when all is well."""

    def __init__(self, model: AppModel, **kwargs):
        super().__init__(**kwargs)
        self.add_class("wb-problems")
        self._model = model
        model.observe(self._render, names=["problems", "notes"])
        self._render()

    def _render(self, *_):
        parts = []
        probs = self._model.problems
        if probs:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in probs[:30])
            more = f"<li>… and {len(probs) - 30} more</li>" if len(probs) > 30 else ""
            head = "Please fix the following" if len(probs) > 1 else "Please fix the following"
            parts.append(f'<div class="wb-alert" role="alert"><b>{head}:</b><ul>{items}{more}</ul></div>')
        for n in self._model.notes:
            parts.append(f'<div class="wb-note">{html.escape(n)}</div>')
        self.value = "".join(parts)


class BusyIndicator(W.HBox):
    """A spinner and status line while the model is busy, with a progress bar for long work."""

    def __init__(self, model: AppModel, **kwargs):
        self.label = W.HTML()
        self.bar = W.FloatProgress(min=0.0, max=1.0, value=0.0, layout=W.Layout(width="160px", visibility="hidden"))
        super().__init__([self.label, self.bar], **kwargs)
        self._model = model
        model.observe(self._render, names=["busy", "status", "progress"])
        self._render()

    def _render(self, *_):
        m = self._model
        spin = '<span class="wb-spinner"></span>' if m.busy else ""
        self.label.value = f'<span class="wb-busy" data-busy="{str(m.busy).lower()}">{spin}{html.escape(m.status)}</span>'
        self.bar.value = m.progress
        self.bar.layout.visibility = "visible" if m.busy and 0.0 < m.progress < 1.0 else "hidden"


class FigureView(W.Output):
    """A plotly figure drawn into an Output (robust under Voila); ``figure`` keeps it for tests."""

    def __init__(self, figure: go.Figure | None = None, **kwargs):
        super().__init__(**kwargs)
        self.figure: go.Figure | None = None
        if figure is not None:
            self.show(figure)

    def show(self, figure: go.Figure) -> None:
        self.figure = figure
        # Under Voila the plotly renderer can resize a chart drawn before the page has laid out
        # to zero height; giving the output the figure's own height keeps it visible.
        self.layout.min_height = f"{int(figure.layout.height or 450)}px"
        self.clear_output(wait=True)
        with self:
            display({"application/vnd.plotly.v1+json": _plotly_bundle(figure),
                     "text/plain": f"<plotly figure: {figure.layout.title.text or 'chart'}>"}, raw=True)


def _plotly_bundle(fig: go.Figure) -> dict:
    # to_json + loads gives plain JSON (numpy arrays as lists/typed arrays that the front end reads)
    import json

    bundle = json.loads(pio.to_json(fig, validate=False, remove_uids=True))
    bundle.setdefault("config", {}).update({"displaylogo": False, "responsive": True})
    return bundle


class TableView(W.HTML):
    """A DataFrame as a readable HTML table (numbers formatted, scrolls past ``max_rows``)."""

    def __init__(self, data: pd.DataFrame | None = None, *, max_rows: int = 200, height: str = "320px",
                 formats: Mapping[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_rows = max_rows
        self.height = height
        self.formats = dict(formats or {})
        self.data = pd.DataFrame()
        if data is not None:
            self.update(data)

    def update(self, data: pd.DataFrame, formats: Mapping[str, str] | None = None) -> None:
        self.data = data
        fmts = {**self.formats, **(formats or {})}
        shown = data.head(self.max_rows)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
        rows = []
        for _, r in shown.iterrows():
            cells = []
            for c in shown.columns:
                v = r[c]
                if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
                    text = format_value(v, fmts.get(c, ""))
                    cells.append(f'<td class="num">{html.escape(text)}</td>')
                else:
                    cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        more = f"<div class='wb-sub'>showing {len(shown)} of {len(data)} rows</div>" if len(data) > len(shown) else ""
        self.value = (f'<div style="max-height:{self.height}; overflow:auto;"><table class="wb-table">'
                      f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{more}")


def download_link(data: bytes, filename: str, label: str | None = None,
                  mime: str = "application/octet-stream") -> str:
    """An HTML link that downloads ``data`` as ``filename`` (works in Voila: no server round trip)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(filename)}" href="data:{mime};base64,{b64}" '
            f'class="wb-download">{html.escape(label or filename)}</a>')


# ---------------------------------------------------------------------------------------
# maps
# ---------------------------------------------------------------------------------------


def _points_geojson(df: pd.DataFrame, *, color: str, radius: float | Sequence[float] = 5.0,
                    props: Sequence[str] = (), fill_opacity: float = 0.75) -> dict:
    feats = []
    radii = np.broadcast_to(np.asarray(radius, dtype=float), (len(df),))
    colors = color if isinstance(color, (list, tuple, np.ndarray, pd.Series)) else [color] * len(df)
    for i, (lat, lon) in enumerate(zip(df["lat"].to_numpy(float), df["lon"].to_numpy(float))):
        p = {k: _jsonable(df[k].iloc[i]) for k in props if k in df}
        p["style"] = {"radius": float(radii[i]), "color": "#ffffff", "weight": 1, "fillColor": colors[i],
                      "fillOpacity": fill_opacity, "opacity": 0.9}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                      "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _lines_geojson(segments: Iterable[tuple[float, float, float, float]], colors: Sequence[str],
                   weight: float = 1.0, opacity: float = 0.5, props: Sequence[dict] | None = None) -> dict:
    feats = []
    for i, (lat1, lon1, lat2, lon2) in enumerate(segments):
        p = dict(props[i]) if props else {}
        p["style"] = {"color": colors[i], "weight": weight, "opacity": opacity}
        feats.append({"type": "Feature", "geometry": {"type": "LineString",
                      "coordinates": [[float(lon1), float(lat1)], [float(lon2), float(lat2)]]}, "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def hull_polygons(points: pd.DataFrame, group: str) -> list[tuple[Any, list[list[float]]]]:
    """``(group value, closed ring of [lon, lat])`` for the convex hull of each group's points.

    Groups of fewer than three points, or on one line, have no hull and are left out.
    """
    from scipy.spatial import ConvexHull, QhullError

    out = []
    for name, g in points.groupby(group, sort=True):
        pts = g[["lon", "lat"]].to_numpy(float)
        if len(pts) < 3:
            continue
        try:
            hull = ConvexHull(pts)
        except QhullError:
            continue
        ring = pts[hull.vertices].tolist()
        ring.append(ring[0])
        out.append((name, ring))
    return out


def polygons_layer(rings: Iterable[tuple[Any, list[list[float]]]], styles: Callable[[int, Any], dict],
                   label: Callable[[Any], str] = str) -> dict:
    """GeoJSON of polygons; ``styles(i, name)`` gives each one's Leaflet path style."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"name": label(name), "style": styles(i, name)}} for i, (name, ring) in enumerate(rings)]}


def _outline_geojson(points: pd.DataFrame, group: str) -> dict:
    """Convex hulls of the points per group: an outline of the territory drawn from data."""
    return polygons_layer(hull_polygons(points, group), lambda i, _: {
        "color": "#9fb3c8", "weight": 1, "fillColor": PALETTE[i % len(PALETTE)], "fillOpacity": 0.06,
        "dashArray": "4 4"})


def _graticule(bounds, step: float = 5.0) -> dict:
    (s, w), (n, e) = bounds
    feats = []
    for lat in np.arange(math.floor(s / step) * step, n + step, step):
        feats.append([[w - step, lat], [e + step, lat]])
    for lon in np.arange(math.floor(w / step) * step, e + step, step):
        feats.append([[lon, s - step], [lon, n + step]])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": c},
         "properties": {"style": {"color": "#d9e2ec", "weight": 1, "opacity": 0.8}}} for c in feats]}


def _center_zoom(lats, lons, width_px: int = 900, height_px: int = 480) -> tuple[tuple[float, float], int]:
    lats = np.asarray(lats, float)
    lons = np.asarray(lons, float)
    s, n, w, e = lats.min(), lats.max(), lons.min(), lons.max()
    span_lon = max(e - w, 0.05)
    merc = lambda la: math.log(math.tan(math.pi / 4 + math.radians(la) / 2))  # noqa: E731
    span_lat = max(abs(merc(n) - merc(s)) * 180 / math.pi, 0.05)
    z = min(math.log2(width_px / 256 * 360 / (span_lon * 1.15)), math.log2(height_px / 256 * 360 / (span_lat * 1.15)))
    return ((s + n) / 2, (w + e) / 2), int(max(2, min(13, math.floor(z))))


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


# ---------------------------------------------------------------------------------------
# layout
# ---------------------------------------------------------------------------------------


def app_links(current: str | None = None) -> W.HTML:
    """Links to the other apps that exist in ``notebooks/`` (relative links work in Voila)."""
    apps = [("home", "Home"), ("network_design", "Network design"), ("channel_strategy", "Channel strategy"),
            ("demand_forecasting", "Demand & inventory"), ("route_planning", "Route planning"),
            ("scenario_compare", "Compare scenarios"), ("scenario_viewer", "Scenario viewer")]
    here = Path(__file__).resolve().parent.parent / "notebooks"
    links = []
    for name, label in apps:
        if not (here / f"{name}.ipynb").exists():
            continue
        if name == current:
            links.append(f"<b>{html.escape(label)}</b>")
        else:
            links.append(f'<a href="./{name}.ipynb" target="_self" data-app="{name}">{html.escape(label)}</a>')
    return W.HTML(f'<div class="wb-links">{" ".join(links)}</div>')


def app_shell(model: AppModel, *, controls: Sequence[W.Widget], body: Sequence[W.Widget],
              subtitle: str = "", header: Sequence[W.Widget] = (), sidebar_width: str = "300px",
              scenarios: bool = True) -> W.VBox:
    """The standard screen: links, subtitle, problems, busy line; controls left, results right.

    The title itself is the notebook's first (markdown) cell, so it is not repeated here. With
    ``scenarios`` (the default) the controls end with the scenario bar ("Save as scenario",
    "Open scenario"), unless the app placed one itself; the scenario studio's own screens
    (``scenario_*``) never carry it.
    """
    controls = list(controls)
    if (scenarios and not model.app_name.startswith("scenario_")
            and not any(type(c).__name__ == "ScenarioBar" for c in controls)):
        from .scenarios import ScenarioBar  # imported here: widgets.scenarios builds on this module

        controls.append(ScenarioBar(model))
    title = W.HTML(f'<div class="wb-title"><p>{html.escape(subtitle)}</p></div>' if subtitle else "")
    side = W.VBox(list(controls), layout=W.Layout(width=sidebar_width, min_width=sidebar_width, padding="0 12px 0 0"))
    side.add_class("wb-controls")
    main = W.VBox(list(body), layout=W.Layout(flex="1 1 auto", min_width="0"))
    root = W.VBox([W.HTML(STYLE), app_links(model.app_name), title, *header, ProblemsAlert(model),
                   BusyIndicator(model), W.HBox([side, main], layout=W.Layout(width="100%"))])
    root.add_class("wb-app")
    root.add_class(f"wb-app-{model.app_name}")
    return root


def section(text: str) -> W.HTML:
    """A small heading inside a screen."""
    return W.HTML(f'<div class="wb-section">{html.escape(text)}</div>')


def figure_layout(fig: go.Figure, title: str, *, height: int = 360, **kwargs) -> go.Figure:
    """House style for charts."""
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)), height=height, template="plotly_white",
                      margin=dict(l=50, r=20, t=45, b=40), legend=dict(orientation="h", y=-0.18), **kwargs)
    return fig


def points_layer(df: pd.DataFrame, **kwargs) -> dict:
    """GeoJSON of points (``lat``/``lon`` columns) with per-feature style; see ``MapView.set_layer``."""
    return _points_geojson(df, **kwargs)


def lines_layer(segments, colors, **kwargs) -> dict:
    """GeoJSON of straight segments ``(lat1, lon1, lat2, lon2)`` with per-feature colour."""
    return _lines_geojson(segments, colors, **kwargs)
