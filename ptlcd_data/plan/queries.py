"""Questions about the plan itself, each a function named for the question.

Every function takes an open connection and returns a DataFrame whose columns are documented,
except the home page's questions (`axe_labels`, `territoire_labels`, `plan_shape`,
`actions_list`, used by other pages too): they return plain rows or labels, so that the first
page a visitor opens never imports pandas (0,8 s of the cold start on the benchmark machine, docs/benchmarks.md).
Values are always bound (`?`); nothing from a user is pasted into SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ptlcd_data.store import Connection

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]


def _df(conn: Connection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return conn.execute(sql, params or []).df()


def _rows(conn: Connection, sql: str, params: list[Any] | None = None) -> list[Row]:
    cursor = conn.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def plan_meta(conn: Connection) -> dict[str, str]:
    """Key → value of data/plan_meta.csv (nom, territoire, statut_document, date_plan)."""
    return dict(conn.execute("SELECT cle, valeur FROM plan_meta").fetchall())


def axe_labels(conn: Connection) -> dict[int, str]:
    """axe_no → libelle, in the plan's order."""
    return dict(conn.execute("SELECT axe_no, libelle FROM axe ORDER BY axe_no").fetchall())


def territoire_labels(conn: Connection) -> dict[str, str]:
    """code → libelle, in the plan's order."""
    return dict(conn.execute("SELECT code, libelle FROM territoire ORDER BY ordre").fetchall())


def objectifs(conn: Connection) -> pd.DataFrame:
    """Columns: code, axe_no, libelle, domaine."""
    return _df(conn, "SELECT code, axe_no, libelle, domaine FROM objectif ORDER BY ordre")


def porteurs(conn: Connection) -> list[str]:
    """Distinct porteurs, sorted."""
    rows = conn.execute(
        "SELECT DISTINCT porteur FROM action WHERE porteur IS NOT NULL ORDER BY porteur"
    ).fetchall()
    return [r[0] for r in rows]


def plan_shape(conn: Connection) -> list[Row]:
    """Actions per axis and objective, one row per objective in the plan's order.

    Keys: axe_no, axe, objectif_code, objectif, domaine, nb_actions, nb_indicateurs.
    """
    return _rows(
        conn,
        """
        SELECT o.axe_no, a.libelle AS axe, o.code AS objectif_code, o.libelle AS objectif,
               o.domaine,
               (SELECT count(*) FROM action x WHERE x.objectif_code = o.code) AS nb_actions,
               (SELECT count(*) FROM indicateur i WHERE i.objectif_code = o.code) AS nb_indicateurs
        FROM objectif o JOIN axe a USING (axe_no)
        ORDER BY o.ordre
        """,
    )


def actions_list(
    conn: Connection,
    *,
    axes: list[int] | None = None,
    objectifs: list[str] | None = None,
    porteurs: list[str] | None = None,
    territoire: str | None = None,
    search: str | None = None,
) -> list[Row]:
    """The actions, filtered, by number. Every filter is optional; an empty list means no filter.

    `territoire` keeps actions whose plan document writes something in that territory's column.
    `search` looks, case- and accent-insensitively, in the wording, porteur and observations.
    Keys: action_no, axe_no, axe, objectif_code, objectif, action, porteur, calendrier,
    debut_prevu, fin_prevue, recurrente, territoires (codes, comma-separated).
    """
    where = ["TRUE"]
    params: list[Any] = []
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
            "EXISTS (SELECT 1 FROM action_territoire t "
            "WHERE t.action_no = x.action_no AND t.territoire_code = ?)"
        )
        params.append(territoire)
    if search and search.strip():
        where.append(
            "strip_accents(lower(concat_ws(' ', x.libelle, x.porteur, x.observations, "
            "CAST(x.action_no AS VARCHAR)))) LIKE '%' || strip_accents(lower(?)) || '%'"
        )
        params.append(search.strip())
    sql = f"""
        SELECT x.action_no, x.axe_no, a.libelle AS axe, x.objectif_code, o.libelle AS objectif,
               x.libelle AS action, x.porteur, x.calendrier, x.debut_prevu, x.fin_prevue,
               x.recurrente,
               (SELECT string_agg(t.territoire_code, ', ' ORDER BY tt.ordre)
                  FROM action_territoire t JOIN territoire tt ON tt.code = t.territoire_code
                 WHERE t.action_no = x.action_no) AS territoires
        FROM action x
        JOIN axe a ON a.axe_no = x.axe_no
        JOIN objectif o ON o.code = x.objectif_code
        WHERE {" AND ".join(where)}
        ORDER BY x.action_no
    """  # noqa: S608 - only fixed fragments are joined; values are bound
    return _rows(conn, sql, params)


def action_numbers(conn: Connection) -> list[int]:
    return [
        r[0] for r in conn.execute("SELECT action_no FROM action ORDER BY action_no").fetchall()
    ]


def action_detail(conn: Connection, action_no: int) -> dict[str, Any] | None:
    """Every field of one action, with its axis and objective labels and the names of the
    porteurs it is linked to (`porteurs_libelles`, None when none); None if unknown."""
    rows = _rows(
        conn,
        """
        SELECT x.*, a.libelle AS axe, o.libelle AS objectif, o.domaine,
               (SELECT string_agg(p.libelle, ' ; ' ORDER BY p.ordre)
                FROM action_porteur ap JOIN porteur p ON p.code = ap.porteur_code
                WHERE ap.action_no = x.action_no) AS porteurs_libelles
        FROM action x JOIN axe a USING (axe_no) JOIN objectif o ON o.code = x.objectif_code
        WHERE x.action_no = ?
        """,
        [action_no],
    )
    return rows[0] if rows else None


def action_territoires_plan(conn: Connection, action_no: int) -> pd.DataFrame:
    """What the plan writes for each territory. Columns: code, territoire, texte (may be empty)."""
    return _df(
        conn,
        """
        SELECT t.code, t.libelle AS territoire, coalesce(pt.texte, '') AS texte
        FROM territoire t
        LEFT JOIN action_territoire pt ON pt.territoire_code = t.code AND pt.action_no = ?
        ORDER BY t.ordre
        """,
        [action_no],
    )


def indicateurs_of_objectif(conn: Connection, objectif_code: str) -> pd.DataFrame:
    """Columns: code, libelle, unite, sens."""
    return _df(
        conn,
        "SELECT code, libelle, unite, sens FROM indicateur WHERE objectif_code = ? ORDER BY ordre",
        [objectif_code],
    )


def plan_export(conn: Connection) -> pd.DataFrame:
    """The plan as stored, one row per action, with normalised dates and seed engagement texts."""
    base = _df(
        conn,
        """
        SELECT x.action_no, x.axe_no, a.libelle AS axe, x.objectif_code, o.libelle AS objectif,
               x.libelle AS action, x.porteur,
               (SELECT string_agg(ap.porteur_code, ';' ORDER BY p.ordre)
                FROM action_porteur ap JOIN porteur p ON p.code = ap.porteur_code
                WHERE ap.action_no = x.action_no) AS porteurs,
               x.calendrier, x.calendrier_forme,
               x.debut_prevu, x.fin_prevue, x.recurrente, x.deja_engagee, x.observations,
               x.source_ocr
        FROM action x JOIN axe a USING (axe_no) JOIN objectif o ON o.code = x.objectif_code
        ORDER BY x.action_no
        """,
    )
    engagement = _df(
        conn,
        """
        SELECT x.action_no, 'engagement_' || t.code AS col, coalesce(pt.texte, '') AS texte, t.ordre
        FROM action x CROSS JOIN territoire t
        LEFT JOIN action_territoire pt ON pt.action_no = x.action_no AND pt.territoire_code = t.code
        """,
    )
    if engagement.empty:
        return base
    order = engagement.drop_duplicates("col").sort_values("ordre")["col"].tolist()
    wide = engagement.pivot(index="action_no", columns="col", values="texte")[order]
    return base.merge(wide.reset_index(), on="action_no", how="left")
