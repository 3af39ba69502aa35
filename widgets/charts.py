"""Charts: plotly figures drawn by a small widget of our own, with a lighter plotly.js.

Why not plotly's own renderers. The JupyterLab plotly extension carries the full plotly.js (4.8 MB,
every trace type); a browser spends about 0.7 s evaluating it on every page that opens, before the
first chart is drawn: the largest single share of an app's opening time on a 2-core machine. The
apps draw three trace types (bar, scatter, waterfall), all in plotly.js's "finance" bundle (1.3 MB,
evaluated in about 0.15 s). plotly's ``FigureWidget`` is no way out: it carries the full bundle in
every widget's state and gives its front end 2 s to start (``docs/ARCHITECTURE.md``).

So every chart is a :class:`FigureView` (an ``anywidget``) holding the figure as plain JSON, and one
:class:`PlotlyLibrary` per kernel holds the finance bundle (gzip, 0.43 MB, shipped in
``widgets/data``; see ``widgets/data/NOTICE.md``). The browser evaluates the bundle once per page
and every chart waits for it. A chart is drawn when its box has a width (a chart in a closed fold
costs nothing until it is opened) and redrawn in place (``Plotly.react``) when its figure changes.

The same widgets work in JupyterLab and in Voila; the Voila server leaves plotly's extension out of
the apps' pages (``notebooks/voila.json``, ``extension_denylist``).
"""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import ipywidgets as W
import plotly.graph_objects as go
import plotly.io as pio
import traitlets as T

__all__ = ["FigureView", "PlotlyLibrary", "plotly_library", "TRACE_TYPES", "BUNDLE"]

BUNDLE = Path(__file__).resolve().parent / "data" / "plotly-finance-4.1.0.min.js.gz"
#: the trace types the shipped bundle draws (plotly.js "finance" partial bundle)
TRACE_TYPES = frozenset({"scatter", "bar", "histogram", "pie", "funnelarea", "ohlc", "candlestick", "funnel",
                         "waterfall", "indicator"})

# One place on the page where the library is awaited: a promise on globalThis, resolved by the
# first PlotlyLibrary model that loads (every kernel on the page has one; only the first loads).
_SHARED = """
function library() {
  let lib = globalThis.__wbPlotly;
  if (!lib) {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    lib = globalThis.__wbPlotly = { promise, resolve, loading: false };
  }
  return lib;
}
"""

LIBRARY_ESM = _SHARED + """
export default {
  async initialize({ model }) {
    const lib = library();
    if (lib.loading) return;
    lib.loading = true;
    const data = model.get("bundle");
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
    const text = await new Response(stream).text();
    const script = document.createElement("script");
    script.textContent = text;  // a classic script: the bundle defines the global Plotly
    document.head.appendChild(script);
    lib.resolve(globalThis.Plotly);
  },
};
"""

CHART_ESM = _SHARED + """
export default {
  render({ model, el }) {
    const gd = document.createElement("div");
    gd.className = "wb-chart";
    el.appendChild(gd);
    let Plotly = null;
    let alive = true;
    let drawn = 0;
    let waiting = false;  // a figure not drawn yet because the box has no width
    const draw = () => {
      if (!Plotly || !alive) return;
      const fig = model.get("spec") || {};
      if (!fig.data) {
        Plotly.purge(gd);
        gd.dataset.wbDrawn = String(++drawn);
        return;
      }
      if (el.getBoundingClientRect().width === 0) { waiting = true; return; }
      waiting = false;
      const config = Object.assign({}, fig.config || {}, { responsive: true, displaylogo: false });
      Plotly.react(gd, fig.data, fig.layout || {}, config).then(() => {
        gd.dataset.wbDrawn = String(++drawn);
      });
    };
    const resized = new ResizeObserver(() => {
      if (!Plotly || !alive) return;
      if (waiting) draw();
      else if (gd._fullLayout) Plotly.Plots.resize(gd);
    });
    resized.observe(el);
    model.on("change:spec", draw);
    library().promise.then((P) => { Plotly = P; draw(); });
    return () => {
      alive = false;
      resized.disconnect();
      model.off("change:spec", draw);
      if (Plotly) Plotly.purge(gd);
    };
  },
};
"""

CHART_CSS = """
.wb-figure { overflow: hidden; }
.wb-figure .wb-chart { width: 100%; height: 100%; }
"""


class PlotlyLibrary(anywidget.AnyWidget):
    """The plotly.js bundle, once per kernel; every :class:`FigureView` refers to it."""

    _esm = T.Unicode(LIBRARY_ESM).tag(sync=True)
    bundle = T.Bytes().tag(sync=True)


_LIBRARY: PlotlyLibrary | None = None


def plotly_library() -> PlotlyLibrary:
    """The kernel's one :class:`PlotlyLibrary` (made again if it was closed)."""
    global _LIBRARY
    if _LIBRARY is None or _LIBRARY.comm is None:
        _LIBRARY = PlotlyLibrary(bundle=BUNDLE.read_bytes())
    return _LIBRARY


class FigureView(anywidget.AnyWidget):
    """A plotly figure on screen; ``figure`` keeps the ``go.Figure`` for tests.

    Every chart has a known height: the figure's own (``height`` here when the figure has none,
    else 400 px), set on the figure AND on the widget's box, so a chart never depends on a layout
    that has not happened yet (charts drawn 0 px high on first open were seen before). ``show``
    sets plain traits, so it is safe from a background thread.
    """

    DEFAULT_HEIGHT = 400

    _esm = T.Unicode(CHART_ESM).tag(sync=True)
    _css = T.Unicode(CHART_CSS).tag(sync=True)
    #: the figure as plotly JSON (data, layout, config); empty when nothing is drawn
    spec = T.Dict().tag(sync=True)
    library = T.Instance(PlotlyLibrary, allow_none=True).tag(sync=True, **W.widget_serialization)

    def __init__(self, figure: go.Figure | None = None, *, height: int | None = None, **kwargs):
        super().__init__(library=plotly_library(), **kwargs)
        self.height = height
        self.figure: go.Figure | None = None
        self.add_class("wb-figure")
        if height is not None:
            self.layout.height = f"{height}px"
            self.layout.min_height = f"{height}px"
        if figure is not None:
            self.show(figure)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure`` (replacing the last one)."""
        height = int(figure.layout.height or self.height or self.DEFAULT_HEIGHT)
        if figure.layout.height is None:
            figure.update_layout(height=height)
        self.figure = figure
        self.layout.height = f"{height}px"
        self.layout.min_height = f"{height}px"
        self.spec = plotly_json(figure)

    def clear(self) -> None:
        """Draw nothing."""
        self.figure = None
        self.spec = {}


def plotly_json(fig: go.Figure) -> dict:
    """The figure as plain JSON (numpy arrays as plotly's typed-array form), for the front end.

    Raises ``ValueError`` for a trace type the shipped bundle does not draw (a chart would stay
    blank): add it to the bundle (``widgets/data/NOTICE.md``) before using it."""
    spec = json.loads(pio.to_json(fig, validate=False, remove_uids=True))
    unknown = {t.get("type", "scatter") for t in spec.get("data", [])} - TRACE_TYPES
    if unknown:
        raise ValueError(f"trace type {sorted(unknown)} is not in the shipped plotly.js bundle "
                         f"({', '.join(sorted(TRACE_TYPES))})")
    return spec
