"""Writing helpers for the XLSX workbooks people fill in: a header row, text cells, a drop-down
list.

The import template (`imports.template`), each porteur's campaign workbook (built on it) and the
plan workbook (`plan`) look alike because they share these.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def write_header(ws: Worksheet, labels: list[str], widths: list[int]) -> None:
    """Row 1 as a header (white on blue, frozen, repeated when printed) and column widths."""
    ws.append(labels)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    # Printed, a sheet fits the page's width (landscape), its header repeated on every page.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def text_cells(ws: Worksheet) -> None:
    """Every text below the header is a text cell: a wording, a code or a comment starting with
    « = » is shown as written, never run as a formula (openpyxl makes it one otherwise)."""
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def list_validation(
    ws: Worksheet, source: str, cells: str, what: str, sheet: str
) -> DataValidation:
    """A drop-down on `cells` offering the values of the range `source` (found in `sheet`)."""
    dv = DataValidation(type="list", formula1=source, allow_blank=True)
    dv.error = f"Choisissez {what} dans la liste (feuille {sheet})."
    dv.errorTitle = "Valeur non prévue"
    dv.prompt = f"Choisissez {what} dans la liste."
    dv.showErrorMessage = True
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(cells)
    return dv
