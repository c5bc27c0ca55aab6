"""A campaign's reply link in the app (AppTest): the session it opens sees « Mes actions » of its
porteur and nothing else, writes a dépôt journaled as the link, and ends with the link.

The browser arrives from `/r/TOKEN` with the session cookie the route set: a tab whose browser
sends that cookie (`ui.session._cookie_token`), as in tests/test_pages_connexion.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import journal, liens, sessions, tickets
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns
from ptlcd_data.settings import Settings
from tests.helpers.apptest import app, assert_clean, table_having, texts
from ui import navigation, session

MES_ACTIONS = "app_pages/mes_actions.py"
SOON = date.today() + timedelta(days=20)
AUTHOR = "lien de campagne (porteur MDE)"


@pytest.fixture
def link_cookie(app_env, monkeypatch) -> str:
    """The cookie `/r/TOKEN` sets for MDE's link of the open campaign, sent by this browser."""
    with store.connect(app_env) as conn:
        c = campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", SOON, 2025)
        token = liens.mint(conn, SYSTEM, c.id, ["MDE"], days=30)["MDE"][0]
        secret = sessions.secret_key(Settings.from_env())
        cookie, _ = sessions.open_link_session(conn, token, secret, 12)
    monkeypatch.setattr(session, "_cookie_token", lambda: cookie.value)
    return cookie.value


def _at(page: str | None = MES_ACTIONS) -> AppTest:
    at = app().run()
    if page:
        at.switch_page(page).run()
    assert_clean(at)
    return at


def _plain(elements) -> str:  # type: ignore[no-untyped-def]
    """The text shown, without the Markdown escapes of plan and user text."""
    return texts(elements).replace("\\", "")


def _caption(at: AppTest) -> str:
    return _plain(at.sidebar.caption)


def test_the_link_opens_mes_actions_of_its_porteur(link_cookie):
    at = _at()
    assert [t.value for t in at.title] == ["Mes actions"]
    assert f"Connecté(e) : {AUTHOR}" in _caption(at)
    assert "Porteur(s) de ce lien : Maison de l'emploi." in _plain(at.caption)
    assert table_having(at, "action_no", "statut")["action_no"].tolist() == [19]
    banner = _plain(at.info)
    assert "Campagne « Suivi 2025 »" in banner
    assert f"valable jusqu'au {SOON + timedelta(days=30):%d/%m/%Y} inclus" in banner


@pytest.mark.parametrize(
    "spec",
    [s for s in navigation.PAGES if s.url_path not in navigation.LINK_PAGES],
    ids=lambda s: s.key,
)
def test_every_other_page_is_refused_in_french(link_cookie, spec):
    at = _at(spec.path)
    assert [t.value for t in at.title] == [spec.title]
    assert [w.value for w in at.warning] == [navigation.LINK_REFUSAL]
    assert [(link.proto.label, link.proto.page) for link in at.get("page_link")] == [
        ("Mes actions", "mes-actions")
    ]
    assert not at.dataframe and not at.button  # nothing of the page ran


def test_the_navigation_of_a_link_holds_mes_actions_and_the_statement_alone(link_cookie):
    with store.connect(Settings.from_env().db_path) as conn:
        user = sessions.session_user(conn, link_cookie, sessions.secret_key(Settings.from_env()))
    for read_requires_login in (False, True):
        allowed = [
            s.title for s in navigation.PAGES if navigation.allowed(s, user, read_requires_login)
        ]
        assert allowed == ["Mes actions", "Accessibilité"]


def test_a_value_sent_through_the_link_is_a_depot_journaled_as_the_link(link_cookie, app_env):
    at = _at()
    at.selectbox(key="mes_valeur_code_0").select("I4.2.c")
    at.selectbox(key="mes_valeur_territoire_0").select("NANTES")
    at.number_input(key="mes_valeur_valeur_0").set_value(17)
    at.button(key="mes_valeur_submit").click().run()
    assert_clean(at)
    next(b for b in at.button if b.label == "Envoyer pour validation").click().run()
    assert_clean(at)
    assert "envoyé : l'équipe le valide" in _plain(at.success)
    with store.connect(app_env) as conn:
        row = conn.execute("SELECT etat, depose_par, porteur_code FROM depot").fetchall()
        entry = journal.entries(conn, operation="dépôt").iloc[0]
    assert row == [("a_valider", AUTHOR, "MDE")]
    assert entry["auteur"] == AUTHOR


def test_a_revoked_link_is_refused_at_the_next_run_and_its_cookie_cleared(link_cookie, app_env):
    at = _at()
    with store.connect(app_env) as conn:
        liens.revoke_porteur(conn, SYSTEM, "MDE")
    at.run()
    assert "Lecture publique" in _caption(at)
    assert [t.value for t in at.title] == ["Mes actions"]
    assert "réservée aux comptes ayant le rôle « porteur »" in texts(at.warning)
    asked = [b.proto.body for b in at.get("html") if 'id="ptlcd-cookie"' in b.proto.body]
    assert len(asked) == 1
    ticket = tickets.redeem(asked[0].split('body: "')[1][:43])
    assert ticket is not None and (ticket.action, ticket.token) == (tickets.FORGET, link_cookie)


def test_closing_the_links_session_on_this_device(link_cookie, app_env):
    at = _at()
    at.button(key="mes_lien_fermer").click().run()
    assert "Lecture publique" in _caption(at)
    with store.connect(app_env) as conn:
        assert (
            sessions.session_user(conn, link_cookie, sessions.secret_key(Settings.from_env()))
            is None
        )


def test_the_accessibility_statement_stays_reachable(link_cookie):
    """RGAA wants the statement reachable from every page: a link session opens it too."""
    at = _at("app_pages/accessibilite.py")
    assert [t.value for t in at.title] == ["Accessibilité"]
    assert not at.warning
