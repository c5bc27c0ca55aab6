"""The relevé in PDF, with the synthèse's A4 document (`synthese.pdf_document.ReportPDF`)."""

from __future__ import annotations

from ptlcd_data import formats
from ptlcd_data.releve.content import HEADER, WIDTHS, Document
from ptlcd_data.synthese.pdf_document import ReportPDF


def render(doc: Document) -> bytes:
    pdf = ReportPDF(doc.title)
    pdf.set_title(doc.title)
    pdf.set_lang("fr")
    pdf.add_page()
    pdf.heading(doc.title, level=1)
    for label, value in doc.lines:
        pdf.paragraph(f"{label} : {value}")
    for table in doc.tables:
        pdf.heading(table.title, level=2)
        if not table.rows:
            pdf.paragraph(table.empty)
            continue
        pdf.paragraph(table.intro)
        pdf.data_table(HEADER, table.rows, WIDTHS)
    pdf.paragraph(f"Relevé produit le {formats.day(doc.produced)}.", size=8, style="I")
    return bytes(pdf.output())
