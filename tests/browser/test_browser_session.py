"""Logins that last, in Chromium: the server sets the session cookie HttpOnly (no script of the
page can read it), it survives a reload, dies at log-out, and a forged or expired cookie is
refused and cleared; the cookie route takes a ticket once, from this site only; refused
addresses are told in French."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts, sessions
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.settings import Settings
from tests.helpers.browser import (
    cookie_answer,
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
    context.add_cookies(
        [{"name": sessions.COOKIE_NAME, "value": value, "url": url, "httpOnly": True}]
    )
    return context.new_page()


def _script_sees_cookie(page) -> bool:  # type: ignore[no-untyped-def]
    return "ptlcd_session" in str(page.evaluate("document.cookie"))


@pytest.fixture
def agent_db(db_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent Saisie", "saisie", PASSWORD)
    return db_path


def test_a_login_survives_a_reload_and_a_log_out_ends_it_everywhere(agent_db, browser):
    with streamlit_server(agent_db) as url:
        page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        log_in(page, url, "agent", PASSWORD)  # waits for the server's Set-Cookie
        cookie = session_cookie(page)
        assert cookie is not None
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert not cookie["secure"]  # served over http here; Secure over https
        lifetime = cookie["expires"] - datetime.now().timestamp()
        assert 12 * 3600 - 120 < lifetime <= 12 * 3600 + 5
        assert not _script_sees_cookie(page)  # in the jar, out of every script's reach
        # The script that asked for it takes no room in the sidebar, and holds no token.
        script = page.locator("#ptlcd-cookie")
        assert script.count() == 0 or not script.locator("xpath=../..").is_visible()
        assert cookie["value"] not in page.content()

        _reload(page)  # the websocket's handshake carries the HttpOnly cookie to the server
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        go_to(page, "Import de données")  # the role's pages are back in the menu
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        page.goto(f"{url}/import")  # a new tab on the address itself
        wait_for_app(page)
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        assert not _script_sees_cookie(page)
        screenshot(page, "connexion_apres_rechargement")

        copy = _with_cookie(browser, url, cookie["value"])  # the cookie copied elsewhere
        copy.goto(url)
        wait_for_app(copy)
        assert "Connecté(e) : Agent Saisie" in _sidebar(copy)

        go_to(page, "Connexion")
        with cookie_answer(page) as answer:
            page.get_by_role("button", name="Se déconnecter").click()
            page.get_by_text("Lecture publique").wait_for(timeout=30_000)
        assert answer.value.status == 204
        assert session_cookie(page) is None  # cleared by the server
        _reload(page)
        assert "Lecture publique" in _sidebar(page)
        assert "Import de données" not in _sidebar(page)

        # The copy made before the log-out no longer works: revoked on the server, and the
        # server clears it from that browser too.
        with cookie_answer(copy) as answer:
            copy.reload()
            wait_for_app(copy)
        assert "Lecture publique" in _sidebar(copy)
        assert answer.value.status == 204 and session_cookie(copy) is None
        with store.connect(agent_db) as conn:
            secret = sessions.secret_key(Settings(db_path=agent_db))
            assert sessions.session_user(conn, cookie["value"], secret) is None
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
            if name == "valide":
                page.goto(f"{url}/import")
                wait_for_app(page)
                page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
                assert "Connecté(e) : Agent Saisie" in _sidebar(page)
                assert session_cookie(page) is not None
            else:
                with cookie_answer(page) as answer:  # the server clears the refused cookie
                    page.goto(f"{url}/import")
                    wait_for_refusal(page, "Import de données")
                assert "Lecture publique" in _sidebar(page), name
                assert page.locator("[data-testid='stException']").count() == 0, name
                assert answer.value.status == 204 and session_cookie(page) is None, name
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
        with cookie_answer(page) as answer:
            page.get_by_role("button", name="Se connecter").click()
            # Back on the page that asked for the login, logged in, and still after a reload.
            page.get_by_role("button", name="Vérifier").wait_for(timeout=30_000)
        wait_for_app(page)
        assert page.url.rstrip("/").endswith("/import"), page.url
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        assert answer.value.status == 204 and session_cookie(page) is not None
        _reload(page)
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
        screenshot(page, "connexion_retour_a_la_page")


def _ticket_of_a_login(browser, url: str) -> str:  # type: ignore[no-untyped-def]
    """Log in in a new browser whose cookie request is held back: the ticket its page issued,
    not yet redeemed (the tab is logged in, its browser has no cookie)."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = context.new_page()
    page.route("**/session/cookie", lambda route: route.abort())
    page.goto(f"{url}/connexion")
    wait_for_app(page)
    page.get_by_label("Identifiant").fill("agent")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_request("**/session/cookie", timeout=30_000) as request:
        page.get_by_role("button", name="Se connecter").click()
    ticket = str(request.value.post_data)
    assert session_cookie(page) is None
    context.close()
    return ticket


def _flags(answer: httpx.Response) -> set[str]:
    (header,) = answer.headers.get_list("set-cookie")
    assert header.startswith("ptlcd_session=")
    return {part.strip().lower().split("=")[0] for part in header.split(";")[1:]}


def test_the_cookie_route_takes_a_ticket_once_and_from_this_site_only(agent_db, browser):
    with streamlit_server(agent_db) as url:
        ticket = _ticket_of_a_login(browser, url)
        route = f"{url}/session/cookie"
        elsewhere = httpx.post(route, content=ticket, headers={"Origin": "http://evil.example"})
        assert elsewhere.status_code == 403 and "set-cookie" not in elsewhere.headers
        assert httpx.post(route, content=ticket).status_code == 403  # no Origin at all
        answer = httpx.post(route, content=ticket, headers={"Origin": url})
        assert answer.status_code == 204
        assert {"httponly", "samesite", "path", "max-age"} <= _flags(answer)
        assert "secure" not in _flags(answer)  # plain http, no trusted proxy
        assert "strict" in answer.headers["set-cookie"].lower()
        token = answer.cookies[sessions.COOKIE_NAME]
        with store.connect(agent_db) as conn:
            secret = sessions.secret_key(Settings(db_path=agent_db))
            assert sessions.session_user(conn, token, secret).login == "agent"  # type: ignore[union-attr]
        again = httpx.post(route, content=ticket, headers={"Origin": url})
        assert again.status_code == 403 and "set-cookie" not in again.headers
        # X-Forwarded-Proto is ignored without PTLCD_TRUSTED_PROXY.
        forged = _ticket_of_a_login(browser, url)
        answer = httpx.post(
            route, content=forged, headers={"Origin": url, "X-Forwarded-Proto": "https"}
        )
        assert answer.status_code == 204 and "secure" not in _flags(answer)


def test_behind_a_trusted_proxy_over_https_the_cookie_is_secure(agent_db, browser):
    with streamlit_server(agent_db, env={"PTLCD_TRUSTED_PROXY": "true"}) as url:
        route = f"{url}/session/cookie"
        answer = httpx.post(
            route,
            content=_ticket_of_a_login(browser, url),
            headers={"Origin": url, "X-Forwarded-Proto": "https"},
        )
        assert answer.status_code == 204 and "secure" in _flags(answer)
        plain = httpx.post(route, content=_ticket_of_a_login(browser, url), headers={"Origin": url})
        assert plain.status_code == 204 and "secure" not in _flags(plain)
