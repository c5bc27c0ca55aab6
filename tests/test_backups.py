"""Backups and restore against real files: interrupted copies, damaged bases, rotation."""

from __future__ import annotations

import subprocess
import sys

from ptlcd_data import store
from ptlcd_data.store import backups
from tests.helpers import ROOT
from tests.helpers.crash import kill_when_present


def _partials(db_path):
    return sorted(backups.backup_dir(db_path).glob("*.partiel*"))


def _copies(db_path):
    return sorted(backups.backup_dir(db_path).glob("auto-*.duckdb"))


def test_partial_files_of_killed_backups_are_removed_at_the_next_backup(db_path):
    for _ in range(3):
        left = kill_when_present(db_path, ["backup"], "sauvegardes/*.partiel")
        # Each backup, even one killed in turn, first removed what the earlier ones left.
        assert len(left) == 1 and _partials(db_path) == left
    with store.connect(db_path) as conn:
        made = backups.auto_backup(conn, db_path, "manuelle", keep=10)
    assert _partials(db_path) == []
    assert _copies(db_path) == [made]


def test_partial_files_never_count_as_backups_in_the_rotation(db_path):
    folder = backups.backup_dir(db_path)
    folder.mkdir()
    for i in range(3):  # as a killed copy leaves them: a name like a backup's, a few KB
        (folder / f"auto-20260101-00000{i}-000000-manuelle.duckdb.partiel").write_bytes(
            db_path.read_bytes()[:12_288]
        )
    made = []
    with store.connect(db_path) as conn:
        for _ in range(4):
            made.append(backups.auto_backup(conn, db_path, "test", keep=2))
    assert _copies(db_path) == made[-2:]
    assert _partials(db_path) == []


def test_a_partial_file_another_process_is_writing_is_kept(db_path):
    folder = backups.backup_dir(db_path)
    folder.mkdir()
    busy = folder / "auto-20260101-000000-000000-autre-base.duckdb.partiel"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "c = duckdb.connect()\n"
            f"c.execute(\"ATTACH '{busy}' AS copie\")\n"
            "print('prêt', flush=True)\n"
            "time.sleep(60)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "prêt"
        with store.connect(db_path) as conn:
            backups.auto_backup(conn, db_path, "test", keep=10)
        assert busy.exists()
    finally:
        holder.kill()
        holder.wait()
    with store.connect(db_path) as conn:
        backups.auto_backup(conn, db_path, "test", keep=10)
    assert not busy.exists()


def test_a_partial_file_this_process_is_writing_is_kept(db_path):
    folder = backups.backup_dir(db_path)
    folder.mkdir()
    running = folder / "auto-20260101-000000-000000-en-cours.duckdb.partiel"
    with backups.writing(running):
        running.write_bytes(b"")
        backups.remove_stale_partials(folder)
        assert running.exists()
    backups.remove_stale_partials(folder)
    assert not running.exists()
