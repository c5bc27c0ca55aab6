"""Query helpers every domain uses: one row read to the end, and the "latest record" shape.

Every history table is append-only. The record that counts for a key is its latest one:
follow-up records (status, engagement) by date d'effet, then by the moment they were recorded;
indicator values by the moment they were recorded. Ties go to the highest id. `latest()` writes
that rule once, as a `QUALIFY` clause, for every query that reads a history; `newest_first()`
lists a history in that same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

# Newest first: a follow-up record (it has a date d'effet) ...
BY_DATE_EFFET = ("date_effet", "enregistre_le", "id")
# ... and an indicator value (it counts from the moment it was recorded).
BY_RECORDING = ("enregistre_le", "id")


def newest_first(order: Sequence[str] = BY_DATE_EFFET, alias: str = "") -> str:
    """The `ORDER BY` terms putting the latest record first (`alias` prefixes each column)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{column} DESC" for column in order)


def is_latest(
    partition: Sequence[str], order: Sequence[str] = BY_DATE_EFFET, alias: str = ""
) -> str:
    """SQL expression, true on the latest record of each `partition` key by `order`.

    `alias` prefixes the ordering columns (`"v"` gives `v.enregistre_le`); partition columns are
    written as given. Identifiers only: every value stays a bound parameter.
    """
    newest = newest_first(order, alias)
    return f"row_number() OVER (PARTITION BY {', '.join(partition)} ORDER BY {newest}) = 1"


def latest(partition: Sequence[str], order: Sequence[str] = BY_DATE_EFFET, alias: str = "") -> str:
    """`QUALIFY` clause keeping only the latest record of each `partition` key."""
    return f"QUALIFY {is_latest(partition, order, alias)}"


def one_row(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> tuple[Any, ...] | None:
    """The first row, reading the whole result (DuckDB refuses new work on a half-read one)."""
    rows = conn.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def scalar(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
) -> Any:
    """The first column of the first row, or None."""
    row = one_row(conn, sql, params)
    return row[0] if row else None


def keep_listed(
    where: list[str],
    params: dict[str, Any],
    expression: str,
    name: str,
    values: Sequence[Any],
    sql_type: str,
) -> None:
    """Add to `where` "`expression` is one of `values`", bound as the list `$name`.

    Nothing is added for an empty `values`: an empty filter keeps every row.
    """
    if values:
        where.append(f"{expression} IN (SELECT unnest(${name}::{sql_type}[]))")
        params[name] = list(values)
