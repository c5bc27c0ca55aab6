"""Questions about the follow-up, each as the plan stood at a date (`as_of`).

Time travel: a status or engagement record counts from its `date_effet`; the state at `as_of` is
the latest record with `date_effet <= as_of` (ties broken by when it was recorded). The plan
itself is read as it stood at `as_of` (`plan_action(d)`…, see plan/versions.py): a retired
action is absent, a moved one counts in the objective it had that day. Aggregations
run in DuckDB; the lateness rules are the pure functions of `suivi.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd

from ptlcd_data.access.auth import author_name_sql
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import keep_listed, latest, newest_first
from ptlcd_data.suivi import retards
from ptlcd_data.suivi.etat_initial import date_plan
from ptlcd_data.vocabulary import SANS_STATUT, STATUTS_AFFICHES, STATUTS_COMMENCES

# The current status of every action at $as_of, with what the rules need (see compute_retards).
_ETAT_SQL = """
WITH rec AS (
    SELECT r.*,
           last_value(r.avancement IGNORE NULLS) OVER (
               PARTITION BY r.action_no ORDER BY r.date_effet, r.enregistre_le, r.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS avancement_connu,
           row_number() OVER (
               PARTITION BY r.action_no ORDER BY r.date_effet, r.enregistre_le, r.id) AS rang
    FROM statut_record r
    WHERE r.date_effet <= $as_of AND ($avec_demo OR NOT r.demo)
),
courant AS (SELECT * FROM rec {latest_status}),
debut AS (
    SELECT action_no, min(date_effet) AS debut_reel FROM rec
    WHERE statut IN (SELECT unnest($commences::VARCHAR[])) OR avancement > 0
    GROUP BY action_no
),
ouvert AS (SELECT action_no, max(rang) AS rang FROM rec WHERE statut <> 'Réalisé' GROUP BY action_no),
fin AS (
    SELECT rec.action_no, min(rec.date_effet) AS fin_reelle
    FROM rec LEFT JOIN ouvert o ON o.action_no = rec.action_no
    WHERE rec.statut = 'Réalisé' AND rec.rang > coalesce(o.rang, 0)
    GROUP BY rec.action_no
),
engage AS (
    SELECT action_no, territoire_code, niveau FROM engagement_record
    WHERE date_effet <= $as_of AND ($avec_demo OR NOT demo)
    {latest_engagement}
)
SELECT x.action_no, x.axe_no, a.libelle AS axe, x.objectif_code, o.libelle AS objectif,
       o.ordre AS objectif_ordre, x.libelle AS action, x.porteur, x.calendrier, x.calendrier_forme,
       x.debut_prevu, x.fin_prevue, x.recurrente,
       coalesce(c.statut, $sans_statut) AS statut,
       CASE WHEN c.statut = 'Réalisé' THEN coalesce(c.avancement, 100)
            ELSE c.avancement_connu END AS avancement,
       c.commentaire, {auteur} AS auteur, c.source, c.date_effet AS date_dernier,
       d.debut_reel, f.fin_reelle
FROM plan_action($as_of) x
JOIN plan_axe($as_of) a ON a.axe_no = x.axe_no
JOIN plan_objectif($as_of) o ON o.code = x.objectif_code
LEFT JOIN courant c ON c.action_no = x.action_no
LEFT JOIN debut d ON d.action_no = x.action_no
LEFT JOIN fin f ON f.action_no = x.action_no
WHERE {where}
ORDER BY x.action_no
"""


@contextmanager
def scanned(conn: Connection, name: str, df: pd.DataFrame) -> Iterator[None]:
    """Let DuckDB aggregate a DataFrame under `name` for the time of one query."""
    conn.register(name, df)
    try:
        yield
    finally:
        conn.unregister(name)


def action_states(
    conn: Connection,
    as_of: date,
    *,
    axes: tuple[int, ...] = (),
    porteurs: tuple[str, ...] = (),
    territoire: str | None = None,
    statuts: tuple[str, ...] = (),
    actions: tuple[int, ...] = (),
    avec_demo: bool = True,
) -> pd.DataFrame:
    """One row per action as it stood at `as_of`, filtered (an empty filter keeps everything).

    `territoire` keeps the actions in which that territory is À engager, Engagée or Réalisée.
    Without `avec_demo`, demonstration records are left out (the API, like the open data).
    Columns: action_no, axe_no, axe, objectif_code, objectif, objectif_ordre, action, porteur,
    calendrier, calendrier_forme, debut_prevu, fin_prevue, recurrente, statut (SANS_STATUT when
    none), avancement (0–100 or empty), commentaire, auteur, source, date_dernier (date d'effet
    of the latest record), debut_reel, fin_reelle, en_retard, motif_retard,
    glissement_debut_mois, glissement_fin_mois.
    """
    where = ["TRUE"]
    params: dict[str, Any] = {
        "as_of": as_of,
        "commences": list(STATUTS_COMMENCES),
        "sans_statut": SANS_STATUT,
        "avec_demo": avec_demo,
    }
    keep_listed(where, params, "x.axe_no", "axes", axes, "INTEGER")
    keep_listed(where, params, "x.porteur", "porteurs", porteurs, "VARCHAR")
    keep_listed(where, params, "coalesce(c.statut, $sans_statut)", "statuts", statuts, "VARCHAR")
    keep_listed(where, params, "x.action_no", "actions", actions, "INTEGER")
    if territoire:
        where.append(
            "EXISTS (SELECT 1 FROM engage e WHERE e.action_no = x.action_no "
            "AND e.territoire_code = $territoire AND e.niveau <> 'Non concernée')"
        )
        params["territoire"] = territoire
    sql = _ETAT_SQL.format(
        where=" AND ".join(where),
        latest_status=latest(["action_no"]),
        latest_engagement=latest(["action_no", "territoire_code"]),
        auteur=author_name_sql("c.auteur"),
    )
    df = conn.execute(sql, params).df()
    return retards.compute_retards(df, as_of, date_plan(conn))


def action_state(conn: Connection, action_no: int, as_of: date) -> dict[str, Any] | None:
    """The row of `action_states` for one action, as a dict (None if the action is unknown)."""
    return state_of(action_states(conn, as_of, actions=(action_no,)), action_no)


def state_of(states: pd.DataFrame, action_no: int) -> dict[str, Any] | None:
    """The row of one action in a table of `action_states`, as `action_state` gives it (pure: the
    app reads it from the whole plan's table, computed once per revision)."""
    df = states[states["action_no"] == action_no]
    if df.empty:
        return None
    row = {k: (None if _missing(v) else v) for k, v in df.iloc[0].to_dict().items()}
    for key in DATE_COLUMNS:
        value = row.get(key)
        if isinstance(value, pd.Timestamp):
            row[key] = value.date()
    return row


DATE_COLUMNS = ("debut_prevu", "fin_prevue", "date_dernier", "debut_reel", "fin_reelle")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _status_columns() -> str:
    # Column names come from the fixed vocabulary (vocabulary.STATUTS_AFFICHES), never from a user.
    return ", ".join(f"count(*) FILTER (WHERE statut = '{s}') AS \"{s}\"" for s in STATUTS_AFFICHES)


def progress_by_axis(conn: Connection, as_of: date) -> pd.DataFrame:
    """Per axis and per objective, then the whole plan: counts by status, share Réalisé, mean
    avancement, actions late.

    Columns: echelle ('axe', 'objectif' or 'plan'), axe_no, axe, objectif_code, objectif,
    libelle (what a table shows: "Axe 1 · Connaître", "Objectif 1.1 · …"), nb_actions, one
    column per status (STATUTS_AFFICHES), part_realise (%), avancement_moyen (mean over the
    actions with an avancement), nb_en_retard. Axis rows come before their objectives (in the
    plan's order); the plan row is last.
    """
    sql = f"""
        SELECT CASE WHEN grouping(axe_no) = 1 THEN 'plan'
                    WHEN grouping(objectif_code) = 1 THEN 'axe' ELSE 'objectif' END AS echelle,
               axe_no, any_value(axe) AS axe, objectif_code,
               CASE WHEN grouping(objectif_code) = 0 THEN any_value(objectif) END AS objectif,
               CASE WHEN grouping(axe_no) = 1 THEN 'Ensemble du plan'
                    WHEN grouping(objectif_code) = 1
                        THEN 'Axe ' || axe_no || ' · ' || any_value(axe)
                    ELSE '    Objectif ' || objectif_code || ' · ' || any_value(objectif)
               END AS libelle,
               count(*) AS nb_actions, {_status_columns()},
               100.0 * count(*) FILTER (WHERE statut = 'Réalisé') / count(*) AS part_realise,
               avg(avancement) AS avancement_moyen,
               count(*) FILTER (WHERE en_retard) AS nb_en_retard
        FROM etat
        GROUP BY GROUPING SETS ((axe_no), (axe_no, objectif_code), ())
        ORDER BY axe_no NULLS LAST, grouping(objectif_code) DESC, min(objectif_ordre)
    """  # noqa: S608 - fixed fragments only
    with scanned(conn, "etat", action_states(conn, as_of)):
        return conn.execute(sql).df()


def status_counts_by_axis(conn: Connection, as_of: date) -> pd.DataFrame:
    """Long counts for the stacked bar. Columns: axe_no, axe, statut, nb (zeros included)."""
    with scanned(conn, "etat", action_states(conn, as_of)):
        return _status_counts_by_axis(conn)


def _status_counts_by_axis(conn: Connection) -> pd.DataFrame:
    return conn.execute(
        """
        WITH axes AS (SELECT DISTINCT axe_no, axe FROM etat),
             s AS (SELECT unnest($statuts::VARCHAR[]) AS statut,
                          generate_subscripts($statuts::VARCHAR[], 1) AS ordre)
        SELECT axes.axe_no, axes.axe, s.statut,
               (SELECT count(*) FROM etat e
                 WHERE e.axe_no = axes.axe_no AND e.statut = s.statut) AS nb
        FROM axes CROSS JOIN s
        ORDER BY axes.axe_no, s.ordre
        """,
        {"statuts": list(STATUTS_AFFICHES)},
    ).df()


def status_counts_by_year_end(conn: Connection, as_of: date) -> pd.DataFrame:
    """The status mix at each year end since the plan's year, then at `as_of`.

    Columns: jour, statut, nb (zeros included), in status order.
    """
    jours = retards.annees_de_suivi(date_plan(conn), as_of)
    return conn.execute(
        f"""
        WITH jours AS (SELECT unnest($jours::DATE[]) AS jour),
             s AS (SELECT unnest($statuts::VARCHAR[]) AS statut,
                          generate_subscripts($statuts::VARCHAR[], 1) AS ordre),
             courant AS (
                SELECT j.jour, r.action_no, r.statut
                FROM jours j JOIN statut_record r ON r.date_effet <= j.jour
                {latest(["j.jour", "r.action_no"], alias="r")}
             ),
             etat AS (
                SELECT j.jour, coalesce(c.statut, $sans_statut) AS statut
                FROM jours j CROSS JOIN LATERAL (SELECT action_no FROM plan_action(j.jour)) x
                LEFT JOIN courant c ON c.jour = j.jour AND c.action_no = x.action_no
             )
        SELECT j.jour, s.statut,
               (SELECT count(*) FROM etat e WHERE e.jour = j.jour AND e.statut = s.statut) AS nb
        FROM jours j CROSS JOIN s
        ORDER BY j.jour, s.ordre
        """,  # noqa: S608 - identifiers from store.sql; values are bound
        {"jours": jours, "statuts": list(STATUTS_AFFICHES), "sans_statut": SANS_STATUT},
    ).df()


def status_history(conn: Connection, action_no: int, as_of: date) -> pd.DataFrame:
    """Every status record of an action with `date_effet <= as_of`, newest first.

    Columns: date_effet, statut, avancement, commentaire, auteur, source, enregistre_le, demo.
    """
    return history_of(status_histories(conn, as_of), action_no)


def status_histories(conn: Connection, as_of: date) -> pd.DataFrame:
    """`status_history` of every action, newest first within each, with a column action_no (the
    review steps through them all: one question instead of one per step)."""
    return conn.execute(
        f"""
        SELECT action_no, date_effet, statut, avancement, commentaire,
               {author_name_sql("auteur")} AS auteur, source, enregistre_le, demo
        FROM statut_record WHERE date_effet <= ?
        ORDER BY action_no, {newest_first()}
        """,  # noqa: S608 - fixed fragments; values are bound
        [as_of],
    ).df()


def history_of(histories: pd.DataFrame, action_no: int) -> pd.DataFrame:
    """The rows of one action in a table of `status_histories`, without its action_no (pure)."""
    rows = histories[histories["action_no"] == action_no]
    return rows.drop(columns=["action_no"]).reset_index(drop=True)


def calendar_actions(
    conn: Connection,
    as_of: date,
    *,
    tri: str = "numero",
    grouper: bool = True,
    seulement_retard: bool = False,
    **filters: Any,
) -> pd.DataFrame:
    """The actions of the calendar page, filtered like `action_states`, in display order.

    Sorted by `tri` (a key of `retards.TRIS`), within each axis when `grouper`.
    """
    etat = retards.trier(action_states(conn, as_of, **filters), tri)
    if seulement_retard:
        etat = etat[etat["en_retard"]]
    if grouper:
        etat = etat.sort_values("axe_no", kind="stable")
    return etat.reset_index(drop=True)


def gantt_bars(
    conn: Connection,
    as_of: date,
    *,
    tri: str = "numero",
    seulement_retard: bool = False,
    **filters: Any,
) -> pd.DataFrame:
    """Planned and actual bars per action (see `retards.gantt_rows`), grouped by axis, in order."""
    etat = calendar_actions(
        conn, as_of, tri=tri, grouper=True, seulement_retard=seulement_retard, **filters
    )
    rows = retards.gantt_rows(etat, as_of, date_plan(conn))
    rank = {no: i for i, no in enumerate(etat["action_no"])}
    return rows.sort_values(
        ["action_no", "barre"], key=lambda s: s.map(rank) if s.name == "action_no" else s
    ).reset_index(drop=True)


def export_status(conn: Connection, as_of: date) -> pd.DataFrame:
    """One row per action: action_no, statut, avancement, en_retard, glissement_debut_mois,
    glissement_fin_mois, date_derniere_mise_a_jour."""
    etat = action_states(conn, as_of)
    out = etat[
        [
            "action_no",
            "statut",
            "avancement",
            "en_retard",
            "glissement_debut_mois",
            "glissement_fin_mois",
            "date_dernier",
        ]
    ].rename(columns={"date_dernier": "date_derniere_mise_a_jour"})
    out["avancement"] = out["avancement"].astype("Int64")
    return out.reset_index(drop=True)
