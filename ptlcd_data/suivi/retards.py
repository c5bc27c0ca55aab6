"""Lateness and slippage of the actions, the Gantt rows and the calendar's sort orders.

Lateness and slippage are computed, never typed. The rules are pure pandas functions over one
row per action (see `compute_retards`), so they are tested without a database, and their French
wording (`RULES_RETARD`) is what the pages show. The queries that feed them live in
`status_queries.py`; the writes in `saisie.py`; the words in `ptlcd_data.vocabulary`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ptlcd_data.vocabulary import (
    SANS_STATUT,
    STATUTS_CLOS,
    STATUTS_NON_COMMENCES,
)

DAYS_PER_MONTH = 365.25 / 12

# The rules as users read them on screen (Calendrier et retards, Revue GOLD).
RULES_RETARD: list[str] = [
    "Le retard est calculé, jamais saisi, à la date d'observation.",
    "Une action « Réalisé » ou « Abandonné » n'est jamais en retard.",
    "Une action est en retard quand sa fin prévue est passée (« Fin 2018 », « 2017-2019 », "
    "« 2019 » : fin prévue le 31 décembre de l'année).",
    "Une action est aussi en retard quand elle est encore « À venir » (ou sans statut) après "
    "son année de début prévue (« Dès 2017 », « 2017-2019 », « 2019 »).",
    "Une action annuelle est en retard quand elle n'a aucun enregistrement dans l'année de la "
    "date d'observation ; elle n'est jamais en retard par une date de fin.",
    "Une action « déjà engagée » ou sans calendrier n'est jamais en retard par la date.",
    "Avant la date du plan, aucune action n'est en retard.",
]
RULES_GLISSEMENT: list[str] = [
    "Le plan ne donne que des années : le début prévu est le 1er janvier de l'année, la fin "
    "prévue le 31 décembre.",
    "Début réel : le premier enregistrement « En cours », « En pause » ou « Réalisé » (ou avec un "
    "avancement supérieur à 0 %).",
    "Glissement du début (mois) = début réel − début prévu ; tant que l'action n'a pas "
    "commencé, date d'observation − début prévu (si cette date est passée).",
    "Glissement de la fin (mois) = date de réalisation − fin prévue ; tant que l'action n'est "
    "pas réalisée, date d'observation − fin prévue (si cette date est passée). Un nombre "
    "négatif veut dire en avance.",
    "Les mois sont arrondis au mois le plus proche (30,4 jours).",
]


def months_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole months from `start` to `end` (rounded), as nullable integers; missing -> <NA>."""
    days = (pd.to_datetime(end) - pd.to_datetime(start)).dt.days
    return (days / DAYS_PER_MONTH).round().astype("Int64")


def _dates(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    return pd.to_datetime(df[column])


def compute_retards(
    actions: pd.DataFrame, as_of: date, date_plan: date | None = None
) -> pd.DataFrame:
    """Add lateness and slippage to one row per action, as they stand at `as_of`.

    Input columns: calendrier_forme, debut_prevu, fin_prevue, recurrente, statut (SANS_STATUT when
    none), debut_reel, fin_reelle (set only while the current status is Réalisé), date_dernier
    (latest record's date d'effet). Added columns: en_retard (bool), motif_retard (text or None),
    glissement_debut_mois, glissement_fin_mois (nullable integers). Before `date_plan` (when
    given) nothing is late: the plan did not exist yet.
    """
    df = actions.copy()
    obs = pd.Timestamp(as_of)
    statut = df["statut"].fillna(SANS_STATUT)
    debut_prevu = _dates(df, "debut_prevu")
    fin_prevue = _dates(df, "fin_prevue")
    debut_reel = _dates(df, "debut_reel")
    fin_reelle = _dates(df, "fin_reelle")
    dernier = _dates(df, "date_dernier")
    recurrente = df["recurrente"].fillna(False).astype(bool)

    clos = statut.isin(STATUTS_CLOS)
    abandonne = statut.eq("Abandonné")
    non_commence = statut.isin(STATUTS_NON_COMMENCES)
    fin_passee = fin_prevue.notna() & (obs > fin_prevue)
    annee_debut_passee = debut_prevu.notna() & (obs.year > debut_prevu.dt.year)
    sans_trace_annee = dernier.isna() | (dernier.dt.year < obs.year)

    retard_fin = ~recurrente & ~clos & fin_passee
    retard_debut = ~recurrente & ~clos & ~retard_fin & annee_debut_passee & non_commence
    retard_annuel = recurrente & ~abandonne & sans_trace_annee
    avant_plan = date_plan is not None and as_of < date_plan
    df["en_retard"] = (retard_fin | retard_debut | retard_annuel).astype(bool) & (not avant_plan)

    fin_txt = fin_prevue.dt.strftime("%d/%m/%Y")
    annee_debut = debut_prevu.dt.year.astype("Int64").astype("string")
    motif = pd.Series(None, index=df.index, dtype="object")
    motif = motif.mask(retard_fin, "Fin prévue le " + fin_txt + " dépassée")
    motif = motif.mask(
        retard_debut,
        np.where(statut.eq(SANS_STATUT), "Sans statut", "Toujours « À venir »")
        + " après "
        + annee_debut,
    )
    motif = motif.mask(retard_annuel, f"Aucun enregistrement en {obs.year}")
    df["motif_retard"] = motif.astype("object").where(df["en_retard"], None)

    debut_fait = months_between(debut_prevu, debut_reel)
    debut_attendu = months_between(debut_prevu, pd.Series(obs, index=df.index))
    attendu = debut_reel.isna() & ~clos & debut_prevu.notna() & (obs > debut_prevu)
    df["glissement_debut_mois"] = debut_fait.where(debut_reel.notna(), debut_attendu.where(attendu))

    fin_faite = months_between(fin_prevue, fin_reelle)
    fin_attendue = months_between(fin_prevue, pd.Series(obs, index=df.index))
    en_attente = fin_reelle.isna() & ~clos & fin_passee
    df["glissement_fin_mois"] = fin_faite.where(
        fin_reelle.notna() & fin_prevue.notna(), fin_attendue.where(en_attente)
    )
    return df


def annees_de_suivi(date_plan: date, as_of: date) -> list[date]:
    """The year ends from the plan's year up to `as_of`, then `as_of` itself (evolution chart)."""
    ends = [date(y, 12, 31) for y in range(date_plan.year, as_of.year) if date(y, 12, 31) < as_of]
    return [*ends, as_of]


BARRE_PREVUE = "Prévu"
BARRE_REELLE = "Réel"
# A bar shorter than this is drawn this long, so a one-day action still shows.
GANTT_MIN_DAYS = 10


def gantt_rows(etat: pd.DataFrame, as_of: date, date_plan: date) -> pd.DataFrame:
    """Planned and actual bars, one or two per action (pure: from `action_states` rows).

    Planned: planned start (or the plan's date when the plan gives only an end, or none) to
    planned end (or the observation date when there is none: `ouvert`). Actions without a
    calendar have no planned bar. Actual: actual start to completion, to the last record when
    abandoned, otherwise to the observation date (`ouvert`). Columns: action_no, axe_no, axe,
    action, calendrier, statut, en_retard, glissement_debut_mois, glissement_fin_mois, barre,
    debut, fin, ouvert.
    """
    keep = [
        "action_no",
        "axe_no",
        "axe",
        "action",
        "calendrier",
        "statut",
        "en_retard",
        "glissement_debut_mois",
        "glissement_fin_mois",
    ]
    obs = pd.Timestamp(as_of)
    planned = etat[keep].copy()
    forme = etat["calendrier_forme"]
    planned["debut"] = _dates(etat, "debut_prevu").fillna(pd.Timestamp(date_plan))
    planned["ouvert"] = _dates(etat, "fin_prevue").isna()
    planned["fin"] = _dates(etat, "fin_prevue").fillna(obs)
    planned["barre"] = BARRE_PREVUE
    planned = planned[(forme != "non planifiée") & (planned["fin"] > planned["debut"])]

    actual = etat[keep].copy()
    actual["debut"] = _dates(etat, "debut_reel")
    fin_reelle = _dates(etat, "fin_reelle")
    abandon = etat["statut"].eq("Abandonné")
    actual["fin"] = fin_reelle.fillna(_dates(etat, "date_dernier").where(abandon)).fillna(obs)
    actual["ouvert"] = fin_reelle.isna() & ~abandon
    actual["barre"] = BARRE_REELLE
    actual = actual[actual["debut"].notna()]

    rows = pd.concat([planned, actual], ignore_index=True)
    shortest = rows["debut"] + pd.Timedelta(days=GANTT_MIN_DAYS)
    rows["fin"] = rows["fin"].where(rows["fin"] >= shortest, shortest)
    order = {BARRE_PREVUE: 0, BARRE_REELLE: 1}
    rows = rows.sort_values(
        ["action_no", "barre"], key=lambda s: s.map(order) if s.name == "barre" else s
    )
    return rows.reset_index(drop=True)


# Sort orders offered on the calendar page (key -> label); anything else is refused.
TRIS: dict[str, str] = {
    "numero": "N° d'action",
    "glissement_fin": "Glissement de la fin (le plus grand d'abord)",
    "glissement_debut": "Glissement du début (le plus grand d'abord)",
}


def trier(etat: pd.DataFrame, tri: str) -> pd.DataFrame:
    """Sort actions by number or by slippage (largest first, unknown last, then by number)."""
    if tri not in TRIS:
        raise ValueError(tri)
    if tri == "numero":
        return etat.sort_values("action_no").reset_index(drop=True)
    column = "glissement_fin_mois" if tri == "glissement_fin" else "glissement_debut_mois"
    other = "glissement_debut_mois" if tri == "glissement_fin" else "glissement_fin_mois"
    return etat.sort_values(
        [column, other, "action_no"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
