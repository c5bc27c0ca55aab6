"""The cells of an .xls workbook (Excel 97-2003, BIFF8) whose number format is a percentage.

calamine reads the values; this reads only what it leaves out, the format of each number cell.
An .xls is an OLE2 compound file holding a `Workbook` stream of BIFF records: FORMAT records
(number format codes), XF records (cell styles, each naming a format), BOUNDSHEET records (each
sheet's name and where its records start), then each sheet's cell records, each naming its XF.

Excel 95 and older (BIFF5, a `Book` stream) are not read here: their numbers come in as written.
A BIFF formula always stores its last result, so no formula comes in without a value.
Offsets read from the file are checked: a damaged file raises `Damaged` (or `struct.error` on a
short record), and the reader then says that formats could not be read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ptlcd_data.classeurs.percent_format import MAX_MARKS, Position, TooManyMarks, percent_formats

END_OF_CHAIN = 0xFFFFFFFE
FREE_SECTOR = 0xFFFFFFFF
# Record types (Microsoft [MS-XLS] 2.3).
BOF, EOF, BOUNDSHEET, FILEPASS, FORMAT, XF = 0x0809, 0x000A, 0x0085, 0x002F, 0x041E, 0x00E0
NUMBER, RK, MULRK, FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006
BIFF8 = 0x0600


class Damaged(Exception):
    """The compound file does not hold together."""


def percent_cells(data: bytes) -> dict[str, set[Position]]:
    """Sheet name -> positions (row from 1, column from 0) of numbers formatted as %."""
    stream = _workbook_stream(data)
    if stream is None:
        return {}
    formats: dict[int, str] = {}
    xfs: list[int] = []
    sheets: list[tuple[str, int]] = []
    for n, (kind, body) in enumerate(_records(stream, 0)):
        if n == 0 and (kind != BOF or struct.unpack_from("<H", body)[0] != BIFF8):
            return {}
        if kind == FILEPASS:
            return {}  # encrypted: calamine refuses it anyway
        if kind == FORMAT:
            formats[struct.unpack_from("<H", body)[0]] = _unicode_string(body, 2, length_bytes=2)
        elif kind == XF:
            xfs.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == BOUNDSHEET:
            offset, _, sheet_type = struct.unpack_from("<IBB", body)
            if sheet_type == 0:  # a worksheet (not a chart, macro or VBA sheet)
                sheets.append((_unicode_string(body, 6, length_bytes=1), offset))
        elif kind == EOF:
            break
    percent = percent_formats(formats)
    styles = {i for i, fmt in enumerate(xfs) if fmt in percent}
    if not styles:
        return {}
    out: dict[str, set[Position]] = {}
    count = 0
    for name, offset in sheets:
        cells = _sheet_percent_cells(stream, offset, styles)
        count += len(cells)
        if count > MAX_MARKS:
            raise TooManyMarks
        if cells:
            out[name] = cells
    return out


def _sheet_percent_cells(stream: bytes, offset: int, styles: set[int]) -> set[Position]:
    cells: set[Position] = set()
    depth = 0
    for kind, body in _records(stream, offset):
        if kind == BOF:
            depth += 1  # a chart inside the sheet has its own BOF … EOF
        elif kind == EOF:
            depth -= 1
            if depth <= 0:
                break
        elif kind in (NUMBER, RK) and depth == 1:
            row, column, xf = struct.unpack_from("<HHH", body)
            if xf in styles:
                cells.add((row + 1, column))
        elif kind == FORMULA and depth == 1:
            row, column, xf = struct.unpack_from("<HHH", body)
            numeric = body[12:14] != b"\xff\xff"  # 0xFFFF: a text, boolean or error result
            if xf in styles and numeric:
                cells.add((row + 1, column))
        elif kind == MULRK and depth == 1:
            row, first = struct.unpack_from("<HH", body)
            for n in range((len(body) - 6) // 6):
                if struct.unpack_from("<H", body, 4 + 6 * n)[0] in styles:
                    cells.add((row + 1, first + n))
    return cells


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each BIFF record from `offset` to the end of the stream."""
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4 : offset + 4 + length]
        offset += 4 + length


def _unicode_string(body: bytes, at: int, *, length_bytes: int) -> str:
    """XLUnicodeString (2-byte length) or ShortXLUnicodeString (1-byte length)."""
    count = body[at] if length_bytes == 1 else struct.unpack_from("<H", body, at)[0]
    flags = body[at + length_bytes]
    start = at + length_bytes + 1
    if flags & 1:
        return body[start : start + 2 * count].decode("utf-16-le", "replace")
    return body[start : start + count].decode("latin-1")


# --- the OLE2 compound file ------------------------------------------------------------------


def _workbook_stream(data: bytes) -> bytes | None:
    """The `Workbook` stream's bytes, or None when there is none (an Excel 95 `Book`)."""
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= sector_shift <= 16 or not 2 <= mini_shift < sector_shift:
        raise Damaged
    size = 1 << sector_shift
    sectors = (len(data) - 512) // size + 1

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise Damaged
        return data[(n + 1) * size : (n + 2) * size]

    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, minifat_start, _, difat_start, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < END_OF_CHAIN]
    next_difat, seen = difat_start, 0
    while next_difat < END_OF_CHAIN and seen <= difat_count and len(fat_sectors) < fat_count:
        difat = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_sectors += [s for s in difat[:-1] if s < END_OF_CHAIN]
        next_difat, seen = difat[-1], seen + 1
    fat = b"".join(sector(s) for s in fat_sectors[:fat_count])
    fat_entries = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(start: int, table: tuple[int, ...]) -> list[int]:
        out: list[int] = []
        while start < END_OF_CHAIN:
            if start >= len(table) or len(out) > len(table):
                raise Damaged  # out of the table, or a loop
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(s) for s in chain(directory_start, fat_entries))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise Damaged
    workbook = None
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(name_length - 2, 0)].decode("utf-16-le", "replace")
        if entry[66] == 2 and name == "Workbook":
            workbook = entry
            break
    if workbook is None:
        return None
    start, length = struct.unpack_from("<IQ", workbook, 116)
    if size == 512:
        length &= 0xFFFFFFFF  # version 3 files use only the low 32 bits
    if length >= mini_cutoff:
        stream = b"".join(sector(s) for s in chain(start, fat_entries))
        return stream[:length]
    root_start = struct.unpack_from("<I", entries[0], 116)[0]
    mini_stream = b"".join(sector(s) for s in chain(root_start, fat_entries))
    minifat = b"".join(sector(s) for s in chain(minifat_start, fat_entries))
    mini_entries = struct.unpack(f"<{len(minifat) // 4}I", minifat)
    mini = 1 << mini_shift
    stream = b"".join(mini_stream[s * mini : (s + 1) * mini] for s in chain(start, mini_entries))
    return stream[:length]
