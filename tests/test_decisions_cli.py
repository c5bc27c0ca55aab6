"""`seance` and `decision` on the command line (issue 25, item 6): French messages, exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from ptlcd_data.cli import main
from tests.helpers import run_cli
from tests.helpers.apptest import add_account


def _run(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


@pytest.fixture
def seance(db_path: Path, capsys: pytest.CaptureFixture[str]) -> int:
    add_account(db_path, "sec", "saisie")
    add_account(db_path, "mde", "porteur", porteurs=("MDE",))
    add_account(db_path, "ville", "porteur", porteurs=("VILLE_NANTES",))
    assert _run(db_path, "seance", "add", "01/03/2024", "--titre", "GOLD", "--user", "sec") == 0
    return int(capsys.readouterr().out.strip())


def _add(db: Path, seance: int, capsys: pytest.CaptureFixture[str], *more: str) -> int:
    argv = ["decision", "add", "--seance", str(seance), "--user", "sec", *more]
    assert _run(db, *argv) == 0
    return int(capsys.readouterr().out.strip())


def test_add_set_and_list_with_time_travel(
    db_path: Path, seance: int, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    first = _add(
        db_path, seance, capsys, "--action", "12", "--texte", "Relancer les bailleurs",
        "--responsable", "MDE", "--echeance", "01/04/2024",
    )  # fmt: skip
    _add(
        db_path, seance, capsys, "--texte", "=1+1", "--responsable", "Mme Durand",
        "--echeance", "2024-12-31",
    )  # fmt: skip
    assert _run(db_path, "decision", "set", str(first), "--etat", "faite", "--user", "mde") == 0
    assert "faite" in capsys.readouterr().out

    out = tmp_path / "d.csv"
    assert _run(db_path, "decision", "list", "--format", "csv", "-o", str(out)) == 0
    assert "2 décision(s) écrite(s)" in capsys.readouterr().out
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig")
    assert list(table.columns) == [
        "id", "seance", "seance_date", "action_no", "indicateur", "texte", "responsable",
        "echeance", "etat", "en_retard", "modifie_le",
    ]  # fmt: skip
    assert "'=1+1" in set(table["texte"])  # never a live formula

    assert _run(db_path, "decision", "list", "--as-of", "2024-02-15") == 0
    assert capsys.readouterr().out.strip() == "0 décision(s)."  # before the séance
    assert _run(db_path, "decision", "list", "--as-of", "2024-05-01", "--en-retard") == 0
    listed = capsys.readouterr().out
    assert "Relancer les bailleurs" in listed and "ouverte (en retard)" in listed
    assert "1 décision(s)." in listed
    assert _run(db_path, "decision", "list", "--responsable", "MDE", "--etat", "faite") == 0
    assert "1 décision(s)." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("user", "etat", "message"),
    [
        ("ville", "faite", "ne marque que ses propres décisions"),
        ("mde", "abandonnee", "secrétariat"),
    ],
)
def test_porteur_refusals_exit_1_in_french(
    db_path: Path, seance: int, capsys: pytest.CaptureFixture[str], user: str, etat: str,
    message: str,
) -> None:  # fmt: skip
    decision = _add(
        db_path, seance, capsys, "--texte", "x", "--responsable", "MDE", "--echeance", "2024-05-01"
    )
    assert _run(db_path, "decision", "set", str(decision), "--etat", etat, "--user", user) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_porteur_cannot_open_a_seance(db_path: Path, seance: int, capsys) -> None:  # type: ignore[no-untyped-def]
    assert _run(db_path, "seance", "add", "2024-03-02", "--user", "mde") == 1
    assert "rôle « saisie »" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["seance", "add", "2024-03-01"],  # --user missing
        ["decision", "set", "1", "--etat", "finie", "--user", "sec"],
        ["decision", "add", "--seance", "1", "--action", "1", "--indicateur", "X", "--texte", "t",
         "--responsable", "r", "--echeance", "2024-05-01", "--user", "sec"],
        ["seance", "add", "31/02/2024", "--user", "sec"],
    ],
)  # fmt: skip
def test_usage_errors_exit_2(db_path: Path, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(db_path, *argv)
    assert exc.value.code == 2


def test_export_writes_a_docx_in_a_fresh_process(
    db_path: Path, seance: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _add(
        db_path, seance, capsys, "--action", "3", "--texte", "Reporter l'action 3 à 2027",
        "--responsable", "MDE", "--echeance", "2024-06-30",
    )  # fmt: skip
    out = tmp_path / "releve.docx"
    done = run_cli("--db", str(db_path), "seance", "export", str(seance), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Relevé de la séance" in done.stdout
    text = "\n".join(
        [p.text for p in Document(str(out)).paragraphs]
        + [c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells]
    )
    assert "Reporter l'action 3 à 2027" in text and "30/06/2024" in text
    refused = run_cli("--db", str(db_path), "seance", "export", "99", "-o", str(out))
    assert refused.returncode == 1 and "n° 99 n'existe pas" in refused.stderr
