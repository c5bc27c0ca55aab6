"""Porteurs as data: data/porteurs.csv, plan.csv's `porteurs`, indicateurs.csv's `fournisseur`."""

from __future__ import annotations

import pytest

from ptlcd_data.access import auth, journal
from ptlcd_data.build import build
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.plan import porteurs, queries
from tests.helpers import DATA_DIR, run_cli


def _by_code(conn):
    return {r["code"]: r for r in porteurs.porteur_rows(conn)}


def test_the_seed_porteurs_carry_their_actions(conn):
    rows = _by_code(conn)
    assert rows["MDE"]["libelle"] == "Maison de l'emploi"
    assert all(r["email"] is None for r in rows.values())  # the seed names no address
    linked = conn.execute(
        "SELECT porteur_code FROM action_porteur WHERE action_no = 18 ORDER BY porteur_code"
    ).fetchall()
    assert [r[0] for r in linked] == ["NM_DEIS", "NM_EGALITE"]
    # Every porteur of the file is used, and the plan's free text is kept as written.
    assert all(r["nb_actions"] + r["nb_indicateurs"] > 0 for r in rows.values())
    assert queries.action_detail(conn, 19)["porteur"] == "Maison de l'emploi"
    assert queries.action_detail(conn, 18)["porteurs_libelles"] == (
        "Nantes Métropole — Mission égalité ; Nantes Métropole — DEIS"
    )


def test_indicators_name_their_supplier(conn):
    fournisseurs = dict(conn.execute("SELECT code, fournisseur FROM indicateur").fetchall())
    assert fournisseurs["I4.2.b"] == "MDE"
    assert fournisseurs["I4.1.a"] is None  # the plan's own team


def test_the_mini_plan_has_its_own_porteurs(mini_conn):
    rows = _by_code(mini_conn)
    assert list(rows) == ["AGGLO_EGALITE", "UNIV", "MDE"]
    assert rows["MDE"]["email"] == "contact@mde-villeneuve.example"
    assert rows["UNIV"]["email"] is None
    assert (rows["MDE"]["nb_actions"], rows["MDE"]["nb_indicateurs"]) == (1, 1)
    export = queries.plan_export(mini_conn).set_index("action_no")
    assert export.loc[1, "porteurs"] == "AGGLO_EGALITE"
    assert (
        export.loc[4, "porteurs"] is None or export.loc[4, "porteurs"] != export.loc[4, "porteurs"]
    )


def test_set_contact_is_journaled_and_survives_a_rebuild(conn):
    admin = auth.User("admin", "Admin", "admin")
    row = porteurs.set_contact(conn, admin, "MDE", email=" equipe@mde.example ", contact="Alex")
    assert (row["email"], row["contact"]) == ("equipe@mde.example", "Alex")
    entry = journal.entries(conn, operation="porteur").iloc[0]
    assert entry["objet"] == "porteur MDE"
    build(conn, DATA_DIR, demo=False)  # the file has no address: the recorded one stays
    assert _by_code(conn)["MDE"]["email"] == "equipe@mde.example"
    porteurs.set_contact(conn, admin, "MDE", email="")
    assert _by_code(conn)["MDE"]["email"] is None
    assert _by_code(conn)["MDE"]["contact"] == "Alex"


@pytest.mark.parametrize(
    ("user", "code", "email", "error", "message"),
    [
        (auth.User("l", "L", "saisie"), "MDE", "a@b.fr", PermissionDenied, "admin"),
        (None, "MDE", "a@b.fr", PermissionDenied, "pas connecté"),
        (auth.User("a", "A", "admin"), "INCONNU", "a@b.fr", InputError, "Porteur inconnu"),
        (auth.User("a", "A", "admin"), "MDE", "pas-une-adresse", InputError, "invalide"),
    ],
)
def test_set_contact_refusals_write_nothing(conn, user, code, email, error, message):
    with pytest.raises(error, match=message):
        porteurs.set_contact(conn, user, code, email=email)
    assert _by_code(conn)["MDE"]["email"] is None
    assert journal.entries(conn, operation="porteur").empty


def test_porteurs_command_line(db_path):
    listed = run_cli("--db", str(db_path), "porteurs", "list")
    assert listed.returncode == 0
    assert "MDE\tMaison de l'emploi\temploi\t—\t—\t1\t2" in listed.stdout
    assert "11 porteur(s)." in listed.stdout
    done = run_cli("--db", str(db_path), "porteurs", "set", "MDE", "--email", "a@mde.example")
    assert done.returncode == 0, done.stderr
    assert "adresse a@mde.example" in done.stdout
    refused = run_cli("--db", str(db_path), "porteurs", "set", "POLE", "--email", "a@b.fr")
    assert refused.returncode == 1
    assert "Porteur inconnu : POLE" in refused.stderr
    assert run_cli("--db", str(db_path), "porteurs", "set", "MDE").returncode == 1
