"""The `porteur` role: accounts that speak for porteurs, and writes limited to their own actions
and indicators, refused in the data layer (review records, indicator values, imports)."""

from __future__ import annotations

from datetime import date

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts, journal, roles_config
from ptlcd_data.access.auth import ROLES, SYSTEM, User
from ptlcd_data.errors import InputError, PermissionDenied, PtlcdError
from ptlcd_data.imports import batches, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.indicateurs.valeurs import ValueRow
from ptlcd_data.plan import porteurs
from ptlcd_data.suivi import porteur_actions, saisie, status_queries
from tests.helpers import import_files as f

TODAY = date(2026, 11, 30)
PASSWORD = "mot-de-passe-porteur"
# In the real plan: MDE carries action 19 and supplies I4.2.b and I4.2.c; the Mission égalité
# (NM_EGALITE) carries actions 1, 3, 6 and 18 and supplies I1.1.a and I1.1.b.
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))
SAISIE = User("mme.a", "Mme A", "saisie")


def _written(conn: store.Connection) -> dict[str, int]:
    return f.state(conn)


@pytest.mark.parametrize(
    ("role", "lecture", "porteur", "saisie", "admin"),
    [
        ("lecture", True, False, False, False),
        ("porteur", True, True, False, False),
        ("saisie", True, True, True, False),
        ("admin", True, True, True, True),
    ],
)
def test_porteur_sits_between_lecture_and_saisie(role, lecture, porteur, saisie, admin):
    user = User("x", "X", role)
    assert [user.can(r) for r in ROLES] == [lecture, porteur, saisie, admin]


# --- accounts ---------------------------------------------------------------------------------


def test_a_porteur_account_keeps_its_codes_and_lists_them(conn):
    created = accounts.add_user(
        conn, SYSTEM, "mde", "MDE", "porteur", PASSWORD, porteurs=["mde", "NM_EGALITE"]
    )
    assert created.porteurs == ("MDE", "NM_EGALITE")  # codes matched whatever their case
    user = accounts.get_user(conn, "mde")
    assert user is not None and user.role == "porteur"
    assert user.porteurs == ("NM_EGALITE", "MDE")  # in the plan's order
    assert accounts.authenticate(conn, "mde", PASSWORD).porteurs == ("NM_EGALITE", "MDE")
    listed = accounts.list_users(conn).set_index("login")
    assert listed.loc["mde", "porteurs"] == "NM_EGALITE, MDE"
    entry = journal.entries(conn, operation="compte créé").iloc[0]
    assert "NM_EGALITE" in entry["nouveau"]

    accounts.set_role(conn, SYSTEM, "mde", "porteur", porteurs=["MDE"])
    assert accounts.get_user(conn, "mde").porteurs == ("MDE",)
    accounts.set_role(conn, SYSTEM, "mde", "porteur")  # no codes given: kept
    assert accounts.get_user(conn, "mde").porteurs == ("MDE",)
    accounts.set_role(conn, SYSTEM, "mde", "saisie")  # another role has none
    assert accounts.get_user(conn, "mde").porteurs == ()
    assert accounts.list_users(conn).set_index("login").loc["mde", "porteurs"] == ""


@pytest.mark.parametrize(
    ("role", "codes", "words"),
    [
        ("porteur", [], "doit nommer le ou les porteurs"),
        ("porteur", ["MDE", "INCONNU"], "Porteur inconnu : INCONNU"),
        ("saisie", ["MDE"], "Seul un compte « porteur »"),
    ],
)
def test_bad_porteur_accounts_are_refused_in_french_and_write_nothing(conn, role, codes, words):
    before = (accounts.count_users(conn), len(journal.entries(conn)))
    with pytest.raises(InputError, match=words):
        accounts.add_user(conn, SYSTEM, "mde", "MDE", role, PASSWORD, porteurs=codes)
    assert (accounts.count_users(conn), len(journal.entries(conn))) == before
    assert conn.execute("SELECT count(*) FROM compte_porteur").fetchone() == (0,)


def test_changing_to_the_porteur_role_needs_codes(conn):
    accounts.add_user(conn, SYSTEM, "agent", "Agent", "lecture", PASSWORD)
    with pytest.raises(InputError, match="doit nommer"):
        accounts.set_role(conn, SYSTEM, "agent", "porteur")
    assert accounts.get_user(conn, "agent").role == "lecture"


def test_removing_an_account_forgets_its_porteurs(conn):
    accounts.add_user(conn, SYSTEM, "mde", "MDE", "porteur", PASSWORD, porteurs=["MDE"])
    accounts.remove_user(conn, SYSTEM, "mde")
    assert conn.execute("SELECT count(*) FROM compte_porteur").fetchone() == (0,)


# --- review records and indicator values ------------------------------------------------------


def test_a_porteur_records_its_own_action(conn):
    written = saisie.enregistrer_revue(
        conn,
        MDE,
        19,
        statut="En cours",
        avancement=40,
        commentaire="Deux sessions faites",
        engagements={"REZE": "Engagée"},
        today=TODAY,
    )
    assert written == {"statut": 1, "engagements": 1}
    state = status_queries.action_state(conn, 19, TODAY)
    assert (state["statut"], state["avancement"], state["commentaire"]) == (
        "En cours",
        40,
        "Deux sessions faites",
    )
    assert journal.entries(conn, operation="revue").iloc[0]["auteur"] == "mde"


@pytest.mark.parametrize(
    "fields",
    [
        {"statut": "Réalisé"},
        {"commentaire": "Pas la mienne"},
        {"engagements": {"NANTES": "Engagée"}},
    ],
)
def test_another_porteurs_action_is_refused_naming_it_and_nothing_is_written(conn, fields):
    before = _written(conn)
    with pytest.raises(PermissionDenied) as refused:
        saisie.enregistrer_revue(conn, MDE, 18, today=TODAY, **fields)
    message = refused.value.message
    assert "L'action n° 18 est portée par Nantes Métropole — Mission égalité" in message
    assert "(MDE)" in message and "n° 19" in message
    assert _written(conn) == before


def test_staff_still_record_any_action_and_readers_none(conn):
    assert saisie.enregistrer_revue(conn, SAISIE, 18, statut="En cours", today=TODAY)["statut"]
    with pytest.raises(PermissionDenied, match="rôle « porteur » ou plus"):
        saisie.enregistrer_revue(
            conn, User("m.b", "M. B", "lecture"), 19, statut="En cours", today=TODAY
        )


def test_a_porteur_without_porteurs_records_nothing(conn):
    nobody = User("vide", "Vide", "porteur")
    with pytest.raises(PermissionDenied, match="aucun porteur"):
        saisie.enregistrer_revue(conn, nobody, 19, statut="En cours", today=TODAY)


def test_a_porteur_records_the_values_it_supplies_only(conn):
    assert valeurs.record_values(conn, MDE, [ValueRow("I4.2.b", "NM", 2025, 12.0)]) == 1
    before = _written(conn)
    with pytest.raises(PermissionDenied) as refused:
        valeurs.record_values(
            conn,
            MDE,
            [ValueRow("I4.2.c", "NM", 2025, 3.0), ValueRow("I1.1.a", "NM", 2025, 5.0)],
        )
    assert "L'indicateur I1.1.a est fourni par Nantes Métropole — Mission égalité" in str(
        refused.value
    )
    with pytest.raises(PermissionDenied, match="L'indicateur I4.1.a est fourni par l'équipe"):
        valeurs.record_values(conn, MDE, [ValueRow("I4.1.a", "NM", 2025, 5.0)])
    assert _written(conn) == before  # not even I4.2.c, given in the same call
    # Staff keep every indicator.
    assert valeurs.record_values(conn, SAISIE, [ValueRow("I1.1.a", "NM", 2025, 5.0)]) == 1


def test_the_scope_is_the_plans(conn):
    limits = porteurs.scope_of(conn, MDE)
    assert limits is not None
    assert (limits.actions, limits.indicateurs) == (
        frozenset({19}),
        frozenset({"I4.2.b", "I4.2.c"}),
    )
    assert porteurs.scope_of(conn, SAISIE) is None


def test_the_mini_plan_scopes_its_own_porteurs(mini_conn):
    univ = User("univ", "Université", "porteur", porteurs=("UNIV",))
    saisie.enregistrer_revue(mini_conn, univ, 2, statut="En cours", today=TODAY)
    with pytest.raises(PermissionDenied, match="L'action n° 1 est portée par Agglo"):
        saisie.enregistrer_revue(mini_conn, univ, 1, statut="En cours", today=TODAY)
    with pytest.raises(
        PermissionDenied, match="L'action n° 4 n'est portée par aucun porteur désigné"
    ):
        saisie.enregistrer_revue(mini_conn, univ, 4, statut="En cours", today=TODAY)
    mde = User("mde", "MDE", "porteur", porteurs=("MDE",))
    territoire = mini_conn.execute("SELECT code FROM territoire ORDER BY ordre").fetchone()[0]
    last_year = date.today().year - 1  # the year expected today
    assert valeurs.record_values(mini_conn, mde, [ValueRow("E1", territoire, last_year, 50.0)]) == 1
    with pytest.raises(PermissionDenied, match="L'indicateur M1 est fourni par Agglo"):
        valeurs.record_values(mini_conn, univ, [ValueRow("M1", territoire, 2025, 1.0)])
    actions = porteur_actions.porteur_actions(mini_conn, ("UNIV",), TODAY)
    assert actions["action_no"].tolist() == [2]
    assert actions.iloc[0]["statut"] == "En cours"
    indicators = porteur_actions.porteur_indicators(mini_conn, ("MDE",), date.today())
    shown = indicators[["code", "annee_attendue", "derniere_valeur", "derniere_annee"]]
    assert shown.values.tolist() == [["E1", last_year, "50\u00a0%", last_year]]
    assert bool(indicators.iloc[0]["fourni"])
    assert porteur_actions.porteur_indicators(mini_conn, ("UNIV",), TODAY).empty


def test_a_porteurs_actions_and_indicators_on_the_demo_data(demo_conn):
    actions = porteur_actions.porteur_actions(demo_conn, ("NM_EGALITE",), date(2022, 12, 31))
    assert actions["action_no"].tolist() == [1, 3, 6, 18]
    expected = status_queries.action_state(demo_conn, 18, date(2022, 12, 31))
    row = actions.set_index("action_no").loc[18]
    assert row["statut"] == expected["statut"]
    assert row["date_dernier"].date() == expected["date_dernier"]
    indicators = porteur_actions.porteur_indicators(demo_conn, ("NM_EGALITE",), date(2022, 12, 31))
    assert indicators["code"].tolist() == ["I1.1.a", "I1.1.b"]
    assert set(indicators["annee_attendue"]) == {2021}
    assert porteur_actions.porteur_actions(demo_conn, (), date(2022, 12, 31)).empty


# --- imports ----------------------------------------------------------------------------------

OTHERS = {
    "Avancement": [
        f.AV_HEADER,
        [19, "01/06/2024", "En cours", 40, "ok"],
        [1, "01/06/2024", "En cours", 10, "pas la mienne"],
        [6, None, None, None, None],  # an untouched template row: ignored, not refused
    ],
    "Engagement": [f.ENG_HEADER, [19, "Rezé", "Engagée"], [3, "Nantes", "Engagée"]],
    "Indicateurs": [
        f.IND_HEADER,
        ["I4.2.b", "", "Nantes", 2023, "12"],
        ["I1.1.a", "", "Nantes", 2023, "5"],
    ],
}
OWN = {sheet: rows[:2] for sheet, rows in OTHERS.items()}


def test_vérifier_refuses_rows_of_another_porteur_naming_sheet_row_and_action(conn):
    check = verify.check_file(conn, f.xlsx(OTHERS), "retour.xlsx", user=MDE)
    assert not check.ok
    errors = check.errors
    assert errors[["feuille", "ligne", "colonne", "valeur"]].values.tolist() == [
        ["Avancement", 3, "A", "1"],
        ["Engagement", 3, "A", "3"],
        ["Indicateurs", 3, "A", "I1.1.a"],
    ]
    messages = errors["message"].tolist()
    assert messages[0].startswith("L'action n° 1 est portée par Nantes Métropole")
    assert messages[2].startswith("L'indicateur I1.1.a est fourni par")
    before = _written(conn)
    with pytest.raises(PermissionDenied, match="Avancement, ligne 3"):
        batches.publish(conn, MDE, check)
    assert _written(conn) == before
    # The same file checked for staff has no such problem.
    assert verify.check_file(conn, f.xlsx(OTHERS), "retour.xlsx", user=SAISIE).ok


def test_publier_checks_the_scope_again_at_write_time(conn):
    """A check made without the porteur (or by staff) cannot be published by the porteur."""
    check = verify.check_file(conn, f.xlsx(OTHERS), "retour.xlsx")
    assert check.ok
    before = _written(conn)
    with pytest.raises(PermissionDenied) as refused:
        batches.publish(conn, MDE, check)
    message = refused.value.message
    assert message.startswith(
        "3 ligne(s) portent sur des actions ou indicateurs d'un autre porteur"
    )
    assert "Avancement, ligne 3 : L'action n° 1 est portée par" in message
    assert _written(conn) == before


def test_a_porteur_publishes_its_own_rows(conn):
    check = verify.check_file(conn, f.xlsx(OWN), "retour.xlsx", user=MDE)
    assert check.ok, check.errors.to_dict("records")
    batch = batches.publish(conn, MDE, check)
    assert batch is not None
    assert conn.execute("SELECT auteur FROM import_batch").fetchall() == [("mde",)]
    assert status_queries.action_state(conn, 19, TODAY)["avancement"] == 40
    values = valeurs.current_values(conn, date.today(), indicateurs=["I4.2.b"])
    assert values["valeur"].tolist() == [12.0]


def test_staff_import_anything_as_before(conn):
    check = verify.check_file(conn, f.xlsx(OTHERS), "retour.xlsx", user=SAISIE)
    assert batches.publish(conn, SAISIE, check) is not None


# --- OpenID Connect roles ---------------------------------------------------------------------


def test_the_roles_file_names_the_porteurs_of_an_address(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(
        '[roles]\n"Agent@MDE.fr" = "porteur"\n"chef@exemple.fr" = "admin"\n'
        '[porteurs]\n"agent@mde.fr" = ["MDE", "NM_EGALITE"]\n',
        encoding="utf-8",
    )
    assert roles_config.role_for_email(path, "agent@mde.fr") == "porteur"
    assert roles_config.porteurs_for_email(path, " AGENT@mde.fr") == ("MDE", "NM_EGALITE")
    assert roles_config.porteurs_for_email(path, "chef@exemple.fr") == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[roles]\n"a@b.fr" = "porteur"\n', "rôle « porteur » sans codes de porteur"),
        ('defaut = "porteur"\n', "ne peut pas être le rôle par défaut"),
        ('[roles]\n"a@b.fr" = "porteur"\n[porteurs]\n"a@b.fr" = "MDE"\n', "liste de codes"),
    ],
)
def test_a_porteur_in_the_roles_file_without_codes_is_refused(tmp_path, text, words):
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PtlcdError, match=words):
        roles_config.role_for_email(path, "a@b.fr")
