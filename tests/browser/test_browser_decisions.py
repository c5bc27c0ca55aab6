"""Real browser: the journey of issue 25. A séance is opened in « Revue GOLD », two décisions are
recorded on two actions, the relevé is downloaded in DOCX; the responsable porteur marks one done;
the next séance's relevé lists the other as still open, and late (its échéance has passed)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from ptlcd_data import formats, store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers.browser import (
    choose_option,
    go_to,
    log_in,
    press,
    screenshot,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1600, "height": 1400}
PASSWORD = "mot-de-passe-du-gold"
MDE = "Maison de l'emploi"  # how the forms show the porteur MDE
DONE = "Demander à la MDE les chiffres de 2025"
LATE = "Relancer les bailleurs <b>avant mars</b>"
TODAY = date.today()


def _date(scope, page, label: str, day: date) -> None:  # type: ignore[no-untyped-def]
    """Type a date into a date field (its day, month and year segments, in that order)."""
    scope.get_by_label(label, exact=True).locator("[role='spinbutton']").first.click()
    page.keyboard.type(formats.day(day).replace("/", ""))
    page.keyboard.press("Tab")


def _success(page, text: str) -> None:  # type: ignore[no-untyped-def]
    wait_for_app(page)
    page.locator("[data-testid='stAlertContentSuccess']", has_text=text).wait_for(timeout=30_000)


def _open_seance(page, title: str, day: date) -> None:  # type: ignore[no-untyped-def]
    choose_option(page, page, "Séance", "Ouvrir une nouvelle séance…")
    form = page.locator("[data-testid='stForm']", has_text="Ouvrir la séance")
    _date(form, page, "Date de la séance", day)
    form.get_by_label("Titre").fill(title)
    form.get_by_role("button", name="Ouvrir la séance").click()
    wait_for_app(page)
    page.get_by_role("button", name="Enregistrer la décision").first.wait_for(timeout=30_000)


def _decision(page, texte: str, echeance: date) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("[data-testid='stForm']", has_text="Enregistrer la décision").first
    form.get_by_label("Décision").fill(texte)
    choose_option(form, page, "Responsable (porteur)", MDE)
    _date(form, page, "Échéance", echeance)
    form.get_by_role("button", name="Enregistrer la décision").click()
    _success(page, "Décision n°")
    fresh = page.locator("[data-testid='stForm']", has_text="Enregistrer la décision").first
    expect(fresh.get_by_label("Décision")).to_have_value("", timeout=30_000)  # starts again


def _releve_text(page, tmp_path, name: str) -> str:  # type: ignore[no-untyped-def]
    go_to(page, "Décisions")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Relevé (Word, DOCX)").click()
    path = tmp_path / name
    download.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_a_seance_its_releve_a_porteur_marks_done_the_next_releve(db_path, browser, tmp_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "gold", "Secrétariat du GOLD", "saisie", PASSWORD)
        accounts.add_user(conn, SYSTEM, "mde", MDE, "porteur", PASSWORD, porteurs=("MDE",))
    with streamlit_server(db_path) as url:
        gold = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        log_in(gold, url, "gold", PASSWORD)
        go_to(gold, "Revue GOLD")
        gold.get_by_role("heading", name="Action n° 1").wait_for(timeout=30_000)
        # 1. a séance, a month ago; 2. two décisions on two actions.
        _open_seance(gold, "GOLD de printemps", TODAY - timedelta(days=30))
        _decision(gold, DONE, TODAY + timedelta(days=20))
        # Once the rerun is over: while it runs, the old and the new button are both drawn.
        wait_for_app(gold)
        gold.get_by_role("button", name="Suivante ▶").first.click()
        gold.get_by_role("heading", name="Action n° 2").wait_for(timeout=30_000)
        wait_for_app(gold)
        _decision(gold, LATE, TODAY - timedelta(days=5))
        gold.get_by_text(LATE).first.wait_for(timeout=30_000)  # on the action's card, as text
        screenshot(gold, "revue_decisions")
        # 3. the relevé in DOCX.
        first = _releve_text(gold, tmp_path, "releve1.docx")
        assert "GOLD de printemps" in first and DONE in first and LATE in first
        assert "Action n° 1" in first and "Action n° 2" in first
        screenshot(gold, "decisions")

        # 4. the responsable porteur marks one done.
        porteur = browser.new_context(viewport=VIEWPORT, locale="fr-FR").new_page()
        log_in(porteur, url, "mde", PASSWORD)
        go_to(porteur, "Mes actions")
        form = porteur.locator("[data-testid='stForm']", has_text="Nouvel état")
        choose_option(form, porteur, "Décision", f"n° 1 · {DONE}")  # the base's first décision
        form.get_by_label("Commentaire (ce qui a été fait)").fill("Chiffres reçus")
        form.get_by_role("button", name="Enregistrer", exact=True).click()
        _success(porteur, "faite")
        # Validation is on (the default): « faite » waits in a dépôt, sent, then published.
        press(porteur, "Envoyer pour validation", "envoyé : l'équipe le valide")
        porteur.context.close()
        go_to(gold, "Dépôts à valider")
        gold.get_by_role("heading", name="Dépôt n° 1").wait_for(timeout=30_000)
        press(gold, "Publier", "Dépôt n° 1 publié")

        # 5. the next séance, today: its relevé lists the other as still open, and late.
        go_to(gold, "Revue GOLD")
        _open_seance(gold, "GOLD d'été", TODAY)
        second = _releve_text(gold, tmp_path, "releve2.docx")
        assert "GOLD d'été" in second
        assert LATE in second and "ouverte — en retard" in second
        assert DONE not in second
