"""The annual summary for elected officials, assembled once for a year.

`synthese_annuelle(conn, annee, as_of)` returns a `Synthese`: every section as a table with French
headers and numbers left as numbers. The page "Synthèse annuelle", the PDF (`render_pdf`) and the
XLSX (`render_xlsx`) all read this one structure, so a figure is the same everywhere.

The observation date of year Y is the 31 December of Y, or `as_of` (today, or the sidebar's date)
while Y is not over. "During the year" means a date d'effet from 1 January of Y to that date.
The plan (wording, objectives, actions retired or not) is the one in force at that observation
date; the "start of the year" columns use the plan in force on 31 December of the year before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ptlcd_data import dates, demo, formats
from ptlcd_data.campagnes import completion
from ptlcd_data.errors import InputError
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import queries
from ptlcd_data.store import Connection
from ptlcd_data.suivi import status_queries
from ptlcd_data.suivi.etat_initial import date_plan
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, section_decisions, tables
from ptlcd_data.vocabulary import STATUTS_AFFICHES


@dataclass(frozen=True)
class Synthese:
    """The annual summary. Tables have French headers; see each builder for its columns."""

    annee: int
    date_observation: date
    derniere_donnee: date | None  # latest record known at the observation date
    plan_nom: str
    plan_territoire: str
    demo: bool  # demonstration records are in the store (and so in these figures)
    chiffres: pd.DataFrame  # Chiffre, Valeur, Début d'année, Précision
    statuts: pd.DataFrame  # Statut, Actions, Part (%)
    axes: pd.DataFrame
    realisees: pd.DataFrame
    commencees: pd.DataFrame
    retards: pd.DataFrame
    engagement: pd.DataFrame
    indicateurs: pd.DataFrame
    series: pd.DataFrame  # Code, Territoire, Année, Valeur, Cible (reference territories)
    commentaires: pd.DataFrame
    nb_commentaires: int  # comments of the year, including those beyond col.COMMENTS_MAX
    # The reply rate of the campaign that asked for the year's values, or that there was none.
    campagne: str = ""
    # The GOLD's décisions of the year (`section_decisions.COLUMNS`) and their counts in words.
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    bilan_decisions: str = ""

    def chiffre(self, label: str, column: str = col.COL_VALEUR) -> float:
        """The value of one key figure (`col.CH_*`); `column=col.COL_DEBUT_ANNEE` for the value
        at the end of the previous year (NaN where it means nothing)."""
        row = self.chiffres[self.chiffres[col.COL_CHIFFRE] == label]
        return float(row[column].iloc[0])

    @property
    def annee_en_cours(self) -> bool:
        """The year is not over at the observation date."""
        return self.date_observation < date(self.annee, 12, 31)


# -- the year ------------------------------------------------------------------------------------


def date_observation(annee: int, as_of: date) -> date:
    """31 December of `annee`, or `as_of` while that year is not over."""
    return min(date(annee, 12, 31), as_of)


def annees(conn: Connection, as_of: date) -> list[int]:
    """The years a summary can be asked for, newest first: from the plan's year to `as_of`'s."""
    return list(range(as_of.year, date_plan(conn).year - 1, -1))


def annee_par_defaut(conn: Connection, as_of: date) -> int:
    """The latest year, up to `as_of`, in which a status or an engagement was recorded."""
    row = conn.execute(
        """
        SELECT max(year(date_effet)) FROM (
            SELECT date_effet FROM statut_record WHERE date_effet <= $d
            UNION ALL SELECT date_effet FROM engagement_record WHERE date_effet <= $d)
        """,
        {"d": as_of},
    ).fetchall()
    found = row[0][0] if row else None
    return int(found) if found is not None else as_of.year


def check_annee(conn: Connection, annee: int, as_of: date) -> None:
    first = date_plan(conn).year
    if not first <= annee <= as_of.year:
        raise InputError(
            f"Année {annee} hors du suivi : le plan commence en {first} et la dernière année "
            f"possible est {as_of.year}."
        )


# -- assembly ------------------------------------------------------------------------------------


def synthese_annuelle(conn: Connection, annee: int, as_of: date | None = None) -> Synthese:
    """The summary of `annee`, as it stood at its observation date (see `date_observation`)."""
    as_of = dates.or_today(as_of)
    check_annee(conn, annee, as_of)
    obs = date_observation(annee, as_of)
    debut_annee = date(annee, 1, 1)
    fin_precedente = date(annee - 1, 12, 31)

    etat = status_queries.action_states(conn, obs)
    etat_avant = status_queries.action_states(conn, fin_precedente)
    realisees = tables.actions_dans_annee(etat, "fin_reelle", debut_annee, obs)
    commencees = tables.actions_dans_annee(etat, "debut_reel", debut_annee, obs)
    # Words (trend, alerts) only for the reference rows the tables show: 30 000 series at large
    # scale, a hundred shown.
    summary = valeurs.series_summary(conn, obs, words=False)
    catalogue = valeurs.catalogue(conn, obs)
    engagement = tables.table_engagement(conn, obs, fin_precedente, debut_annee)
    ind_table = tables.table_indicateurs(catalogue, summary, valeurs.last_complete_year(obs))
    series = tables.table_series(conn, obs, summary)
    comments, total = tables.table_commentaires(conn, debut_annee, obs)
    meta = queries.plan_meta(conn)
    decisions = section_decisions.table_decisions(conn, annee, obs)
    return Synthese(
        annee=annee,
        date_observation=obs,
        derniere_donnee=tables.derniere_donnee(conn, obs),
        plan_nom=meta.get("nom", ""),
        plan_territoire=meta.get("territoire", ""),
        demo=demo.has_demo(conn),
        chiffres=tables.table_chiffres(
            etat, etat_avant, realisees, commencees, engagement, ind_table
        ),
        statuts=tables.table_statuts(etat),
        axes=tables.table_axes(etat, tables.avancement_par_axe(catalogue, summary)),
        realisees=tables.table_realisees(realisees),
        commencees=tables.table_commencees(commencees),
        retards=tables.table_retards(etat),
        engagement=engagement,
        indicateurs=ind_table,
        series=series,
        commentaires=comments,
        nb_commentaires=total,
        campagne=completion.year_sentence(conn, annee),
        decisions=decisions,
        bilan_decisions=section_decisions.bilan(decisions, annee),
    )


# -- words ---------------------------------------------------------------------------------------


def situation(s: Synthese) -> str:
    """'Situation au 31/12/2019', or '… au 28/11/2026 (année en cours)'."""
    text = f"Situation au {formats.day(s.date_observation)}"
    return text + " (année en cours)" if s.annee_en_cours else text


def chiffre_texte(s: Synthese, label: str) -> str:
    """A key figure as the page and the PDF write it: '24 %', '5 sur 5', '9'."""
    value = s.chiffre(label)
    if label in col.CHIFFRES_UNITES:
        return formats.percent(value)
    if label == col.CH_TERRITOIRES:
        return f"{formats.number(value)} sur {len(s.engagement)}"
    if label == col.CH_CIBLES:
        return f"{formats.number(value)} sur {int(s.indicateurs['À la cible'].ne('—').sum())}"
    return formats.number(value)


def glissement_mots(months: object) -> str:
    """6 -> '6 mois après la date prévue', -2 -> '2 mois avant', 0 -> 'à la date prévue'."""
    if months is None or pd.isna(months):
        return ""
    n = int(months)  # type: ignore[call-overload]
    if n == 0:
        return "à la date prévue"
    when = "après" if n > 0 else "avant"
    return f"{abs(n)}{formats.NBSP}mois {when} la date prévue"


def _compte(n: int, singular: str, plural: str) -> str:
    """'aucune action terminée', '1 action terminée', '5 actions terminées'."""
    if n == 0:
        return (
            "aucune " + singular if singular.startswith(("action", "lancée")) else f"0 {singular}"
        )
    return formats.count(n, singular, plural)


def resume(s: Synthese) -> list[str]:
    """'L'année en bref': a few short sentences a non-specialist reads first."""
    n = int(s.chiffre(col.CH_ACTIONS))
    done = int(s.chiffre(col.CH_REALISEES))
    done_before = int(s.chiffre(col.CH_REALISEES, col.COL_DEBUT_ANNEE))
    late = int(s.chiffre(col.CH_RETARD))
    late_before = int(s.chiffre(col.CH_RETARD, col.COL_DEBUT_ANNEE))
    finished = int(s.chiffre(col.CH_REALISEES_ANNEE))
    started = int(s.chiffre(col.CH_COMMENCEES_ANNEE))
    engaged = int(s.chiffre(col.CH_TERRITOIRES))
    on_target = int(s.chiffre(col.CH_CIBLES))
    with_target = int(s.indicateurs["À la cible"].ne("—").sum())
    au = f"Au {formats.day(s.date_observation)}"
    lines = [
        f"{au}, {done} des {n} actions du plan sont réalisées "
        f"({formats.percent(s.chiffre(col.CH_PART))}), contre {done_before} au début de "
        "l'année.",
        f"Pendant l'année : {_compte(finished, 'action terminée', 'actions terminées')}, "
        f"{_compte(started, 'lancée', 'lancées')}.",
        (
            f"{_compte(late, 'action est', 'actions sont')} en retard"
            if late
            else "Aucune action n'est en retard"
        )
        + f" ({late_before} au début de l'année).",
        (
            f"{formats.count(engaged, 'territoire')} sur {len(s.engagement)} "
            f"{'sont engagés' if engaged > 1 else 'est engagé'} dans au moins une action."
            if engaged
            else "Aucun territoire n'est encore engagé dans une action."
        ),
    ]
    if with_target:
        lines.append(
            f"{_compte(on_target, 'indicateur', 'indicateurs')} sur {with_target} "
            + (
                "atteignent la cible fixée pour leur dernière valeur connue."
                if on_target > 1
                else "atteint la cible fixée pour sa dernière valeur connue."
            )
        )
    if not s.axes.empty:
        counts = s.axes[col.COL_METEO].value_counts()
        parts = [f"{m.lower()} : {counts[m]}" for m in meteo.METEOS if m in counts]
        lines.append("Météo des axes — " + " ; ".join(parts) + ".")
    if s.campagne:
        lines.append(s.campagne)
    return lines


def statuts_long(s: Synthese) -> pd.DataFrame:
    """The axes' status counts in the long shape of `charts_suivi.statuts_axes_bar`."""
    long = s.axes.melt(
        id_vars=[col.COL_AXE_NO, col.COL_AXE],
        value_vars=list(STATUTS_AFFICHES),
        var_name="statut",
        value_name="nb",
    )
    return long.rename(columns={col.COL_AXE_NO: "axe_no", col.COL_AXE: "axe"})
