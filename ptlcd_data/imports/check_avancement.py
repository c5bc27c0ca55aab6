"""Vérifier, sheet Avancement: actions, dates, statuses and avancement; the diff."""

from __future__ import annotations

import pyarrow as pa

from ptlcd_data import vocabulary
from ptlcd_data.imports import engine
from ptlcd_data.imports.engine import Checked, Parts, Rule
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import BY_RECORDING, latest


def check(conn: Connection, parts: Parts) -> Checked:
    parsed = engine.materialise(
        conn,
        "ptlcd_av",
        f"""
        SELECT r.*, a.action_no, ptlcd_date(ptlcd_clean(r.date)) AS date_n, s.v AS statut_n,
               ptlcd_percent(r.avancement, r.avancement_pct) AS avancement_n,
               r.statut IS NULL AND r.avancement IS NULL AND r.commentaire IS NULL AS vide
        FROM ptlcd_rows r
        LEFT JOIN plan_action(current_date) a ON a.action_no = ptlcd_action(r.action)
        LEFT JOIN ({engine.vocabulary_sql(vocabulary.STATUTS)}) s ON s.k = ptlcd_key(r.statut)
        """,  # noqa: S608 - fixed fragments
    )
    where = engine.columns(parts, SPECS["avancement"])
    statuts = ", ".join(vocabulary.STATUTS)
    rules: list[Rule] = [
        *engine.action_rules("action IS NULL AND NOT vide"),
        ("erreur", "date", "date IS NULL AND NOT vide", "Date manquante.", "une date JJ/MM/AAAA"),
        (
            "erreur",
            "date",
            "date IS NOT NULL AND date_n IS NULL",
            "Date illisible.",
            "une date JJ/MM/AAAA",
        ),
        (
            "erreur",
            "date",
            "date_n > current_date",
            "Date dans le futur.",
            "une date passée ou aujourd'hui",
        ),
        ("erreur", "statut", "statut IS NULL AND NOT vide", "Statut manquant.", statuts),
        ("erreur", "statut", "statut IS NOT NULL AND statut_n IS NULL", "Statut inconnu.", statuts),
        (
            "erreur",
            "avancement",
            "ptlcd_bad_number(avancement)",
            "Avancement : ce n'est pas un nombre.",
            "un pourcentage entre 0 et 100",
        ),
        (
            "erreur",
            "avancement",
            "avancement_n < 0 OR avancement_n > 100",
            "Avancement : un pourcentage doit être entre 0 et 100.",
            "un pourcentage entre 0 et 100",
        ),
        engine.fraction_rule(
            "avancement", "Avancement", "ptlcd_is_fraction(avancement) AND NOT avancement_pct"
        ),
        engine.ignored("action", "vide", "ni statut, ni avancement, ni commentaire"),
    ]
    problems = engine.sheet_problems(
        conn, rules, where, "ptlcd_av", "action_no, date_n", "mêmes action et date"
    )
    return problems, parsed, diff(conn)


def diff(conn: Connection) -> pa.Table:
    """Valid status rows against the latest record of the same action and date (a row with a
    formula without result is left out: its values are unknown)."""
    return engine.arrow(
        conn,
        f"""
        WITH f AS (
            SELECT * FROM ptlcd_av
            WHERE action_no IS NOT NULL AND date_n IS NOT NULL AND _no_result IS NULL
        ),
        cur AS (
            SELECT action_no, date_effet, statut, avancement, commentaire FROM statut_record s
            SEMI JOIN f ON f.action_no = s.action_no AND f.date_n = s.date_effet
            {latest(["action_no", "date_effet"], BY_RECORDING)}
        )
        SELECT f.feuille, f.ligne, f.action_no, f.date_n AS date_effet,
               CASE WHEN f.vide THEN 'ignoré'
                    WHEN c.action_no IS NULL THEN 'créé'
                    WHEN c.statut IS NOT DISTINCT FROM f.statut_n
                     AND c.avancement IS NOT DISTINCT FROM CAST(round(f.avancement_n) AS INTEGER)
                     AND c.commentaire IS NOT DISTINCT FROM f.commentaire THEN 'inchangé'
                    ELSE 'modifié' END AS etat,
               c.statut AS ancien_statut, f.statut_n AS nouveau_statut,
               c.avancement AS ancien_avancement,
               CAST(round(f.avancement_n) AS INTEGER) AS nouveau_avancement,
               c.commentaire AS ancien_commentaire, f.commentaire AS nouveau_commentaire
        FROM f LEFT JOIN cur c ON c.action_no = f.action_no AND c.date_effet = f.date_n
        """,  # noqa: S608 - identifiers from store.sql; values are bound
    )
