"""What a pièce is, read from its bytes: its type recognised by content, its name, its size.

The name a browser or a command line gives proves nothing: an executable renamed `bilan.pdf` is
still an executable. The type is read from the first bytes (PDF, PNG, JPEG) or, for office
documents, from the parts of the zip they are (OpenDocument's `mimetype` member, Office Open
XML's `[Content_Types].xml`). The zip is only listed and two small members read, with a bound:
nothing is extracted. Everything here is pure (bytes in, a verdict out) so that every refusal is
checked before anything is written.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from ptlcd_data import formats
from ptlcd_data.errors import InputError

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The MIME type stored → what a person calls it.
TYPE_LABELS = {
    PDF: "PDF",
    ODT: "ODT",
    DOCX: "DOCX",
    ODS: "ODS",
    XLSX: "XLSX",
    PNG: "PNG",
    JPEG: "JPEG",
}
ACCEPTED = (
    "PDF, texte (ODT ou DOCX), tableur (ODS ou XLSX) ou image (PNG ou JPEG), reconnu à son contenu"
)

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_PROGRAMS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
# Office Open XML: the part a document must have, and the content type that names it (the
# macro-enabled variants, .docm and .xlsm, declare another one and are refused).
_OOXML = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX))
_OPEN_DOCUMENT = {ODT.encode(): ODT, ODS.encode(): ODS}
# An OpenDocument `mimetype` member is one short line; a `[Content_Types].xml` a few kilobytes.
MIMETYPE_MAX_BYTES = 100
CONTENT_TYPES_MAX_BYTES = 1 * 2**20
# A document of a few megabytes has a few hundred parts, not tens of thousands.
MAX_ZIP_MEMBERS = 10_000
# A file name is shown in lists and offered back on download: one line, of a sensible length.
NAME_MAX_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Checked:
    """A pièce that may be stored: its cleaned name, its MIME type, its size in bytes."""

    nom: str
    type: str
    taille: int


def type_label(mime: str) -> str:
    """'PDF', 'DOCX'… for a stored MIME type (the type itself when unknown)."""
    return TYPE_LABELS.get(mime, mime)


def size_mb(size: int) -> str:
    """A size in bytes in French megabytes, one decimal: '12,3 Mo'."""
    return f"{formats.number(size / 2**20, 1)}{formats.NBSP}Mo"


def clean_name(filename: str) -> str:
    """The file's name as it will be stored and offered back: control characters removed, spaces
    collapsed. A name that carries a path (a folder, `..`, a drive letter) is refused in French:
    a pièce is one file, and its name never chooses where anything is written."""
    name = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", filename or "")).split())
    if not name:
        raise InputError(
            "Le fichier n'a pas de nom : donnez-lui un nom, puis joignez-le de nouveau."
        )
    if "/" in name or "\\" in name or ".." in name or _DRIVE.match(name):
        raise InputError(
            f"Le nom « {name} » contient un chemin (« / », « \\ », « .. » ou une lettre de "
            "lecteur comme « C: ») : donnez seulement le nom du fichier, par exemple "
            "« bilan-2026.pdf »."
        )
    if len(name) > NAME_MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = ("." + ext) if dot and stem and len(ext) <= 10 else ""
        name = name[: NAME_MAX_CHARS - len(keep)].rstrip() + keep
    return name


def _zip_type(data: bytes, name: str) -> str | None:
    """The MIME type of an OpenDocument or Office Open XML file, None for any other zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            members = {i.filename: i for i in infos}
            if any(n.lower().endswith("vbaproject.bin") or n.startswith("Basic/") for n in members):
                raise InputError(
                    f"« {name} » contient des macros : enregistrez-le sans macros, puis "
                    "joignez-le de nouveau."
                )
            mimetype = members.get("mimetype")
            if mimetype is not None and mimetype.file_size <= MIMETYPE_MAX_BYTES:
                with archive.open(mimetype) as f:
                    return _OPEN_DOCUMENT.get(f.read(MIMETYPE_MAX_BYTES).strip())
            types = members.get("[Content_Types].xml")
            if types is None or types.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            with archive.open(types) as f:
                declared = f.read(CONTENT_TYPES_MAX_BYTES)
            for part, mime in _OOXML:
                if part in members and f"{mime}.main+xml".encode() in declared:
                    return mime
    # NotImplementedError: a compression method zipfile cannot read.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ):
        return None
    return None


def recognise(data: bytes, name: str) -> str:
    """The MIME type of `data`, read from its content; InputError (French, naming what is
    accepted) for any other content, whatever `name` says."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data.startswith(b"PK\x03\x04"):
        found = _zip_type(data, name)
        if found is not None:
            return found
    what = (
        "est un programme exécutable"
        if data.startswith(_PROGRAMS)
        else "n'est pas d'un type accepté"
    )
    raise InputError(
        f"Le contenu de « {name} » {what}, quel que soit son nom. Types acceptés : {ACCEPTED}."
    )


def check(data: bytes, filename: str, max_mb: int) -> Checked:
    """Everything that refuses a pièce before it is stored: its name, empty, too large, its
    type. InputError in French for the first problem found."""
    name = clean_name(filename)
    check_size(len(data), name, max_mb)
    return Checked(name, recognise(data, name), len(data))


def check_size(size: int, name: str, max_mb: int) -> None:
    """Refuse, in French, an empty file or one larger than `max_mb` megabytes (before reading
    it, when its size is known)."""
    if size == 0:
        raise InputError(
            f"Le fichier « {name} » est vide (0 octet) : enregistrez-le de nouveau, puis "
            "joignez-le."
        )
    if size > max_mb * 2**20:
        raise InputError(
            f"Le fichier « {name} » pèse {size_mb(size)} ; la limite est de "
            f"{formats.number(max_mb)}{formats.NBSP}Mo (réglage PTLCD_MAX_PIECE_MB)."
        )
