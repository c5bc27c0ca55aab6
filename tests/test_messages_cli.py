"""`messages add` and `messages list` on the command line (issue 23, item 6): rights, French
messages, exit codes, and the e-mail's result."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptlcd_data.cli import main
from tests.helpers import run_cli
from tests.helpers.apptest import add_account
from tests.helpers.smtp import HOST, smtp_server


def _run(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


@pytest.fixture
def accounts(db_path: Path) -> Path:
    add_account(db_path, "sec", "saisie", nom="Secrétariat du GOLD")
    add_account(db_path, "lec", "lecture")
    add_account(db_path, "mde", "porteur", nom="Maison de l'emploi", porteurs=("MDE",))
    add_account(db_path, "ville", "porteur", porteurs=("VILLE_NANTES",))
    return db_path


def test_a_porteur_writes_then_staff_answer_and_both_list(
    accounts: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PTLCD_SMTP_HOST", raising=False)
    monkeypatch.delenv("PTLCD_SMTP_FROM", raising=False)
    argv = ["messages", "add", "--action", "19", "--texte", "**Où** en est-on ?", "--user", "mde"]
    assert _run(accounts, *argv) == 0
    out = capsys.readouterr().out
    assert "Message n° 1 enregistré sur l'action n° 19." in out
    assert "Courriel : Aucune adresse de l'équipe (réglage PTLCD_SMTP_FROM vide)" in out

    monkeypatch.setenv("PTLCD_SMTP_FROM", "ptlcd@nantes.example")
    argv = ["messages", "add", "--action", "19", "--texte", "Réponse", "--user", "sec"]
    assert _run(accounts, *argv) == 0
    out = capsys.readouterr().out
    assert "Message n° 2 enregistré" in out
    assert "Le porteur MDE n'a pas d'adresse électronique" in out

    assert _run(accounts, "messages", "list", "--action", "19", "--user", "mde") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1\t") and lines[0].endswith(
        "\tMaison de l'emploi (porteur)\t**Où** en est-on ?"
    )
    assert lines[1].endswith("\tSecrétariat du GOLD (équipe du PTLCD)\tRéponse")
    assert lines[2] == "2 messages sur l'action n° 19."


def test_the_team_is_mailed_through_the_smtp_server(
    accounts: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (port, handler):
        for name, value in (
            ("PTLCD_SMTP_HOST", HOST),
            ("PTLCD_SMTP_PORT", str(port)),
            ("PTLCD_SMTP_TLS", "none"),
            ("PTLCD_SMTP_FROM", "PTLCD <ptlcd@nantes.example>"),
        ):
            monkeypatch.setenv(name, value)
        argv = ["messages", "add", "--action", "19", "--texte", "Bonjour", "--user", "mde"]
        assert _run(accounts, *argv) == 0
    out = capsys.readouterr().out
    assert f"Courriel : Envoyé à ptlcd@nantes.example par le serveur {HOST}:{port}." in out
    assert [r.rcpt_tos for r in handler.received] == [["ptlcd@nantes.example"]]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["add", "--action", "3", "--texte", "Bonjour", "--user", "mde"],
            "Action non autorisée : L'action n° 3 n'est pas portée par ce compte (MDE)",
        ),
        (
            ["list", "--action", "3", "--user", "mde"],
            "Action non autorisée : L'action n° 3 n'est pas portée par ce compte (MDE)",
        ),
        (
            ["add", "--action", "19", "--texte", "Bonjour", "--user", "lec"],
            "Action non autorisée : Votre rôle est « lecture » : cette action demande le rôle "
            "« porteur » ou plus.",
        ),
        (
            ["list", "--action", "19", "--user", "lec"],
            "Votre rôle est « lecture »",
        ),
        (
            ["add", "--action", "19", "--texte", "   ", "--user", "mde"],
            "Saisie refusée : Message vide",
        ),
        (
            ["add", "--action", "19", "--texte", "x" * 2001, "--user", "sec"],
            "Saisie refusée : Message trop long (2001 caractères) : 2000 au plus.",
        ),
    ],
    ids=["écrire ailleurs", "lire ailleurs", "lecteur écrit", "lecteur lit", "vide", "long"],
)
def test_what_an_account_may_not_do_exits_1_in_french(
    accounts: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert _run(accounts, "messages", *argv) == 1
    captured = capsys.readouterr()
    assert expected in captured.err
    assert "Traceback" not in captured.err and "Message n°" not in captured.out


def test_a_fresh_process_lists_without_user_as_the_command_line(accounts: Path) -> None:
    assert (
        _run(accounts, "messages", "add", "--action", "2", "--texte", "Note", "--user", "sec") == 0
    )
    done = run_cli("--db", str(accounts), "messages", "list", "--action", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 message sur l'action n° 2."
    usage = run_cli("--db", str(accounts), "messages", "add", "--action", "2")
    assert usage.returncode == 2 and "--texte" in usage.stderr
