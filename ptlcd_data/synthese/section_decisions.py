"""The annual summary's section on the GOLD's décisions: those taken in the year (séances of
the year), as they stood at the observation date, late ones first, and a sentence of counts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.decisions import queries
from ptlcd_data.store import Connection

# French headers of the section's table (page, PDF, XLSX).
COL_NO = "N°"
COL_SEANCE = "Séance du"
COL_DECISION = "Décision"
COL_SUR = "Sur"
COL_RESPONSABLE = "Responsable"
COL_ECHEANCE = "Échéance"
COL_ETAT = "État"
COL_RETARD = "En retard"
COLUMNS = [
    COL_NO,
    COL_SEANCE,
    COL_DECISION,
    COL_SUR,
    COL_RESPONSABLE,
    COL_ECHEANCE,
    COL_ETAT,
    COL_RETARD,
]


def table_decisions(conn: Connection, annee: int, obs: date) -> pd.DataFrame:
    """The décisions of `annee` at `obs`: `COLUMNS`, dates as dates, late ones first."""
    t = queries.year_summary(conn, annee, obs)
    return pd.DataFrame(
        {
            COL_NO: t["id"].astype(int),
            COL_SEANCE: t["seance_date"],
            COL_DECISION: t["texte"].astype(str),
            COL_SUR: [
                queries.subject(a, i) for a, i in zip(t["action_no"], t["indicateur"], strict=True)
            ],
            COL_RESPONSABLE: t["responsable_libelle"].astype(str),
            COL_ECHEANCE: t["echeance"],
            COL_ETAT: t["etat"].map(queries.etat_label),
            COL_RETARD: ["oui" if bool(x) else "non" for x in t["en_retard"]],
        },
        columns=COLUMNS,
    )


def bilan(table: pd.DataFrame, annee: int) -> str:
    """'5 décisions prises en 2026 : 2 faites, 1 en retard, 0 abandonnée.' (a `table_decisions`)."""
    if table.empty:
        return f"Aucune décision du GOLD n'a été enregistrée en {annee}."
    faites = int((table[COL_ETAT] == "faite").sum())
    retard = int((table[COL_RETARD] == "oui").sum())
    abandon = int((table[COL_ETAT] == "abandonnée").sum())
    return (
        f"{formats.count(len(table), 'décision prise')} en séance en {annee} : "
        f"{faites} faite(s), {retard} en retard, {abandon} abandonnée(s), "
        f"{len(table) - faites - abandon} encore ouverte(s)."
    )
