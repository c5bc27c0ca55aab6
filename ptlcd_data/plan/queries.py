"""Questions about the plan itself, each a function named for the question.

Every function takes an open connection and returns a DataFrame whose columns are documented,
except the home page's questions (`axe_labels`, `territoire_labels`, `plan_shape`,
`actions_list`, used by other pages too): they return plain rows or labels, so that the first
page a visitor opens never imports pandas (0,8 s of the cold start on the benchmark machine, docs/benchmarks.md).
Values are always bound (`?`); nothing from a user is pasted into SQL.

Every question is asked of the plan as it stood at `as_of` (default: today), through the
`plan_<table>(d)` macros of migration 0013 (see `plan/versions.py`): a retired action is absent
from its retirement date on, a moved one sits in the objective it had that day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ptlcd_data import dates
from ptlcd_data.store import Connection

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]


Params = list[Any] | dict[str, Any]


def _df(conn: Connection, sql: str, params: Params | None = None) -> pd.DataFrame:
    return conn.execute(sql, params or []).df()


def _rows(conn: Connection, sql: str, params: Params | None = None) -> list[Row]:
    cursor = conn.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def plan_meta(conn: Connection) -> dict[str, str]:
    """Key → value of data/plan_meta.csv (nom, territoire, statut_document, date_plan)."""
    return dict(conn.execute("SELECT cle, valeur FROM plan_meta").fetchall())


def axe_labels(conn: Connection, as_of: date | None = None) -> dict[int, str]:
    """axe_no → libelle, in the plan's order."""
    return dict(
        conn.execute(
            "SELECT axe_no, libelle FROM plan_axe(?) ORDER BY axe_no", [dates.or_today(as_of)]
        ).fetchall()
    )


def territoire_labels(conn: Connection, as_of: date | None = None) -> dict[str, str]:
    """code → libelle, in the plan's order."""
    return dict(
        conn.execute(
            "SELECT code, libelle FROM plan_territoire(?) ORDER BY ordre, code",
            [dates.or_today(as_of)],
        ).fetchall()
    )


def objectifs(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """Columns: code, axe_no, libelle, domaine."""
    return _df(
        conn,
        "SELECT code, axe_no, libelle, domaine FROM plan_objectif(?) ORDER BY ordre, code",
        [dates.or_today(as_of)],
    )


def porteurs(conn: Connection, as_of: date | None = None) -> list[str]:
    """Distinct porteurs, sorted."""
    rows = conn.execute(
        "SELECT DISTINCT porteur FROM plan_action(?) WHERE porteur IS NOT NULL ORDER BY porteur",
        [dates.or_today(as_of)],
    ).fetchall()
    return [r[0] for r in rows]


def plan_shape(conn: Connection, as_of: date | None = None) -> list[Row]:
    """Actions per axis and objective, one row per objective in the plan's order.

    Keys: axe_no, axe, objectif_code, objectif, domaine, nb_actions, nb_indicateurs.
    """
    return _rows(
        conn,
        """
        WITH x AS (SELECT objectif_code, count(*) AS n FROM plan_action($d) GROUP BY ALL),
             i AS (SELECT objectif_code, count(*) AS n FROM plan_indicateur($d) GROUP BY ALL)
        SELECT o.axe_no, a.libelle AS axe, o.code AS objectif_code, o.libelle AS objectif,
               o.domaine, coalesce(x.n, 0) AS nb_actions, coalesce(i.n, 0) AS nb_indicateurs
        FROM plan_objectif($d) o JOIN plan_axe($d) a USING (axe_no)
        LEFT JOIN x ON x.objectif_code = o.code
        LEFT JOIN i ON i.objectif_code = o.code
        ORDER BY o.ordre, o.code
        """,
        {"d": dates.or_today(as_of)},
    )


def actions_list(
    conn: Connection,
    *,
    axes: list[int] | None = None,
    objectifs: list[str] | None = None,
    porteurs: list[str] | None = None,
    territoire: str | None = None,
    search: str | None = None,
    as_of: date | None = None,
) -> list[Row]:
    """The actions, filtered, by number. Every filter is optional; an empty list means no filter.

    `territoire` keeps actions whose plan document writes something in that territory's column.
    `search` looks, case- and accent-insensitively, in the wording, porteur and observations.
    Keys: action_no, axe_no, axe, objectif_code, objectif, action, porteur, calendrier,
    debut_prevu, fin_prevue, recurrente, territoires (codes, comma-separated).
    """
    where = ["TRUE"]
    # The five plan_…(?) of the query come first among its parameters.
    params: list[Any] = [dates.or_today(as_of)] * 5
    if axes:
        where.append("x.axe_no IN (SELECT unnest(?::INTEGER[]))")
        params.append(list(axes))
    if objectifs:
        where.append("x.objectif_code IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(objectifs))
    if porteurs:
        where.append("x.porteur IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(porteurs))
    if territoire:
        where.append(
            "EXISTS (SELECT 1 FROM plan_action_territoire(?) t "
            "WHERE t.action_no = x.action_no AND t.territoire_code = ?)"
        )
        params.extend([dates.or_today(as_of), territoire])
    if search and search.strip():
        where.append(
            "strip_accents(lower(concat_ws(' ', x.libelle, x.porteur, x.observations, "
            "CAST(x.action_no AS VARCHAR)))) LIKE '%' || strip_accents(lower(?)) || '%'"
        )
        params.append(search.strip())
    sql = f"""
        WITH tx AS (
            SELECT t.action_no, string_agg(t.territoire_code, ', ' ORDER BY tt.ordre) AS codes
            FROM plan_action_territoire(?) t JOIN plan_territoire(?) tt
              ON tt.code = t.territoire_code
            GROUP BY t.action_no
        )
        SELECT x.action_no, x.axe_no, a.libelle AS axe, x.objectif_code, o.libelle AS objectif,
               x.libelle AS action, x.porteur, x.calendrier, x.debut_prevu, x.fin_prevue,
               x.recurrente, tx.codes AS territoires
        FROM plan_action(?) x
        JOIN plan_axe(?) a ON a.axe_no = x.axe_no
        JOIN plan_objectif(?) o ON o.code = x.objectif_code
        LEFT JOIN tx ON tx.action_no = x.action_no
        WHERE {" AND ".join(where)}
        ORDER BY x.action_no
    """  # noqa: S608 - only fixed fragments are joined; values are bound
    return _rows(conn, sql, params)


def action_numbers(conn: Connection, as_of: date | None = None) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT action_no FROM plan_action(?) ORDER BY action_no", [dates.or_today(as_of)]
        ).fetchall()
    ]


_ACTION_DETAIL = """
    SELECT x.*, a.libelle AS axe, o.libelle AS objectif, o.domaine,
           (SELECT string_agg(p.libelle, ' ; ' ORDER BY p.ordre)
            FROM plan_action_porteur($d) ap JOIN plan_porteur($d) p
              ON p.code = ap.porteur_code
            WHERE ap.action_no = x.action_no) AS porteurs_libelles
    FROM plan_action($d) x JOIN plan_axe($d) a USING (axe_no)
    JOIN plan_objectif($d) o ON o.code = x.objectif_code
"""


def action_detail(
    conn: Connection, action_no: int, as_of: date | None = None
) -> dict[str, Any] | None:
    """Every field of one action, with its axis and objective labels and the names of the
    porteurs it is linked to (`porteurs_libelles`, None when none); None if unknown (or
    retired at `as_of`)."""
    rows = _rows(
        conn,
        _ACTION_DETAIL + "WHERE x.action_no = $no",
        {"d": dates.or_today(as_of), "no": action_no},
    )
    return rows[0] if rows else None


def action_details(conn: Connection, as_of: date | None = None) -> dict[int, dict[str, Any]]:
    """`action_detail` of every action of the plan at `as_of`, by number (the review steps
    through them all: one question instead of one per step)."""
    rows = _rows(conn, _ACTION_DETAIL, {"d": dates.or_today(as_of)})
    return {int(row["action_no"]): row for row in rows}


def action_territoires_plan(
    conn: Connection, action_no: int, as_of: date | None = None
) -> pd.DataFrame:
    """What the plan writes for each territory. Columns: code, territoire, texte (may be empty)."""
    return _df(
        conn,
        """
        SELECT t.code, t.libelle AS territoire, coalesce(pt.texte, '') AS texte
        FROM plan_territoire($d) t
        LEFT JOIN plan_action_territoire($d) pt
          ON pt.territoire_code = t.code AND pt.action_no = $no
        ORDER BY t.ordre, t.code
        """,
        {"d": dates.or_today(as_of), "no": action_no},
    )


def indicateurs_of_objectif(
    conn: Connection, objectif_code: str, as_of: date | None = None
) -> pd.DataFrame:
    """Columns: code, libelle, unite, sens."""
    return _df(
        conn,
        "SELECT code, libelle, unite, sens FROM plan_indicateur($d) WHERE objectif_code = $o "
        "ORDER BY ordre, code",
        {"d": dates.or_today(as_of), "o": objectif_code},
    )


def plan_export(conn: Connection, as_of: date | None = None) -> pd.DataFrame:
    """The plan as it stood at `as_of` (default: today), one row per action, with normalised
    dates and seed engagement texts."""
    params = {"d": dates.or_today(as_of)}
    base = _df(
        conn,
        """
        SELECT x.action_no, x.axe_no, a.libelle AS axe, x.objectif_code, o.libelle AS objectif,
               x.libelle AS action, x.porteur,
               (SELECT string_agg(ap.porteur_code, ';' ORDER BY p.ordre)
                FROM plan_action_porteur($d) ap JOIN plan_porteur($d) p
                  ON p.code = ap.porteur_code
                WHERE ap.action_no = x.action_no) AS porteurs,
               x.calendrier, x.calendrier_forme,
               x.debut_prevu, x.fin_prevue, x.recurrente, x.deja_engagee, x.observations,
               x.source_ocr
        FROM plan_action($d) x JOIN plan_axe($d) a USING (axe_no)
        JOIN plan_objectif($d) o ON o.code = x.objectif_code
        ORDER BY x.action_no
        """,
        params,
    )
    engagement = _df(
        conn,
        """
        SELECT x.action_no, 'engagement_' || t.code AS col, coalesce(pt.texte, '') AS texte, t.ordre
        FROM plan_action($d) x CROSS JOIN plan_territoire($d) t
        LEFT JOIN plan_action_territoire($d) pt
          ON pt.action_no = x.action_no AND pt.territoire_code = t.code
        """,
        params,
    )
    if engagement.empty:
        return base
    order = engagement.drop_duplicates("col").sort_values("ordre")["col"].tolist()
    wide = engagement.pivot(index="action_no", columns="col", values="texte")[order]
    return base.merge(wide.reset_index(), on="action_no", how="left")
