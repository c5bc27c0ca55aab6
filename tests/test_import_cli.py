"""`import`, `history`, `undo` and `template` on the command line, as IT staff script them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from python_calamine import CalamineWorkbook

from ptlcd_data import store
from ptlcd_data.cli import main
from tests.helpers import ROOT, crash
from tests.helpers import import_files as f


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.duckdb"
    assert main(["--db", str(path), "init", "--no-demo"]) == 0
    return path


def state(db):
    with store.connect(db) as conn:
        return f.state(conn)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_import_publishes_then_reimport_says_nothing_changes(db, tmp_path, capsys):
    path = write(tmp_path, "releve.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, "1 234,5"]))
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(path), "--user", "marie"]) == 0
    out = capsys.readouterr().out
    assert "Indicateurs, ligne 2 : I1.1.a · Nantes · 2019 · Valeur : — → 1\u202f234,5" in out
    assert "Lot n° 1 publié : 1 créé, 0 modifié, 0 inchangé, 0 ignoré." in out
    with store.connect(db) as conn:
        # No account is named "marie": the command line says who typed the name.
        who = "ligne de commande (marie)"
        assert conn.execute("SELECT auteur FROM import_batch").fetchall() == [(who,)]
        assert conn.execute("SELECT auteur FROM journal").fetchall() == [(who,)]
    before = state(db)
    assert main(["--db", str(db), "import", str(path)]) == 0
    assert "Rien à publier : le fichier ne change aucune valeur" in capsys.readouterr().out
    assert state(db) == before


def test_dry_run_shows_changes_and_writes_nothing(db, tmp_path, capsys):
    path = write(
        tmp_path, "releve.csv", f.csv_bytes([f.IND_HEADER, ["I1.1.a", "", "Rezé", "2019", "12"]])
    )
    before = state(db)
    assert main(["--db", str(db), "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "— → 12" in out
    assert "Simulation (1 créé, 0 modifié" in out and "rien n'a été publié" in out
    assert state(db) == before


def test_errors_exit_1_with_one_line_per_problem(db, tmp_path, capsys):
    path = write(
        tmp_path,
        "faux.xlsx",
        f.indicateurs(["I1.1.a", "", "Paris", 2019, 1], ["I1.1.a", "", "Nantes", 2019, "beaucoup"]),
    )
    before = state(db)
    assert main(["--db", str(db), "import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        "Erreur — Indicateurs, ligne 2, colonne C (Territoire) : « Paris » — Territoire inconnu."
        in err[0]
    )
    assert err[1].startswith("Erreur — Indicateurs, ligne 3, colonne E (Valeur) : « beaucoup »")
    assert err[-1] == "Fichier refusé : 2 erreur(s), rien n'est publié."
    assert state(db) == before


def test_a_dry_run_prints_one_line_per_group_of_duplicate_rows(db, tmp_path, capsys):
    """3,000 rows over 30 keys: 30 lines, each counting its group's rows (each row used to be a
    problem, and printing them was quadratic: 150,000 such rows took minutes)."""
    path = write(tmp_path, "doublons.csv", f.csv_bytes([f.IND_HEADER, *f.over_30_keys(3_000)]))
    assert main(["--db", str(db), "import", str(path), "--dry-run"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 31 and err[-1] == "Fichier refusé : 30 erreur(s), rien n'est publié."
    assert err[0] == (
        "Erreur — Indicateurs, ligne 2 : Ligne en double : mêmes indicateur, territoire et année "
        "sur 100 lignes (Indicateurs lignes 2, 32, 62, 92, 122 et 95 autres). Attendu : une "
        "seule ligne par indicateur, territoire, année."
    )
    assert all(" sur 100 lignes (Indicateurs lignes " in line for line in err[:30])


def test_unreadable_file_exits_1(db, tmp_path, capsys):
    path = write(tmp_path, "scan.xlsx", b"%PDF-1.4 faux tableur")
    assert main(["--db", str(db), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Fichier refusé" in err and "PDF" in err and "Traceback" not in err


def test_history_and_undo(db, tmp_path, capsys):
    path = write(tmp_path, "releve.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3]))
    assert main(["--db", str(db), "import", str(path)]) == 0
    assert main(["--db", str(db), "undo", "1", "--user", "admin-ville"]) == 0
    assert "Lot n° 1 annulé (lot d'annulation n° 2)." in capsys.readouterr().out
    assert main(["--db", str(db), "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0].startswith("lot 2 · ")
        and "ligne de commande (admin-ville) · annulation (annule le lot 1)" in lines[0]
    )
    assert lines[1].startswith("lot 1 · ") and "annulé" in lines[1] and "releve.xlsx" in lines[1]
    assert main(["--db", str(db), "undo", "1"]) == 1
    assert "déjà été annulé" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["import"], ["undo"], ["undo", "abc"], ["import", "x.xlsx", "--nimporte"], ["template"]],
)
def test_usage_errors_exit_2(argv, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ptlcd_data", "--db", str(tmp_path / "u.duckdb"), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "erreur" in proc.stderr


def test_template_xlsx_and_csv(db, tmp_path, capsys):
    out = tmp_path / "modele.xlsx"
    assert main(["--db", str(db), "template", str(out), "--annee", "2019"]) == 0
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == [
        "Indicateurs",
        "Avancement",
        "Engagement",
        "Référentiel",
        "Mode d'emploi",
    ]
    rows = wb.get_sheet_by_name("Indicateurs").to_python()
    assert rows[0] == f.IND_HEADER and rows[1][3] == 2019
    csv_out = tmp_path / "modele.csv"
    assert main(["--db", str(db), "template", str(csv_out)]) == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfCode indicateur;Indicateur;Territoire")
    assert main(["--db", str(db), "template", str(tmp_path / "modele.pdf")]) == 1
    assert ".xlsx ou .csv" in capsys.readouterr().err


def test_import_from_a_subprocess_like_a_cron_job(db, tmp_path):
    path = write(tmp_path, "releve.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3]))
    proc = subprocess.run(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), "import", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Lot n° 1 publié" in proc.stdout


def test_an_import_killed_while_reading_leaves_no_english_traceback(db, tmp_path):
    """The workbook reader outlives a killed importer: it must end quietly, not print a
    BrokenPipeError traceback on the terminal."""
    path = write(tmp_path, "long.xlsx", f.long_sheet(150_000))
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as err:
        importer = subprocess.Popen(
            [sys.executable, "-m", "ptlcd_data", "--db", str(db), "import", str(path)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        reading = crash.wait_for_grandchild(importer)
        # The reader has the file and is reading it (150 000 rows: about a second of work).
        crash.wait_until_busy(reading, cpu_seconds=0.2)
        importer.kill()
        importer.wait()
        crash.wait_until_gone(reading)  # an ended process has written all its last words
    text = errors.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Error" not in text, text


def _os_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def _journal(db) -> list[tuple[str, str, str]]:
    with store.connect(db) as conn:
        return conn.execute("SELECT auteur, role, operation FROM journal ORDER BY id").fetchall()


def test_user_without_an_account_is_recorded_as_the_command_line_never_as_admin(db, tmp_path):
    path = write(tmp_path, "releve.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3]))
    assert main(["--db", str(db), "import", str(path), "--user", "marie"]) == 0
    assert main(["--db", str(db), "undo", "1"]) == 0
    system = f"compte système {_os_user()}"
    assert _journal(db) == [
        ("ligne de commande (marie)", system, "import"),
        ("systeme", system, "annulation import"),
    ]


def test_user_naming_an_account_acts_with_that_accounts_role(db, tmp_path, capsys):
    from ptlcd_data.access import accounts
    from ptlcd_data.access.auth import SYSTEM

    with store.connect(db) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent", "saisie", "mot-de-passe-agent")
        accounts.add_user(conn, SYSTEM, "elu", "Élu", "lecture", "mot-de-passe-de-l-elu")
    path = write(tmp_path, "releve.xlsx", f.indicateurs(["I1.1.a", "", "Nantes", 2019, 3]))
    before = state(db)
    assert main(["--db", str(db), "import", str(path), "--user", "Elu"]) == 1
    assert "rôle est « lecture »" in capsys.readouterr().err
    assert state(db) == before
    assert main(["--db", str(db), "import", str(path), "--user", "agent"]) == 0
    assert main(["--db", str(db), "undo", "1", "--user", "agent"]) == 1  # undo needs admin
    assert "rôle est « saisie »" in capsys.readouterr().err
    with store.connect(db) as conn:
        assert conn.execute("SELECT auteur FROM import_batch").fetchall() == [("agent",)]
    assert _journal(db)[-1] == ("agent", "saisie", "import")


def test_a_far_cell_bomb_is_refused_in_one_french_line_without_the_readers_own_words(db, tmp_path):
    path = write(tmp_path, "bombe.xlsx", f.far_cell_bomb())
    proc = subprocess.run(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), "import", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    # Not the reading child's "memory allocation of 549755813888 bytes failed" (Rust, English).
    assert proc.stderr.splitlines() == [proc.stderr.strip()], proc.stderr
    assert proc.stderr.startswith("Fichier refusé : La lecture de « bombe.xlsx »"), proc.stderr
