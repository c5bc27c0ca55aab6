"""The page « Modifier le plan »: administrators only; edit → preview → publish; retire; the
plan workbook's import; user text stays text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptlcd_data import store
from ptlcd_data.access import auth
from ptlcd_data.plan import publishing, versions
from tests.helpers.apptest import add_account, assert_clean, markdown, open_view, run_page, texts
from tests.helpers.plan_workbooks import edited, exported, plan_row

PAGE = "app_pages/modifier_plan.py"
HOSTILE = '<img src=x onerror="window.__xss=1"> [lien](javascript:alert(1)) **gras**'


def snapshot(db):
    with store.connect(db) as conn:
        return versions.snapshot(conn, demo=False)


def journal_operations(db):
    with store.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT operation FROM journal").fetchall()]


@pytest.mark.parametrize("role", ["lecture", "saisie"])
def test_only_administrators_may_open_the_page(app_env, role):
    login = add_account(app_env, f"agent_{role}", role)
    at = run_page(login=login)
    # Not in its navigation: the address says, in French, which role it needs; nothing drawn.
    at.switch_page(PAGE).run()
    assert "administration" in texts(at.warning)
    assert not at.button and not at.text_input


def admin_page(db):
    at = run_page(PAGE, login=add_account(db, "chef", "admin"))
    assert_clean(at)
    assert at.title[0].value == "Modifier le plan"
    return at


def test_edit_preview_then_publish_shows_the_new_wording(app_env):
    at = admin_page(app_env)
    at.selectbox(key="planedit_action").select(3).run()
    old = snapshot(app_env).actions[3]["libelle"]
    at.text_area(key="pe_lib_edit3").input(f"Nouvelle formulation {HOSTILE}").run()
    at.button(key="planedit_prepare_edit").click().run()
    assert_clean(at)
    preview = next(d.value for d in at.dataframe if "Avant" in d.value.columns)
    row = preview[preview["Champ"] == "Libellé"].iloc[0]
    assert (row["Avant"], row["Après"]) == (old, f"Nouvelle formulation {HOSTILE}")
    shown = [markdown(at), texts(at.caption), texts(at.warning), texts(at.info)]
    assert not [t for t in shown if "<img" in t.replace("\\<img", "")]
    assert at.button(key="planedit_publish").disabled  # no motif yet
    assert snapshot(app_env).actions[3]["libelle"] == old  # nothing written by the preview

    at.text_input(key="planedit_motif").input("Revue du comité").run()
    at.button(key="planedit_publish").click().run()
    assert_clean(at)
    assert "1 changement(s) publié(s)" in texts(at.success)
    assert snapshot(app_env).actions[3]["libelle"] == f"Nouvelle formulation {HOSTILE}"
    assert "plan modifié" in journal_operations(app_env)
    # The fiche of the action shows it, as text.
    at.switch_page("app_pages/fiche_action.py").run()
    at.selectbox(key="action_no").select(3).run()
    assert_clean(at)
    assert f"Nouvelle formulation {HOSTILE}" in [t.value for t in at.text]  # as plain text
    assert "<img" not in markdown(at).replace("\\<img", "")
    # Its versions (in an expander computed when opened): the transcription, then this edit,
    # field by field, with its author.
    open_view(at, "fiche_versions", True)
    history = at.dataframe[-1].value
    assert history["changement"].tolist() == ["création", "modification"]
    assert f"→ Nouvelle formulation {HOSTILE}" in history["detail"][1]


def test_retire_an_action_removes_it_from_todays_pages(app_env):
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Retirer un élément").run()
    at.selectbox(key="planedit_retire_action").select(5).run()
    at.button(key="planedit_prepare_retire").click().run()
    assert "RETIRÉE(S)" in texts(at.warning)
    at.text_input(key="planedit_motif").input("Action fusionnée avec la 4").run()
    at.button(key="planedit_publish").click().run()
    assert_clean(at)
    assert 5 not in snapshot(app_env).actions
    at.switch_page("app_pages/fiche_action.py").run()
    options = at.selectbox(key="action_no").options
    assert "Action n° 4" in options and "Action n° 5" not in options
    # Before the retirement (the day before its date d'effet), it is there.
    at.date_input(key="as_of").set_value(date.today() - timedelta(days=1)).run()
    assert "Action n° 5" in at.selectbox(key="action_no").options
    at.selectbox(key="action_no").select(5).run()
    open_view(at, "fiche_versions", True)
    history = at.dataframe[-1].value  # the whole history, the retirement included
    assert history["changement"].tolist() == ["création", "retrait"]
    assert history["motif"][1] == "Action fusionnée avec la 4"
    assert history["date_effet"][1] == f"{date.today():%d/%m/%Y}"


def test_add_an_action_takes_the_next_number(app_env):
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Ajouter une action").run()
    expected = max(snapshot(app_env).actions) + 1
    assert f"n° **{expected}**" in markdown(at)
    at.text_area(key="pe_lib_new").input("Une action nouvelle").run()
    at.text_input(key="pe_cal_new").input("2027").run()
    at.text_input(key="planedit_motif").input("Ajout décidé en comité").run()
    at.button(key="planedit_prepare_add").click().run()
    at.button(key="planedit_publish").click().run()
    assert_clean(at)
    added = snapshot(app_env).actions[expected]
    assert (added["libelle"], added["calendrier"]) == ("Une action nouvelle", "2027")


def test_a_refused_edit_writes_nothing_and_says_why(app_env):
    at = admin_page(app_env)
    at.text_area(key="pe_lib_edit1").input("   ").run()
    at.button(key="planedit_prepare_edit").click().run()
    assert "libellé de l'action est vide" in texts(at.error)
    assert not [b for b in at.button if b.key == "planedit_publish"]


def test_plan_workbook_import_from_the_page(app_env):
    data = edited(
        exported(app_env),
        lambda wb: wb["Plan"].delete_rows(plan_row(wb, 34)),
    )
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Importer le plan (classeur)").run()
    assert_clean(at)
    # AppTest cannot drive a file uploader: the page's own check runs on the same bytes.
    from ptlcd_data.plan import edits
    from ptlcd_data.settings import Settings

    with store.connect(app_env) as conn:
        check = edits.check_workbook(conn, data, "plan.xlsx", Settings(), date.today())
    assert check.retired_actions() == [34]


def preview_rows(at):
    table = next(d.value for d in at.dataframe if "Avant" in d.value.columns)
    return table[["Élément", "Changement", "Champ", "Avant", "Après"]].values.tolist()


def test_edit_an_existing_objective_from_its_current_values(app_env):
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Ajouter ou modifier un objectif").run()
    assert_clean(at)
    choice = at.selectbox(key="planedit_obj_choice")
    assert choice.value is None and choice.options[0] == "Nouvel objectif"
    assert at.text_input(key="planedit_obj_code")  # a new objective: its code is typed
    current = snapshot(app_env).objectifs["4.2"]
    assert f"4.2 — {current['libelle']}" in choice.options
    choice.select("4.2").run()
    assert_clean(at)
    # Filled with its values at the date d'effet; its code is not editable.
    assert not [w for w in at.text_input if w.key == "planedit_obj_code"]
    assert at.selectbox(key="pe_oaxe_edit4.2").value == current["axe_no"] == 4
    assert at.text_area(key="pe_olib_edit4.2").value == current["libelle"]
    assert at.text_input(key="pe_odom_edit4.2").value == current["domaine"] == "emploi"
    at.text_area(key="pe_olib_edit4.2").input("Mobiliser les acteurs de l'emploi").run()
    at.button(key="planedit_prepare_obj").click().run()
    assert_clean(at)
    assert preview_rows(at) == [
        ["Objectif 4.2", "modification", "Libellé", current["libelle"],
         "Mobiliser les acteurs de l'emploi"]
    ]  # fmt: skip
    assert " modifié — date d'effet" in texts(at.caption)
    at.text_input(key="planedit_motif").input("Revue du comité").run()
    at.button(key="planedit_publish").click().run()
    assert_clean(at)
    assert "1 changement(s) publié(s)" in texts(at.success)
    assert snapshot(app_env).objectifs["4.2"] == current | {
        "libelle": "Mobiliser les acteurs de l'emploi"
    }
    # Another objective: its own values, not the ones typed for 4.2.
    at.selectbox(key="planedit_obj_choice").select("1.2").run()
    assert at.text_area(key="pe_olib_edit1.2").value == "Réaliser des enquêtes et testings"


def test_edit_an_existing_indicator_from_its_current_values(app_env):
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Ajouter ou modifier un indicateur").run()
    assert at.selectbox(key="planedit_ind_choice").options[0] == "Nouvel indicateur"
    at.selectbox(key="planedit_ind_choice").select("I4.2.b").run()
    assert_clean(at)
    current = snapshot(app_env).indicateurs["I4.2.b"]
    assert not [w for w in at.text_input if w.key == "planedit_ind_code"]
    key = "editI4.2.b"
    assert at.selectbox(key=f"pe_iobj_{key}").value == current["objectif_code"] == "4.2"
    assert at.text_area(key=f"pe_ilib_{key}").value == current["libelle"]
    assert at.text_input(key=f"pe_iuni_{key}").value == current["unite"]
    assert at.selectbox(key=f"pe_isens_{key}").value == current["sens"]
    assert at.selectbox(key=f"pe_ifou_{key}").value == current["fournisseur"] == "MDE"
    at.text_input(key=f"pe_iuni_{key}").input("intermédiaires").run()
    at.button(key="planedit_prepare_ind").click().run()
    assert_clean(at)
    assert preview_rows(at) == [
        ["Indicateur I4.2.b", "modification", "Unité", current["unite"], "intermédiaires"]
    ]
    at.text_input(key="planedit_motif").input("Unité plus parlante").run()
    at.button(key="planedit_publish").click().run()
    assert_clean(at)
    assert snapshot(app_env).indicateurs["I4.2.b"] == current | {"unite": "intermédiaires"}


def test_a_new_objective_may_not_take_an_existing_code(app_env):
    at = admin_page(app_env)
    at.radio(key="planedit_task").set_value("Ajouter ou modifier un objectif").run()
    at.text_input(key="planedit_obj_code").input("4.2").run()
    at.text_area(key="pe_olib_new").input("Un autre objectif").run()
    assert "choisissez-le dans la liste « Objectif » pour le modifier" in texts(at.warning)
    assert at.button(key="planedit_prepare_obj").disabled
    at.text_input(key="planedit_obj_code").input("4.9").run()
    at.button(key="planedit_prepare_obj").click().run()
    assert_clean(at)
    assert ["Objectif 4.9", "ajout", "Libellé", "—", "Un autre objectif"] in preview_rows(at)
    assert " ajouté — date d'effet" in texts(at.caption)


def test_the_preview_warns_when_a_later_version_will_apply_again(app_env):
    later = date.today() + timedelta(days=40)
    with store.connect(app_env) as conn:
        old = versions.snapshot(conn).actions[3]["libelle"]
        publishing.publish(
            conn,
            [versions.PlanChange("action", 3, "modification", {"libelle": (old, "Plus tard")})],
            date_effet=later,
            user=auth.SYSTEM,
            motif="Déjà décidé",
        )
    at = admin_page(app_env)
    at.selectbox(key="planedit_action").select(3).run()
    at.text_area(key="pe_lib_edit3").input("Dès maintenant").run()
    at.button(key="planedit_prepare_edit").click().run()
    assert_clean(at)
    assert (
        f"Action 3 : une version datée du {later:%d/%m/%Y} existe déjà ; elle s'appliquera de "
        "nouveau à partir de cette date."
    ) in texts(at.warning).replace("\\", "")  # shown escaped: the key may be user text
    at.text_input(key="planedit_motif").input("Urgent").run()
    assert not at.button(key="planedit_publish").disabled  # publishing is still allowed
    at.button(key="planedit_publish").click().run()
    assert snapshot(app_env).actions[3]["libelle"] == "Dès maintenant"
    # Another action has no later version: no warning.
    at.selectbox(key="planedit_action").select(4).run()
    at.text_area(key="pe_lib_edit4").input("Autre formulation").run()
    at.button(key="planedit_prepare_edit").click().run()
    assert "existe déjà" not in texts(at.warning)
