"""The page « Modifier le plan »: administrators only; edit → preview → publish; retire; the
plan workbook's import; user text stays text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptlcd_data import store
from ptlcd_data.plan import versions
from tests.helpers.apptest import add_account, assert_clean, markdown, run_page, texts
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
    # Its versions: the transcription, then this edit, field by field, with its author.
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
