"""The lines a porteur types in « Mes actions », as the sheets of an import.

A dépôt prepared from the forms is verified exactly as a file is (`imports.verify.check_book`):
its lines become the sheets Avancement, Engagement and Indicateurs of the import template, one
row per line, in the order typed. A problem then names the sheet, the row and the column of
that virtual workbook, and the same scope rule and the same diff apply.

A line is (genre, cle, valeurs): `cle` is what makes two lines the same thing (a new line for the
same action and date, territory, or indicator, territory and year replaces the older one).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ptlcd_data.classeurs.reader import RawBook, RawSheet, rows_to_table
from ptlcd_data.imports.sheets import SPECS

GENRES = ("avancement", "engagement", "indicateurs", "decision")
FORM_NAME = "Formulaires « Mes actions »"


@dataclass(frozen=True)
class Line:
    genre: str
    cle: str
    valeurs: dict[str, Any]

    def as_json(self) -> str:
        return json.dumps(self.valeurs, ensure_ascii=False, sort_keys=True, default=str)


def status_line(
    action_no: int,
    date_effet: date,
    statut: str,
    avancement: int | None,
    commentaire: str | None,
) -> Line:
    return Line(
        "avancement",
        f"{action_no}|{date_effet.isoformat()}",
        {
            "action": action_no,
            "date": date_effet.isoformat(),
            "statut": statut,
            "avancement": avancement,
            "commentaire": commentaire,
        },
    )


def engagement_line(action_no: int, territoire: str, niveau: str) -> Line:
    return Line(
        "engagement",
        f"{action_no}|{territoire}",
        {"action": action_no, "territoire": territoire, "niveau": niveau},
    )


def value_line(
    code: str,
    territoire: str,
    annee: int,
    valeur: float,
    source: str | None,
    commentaire: str | None,
) -> Line:
    return Line(
        "indicateurs",
        f"{code}|{territoire}|{annee}",
        {
            "code": code,
            "territoire": territoire,
            "annee": annee,
            "valeur": valeur,
            "source": source,
            "commentaire": commentaire,
        },
    )


def decision_line(decision_id: int, commentaire: str | None) -> Line:
    return Line(
        "decision", str(decision_id), {"decision_id": decision_id, "commentaire": commentaire}
    )


# The template's columns each genre fills, in the template's order (`imports.sheets.SPECS`).
_CELLS = {
    "avancement": ("action", "date", "statut", "avancement", "commentaire"),
    "engagement": ("action", "territoire", "niveau"),
    "indicateurs": ("code", "libelle", "territoire", "annee", "valeur", "cible", "source",
                    "commentaire"),
}  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def as_book(lines: list[Line]) -> RawBook:
    """The lines of the import's genres as the template's sheets (décisions are not rows)."""
    sheets = []
    for genre, spec_key in (
        ("avancement", "avancement"),
        ("engagement", "engagement"),
        ("indicateurs", "indicateurs"),
    ):
        mine = [line for line in lines if line.genre == genre]
        if not mine:
            continue
        spec = SPECS[spec_key]
        keys = _CELLS[genre]
        header = [spec.column(key).label for key in keys]
        rows = [[_cell(line.valeurs.get(key)) for key in keys] for line in mine]
        sheets.append(RawSheet(spec.title, rows_to_table([header, *rows])))
    return RawBook("formulaire", sheets)


def fingerprint(lines: list[Line]) -> str:
    """A SHA-256 of the lines, standing for the file's hash in the batch that publishes them."""
    text = "\n".join(f"{line.genre}\t{line.cle}\t{line.as_json()}" for line in lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
