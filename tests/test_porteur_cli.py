"""The porteur role on the command line: `user add --role porteur --porteur`, `user role`,
`user list`, and `import --user` of a porteur account limited to its own rows."""

from __future__ import annotations

import io

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.cli import main
from tests.helpers import MINI_PLAN
from tests.helpers import import_files as f
from tests.helpers.databases import built

PASSWORD = "mot-de-passe-porteur"


def _user(db, *argv, password=PASSWORD, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["--db", str(db), "user", *argv])


def test_user_add_a_porteur_account_then_list_and_change_it(db_path, capsys, monkeypatch):
    argv = ["add", "mde", "--role", "porteur", "--porteur", "MDE,nm_egalite", "--password-stdin"]
    assert _user(db_path, *argv, monkeypatch=monkeypatch) == 0
    assert (
        "Compte « mde » créé (rôle porteur, porteur(s) MDE, NM_EGALITE)." in capsys.readouterr().out
    )
    assert _user(db_path, "list") == 0
    assert "mde\tporteur\tmde\tNM_EGALITE, MDE" in capsys.readouterr().out
    assert _user(db_path, "role", "mde", "--role", "porteur", "--porteur", "MDE") == 0
    assert "Rôle de « mde » : porteur, porteur(s) MDE." in capsys.readouterr().out
    assert _user(db_path, "role", "mde", "--role", "lecture") == 0
    assert _user(db_path, "list") == 0
    assert "mde\tlecture\tmde\t—" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--role", "porteur", "--porteur", "INCONNU"], "Porteur inconnu : INCONNU"),
        (["--role", "porteur"], "doit nommer le ou les porteurs"),
        (["--role", "saisie", "--porteur", "MDE"], "Seul un compte « porteur »"),
    ],
)
def test_user_add_refuses_bad_porteurs_with_exit_1(db_path, capsys, monkeypatch, argv, words):
    assert _user(db_path, "add", "x1", *argv, "--password-stdin", monkeypatch=monkeypatch) == 1
    assert words in capsys.readouterr().err
    with store.connect(db_path) as conn:
        assert accounts.count_users(conn) == 0


def _porteur(db, login, codes, monkeypatch):
    argv = ["add", login, "--role", "porteur", "--porteur", codes, "--password-stdin"]
    assert _user(db, *argv, monkeypatch=monkeypatch) == 0


def test_import_as_a_porteur_refuses_another_porteurs_rows(db_path, tmp_path, capsys, monkeypatch):
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    _porteur(db_path, "mde", "MDE", monkeypatch)
    path = tmp_path / "retour.xlsx"
    path.write_bytes(
        f.xlsx(
            {
                "Avancement": [f.AV_HEADER, [19, "01/06/2024", "En cours", 40, None]],
                "Engagement": [f.ENG_HEADER, [19, "Rezé", "Engagée"], [18, "Nantes", "Engagée"]],
            }
        )
    )
    with store.connect(db_path) as conn:
        before = f.state(conn)
    capsys.readouterr()
    assert main(["--db", str(db_path), "import", str(path), "--user", "mde"]) == 1
    err = capsys.readouterr().err
    assert (
        "Erreur — Engagement, ligne 3, colonne A (N° action) : « 18 » — L'action n° 18 est "
        "portée par Nantes Métropole — Mission égalité, Nantes Métropole — DEIS : ce compte "
        "(MDE) ne renseigne que ses propres actions (n° 19)."
    ) in err
    assert "Fichier refusé : 1 erreur(s), rien n'est publié." in err
    with store.connect(db_path) as conn:
        assert f.state(conn) == before
    # Without the other porteur's row, the same account publishes.
    path.write_bytes(
        f.xlsx({"Avancement": [f.AV_HEADER, [19, "01/06/2024", "En cours", 40, None]]})
    )
    assert main(["--db", str(db_path), "import", str(path), "--user", "mde"]) == 0
    assert "Lot n° 1 publié : 1 créé, 0 modifié" in capsys.readouterr().out
    with store.connect(db_path) as conn:
        assert conn.execute("SELECT auteur FROM import_batch").fetchall() == [("mde",)]


def test_import_as_a_porteur_on_the_mini_plan(tmp_path, capsys, monkeypatch):
    db = built(tmp_path / "mini.duckdb", MINI_PLAN)
    _porteur(db, "univ", "UNIV", monkeypatch)
    with store.connect(db) as conn:
        territoire = conn.execute("SELECT libelle FROM territoire ORDER BY ordre").fetchone()[0]
    path = tmp_path / "retour.xlsx"
    path.write_bytes(
        f.xlsx(
            {
                "Avancement": [f.AV_HEADER, [2, "01/06/2024", "En cours", 20, None]],
                "Indicateurs": [f.IND_HEADER, ["E1", "", territoire, 2024, 30]],
            }
        )
    )
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(path), "--user", "univ"]) == 1
    err = capsys.readouterr().err
    assert (
        "Indicateurs, ligne 2, colonne A (Code indicateur) : « E1 » — L'indicateur E1 est "
        "fourni par Maison de l'emploi : ce compte (UNIV) ne renseigne que les indicateurs "
        "qu'il fournit (aucun)."
    ) in err
    assert "Avancement" not in err  # its own action is not refused
