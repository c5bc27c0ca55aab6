"""Demonstration data: generated deterministically, marked `demo = true`, removable in one go.

Every history table has a `demo` column; this module finds them through the catalogue, so a new
history table is covered as soon as it has that column.
"""

from __future__ import annotations

from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

DEMO_LABEL = "démonstration"


def demo_tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns "
        "WHERE column_name = 'demo' AND table_schema = 'main' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def demo_counts(conn: Connection) -> dict[str, int]:
    """Demonstration records per table (tables with none are left out)."""
    counts = {}
    for table in demo_tables(conn):
        row = one_row(conn, f'SELECT count(*) FROM "{table}" WHERE demo')  # noqa: S608 - name from the catalogue
        if row and row[0]:
            counts[table] = int(row[0])
    return counts


def has_demo(conn: Connection) -> bool:
    """Any demonstration record? Stops at the first one found (cheap even on large tables)."""
    for table in demo_tables(conn):
        found = one_row(conn, f'SELECT 1 FROM "{table}" WHERE demo LIMIT 1')  # noqa: S608 - name from the catalogue
        if found:
            return True
    return False


def delete_demo(conn: Connection) -> dict[str, int]:
    """Delete every demonstration record; the caller holds the transaction."""
    counts = demo_counts(conn)
    for table in counts:
        conn.execute(f'DELETE FROM "{table}" WHERE demo')  # noqa: S608 - name from the catalogue
    return counts


def remove_demo(conn: Connection) -> dict[str, int]:
    """Delete every demonstration record, in one transaction. Returns what was deleted."""
    with transaction(conn):
        return delete_demo(conn)
