"""Questions about séances and décisions, at a date d'observation.

A décision exists from its séance's date; its state is its latest `decision_etat` record
effective at the date (`store.sql.latest`). It is en retard when it is `ouverte` after its
échéance. Lists put the late ones first, then the open ones by échéance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from ptlcd_data import dates
from ptlcd_data.access import auth
from ptlcd_data.decisions.records import ABANDONNEE, ETAT_LABELS, FAITE, OUVERTE
from ptlcd_data.errors import InputError
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import keep_listed, latest, one_row

# The columns of `decision_table` (and of `decision list`), in this order.
COLUMNS = [
    "id",
    "seance",
    "seance_date",
    "action_no",
    "indicateur",
    "texte",
    "responsable",
    "echeance",
    "etat",
    "en_retard",
    "modifie_le",
]
# More columns the pages and documents show beside them.
MORE_COLUMNS = [
    "seance_titre",
    "axe_no",
    "responsable_libelle",
    "etat_libelle",
    "commentaire",
    "modifie_par",
]

_TABLE = f"""
WITH e AS (
    SELECT decision_id, etat, commentaire, auteur, enregistre_le FROM decision_etat
    WHERE date_effet <= $d
    {latest(("decision_id",))}
)
SELECT d.id, d.seance_id AS seance, s.date_seance AS seance_date, d.action_no,
       d.indicateur_code AS indicateur, d.texte, d.responsable, d.echeance, e.etat,
       (e.etat = '{OUVERTE}' AND d.echeance < $d) AS en_retard, e.enregistre_le AS modifie_le,
       s.titre AS seance_titre, coalesce(a.axe_no, o.axe_no) AS axe_no,
       coalesce(p.libelle, d.responsable) AS responsable_libelle,
       CASE e.etat WHEN '{ABANDONNEE}' THEN 'abandonnée' ELSE e.etat END AS etat_libelle,
       e.commentaire,
       {auth.author_name_sql("e.auteur")} AS modifie_par
FROM decision d
JOIN seance s ON s.id = d.seance_id
JOIN e ON e.decision_id = d.id
LEFT JOIN plan_action($d) a ON a.action_no = d.action_no
LEFT JOIN plan_indicateur($d) i ON i.code = d.indicateur_code
LEFT JOIN plan_objectif($d) o ON o.code = i.objectif_code
LEFT JOIN plan_porteur($d) p ON p.code = d.responsable
WHERE s.date_seance <= $d AND {{where}}
ORDER BY en_retard DESC, e.etat = '{OUVERTE}' DESC, d.echeance, d.id
"""  # noqa: S608 - fixed identifiers; every value is bound


def decision_table(
    conn: Connection,
    as_of: date | None = None,
    *,
    etats: tuple[str, ...] = (),
    en_retard: bool | None = None,
    responsables: tuple[str, ...] = (),
    axes: tuple[int, ...] = (),
    seances: tuple[int, ...] = (),
    action_no: int | None = None,
    generales: bool = False,
) -> pd.DataFrame:
    """The décisions as they stood at `as_of` (default: today), late ones first.

    Columns: `COLUMNS` then `MORE_COLUMNS`. Filters: states, lateness, responsables (porteur
    codes or names), axes, séances, one action, or only the décisions générales (tied to no
    action nor indicator). An empty filter keeps every row.
    """
    where = ["TRUE"]
    params: dict[str, Any] = {"d": dates.or_today(as_of)}
    keep_listed(where, params, "e.etat", "etats", etats, "VARCHAR")
    keep_listed(where, params, "d.responsable", "responsables", responsables, "VARCHAR")
    keep_listed(where, params, "coalesce(a.axe_no, o.axe_no)", "axes", axes, "INTEGER")
    keep_listed(where, params, "d.seance_id", "seances", seances, "BIGINT")
    if en_retard is not None:
        where.append(f"(e.etat = '{OUVERTE}' AND d.echeance < $d) = $late")
        params["late"] = en_retard
    if action_no is not None:
        where.append("d.action_no = $action")
        params["action"] = action_no
    if generales:
        where.append("d.action_no IS NULL AND d.indicateur_code IS NULL")
    frame = conn.execute(_TABLE.format(where=" AND ".join(where)), params).df()
    return frame[COLUMNS + MORE_COLUMNS]


def counts(table: pd.DataFrame) -> dict[str, int]:
    """How many décisions in `table` (a `decision_table`): total, ouvertes, en_retard, faites,
    abandonnees."""
    etat = table["etat"]
    return {
        "total": len(table),
        "ouvertes": int((etat == OUVERTE).sum()),
        "en_retard": int(table["en_retard"].fillna(False).astype(bool).sum()),
        "faites": int((etat == FAITE).sum()),
        "abandonnees": int((etat == ABANDONNEE).sum()),
    }


def seances(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """The séances held by `as_of` (default: today), newest first.

    Columns: id, date_seance, titre, participants, nb_decisions."""
    return conn.execute(
        "SELECT s.id, s.date_seance, s.titre, s.participants, count(d.id) AS nb_decisions "
        "FROM seance s LEFT JOIN decision d ON d.seance_id = s.id WHERE s.date_seance <= ? "
        "GROUP BY ALL ORDER BY s.date_seance DESC, s.id DESC",
        [dates.or_today(as_of)],
    ).df()


def responsables(conn: Connection, as_of: date | None = None) -> dict[str, str]:
    """Each responsable named by a décision by `as_of` → what to show (a porteur's label, or
    the person's name), sorted by what is shown."""
    table = decision_table(conn, as_of)
    pairs = dict(zip(table["responsable"], table["responsable_libelle"], strict=True))
    return dict(sorted(pairs.items(), key=lambda kv: str(kv[1]).lower()))


def open_decisions_of(
    conn: Connection, codes: tuple[str, ...], as_of: date | None = None
) -> pd.DataFrame:
    """The open décisions whose responsable is one of the porteur `codes`, late ones first."""
    if not codes:
        return decision_table(conn, as_of).iloc[0:0]
    return decision_table(conn, as_of, etats=(OUVERTE,), responsables=codes)


def due_decisions(conn: Connection, as_of: date | None = None, days: int = 7) -> pd.DataFrame:
    """The décisions still open at `as_of` (default: today) whose échéance is at the latest
    `days` days later: the late ones, then those falling due (what a reminder lists)."""
    day = dates.or_today(as_of)
    table = decision_table(conn, day, etats=(OUVERTE,))
    return table[table["echeance"] <= pd.Timestamp(day + timedelta(days=days))].reset_index(
        drop=True
    )


def subject(action_no: object, indicateur: object) -> str:
    """What a décision is about: 'Action n° 12', 'Indicateur I3' or 'Générale'."""
    if action_no is not None and not pd.isna(action_no):
        return f"Action n° {int(action_no)}"  # type: ignore[call-overload]
    if isinstance(indicateur, str) and indicateur:
        return f"Indicateur {indicateur}"
    return "Générale"


def etat_label(etat: object) -> str:
    """'abandonnee' -> 'abandonnée' (what a reader sees)."""
    return ETAT_LABELS.get(str(etat), str(etat))


@dataclass(frozen=True)
class Releve:
    """What the relevé of one séance holds: the séance, its décisions, and the décisions of
    earlier séances still open on its date (the late ones flagged), all at the séance's date."""

    seance_id: int
    date_seance: date
    titre: str
    participants: str | None
    decisions: pd.DataFrame
    anterieures: pd.DataFrame


def releve(conn: Connection, seance_id: int) -> Releve:
    """The relevé of séance `seance_id`; refused in French when there is no such séance."""
    row = one_row(
        conn, "SELECT date_seance, titre, participants FROM seance WHERE id = ?", [seance_id]
    )
    if row is None:
        raise InputError(f"La séance n° {seance_id} n'existe pas.")
    day, titre, participants = row
    earlier = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM seance WHERE date_seance < ? OR (date_seance = ? AND id < ?)",
            [day, day, seance_id],
        ).fetchall()
    ]
    mine = decision_table(conn, day, seances=(seance_id,))
    before = (
        decision_table(conn, day, seances=tuple(earlier), etats=(OUVERTE,))
        if earlier
        else mine.iloc[0:0]
    )
    return Releve(seance_id, day, str(titre), participants, mine, before)


def year_summary(conn: Connection, annee: int, as_of: date) -> pd.DataFrame:
    """The décisions taken in `annee` (séances of that year), as they stood at `as_of`, late
    ones first: the annual synthèse's section. Columns as `decision_table`."""
    table = decision_table(conn, as_of)
    return table[pd.to_datetime(table["seance_date"]).dt.year == annee].reset_index(drop=True)
