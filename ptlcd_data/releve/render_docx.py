"""The relevé in Word (DOCX), written with python-docx: real headings and tables the
secretariat can still edit before sending. Texts go into runs, as plain text."""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.shared import Cm, Pt

from ptlcd_data import formats
from ptlcd_data.releve.content import HEADER, WIDTHS, Document

# The table spans the A4 page between 2 cm margins.
TABLE_WIDTH_CM = 17.0


def render(doc: Document) -> bytes:
    out = new_document()
    section = out.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    out.core_properties.title = doc.title
    out.core_properties.language = "fr-FR"
    out.add_heading(doc.title, level=1)
    for label, value in doc.lines:
        p = out.add_paragraph()
        p.add_run(f"{label} : ").bold = True
        p.add_run(value)
    for table in doc.tables:
        out.add_heading(table.title, level=2)
        if not table.rows:
            out.add_paragraph(table.empty)
            continue
        out.add_paragraph(table.intro)
        grid = out.add_table(rows=1, cols=len(HEADER))
        grid.style = "Table Grid"
        total = sum(WIDTHS)
        for cell, text, width in zip(grid.rows[0].cells, HEADER, WIDTHS, strict=True):
            cell.width = Cm(TABLE_WIDTH_CM * width / total)
            cell.paragraphs[0].add_run(text).bold = True
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                run = cell.paragraphs[0].add_run(text)
                run.font.size = Pt(9)
    foot = out.add_paragraph(f"Relevé produit le {formats.day(doc.produced)}.")
    foot.runs[0].italic = True
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
