"""Logins that last, in Chromium: the session cookie survives a reload, dies at log-out, and a
forged or expired cookie is refused; refused addresses are told in French."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts, sessions
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.settings import Settings
from tests.helpers.browser import (
    go_to,
    log_in,
    screenshot,
    session_cookie,
    streamlit_server,
    wait_for_app,
    wait_for_refusal,
)

pytestmark = pytest.mark.browser
PASSWORD = "mot-de-passe-agent-saisie"
VIEWPORT = {"width": 1400, "height": 900}


def _sidebar(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("[data-testid='stSidebar']").inner_text())


def _reload(page) -> None:  # type: ignore[no-untyped-def]
    page.reload()
    wait_for_app(page)


def _with_cookie(browser, url: str, value: str):  # type: ignore[no-untyped-def]
    """A new browser whose cookie jar holds `value` as the session cookie."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    context.add_cookies([{"name": sessions.COOKIE_NAME, "value": value, "url": url}])
    return context.new_page()


@pytest.fixture
def agent_db(db_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent Saisie", "saisie", PASSWORD)
    return db_path


def test_a_login_survives_a_reload_and_a_log_out_ends_it_everywhere(agent_db, browser):
    with streamlit_server(agent_db) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        log_in(page, url, "agent", PASSWORD)
        page.wait_for_function("document.cookie.includes('ptlcd_session=')", timeout=30_000)
        cookie = session_cookie(page)
        assert cookie is not None
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert not cookie["secure"]  # served over http here; Secure over https
        lifetime = cookie["expires"] - datetime.now().timestamp()
        assert 12 * 3600 - 120 < lifetime <= 12 * 3600 + 5
        # The script that wrote it takes no room in the sidebar.
        script = page.locator("#ptlcd-cookie")
        assert script.count() == 0 or not script.locator("xpath=../..").is_visible()

        _reload(page)
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        go_to(page, "Import de données")  # the role's pages are back in the menu
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        page.goto(f"{url}/import")  # a new tab on the address itself
        wait_for_app(page)
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        screenshot(page, "connexion_apres_rechargement")

        copy = _with_cookie(browser, url, cookie["value"])  # the cookie copied elsewhere
        copy.goto(url)
        wait_for_app(copy)
        assert "Connecté(e) : Agent Saisie" in _sidebar(copy)

        go_to(page, "Connexion")
        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_text("Lecture publique").wait_for(timeout=30_000)
        page.wait_for_function("!document.cookie.includes('ptlcd_session=')", timeout=30_000)
        assert session_cookie(page) is None
        _reload(page)
        assert "Lecture publique" in _sidebar(page)
        assert "Import de données" not in _sidebar(page)

        # The copy made before the log-out no longer works: revoked on the server.
        copy.reload()
        wait_for_app(copy)
        assert "Lecture publique" in _sidebar(copy)
        copy.wait_for_function("!document.cookie.includes('ptlcd_session=')", timeout=30_000)
        copy.context.close()
        page.close()


def _forged(token: str) -> str:
    token_id, expires, signature = token.split(".")
    return f"{token_id}.{int(expires) + 86_400 * 30}.{signature}"  # a month more, same signature


def test_forged_and_expired_cookies_are_refused(agent_db, browser):
    settings = Settings(db_path=agent_db)
    secret = sessions.secret_key(settings)  # the file beside the base, shared with the server
    with store.connect(agent_db) as conn:
        user = accounts.get_user(conn, "agent")
        assert user is not None
        live = sessions.open_session(conn, user, secret, 12)
        expired = sessions.open_session(conn, user, secret, 1, datetime.now() - timedelta(hours=2))
    with streamlit_server(agent_db) as url:
        cases = {
            "valide": live.value,  # the control: the same way in, with a real token
            "falsifié": _forged(live.value),
            "expiré": expired.value,
            "inventé": "abc.123.def",
        }
        for name, value in cases.items():
            page = _with_cookie(browser, url, value)
            page.goto(f"{url}/import")
            wait_for_app(page)
            if name == "valide":
                page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
                assert "Connecté(e) : Agent Saisie" in _sidebar(page)
            else:
                wait_for_refusal(page, "Import de données")
                assert "Lecture publique" in _sidebar(page), name
                assert page.locator("[data-testid='stException']").count() == 0, name
                # The refused cookie is deleted from the browser.
                page.wait_for_function(
                    "!document.cookie.includes('ptlcd_session=')", timeout=30_000
                )
            page.context.close()


def test_a_reader_is_told_in_french_that_the_journal_needs_another_role(agent_db, browser):
    with store.connect(agent_db) as conn:
        accounts.add_user(conn, SYSTEM, "elu", "Élu Lecteur", "lecture", PASSWORD)
    with streamlit_server(agent_db) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        log_in(page, url, "elu", PASSWORD)
        page.goto(f"{url}/journal")
        wait_for_refusal(page, "Journal")
        assert "Votre compte (rôle « lecture ») ne permet pas" in page.inner_text("body")
        # Neither the page nor its section is in the reader's menu.
        assert "Journal" not in _sidebar(page) and "Administration" not in _sidebar(page)
        screenshot(page, "lecture_journal_refuse")
        page.locator("[data-testid='stMain']").get_by_role("link", name="Connexion").click()
        page.get_by_role("button", name="Se déconnecter").wait_for(timeout=30_000)
        page.close()


def test_logging_in_from_a_refused_address_opens_that_page_and_lasts(agent_db, browser):
    with streamlit_server(agent_db) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        page.goto(f"{url}/import")
        wait_for_app(page)
        wait_for_refusal(page, "Import de données")
        page.locator("[data-testid='stMain']").get_by_role("link", name="Connexion").click()
        page.get_by_label("Identifiant").wait_for(timeout=30_000)
        assert page.url.endswith("/connexion?retour=import"), page.url
        page.get_by_label("Identifiant").fill("agent")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        # Back on the page that asked for the login, logged in, and still after a reload.
        page.get_by_role("button", name="Vérifier").wait_for(timeout=30_000)
        wait_for_app(page)
        assert page.url.rstrip("/").endswith("/import"), page.url
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        page.wait_for_function("document.cookie.includes('ptlcd_session=')", timeout=30_000)
        _reload(page)
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        screenshot(page, "connexion_retour_a_la_page")
