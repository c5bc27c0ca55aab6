"""Reading an uploaded file into raw tables of text that keep their spreadsheet positions.

A file is recognised by its bytes, not by its name: a zip workbook (.xlsx, .xlsm, .ods), an OLE2
workbook (.xls), or text (CSV as French spreadsheets write it). Anything else is refused in French.

Workbooks are read with calamine, through fastexcel (which hands over Arrow columns), in a child
process under a memory and a time limit: a crafted workbook of a few kilobytes (one cell in A1,
one in XFD1048576) makes the reader allocate hundreds of gigabytes and abort the whole process.
The server must survive that, so only the child dies. Macros are never run: calamine reads
stored values and nothing else.

Each sheet comes back as an Arrow table: `_ligne` (the row number a spreadsheet shows) then
`cN` columns of cell texts (empty cells '' or null), where `cN` is the spreadsheet's column N+1;
a workbook's leading empty columns are left out. Numbers arrive as text ('137'), dates as ISO
text ('2019-05-01 00:00:00'): the caller gives them meaning (Vérifier, `imports.verify`, does
it in SQL, over the whole table at once; the plan workbook, `plan`, cell by cell).
What calamine does not say about a cell (`cell_marks`) comes as boolean columns beside the
texts, only for the columns that have such cells: `pct_N` (a number formatted as a percentage,
stored 0.45 for 45 %) and `noresult_N` (a formula saved without its result, read as empty).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import logging
import multiprocessing
import multiprocessing.spawn as mp_spawn
import os
import zipfile
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as PipeEnd
from typing import Any

import fastexcel
import pyarrow as pa

from ptlcd_data.classeurs import cell_marks, percent_format
from ptlcd_data.errors import InputError
from ptlcd_data.formats import NBSP, count, number

log = logging.getLogger("ptlcd")

# A filled template of 200,000 rows is about 70 MB of sheet XML; a declared size beyond this is
# a decompression bomb, refused before anything is decompressed.
MAX_UNCOMPRESSED_MB = 512
# Sheet XML compresses 10 to 30 times; bombs compress a thousand times and more.
MAX_COMPRESSION_RATIO = 250
# Ratios are only meaningful for large parts (a tiny part may compress very well).
RATIO_CHECKED_ABOVE_BYTES = 16 * 2**20
MAX_ZIP_ENTRIES = 5_000
# Memory the reading child may take beyond its size at start: a 200,000-row sheet needs < 1 GB.
READ_MEMORY_MB = 3_072
# A 200,000-row workbook reads in about 2 s here: sixty times that is a hostile file.
READ_TIMEOUT_SECONDS = 120.0
# Rows per Arrow record batch handed to DuckDB.
BATCH_ROWS = 16_384
# Only the first bytes decide whether a file is text.
SNIFF_BYTES = 8_192

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOT_SPREADSHEETS = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"RIFF": "un fichier multimédia ou une image",
    b"\x1f\x8b": "une archive compressée (gzip)",
    b"Rar!": "une archive RAR",
    b"7z\xbc\xaf": "une archive 7-Zip",
}
EXPECTED = "un classeur .xlsx, .xlsm, .ods ou .xls, ou un fichier .csv"


class FileRefused(InputError):
    """The file as a whole cannot be read: nothing in it is looked at, nothing is written."""

    title = "Fichier refusé"


@dataclass(frozen=True)
class RawSheet:
    """One sheet's cells as text. `name` is empty for a CSV file (it has no sheet name)."""

    name: str
    table: pa.Table


@dataclass(frozen=True)
class RawBook:
    kind: str  # 'xlsx', 'xlsm', 'ods', 'xls' or 'csv'
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)  # remarks for the report


def read_file(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> RawBook:
    """Read `data` (the file's bytes) or raise FileRefused with a French message."""
    if not data:
        raise FileRefused(f"Le fichier « {filename} » est vide (0 octet).")
    if len(data) > max_bytes:
        raise FileRefused(
            f"Le fichier « {filename} » pèse {_mb(len(data), 1)} ; la limite est de "
            f"{_mb(max_bytes)} (réglage PTLCD_MAX_UPLOAD_MB)."
        )
    kind, notes = sniff(data, filename)
    if kind == "csv":
        text, encoding_note = decode_text(data, filename)
        if encoding_note:
            notes.append(encoding_note)
        sheets = [RawSheet("", csv_table(text, filename, max_rows))]
    else:
        sheets, child_notes = _read_in_child(data, filename, kind, max_rows)
        notes += child_notes
    if all(s.table.num_rows == 0 for s in sheets):
        raise FileRefused(f"Le fichier « {filename} » ne contient aucune cellule remplie.")
    return RawBook(kind, sheets, notes)


def sniff(data: bytes, filename: str) -> tuple[str, list[str]]:
    """What the bytes are: ('xlsx' | 'xlsm' | 'ods' | 'xls' | 'csv', remarks)."""
    for magic, what in NOT_SPREADSHEETS.items():
        if data.startswith(magic):
            raise FileRefused(
                f"Le fichier « {filename} » est {what}, pas un tableur ; attendu : {EXPECTED}."
            )
    if data.startswith(ZIP_MAGIC):
        return _sniff_zip(data, filename)
    if data.startswith(OLE_MAGIC):
        return "xls", []
    head = data[:SNIFF_BYTES]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            f"Le fichier « {filename} » n'est ni un tableur ni un texte lisible ; attendu : "
            f"{EXPECTED}."
        )
    return "csv", []


def _sniff_zip(data: bytes, filename: str) -> tuple[str, list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(
            f"Le classeur « {filename} » est endommagé ou incomplet (téléchargement "
            "interrompu ?) : il ne peut pas être ouvert. Enregistrez-le de nouveau depuis "
            "votre tableur."
        ) from None
    names = {i.filename for i in infos}
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileRefused(f"Le fichier « {filename} » contient {len(infos)} parties : refusé.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_MB * 2**20 or any(
        i.file_size > RATIO_CHECKED_ABOVE_BYTES
        and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1)
        for i in infos
    ):
        raise FileRefused(
            f"Le fichier « {filename} » se décompresse en {_mb(total)} pour "
            f"{_mb(len(data), 1)} : c'est une « bombe de décompression », refusée sans être lue."
        )
    notes: list[str] = []
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:200]
        if b"opendocument.spreadsheet" not in mimetype:
            raise FileRefused(
                f"Le fichier « {filename} » est un document OpenDocument qui n'est pas un "
                f"classeur (texte, présentation…) ; attendu : {EXPECTED}."
            )
        if any(n.startswith("Basic/") for n in names):
            notes.append(_MACRO_NOTE)
        return "ods", notes
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/vbaProject.bin" in names:
            notes.append(_MACRO_NOTE)
            return "xlsm", notes
        return "xlsx", notes
    if any(n.startswith("word/") for n in names):
        what = "un document Word"
    elif any(n.startswith("ppt/") for n in names):
        what = "une présentation"
    else:
        what = "une archive ZIP"
    raise FileRefused(
        f"Le fichier « {filename} » est {what}, pas un tableur ; attendu : {EXPECTED}."
    )


_MACRO_NOTE = (
    "Le classeur contient des macros : seules les valeurs des cellules ont été lues, "
    "les macros n'ont pas été exécutées."
)


def decode_text(data: bytes, filename: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252: (text, remark or '')."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), ""
        except UnicodeDecodeError:
            pass
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "Texte lu en UTF-16."
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), ""
        except UnicodeDecodeError:
            pass
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    try:
        return data.decode("cp1252"), "Texte lu en Windows-1252 (Excel sous Windows)."
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Texte lu en Latin-1."


def _delimiter(text: str) -> str:
    """The separator of the first non-blank line: ';' (French spreadsheets), tab or ','."""
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (";", "\t", ",")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ";"
    return ";"


def csv_table(text: str, filename: str, max_rows: int) -> pa.Table:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise FileRefused(f"Le fichier « {filename} » n'est pas un CSV lisible ({exc}).") from None
    if len(rows) - 1 > max_rows:
        raise FileRefused(_too_many_rows(f"Le fichier « {filename} »", len(rows) - 1, max_rows))
    return rows_to_table(rows)


def _mb(size: int, decimals: int = 0) -> str:
    """A size in bytes as French megabytes: '1,2 Mo'."""
    return f"{number(size / 2**20, decimals)}{NBSP}Mo"


def _too_many_rows(where: str, rows: int, max_rows: int) -> str:
    """`where` is a sentence's subject naming the file (and sheet) in full, untouched."""
    return (
        f"{where} compte {count(rows, 'ligne')} ; la limite est de {count(max_rows, 'ligne')} "
        "(réglage PTLCD_MAX_ROWS). Découpez le fichier."
    )


def rows_to_table(rows: list[list[Any]]) -> pa.Table:
    """Rows of cells (any type) → Arrow table `_ligne, c0..cN` of text, row 1 first.

    Every cell becomes its text (`str`), column by column: a column where people mixed numbers
    and words stays readable, and `verify` parses the text in SQL. Empty cells stay ''.
    """
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return pa.table({"_ligne": pa.array([], pa.int32())})
    if any(len(r) != width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    columns = {"_ligne": pa.array(range(1, len(rows) + 1), pa.int32())}
    for i, cells in enumerate(zip(*rows, strict=True)):
        try:  # a column of text only (codes, territories, comments) goes straight to Arrow
            columns[f"c{i}"] = pa.array(cells, pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            columns[f"c{i}"] = pa.array(
                [v if type(v) is str else ("" if v is None else str(v)) for v in cells],
                pa.string(),
            )
    return _batched(pa.table(columns))


# --- workbooks, in a child process ------------------------------------------------------------

# pyarrow loads its pandas shim on the first conversion (a quarter of a second): do it once here,
# in the fork server that imports this module, rather than in every reading child.
pa.array([""], pa.string())


CHILD_NAME = "ptlcd-lecture"
_standard_preparation = mp_spawn.get_preparation_data


def _preparation_without_main(name: str) -> dict[str, Any]:
    """What a new child imports first; for reading children, not the main module.

    multiprocessing re-runs the parent's main module in each child. Under Streamlit that module
    is the app script: the child would draw the app and open the database. Reading a workbook
    needs only this module, which the fork server has already imported.
    """
    data: dict[str, Any] = _standard_preparation(name)
    if name.startswith(CHILD_NAME):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


mp_spawn.get_preparation_data = _preparation_without_main


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    # The fork server imports the readers once; each file then costs a fork, a few milliseconds.
    ctx.set_forkserver_preload([__name__])
    return ctx


def _read_in_child(
    data: bytes, filename: str, kind: str, max_rows: int
) -> tuple[list[RawSheet], list[str]]:
    ctx = _context()
    # One channel both ways: the file goes to the child through it rather than with the
    # process's arguments, so that an importer killed while handing it over leaves a child that
    # sees the channel close and ends quietly (see _child_main).
    here, there = ctx.Pipe(duplex=True)
    child = ctx.Process(
        target=_child_main,
        args=(there, filename, kind, max_rows, READ_MEMORY_MB),
        name=f"{CHILD_NAME}-{filename[:40]}",
        daemon=True,
    )
    child.start()
    there.close()
    try:
        try:
            here.send_bytes(data)
        except OSError:
            pass  # the child is already gone: said below as for any child that died
        if not here.poll(READ_TIMEOUT_SECONDS):
            child.kill()
            raise FileRefused(
                f"La lecture de « {filename} » a dépassé {READ_TIMEOUT_SECONDS:.0f} secondes : "
                "fichier refusé (trop gros une fois décompressé, ou construit pour bloquer le "
                "serveur)."
            )
        try:
            status, payload = here.recv()
        except (EOFError, OSError):
            status, payload = "died", ""
    finally:
        here.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if status == "ok":
        blobs, notes = payload
        return [RawSheet(name, pa.ipc.open_stream(blob).read_all()) for name, blob in blobs], notes
    if status == "refused":
        raise FileRefused(payload)
    if status == "password":
        raise FileRefused(
            f"Le classeur « {filename} » est protégé par un mot de passe : enregistrez-en une "
            "copie sans mot de passe."
        )
    if status == "died" and child.exitcode is not None and child.exitcode > 0:
        log.error("Le processus de lecture s'est arrêté (code %s)", child.exitcode)
        status, payload = "unreadable", f"erreur interne {child.exitcode}"
    if status == "died":
        raise FileRefused(
            f"La lecture de « {filename} » a dépassé la mémoire permise ({READ_MEMORY_MB} Mo) : "
            "fichier refusé (une cellule très lointaine, ou trop gros une fois décompressé)."
        )
    raise FileRefused(
        f"Le classeur « {filename} » est endommagé ou illisible ({payload}). Ouvrez-le dans "
        "votre tableur et enregistrez-le de nouveau."
    )


def _limit_memory(extra_mb: int) -> None:
    import resource

    size = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                size = int(line.split()[1]) * 1024
    limit = size + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_main(channel: PipeEnd, filename: str, kind: str, max_rows: int, memory_mb: int) -> None:
    """Runs in the child: receive the file, read every worksheet, answer (status, payload), exit.

    The importer may be killed at any moment (Ctrl+C, a stopped server, SIGKILL): the channel
    then closes, and the child ends without a word rather than print a BrokenPipeError or
    EOFError traceback, in English, on the terminal it shares with the importer. Its standard
    error goes nowhere for the same reason.
    """
    os.environ["RUST_BACKTRACE"] = "0"
    # The child speaks only through its channel. What a reader aborting prints on its way out
    # (calamine's "memory allocation of 549755813888 bytes failed", in English) would reach the
    # terminal it shares with the importer; the parent says in French what happened.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)
    try:
        _limit_memory(memory_mb)
    except (OSError, ValueError):
        pass  # no /proc or no rlimit: the time limit still holds
    gc.disable()  # a short-lived process: cyclic garbage collection is only a cost here
    try:
        data = channel.recv_bytes()
    except (EOFError, OSError):
        os._exit(0)  # the importer is gone before handing over the file
    answer: tuple[str, Any]
    try:
        answer = ("ok", read_and_pack(data, filename, kind, max_rows))
    except FileRefused as exc:
        answer = ("refused", exc.message)
    except MemoryError:
        answer = ("died", "")
    except Exception as exc:  # noqa: BLE001 - any reader failure is an unreadable file
        said = f"{type(exc).__name__} {exc}".lower()
        failure = "password" if "password" in said or "encrypt" in said else "unreadable"
        answer = (failure, type(exc).__name__)
    try:
        try:
            channel.send(answer)
        except MemoryError:
            channel.send(("died", ""))
    except OSError:
        pass  # BrokenPipeError: the importer is gone (killed, or past its time limit)
    finally:
        channel.close()
    # Leave at once: freeing a million cell objects one by one would only delay the parent,
    # which waits for this process to end.
    os._exit(0)


def read_and_pack(
    data: bytes, filename: str, kind: str, max_rows: int
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """What the child does: every sheet read, its marked cells added, then serialised (Arrow
    IPC) for the parent; with the remarks for the report."""
    sheets = _read_workbook(data, filename, max_rows)
    marks, notes = _scan_marks(data, filename, kind)
    payload = []
    for name, table in sheets:
        if name in marks:
            table = _with_marks(table, marks[name], f"{filename}, feuille {name}", max_rows)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        payload.append((name, sink.getvalue().to_pybytes()))
    return payload, notes


def _scan_marks(
    data: bytes, filename: str, kind: str
) -> tuple[dict[str, cell_marks.Marks], list[str]]:
    """The marked cells of each sheet. A file calamine could read is not refused because this
    extra pass failed: the report says what was not checked."""
    try:
        return cell_marks.scan(data, kind), []
    except percent_format.TooManyMarks:
        raise FileRefused(
            f"Le classeur « {filename} » contient plus de {percent_format.MAX_MARKS:,} cellules au "
            "format % ou formules sans valeur calculée : fichier refusé (construit pour bloquer "
            "le serveur ?).".replace(",", " ")
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure of the extra pass
        log.warning("Formats des cellules illisibles dans %s : %r", filename, exc)
        return {}, [
            f"Les formats des cellules de « {filename} » n'ont pas pu être lus : un nombre au "
            "format % est lu tel qu'il est enregistré (0,45 pour 45 %), et une formule sans "
            "valeur calculée n'est pas signalée."
        ]


PERCENT_PREFIX, NO_RESULT_PREFIX = "pct_", "noresult_"


def percent_column(index: int) -> str:
    """The boolean column saying which cells of column `index` are numbers formatted as %."""
    return f"{PERCENT_PREFIX}{index}"


def no_result_column(index: int) -> str:
    """The boolean column saying which cells of column `index` are formulas without a result."""
    return f"{NO_RESULT_PREFIX}{index}"


def no_result_cells(table: pa.Table, rows: int) -> list[tuple[int, int]]:
    """(row, column) of the formulas without result among the first `rows` rows of `table`."""
    flags = {
        int(n.removeprefix(NO_RESULT_PREFIX)): n
        for n in table.column_names
        if n.startswith(NO_RESULT_PREFIX)
    }
    if not flags:
        return []
    head = table.slice(0, rows)
    return sorted(
        (int(line), column)
        for column, name in flags.items()
        for line, marked in zip(head["_ligne"].to_pylist(), head[name].to_pylist(), strict=True)
        if marked
    )


def _with_marks(table: pa.Table, marks: cell_marks.Marks, where: str, max_rows: int) -> pa.Table:
    """`table` with its marks as boolean columns. calamine leaves a formula without result out,
    even beyond the last filled row or column: the table is extended to hold it."""
    last_row = max((r for r, _ in marks.no_result), default=0)
    if last_row > table.num_rows:
        if last_row - 1 > max_rows:
            raise FileRefused(_too_many_rows(where, last_row - 1, max_rows))
        extra = last_row - table.num_rows
        rest = {
            name: pa.array(range(table.num_rows + 1, last_row + 1), pa.int32())
            if name == "_ligne"
            else pa.nulls(extra, table.schema.field(name).type)
            for name in table.column_names
        }
        table = pa.concat_tables([table, pa.table(rest, schema=table.schema)])
    for column in sorted({c for _, c in marks.no_result} - _cell_columns(table)):
        table = table.append_column(f"c{column}", pa.nulls(table.num_rows, pa.string()))
    present = _cell_columns(table)
    for cells, name in ((marks.percent, percent_column), (marks.no_result, no_result_column)):
        by_column: dict[int, list[int]] = {}
        for row, column in cells:
            if column in present and row <= table.num_rows:
                by_column.setdefault(column, []).append(row)
        for column, rows in sorted(by_column.items()):
            flags = [False] * table.num_rows
            for row in rows:
                flags[row - 1] = True
            table = table.append_column(name(column), pa.array(flags, pa.bool_()))
    return _batched(table)


def _cell_columns(table: pa.Table) -> set[int]:
    return {int(n[1:]) for n in table.column_names if n[:1] == "c" and n[1:].isdigit()}


def _read_workbook(data: bytes, filename: str, max_rows: int) -> list[tuple[str, pa.Table]]:
    """Every sheet as Arrow text columns, converted by calamine itself (fastexcel), not cell by
    cell in Python. Rows are kept from row 1 (`skip_rows=[]`); calamine drops leading empty
    columns, so each column is named after its absolute position.
    """
    workbook = fastexcel.read_excel(data)
    out = []
    for name in workbook.sheet_names:
        sheet = workbook.load_sheet(name, header_row=None, skip_rows=[], dtypes="string")
        if sheet.total_height - 1 > max_rows:
            raise FileRefused(
                _too_many_rows(
                    f"La feuille « {name} » du fichier « {filename} »",
                    sheet.total_height - 1,
                    max_rows,
                )
            )
        out.append((name, _sheet_table(sheet)))
    return out


def _sheet_table(sheet: fastexcel.ExcelSheet) -> pa.Table:
    """`_ligne, cN…` from a loaded sheet; a chart sheet or an empty one has no rows."""
    batch = sheet.to_arrow()
    columns = {"_ligne": pa.array(range(1, batch.num_rows + 1), pa.int32())}
    for info, array in zip(sheet.selected_columns, batch.columns, strict=True):
        columns[f"c{info.absolute_index}"] = array
    return _batched(pa.table(columns))


def _batched(table: pa.Table) -> pa.Table:
    """The same table cut into record batches: DuckDB scans batches in parallel, one per core."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS), schema=table.schema)
