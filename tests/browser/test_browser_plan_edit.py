"""« Modifier le plan » in a real browser: the plan workbook downloaded, edited, uploaded,
verified (the retired action said first), published with its motif."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.plan import versions
from tests.helpers.browser import (
    go_to,
    log_in,
    press,
    screenshot,
    streamlit_server,
    upload,
    wait_for_app,
)
from tests.helpers.plan_workbooks import edited, exported, plan_row

pytestmark = pytest.mark.browser


def _edit(wb):  # type: ignore[no-untyped-def]
    ws = wb["Plan"]
    ws.cell(row=plan_row(wb, 2), column=4).value = "Expérimenter un outil de veille partagé"
    ws.delete_rows(plan_row(wb, 34))


def test_plan_workbook_upload_verify_publish(db_path, browser, tmp_path):
    path = tmp_path / "plan_revu.xlsx"
    path.write_bytes(edited(exported(db_path), _edit))
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "chef", "Cheffe de projet", "admin", "mot-de-passe-chef")
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="fr-FR")
        log_in(page, url, "chef", "mot-de-passe-chef")
        go_to(page, "Modifier le plan")
        page.get_by_text("Importer le plan (classeur)").click()
        wait_for_app(page)
        upload(page, path)
        press(page, "Vérifier", "RETIRÉE(S) du plan à la date d'effet : 34")
        assert page.get_by_role("button", name="Publier").is_disabled()  # no motif yet
        page.get_by_label("Motif (obligatoire)").fill("Revue annuelle du plan")
        page.get_by_label("Motif (obligatoire)").press("Enter")
        wait_for_app(page)
        screenshot(page, "plan_import_apercu")
        press(page, "Publier", "2 changement(s) publié(s)")
        page.close()
    with store.connect(db_path) as conn:
        plan = versions.snapshot(conn)
    assert plan.actions[2]["libelle"] == "Expérimenter un outil de veille partagé"
    assert 34 not in plan.actions
