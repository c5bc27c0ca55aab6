"""The dépôt journey of issue 23 in Chromium, e-mails caught by a local SMTP server: a porteur
fills « Mes actions » and attaches a PDF; the coordinator sends the dépôt back with a reason; the
porteur reads it, corrects and sends again; the coordinator publishes; the value shows on
« Indicateurs », and the pièce downloads with the same SHA-256."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.plan import porteurs
from tests.helpers.browser import (
    go_to,
    log_in,
    open_tab,
    press,
    screenshot,
    streamlit_server,
    wait_for_app,
)
from tests.helpers.smtp import HOST, smtp_server

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1500, "height": 1300}
PASSWORD = "mot-de-passe-du-depot"
TEAM = "suivi-ptlcd@nantesmetropole.example"
MDE_ADDRESS = "contact@mde.example"
REASON = "La valeur semble être celle de 2024 : vérifiez-la."
# A small but real PDF (a page with a line of text).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _record_value(page, value: str) -> None:  # type: ignore[no-untyped-def]
    """The value form of « Mes actions »: I4.2.b, Nantes Métropole, the year expected."""
    form = page.locator("[data-testid='stForm']", has_text="Enregistrer la valeur")
    form.get_by_label("Valeur", exact=True).fill(value)
    form.get_by_role("button", name="Enregistrer la valeur").click()
    wait_for_app(page)
    page.get_by_text("Valeur ajoutée au dépôt").first.wait_for(timeout=60_000)
    wait_for_app(page)


def _grid_text(page, *, having: str) -> str:  # type: ignore[no-untyped-def]
    """Every table's cells as drawn (kept in the DOM for assistive technologies), once one of
    them holds `having` (the page draws its tables one after another), or after 30 s."""
    grids = page.locator("[data-testid='stDataFrame'] table[role='grid']")
    grids.first.wait_for(state="attached", timeout=60_000)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """text => [...document.querySelectorAll(
                   "[data-testid='stDataFrame'] table[role='grid']")]
                 .some(g => g.textContent.includes(text))""",
            arg=having,
            timeout=30_000,
        )
    return " ".join(g.text_content() or "" for g in grids.all())


def test_depot_returned_corrected_published_with_its_piece(db_path, browser, tmp_path: Path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "gold", "Secrétariat du GOLD", "saisie", PASSWORD)
        accounts.add_user(conn, SYSTEM, "mde", "Maison de l'emploi", "porteur", PASSWORD,
                          porteurs=("MDE",))  # fmt: skip
        porteurs.set_contact(conn, SYSTEM, "MDE", email=MDE_ADDRESS)
    bilan = tmp_path / "bilan-2025.pdf"
    bilan.write_bytes(PDF)
    with smtp_server() as (smtp_port, handler):
        env = {
            "PTLCD_SMTP_HOST": HOST,
            "PTLCD_SMTP_PORT": str(smtp_port),
            "PTLCD_SMTP_TLS": "none",
            "PTLCD_SMTP_FROM": TEAM,
        }
        with streamlit_server(db_path, env) as url:
            porteur = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
            porteur.set_default_timeout(60_000)
            ppage = porteur.new_page()
            # 1. The porteur fills « Mes actions » and attaches a PDF to its dépôt.
            log_in(ppage, url, "mde", PASSWORD)
            go_to(ppage, "Mes actions")
            ppage.get_by_text("Rien en préparation").wait_for(timeout=60_000)
            _record_value(ppage, "42")
            ppage.get_by_role("heading", name="Dépôt en préparation").wait_for()
            ppage.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                str(bilan)
            )
            ppage.locator("[data-testid='stFileChipName']", has_text=bilan.name).wait_for()
            wait_for_app(ppage)
            joindre = ppage.get_by_role("button", name="Joindre", exact=True).first
            expect(joindre).to_be_enabled()  # once the server holds the file
            joindre.click()
            wait_for_app(ppage)
            ppage.get_by_text("Pièce n° 1 jointe").first.wait_for()
            screenshot(ppage, "depot_prepare")
            press(ppage, "Envoyer pour validation", "envoyé : l'équipe le valide")

            # 2. The coordinator sends it back, with a reason.
            staff = browser.new_context(viewport=VIEWPORT, locale="fr-FR", accept_downloads=True)
            staff.set_default_timeout(60_000)
            gold = staff.new_page()
            log_in(gold, url, "gold", PASSWORD)
            go_to(gold, "Dépôts à valider")
            gold.get_by_role("heading", name="Dépôt n° 1").wait_for()
            screenshot(gold, "depots_a_valider")
            gold.get_by_role("textbox", name="Motif du renvoi (obligatoire)").fill(REASON)
            press(gold, "Renvoyer au porteur", "renvoyé au porteur")
            gold.get_by_text("Aucun dépôt n'attend de validation.").wait_for()

            # 3. The porteur reads the reason, corrects the value and sends again.
            ppage.reload()
            wait_for_app(ppage)
            go_to(ppage, "Mes actions")
            ppage.get_by_text(REASON).first.wait_for()
            screenshot(ppage, "depot_renvoye")
            press(ppage, "Reprendre le dépôt n° 1", "Dépôt en préparation")
            ppage.get_by_text(bilan.name).first.wait_for()  # the pièce came along
            _record_value(ppage, "43")
            press(ppage, "Envoyer pour validation", "envoyé : l'équipe le valide")
            assert ppage.locator("[data-testid='stException']").count() == 0
            porteur.close()

            # 4. The coordinator downloads the pièce, then publishes.
            gold.reload()
            wait_for_app(gold)
            go_to(gold, "Dépôts à valider")
            heading = gold.get_by_role("heading", name="Dépôt n° 2")
            heading.wait_for()
            assert "43" in _grid_text(gold, having="43")
            with gold.expect_download() as download:
                gold.get_by_role("button", name=f"Télécharger {bilan.name}").click()
            fetched = tmp_path / "telecharge.pdf"
            download.value.save_as(fetched)
            assert (
                hashlib.sha256(fetched.read_bytes()).hexdigest() == hashlib.sha256(PDF).hexdigest()
            )
            wait_for_app(gold)
            press(gold, "Publier", "Dépôt n° 2 publié")
            screenshot(gold, "depot_publie")

            # 5. The value shows on « Indicateurs ».
            gold.goto(f"{url}/indicateurs?indicateur=I4.2.b")
            wait_for_app(gold)
            open_tab(gold, "Valeurs et provenance")
            gold.get_by_role("heading", name="Valeurs et provenance").wait_for()
            assert "43" in _grid_text(gold, having="43")
            assert gold.locator("[data-testid='stException']").count() == 0
            staff.close()

    mails = [m for m in handler.received if MDE_ADDRESS in m.rcpt_tos]
    assert len(mails) == 1, [m.rcpt_tos for m in handler.received]
    body = mails[0].message.get_body(preferencelist=("plain",))
    assert body is not None and REASON in body.get_content()
    assert "renvoyé" in str(mails[0].message["Subject"])
