"""Plan workbooks for tests: the exported workbook of a base, edited as a person would."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook

from ptlcd_data import store
from ptlcd_data.plan import workbook_write


def exported(db: Path, as_of: date | None = None) -> bytes:
    """`plan export` of the base at `db`, as bytes."""
    with store.connect(db) as conn:
        return workbook_write.export(conn, as_of)


def edited(data: bytes, edit: Callable[[Workbook], object]) -> bytes:
    """`data` opened with openpyxl, changed by `edit`, saved again."""
    wb = load_workbook(io.BytesIO(data))
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def plan_row(wb: Workbook, action_no: int) -> int:
    """The row of action `action_no` in the Plan sheet."""
    ws = wb["Plan"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=3).value == action_no:
            return row
    raise AssertionError(f"action {action_no} absente de la feuille Plan")
