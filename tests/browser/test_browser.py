"""Real-browser tests: `streamlit run` + Playwright driving Debian's chromium.

The tests that only read share one server on one base (`plan_site`)."""

from __future__ import annotations

import pytest

from tests.helpers.browser import (
    screenshot,
    streamlit_server,
    wait_for_app,
    wait_for_refusal,
)

pytestmark = pytest.mark.browser

PAGES = [
    ("", "accueil", "Vue d'ensemble du plan"),
    ("fiche?action=9", "fiche_action", "Fiche action"),
]


def test_every_page_opens_without_exception(plan_site, browser):
    url = plan_site
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    for path, name, title in PAGES:
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
        screenshot(page, name)
        assert page.locator("[data-testid='stException']").count() == 0, name
        assert page.locator("[data-testid='stAlertContentError']").count() == 0, name
    page.close()


# How many actions the home page lists (its links to a fiche).
LISTED_ACTIONS = "document.querySelectorAll(\"[data-testid='stPageLink-NavLink']\").length"


def _home(browser, url):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    page.goto(url)
    wait_for_app(page)
    return page


def test_clicking_a_listed_action_opens_its_fiche(plan_site, browser):
    url = plan_site
    page = _home(browser, url)
    page.get_by_label("Rechercher").fill("GOLD")
    page.get_by_label("Rechercher").press("Enter")
    wait_for_app(page)
    page.wait_for_function(f"{LISTED_ACTIONS} < 34", timeout=30_000)  # narrowed
    links = page.locator("[data-testid='stPageLink-NavLink']", has_text="N° ")
    links.filter(has_text="N° 9 —").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Action n° 9").wait_for(timeout=30_000)
    assert page.url.endswith("/fiche?action=9")
    page.close()


def test_filters_open_in_a_popover_and_narrow_the_list(plan_site, browser):
    url = plan_site
    page = _home(browser, url)
    # not drawn until the popover opens (that is what keeps the first page light)
    assert page.locator("[data-testid='stMultiSelect']").count() == 0
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_label("Axe", exact=True).click()
    page.get_by_role("option", name="5. Évaluer").click()
    wait_for_app(page)
    page.get_by_text("Filtré par : axe 5").wait_for(timeout=30_000)
    screenshot(page, "accueil_filtres")
    page.wait_for_function(f"{LISTED_ACTIONS} === 3", timeout=30_000)
    page.close()


def test_anonymous_visitor_is_refused_the_journal_by_url(db_path, browser):
    # Its own server: the refusal must hold on a fresh server's very first request.
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        # Twice: the first request of a fresh server and a later one take different paths.
        for _ in range(2):
            page.goto(f"{url}/journal")
            wait_for_refusal(page, "Journal")
            assert page.get_by_role("heading", name="Journal des écritures").count() == 0
            assert page.locator("[data-testid='stDataFrame']").count() == 0
        screenshot(page, "anonyme_journal_refuse")
        page.close()
