"""The store: migrations, atomic writes, revision, first-run build."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.build import build, open_store
from ptlcd_data.settings import Settings
from tests.helpers import DATA_DIR


def test_migrations_are_applied_once(tmp_path):
    with store.connect(tmp_path / "m.duckdb") as conn:
        first = store.migrate(conn)
        assert first and first == sorted(first)
        assert store.migrate(conn) == []
        assert store.schema_version(conn) == first[-1]


def test_a_migration_gives_the_base_a_new_revision(tmp_path, monkeypatch):
    """What the base answers may change with its schema: the pages' caches, the API's ETag and
    the open-data package, all keyed by the revision, must not serve what they kept."""
    every = store._migration_files()
    monkeypatch.setattr(store, "_migration_files", lambda: every[:-1])
    with store.connect(tmp_path / "m.duckdb") as conn:
        store.migrate(conn)
        before = store.revision(conn)
        assert store.migrate(conn) == [] and store.revision(conn) == before  # nothing applied
        monkeypatch.setattr(store, "_migration_files", lambda: every)
        assert store.migrate(conn) == [every[-1][0]]
        assert store.revision(conn) == before + 1


def test_migration_0010_keeps_every_indicator_value_and_its_id(tmp_path, monkeypatch):
    """A store built before 0010 (values under a primary key) keeps its rows and ids."""
    every = store._migration_files()
    monkeypatch.setattr(store, "_migration_files", lambda: [m for m in every if m[0] < 10])
    with store.connect(tmp_path / "v9.duckdb") as conn:
        # Today's loader needs today's schema: the values of a base of that time are written as
        # that schema takes them (ids from its sequence), with gaps left by an undone record.
        store.migrate(conn)
        conn.executemany(
            "INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, valeur, "
            "auteur, enregistre_le, demo) VALUES (?, ?, ?, ?, 'demo', TIMESTAMP '2022-01-01', ?)",
            [(f"I{i % 7}", "NANTES", 2015 + i % 8, i * 1.5, i % 2 == 0) for i in range(60)],
        )
        conn.execute("DELETE FROM indicateur_valeur WHERE id % 9 = 0")
        before = conn.execute("SELECT * FROM indicateur_valeur ORDER BY id").fetchall()
        assert before and store.schema_version(conn) == 9
        monkeypatch.setattr(store, "_migration_files", lambda: every)
        assert store.migrate(conn) == [m[0] for m in every if m[0] >= 10]
        assert conn.execute("SELECT * FROM indicateur_valeur ORDER BY id").fetchall() == before
        conn.execute(
            "INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, auteur, "
            "enregistre_le) VALUES ('I1.1.a', 'NANTES', 2024, 'test', now())"
        )
        new_id = conn.execute("SELECT max(id) FROM indicateur_valeur").fetchone()[0]
        assert new_id == max(row[0] for row in before) + 1


def test_open_store_builds_on_first_run(tmp_path):
    settings = Settings(db_path=tmp_path / "sub" / "first.duckdb", data_dir=DATA_DIR)
    conn = open_store(settings)
    try:
        assert store.is_built(conn)
        assert conn.execute("SELECT count(*) FROM action").fetchone()[0] == 34
    finally:
        conn.close()
    assert settings.db_path.exists()


def test_transaction_rolls_back_everything_on_error(conn):
    before = store.revision(conn)
    with pytest.raises(RuntimeError):
        with store.transaction(conn):
            conn.execute("DELETE FROM action")
            raise RuntimeError("crash au milieu")
    assert conn.execute("SELECT count(*) FROM action").fetchone()[0] == 34
    assert store.revision(conn) == before


def test_each_committed_write_bumps_revision(conn):
    before = store.revision(conn)
    with store.transaction(conn):
        conn.execute("UPDATE action SET porteur = porteur")
    assert store.revision(conn) == before + 1


def test_init_is_idempotent(conn):
    tables = ["action", "objectif", "axe", "territoire", "indicateur", "action_territoire"]
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    build(conn, DATA_DIR, demo=False)
    build(conn, DATA_DIR, demo=False)
    assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables} == counts


def test_busy_database_is_refused_in_french(tmp_path):
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                c = duckdb.connect({str(path)!r})
                print('ready', flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        from ptlcd_data.errors import DatabaseBusyError

        with pytest.raises(DatabaseBusyError, match="utilisée par un autre programme"):
            store.connect(path, wait=0.3)
    finally:
        holder.kill()
        holder.wait()


def test_the_change_stamp_moves_with_every_committed_write_and_not_with_reads(
    tmp_path, monkeypatch
):
    """The app reads the revision again only when the stamp changed: a commit must change it
    (the log, then the file at the checkpoint of closing), a read must not."""
    path = tmp_path / "s.duckdb"
    with store.connect(path) as conn:
        store.migrate(conn)
    assert store.change_stamp(path) is None  # just written: too recent to vouch for anything
    monkeypatch.setattr(store, "STAMP_SETTLE_SECONDS", 0.0)
    before = store.change_stamp(path)
    assert before is not None
    with store.connect(path) as conn:
        store.revision(conn)
        conn.execute("SELECT count(*) FROM meta").fetchall()
        assert store.change_stamp(path) == before  # open and read: nothing moves
        with store.transaction(conn):
            conn.execute("UPDATE meta SET valeur = valeur WHERE cle = 'revision'")
        committed = store.change_stamp(path)
        assert committed != before  # in the write-ahead log at the commit, the base still open
    assert store.change_stamp(path) not in (before, committed)  # checkpointed at closing
    path.unlink()
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    assert store.change_stamp(path) == (None,) * 4  # no file, no log
