"""The relevé of a séance as a file: its content read from the base, then rendered."""

from __future__ import annotations

from datetime import date

from ptlcd_data.decisions import queries
from ptlcd_data.releve.content import check_format, document
from ptlcd_data.store import Connection


def build(conn: Connection, seance_id: int, fmt: str, produced: date | None = None) -> bytes:
    """The relevé of séance `seance_id` as DOCX or PDF bytes (`fmt`: 'docx' or 'pdf')."""
    doc = document(queries.releve(conn, seance_id), produced)
    # Imported when a relevé is asked for: matplotlib and fpdf2 (the PDF) took the first
    # display of « Revue GOLD » and « Décisions » a second to load, python-docx a tenth.
    if check_format(fmt) == "docx":
        from ptlcd_data.releve import render_docx

        return render_docx.render(doc)
    from ptlcd_data.releve import render_pdf

    return render_pdf.render(doc)
