"""Vérifier, sheet Engagement: actions, territories and engagement levels; the diff."""

from __future__ import annotations

import pyarrow as pa

from ptlcd_data import vocabulary
from ptlcd_data.imports import engine
from ptlcd_data.imports.engine import Checked, Parts, Rule
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import latest


def check(conn: Connection, parts: Parts) -> Checked:
    parsed = engine.materialise(
        conn,
        "ptlcd_eng",
        f"""
        SELECT r.*, a.action_no, t.code AS territoire_code, n.v AS niveau_n,
               r.niveau IS NULL AS vide
        FROM ptlcd_rows r
        LEFT JOIN plan_action(current_date) a ON a.action_no = ptlcd_action(r.action)
        LEFT JOIN ({engine.territories_sql()}) t ON ptlcd_key(r.territoire) = t.k
        LEFT JOIN ({engine.vocabulary_sql(vocabulary.NIVEAUX)}) n ON n.k = ptlcd_key(r.niveau)
        """,  # noqa: S608 - fixed fragments
    )
    where = engine.columns(parts, SPECS["engagement"])
    niveaux = ", ".join(vocabulary.NIVEAUX)
    rules: list[Rule] = [
        *engine.action_rules("action IS NULL"),
        *engine.territory_rules(conn),
        (
            "erreur",
            "niveau",
            "niveau IS NOT NULL AND niveau_n IS NULL",
            "Niveau d'engagement inconnu.",
            niveaux,
        ),
        engine.ignored("niveau", "vide AND action_no IS NOT NULL", "engagement vide"),
    ]
    problems = engine.sheet_problems(
        conn, rules, where, "ptlcd_eng", "action_no, territoire_code", "mêmes action et territoire"
    )
    return problems, parsed, diff(conn)


def diff(conn: Connection) -> pa.Table:
    """Valid engagement rows against the territory's current level for the action (a row with
    a formula without result is left out: its values are unknown)."""
    return engine.arrow(
        conn,
        f"""
        WITH f AS (
            SELECT * FROM ptlcd_eng
            WHERE action_no IS NOT NULL AND territoire_code IS NOT NULL AND _no_result IS NULL
        ),
        cur AS (
            SELECT action_no, territoire_code, niveau FROM engagement_record e
            SEMI JOIN f ON f.action_no = e.action_no AND f.territoire_code = e.territoire_code
            {latest(["action_no", "territoire_code"])}
        )
        SELECT f.feuille, f.ligne, f.action_no, f.territoire_code,
               (SELECT libelle FROM plan_territoire(current_date) t WHERE t.code = f.territoire_code) AS territoire,
               CASE WHEN f.vide THEN 'ignoré'
                    WHEN c.action_no IS NULL THEN 'créé'
                    WHEN c.niveau = f.niveau_n THEN 'inchangé'
                    ELSE 'modifié' END AS etat,
               c.niveau AS ancien_niveau, f.niveau_n AS nouveau_niveau
        FROM f LEFT JOIN cur c ON c.action_no = f.action_no AND c.territoire_code = f.territoire_code
        """,  # noqa: S608 - identifiers from store.sql; values are bound
    )
