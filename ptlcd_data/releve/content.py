"""What a relevé says, in French, whatever its format: its title lines and its tables.

Every text of a décision is handed over as it was typed: the renderings write it as plain text
(a DOCX run, a PDF cell), never as markup nor as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ptlcd_data import exports, formats
from ptlcd_data.decisions import queries
from ptlcd_data.errors import InputError

FORMATS = ("docx", "pdf")
HEADER = ["N°", "Décision", "Sur", "Responsable", "Échéance", "État"]
# Relative widths of the columns above (the PDF's millimetres, the DOCX's proportions).
WIDTHS = [10.0, 70.0, 24.0, 34.0, 20.0, 22.0]


@dataclass(frozen=True)
class Table:
    title: str
    intro: str
    rows: list[list[str]]
    empty: str


@dataclass(frozen=True)
class Document:
    title: str
    lines: list[tuple[str, str]]  # (label, value) under the title
    tables: list[Table]
    produced: date


def state_text(etat: object, en_retard: object) -> str:
    """'ouverte — en retard', 'faite', 'abandonnée'."""
    text = queries.etat_label(etat)
    return f"{text} — en retard" if bool(en_retard) else text


def rows(table: pd.DataFrame) -> list[list[str]]:
    """One row of `HEADER` per décision of a `decisions.queries.decision_table`."""
    return [
        [
            str(int(r.id)),
            str(r.texte),
            queries.subject(r.action_no, r.indicateur),
            str(r.responsable_libelle),
            formats.day(r.echeance),
            state_text(r.etat, r.en_retard),
        ]
        for r in table.itertuples(index=False)
    ]


def document(releve: queries.Releve, produced: date | None = None) -> Document:
    """The relevé of one séance, ready to render."""
    late = int(releve.anterieures["en_retard"].astype(bool).sum())
    earlier = Table(
        "Décisions des séances précédentes encore ouvertes",
        f"{len(releve.anterieures)} décision(s) encore ouverte(s) au "
        f"{formats.day(releve.date_seance)}, dont {late} en retard (échéance passée).",
        rows(releve.anterieures),
        "Aucune décision des séances précédentes n'est encore ouverte.",
    )
    taken = Table(
        "Décisions de la séance",
        f"{len(releve.decisions)} décision(s) prise(s).",
        rows(releve.decisions),
        "Aucune décision n'a été enregistrée pour cette séance.",
    )
    return Document(
        title=f"Relevé de décisions — {releve.titre}",
        lines=[
            ("Séance", f"n° {releve.seance_id} du {formats.day(releve.date_seance)}"),
            ("Titre", releve.titre),
            ("Participants", releve.participants or "non renseignés"),
        ],
        tables=[taken, earlier],
        produced=produced or date.today(),
    )


def check_format(fmt: str) -> str:
    """'docx' or 'pdf' (from a file's suffix or an option); refused in French otherwise."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"Format « {fmt or '?'} » impossible pour un relevé : docx ou pdf.")
    return fmt


def file_name(seance_id: int, day: date, fmt: str) -> str:
    """'releve_seance_3_2026-03-01.docx'."""
    return exports.safe_filename(f"releve_seance_{seance_id}_{day.isoformat()}") + f".{fmt}"
