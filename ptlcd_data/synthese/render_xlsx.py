"""The annual summary as an XLSX workbook: the same content as the PDF, one sheet per section.

Numbers stay numbers and dates stay dates (a spreadsheet can sum and sort them); every text
cell is written as text, so a comment such as "=1+1" never runs as a formula (`exports`).
The first sheet says what the workbook is, for which date, and — in red — when demonstration
records are included.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from ptlcd_data import dates, exports, formats
from ptlcd_data.indicateurs.rules import PROGRESS_FORMULA
from ptlcd_data.suivi.retards import RULES_GLISSEMENT, RULES_RETARD
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model

# Sheet titles, in order (Excel allows 31 characters).
SHEET_SYNTHESE = "Synthèse"
SHEET_CHIFFRES = "Chiffres clés"
SHEET_STATUTS = "Statuts"
SHEET_AXES = "Météo par axe"
SHEET_REALISEES = "Réalisées dans l'année"
SHEET_COMMENCEES = "Commencées dans l'année"
SHEET_RETARDS = col.COL_EN_RETARD
SHEET_ENGAGEMENT = "Engagement"
SHEET_INDICATEURS = "Indicateurs"
SHEET_SERIES = "Valeurs des indicateurs"
SHEET_COMMENTAIRES = "Commentaires"
SHEET_DECISIONS = "Décisions du GOLD"
SHEET_METHODE = "Méthode"
DEMO_ROW = "Données de démonstration"


def sheets(s: model.Synthese, produced: date | None = None) -> dict[str, pd.DataFrame]:
    """Every section of the summary as a table, keyed by sheet title, in reading order."""
    return {
        SHEET_SYNTHESE: _front(s, dates.or_today(produced)),
        SHEET_CHIFFRES: s.chiffres,
        SHEET_STATUTS: s.statuts,
        SHEET_AXES: s.axes,
        SHEET_REALISEES: s.realisees,
        SHEET_COMMENCEES: s.commencees,
        SHEET_RETARDS: s.retards,
        SHEET_ENGAGEMENT: s.engagement,
        SHEET_INDICATEURS: s.indicateurs,
        SHEET_SERIES: s.series,
        SHEET_COMMENTAIRES: s.commentaires,
        SHEET_DECISIONS: s.decisions,
        SHEET_METHODE: _methode(),
    }


def render(s: model.Synthese, produced: date | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, table in sheets(s, produced).items():
        exports.add_sheet(wb, title, table)
    front = wb[SHEET_SYNTHESE]
    front.column_dimensions["B"].width = 100
    for row in front.iter_rows(min_row=2):
        if row[0].value == DEMO_ROW and s.demo:
            for cell in row:
                cell.font = Font(bold=True, color="B00020")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _front(s: model.Synthese, produced: date) -> pd.DataFrame:
    rows: list[tuple[str, str]] = [
        ("Document", f"Synthèse annuelle {s.annee}"),
        ("Plan", s.plan_nom),
        (col.COL_TERRITOIRE, s.plan_territoire),
        ("Situation", model.situation(s)),
        ("Dernière information enregistrée", formats.day(s.derniere_donnee, empty="aucune")),
        ("Produit le", formats.day(produced)),
        (
            DEMO_ROW,
            "OUI : une partie des statuts, engagements ou valeurs a été générée pour la "
            "démonstration et ne décrit pas la réalité."
            if s.demo
            else "non",
        ),
    ]
    rows += [("L'année en bref", line) for line in model.resume(s)]
    if s.nb_commentaires > len(s.commentaires):
        rows.append(
            (
                "Commentaires",
                f"Les {len(s.commentaires)} premiers des {s.nb_commentaires} commentaires de "
                "l'année.",
            )
        )
    return pd.DataFrame(rows, columns=["Rubrique", "Contenu"])


def _methode() -> pd.DataFrame:
    rows = [("Météo d'un axe", line) for line in meteo.RULES_METEO]
    rows += [("Retard", line) for line in RULES_RETARD]
    rows += [("Glissement", line) for line in RULES_GLISSEMENT]
    rows.append(("Indicateurs", PROGRESS_FORMULA))
    return pd.DataFrame(rows, columns=[col.COL_SUJET, "Règle"])
