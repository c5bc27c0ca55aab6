"""Small real files of every type a pièce justificative may be, and some it may not.

Each is made the way its program makes it (Pillow, python-docx, openpyxl) or, for OpenDocument,
as LibreOffice lays out its zip: a `mimetype` member first, stored uncompressed.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from openpyxl import Workbook
from PIL import Image

from ptlcd_data.pieces import content

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
# The first bytes of a Windows program (« MZ », then the DOS stub's message) and of a Linux one.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"This program cannot be run in DOS mode." * 4
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + bytes(64)


def image(fmt: str) -> bytes:
    """A 4 × 4 picture in `fmt` ('PNG' or 'JPEG')."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (31, 78, 121)).save(out, fmt)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Bilan de l'action : 42 participants.")
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Participant", "Commune"])
    book.save(out)
    return out.getvalue()


def open_document(mimetype: str, extra: dict[str, bytes] | None = None) -> bytes:
    """An OpenDocument zip of `mimetype` (a content.xml, a manifest, and `extra` members)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def odt() -> bytes:
    return open_document(content.ODT)


def ods() -> bytes:
    return open_document(content.ODS)


def plain_zip() -> bytes:
    """A zip that is no document: an archive of two text files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "a")
        z.writestr("b.txt", "b")
    return out.getvalue()


# name given -> (bytes, the MIME type recognised), for every accepted type.
ACCEPTED = {
    "bilan.pdf": (PDF_BYTES, content.PDF),
    "affiche.png": (image("PNG"), content.PNG),
    "photo.jpg": (image("JPEG"), content.JPEG),
    "compte-rendu.docx": (docx(), content.DOCX),
    "participants.xlsx": (xlsx(), content.XLSX),
    "programme.odt": (odt(), content.ODT),
    "budget.ods": (ods(), content.ODS),
}
