"""The only code that opens, migrates or copies the DuckDB file: connections, migrations, transactions.

Every write goes through `transaction()`, which also bumps the store's revision so that
caches in the app know the data changed (an import from the command line shows at once).
A file DuckDB cannot read (cut short, or altered on disk) is reported as one French error,
"Base de données illisible", naming the backups found and the `restore` command.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from ptlcd_data.errors import DatabaseBusyError, DatabaseDamagedError, PtlcdError
from ptlcd_data.store.sql import one_row, scalar

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Another process (an import from the command line) may hold the file for a few seconds;
# waiting this long before refusing covers a normal import without hanging a page.
LOCK_WAIT_SECONDS = 15.0
# A server route answering a remote client (API, open data, /healthz) waits this long for a base
# another program holds, then says « occupée » (503 with Retry-After) rather than keep one of the
# server's threads, shared with every other route, for LOCK_WAIT_SECONDS.
READ_WAIT_SECONDS = 2.0
# What DuckDB says when it cannot read its own file: cut short, or bytes changed on disk.
_DAMAGE_SIGNS = ("could not read enough bytes", "corrupt database file", "not a valid duckdb")
# Backups named in a damaged-base diagnosis (the most recent).
BACKUPS_LISTED = 5

Connection = duckdb.DuckDBPyConnection


def connect(
    path: Path | str, *, wait: float = LOCK_WAIT_SECONDS, check: bool = False
) -> Connection:
    """Open the database file (created if missing), waiting while another process holds it.

    With `check`, a file shorter than the blocks it declares is refused as damaged (see
    `check_complete`): for a process's first opening of the file (the command line, the app's
    start, a restore), not for the app's queries, which open it beside concurrent writers.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            conn = duckdb.connect(str(path))
            # Long writes (large demonstration, big imports) must not draw a bar on the console.
            conn.execute("SET enable_progress_bar = false")
            break
        except duckdb.IOException as exc:
            if is_damage(exc):
                raise damaged(path) from exc
            if "could not set lock" not in str(exc).lower():
                raise PtlcdError(
                    f"Impossible d'ouvrir la base « {path} » : vérifiez que le fichier et son "
                    "dossier sont accessibles en lecture et en écriture.",
                    "Base de données illisible",
                ) from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"La base « {path.name} » est utilisée par un autre programme "
                    "(un import en cours ?). Réessayez dans quelques instants."
                ) from exc
            time.sleep(0.05)
    if check:
        try:
            check_complete(conn, path)
        except BaseException:
            conn.close()
            raise
    return conn


def is_complete(conn: Connection, path: Path) -> bool:
    """False when the file holds fewer bytes than the blocks DuckDB counts in it.

    A truncated file (a copy or a disk cut short) still opens when its header and catalogue
    survive, and fails later on whichever table lies past the cut. Only meaningful with no write
    running in this process: a block being added is counted a moment before it is on disk. The
    file's three 4 KiB headers are left out of the count: a cut of a few kilobytes is found when
    the block is read (see `diagnosis`). Free blocks are left out too: a checkpoint cuts the
    free blocks at the end of the file off, while `total_blocks` still counts them, so a healthy
    base (after a few account changes, say) would be called damaged.
    """
    row = one_row(
        conn,
        "SELECT block_size, used_blocks FROM pragma_database_size() "
        "WHERE database_name = current_database()",
    )
    if row is None:
        return True
    return Path(path).stat().st_size >= int(row[0]) * int(row[1])


def check_complete(conn: Connection, path: Path) -> None:
    """DatabaseDamagedError (the French diagnosis) when the file is cut short."""
    if not is_complete(conn, path):
        raise damaged(path)


def is_damage(exc: BaseException) -> bool:
    """True when `exc` is DuckDB failing to read a database file's own bytes."""
    return isinstance(exc, duckdb.Error) and any(sign in str(exc).lower() for sign in _DAMAGE_SIGNS)


def diagnosis(exc: BaseException, path: Path) -> DatabaseDamagedError | None:
    """The French diagnosis for an error met while using the database at `path`, when DuckDB
    could not read its file; None for any other error."""
    if isinstance(exc, DatabaseDamagedError):
        return exc
    return damaged(path) if is_damage(exc) else None


def damaged(path: Path) -> DatabaseDamagedError:
    """The diagnosis "Base de données illisible": what happened, what to do, backups found."""
    from ptlcd_data import formats
    from ptlcd_data.store import backups  # imported here: backups imports this module

    path = Path(path)
    found = backups.found(path)
    if found:
        described = []
        for f in found[:BACKUPS_LISTED]:
            try:
                info = f.stat()
            except OSError:  # removed meanwhile (the rotation of automatic copies)
                continue
            described.append(
                f"{f} ({formats.timestamp(datetime.fromtimestamp(info.st_mtime))}, "
                f"{formats.number(info.st_size / 2**20, 1)}\u00a0Mo)"
            )
        listed = " ; ".join(described)
        more = len(found) - BACKUPS_LISTED
        backups_text = (
            f"Sauvegardes trouvées, la plus récente d'abord : {listed}"
            + (f" ; et {more} plus ancienne(s)" if more > 0 else "")
            + "."
        )
    else:
        backups_text = (
            f"Aucune sauvegarde dans « {backups.backup_dir(path)} » : restaurez une copie "
            "faite ailleurs (commande backup -o)."
        )
    older = backups.unsorted(path)
    if older:
        backups_text += (
            f" {len(older)} copie(s) d'une version précédente, faite(s) par l'une des bases de ce "
            f"dossier, se trouve(nt) dans « {backups.shared_dir(path)} »."
        )
    return DatabaseDamagedError(
        f"La base « {path} » est endommagée (fichier tronqué ou abîmé) : elle ne peut pas être "
        "lue. Remplacez-la par une sauvegarde avec la commande "
        "« python -m ptlcd_data restore FICHIER » : la base endommagée est mise de côté, "
        f"jamais effacée. {backups_text}"
    )


def _migration_files() -> list[tuple[int, Path]]:
    found = []
    for file in MIGRATIONS_DIR.glob("*.sql"):
        m = re.match(r"(\d+)_", file.name)
        if m:
            found.append((int(m[1]), file))
    return sorted(found)


def schema_version(conn: Connection) -> int:
    exists = one_row(
        conn,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'",
    )
    if not exists or exists[0] == 0:
        return 0
    row = one_row(conn, "SELECT coalesce(max(version), 0) FROM schema_migration")
    return int(row[0]) if row else 0


def pending_migrations(conn: Connection) -> list[int]:
    """The numbers of the migrations this file has not applied yet (empty: up to date)."""
    current = schema_version(conn)
    return [version for version, _ in _migration_files() if version > current]


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
    if applied and scalar(conn, "SELECT count(*) FROM meta WHERE cle = 'revision'"):
        # What the base answers may have changed with its schema: every cache keyed by the
        # revision (the pages', the API's ETag, the open-data package) must see a new one.
        conn.execute(
            "UPDATE meta SET valeur = CAST(CAST(valeur AS BIGINT) + 1 AS VARCHAR) "
            "WHERE cle = 'revision'"
        )
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


# A file changed less than this long ago does not vouch for the next change by its stamps: the
# file system dates a change with a coarse clock (a few milliseconds), so two writes close
# together could leave the same date and size.
STAMP_SETTLE_SECONDS = 2.0
# DuckDB's write-ahead logs beside the file: commits go to the first, or to the second while a
# checkpoint runs (moved over the first at its end); the third while a log is being replayed.
WAL_SUFFIXES = (".wal", ".checkpoint.wal", ".recovery.wal")


def change_stamp(path: Path | str) -> tuple[object, ...] | None:
    """What the file system says of the database file and its write-ahead logs (inode, size,
    dates), without opening it: every committed write changes it (DuckDB appends to the log at
    each commit, rewrites the file at a checkpoint, a restore puts another file in its place),
    reading leaves it as it is. The app compares it with the one it saw when it last read the
    revision, to read the revision again only after a change. None when a file changed less than
    STAMP_SETTLE_SECONDS ago, or cannot be looked at: then read the revision."""
    path = Path(path)
    now = time.time_ns()
    parts: list[object] = []
    for file in (path, *(path.with_name(path.name + suffix) for suffix in WAL_SUFFIXES)):
        try:
            st = os.stat(file)
        except FileNotFoundError:
            parts.append(None)
            continue
        except OSError:
            return None
        if now - max(st.st_mtime_ns, st.st_ctime_ns) < STAMP_SETTLE_SECONDS * 1e9:
            return None
        parts.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(parts)


def is_built(conn: Connection) -> bool:
    """True once the plan has been loaded into the store."""
    if schema_version(conn) == 0:
        return False
    row = one_row(conn, "SELECT count(*) FROM action")
    return bool(row and row[0] > 0)
