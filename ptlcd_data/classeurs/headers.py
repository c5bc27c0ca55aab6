"""How a column of a sheet is named: its letter, and its header text folded for comparison.

People retype headers with other accents, cases and punctuation, and leave a title or a blank
line above them: a header is compared by its key (`header_key`) and looked for in the first
rows only. The plan workbook (`plan`) and Vérifier (`imports`) recognise their sheets this way.
"""

from __future__ import annotations

import re
import unicodedata

# A header is looked for in the first rows only (a title or a blank line may come first).
HEADER_SEARCH_ROWS = 15


def header_key(text: object) -> str:
    """'N° action' -> 'n action'; 'Année ' -> 'annee'; 'Avancement (%)' -> 'avancement'."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", folded.lower()).strip()


def letter(index: int) -> str:
    """Column index from 0 -> spreadsheet letter ('A', …, 'Z', 'AA'), as openpyxl writes it
    (written here: importing openpyxl cost every page that reads a form a tenth of a second)."""
    if index < 0:
        raise ValueError(f"colonne négative : {index}")
    n, text = index + 1, ""
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("A") + rest) + text
    return text
