"""Real browser: record a decision in Revue GOLD, see it on the other pages and after a restart."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers.browser import (
    choose_option,
    go_to,
    log_in,
    open_tab,
    screenshot,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1600, "height": 1400}
COMMENT = "Décision du GOLD <b>test</b>"
REALISE_RGB = "rgb(0, 158, 115)"  # #009E73, the "Réalisé" colour


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def _metric(page, label: str, expected: str | None = None) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    value = metric.locator("[data-testid='stMetricValue']")
    if expected is not None:  # wait for the rerun that follows a recording
        from playwright.sync_api import expect

        expect(value).to_have_text(expected, timeout=30_000)
    return value.inner_text().strip()


def _no_error(page, name: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, name
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, name


PASSWORD = "mot-de-passe-du-gold"


def test_review_record_shows_on_every_page_and_survives_a_restart(db_path, browser):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "gold", "Membre du GOLD", "saisie", PASSWORD)
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        log_in(page, url, "gold", PASSWORD)
        go_to(page, "Revue GOLD")
        page.get_by_role("heading", name="Action n° 1").wait_for(timeout=30_000)
        assert _metric(page, "Statut") == "En cours"  # "engagé" in the plan

        form = page.locator("[data-testid='stForm']")
        choose_option(form, page, "Statut", "Réalisé")
        form.get_by_label("Commentaire (décision, point d'étape)").fill(COMMENT)
        form.get_by_role("button", name="Enregistrer").click()
        wait_for_app(page)
        page.locator("[data-testid='stAlertContentSuccess']").wait_for(timeout=30_000)
        assert "Action n° 1" in page.locator("[data-testid='stAlertContentSuccess']").inner_text()
        assert _metric(page, "Statut", expected="Réalisé") == "Réalisé"
        screenshot(page, "revue_gold")
        _no_error(page, "revue")

        _open(page, f"{url}/avancement")
        page.get_by_role("heading", name="Avancement par axe").wait_for(timeout=30_000)
        assert _metric(page, "Réalisées") == "1"
        screenshot(page, "avancement_par_axe")
        _no_error(page, "avancement")

        # A click on the "Réalisé" segment lists that action.
        box = page.evaluate(
            """rgb => {
                const bar = [...document.querySelectorAll('g.trace.bars g.point path')]
                    .find(p => getComputedStyle(p).fill === rgb);
                bar.scrollIntoView({block: 'center'});
                const r = bar.getBoundingClientRect();
                return {x: r.x + r.width / 2, y: r.y + r.height / 2};
            }""",
            REALISE_RGB,
        )
        page.mouse.click(box["x"], box["y"])
        wait_for_app(page)
        page.get_by_text("1 action(s). Cliquez sur une ligne").wait_for(timeout=30_000)

        _open(page, f"{url}/calendrier")
        page.get_by_role("heading", name="Calendrier et retards").wait_for(timeout=30_000)
        open_tab(page, "Prévu et réel")  # the Gantt chart's tab
        page.get_by_text("Réel : Réalisé").first.wait_for(timeout=30_000)
        screenshot(page, "calendrier_retards")
        _no_error(page, "calendrier")

        _open(page, f"{url}/engagement")
        page.get_by_role("heading", name="Matrice actions × territoires").wait_for(timeout=30_000)
        # A cell's tooltip, in French: the action, its wording, the territory, the level, since.
        matrix = page.locator("[data-testid='stVegaLiteChart'] canvas").first
        matrix.wait_for(timeout=30_000)
        box = matrix.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.4)
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(timeout=10_000)
        hover = tooltip.text_content() or ""
        assert all(w in hover for w in ("Action", "Libellé", "Territoire", "Niveau")), hover
        screenshot(page, "engagement_communes")
        _no_error(page, "engagement")
        page.close()

    with streamlit_server(db_path) as url:  # a new server process: the record is in the file
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        _open(page, f"{url}/fiche?action=1")
        page.get_by_role("heading", name="Action n° 1").wait_for(timeout=30_000)
        assert _metric(page, "Statut") == "Réalisé"
        # Shown as text, under its label: the tags are characters, not elements.
        page.get_by_text(COMMENT).first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stMain'] b", has_text="test").count() == 0
        screenshot(page, "fiche_suivi")
        _no_error(page, "fiche")
        page.close()


def test_review_is_read_only_when_recording_is_disabled(db_path, browser):
    with streamlit_server(db_path, env={"PTLCD_ALLOW_RECORDING": "false"}) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        _open(page, f"{url}/revue")
        page.get_by_text("L'enregistrement est désactivé").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stForm']").count() == 0
        page.close()
