"""The percent-format rule, shared by both scans of a workbook's cell formats.

`cell_marks` scans .xlsx and .ods files, `biff` scans .xls files; both ask the same questions
of a number format (is it a percentage?) and keep to the same limit on the cells they mark.
Written here once, so that neither scan imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Excel's built-in number formats 9 ("0%") and 10 ("0.00%") are the percentage ones.
BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
# A hostile .ods can repeat one cell over millions of rows and columns: a file marking more
# cells than this is refused rather than expanded (200,000 rows of 25 marked columns fit).
MAX_MARKS = 5_000_000

# A marked cell: (row from 1, column from 0), as in the reader's tables.
Position = tuple[int, int]


class TooManyMarks(Exception):
    """More marked cells than MAX_MARKS: a file built to exhaust the reader."""


# Parts of a format code that are shown as they are: "text", \x, _x (a space as wide as x), *x
# (x repeated to fill), and [...] (colour, condition, locale).
_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')


def is_percent_format(code: str) -> bool:
    """A format code that multiplies by 100 and shows '%': an unquoted, unescaped '%'."""
    return "%" in _LITERALS.sub("", code)


def percent_formats(codes: Mapping[int, str]) -> set[int]:
    """The ids of the number formats that are percentages, given the workbook's own format codes
    (id -> code): its own percent codes, and the built-in ones it does not redefine."""
    found = {n for n, code in codes.items() if is_percent_format(code)}
    return found | (BUILTIN_PERCENT_FORMATS - codes.keys())
