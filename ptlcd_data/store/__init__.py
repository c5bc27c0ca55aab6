"""The only code that opens, migrates or copies the DuckDB file: connections, migrations, transactions.

Every write goes through `transaction()`, which also bumps the store's revision so that
caches in the app know the data changed (an import from the command line shows at once).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ptlcd_data.errors import DatabaseBusyError, PtlcdError
from ptlcd_data.store.sql import scalar

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Another process (an import from the command line) may hold the file for a few seconds;
# waiting this long before refusing covers a normal import without hanging a page.
LOCK_WAIT_SECONDS = 15.0

Connection = duckdb.DuckDBPyConnection


def connect(path: Path | str, *, wait: float = LOCK_WAIT_SECONDS) -> Connection:
    """Open the database file (created if missing), waiting while another process holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            conn = duckdb.connect(str(path))
            # Long writes (large demonstration, big imports) must not draw a bar on the console.
            conn.execute("SET enable_progress_bar = false")
            return conn
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise PtlcdError(
                    f"Impossible d'ouvrir la base « {path.name} » : fichier illisible ou "
                    "endommagé. Restaurez une sauvegarde.",
                    "Base de données illisible",
                ) from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"La base « {path.name} » est utilisée par un autre programme "
                    "(un import en cours ?). Réessayez dans quelques instants."
                ) from exc
            time.sleep(0.05)


def _migration_files() -> list[tuple[int, Path]]:
    found = []
    for file in MIGRATIONS_DIR.glob("*.sql"):
        m = re.match(r"(\d+)_", file.name)
        if m:
            found.append((int(m[1]), file))
    return sorted(found)


def schema_version(conn: Connection) -> int:
    exists = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Connection) -> list[int]:
    """Apply the migrations not yet applied, each in its own transaction. Returns their numbers."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration "
        "(version INTEGER PRIMARY KEY, nom VARCHAR NOT NULL, applique_le TIMESTAMP NOT NULL)"
    )
    current = schema_version(conn)
    applied = []
    for version, file in _migration_files():
        if version <= current:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(file.read_text(encoding="utf-8"))
            conn.execute(
                "INSERT INTO schema_migration VALUES (?, ?, current_localtimestamp())",
                [version, file.name],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """All or nothing: commits and bumps the revision on success, rolls back on any error."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
        conn.execute(
            "UPDATE meta SET valeur = CAST(CAST(valeur AS BIGINT) + 1 AS VARCHAR) "
            "WHERE cle = 'revision'"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def revision(conn: Connection) -> int:
    """A number that changes with every committed write: the app's cache key."""
    value = scalar(conn, "SELECT valeur FROM meta WHERE cle = 'revision'")
    return int(value) if value is not None else 0


def is_built(conn: Connection) -> bool:
    """True once the plan has been loaded into the store."""
    if schema_version(conn) == 0:
        return False
    row = conn.execute("SELECT count(*) FROM action").fetchone()
    return bool(row and row[0] > 0)
