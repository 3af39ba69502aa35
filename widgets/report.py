"""Figures, maps and the self-contained HTML report of a scenario comparison.

* :func:`kpi_figures` — the charts of the KPIs that matter for the app (cost breakdown stacked,
  service, profit, forecast error, route cost and vehicles ...), one bar per scenario;
  :func:`delta_figure` — every KPI's % change against the baseline.
* :func:`map_layers` — the spatial content of a scenario (points with lat/lon, routes as paths,
  flows as segments between known ids) as plain records, drawn by the app with ipyleaflet
  (:func:`layers_geojson`) and by the report as inline SVG (:func:`svg_map`).
* :func:`report_html` — one HTML file: KPI table with deltas, charts (plotly.js embedded inline,
  no CDN), maps as SVG, inputs of each scenario. It opens offline and can be emailed.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from workbench.scenarios import Comparison, Scenario, charts_for, compare, kpi_info
from workbench.scenarios.apps import app_title
from workbench.scenarios.export import _input_pairs
from workbench.scenarios.kpis import format_input, format_number, headline_kpis, readable

from . import geography as geo
from .figures.style import money_hover
from .formatting import PALETTE, format_value

__all__ = ["solver_details_html", "solver_facts", "kpi_figures", "overview_figure", "delta_figure", "MapLayer", "map_layers", "layers_geojson", "svg_map", "report_html",
           "format_kpi", "coordinate_lookup", "comparison_currency"]

VERDICT_COLORS = {"better": "#1a7f37", "worse": "#cf222e", "same": "#57606a", "": "#57606a"}
TABLE_COLORS = {"sites": "#d62728", "customers": "#1f77b4", "flows": "#9fb3c8", "outlets": "#2ca02c",
                "zones": "#17becf", "routes": "#ff7f0e", "plants": "#8c564b", "inbound": "#8c564b",
                "orders": "#e377c2", "stops": "#ff7f0e"}
MAX_SEGMENTS = 2500
MAX_DELTA_KPIS = 24
MAX_POINTS = 5000


def format_kpi(value: float, unit: str, decimals: int | None = None, *, currency: str = "USD") -> str:
    """A KPI value for tables and cards, as the KPI registry formats it everywhere
    (:func:`workbench.scenarios.kpis.format_number`: '$0.90', '$59.01M', '90.4%'), money in
    ``currency`` (the scenarios' World's: 'R$0.90' for BRL)."""
    return format_number(value, unit, decimals, currency=currency)


def comparison_currency(cmp: Comparison) -> str:
    """The ISO code of the currency a comparison's money is in: that of the World the baseline ran
    on (saved with its inputs; USD for scenarios saved before the World carried a currency)."""
    return _scenario_currency(cmp.scenarios[0]) if cmp.scenarios else "USD"


def _scenario_currency(s: Scenario) -> str:
    return str((s.inputs or {}).get("currency") or "USD").upper()


def _money_unit(unit: str, currency: str = "USD") -> str:
    """A KPI unit with money in ``currency``: 'USD/unit' -> 'BRL/unit'; other units unchanged."""
    return currency + unit[3:] if unit.startswith("USD") else unit


def _money_title(title: str, currency: str = "USD") -> str:
    """A registered chart title with money in ``currency``: the KPI registry names money 'USD'
    ('Cost breakdown (USD/yr)' -> 'Cost breakdown (BRL/yr)')."""
    return re.sub(r"\bUSD\b", currency, title)


def _format_delta(value: float, unit: str, decimals: int | None = None, currency: str = "USD") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return f"{100 * value:+.{1 if decimals is None else decimals}f} pt"
    text = format_kpi(abs(value), unit, decimals, currency=currency)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _format_pct(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.1f}%"


# ---------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------


def _axis_title(unit: str, currency: str = "USD") -> str:
    return {"share": "%", "%": "%", "count": "count", "": "value"}.get(unit, _money_unit(unit, currency))


def kpi_figures(cmp: Comparison, *, height: int = 340) -> list[go.Figure]:
    """The KPI charts for the comparison's app, one bar (or stacked bar) per scenario."""
    figs = []
    labels = list(cmp.labels)
    money = comparison_currency(cmp)
    for i, chart in enumerate(charts_for(cmp.app, cmp.kpis)):
        fig = go.Figure()
        unit = chart.unit or kpi_info(chart.kpis[0], cmp.app).unit
        scale = 100.0 if unit == "share" else 1.0
        if chart.kind == "stacked":
            for j, k in enumerate(chart.kpis):
                info = kpi_info(k, cmp.app)
                vals = [cmp.value(lab, k) * scale for lab in labels]
                fig.add_trace(go.Bar(name=info.label, x=[html.escape(lab) for lab in labels], y=vals,
                                     marker_color=PALETTE[j % len(PALETTE)],
                                     hovertemplate="%{x}<br>" + html.escape(info.label) + ": "
                                     + (money_hover("y", money, ",.0f") if unit == "USD" else "%{y:,.0f}")
                                     + "<extra></extra>"))
            fig.update_layout(barmode="stack", legend_traceorder="normal")
        else:
            for j, lab in enumerate(labels):
                vals = [cmp.value(lab, k) * (100.0 if kpi_info(k, cmp.app).unit == "share" else 1.0) for k in chart.kpis]
                fig.add_trace(go.Bar(name=html.escape(lab), x=[kpi_info(k, cmp.app).label for k in chart.kpis], y=vals,
                                     marker_color=PALETTE[j % len(PALETTE)],
                                     hovertemplate=html.escape(lab) + "<br>%{x}: %{y:,.4g}<extra></extra>"))
            fig.update_layout(barmode="group")
        fig.update_layout(title=dict(text=_money_title(chart.title, money), x=0.01, font=dict(size=14)), height=height,
                          template="plotly_white", margin=dict(l=60, r=20, t=45, b=40),
                          legend=dict(orientation="h", y=-0.2))
        fig.update_yaxes(title_text=_axis_title(unit, money), tickformat=",.4~s" if unit == "USD" else None)
        figs.append(fig)
    return figs


def overview_figure(cmp: Comparison, *, height: int = 380) -> go.Figure:
    """One scenario's KPI charts side by side in one figure (one panel per chart of the app, each
    with its own unit), for the viewer: one grouped chart instead of a chart per KPI."""
    from plotly.subplots import make_subplots

    lab = cmp.labels[0]
    money = comparison_currency(cmp)
    charts = charts_for(cmp.app, cmp.business_kpis)
    fig = make_subplots(rows=1, cols=max(1, len(charts)), subplot_titles=[_money_title(c.title, money) for c in charts],
                        horizontal_spacing=0.08)
    for i, chart in enumerate(charts, start=1):
        unit = chart.unit or kpi_info(chart.kpis[0], cmp.app).unit
        scale = 100.0 if unit == "share" else 1.0
        infos = [kpi_info(k, cmp.app) for k in chart.kpis]
        vals = [cmp.value(lab, k) * scale for k in chart.kpis]
        fig.add_trace(go.Bar(x=[info.label for info in infos], y=vals, name=chart.title, showlegend=False,
                             marker_color=[PALETTE[j % len(PALETTE)] for j in range(len(vals))],
                             text=[format_kpi(cmp.value(lab, k), info.unit, info.decimals, currency=money) for k, info in
                                   zip(chart.kpis, infos)], textposition="auto",
                             hovertemplate="%{x}: %{text}<extra></extra>"), row=1, col=i)
        fig.update_yaxes(title_text=_axis_title(unit, money), tickformat=",.4~s" if unit == "USD" else None, row=1, col=i)
    fig.update_annotations(font_size=12)
    fig.update_layout(title=dict(text=f"{lab}: key figures", x=0.01, font=dict(size=14)), height=height,
                      template="plotly_white", margin=dict(l=50, r=20, t=70, b=60))
    return fig


def delta_figure(cmp: Comparison, *, height: int | None = None) -> go.Figure:
    """% change of every KPI against the baseline, one bar per scenario; green when better, red when worse."""
    fig = go.Figure()
    kpis = list(cmp.business_kpis)
    if len(kpis) > MAX_DELTA_KPIS:  # many KPIs (channel strategy has 60): the ones the app charts, headline first
        charted = [k for c in charts_for(cmp.app, kpis) for k in c.kpis]
        keep = list(dict.fromkeys(headline_kpis(cmp.app, kpis, 4) + charted))[:MAX_DELTA_KPIS]
        kpis = [k for k in kpis if k in keep]
    names = [kpi_info(k, cmp.app).label for k in kpis]
    t = cmp.table
    for j, lab in enumerate(cmp.labels[1:]):
        rows = t[t["scenario"] == lab].set_index("kpi").reindex(kpis)
        colors = [VERDICT_COLORS.get(v, "#57606a") if isinstance(v, str) else "#57606a" for v in rows["verdict"]]
        fig.add_trace(go.Bar(name=html.escape(lab), y=names, x=rows["delta_pct"].to_numpy(float), orientation="h",
                             marker=dict(color=colors, line=dict(color=PALETTE[j % len(PALETTE)], width=2)),
                             hovertemplate=html.escape(lab) + "<br>%{y}: %{x:+.1f}%<extra></extra>"))
    fig.update_layout(title=dict(text=f"Change against '{html.escape(cmp.baseline_label)}' (%)", x=0.01,
                                 font=dict(size=14)),
                      barmode="group", template="plotly_white", height=height or max(260, 60 + 26 * len(kpis)),
                      margin=dict(l=160, r=20, t=45, b=40), legend=dict(orientation="h", y=-0.12))
    fig.update_xaxes(title_text="% change vs baseline", zeroline=True, zerolinecolor="#52606d")
    fig.update_yaxes(autorange="reversed")
    return fig


# ---------------------------------------------------------------------------------------
# maps
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayer:
    """One layer of a scenario's map. ``kind``: 'points' (lat, lon, color, radius, label),
    'paths' (list of coordinate lists with a color each) or 'segments' (lat1, lon1, lat2, lon2)."""

    name: str
    kind: str
    data: Any
    color: str = "#1f77b4"
    label: str = ""
    labelled: bool = False  # write each point's label on the map (open DCs)


def _num(df: pd.DataFrame, col: str) -> bool:
    return col in df.columns and pd.api.types.is_numeric_dtype(df[col])


def coordinate_lookup(scenario: Scenario, world: Any = None) -> dict[str, dict[str, tuple[float, float]]]:
    """id column -> {id: (lat, lon)} from the scenario's tables and, when given, the World's tables."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    frames: list[pd.DataFrame] = list((scenario.tables or {}).values())
    if world is not None:
        for name in ("customers", "sites", "plants", "outlets", "orders"):
            df = getattr(world, name, None)
            if isinstance(df, pd.DataFrame):
                frames.append(df)
    for df in frames:
        if not (_num(df, "lat") and _num(df, "lon")):
            continue
        for col in df.columns:
            if isinstance(col, str) and col.endswith("_id") and col not in out:
                ids = df[col].astype(str).to_numpy()
                out[col] = dict(zip(ids, zip(df["lat"].to_numpy(float), df["lon"].to_numpy(float))))
    return out


def map_layers(scenario: Scenario, world: Any = None) -> list[MapLayer]:
    """The spatial content of a scenario: tables with lat/lon as points (routes as paths), and tables
    linking two located ids (customer -> site flows) as segments. Empty when nothing is spatial."""
    layers: list[MapLayer] = []
    tables = dict(scenario.tables or {})
    lookup = coordinate_lookup(scenario, world)
    for name, df in tables.items():
        short = name.split(".")[-1]
        if not isinstance(df, pd.DataFrame) or df.empty:
            continue
        color = TABLE_COLORS.get(short, PALETTE[len(layers) % len(PALETTE)])
        if _num(df, "lat") and _num(df, "lon"):
            d = df[np.isfinite(df["lat"].to_numpy(float)) & np.isfinite(df["lon"].to_numpy(float))]
            group = next((g for g in ("route", "vehicle") if g in d.columns), None)
            if group and "seq" in d.columns:
                paths, colors, labels = [], [], []
                for i, (g, part) in enumerate(d.sort_values([group, "seq"]).groupby(group, sort=False)):
                    paths.append(list(zip(part["lat"].to_numpy(float), part["lon"].to_numpy(float))))
                    colors.append(PALETTE[i % len(PALETTE)])
                    labels.append(str(g))
                layers.append(MapLayer(short, "paths", {"paths": paths, "colors": colors, "labels": labels},
                                       color, readable(short)))
                stops = d[d["kind"] == "stop"] if "kind" in d.columns else d
                layers.append(MapLayer(f"{short} stops", "points", _points(stops, "#52606d", 3.5), "#52606d",
                                       "Stops"))
                continue
            label_col = next((c for c in ("name", "customer", "site_id", "outlet_id") if c in d.columns), None)
            if "open" in d.columns and pd.api.types.is_bool_dtype(d["open"]):
                closed = d[~d["open"]]
                opened = d[d["open"]]
                if len(closed):
                    layers.append(MapLayer(f"{short} (not used)", "points", _points(closed, "#bcccdc", 3.5, label_col),
                                           "#bcccdc", f"{readable(short)} not used"))
                layers.append(MapLayer(short, "points", _points(opened, color, 7.0, label_col), color,
                                       f"{readable(short)} open", labelled=len(opened) <= 30))
            else:
                layers.append(MapLayer(short, "points", _points(d.head(MAX_POINTS), color, 4.0, label_col), color,
                                       readable(short)))
            continue
        ids = [c for c in df.columns if isinstance(c, str) and c.endswith("_id") and c in lookup]
        if len(ids) >= 2:
            a, b = ids[0], ids[1]
            la, lb = lookup[a], lookup[b]
            segs = []
            for x, y in zip(df[a].astype(str).to_numpy()[:MAX_SEGMENTS], df[b].astype(str).to_numpy()[:MAX_SEGMENTS]):
                if x in la and y in lb:
                    segs.append((*la[x], *lb[y]))
            if segs:
                layers.insert(0, MapLayer(short, "segments", segs, color, readable(short)))
    return layers


def _points(df: pd.DataFrame, color: str, radius: float, label_col: str | None = None) -> dict:
    return {"lat": df["lat"].to_numpy(float).tolist(), "lon": df["lon"].to_numpy(float).tolist(),
            "label": (df[label_col].astype(str).tolist() if label_col else [""] * len(df)),
            "color": color, "radius": radius}


def layers_geojson(layer: MapLayer) -> dict:
    """A layer as GeoJSON with per-feature style (for ``MapView.set_layer``)."""
    feats = []
    if layer.kind == "points":
        d = layer.data
        for lat, lon, lab in zip(d["lat"], d["lon"], d["label"]):
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                          "properties": {"name": lab, "style": {"radius": d["radius"], "color": "#ffffff", "weight": 1,
                                                                "fillColor": d["color"], "fillOpacity": 0.85,
                                                                "opacity": 0.9}}})
    elif layer.kind == "paths":
        for path, color, lab in zip(layer.data["paths"], layer.data["colors"], layer.data["labels"]):
            feats.append({"type": "Feature", "geometry": {"type": "LineString",
                                                          "coordinates": [[lon, lat] for lat, lon in path]},
                          "properties": {"name": lab, "style": {"color": color, "weight": 3, "opacity": 0.85}}})
    else:
        for lat1, lon1, lat2, lon2 in layer.data:
            feats.append({"type": "Feature", "geometry": {"type": "LineString",
                                                          "coordinates": [[lon1, lat1], [lon2, lat2]]},
                          "properties": {"style": {"color": layer.color, "weight": 1, "opacity": 0.5}}})
    return {"type": "FeatureCollection", "features": feats}


def _bounds(layers: Sequence[MapLayer]) -> tuple[float, float, float, float] | None:
    lats, lons = [], []
    for l in layers:
        if l.kind == "points":
            lats += l.data["lat"]
            lons += l.data["lon"]
        elif l.kind == "paths":
            for p in l.data["paths"]:
                lats += [a for a, _ in p]
                lons += [b for _, b in p]
        else:
            for a1, b1, a2, b2 in l.data:
                lats += [a1, a2]
                lons += [b1, b2]
    if not lats:
        return None
    return min(lats), max(lats), min(lons), max(lons)


def svg_map(layers: Sequence[MapLayer], *, width: int = 480, height: int = 340, title: str = "",
            bounds: tuple[float, float, float, float] | None = None) -> str:
    """An inline SVG map of the layers (equirectangular, scaled at the mid latitude) over the shipped
    geography (sea, land, country and U.S. state borders, the largest cities' names), with a legend.
    Needs no tiles and no network."""
    b = bounds or _bounds(layers)
    if b is None:
        return ""
    s, n, w, e = b
    pad_lat = max((n - s) * 0.06, 0.2)
    pad_lon = max((e - w) * 0.06, 0.2)
    s, n, w, e = s - pad_lat, n + pad_lat, w - pad_lon, e + pad_lon
    k = math.cos(math.radians((s + n) / 2))
    span_x = (e - w) * k
    span_y = n - s
    top = 24 if title else 6
    legend_h = 18 * ((len(layers) + 2) // 3)
    plot_w, plot_h = width - 12, height - top - legend_h - 8
    scale = min(plot_w / span_x, plot_h / span_y)
    if plot_h - span_y * scale > 8:  # a wide area: the map is shorter than asked, so is the picture
        height = int(math.ceil(height - (plot_h - span_y * scale)))
        plot_h = span_y * scale
    ox = 6 + (plot_w - span_x * scale) / 2
    oy = top + (plot_h - span_y * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - w) * k * scale, oy + (n - lat) * scale

    clip = f"wbclip{abs(hash((title, s, n, w, e, width, height))) % 10**8}"
    x0, y0 = xy(n, w)
    x1, y1 = xy(s, e)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-svg-map" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title or "map")}">',
             f'<defs><clipPath id="{clip}"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
             f'height="{y1 - y0:.1f}"/></clipPath></defs>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#d9e2ec"/>',
             f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="{geo.SEA}"/>']
    if title:
        parts.append(f'<text x="8" y="16" font-size="13" font-weight="600" fill="#1f2933">{html.escape(title)}</text>')
    view = geo.Bounds(s, w, n, e)
    countries, regions = geo.geography_features(view)
    parts.append(f'<g class="wb-geography" clip-path="url(#{clip})">')
    for f, d in zip(countries, geo.svg_paths(countries, xy)):
        parts.append(f'<path class="wb-country" d="{d}" fill="{geo.LAND}" stroke="{geo.BORDER}" stroke-width="0.7">'
                     f'<title>{html.escape(f["properties"]["name"])}</title></path>')
    for d in geo.svg_paths(regions, xy):
        parts.append(f'<path class="wb-region" d="{d}" fill="none" stroke="{geo.REGION_BORDER}" stroke-width="0.5"/>')
    parts.append("</g>")
    for l in layers:
        if l.kind == "segments":
            d = " ".join("M{:.1f},{:.1f}L{:.1f},{:.1f}".format(*xy(a1, b1), *xy(a2, b2)) for a1, b1, a2, b2 in l.data)
            parts.append(f'<path class="wb-map-segments" data-layer="{html.escape(l.name)}" d="{d}" '
                         f'stroke="{l.color}" stroke-width="0.8" stroke-opacity="0.55" fill="none"/>')
    for l in layers:
        if l.kind == "paths":
            for path, color, lab in zip(l.data["paths"], l.data["colors"], l.data["labels"]):
                pts = " ".join("{:.1f},{:.1f}".format(*xy(a, b)) for a, b in path)
                parts.append(f'<polyline class="wb-map-path" data-layer="{html.escape(l.name)}" points="{pts}" '
                             f'stroke="{color}" stroke-width="2" fill="none"><title>{html.escape(lab)}</title></polyline>')
    for l in layers:
        if l.kind == "points":
            d = l.data
            for lat, lon, lab in zip(d["lat"], d["lon"], d["label"]):
                x, y = xy(lat, lon)
                parts.append(f'<circle class="wb-map-point" data-layer="{html.escape(l.name)}" cx="{x:.1f}" cy="{y:.1f}" '
                             f'r="{d["radius"] * 0.75:.1f}" fill="{d["color"]}" stroke="#ffffff" stroke-width="0.6">'
                             f'<title>{html.escape(lab)}</title></circle>')
    placed: list[tuple[float, float]] = []

    def label(x: float, y: float, text: str, css: str, size: int, color: str, weight: str = "normal") -> None:
        if any(abs(x - px) < 40 and abs(y - py) < 10 for px, py in placed):
            return  # would overprint a label already written
        placed.append((x, y))
        right = x > width - 90
        parts.append(f'<text class="{css}" x="{x - 5 if right else x + 5:.1f}" y="{y - 3:.1f}" font-size="{size}" '
                     f'font-weight="{weight}" fill="{color}" text-anchor="{"end" if right else "start"}" '
                     f'stroke="#ffffff" stroke-width="2.5" paint-order="stroke">{html.escape(text)}</text>')

    for l in layers:
        if l.kind == "points" and l.labelled:
            for lat, lon, lab in zip(l.data["lat"], l.data["lon"], l.data["label"]):
                label(*xy(lat, lon), lab.replace(" DC", ""), "wb-dc-label", 10, "#1f2933", "600")
    pts = [(a, b) for l in layers if l.kind == "points" for a, b in zip(l.data["lat"], l.data["lon"])]
    countries = geo.countries_of([a for a, _ in pts], [b for _, b in pts]) if pts else None
    for name, lat, lon, _ in geo.largest_cities(view, 6 if width < 500 else 8, countries=countries):
        label(*xy(lat, lon), name, "wb-city", 9, "#616e7c")
    ly = height - legend_h - 2
    for i, l in enumerate(layers):
        x = 10 + (i % 3) * (width - 20) / 3
        y = ly + 14 + 18 * (i // 3)
        parts.append(f'<circle cx="{x + 5:.1f}" cy="{y - 4:.1f}" r="5" fill="{l.color}"/>'
                     f'<text x="{x + 14:.1f}" y="{y:.1f}" font-size="11" fill="#3e4c59">{html.escape(l.label or l.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# the HTML report
# ---------------------------------------------------------------------------------------

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933; margin: 24px auto;
       max-width: 1180px; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 2px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d9e2ec; }
.meta { color: #52606d; margin: 0 0 12px 0; }
table.kpis { border-collapse: collapse; font-size: 13px; width: 100%; }
table.kpis th { background: #f0f4f8; text-align: right; padding: 5px 8px; border-bottom: 1px solid #bcccdc; }
table.kpis th:first-child, table.kpis td:first-child { text-align: left; }
table.kpis td { padding: 4px 8px; border-bottom: 1px solid #eef2f6; text-align: right; font-variant-numeric: tabular-nums; }
td.better { color: #1a7f37; } td.worse { color: #cf222e; }
.note { border-left: 4px solid #f0b429; background: #fffbea; padding: 6px 12px; margin: 6px 0; font-size: 13px; }
.maps { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { margin: 8px 0; }
table.inputs { border-collapse: collapse; font-size: 12px; margin-bottom: 12px; }
table.inputs td, table.inputs th { padding: 3px 8px; border-bottom: 1px solid #eef2f6; text-align: left; }
footer { margin-top: 32px; color: #829ab1; font-size: 11px; }
"""


def _kpi_table_html(cmp: Comparison, kpis: Sequence[str] | None = None, css: str = "kpis") -> str:
    labels = list(cmp.labels)
    head = "<tr><th>KPI</th>" + f"<th>{html.escape(labels[0])}<br><small>baseline</small></th>"
    for lab in labels[1:]:
        head += f"<th>{html.escape(lab)}</th><th>change</th><th>%</th>"
    head += "</tr>"
    t = cmp.table.set_index(["kpi", "scenario"])
    money = comparison_currency(cmp)
    rows = []
    for k in (cmp.business_kpis if kpis is None else kpis):
        info = kpi_info(k, cmp.app)
        unit = {"share": "%", "count": "", "ratio": ""}.get(info.unit, _money_unit(info.unit, money))
        tip = f' title="{html.escape(info.help)}"' if info.help else ""
        cells = [f'<td{tip}>{html.escape(info.label)}{f" <small>({html.escape(unit)})</small>" if unit else ""}</td>',
                 f'<td class="num">{html.escape(format_kpi(t.loc[(k, labels[0]), "value"], info.unit, info.decimals, currency=money))}</td>']
        for lab in labels[1:]:
            r = t.loc[(k, lab)]
            cls = r["verdict"] if r["verdict"] in ("better", "worse") else ""
            cells.append(f'<td class="num">{html.escape(format_kpi(r["value"], info.unit, info.decimals, currency=money))}</td>')
            cells.append(f'<td class="{cls}">{html.escape(_format_delta(r["delta"], info.unit, info.decimals, money))}</td>')
            cells.append(f'<td class="{cls}">{html.escape(_format_pct(r["delta_pct"]))}</td>')
        rows.append(f'<tr data-kpi="{html.escape(k)}">' + "".join(cells) + "</tr>")
    return f'<table class="{css}">{head}{"".join(rows)}</table>'


def solver_facts(cmp: Comparison) -> list[tuple[str, list[str]]]:
    """How each scenario's plan was computed, beyond the solver KPIs: the solver method and its
    status, as (row label, [one text per scenario]); rows no scenario has are left out."""
    rows = []
    for label, attr in (("Solver", "engine"), ("Solver method", "method"), ("Solver status", "status")):
        vals = []
        for sc in cmp.scenarios:
            res = sc.result
            # a solver's facts only (a forecast's ``method`` is a business choice, shown on its page)
            v = getattr(res, attr, None) if res is not None and hasattr(res, "status") else None
            vals.append("" if v is None else str(v))
        if any(vals):
            rows.append((label, vals))
    return rows


def solver_details_html(cmp: Comparison, css: str = "kpis solver") -> str:
    """The "Solver details" fold: solve time, optimality gap (against the baseline) and the solver's
    method and status per scenario; '' when the app has none. Never part of the business comparison."""
    facts = solver_facts(cmp)
    if not cmp.solver_kpis and not facts:
        return ""
    parts = ['<details class="solver wb-details wb-solver-details"><summary>Solver details (how the plans were '
             'computed; not business results)</summary>']
    if cmp.solver_kpis:
        parts.append(_kpi_table_html(cmp, cmp.solver_kpis, css))
    if facts:
        head = "<tr><th></th>" + "".join(f"<th>{html.escape(lab)}</th>" for lab in cmp.labels) + "</tr>"
        body = "".join("<tr><td>" + html.escape(lab) + "</td>" + "".join(f"<td>{html.escape(v)}</td>" for v in vals)
                       + "</tr>" for lab, vals in facts)
        parts.append(f'<table class="{css} facts">{head}{body}</table>')
    parts.append("</details>")
    return "".join(parts)


def _input_text(value: Any, unit: str, currency: str = "USD") -> str:
    return format_number(value, unit, compact=False, currency=currency) if isinstance(value, (int, float)) else str(value)


def report_html(cmp: Comparison | Sequence[Scenario], *, baseline: Any = None, title: str | None = None,
                world: Any = None, figures: Sequence[go.Figure] | None = None, maps: bool = True) -> str:
    """A self-contained HTML report of a comparison (or of scenarios, compared with ``baseline``).

    plotly.js is embedded once, inline; maps are inline SVG; nothing is fetched when it opens.
    ``world`` lets flows be drawn between ids located in the World (customers, sites ...).
    """
    if not isinstance(cmp, Comparison):
        cmp = compare(list(cmp), baseline)
    title = title or f"{app_title(cmp.app)}: scenarios compared with '{cmp.baseline_label}'"
    figs = list(figures) if figures is not None else [*kpi_figures(cmp), delta_figure(cmp)] if len(cmp.labels) > 1 \
        else kpi_figures(cmp)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>",
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f'<p class="meta">{len(cmp.labels)} scenario(s) · baseline: <b>{html.escape(cmp.baseline_label)}</b> · '
             f"generated {when}</p>"]
    for n in cmp.notes:
        parts.append(f'<div class="note">{html.escape(n)}</div>')
    parts.append("<h2>Key figures</h2>")
    parts.append(_kpi_table_html(cmp))
    parts.append(solver_details_html(cmp))
    if figs:
        parts.append("<h2>Charts</h2>")
        config = {"displaylogo": False, "responsive": True}
        for i, fig in enumerate(figs):
            parts.append('<div class="chart">' + pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False,
                                                             config=config, default_height=fig.layout.height or 360,
                                                             div_id=f"chart-{i}") + "</div>")
    if maps:
        per = [(lab, map_layers(s, world)) for lab, s in zip(cmp.labels, cmp.scenarios)]
        per = [(lab, ls) for lab, ls in per if ls]
        if per:
            all_layers = [l for _, ls in per for l in ls]
            b = _bounds(all_layers)
            parts.append("<h2>Maps</h2><div class=\"maps\">")
            for lab, ls in per:
                parts.append(svg_map(ls, title=lab, bounds=b, width=560 if len(per) < 3 else 370,
                                     height=400 if len(per) < 3 else 300))
            parts.append("</div>")
    parts.append("<h2>Inputs</h2>")
    for lab, s in zip(cmp.labels, cmp.scenarios):
        rows = "".join(f"<tr><td>{html.escape(label)}</td><td>{html.escape(_input_text(v, f, _scenario_currency(s)))}</td>"
                       f"<td><code>{html.escape(k)}</code></td></tr>"
                       for k, (label, v, f) in ((k, format_input(k, v, s.app)) for k, v in _input_pairs(dict(s.inputs or {}))))
        meta = []
        if s.note:
            meta.append(html.escape(s.note))
        if s.updated is not None:
            meta.append("saved " + s.updated.strftime("%Y-%m-%d %H:%M UTC"))
        if s.world_version:
            meta.append(f"data version {html.escape(s.world_version)}")
        table = (f'<table class="inputs"><tr><th>Input</th><th>Value</th><th>Name</th></tr>{rows}</table>' if rows
                 else '<p class="meta">No inputs were recorded with this scenario.</p>')
        parts.append(f"<h3>{html.escape(lab)}</h3><p class=\"meta\">{' · '.join(meta)}</p>{table}")
    parts.append(f"<footer>Distribution Planning Workbench · {html.escape(app_title(cmp.app))} · {when}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)
