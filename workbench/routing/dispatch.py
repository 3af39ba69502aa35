"""Dispatch sheets: per vehicle, its stops with ETAs, as tables, CSV, Excel and printable HTML."""

from __future__ import annotations

import html
import io
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from .model import fmt_clock
from .result import RoutingResult

__all__ = ["dispatch_sheets", "dispatch_table", "dispatch_csv", "dispatch_excel", "dispatch_html", "write_dispatch"]

SHEET_COLUMNS = ("Vehicle", "Stop", "Order", "Customer", "Arrive", "Window", "Wait (min)", "Start", "Service (min)",
                 "Depart", "Deliver (units)", "Load after", "Leg (km)", "Lat", "Lon")


def _window(a, b) -> str:
    return f"{fmt_clock(a)}-{fmt_clock(b)}"


def dispatch_table(result: RoutingResult) -> pd.DataFrame:
    """Every vehicle's run sheet in one table (depot departure, stops with ETAs, return)."""
    rows = []
    for r in result.routes.itertuples():
        if r.kind == "depart":
            rows.append((r.vehicle, 0, "", f"Depart {r.depot_id}", "", _window(r.tw_start, r.tw_end), 0.0, "",
                         0.0, fmt_clock(r.departure_min), 0.0, r.load_after, 0.0, r.lat, r.lon))
        elif r.kind == "stop":
            rows.append((r.vehicle, int(r.seq), r.order_id, r.name, fmt_clock(r.arrival_min),
                         _window(r.tw_start, r.tw_end), round(r.wait_min, 1), fmt_clock(r.start_min),
                         round(r.service_min, 1), fmt_clock(r.departure_min), r.demand, r.load_after,
                         round(r.leg_km, 2), r.lat, r.lon))
        else:
            rows.append((r.vehicle, int(r.seq), "", f"Return to {r.depot_id}", fmt_clock(r.arrival_min),
                         "", 0.0, "", 0.0, "", 0.0, 0.0, round(r.leg_km, 2), r.lat, r.lon))
    return pd.DataFrame(rows, columns=list(SHEET_COLUMNS))


def dispatch_sheets(result: RoutingResult) -> dict[str, pd.DataFrame]:
    """One run sheet per vehicle, keyed by vehicle name (in route order)."""
    table = dispatch_table(result)
    return {v: g.drop(columns="Vehicle").reset_index(drop=True) for v, g in table.groupby("Vehicle", sort=False)}


def dispatch_csv(result: RoutingResult) -> bytes:
    """All run sheets as one CSV (UTF-8, one row per event, a ``Vehicle`` column)."""
    return dispatch_table(result).to_csv(index=False).encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "-", name)[:31] or "Sheet"
    cand, n = base, 2
    while cand.lower() in used:
        suffix = f" ({n})"
        cand, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(cand.lower())
    return cand


def dispatch_excel(result: RoutingResult, *, currency: str = "USD") -> bytes:
    """An Excel workbook: a ``Summary`` sheet (cost in ``currency``, the World's ISO code), one run
    sheet per vehicle, and ``Unserved`` if any."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    summary = result.summary[["vehicle", "vehicle_type", "depot_id", "stops", "load", "capacity", "utilisation", "km",
                              "start_min", "end_min", "duration_h", "cost"]].copy()
    summary["start_min"] = summary["start_min"].map(fmt_clock)
    summary["end_min"] = summary["end_min"].map(fmt_clock)
    summary.columns = ["Vehicle", "Type", "Depot", "Stops", "Load", "Capacity", "Utilisation", "km", "Leaves",
                       "Returns", "Hours", f"Cost ({str(currency or 'USD').upper()})"]
    used: set[str] = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        summary.to_excel(xw, sheet_name=_sheet_name("Summary", used), index=False)
        for vehicle, sheet in dispatch_sheets(result).items():
            sheet.to_excel(xw, sheet_name=_sheet_name(vehicle, used), index=False)
        if len(result.unserved):
            result.unserved.to_excel(xw, sheet_name=_sheet_name("Unserved", used), index=False)
        for ws in xw.book.worksheets:
            for cell in ws[1]:
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = PatternFill("solid", fgColor="1F4E79")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for j, col in enumerate(ws.columns, start=1):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 40)
            ws.freeze_panes = "A2"
            ws.page_setup.orientation = "landscape"
            ws.page_setup.fitToWidth = 1
    return buf.getvalue()


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;color:#111;margin:16px}
h1{font-size:16pt;margin:0 0 4px} h2{font-size:13pt;margin:18px 0 4px} .meta{color:#555;margin-bottom:8px}
table{border-collapse:collapse;width:100%;margin-bottom:6px} th,td{border:1px solid #bbb;padding:3px 6px;text-align:left}
th{background:#e8eef5} td.num{text-align:right} tr.depot td{background:#f5f5f5;font-style:italic}
.sign{margin-top:14px;color:#555} .vehicle{page-break-after:always;break-after:page}
.vehicle:last-child{page-break-after:auto;break-after:auto}
@media print{body{margin:0} h2{margin-top:0}}
"""


def dispatch_html(result: RoutingResult, *, title: str = "Dispatch sheets") -> str:
    """A printable HTML document (plain HTML/CSS): one page per vehicle with its stops and ETAs."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title><style>{_CSS}</style>"
             "</head><body>"]
    cols = [c for c in SHEET_COLUMNS if c not in ("Vehicle", "Lat", "Lon")]
    summary = result.summary.set_index("vehicle") if len(result.summary) else None
    sheets = dispatch_sheets(result)
    if not sheets:
        parts.append(f"<h1>{e(title)}</h1><p>No routes in this plan.</p>")
    for vehicle, sheet in sheets.items():
        s = summary.loc[vehicle]
        parts.append("<section class='vehicle'>")
        parts.append(f"<h1>{e(title)}</h1><h2>{e(vehicle)}</h2>")
        parts.append(f"<div class='meta'>Depot {e(str(s.depot_id))} · leaves {fmt_clock(s.start_min)} · returns "
                     f"{fmt_clock(s.end_min)} · {int(s.stops)} stops · {s.load:,.0f} of {s.capacity:,.0f} units · "
                     f"{s.km:,.1f} km · {s.duration_h:.2f} h</div>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr></thead><tbody>")
        for _, row in sheet.iterrows():
            cls = " class='depot'" if not row["Order"] else ""
            cells = []
            for c in cols:
                v = row[c]
                if isinstance(v, float):
                    text = "" if v != v else (f"{v:,.1f}" if c in ("Leg (km)", "Wait (min)", "Service (min)")
                                              else f"{v:,.0f}")
                    cells.append(f"<td class='num'>{e(text)}</td>")
                else:
                    cells.append(f"<td>{e(str(v))}</td>")
            parts.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table><div class='sign'>Driver: ____________________ &nbsp; "
                     "Departure checked: ________</div></section>")
    if len(result.unserved):
        parts.append("<section><h2>Unserved orders</h2><table><thead><tr><th>Order</th><th>Customer</th>"
                     "<th>Reason</th></tr></thead><tbody>")
        for r in result.unserved.itertuples():
            parts.append(f"<tr><td>{e(str(r.order_id))}</td><td>{e(str(r.name))}</td><td>{e(r.reason)}</td></tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "".join(parts)


def write_dispatch(result: RoutingResult, path: str | os.PathLike, *, title: str = "Dispatch sheets",
                   currency: str = "USD") -> Path:
    """Write the dispatch sheets to ``path`` by its extension (.csv, .xlsx, .html), atomically."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        data = dispatch_csv(result)
    elif ext in (".xlsx", ".xlsm"):
        data = dispatch_excel(result, currency=currency)
    elif ext in (".html", ".htm"):
        data = dispatch_html(result, title=title).encode("utf-8")
    else:
        raise ValueError(f"unknown dispatch file type {ext!r}: use .csv, .xlsx or .html")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=ext)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path
