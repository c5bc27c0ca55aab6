"""The relevé of a séance as a file: its content read from the base, then rendered."""

from __future__ import annotations

from datetime import date

from ptlcd_data.decisions import queries
from ptlcd_data.releve import render_docx, render_pdf
from ptlcd_data.releve.content import check_format, document
from ptlcd_data.store import Connection


def build(conn: Connection, seance_id: int, fmt: str, produced: date | None = None) -> bytes:
    """The relevé of séance `seance_id` as DOCX or PDF bytes (`fmt`: 'docx' or 'pdf')."""
    doc = document(queries.releve(conn, seance_id), produced)
    return render_docx.render(doc) if check_format(fmt) == "docx" else render_pdf.render(doc)
