"""Logins that last (a signed session cookie) and refused addresses, with AppTest.

AppTest cannot send cookies (st.context.cookies comes from a browser's request): a reload is a
new AppTest whose cookie is given to `ui.session` as a browser would send it. What the page asks
of the cookie is read from its script: a ticket, redeemed here as the server's route would
(`tickets.redeem`); the route's answer itself (Set-Cookie, HttpOnly) is tested against the real
server (tests/test_server_session.py) and in Chromium (tests/browser/test_browser_session.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts, sessions, tickets
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.settings import Settings
from tests.helpers.apptest import PASSWORD, add_account, app, assert_clean
from ui import session

SCRIPT = re.compile(
    r'<script id="ptlcd-cookie">fetch\("/session/cookie", \{method: "POST", '
    r'credentials: "same-origin", headers: \{"Content-Type": "text/plain"\}, '
    r'body: "([A-Za-z0-9_-]{43})"\}\);</script>'
)


@pytest.fixture
def agent(app_env):
    return add_account(app_env, "agent", "saisie", "Agent Saisie")


def _caption(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def _cookie_written(at: AppTest) -> tuple[str, int] | None:
    """What the page's script asks of the session cookie, if anything, as the server's route
    would do it: (token, max-age) to set, ("", 0) to clear."""
    for block in at.get("html"):
        found = SCRIPT.search(block.proto.body)
        if found:
            assert "ptlcd_session" not in block.proto.body  # never the cookie nor its token
            ticket = tickets.redeem(found[1])
            assert ticket is not None, "a ticket the server knows, once"
            assert tickets.redeem(found[1]) is None
            if ticket.action == tickets.OPEN:
                assert ticket.token is not None
                assert ticket.token not in block.proto.body
                return ticket.token, ticket.max_age
            return "", 0
    return None


def _log_in(at: AppTest, login: str = "agent") -> AppTest:
    at.switch_page("app_pages/connexion.py").run()
    at.text_input(key="login_id").input(login)
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    return at


def _reload(monkeypatch: pytest.MonkeyPatch, cookie: str | None) -> AppTest:
    """A new tab (fresh session state) whose browser sends `cookie`."""
    monkeypatch.setattr(session, "_cookie_token", lambda: cookie)
    at = app()
    at.run()
    assert_clean(at)
    return at


def test_a_login_writes_a_signed_cookie_that_logs_in_again_after_a_reload(agent, monkeypatch):
    at = _log_in(app().run())
    assert "Connecté(e) : Agent Saisie (saisie)" in _caption(at)
    written = _cookie_written(at)
    assert written is not None and written[1] == 12 * 3600
    assert sessions.is_token_shaped(written[0])
    # Written once: the next run does not write it again.
    at.run()
    assert _cookie_written(at) is None
    again = _reload(monkeypatch, written[0])
    assert "Connecté(e) : Agent Saisie (saisie)" in _caption(again)
    assert _cookie_written(again) is None


def test_the_cookie_lives_as_long_as_the_setting_says(agent, monkeypatch):
    monkeypatch.setenv("PTLCD_SESSION_HOURS", "3")
    at = _log_in(app().run())
    assert _cookie_written(at) == (at.session_state[session.TOKEN_KEY], 3 * 3600)


def test_logging_out_deletes_the_cookie_and_a_copy_of_it_no_longer_works(agent, monkeypatch):
    at = _log_in(app().run())
    token = at.session_state[session.TOKEN_KEY]
    at.button(key="logout").click().run()
    assert "Lecture publique" in _caption(at)
    assert _cookie_written(at) == ("", 0)
    copy = _reload(monkeypatch, token)
    assert "Lecture publique" in _caption(copy)
    assert _cookie_written(copy) == ("", 0), "the refused cookie is deleted from the browser"


def test_logging_out_in_a_reloaded_tab_revokes_its_cookie(agent, monkeypatch):
    token = _cookie_written(_log_in(app().run()))[0]  # type: ignore[index]
    reloaded = _reload(monkeypatch, token)
    reloaded.switch_page("app_pages/connexion.py").run()
    reloaded.button(key="logout").click().run()
    assert "Lecture publique" in _caption(reloaded)
    assert "Lecture publique" in _caption(_reload(monkeypatch, token))


def test_a_log_out_in_another_tab_ends_this_tabs_login_at_its_next_run(agent, monkeypatch):
    first = _log_in(app().run())
    token = first.session_state[session.TOKEN_KEY]
    first.run()
    assert "Connecté(e)" in _caption(first)  # checked, then kept for this revision
    other = _reload(monkeypatch, token)
    other.switch_page("app_pages/connexion.py").run()
    other.button(key="logout").click().run()
    first.run()
    assert "Lecture publique" in _caption(first)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "n'importe quoi; <script>",
        lambda token: "",
    ],
)
def test_a_forged_cookie_is_anonymous_without_a_traceback(agent, monkeypatch, forge):
    token = _cookie_written(_log_in(app().run()))[0]  # type: ignore[index]
    at = _reload(monkeypatch, forge(token))
    assert "Lecture publique" in _caption(at)
    at.switch_page("app_pages/import_donnees.py").run()
    assert_clean(at)
    assert not at.get("file_uploader")


def test_an_expired_cookie_is_anonymous(agent, monkeypatch):
    settings = Settings.from_env()
    with store.connect(settings.db_path) as conn:
        user = accounts.get_user(conn, "agent")
        assert user is not None
        token = sessions.open_session(
            conn, user, sessions.secret_key(settings), 1, now=datetime.now() - timedelta(hours=2)
        )
    at = _reload(monkeypatch, token.value)
    assert "Lecture publique" in _caption(at)


def test_a_reloaded_login_gets_the_accounts_current_role(agent, monkeypatch, app_env):
    token = _cookie_written(_log_in(app().run()))[0]  # type: ignore[index]
    with store.connect(app_env) as conn:
        accounts.set_role(conn, SYSTEM, "agent", "lecture")
    at = _reload(monkeypatch, token)
    assert "Connecté(e) : Agent Saisie (lecture)" in _caption(at)
    at.switch_page("app_pages/import_donnees.py").run()
    assert "Votre compte (rôle « lecture »)" in " ".join(w.value for w in at.warning)


def test_a_short_secret_key_is_said_in_french_at_login(agent, monkeypatch):
    monkeypatch.setenv("PTLCD_SECRET_KEY", "trop-courte")
    at = _log_in(app().run())
    assert not at.exception
    assert any("est trop courte \\(11 caractères\\)" in e.value for e in at.error)
    assert "Lecture publique" in _caption(at)


def test_the_import_address_tells_an_anonymous_visitor_where_to_log_in(app_env):
    at = app().run()
    at.switch_page("app_pages/import_donnees.py").run()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Import de données"]
    text = " ".join(w.value for w in at.warning)
    assert "réservée aux comptes ayant le rôle « porteur »" in text
    assert [(link.proto.label, link.proto.page) for link in at.get("page_link")] == [
        ("Connexion", "connexion")
    ]
    assert not at.get("file_uploader")


def test_when_reading_needs_a_login_the_home_address_points_to_connexion(app_env, monkeypatch):
    monkeypatch.setenv("PTLCD_READ_REQUIRES_LOGIN", "true")
    at = app().run()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Vue d'ensemble"]
    assert "réservée aux personnes connectées" in " ".join(w.value for w in at.warning)
    assert [link.proto.page for link in at.get("page_link")] == ["connexion"]
