"""Building blocks of a screen: KPI cards, the problems alert, the busy line, figures, tables, links.

Every component is a plain ipywidget; charts are :class:`widgets.charts.FigureView` (plain plotly
figures drawn by a small widget of our own, never a FigureWidget: see ``docs/ARCHITECTURE.md``).
"""

from __future__ import annotations

import base64
import html
import logging
import traceback
from typing import Callable, Iterable, Mapping

import anywidget

import ipywidgets as W
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets as T
from IPython.display import display

from .charts import FigureView
from .formatting import display_currency, format_value
from .model import AppModel

__all__ = ["KPI", "KPICards", "ProblemsAlert", "BusyIndicator", "FigureView", "TableView", "download_link",
           "DownloadButton", "section"]

log = logging.getLogger("workbench.apps")


class KPI(tuple):
    """(label, value, unit, sub) — ``sub`` is a small line under the value; ``kpi`` names the KPI in
    the registry (:mod:`workbench.scenarios.kpis`), whose ``help`` is the card's tooltip."""

    def __new__(cls, label: str, value, unit: str = "", sub: str = "", *, kpi: str = ""):
        self = super().__new__(cls, (label, value, unit, sub))
        self.kpi = kpi
        return self


class KPICards(W.HTML):
    """A row of KPI cards. ``update([...KPI])`` redraws; ``values`` keeps the numbers for tests,
    ``tooltips`` what each card's tooltip says.

    Each card's tooltip (its HTML ``title``) says what the number is and how it is computed, read
    from the KPI registry under ``app`` (the one place that describes every KPI)."""

    values = T.Dict()
    tooltips = T.Dict()

    def __init__(self, kpis: Iterable[KPI] = (), *, app: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.app = app
        self.add_class("wb-kpis")
        self.update(kpis)

    def tooltip(self, k: KPI) -> str:
        from workbench.scenarios.kpis import kpi_help

        name = getattr(k, "kpi", "")
        return kpi_help(name, self.app) if name else ""

    def update(self, kpis: Iterable[KPI]) -> None:
        kpis = list(kpis)
        self.values = {k[0]: k[1] for k in kpis}
        self.tooltips = {k[0]: self.tooltip(k) for k in kpis}
        cards = []
        for k in kpis:
            label, value, unit, sub = k
            tip = self.tooltips[label]
            title = f' title="{html.escape(tip)}"' if tip else ""
            cards.append(
                f'<div class="wb-card" data-kpi="{html.escape(label)}"{title}><div class="wb-label">{html.escape(label)}'
                + (' <span class="wb-info">i</span>' if tip else "") + "</div>"
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


class TableView(W.HTML):
    """A DataFrame as a readable HTML table (numbers formatted, scrolls past ``max_rows``).

    ``headers`` maps column names to what the table shows ("Volume (units/yr)"); a column name
    left raw (``cost_to_serve``) is shown readable with its unit ("Cost to serve (USD)", in the
    World's currency), so no
    code name reaches the screen. ``data`` keeps the frame as given (for tests and downloads).
    """

    def __init__(self, data: pd.DataFrame | None = None, *, max_rows: int = 200, height: str = "320px",
                 formats: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                 tips: Mapping[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_rows = max_rows
        self.height = height
        self.formats = dict(formats or {})
        self.headers = dict(headers or {})
        #: column -> a header's tooltip (the technical term behind a plain header: "MAPE")
        self.tips = dict(tips or {})
        self.data = pd.DataFrame()
        if data is not None:
            self.update(data)

    def shown_headers(self, columns) -> list[str]:
        """The header shown for each column (money in the display currency: 'Cost to serve (BRL)')."""
        from workbench.scenarios.kpis import COLUMN_WORDS, column_unit, header

        def raw(c: str) -> str:
            unit = column_unit(c) or ""
            return header(c, display_currency() + unit[3:] if unit.startswith("USD") else unit)

        return [self.headers.get(c) or (raw(str(c)) if "_" in str(c) or str(c) in COLUMN_WORDS else str(c))
                for c in columns]

    def update(self, data: pd.DataFrame, formats: Mapping[str, str] | None = None,
               headers: Mapping[str, str] | None = None, tips: Mapping[str, str] | None = None) -> None:
        self.data = data
        if headers is not None:
            self.headers = {**self.headers, **headers}
        if tips is not None:
            self.tips = {**self.tips, **tips}
        fmts = {**self.formats, **(formats or {})}
        shown = data.head(self.max_rows)

        def th(col, text: str) -> str:
            tip = self.tips.get(col)
            return f'<th title="{html.escape(tip)}">{html.escape(text)}</th>' if tip else f"<th>{html.escape(text)}</th>"

        head = "".join(th(c, h) for c, h in zip(shown.columns, self.shown_headers(shown.columns)))
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



_DOWNLOAD_ESM = """
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.className = "jupyter-button widget-button wb-download-button";
    const note = document.createElement("span");
    note.className = "wb-download-note";
    let pending = false;
    const update = () => {
      button.textContent = pending ? "Preparing " + model.get("filename") + "..." : model.get("description");
      button.disabled = pending || model.get("disabled");
      button.title = model.get("tooltip");
    };
    const received = (msg, buffers) => {
      if (msg.event !== "file") return;
      pending = false;
      update();
      if (msg.error) { note.textContent = msg.error; return; }
      note.textContent = "";
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: msg.mime }));
      const link = document.createElement("a");
      link.href = url;
      link.download = msg.filename;
      link.style.display = "none";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    };
    button.addEventListener("click", () => {
      if (pending) return;
      pending = true;
      note.textContent = "";
      update();
      model.send({ event: "download" });
    });
    model.on("change", update);
    model.on("msg:custom", received);
    update();
    el.append(button, note);
    return () => { model.off("change", update); model.off("msg:custom", received); };
  },
};
"""

_DOWNLOAD_CSS = """
.wb-download-button { width: auto; min-width: 180px; }
.wb-download-note { margin-left: 8px; color: #b00020; font-size: 12px; }
"""


class DownloadButton(anywidget.AnyWidget):
    """A button that downloads a file made when it is clicked: nothing is sent to the page before.

    ``make()`` returns the file's bytes (``filename``, ``mime``). A link with the file inlined
    (:func:`download_link`) sends the whole file with every change of the screen, whether or not
    anybody downloads it (the channel outlets CSV: 270 kB per change). A problem while making the
    file is shown beside the button.
    """

    _esm = T.Unicode(_DOWNLOAD_ESM).tag(sync=True)
    _css = T.Unicode(_DOWNLOAD_CSS).tag(sync=True)
    description = T.Unicode("Download").tag(sync=True)
    filename = T.Unicode("download").tag(sync=True)
    mime = T.Unicode("application/octet-stream").tag(sync=True)
    tooltip = T.Unicode("").tag(sync=True)
    disabled = T.Bool(False).tag(sync=True)

    def __init__(self, make: Callable[[], bytes], **kwargs):
        super().__init__(**kwargs)
        self._make = make
        self.on_msg(self._on_msg)

    def _on_msg(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "download":
            self.send_file()

    def file(self) -> tuple[dict, bytes]:
        """What a click sends: the message and the file's bytes (empty, with ``error``, on a problem)."""
        from workbench.errors import WorkbenchError

        try:
            data = self._make()
        except WorkbenchError as exc:
            return {"event": "file", "error": str(exc)}, b""
        except Exception as exc:  # shown beside the button: a click must never fail silently
            log.error("unexpected error making %s:\n%s", self.filename, traceback.format_exc())
            return {"event": "file", "error": f"Unexpected error while making {self.filename} "
                                              f"({type(exc).__name__}: {exc}); report this with the inputs used."}, b""
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"make() must return bytes, not {type(data).__name__}")
        return {"event": "file", "filename": self.filename, "mime": self.mime, "size": len(data)}, bytes(data)

    def send_file(self) -> None:
        msg, data = self.file()
        self.send(msg, [data] if "error" not in msg else None)


def section(text: str) -> W.HTML:
    """A small heading inside a screen."""
    return W.HTML(f'<div class="wb-section">{html.escape(text)}</div>')
