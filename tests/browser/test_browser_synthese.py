"""Real browser: an official opens the annual summary, picks a year, downloads its PDF and XLSX."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    screenshot,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser
# Tall enough for the whole page in one screenshot (Streamlit scrolls inside its own container).
VIEWPORT = {"width": 1500, "height": 4200}


def test_official_downloads_the_annual_pdf_and_xlsx(demo_db_path):
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(demo_db_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
            page.goto(f"{url}/synthese")
            wait_for_app(page)
            page.get_by_role("combobox", name="Année").click()
            page.get_by_role("option", name="2019", exact=True).click()
            wait_for_app(page)
            expect(page.get_by_text("Situation au 31/12/2019").first).to_be_visible()
            expect(page.get_by_text("Comment la météo est calculée")).to_be_visible()
            assert page.locator("[data-testid='stException']").count() == 0
            screenshot(page, "synthese_2019")

            with page.expect_download(timeout=60_000) as pdf_download:
                page.get_by_role("button", name="Télécharger le PDF").click()
            assert pdf_download.value.suggested_filename == "synthese_annuelle_2019.pdf"
            data = pdf_download.value.path().read_bytes()
            reader = PdfReader(io.BytesIO(data))
            assert "Synthèse annuelle 2019" in reader.pages[0].extract_text()

            with page.expect_download(timeout=60_000) as xlsx_download:
                page.get_by_role("button", name="Télécharger le classeur (XLSX)").click()
            assert xlsx_download.value.suggested_filename == "synthese_annuelle_2019.xlsx"
            wb = CalamineWorkbook.from_path(str(xlsx_download.value.path()))
            assert "Chiffres clés" in wb.sheet_names
        finally:
            browser.close()
