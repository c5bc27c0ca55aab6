"""Dépôts on the command line (issue 23): `import --user PORTEUR` deposits, `decision set` by a
porteur deposits, and `depots list | show | publish | return`, each refusing what the account
may not do with exit 1 and a French reason."""

from __future__ import annotations

import csv
import io
from datetime import date

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.cli import main
from ptlcd_data.decisions import records as decision_records
from tests.helpers import import_files as f

PASSWORD = "mot-de-passe-porteur-cli"


def _accounts(db) -> None:
    with store.connect(db) as conn:
        accounts.add_user(conn, SYSTEM, "mde", "MDE", "porteur", PASSWORD, porteurs=("MDE",))
        accounts.add_user(conn, SYSTEM, "sec", "Secrétariat", "saisie", PASSWORD)
        accounts.add_user(conn, SYSTEM, "lec", "Lecteur", "lecture", PASSWORD)


def _deposit(db, tmp_path, value: int = 12) -> None:
    path = tmp_path / f"mde-{value}.xlsx"
    path.write_bytes(f.indicateurs(["I4.2.b", "", "NM", 2025, value]))
    assert (
        main(["--db", str(db), "import", str(path), "--user", "mde", "--commentaire", "2025"]) == 0
    )


def test_a_porteur_import_is_deposited_and_publishes_nothing(db_path, tmp_path, capsys):
    _accounts(db_path)
    _deposit(db_path, tmp_path)
    out = capsys.readouterr().out
    assert "Dépôt n° 1 enregistré, à valider" in out
    with store.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM import_batch").fetchone() == (0,)


def test_list_show_publish_return_and_refusals(db_path, tmp_path, capsys):
    _accounts(db_path)
    _deposit(db_path, tmp_path, 12)
    capsys.readouterr()
    assert main(["--db", str(db_path), "depots", "list", "--etat", "a_valider"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("1\tMDE\t") and "à valider" in listed and "1 dépôt." in listed
    out = tmp_path / "depots.csv"
    assert main(["--db", str(db_path), "depots", "list", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "id", "porteur", "campagne", "depose_le", "depose_par", "etat", "lignes", "pieces", "motif",
    ]  # fmt: skip
    assert main(["--db", str(db_path), "depots", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "Valeur : — → 12" in shown and "Commentaire du porteur : 2025" in shown
    # Who may not: a porteur publishes or returns nothing; lecture neither.
    for login in ("mde", "lec"):
        assert main(["--db", str(db_path), "depots", "publish", "1", "--user", login]) == 1
        assert "rôle « saisie »" in capsys.readouterr().err
    assert (
        main(["--db", str(db_path), "depots", "return", "1", "--motif", " ", "--user", "sec"]) == 1
    )
    assert "obligatoire" in capsys.readouterr().err
    argv = ["--db", str(db_path), "depots", "return", "1", "--motif", "Source ?", "--user", "sec"]
    assert main(argv) == 0
    assert "Dépôt n° 1 renvoyé au porteur. Courriel :" in capsys.readouterr().out
    assert main(["--db", str(db_path), "depots", "publish", "1", "--user", "sec"]) == 1
    assert "n'est plus à valider" in capsys.readouterr().err
    _deposit(db_path, tmp_path, 13)
    assert main(["--db", str(db_path), "depots", "publish", "2", "--user", "sec"]) == 0
    assert "Dépôt n° 2 publié (lot n° 1)." in capsys.readouterr().out
    with store.connect(db_path) as conn:
        row = conn.execute("SELECT auteur, valide_par, depot_id FROM import_batch").fetchone()
    assert row == ("mde", "sec", 2)


def test_a_porteur_saying_a_decision_done_deposits_it(db_path, capsys):
    _accounts(db_path)
    with store.connect(db_path) as conn:
        seance = decision_records.open_seance(conn, SYSTEM, date.today(), titre="GOLD")
        decision = decision_records.add_decision(
            conn, SYSTEM, seance, texte="Envoyer le bilan", responsable="MDE", echeance=date.today()
        )
    argv = ["--db", str(db_path), "decision", "set", str(decision), "--etat", "faite"]
    assert main([*argv, "--user", "mde", "--commentaire", "Envoyé"]) == 0
    assert "Dépôt n° 1 enregistré, à valider" in capsys.readouterr().out
    with store.connect(db_path) as conn:
        etat = "SELECT etat FROM decision_etat WHERE decision_id = ? ORDER BY id DESC LIMIT 1"
        assert conn.execute(etat, [decision]).fetchone() == ("ouverte",)
    assert main(["--db", str(db_path), "depots", "publish", "1", "--user", "sec"]) == 0
    with store.connect(db_path) as conn:
        assert conn.execute(etat, [decision]).fetchone() == ("faite",)
