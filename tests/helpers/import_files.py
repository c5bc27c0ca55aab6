"""Files shaped like the ones staff really send, built in the tests (openpyxl, csv, zip, soffice)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.imports import batches, verify
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.settings import Settings

# The headers of the template's sheets, as the template writes them.
IND_HEADER, AV_HEADER, ENG_HEADER = (
    [column.label for column in SPECS[kind].columns]
    for kind in ("indicateurs", "avancement", "engagement")
)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class Formatted:
    """A cell value with a number format, as a spreadsheet user sets it ("0%", "0.0%"…)."""

    value: Any
    number_format: str


def percent(value: Any, number_format: str = "0%") -> Formatted:
    """A cell formatted as a percentage: 0.45 shows "45 %" in the spreadsheet."""
    return Formatted(value, number_format)


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with one sheet per item; rows appended as given (None = empty cell, a
    `Formatted` cell gets its number format)."""
    buf = io.BytesIO()
    workbook(sheets).save(buf)
    return buf.getvalue()


def workbook(sheets: dict[str, list[list[Any]]]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([c.value if isinstance(c, Formatted) else c for c in row])
            for column, c in enumerate(row, start=1):
                if isinstance(c, Formatted):
                    ws.cell(ws.max_row, column).number_format = c.number_format
    return wb


def indicateurs(*rows: list[Any], header: list[str] | None = None) -> bytes:
    return xlsx({"Indicateurs": [header or IND_HEADER, *rows]})


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8-sig", sep: str = ";") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def with_macros(data: bytes) -> bytes:
    """Turn an .xlsx into an .xlsm: a VBA project part, declared as Excel does."""
    macro_enabled = part_rewritten(
        data,
        "[Content_Types].xml",
        lambda content: content.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ).replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        ),
    )
    out = io.BytesIO(macro_enabled)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst:
        # A VBA project whose macro would delete files if anything ever ran it.
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b'Sub Auto_Open(): Kill "*.*"' * 20)
    return out.getvalue()


def far_cell_bomb() -> bytes:
    """A few kilobytes: A1 and XFD1048576 filled; a reader allocating the range would need 500 GB."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Indicateurs"
    ws.append(IND_HEADER)
    ws["XFD1048576"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """An .xlsx whose sheet declares 64 MB of XML packed in a few dozen kilobytes."""
    base = zipfile.ZipFile(io.BytesIO(_one_row_sheet()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in base.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with dst.open(item.filename, "w", force_zip64=True) as fh:
                    for _ in range(64):
                        fh.write(b" " * 2**20)
            else:
                dst.writestr(item, base.read(item.filename))
    return out.getvalue()


def over_30_keys(rows: int) -> list[list[Any]]:
    """`rows` valid Indicateurs rows repeating 30 keys (3 indicators × 5 territories × 2 years)
    in turn: rows 2 to 31 of the sheet are each key's first, every key has rows / 30 rows."""
    territoires = ["Nantes", "Rezé", "Orvault", "Saint-Herblain", "Nantes Métropole"]
    codes = ("I1.1.a", "I1.1.b", "I1.2.a")
    keys = [(c, t, y) for c in codes for t in territoires for y in (2019, 2020)]
    return [[c, "", t, y, n % 100] for n in range(rows) for c, t, y in [keys[n % 30]]]


def long_sheet(rows: int) -> bytes:
    """An Indicateurs sheet of `rows` filled rows, each with its own (unknown) indicator code.

    The sheet XML is written directly, with inline strings: openpyxl takes about ten seconds for
    100 000 rows, this well under one. Long enough that reading it takes a second or more.
    """

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    header = "".join(text(f"{col}1", name) for col, name in zip("ABCDE", IND_HEADER, strict=False))
    lines.append(f'<row r="1">{header}</row>')
    for n in range(2, rows + 2):
        lines.append(
            f'<row r="{n}">{text(f"A{n}", f"I{n}")}{text(f"C{n}", "Nantes")}'
            f'<c r="D{n}"><v>2019</v></c><c r="E{n}"><v>{n}</v></c></row>'
        )
    lines.append("</sheetData></worksheet>")
    sheet = "".join(lines).encode("utf-8")
    return part_rewritten(_one_row_sheet(), "xl/worksheets/sheet1.xml", lambda _: sheet)


def corrupt_sheet() -> bytes:
    """A well-formed zip whose sheet XML is garbage (a failed save)."""
    garbage = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99999</v></c>" + os.urandom(200)
    return part_rewritten(_one_row_sheet(), "xl/worksheets/sheet1.xml", lambda _: garbage)


def _one_row_sheet() -> bytes:
    return indicateurs(["I1.1.a", "", "Nantes", 2019, 1])


def state(conn: store.Connection) -> dict[str, int]:
    """Row counts of every table an import may write, and the store's revision."""
    out = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        for table in (
            "indicateur_valeur",
            "statut_record",
            "engagement_record",
            "import_batch",
            "journal",
        )
    }
    out["revision"] = store.revision(conn)
    return out


def soffice_convert(
    sources: list[Path], fmt: str, outdir: Path, infilter: str | None = None
) -> None:
    """Convert with LibreOffice itself (headless), in a private profile."""
    assert SOFFICE is not None
    profile = outdir / "lo-profile"
    cmd = [
        SOFFICE,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
    ]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", fmt, "--outdir", str(outdir), *map(str, sources)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)


def without_formula_results(ods: bytes) -> bytes:
    """An .ods whose formula cells keep their formula but lose their stored result, as some
    programs write them: `<table:table-cell table:formula="of:=1+1"/>`."""
    return part_rewritten(
        ods,
        "content.xml",
        lambda content: re.sub(
            rb'<table:table-cell ([^>]*?table:formula="[^"]*")[^>]*?>.*?</table:table-cell>',
            rb"<table:table-cell \1/>",
            content,
        ),
    )


def repeated_formula_bomb(ods: bytes, rows: int = 20_000, columns: int = 300) -> bytes:
    """An .ods with one formula cell without result repeated over `rows` × `columns` cells: a few
    bytes that would ask the reader to list millions of cells."""
    bomb = (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:formula="of:=1" table:number-columns-repeated="{columns}"/></table:table-row>'
    ).encode()
    src = zipfile.ZipFile(io.BytesIO(ods))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "content.xml":
                at = content.index(b"</table:table-row>") + len(b"</table:table-row>")
                content = content[:at] + bomb + content[at:]
            compress = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(item, content, compress_type=compress)
    return out.getvalue()


def check(conn: store.Connection, data: bytes, name: str = "fichier.xlsx", **settings: Any) -> Any:
    """Vérifier on `data`, as the import page and the command line run it."""
    return verify.check_file(conn, data, name, Settings(**settings))


def published(conn: store.Connection, data: bytes, name: str = "fichier.xlsx") -> dict[Any, Any]:
    """Publish `data` and return {(code, territoire, annee): (valeur, cible)} of the indicators."""
    result = check(conn, data, name)
    assert result.ok, result.errors.to_dict("records")
    batches.publish(conn, SYSTEM, result)
    rows = conn.execute(
        "SELECT indicateur_code, territoire_code, annee, valeur, cible FROM indicateur_valeur"
    ).fetchall()
    return {(c, t, a): (v, ci) for c, t, a, v, ci in rows}


def part_rewritten(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same zip workbook with one part's bytes changed (its `mimetype` left uncompressed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == part:
                content = change(content)
            compress = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(item, content, compress_type=compress)
    return out.getvalue()
