"""Main journeys in a real browser (Playwright + Debian chromium), as users meet the product."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers.browser import (
    go_to,
    log_in,
    open_tab,
    press,
    screenshot,
    streamlit_server,
    upload,
    wait_for_app,
    wait_for_refusal,
)
from ui.navigation import PAGES

pytestmark = pytest.mark.browser
PASSWORD = "mot-de-passe-mission-egalite"
VALUE = 7777  # shown as "7 777" (thin space) once published


def _shown(page, text: str) -> int:  # type: ignore[no-untyped-def]
    """Occurrences in the page, table cells included (drawn on a canvas, kept in the DOM)."""
    return page.get_by_text(text).count()


def test_staff_template_fill_upload_publish_see_and_undo(db_path, browser, tmp_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "mission", "Mission égalité", "admin", PASSWORD)
    with streamlit_server(db_path) as url:
        page = browser.new_page(
            viewport={"width": 1500, "height": 1100}, locale="fr-FR", accept_downloads=True
        )
        log_in(page, url, "mission", PASSWORD)
        go_to(page, "Import de données")
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)

        with page.expect_download() as download:
            page.get_by_role("button", name="Télécharger le modèle Excel (.xlsx)").click()
        template = tmp_path / download.value.suggested_filename
        download.value.save_as(template)
        assert template.suffix == ".xlsx"

        wb = load_workbook(template)
        ws = wb["Indicateurs"]
        code, territoire, annee = ws["A2"].value, ws["C2"].value, ws["D2"].value
        ws["E2"] = VALUE
        ws["G2"] = "relevé de la mission"
        filled = tmp_path / "releve_rempli.xlsx"
        wb.save(filled)

        upload(page, filled)
        press(page, "Vérifier", "Aucune erreur")
        press(page, "Publier", "Lot n° 1 publié")
        screenshot(page, "parcours_import_publie")

        go_to(page, "Indicateurs")
        page.get_by_role("heading", name="Indicateurs").first.wait_for(timeout=30_000)
        open_tab(page, "Valeurs et provenance")
        page.get_by_text("7\u202f777").first.wait_for(state="attached", timeout=30_000)
        screenshot(page, "parcours_indicateur_nouvelle_valeur")

        go_to(page, "Import de données")
        page.get_by_text("Lot à annuler").wait_for(timeout=30_000)
        page.get_by_role("button", name="Annuler ce lot").click()
        wait_for_app(page)
        page.get_by_text("Lot n° 1 annulé").first.wait_for(timeout=30_000)

        go_to(page, "Indicateurs")
        page.get_by_role("heading", name="Indicateurs").first.wait_for(timeout=30_000)
        wait_for_app(page)
        if page.get_by_role("tab", name="Valeurs et provenance").count():  # other values left
            open_tab(page, "Valeurs et provenance")
        assert _shown(page, "7\u202f777") == 0, (code, territoire, annee)
        page.close()


def test_every_page_as_administrator_with_screenshots(db_path, browser):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "mission", "Mission égalité", "admin", PASSWORD)
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1600, "height": 1100}, locale="fr-FR")
        log_in(page, url, "mission", PASSWORD)
        for spec in PAGES:
            go_to(page, spec.title)
            screenshot(page, "page_" + spec.path.split("/")[-1].removesuffix(".py"))
            assert page.locator("[data-testid='stException']").count() == 0, spec.title
            assert page.get_by_text("Une erreur inattendue").count() == 0, spec.title
        page.close()


def test_anonymous_visitor_is_refused_the_import_page(db_path, browser):
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        for _ in range(2):  # the first request of a fresh server, then a later one
            page.goto(f"{url}/import")
            wait_for_refusal(page, "Import de données")
            assert "réservée aux comptes ayant le rôle « porteur »" in page.inner_text("body")
            assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
        assert (
            page.locator("[data-testid='stSidebarNavLink']", has_text="Import de données").count()
            == 0
        )
        screenshot(page, "anonyme_import_refuse")
        page.close()
