"""Backups and restore against real files: interrupted copies, damaged bases, rotation."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.cli import main
from ptlcd_data.store import backups
from tests.helpers import ROOT, apptest, run_cli
from tests.helpers.apptest import texts
from tests.helpers.crash import kill_when_present
from tests.helpers.damage import FRACTION_IDS, FRACTIONS, corrupt_second_half, truncate
from tests.helpers.scenarios import two_bases_in_one_folder


def _partials(db_path):
    return sorted(backups.backup_dir(db_path).glob("*.partiel*"))


def _copies(db_path):
    return sorted(backups.backup_dir(db_path).glob("auto-*.duckdb"))


def test_partial_files_of_killed_backups_are_removed_at_the_next_backup(db_path):
    for _ in range(3):
        left = kill_when_present(db_path, ["backup"], "sauvegardes/ptlcd/*.partiel")
        # Each backup, even one killed in turn, first removed what the earlier ones left.
        assert len(left) == 1 and _partials(db_path) == left
    with store.connect(db_path) as conn:
        made = backups.auto_backup(conn, db_path, "manuelle", keep=10)
    assert _partials(db_path) == []
    assert _copies(db_path) == [made]


def test_partial_files_never_count_as_backups_in_the_rotation(db_path):
    folder = backups.backup_dir(db_path)
    folder.mkdir(parents=True)
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
    folder.mkdir(parents=True)
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
    folder.mkdir(parents=True)
    running = folder / "auto-20260101-000000-000000-en-cours.duckdb.partiel"
    with backups.writing(running):
        running.write_bytes(b"")
        backups.remove_stale_partials(folder)
        assert running.exists()
    backups.remove_stale_partials(folder)
    assert not running.exists()


# --- damaged bases ----------------------------------------------------------------------------


@pytest.fixture
def cli_base(tmp_path):
    """A base built by the command line, with one automatic backup beside it and one elsewhere."""
    db = tmp_path / "var" / "ptlcd.duckdb"
    assert main(["--db", str(db), "init", "--no-demo"]) == 0
    assert main(["--db", str(db), "backup"]) == 0
    elsewhere = tmp_path / "copie.duckdb"
    assert main(["--db", str(db), "backup", "-o", str(elsewhere)]) == 0
    return db, elsewhere


@pytest.mark.parametrize("fraction", FRACTIONS, ids=FRACTION_IDS)
def test_a_damaged_base_is_diagnosed_in_french_with_the_backups_found(
    cli_base, fraction, tmp_path, capsys
):
    db, _ = cli_base
    [found] = _copies(db)
    truncate(db, fraction)
    capsys.readouterr()
    for argv in (
        ["history"],
        ["journal"],
        ["export", "all", "--format", "xlsx", "-o", str(tmp_path / "tout.xlsx")],
    ):
        assert main(["--db", str(db), *argv]) == 1, argv
        err = capsys.readouterr().err
        assert err.startswith("Base de données illisible : "), err
        assert "python -m ptlcd_data restore" in err and str(found) in err, err
        assert "Erreur inattendue" not in err and "IO Error" not in err, err


def test_a_damaged_base_without_backups_says_none_were_found(db_path, capsys):
    truncate(db_path, 0.5)
    assert main(["--db", str(db_path), "history"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Base de données illisible : ") and "Aucune sauvegarde" in err, err


@pytest.mark.parametrize("fraction", FRACTIONS, ids=FRACTION_IDS)
def test_restore_moves_a_damaged_base_aside_and_puts_the_backup_in(cli_base, fraction, capsys):
    db, elsewhere = cli_base
    left = truncate(db, fraction)
    capsys.readouterr()
    assert main(["--db", str(db), "restore", str(elsewhere)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    [moved] = sorted(db.parent.glob("ptlcd-endommagee-*.duckdb"))
    assert moved.read_bytes() == left  # moved aside as it was, never deleted
    assert f"mise de côté : {moved}" in out and "vérifiée" in out, out
    with store.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM action").fetchone()[0] == 34
        entry = journal.entries(conn).iloc[0]
        assert entry["operation"] == "restauration" and str(moved) in entry["nouveau"]
    assert _partials(db) == []
    assert not list(db.parent.glob("*.restauration"))
    assert main(["--db", str(db), "history"]) == 0


def test_restore_refuses_a_truncated_backup_and_changes_nothing(cli_base, capsys):
    db, elsewhere = cli_base
    truncate(elsewhere, 0.5)
    before = db.read_bytes()
    assert main(["--db", str(db), "restore", str(elsewhere)]) == 1
    assert "copie.duckdb" in capsys.readouterr().err
    assert db.read_bytes() == before


@pytest.mark.parametrize("fraction", FRACTIONS, ids=FRACTION_IDS)
def test_the_app_shows_the_same_diagnosis(app_env, fraction):
    with store.connect(app_env) as conn:
        found = backups.auto_backup(conn, app_env, "manuelle", keep=10)
    truncate(app_env, fraction)
    at = apptest.app().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at.error).replace("\\", "")  # escape_md's backslashes
    assert "Base de données illisible" in shown and "restore" in shown, shown
    assert found.name in shown, shown


def test_a_corrupted_base_of_the_right_size_is_diagnosed_too(cli_base, tmp_path, capsys):
    db, _ = cli_base
    corrupt_second_half(db)
    capsys.readouterr()
    # Commands that read the corrupted tables (one reading only intact blocks still works).
    for argv in (
        ["export", "all", "--format", "xlsx", "-o", str(tmp_path / "t.xlsx")],
        ["report", "--year", "2019", "-o", str(tmp_path / "s.pdf")],
    ):
        assert main(["--db", str(db), *argv]) == 1, argv
        err = capsys.readouterr().err
        assert err.startswith("Base de données illisible : ") and "restore" in err, err


def test_the_app_diagnoses_a_corrupted_base_of_the_right_size(app_env):
    with store.connect(app_env) as conn:
        backups.auto_backup(conn, app_env, "manuelle", keep=10)
    corrupt_second_half(app_env)
    at = apptest.app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Base de données illisible" in texts(at.error)


def test_a_restore_that_cannot_copy_the_backup_leaves_the_damaged_base_in_place(
    cli_base, monkeypatch
):
    db, elsewhere = cli_base
    left = truncate(db, 0.5)

    def disk_full(src, dst, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups.shutil, "copyfile", disk_full)
    assert main(["--db", str(db), "restore", str(elsewhere)]) == 1
    assert db.read_bytes() == left  # still there, as it was: nothing moved, nothing lost
    assert not list(db.parent.glob("*.restauration"))


def test_a_base_that_cannot_be_opened_for_another_reason_is_not_called_damaged(tmp_path):
    from ptlcd_data.errors import DatabaseDamagedError, PtlcdError

    folder = tmp_path / "ptlcd.duckdb"
    folder.mkdir()  # a folder where the file should be: nothing is damaged, restoring won't help
    with pytest.raises(PtlcdError) as refused:
        store.connect(folder)
    assert not isinstance(refused.value, DatabaseDamagedError)
    assert "accessibles en lecture et en écriture" in refused.value.message


# --- the revision after a restore ---------------------------------------------------------------


@pytest.mark.parametrize(
    "replaced, restored, now_ms, expected",
    [
        (12, 5, 0, 13),  # past the replaced base's revision, which the app has seen
        (3, 40, 0, 41),  # past the backup's own revision
        (None, 7, 1_765_000_000_000, 1_765_000_000_000),  # damaged base: the clock's count
        (1_765_000_000_900, 7, 1_765_000_000_000, 1_765_000_000_901),  # restored twice quickly
    ],
)
def test_a_restored_base_takes_a_revision_no_process_has_seen(replaced, restored, now_ms, expected):
    assert backups.fresh_revision(replaced, restored, now_ms) == expected


def test_restore_never_brings_back_a_revision_seen_before(db_path, tmp_path):
    """backup, then a write, then restore: the revision after the restore is none the base had
    (it was the backup's plus one, the very revision of the write it undoes)."""
    copy = tmp_path / "copie.duckdb"
    assert main(["--db", str(db_path), "backup", "-o", str(copy)]) == 0
    seen = set()
    with store.connect(db_path) as conn:
        seen.add(store.revision(conn))
        with store.transaction(conn):  # a write: the revision goes one up
            journal.log(conn, SYSTEM, "essai", "après la sauvegarde", None, None)
        seen.add(store.revision(conn))
    assert main(["--db", str(db_path), "restore", str(copy)]) == 0
    with store.connect(db_path) as conn:
        after = store.revision(conn)
    assert after not in seen and after > max(seen)


# --- two bases in one folder ----------------------------------------------------------------------


def test_two_bases_in_one_folder_keep_and_offer_only_their_own_copies(tmp_path, templates):
    """Seen: with PTLCD_BACKUPS_KEPT=2, two publications in b.duckdb deleted both automatic
    copies of a.duckdb, and a's damaged-base message offered b's copies."""
    a = templates.copy("plan", tmp_path / "a.duckdb")
    b = templates.copy("plan", tmp_path / "b.duckdb")
    seen = two_bases_in_one_folder(a, b, tmp_path, publications=3)
    assert len(seen.a_copies_made) == 2
    assert seen.a_copies_left == seen.a_copies_made  # b's rotation left them
    assert len(seen.b_copies_left) == 2 and all(
        "avant-publication" in p.name for p in seen.b_copies_left
    )
    assert all(str(copy) in seen.a_diagnosis for copy in seen.a_copies_made), seen.a_diagnosis
    assert "b.duckdb" not in seen.a_diagnosis
    assert str(backups.backup_dir(b)) not in seen.a_diagnosis


def test_copies_of_an_earlier_version_are_said_apart_and_never_pruned(db_path):
    """Copies lying directly in sauvegardes/ may come from any base of the folder."""
    older = backups.shared_dir(db_path) / "auto-20261101-120000-000000-manuelle.duckdb"
    older.parent.mkdir()
    shutil.copyfile(db_path, older)
    with store.connect(db_path) as conn:
        for _ in range(3):
            backups.auto_backup(conn, db_path, "test", keep=1)
    assert older.exists() and older not in backups.found(db_path)
    truncate(db_path, 0.5)
    message = store.damaged(db_path).message
    assert "1 copie(s) d'une version précédente" in message
    assert str(backups.shared_dir(db_path)) in message


def test_a_killed_backup_to_a_file_is_cleaned_up_by_the_next_one(db_path, tmp_path):
    """`backup -o FICHIER` killed on its way leaves FICHIER.partiel: the next `backup -o` in that
    folder removes it, and says so in French."""
    target = tmp_path / "copies" / "premiere.duckdb"
    [partial] = kill_when_present(db_path, ["backup", "-o", str(target)], "copies/*.partiel")
    assert partial.exists() and not target.exists()
    done = run_cli(
        "--db", str(db_path), "backup", "-o", str(tmp_path / "copies" / "seconde.duckdb")
    )
    assert done.returncode == 0, done.stderr
    assert f"Copie interrompue supprimée : {partial}" in done.stdout
    assert not list((tmp_path / "copies").glob("*.partiel*"))
