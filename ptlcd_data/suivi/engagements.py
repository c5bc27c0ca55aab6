"""Questions about engagement: which territory is engaged in which action, at a date (`as_of`).

Same time travel as statuses: the level of a cell at `as_of` is its latest record with
`date_effet <= as_of`; NIVEAU_AUCUN where nothing is recorded. Actions and territories are the
plan's at `as_of` (plan/versions.py). Totals run in DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ptlcd_data.access.auth import author_name_sql
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import keep_listed, latest, newest_first
from ptlcd_data.vocabulary import NIVEAU_AUCUN, NIVEAUX_AFFICHES, NIVEAUX_ENGAGES


def engagement_history(conn: Connection, action_no: int, as_of: date) -> pd.DataFrame:
    """Every engagement record of an action with `date_effet <= as_of`, newest first.

    Columns: date_effet, territoire, niveau, commentaire, auteur, source, enregistre_le, demo.
    """
    return conn.execute(
        f"""
        SELECT e.date_effet, coalesce(t.libelle, e.territoire_code) AS territoire, e.niveau,
               e.commentaire, {author_name_sql("e.auteur")} AS auteur, e.source,
               e.enregistre_le, e.demo
        FROM engagement_record e LEFT JOIN plan_territoire($as_of) t ON t.code = e.territoire_code
        WHERE e.action_no = $no AND e.date_effet <= $as_of
        ORDER BY {newest_first(alias="e")}, t.ordre
        """,  # noqa: S608 - fixed fragments; values are bound
        {"no": action_no, "as_of": as_of},
    ).df()


def _cells_sql(
    as_of: date,
    axes: tuple[int, ...] = (),
    actions: tuple[int, ...] = (),
    territoires: tuple[str, ...] = (),
) -> tuple[str, dict[str, Any]]:
    """The SQL of `engagement_cells` (without its order) and its parameters: totals run on it in
    DuckDB, without bringing every cell into Python first."""
    where = ["TRUE"]
    params: dict[str, Any] = {"as_of": as_of, "aucun": NIVEAU_AUCUN}
    keep_listed(where, params, "x.axe_no", "axes", axes, "INTEGER")
    keep_listed(where, params, "x.action_no", "actions", actions, "INTEGER")
    keep_listed(where, params, "t.code", "territoires", territoires, "VARCHAR")
    sql = f"""
        WITH courant AS (
            SELECT * FROM engagement_record WHERE date_effet <= $as_of
            {latest(["action_no", "territoire_code"])}
        )
        SELECT x.action_no, x.axe_no, a.libelle AS axe, x.libelle AS action,
               t.code AS territoire_code, t.libelle AS territoire, t.ordre AS territoire_ordre,
               coalesce(c.niveau, $aucun) AS niveau, c.date_effet, c.commentaire, c.source
        FROM plan_action($as_of) x JOIN plan_axe($as_of) a ON a.axe_no = x.axe_no
        CROSS JOIN plan_territoire($as_of) t
        LEFT JOIN courant c ON c.action_no = x.action_no AND c.territoire_code = t.code
        WHERE {" AND ".join(where)}
    """  # noqa: S608 - fixed fragments only; values are bound
    return sql, params


def engagement_cells(
    conn: Connection,
    as_of: date,
    *,
    axes: tuple[int, ...] = (),
    actions: tuple[int, ...] = (),
    territoires: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Every action × territory cell as it stood at `as_of`; NIVEAU_AUCUN where nothing is recorded.

    `territoires` (codes) keeps only those territories; empty means all.

    Columns: action_no, axe_no, axe, action, territoire_code, territoire, territoire_ordre,
    niveau, date_effet, commentaire, source.
    """
    sql, params = _cells_sql(as_of, axes, actions, territoires)
    return conn.execute(sql + " ORDER BY x.action_no, t.ordre", params).df()


@dataclass(frozen=True)
class Grid:
    """The cells of `engagement_cells` as a grid: one row per action, one column per territory."""

    actions: list[tuple[int, str]]  # (number, wording), in the plan's order
    territoires: list[str]  # labels, in the plan's order
    niveaux: list[list[str]]  # the level of each cell, in words
    depuis: list[list[str]]  # its date d'effet as 31/12/2019, "—" when nothing is recorded


def matrix_grid(
    conn: Connection, as_of: date, *, axes: tuple[int, ...] = (), territoires: tuple[str, ...] = ()
) -> Grid:
    """The engagement matrix at `as_of`, laid out for drawing (see `engagement_cells` for the filters)."""
    return grid(engagement_cells(conn, as_of, axes=axes, territoires=territoires))


def grid(cells: pd.DataFrame) -> Grid:
    """`engagement_cells` (one row per action × territory) laid out as the engagement matrix."""
    territoires = cells.drop_duplicates("territoire_code").sort_values("territoire_ordre")
    actions = cells.drop_duplicates("action_no")
    columns = territoires["territoire_code"]
    niveaux = cells.pivot(index="action_no", columns="territoire_code", values="niveau")
    depuis = cells.assign(
        depuis=pd.to_datetime(cells["date_effet"]).dt.strftime("%d/%m/%Y").fillna("—")
    ).pivot(index="action_no", columns="territoire_code", values="depuis")
    order = actions["action_no"]
    return Grid(
        actions=[(int(n), str(a)) for n, a in zip(order, actions["action"], strict=True)],
        territoires=[str(t) for t in territoires["territoire"]],
        niveaux=niveaux.loc[order, columns].to_numpy(dtype=object).tolist(),
        depuis=depuis.loc[order, columns].to_numpy(dtype=object).tolist(),
    )


def engagement_matrix(
    conn: Connection,
    as_of: date,
    *,
    axes: tuple[int, ...] = (),
    territoires: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The actions × territories matrix in words (the downloadable table).

    Columns: action_no, axe, action, then one column per territory (its label, in plan order).
    """
    long = engagement_cells(conn, as_of, axes=axes, territoires=territoires)
    in_order = long.drop_duplicates("territoire_code").sort_values("territoire_ordre")
    head = long.drop_duplicates("action_no")[["action_no", "axe", "action"]]
    if long.empty:
        return head
    wide = long.pivot(index="action_no", columns="territoire", values="niveau")
    wide = wide[in_order["territoire"].tolist()].reset_index()
    wide.columns.name = None
    return head.merge(wide, on="action_no", how="left")


def engagement_by_territory(
    conn: Connection, as_of: date, *, axes: tuple[int, ...] = ()
) -> pd.DataFrame:
    """Per territory: number of actions at each level.

    Columns: territoire, one column per level (NIVEAUX_AFFICHES), engagees (Engagée or
    Réalisée), nb_actions.
    """
    levels = ", ".join(
        f"count(*) FILTER (WHERE niveau = '{n}') AS \"{n}\"" for n in NIVEAUX_AFFICHES
    )
    sql = f"""
        SELECT territoire, {levels},
               count(*) FILTER (WHERE niveau IN (SELECT unnest($engages::VARCHAR[]))) AS engagees,
               count(*) AS nb_actions
        FROM cells GROUP BY territoire, territoire_ordre ORDER BY territoire_ordre
    """  # noqa: S608 - column names from the fixed vocabulary
    cells, params = _cells_sql(as_of, axes)
    return conn.execute(
        f"WITH cells AS ({cells}) {sql}", {**params, "engages": list(NIVEAUX_ENGAGES)}
    ).df()


def engagement_by_axis(
    conn: Connection, as_of: date, *, axes: tuple[int, ...] = ()
) -> pd.DataFrame:
    """Per axis: how many of its actions each territory is engaged in (Engagée or Réalisée).

    Columns: axe_no, axe, nb_actions, then one column per territory (its label, in plan order).
    """
    cells, params = _cells_sql(as_of, axes)
    long = conn.execute(
        f"""
        WITH cells AS ({cells})
        SELECT axe_no, axe, territoire, territoire_ordre,
               count(DISTINCT action_no) AS nb_actions,
               count(*) FILTER (WHERE niveau IN (SELECT unnest($engages::VARCHAR[])))
                   AS engagees
        FROM cells GROUP BY ALL ORDER BY axe_no, territoire_ordre
        """,  # noqa: S608 - fixed fragments; values are bound
        {**params, "engages": list(NIVEAUX_ENGAGES)},
    ).df()
    if long.empty:
        return pd.DataFrame(columns=["axe_no", "axe", "nb_actions"])
    order = long.drop_duplicates("territoire").sort_values("territoire_ordre")["territoire"]
    wide = long.pivot(index=["axe_no", "axe"], columns="territoire", values="engagees")
    wide = wide[order.tolist()].reset_index()
    wide.columns.name = None
    counts = long.drop_duplicates("axe_no")[["axe_no", "nb_actions"]]
    return counts.merge(wide, on="axe_no")[["axe_no", "axe", "nb_actions", *order]]


def engagement_export(conn: Connection, as_of: date) -> pd.DataFrame:
    """One row per action and territory: action_no, territoire_code, territoire, niveau,
    date_effet, commentaire, source."""
    cells = engagement_cells(conn, as_of)
    return cells[
        [
            "action_no",
            "territoire_code",
            "territoire",
            "niveau",
            "date_effet",
            "commentaire",
            "source",
        ]
    ].reset_index(drop=True)


def engagement_matrix_file(
    conn: Connection, as_of: date, fmt: str, *, axes: tuple[int, ...] = ()
) -> bytes:
    """The complete matrix (every territory) as a CSV or XLSX file, for download."""
    from ptlcd_data import exports

    return exports.table_bytes(engagement_matrix(conn, as_of, axes=axes), fmt, sheet="Engagement")
