"""The "Données ouvertes" page with AppTest: administrators only, contents, the zip offered."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.opendata import schema
from tests.helpers.apptest import add_account, assert_clean, open_page, run_page, table_having

PAGE = "app_pages/donnees_ouvertes.py"


def _statuts_rows(at) -> int:
    contents = table_having(at, "Fichier", "Lignes").set_index("Fichier")
    return int(contents.loc["historique_statuts.csv", "Lignes"])


def test_an_administrator_sees_the_contents_and_the_zip_to_download(demo_app_env):
    at = open_page(PAGE, login=add_account(demo_app_env, "admin1", "admin"))
    assert at.title[0].value == "Données ouvertes"
    assert "Licence Ouverte / Open Licence 2.0" in at.markdown[0].value
    contents = table_having(at, "Fichier", "Contenu", "Lignes")
    assert (
        len(contents) == len(schema.RESOURCES) and "territoires.csv" in contents["Fichier"].tolist()
    )
    buttons = [b.proto for b in at.get("download_button")]
    assert [b.label for b in buttons] == ["Télécharger le paquet (.zip)"]
    without = _statuts_rows(at)
    at.checkbox(key="opendata_avec_demo").check().run()
    assert_clean(at)
    assert _statuts_rows(at) > without  # the demonstration's records counted in


def test_without_demonstration_data_the_page_counts_the_real_records(app_env):
    at = open_page(PAGE, login=add_account(app_env, "admin1", "admin"))
    with store.connect(app_env) as conn:
        recorded = conn.execute("SELECT count(*) FROM statut_record").fetchone()[0]
    assert recorded > 0 and _statuts_rows(at) == recorded  # the plan's initial state
    at.checkbox(key="opendata_avec_demo").check().run()
    assert _statuts_rows(at) == recorded
    assert at.get("download_button")


@pytest.mark.parametrize("role", [None, "lecture", "saisie"])
def test_the_page_is_refused_to_anyone_but_an_administrator(app_env, role):
    login = add_account(app_env, role, role) if role else None
    at = run_page(login=login)
    # Not in this visitor's navigation: its address tells, in French, which role it needs,
    # and nothing of the page is drawn.
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "administration" in " ".join(w.value for w in at.warning)
    assert not at.get("download_button") and not at.dataframe
