"""A porteur without an account answers a campaign from the link in its reminder, in Chromium:
the link, clicked in another site's page (a webmail), lands on « Mes actions » with the token
gone from the address bar and an HttpOnly cookie; every other page is refused in French; the
value sent becomes a dépôt à valider journaled « lien de campagne (porteur MDE) »."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal, liens
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns
from tests.helpers.browser import (
    cookie_answer,
    press,
    screenshot,
    session_cookie,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser
AUTHOR = "lien de campagne (porteur MDE)"


def _nav(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The pages of the sidebar's menu, by their label (the icon's ligature name dropped)."""
    return [
        str(t).strip().splitlines()[-1]
        for t in page.locator("[data-testid='stSidebarNavLink']").all_inner_texts()
    ]


def test_a_reply_link_opens_mes_actions_alone_and_sends_a_depot(db_path, browser):
    with store.connect(db_path) as conn:
        c = campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", date.today() + timedelta(days=20))
        token = liens.mint(conn, SYSTEM, c.id, ["MDE"], days=30)["MDE"][0]
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        # A webmail's page: the click is a navigation from another site.
        page.set_content(f'<a href="{url}/r/{token}">Répondre à la campagne</a>')
        page.get_by_role("link", name="Répondre à la campagne").click()
        page.wait_for_url(f"{url}/mes-actions")
        wait_for_app(page)
        page.get_by_role("heading", name="Mes actions").wait_for(timeout=30_000)
        assert token not in page.url
        assert token not in page.evaluate("window.location.href + document.referrer")
        assert set(_nav(page)) == {"Mes actions", "Accessibilité"}
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert f"Connecté(e) : {AUTHOR}" in sidebar
        cookie = session_cookie(page)
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert "ptlcd_session" not in str(page.evaluate("document.cookie"))
        page.get_by_text("ce lien est valable jusqu'au").wait_for(timeout=30_000)
        screenshot(page, "lien_de_campagne_mes_actions")

        # Every other address is refused, in French, pointing back to « Mes actions ».
        for path, title in (
            ("journal", "Journal"),
            ("import", "Import de données"),
            ("", "Vue d'ensemble"),
        ):
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30_000)
            page.get_by_text("Ce lien de campagne n'ouvre que la page « Mes actions »").wait_for()
            main = page.locator("[data-testid='stMain']")
            assert main.get_by_role("link", name="Mes actions").count() == 1
            assert page.locator("[data-testid='stDataFrame']").count() == 0
            assert set(_nav(page)) == {"Mes actions", "Accessibilité"}

        # A value sent through the link: a dépôt à valider, journaled as the link.
        page.goto(f"{url}/mes-actions")
        wait_for_app(page)
        form = page.locator("[data-testid='stForm']", has_text="Enregistrer la valeur")
        form.get_by_label("Valeur", exact=True).fill("42")
        form.get_by_role("button", name="Enregistrer la valeur").click()
        wait_for_app(page)
        page.get_by_text("Valeur ajoutée au dépôt").first.wait_for(timeout=60_000)
        press(page, "Envoyer pour validation", "envoyé : l'équipe le valide")
        with store.connect(db_path) as conn:
            rows = conn.execute("SELECT etat, depose_par, porteur_code FROM depot").fetchall()
            entry = journal.entries(conn, operation="dépôt").iloc[0]
        assert rows == [("a_valider", AUTHOR, "MDE")]
        assert entry["auteur"] == AUTHOR

        # Ending the link's session on this device clears the cookie; the link opens again.
        with cookie_answer(page) as answer:
            page.get_by_role("button", name="Fermer la session de ce lien").click()
            page.get_by_text("Lecture publique").wait_for(timeout=30_000)
        assert answer.value.status == 204 and session_cookie(page) is None
        page.goto(f"{url}/r/{token}")
        page.wait_for_url(f"{url}/mes-actions")
        wait_for_app(page)
        page.get_by_role("heading", name="Mes actions").wait_for(timeout=30_000)
        page.close()
