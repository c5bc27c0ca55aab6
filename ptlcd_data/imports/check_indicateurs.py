"""Vérifier, sheet Indicateurs: codes, territories, years, values and targets; the diff."""

from __future__ import annotations

import pyarrow as pa

from ptlcd_data.imports import engine
from ptlcd_data.imports.engine import Checked, Parts, Rule
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.indicateurs.rules import year_range, years_expected
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import BY_RECORDING, latest, one_row, scalar


def check(conn: Connection, parts: Parts) -> Checked:
    first_year, last_year = year_range()
    # Codes, territories and years take few distinct values: each is parsed once, then joined.
    parsed = engine.materialise(
        conn,
        "ptlcd_ind",
        f"""
        WITH rows AS MATERIALIZED (SELECT * FROM ptlcd_rows),
        codes AS (
            SELECT c.code AS code_txt, i.code, i.unite
            FROM (SELECT DISTINCT code FROM rows WHERE code IS NOT NULL) c
            JOIN plan_indicateur(current_date) i ON upper(replace(c.code, ' ', '')) = upper(i.code)
        ),
        labels AS (
            SELECT l.libelle AS libelle_txt, il.code, il.unite
            FROM (SELECT DISTINCT libelle FROM rows WHERE code IS NULL AND libelle IS NOT NULL) l
            JOIN (SELECT ptlcd_key(libelle) AS k, any_value(code) AS code,
                         any_value(unite) AS unite
                  FROM plan_indicateur(current_date) GROUP BY 1 HAVING count(*) = 1) il
              ON ptlcd_key(l.libelle) = il.k
        ),
        places AS (
            SELECT p.territoire AS territoire_txt, t.code
            FROM (SELECT DISTINCT territoire FROM rows WHERE territoire IS NOT NULL) p
            JOIN ({engine.territories_sql()}) t ON ptlcd_key(p.territoire) = t.k
        ),
        years AS (
            SELECT annee AS annee_txt, ptlcd_year(ptlcd_clean(annee)) AS annee_n
            FROM (SELECT DISTINCT annee FROM rows WHERE annee IS NOT NULL)
        ),
        parsed AS (
            SELECT r.*,
                   coalesce(c.code, l.code) AS indicateur_code,
                   coalesce(c.unite, l.unite) AS unite,
                   p.code AS territoire_code,
                   y.annee_n,
                   TRY_CAST(r.valeur AS DOUBLE) AS valeur_fast,
                   TRY_CAST(r.cible AS DOUBLE) AS cible_fast
            FROM rows r
            LEFT JOIN codes c ON c.code_txt = r.code
            LEFT JOIN labels l ON l.libelle_txt = r.libelle
            LEFT JOIN places p ON p.territoire_txt = r.territoire
            LEFT JOIN years y ON y.annee_txt = r.annee
        ),
        {engine.number_layers("parsed", "valeur", "cible")}
        SELECT feuille, ligne, code, libelle, territoire, annee, valeur, cible, source,
               commentaire, indicateur_code, unite, territoire_code, annee_n,
               valeur_n, cible_n, valeur_pct, cible_pct, valeur_frac, cible_frac,
               valeur_bad, cible_bad, _no_result
        FROM numbers
        """,  # noqa: S608 - fixed fragments
    )
    where = engine.columns(parts, SPECS["indicateurs"])
    codes = one_row(conn, "SELECT count(*) FROM plan_indicateur(current_date)")
    example = str(
        scalar(conn, "SELECT code FROM plan_indicateur(current_date) ORDER BY ordre") or ""
    )
    rules: list[Rule] = [
        (
            "erreur",
            "code",
            "code IS NULL AND libelle IS NULL",
            "Code indicateur manquant.",
            "un code de la feuille Référentiel",
        ),
        (
            "erreur",
            "code",
            "indicateur_code IS NULL AND (code IS NOT NULL OR libelle IS NOT NULL)",
            "Code indicateur inconnu.",
            f"un des {codes[0] if codes else 0} codes de la feuille Référentiel (ex. « {example} »)",
        ),
        *engine.territory_rules(conn),
        ("erreur", "annee", "annee IS NULL", "Année manquante.", "une année sur quatre chiffres"),
        (
            "erreur",
            "annee",
            "annee IS NOT NULL AND annee_n IS NULL",
            "Année illisible.",
            "une année sur quatre chiffres, par exemple 2019",
        ),
        (
            "erreur",
            "annee",
            f"annee_n NOT BETWEEN {first_year} AND {last_year}",
            "Année hors limites.",
            years_expected(),
        ),
    ]
    for key, label in (("valeur", "Valeur"), ("cible", "Cible")):
        n = f"{key}_n"
        rules += [
            (
                "erreur",
                key,
                f"{key}_bad",
                f"{label} : ce n'est pas un nombre.",
                "un nombre (12 ; 12,5 ; 1 234 ; 45 %), ou vide, « n.c. », « ND », « - » s'il n'y a "
                "pas de valeur",
            ),
            (
                "erreur",
                key,
                f"{n} < 0 AND unite = 'nombre'",
                f"{label} : un effectif ne peut pas être négatif.",
                "un nombre positif ou nul",
            ),
            (
                "erreur",
                key,
                f"({n} < 0 OR {n} > 100) AND unite = '%'",
                f"{label} : un pourcentage doit être entre 0 et 100.",
                "un pourcentage entre 0 et 100",
            ),
            engine.fraction_rule(key, label, f"{key}_frac"),
            (
                "remarque",
                key,
                f"{key}_pct AND {n} IS NOT NULL AND unite <> '%'",
                f"{label} : cellule au format % pour un indicateur qui ne se mesure pas en % : "
                "lue comme elle s'affiche (0,12 au format % est lu 12). Vérifiez.",
                "un nombre sans format %",
            ),
        ]
    rules.append(
        engine.ignored(
            "valeur",
            "valeur_n IS NULL AND cible_n IS NULL AND indicateur_code IS NOT NULL "
            "AND NOT valeur_bad AND NOT cible_bad",
            "ni valeur ni cible",
        )
    )
    problems = engine.sheet_problems(
        conn,
        rules,
        where,
        "ptlcd_ind",
        "indicateur_code, territoire_code, annee_n",
        "mêmes indicateur, territoire et année",
    )
    return problems, parsed, diff(conn)


def diff(conn: Connection) -> pa.Table:
    """Each valid row of `ptlcd_ind` with the current value and the value after publishing.

    A row with a formula without result is left out: its values are unknown. Empty cells do not
    erase: a row with only a target keeps the value already recorded.
    Columns: feuille, ligne, indicateur_code, territoire_code, annee, etat ('créé', 'modifié',
    'inchangé', 'ignoré'), ancien_/nouveau_ valeur, cible, source, commentaire.
    """
    return engine.arrow(
        conn,
        f"""
        WITH f AS (
            SELECT * FROM ptlcd_ind
            WHERE indicateur_code IS NOT NULL AND territoire_code IS NOT NULL
              AND annee_n IS NOT NULL AND _no_result IS NULL
        ),
        cur AS (
            SELECT * FROM (
                SELECT v.indicateur_code, v.territoire_code, v.annee, v.valeur, v.cible,
                       v.source, v.commentaire, v.supprime
                FROM indicateur_valeur v
                SEMI JOIN f ON f.indicateur_code = v.indicateur_code
                           AND f.territoire_code = v.territoire_code AND f.annee_n = v.annee
                WHERE v.periode = 'A'
                {latest(["v.indicateur_code", "v.territoire_code", "v.annee"], BY_RECORDING, "v")}
            ) WHERE NOT supprime
        ),
        m AS (
            SELECT f.feuille, f.ligne, f.indicateur_code, f.territoire_code, f.annee_n AS annee,
                   c.indicateur_code IS NOT NULL AS existe,
                   f.valeur_n IS NULL AND f.cible_n IS NULL AS vide,
                   c.valeur AS ancien_valeur, c.cible AS ancien_cible,
                   c.source AS ancien_source, c.commentaire AS ancien_commentaire,
                   coalesce(f.valeur_n, c.valeur) AS nouveau_valeur,
                   coalesce(f.cible_n, c.cible) AS nouveau_cible,
                   coalesce(f.source, c.source) AS nouveau_source,
                   coalesce(f.commentaire, c.commentaire) AS nouveau_commentaire
            FROM f LEFT JOIN cur c
              ON c.indicateur_code = f.indicateur_code AND c.territoire_code = f.territoire_code
             AND c.annee = f.annee_n
        )
        SELECT feuille, ligne, indicateur_code, territoire_code,
               (SELECT libelle FROM plan_territoire(current_date) t WHERE t.code = m.territoire_code) AS territoire,
               annee,
               CASE WHEN vide THEN 'ignoré'
                    WHEN NOT existe THEN 'créé'
                    WHEN ancien_valeur IS NOT DISTINCT FROM nouveau_valeur
                     AND ancien_cible IS NOT DISTINCT FROM nouveau_cible
                     AND ancien_source IS NOT DISTINCT FROM nouveau_source
                     AND ancien_commentaire IS NOT DISTINCT FROM nouveau_commentaire
                    THEN 'inchangé' ELSE 'modifié' END AS etat,
               ancien_valeur, nouveau_valeur, ancien_cible, nouveau_cible,
               ancien_source, nouveau_source, ancien_commentaire, nouveau_commentaire
        FROM m
        """,  # noqa: S608 - identifiers from store.sql; values are bound
    )
