"""Séances and décisions (issue 25): records, role checks at write time, time travel, lists."""

from __future__ import annotations

from datetime import date

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.decisions import queries, records
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.store.sql import scalar

SAISIE = User("sec", "Secrétariat", "saisie")
LECTURE = User("lec", "Lecteur", "lecture")
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))
OTHER = User("ville", "Ville", "porteur", porteurs=("VILLE_NANTES",))
TODAY = date(2026, 6, 30)


def _seance(conn: store.Connection, day: date = date(2026, 3, 1)) -> int:
    return records.open_seance(conn, SAISIE, day, titre="GOLD", participants="A, B", today=TODAY)


def _decision(
    conn: store.Connection, seance: int, *, echeance: date = date(2026, 4, 1), **kw: object
) -> int:
    kw.setdefault("responsable", "MDE")
    kw.setdefault("texte", "Demander à la MDE les chiffres de 2025")
    return records.add_decision(conn, SAISIE, seance, echeance=echeance, **kw)  # type: ignore[arg-type]


def test_a_decision_is_recorded_open_from_its_seance_and_journaled(conn: store.Connection) -> None:
    seance = _seance(conn)
    decision = _decision(conn, seance, action_no=12)
    table = queries.decision_table(conn, date(2026, 3, 15))
    row = table.set_index("id").loc[decision]
    assert (row["seance"], row["action_no"], row["etat"], bool(row["en_retard"])) == (
        seance,
        12,
        "ouverte",
        False,
    )
    assert row["responsable_libelle"] != "MDE"  # the porteur's label is shown
    operations = set(journal.entries(conn)["operation"])
    assert {"seance", "decision"} <= operations


def test_time_travel_before_between_and_after(conn: store.Connection) -> None:
    seance = _seance(conn, date(2026, 3, 1))
    decision = _decision(conn, seance, echeance=date(2026, 4, 1))
    records.set_etat(conn, MDE, decision, "faite", date_effet=date(2026, 5, 1), today=TODAY)

    def state(day: date) -> tuple[str, bool] | None:
        table = queries.decision_table(conn, day).set_index("id")
        if decision not in table.index:
            return None
        return str(table.loc[decision, "etat"]), bool(table.loc[decision, "en_retard"])

    assert state(date(2026, 2, 28)) is None  # before it was made: not listed
    assert state(date(2026, 3, 20)) == ("ouverte", False)
    assert state(date(2026, 4, 15)) == ("ouverte", True)  # past its échéance, still open
    assert state(date(2026, 5, 1)) == ("faite", False)


def test_late_decisions_come_first_and_counts(conn: store.Connection) -> None:
    seance = _seance(conn, date(2026, 1, 10))
    later = _decision(conn, seance, echeance=date(2026, 12, 1), texte="Plus tard")
    late = _decision(conn, seance, echeance=date(2026, 2, 1), texte="En retard")
    done = _decision(conn, seance, echeance=date(2026, 1, 20), texte="Faite")
    records.set_etat(conn, SAISIE, done, "faite", date_effet=date(2026, 1, 15), today=TODAY)
    table = queries.decision_table(conn, date(2026, 3, 1))
    assert list(table["id"]) == [late, later, done]
    assert queries.counts(table) == {
        "total": 3,
        "ouvertes": 2,
        "en_retard": 1,
        "faites": 1,
        "abandonnees": 0,
    }
    assert list(queries.decision_table(conn, date(2026, 3, 1), en_retard=True)["id"]) == [late]


def test_filters_responsable_axe_seance_and_generales(conn: store.Connection) -> None:
    first = _seance(conn, date(2026, 1, 10))
    second = _seance(conn, date(2026, 2, 10))
    on_action = _decision(conn, first, action_no=1, responsable="Mme Dupont")
    general = _decision(conn, second)
    axe = int(scalar(conn, "SELECT axe_no FROM plan_action(?) WHERE action_no = 1", [TODAY]))
    day = date(2026, 3, 1)
    assert list(queries.decision_table(conn, day, responsables=("Mme Dupont",))["id"]) == [
        on_action
    ]
    assert list(queries.decision_table(conn, day, axes=(axe,))["id"]) == [on_action]
    assert list(queries.decision_table(conn, day, seances=(second,))["id"]) == [general]
    assert list(queries.decision_table(conn, day, generales=True)["id"]) == [general]
    assert list(queries.decision_table(conn, day, action_no=1)["id"]) == [on_action]
    assert list(queries.open_decisions_of(conn, ("MDE",), day)["id"]) == [general]


def test_a_porteur_label_is_stored_as_its_code(conn: store.Connection) -> None:
    label = scalar(conn, "SELECT libelle FROM porteur WHERE code = 'MDE'")
    decision = _decision(conn, _seance(conn), responsable=str(label).upper())
    assert queries.decision_table(conn, TODAY).set_index("id").loc[decision, "responsable"] == "MDE"


@pytest.mark.parametrize(
    ("user", "etat", "message"),
    [
        (LECTURE, "faite", "rôle « porteur »"),
        (OTHER, "faite", "ses propres décisions"),
        (MDE, "abandonnee", "secrétariat"),
    ],
)
def test_who_may_change_a_state(
    conn: store.Connection, user: User, etat: str, message: str
) -> None:
    decision = _decision(conn, _seance(conn))
    with pytest.raises(PermissionDenied, match=message):
        records.set_etat(conn, user, decision, etat, today=TODAY)
    assert queries.decision_table(conn, TODAY)["etat"].tolist() == ["ouverte"]


def test_a_porteur_marks_its_own_decision_done_with_a_comment(conn: store.Connection) -> None:
    decision = _decision(conn, _seance(conn))
    records.set_etat(conn, MDE, decision, "faite", commentaire="Chiffres envoyés", today=TODAY)
    row = queries.decision_table(conn, TODAY).iloc[0]
    assert (row["etat"], row["commentaire"], row["modifie_par"]) == (
        "faite",
        "Chiffres envoyés",
        "mde",
    )


@pytest.mark.parametrize(
    ("user", "call"),
    [
        (MDE, "seance"),
        (LECTURE, "decision"),
        (OTHER, "decision"),
    ],
)
def test_only_staff_open_seances_and_record_decisions(
    conn: store.Connection, user: User, call: str
) -> None:
    seance = _seance(conn)
    with pytest.raises(PermissionDenied, match="rôle « saisie »"):
        if call == "seance":
            records.open_seance(conn, user, date(2026, 3, 1), today=TODAY)
        else:
            records.add_decision(
                conn, user, seance, texte="x", responsable="MDE", echeance=date(2026, 4, 1)
            )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"texte": "  "}, "Texte de la décision manquant"),
        ({"echeance": date(2026, 2, 1)}, "précède la séance"),
        ({"action_no": 999}, "n° 999 n'est pas dans le plan"),
        ({"indicateur": "ZZZ"}, "« ZZZ » n'est pas dans le plan"),
        ({"responsable": ""}, "Responsable manquant"),
        ({"texte": "x" * 2001}, "trop long"),
    ],
)
def test_decision_input_is_checked(
    conn: store.Connection, kwargs: dict[str, object], message: str
) -> None:
    seance = _seance(conn)
    with pytest.raises(InputError, match=message):
        _decision(conn, seance, **kwargs)  # type: ignore[arg-type]
    assert queries.decision_table(conn, TODAY).empty


def test_state_changes_are_checked(conn: store.Connection) -> None:
    with pytest.raises(InputError, match="dans le futur"):
        records.open_seance(conn, SAISIE, date(2026, 7, 1), today=TODAY)
    decision = _decision(conn, _seance(conn))
    with pytest.raises(InputError, match="déjà « ouverte »"):
        records.set_etat(conn, SAISIE, decision, "ouverte", today=TODAY)
    with pytest.raises(InputError, match="inconnu"):
        records.set_etat(conn, SAISIE, decision, "finie", today=TODAY)
    with pytest.raises(InputError, match="précède la séance"):
        records.set_etat(conn, SAISIE, decision, "faite", date_effet=date(2026, 1, 1), today=TODAY)
    with pytest.raises(InputError, match="n° 77 n'existe pas"):
        records.set_etat(conn, SAISIE, 77, "faite", today=TODAY)


def test_nothing_is_deleted_a_reopened_decision_keeps_its_history(conn: store.Connection) -> None:
    decision = _decision(conn, _seance(conn))
    records.set_etat(conn, SYSTEM, decision, "faite", date_effet=date(2026, 4, 1), today=TODAY)
    records.set_etat(conn, SYSTEM, decision, "ouverte", date_effet=date(2026, 5, 1), today=TODAY)
    history = conn.execute(
        "SELECT etat FROM decision_etat WHERE decision_id = ? ORDER BY date_effet", [decision]
    ).fetchall()
    assert [h[0] for h in history] == ["ouverte", "faite", "ouverte"]
    assert queries.decision_table(conn, date(2026, 4, 15))["etat"].tolist() == ["faite"]
    assert queries.decision_table(conn, date(2026, 5, 2))["en_retard"].tolist() == [True]


def test_releve_lists_earlier_open_decisions_at_the_seance_date(conn: store.Connection) -> None:
    first = _seance(conn, date(2026, 1, 10))
    done = _decision(conn, first, echeance=date(2026, 2, 1), texte="Faite")
    still = _decision(conn, first, echeance=date(2026, 2, 1), texte="Encore ouverte")
    records.set_etat(conn, MDE, done, "faite", date_effet=date(2026, 1, 20), today=TODAY)
    second = _seance(conn, date(2026, 3, 1))
    new = _decision(conn, second, echeance=date(2026, 6, 1), texte="Nouvelle")
    releve = queries.releve(conn, second)
    assert list(releve.decisions["id"]) == [new]
    assert list(releve.anterieures["id"]) == [still]
    assert releve.anterieures["en_retard"].tolist() == [True]
    assert queries.releve(conn, first).anterieures.empty
    with pytest.raises(InputError, match="n'existe pas"):
        queries.releve(conn, 99)


def test_seances_are_listed_newest_first_with_their_decisions(conn: store.Connection) -> None:
    first = _seance(conn, date(2026, 1, 10))
    second = records.open_seance(conn, SAISIE, date(2026, 2, 10), today=TODAY)
    _decision(conn, first)
    table = queries.seances(conn, TODAY)
    assert list(table["id"]) == [second, first]
    assert list(table["nb_decisions"]) == [0, 1]
    assert table["titre"].iloc[0] == "Séance du 10/02/2026"
    assert queries.seances(conn, date(2026, 1, 31))["id"].tolist() == [first]


def test_year_summary_keeps_the_decisions_of_the_year(conn: store.Connection) -> None:
    old = _decision(conn, _seance(conn, date(2025, 11, 3)), echeance=date(2025, 12, 1))
    new = _decision(conn, _seance(conn, date(2026, 2, 3)))
    assert list(queries.year_summary(conn, 2026, TODAY)["id"]) == [new]
    assert list(queries.year_summary(conn, 2025, TODAY)["id"]) == [old]


def test_due_decisions_are_the_late_then_those_falling_due(conn: store.Connection) -> None:
    seance = _seance(conn, date(2026, 3, 1))
    late = _decision(conn, seance, echeance=date(2026, 3, 10))
    soon = _decision(conn, seance, echeance=date(2026, 3, 20))
    _decision(conn, seance, echeance=date(2026, 5, 1))  # not yet due
    done = _decision(conn, seance, echeance=date(2026, 3, 12))
    records.set_etat(conn, SAISIE, done, "faite", date_effet=date(2026, 3, 5), today=TODAY)
    assert list(queries.due_decisions(conn, date(2026, 3, 15), days=7)["id"]) == [late, soon]


def test_another_plan_records_decisions_on_its_own_actions(mini_conn: store.Connection) -> None:
    seance = _seance(mini_conn, date(2026, 3, 1))
    action = int(scalar(mini_conn, "SELECT min(action_no) FROM plan_action(?)", [TODAY]))
    decision = _decision(mini_conn, seance, action_no=action, responsable="Mme Martin")
    row = queries.decision_table(mini_conn, TODAY).set_index("id").loc[decision]
    assert (row["action_no"], row["responsable_libelle"]) == (action, "Mme Martin")
