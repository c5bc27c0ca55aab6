"""The « Décisions » page, the décisions in « Revue GOLD » and in « Mes actions » (issue 25)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ptlcd_data import store
from ptlcd_data.access.auth import User
from ptlcd_data.decisions import queries, records
from tests.helpers.apptest import add_account, assert_clean, metrics, open_page, table_having

SAISIE = User("sec", "Secrétariat", "saisie")
TODAY = date.today()


def _seed(db: Path) -> dict[str, int]:
    """A séance 40 days ago: one late décision on action 12 (MDE), one open general one, one
    done on action 3."""
    with store.connect(db) as conn:
        seance = records.open_seance(
            conn, SAISIE, TODAY - timedelta(days=40), titre="GOLD de printemps"
        )
        late = records.add_decision(
            conn, SAISIE, seance, texte="Relancer les bailleurs", responsable="MDE",
            echeance=TODAY - timedelta(days=10), action_no=12,
        )  # fmt: skip
        general = records.add_decision(
            conn, SAISIE, seance, texte="Inviter la CAF", responsable="Mme Durand",
            echeance=TODAY + timedelta(days=30),
        )  # fmt: skip
        done = records.add_decision(
            conn, SAISIE, seance, texte="Reporter l'action 3", responsable="MDE",
            echeance=TODAY + timedelta(days=5), action_no=3,
        )  # fmt: skip
        records.set_etat(conn, SAISIE, done, "faite")
    return {"seance": seance, "late": late, "general": general, "done": done}


def _form_widget(at, kind, label):  # type: ignore[no-untyped-def]
    return next(w for w in getattr(at, kind) if w.label == label)


def test_decisions_page_without_decisions_says_where_they_come_from(app_env: Path) -> None:
    at = open_page("app_pages/decisions.py")
    assert any("« Revue GOLD »" in i.value for i in at.info)


def test_decisions_page_counts_and_lists_late_ones_first(app_env: Path) -> None:
    ids = _seed(app_env)
    at = open_page("app_pages/decisions.py")
    shown = metrics(at)
    assert (shown["Décisions"], shown["Ouvertes"], shown["En retard"], shown["Faites"]) == (
        "3",
        "2",
        "1",
        "1",
    )
    table = table_having(at, "texte", "en_retard")
    assert list(table["id"]) == [ids["late"], ids["general"], ids["done"]]
    at.toggle(key="dec_retard").set_value(True).run()
    assert list(table_having(at, "texte", "en_retard")["id"]) == [ids["late"]]
    at.toggle(key="dec_retard").set_value(False).run()
    at.multiselect(key="dec_responsables").select("Mme Durand").run()
    assert list(table_having(at, "texte", "en_retard")["id"]) == [ids["general"]]
    assert {b.label for b in at.get("download_button")} >= {"Relevé (Word, DOCX)", "Relevé (PDF)"}
    before = open_page("app_pages/decisions.py", as_of=TODAY - timedelta(days=41))
    assert any("Aucune décision" in i.value for i in before.info)  # time travel


def test_staff_change_a_state_on_the_decisions_page(app_env: Path) -> None:
    ids = _seed(app_env)
    add_account(app_env, "sec", "saisie")
    at = open_page("app_pages/decisions.py", login="sec")
    at.selectbox(key="etat_id_dec_page").select(ids["general"])
    at.selectbox(key="etat_etat_dec_page").select("abandonnee")
    at.text_area(key="etat_commentaire_dec_page").input("Sans objet")
    at.button(key="etat_submit_dec_page").click().run()
    assert_clean(at)
    assert any("abandonnée" in s.value for s in at.success)
    assert metrics(at)["Abandonnées"] == "1"


def test_review_opens_a_seance_and_records_decisions(app_env: Path) -> None:
    add_account(app_env, "sec", "saisie")
    at = open_page("app_pages/revue.py", login="sec")
    at.selectbox(key="revue_action").select(12).run()
    assert any("Ouvrez la séance" in i.value for i in at.info)
    at.selectbox(key="decisions_seance").select(0).run()
    _form_widget(at, "text_input", "Titre").input("GOLD de juin")
    _form_widget(at, "text_area", "Participants").input("Ville, MDE")
    at.button(key="seance_submit").click().run()
    assert_clean(at)
    at.text_area(key="dec_texte_revue_action_0").input("Relancer les bailleurs avant mars")
    at.selectbox(key="dec_porteur_revue_action_0").select("MDE")
    at.date_input(key="dec_ech_revue_action_0").set_value(TODAY + timedelta(days=20))
    at.button(key="dec_submit_revue_action").click().run()
    assert_clean(at)
    assert any("Décision n°" in s.value for s in at.success)
    assert "Relancer les bailleurs avant mars" in [t.value for t in at.text]
    assert at.text_area(key="dec_texte_revue_action_1").value == ""  # the form starts again
    at.session_state["revue_decision_generale"] = True  # its expander, drawn when opened
    at.run()
    at.text_area(key="dec_texte_revue_generale_1").input("Demander les chiffres de 2025")
    at.text_input(key="dec_personne_revue_generale_1").input("Mme Durand")
    at.date_input(key="dec_ech_revue_generale_1").set_value(TODAY + timedelta(days=20))
    at.button(key="dec_submit_revue_generale").click().run()
    assert_clean(at)
    with store.connect(app_env) as conn:
        table = queries.decision_table(conn)
    assert sorted(table["action_no"].fillna(0).astype(int)) == [0, 12]
    assert set(table["seance_titre"]) == {"GOLD de juin"}


def test_a_review_step_empties_the_forms_half_written_for_the_previous_action(
    app_env: Path,
) -> None:
    add_account(app_env, "sec", "saisie")
    with store.connect(app_env) as conn:
        records.open_seance(conn, SAISIE, TODAY, titre="GOLD", participants="Ville")
    at = open_page("app_pages/revue.py", login="sec")
    at.text_area(key="dec_texte_revue_action_0").input("Pour l'action 1, pas envoyée")
    at.text_area(key="revue_commentaire_0").input("Commentaire pas envoyé")
    at.button(key="revue_next").click().run()
    assert_clean(at)
    assert at.header[0].value == "Action n° 2"
    assert at.text_area(key="dec_texte_revue_action_0").value == ""
    assert at.text_area(key="revue_commentaire_0").value == ""
    with store.connect(app_env) as conn:
        assert queries.decision_table(conn).empty


def test_review_shows_open_decisions_first_late_ones_highlighted(app_env: Path) -> None:
    _seed(app_env)
    at = open_page("app_pages/revue.py")
    at.selectbox(key="revue_action").select(12).run()
    assert_clean(at)
    assert any("En retard" in w.value and "Décision n°" in w.value for w in at.warning)
    assert "Relancer les bailleurs" in [t.value for t in at.text]
    assert not [b for b in at.button if b.key == "dec_submit_revue_action"]  # reading only


def test_a_porteur_marks_its_decision_done_in_mes_actions(app_env: Path, monkeypatch) -> None:
    # Validation off (PTLCD_VALIDATION=false): a porteur publishes directly, as before.
    monkeypatch.setenv("PTLCD_VALIDATION", "false")
    ids = _seed(app_env)
    add_account(app_env, "mde", "porteur", porteurs=("MDE",))
    at = open_page("app_pages/mes_actions.py", login="mde")
    texts = [t.value for t in at.text]
    assert "Relancer les bailleurs" in texts and "Inviter la CAF" not in texts
    assert at.selectbox(key="etat_etat_mes_decisions").options == ["faite"]
    at.text_area(key="etat_commentaire_mes_decisions").input("Courrier envoyé le 3")
    at.button(key="etat_submit_mes_decisions").click().run()
    assert_clean(at)
    assert any("faite" in s.value for s in at.success)
    with store.connect(app_env) as conn:
        row = queries.decision_table(conn).set_index("id").loc[ids["late"]]
    assert (row["etat"], row["commentaire"]) == ("faite", "Courrier envoyé le 3")
