"""Writing tables to CSV, XLSX and Parquet, safely.

CSV is written the way French spreadsheets read it (UTF-8 with BOM, ";" separator, decimal comma).
A text that a spreadsheet would take for a formula (=, +, -, @, tab, carriage return) is neutralised:
in CSV it gets a leading apostrophe; in XLSX it is stored as a text cell, which no spreadsheet runs.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ptlcd_data.errors import InputError

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses sheet names over 31 characters.
SHEET_NAME_MAX = 31
# Column width cap: long wordings wrap rather than make a sheet unreadable.
COLUMN_WIDTH_MAX = 60


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_csv(value: object) -> object:
    """'=1+1' -> "'=1+1" so a spreadsheet shows it as text."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def safe_filename(name: str, default: str = "export") -> str:
    """A file name with no path, no control or special characters: 'Synthèse 2019/..' -> 'Synthese_2019'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._-")
    return stem[:100] or default


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_csv)
    text: str = out.to_csv(index=False, sep=";", decimal=",", date_format="%Y-%m-%d")
    return text.encode("utf-8-sig")


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if value is pd.NaT or value is pd.NA:  # pd.NA: missing value of a nullable column (Int64)
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()  # numpy scalars
    return value


def add_sheet(wb: Workbook, title: str, df: pd.DataFrame) -> None:
    """Append one sheet: bold header, frozen first row, dates as dd/mm/yyyy, text never a formula."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:SHEET_NAME_MAX])
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in df.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    for col_idx, col in enumerate(df.columns, start=1):
        letter = get_column_letter(col_idx)
        non_null = df[col].dropna()
        is_date = pd.api.types.is_datetime64_any_dtype(df[col]) or (
            not non_null.empty and isinstance(non_null.iloc[0], date | datetime)
        )
        for cell in ws[letter][1:]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text cell: '=1+1' is never run as a formula
            elif is_date and cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
        width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()])
        ws.column_dimensions[letter].width = min(COLUMN_WIDTH_MAX, max(10, width + 2))


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    # Imported here: openpyxl takes a third of a second to import, and the pages that offer a
    # download import this module without writing a workbook until someone asks for one.
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, df in sheets.items():
        add_sheet(wb, title, df)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_bytes(df: pd.DataFrame, fmt: str, sheet: str = "Données") -> bytes:
    """One table in the chosen format."""
    if fmt == "csv":
        return to_csv_bytes(df)
    if fmt == "xlsx":
        return workbook_bytes({sheet: df})
    if fmt == "parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return buf.getvalue()
    raise InputError(f"Format « {fmt} » inconnu ; formats possibles : {', '.join(FORMATS)}.")


def write_table(df: pd.DataFrame, path: Path, fmt: str, sheet: str = "Données") -> None:
    data = table_bytes(df, fmt, sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
