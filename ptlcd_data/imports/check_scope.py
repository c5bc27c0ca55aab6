"""Vérifier and Publier for a porteur account: rows about another porteur's action or indicator.

A porteur account imports only its own rows (its scope: `plan.porteurs.scope_of`, a value of
`access.scope`). In Vérifier, each row of the sheets Avancement and Engagement naming an action
its porteurs do not carry, and each row of the sheet Indicateurs naming an indicator they do not
supply, is an error naming the sheet, the row (as the spreadsheet numbers it) and the action or
indicator: the whole file is refused. Publier
checks the rows it is about to write once more, at write time. Rows that hold nothing to publish
(ignored by Vérifier, such as an untouched template row) are not refused.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ptlcd_data.access.scope import Scope
from ptlcd_data.classeurs.problems import error, format_problem
from ptlcd_data.store import Connection

# kind -> (field of the sheet naming the subject, column of its code in parsed rows and diffs,
# SQL type of that code, condition of a parsed row that says something).
SUBJECTS: dict[str, tuple[str, str, str, str]] = {
    "avancement": ("action", "action_no", "INTEGER", "NOT vide"),
    "engagement": ("action", "action_no", "INTEGER", "NOT vide"),
    "indicateurs": (
        "code",
        "indicateur_code",
        "VARCHAR",
        "NOT (valeur_n IS NULL AND cible_n IS NULL AND NOT valeur_bad AND NOT cible_bad)",
    ),
}
# Refusals quoted in Publier's message: the file's report (Vérifier) lists them all.
QUOTED_MAX = 3
EXPECTED = "une ligne sur les actions et indicateurs de ce compte, ou retirez cette ligne"


def _allowed(scope: Scope, kind: str) -> list[Any]:
    return sorted(scope.indicateurs) if kind == "indicateurs" else sorted(scope.actions)


def _outside(
    conn: Connection, scope: Scope, kind: str, table: pa.Table, condition: str, shown: str
) -> list[tuple[str, int, Any, Any]]:
    """(feuille, ligne, text shown, code) of the rows of `table` outside the scope."""
    _, key, sql_type, _ = SUBJECTS[kind]
    conn.register("ptlcd_scope", table)
    try:
        rows = conn.execute(
            f"SELECT feuille, ligne, {shown}, {key} FROM ptlcd_scope "  # noqa: S608 - fixed names
            f"WHERE {key} IS NOT NULL AND ({condition}) "
            f"AND {key} NOT IN (SELECT unnest(?::{sql_type}[])) ORDER BY feuille, ligne",
            [_allowed(scope, kind)],
        ).fetchall()
    finally:
        conn.unregister("ptlcd_scope")
    return [(str(f), int(ligne), value, code) for f, ligne, value, code in rows]


def _sentence(scope: Scope, kind: str, code: Any, said: dict[Any, str]) -> str:
    if code not in said:
        said[code] = (
            scope.indicator_refusal(str(code))
            if kind == "indicateurs"
            else scope.action_refusal(int(code))
        )
    return said[code]


def problems(
    conn: Connection,
    scope: Scope,
    kind: str,
    parsed: pa.Table,
    where: dict[str, dict[str, tuple[str, str]]],
) -> list[dict[str, Any]]:
    """Vérifier's errors for the parsed rows of one kind that lie outside `scope`."""
    field, _, _, condition = SUBJECTS[kind]
    shown = "coalesce(code, libelle)" if kind == "indicateurs" else field
    said: dict[Any, str] = {}
    out = []
    for feuille, ligne, value, code in _outside(conn, scope, kind, parsed, condition, shown):
        col_letter, header = where.get(feuille, {}).get(field, (None, None))
        message = _sentence(scope, kind, code, said)
        out.append(error(feuille, ligne, col_letter, header, value, message, EXPECTED))
    return out


def rows_outside(
    conn: Connection, scope: Scope, diffs: dict[str, pa.Table]
) -> list[tuple[str, str, int, Any]]:
    """(kind, feuille, ligne, code) of the rows to be written (any row of a diff that is not
    ignored) that lie outside `scope`, sheet by sheet."""
    out = []
    for kind, table in diffs.items():
        _, key, _, _ = SUBJECTS[kind]
        for feuille, ligne, _, code in _outside(conn, scope, kind, table, "etat <> 'ignoré'", key):
            out.append((kind, feuille, ligne, code))
    return out


def refusal(conn: Connection, scope: Scope, diffs: dict[str, pa.Table]) -> str | None:
    """Publier's check at write time: the French refusal when a row to be written lies outside
    `scope` (`rows_outside`); None when every row is the account's own."""
    found: list[dict[str, Any]] = []
    said: dict[Any, str] = {}
    for kind, feuille, ligne, code in rows_outside(conn, scope, diffs):
        message = _sentence(scope, kind, code, said)
        found.append(error(feuille, ligne, None, None, None, message))
    if not found:
        return None
    quoted = " ".join(format_problem(p) for p in found[:QUOTED_MAX])
    more = f" (et {len(found) - QUOTED_MAX} autre(s))" if len(found) > QUOTED_MAX else ""
    return (
        f"{len(found)} ligne(s) portent sur des actions ou indicateurs d'un autre porteur : rien "
        f"n'est publié. {quoted}{more}"
    )
