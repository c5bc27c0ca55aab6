"""What calamine does not say about a cell: a percentage format, or a formula without its result.

calamine (through fastexcel) hands over each cell's value and nothing else, and two things about a
cell change what its value means:

- a number format that is a percentage: Excel and LibreOffice store "45 %" typed in such a cell
  as 0.45, and show it as 45 %;
- a formula saved without its result, as programs that do not compute write them (openpyxl,
  some report generators): calamine reads the cell as empty, though it is not.

This module finds those cells with a light pass over the workbook's own records, in the reading
child (under its memory and time limits), only where the file can have any: percentage cells only
if the styles declare a percentage format, formulas only if the sheet holds a formula at all. The
common case (no percent style, no formula) costs one decompression of each sheet and a search.

- .xlsx/.xlsm: `xl/styles.xml` (which cell styles have a percentage format), then each sheet's
  XML, searched with regular expressions for the cells of those styles and for `<f>` without `<v>`;
- .ods: `content.xml`, `office:value-type="percentage"` and `table:formula` without a value;
- .xls: the BIFF records (`biff.py`): percentage formats only, as a BIFF formula always stores
  its result;
- .xlsb (binary Excel) is not scanned: its cells are read as plain numbers.

Positions are (row from 1, column from 0), as in the reader's tables.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from xml.etree import ElementTree

from ptlcd_data.classeurs import biff
from ptlcd_data.classeurs.percent_format import MAX_MARKS, Position, TooManyMarks, percent_formats


@dataclass
class Marks:
    """One sheet's marked cells: numbers formatted as a percentage, formulas without a result."""

    percent: set[Position] = field(default_factory=set)
    no_result: set[Position] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.percent or self.no_result)


def scan(data: bytes, kind: str) -> dict[str, Marks]:
    """Sheet name -> its marked cells, for the sheets that have any. `kind` is the reader's."""
    if kind in ("xlsx", "xlsm"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _xlsx(archive)
    if kind == "ods":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _ods(archive.read("content.xml"))
    if kind == "xls":
        return {name: Marks(percent=cells) for name, cells in biff.percent_cells(data).items()}
    return {}


# --- .xlsx and .xlsm ------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id in transitional or strict)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _xlsx(archive: zipfile.ZipFile) -> dict[str, Marks]:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return {}  # .xlsb: binary records, not scanned
    styles = _percent_styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else set()
    out: dict[str, Marks] = {}
    for sheet, part in _xlsx_sheet_parts(archive, names):
        xml = archive.read(part)
        prefix = _sheet_prefix(xml)
        has_formulas = re.search(b"<" + re.escape(prefix) + rb"f[\s>/]", xml) is not None
        if not styles and not has_formulas:
            continue
        first_cell = re.search(b"<" + re.escape(prefix) + rb"c\s[^>]*>", xml)
        if first_cell is not None and not _REF.search(first_cell.group()):
            marks = _xlsx_in_order(xml, styles)  # writers give every cell its `r`, or none
        else:
            marks = _xlsx_fast(xml, prefix, styles, has_formulas)
        _check_size(marks)
        if marks:
            out[sheet] = marks
    return out


def _percent_styles(xml: bytes) -> set[int]:
    """Indexes of the cell styles (`cellXfs`) whose number format is a percentage."""
    root = ElementTree.fromstring(xml)
    codes: dict[int, str] = {}
    xfs: list[ElementTree.Element] = []
    for part in root:  # only the top-level lists: `dxfs` hold formats of conditional formatting
        if _local(part.tag) == "numFmts":
            for fmt in part:
                codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
        elif _local(part.tag) == "cellXfs":
            xfs = list(part)
    percent = percent_formats(codes)
    return {i for i, xf in enumerate(xfs) if int(xf.get("numFmtId", "0")) in percent}


def _xlsx_sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part path) of each sheet, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    out = []
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        target = targets.get(_attribute(sheet, "id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        part = posixpath.normpath(part)
        if part in names:
            out.append((sheet.get("name", ""), part))
    return out


def _sheet_prefix(xml: bytes) -> bytes:
    """The prefix of the sheet's elements: b"" for `<c>`, b"x:" for `<x:c>` (some generators)."""
    root = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", xml[:8192])
    return root.group(1) if root and root.group(1) else b""


# A cell's reference, as in `<c r="E12" …>`: column letters, row number.
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
_TYPE = re.compile(rb'\st="(\w+)"')


def _percent_cell(prefix: bytes, styles: set[int]) -> re.Pattern[bytes]:
    """The start tag of a number cell of one of `styles`, not empty (`<c … s="3"/>`): groups
    column letters and row. Attributes come in any order: lookaheads, the style's first, as it
    rules out most cells."""
    ids = b"|".join(str(s).encode() for s in sorted(styles))
    return re.compile(
        b"<" + re.escape(prefix) + rb'c(?=\s)(?=[^>]*?\ss="(?:' + ids + rb')")'
        rb'(?=[^>]*?\sr="([A-Z]{1,3})(\d{1,7})")'
        rb'(?![^>]*?\st="(?!n"))'  # text, boolean, error or date cells are not numbers
        rb"[^>]*(?<!/)>"
    )


def _formula(prefix: bytes) -> re.Pattern[bytes]:
    """A formula element and the result after it, if any: groups the `<v>` element, its text.
    In a cell, `<f>` comes first, then `<v>`."""
    p = re.escape(prefix)
    return re.compile(
        b"<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>)\s*"
        rb"(<" + p + rb"v\b[^>]*?(?:/>|>([^<]*)</" + p + rb"v>))?"
    )


def _column(letters: bytes) -> int:
    """b"A" -> 0, b"AA" -> 26."""
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number - 1


def _xlsx_fast(xml: bytes, prefix: bytes, styles: set[int], has_formulas: bool) -> Marks:
    """Regular expressions over the sheet's bytes, stopping only at the cells that are marked."""
    marks = Marks()
    columns: dict[bytes, int] = {}

    def place(letters: bytes, row: bytes) -> Position:
        if letters not in columns:
            columns[letters] = _column(letters)
        return int(row), columns[letters]

    if styles:
        marks.percent = {place(c, r) for c, r in _percent_cell(prefix, styles).findall(xml)}
    if has_formulas:
        cell_start = b"<" + prefix + b"c"
        for match in _formula(prefix).finditer(xml):
            value, text = match.group(1), match.group(2)
            if text:
                continue
            # The cell's start tag is the last one before its formula.
            tag = xml[xml.rfind(cell_start, 0, match.start()) : match.start()]
            kind = _TYPE.search(tag)
            if value and kind is not None and kind.group(1) == b"str":
                continue  # an empty text result: `t="str"` and `<v></v>`
            ref = _REF.search(tag)
            if ref is not None:
                marks.no_result.add(place(*ref.groups()))
    return marks


def _xlsx_in_order(xml: bytes, styles: set[int]) -> Marks:
    """The rare sheet whose cells have no `r` (a cell's place is its order): parsed in full."""
    marks = Marks()
    row = 0
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if _local(element.tag) != "row":
            continue
        row = int(element.get("r", row + 1))
        column = -1
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            ref = _REF.search(b' r="%s"' % cell.get("r", "").encode())
            column = _column(ref.group(1)) if ref else column + 1
            children = {_local(c.tag): c for c in cell}
            kind, value = cell.get("t", "n"), children.get("v")
            if "f" in children and (value is None or not (value.text or kind == "str")):
                marks.no_result.add((row, column))
            if int(cell.get("s", "0")) in styles and kind == "n" and value is not None:
                marks.percent.add((row, column))
        element.clear()
    return marks


# --- .ods ----------------------------------------------------------------------------------------

TABLE_NS = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# Value types and the attribute that holds each one's value.
_ODS_VALUE = {
    b"float": b"value",
    b"percentage": b"value",
    b"currency": b"value",
    b"date": b"date-value",
    b"time": b"time-value",
    b"boolean": b"boolean-value",
}
_NAME = rb"[^\s=/>]+"
_VALUE = rb"(?:\"[^\"]*\"|'[^']*')"
_ATTRIBUTE = re.compile(rb"(" + _NAME + rb")\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _prefix(xml: bytes, namespace: bytes, default: bytes) -> bytes:
    """The prefix the document gives a namespace ('table:' and 'office:' by custom)."""
    declared = re.search(rb"xmlns:([\w.-]+)\s*=\s*[\"']" + re.escape(namespace) + rb"[\"']", xml)
    return declared.group(1) if declared else default


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTRIBUTE.finditer(text)
    }


def _ods(xml: bytes) -> dict[str, Marks]:
    """Walked in full only if a cell is a percentage or a formula cell lacks its result."""
    table, office = _prefix(xml, TABLE_NS, b"table"), _prefix(xml, OFFICE_NS, b"office")
    t = re.escape(table)
    percent = re.compile(re.escape(office) + rb":value-type\s*=\s*[\"']percentage[\"']")
    formula_cell = re.compile(
        rb"<"
        + t
        + rb":table-cell((?:\s+"
        + _NAME
        + rb"\s*=\s*"
        + _VALUE
        + rb")*?\s+"
        + t
        + rb":formula\s*=\s*"
        + _VALUE
        + rb"(?:\s+"
        + _NAME
        + rb"\s*=\s*"
        + _VALUE
        + rb")*)"
    )
    if percent.search(xml) is None and all(
        _ods_has_result(_attributes(m.group(1)), office) for m in formula_cell.finditer(xml)
    ):
        return {}
    return _ods_walk(xml, table, office)


def _ods_has_result(attributes: dict[bytes, bytes], office: bytes) -> bool:
    kind = attributes.get(office + b":value-type")
    if kind is None:
        return False
    holder = _ODS_VALUE.get(kind)
    return holder is None or office + b":" + holder in attributes


def _ods_walk(xml: bytes, table: bytes, office: bytes) -> dict[str, Marks]:
    """Every row and cell in order, counting `number-rows-repeated` and `number-columns-repeated`
    (rows inside header-rows or row-groups count where they stand)."""
    tag = re.compile(
        rb"<(/?)" + re.escape(table) + rb":(table|table-row|table-cell|covered-table-cell)"
        rb"((?:\s+" + _NAME + rb"\s*=\s*" + _VALUE + rb")*)\s*(/?)>"
    )
    name_key, rows_key, columns_key, formula_key = (
        table + b":name",
        table + b":number-rows-repeated",
        table + b":number-columns-repeated",
        table + b":formula",
    )
    value_type = office + b":value-type"
    out: dict[str, Marks] = {}
    marks = Marks()
    row = column = count = 0
    repeat_rows = 1
    for match in tag.finditer(xml):
        closing, element, attribute_text, empty = match.groups()
        if closing:
            if element == b"table-row":
                row += repeat_rows
            continue
        attributes = _attributes(attribute_text) if attribute_text else {}
        if element == b"table":
            marks = out.setdefault(unescape(attributes.get(name_key, b"").decode()), Marks())
            row = 0
        elif element == b"table-row":
            repeat_rows = int(attributes.get(rows_key, b"1"))
            column = 0
            if empty:
                row += repeat_rows
        else:
            repeat_columns = int(attributes.get(columns_key, b"1"))
            target = None
            if formula_key in attributes and not _ods_has_result(attributes, office):
                target = marks.no_result
            elif attributes.get(value_type) == b"percentage":
                target = marks.percent
            if target is not None:
                count += repeat_rows * repeat_columns
                if count > MAX_MARKS:
                    raise TooManyMarks
                for r in range(row + 1, row + 1 + repeat_rows):
                    target.update((r, c) for c in range(column, column + repeat_columns))
            column += repeat_columns
    return {name: m for name, m in out.items() if m}


def _check_size(marks: Marks) -> None:
    if len(marks.percent) + len(marks.no_result) > MAX_MARKS:
        raise TooManyMarks
