"""Safe Excel output: text that looks like a formula is written as text.

openpyxl stores any string that starts with ``=`` as a live formula, so a customer called
``=HYPERLINK("http://...")`` or ``=cmd|' /C calc'!A0`` would run when a client opens an export.
Every workbook the workbench writes goes through :func:`text_not_formulas` before it is saved
(the World template and the scenario exports); the workbench never writes formulas on purpose.
Text starting with ``+``, ``-`` or ``@`` is already stored as a text cell by openpyxl.
"""

from __future__ import annotations

__all__ = ["text_not_formulas"]


def text_not_formulas(workbook) -> int:
    """Turn every formula cell of an openpyxl ``workbook`` into a text cell. Returns how many."""
    n = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    n += 1
    return n
