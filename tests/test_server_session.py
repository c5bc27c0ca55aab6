"""The login cookie's routes on the real server (`streamlit run serve.py`), read with httpx:
`/r/TOKEN` (a campaign's reply link) and the refusals of `/session/cookie`.

Redeeming a real ticket needs a page that issued it, in the server's process: those tests drive
a login in Chromium and redeem its ticket with httpx (tests/browser/test_browser_session.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from ptlcd_data import store
from ptlcd_data.access import accounts, liens, sessions
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns
from ptlcd_data.depots import drafts, forms
from ptlcd_data.errors import PermissionDenied
from ptlcd_data.settings import Settings
from tests.helpers.browser import streamlit_server
from tests.helpers.databases import Templates
from web import session as web_session

SOON = date.today() + timedelta(days=20)


@pytest.fixture(scope="module")
def site(served_plan: tuple[str, Path]) -> tuple[str, Path]:
    return served_plan


@pytest.fixture(scope="module")
def proxied(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The server behind a reverse proxy it trusts (PTLCD_TRUSTED_PROXY)."""
    db = templates.copy("plan", tmp_path_factory.mktemp("proxy") / "ptlcd.duckdb")
    with streamlit_server(db, env={"PTLCD_TRUSTED_PROXY": "true"}) as url:
        yield url, db


def _link(db: Path, code: str = "MDE") -> str:
    """A new reply link of `code` in the open campaign (opened when there is none)."""
    with store.connect(db) as conn:
        campaign = campaigns.current(conn) or campaigns.open_campaign(
            conn, SYSTEM, "Suivi 2025", SOON, 2025
        )
        return liens.mint(conn, SYSTEM, campaign.id, [code], days=30)[code][0]


def _visit(url: str, token: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}/r/{token}", headers=headers, follow_redirects=False)


def _cookie_header(answer: httpx.Response) -> str:
    (found,) = [h for h in answer.headers.get_list("set-cookie") if h.startswith("ptlcd_session=")]
    return found


def _user(db: Path, cookie: str):  # type: ignore[no-untyped-def]
    with store.connect(db) as conn:
        return sessions.session_user(conn, cookie, sessions.secret_key(Settings(db_path=db)))


def _sessions(db: Path) -> int:
    with store.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM session_connexion").fetchone()[0])


def test_a_link_redirects_to_mes_actions_with_an_httponly_cookie(site):
    url, db = site
    token = _link(db)
    answer = _visit(url, token)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/mes-actions"  # the token leaves the address bar
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    header = _cookie_header(answer)
    flags = [part.strip().lower() for part in header.split(";")[1:]]
    assert {"httponly", "samesite=strict", "path=/"} <= set(flags)
    assert "secure" not in flags  # plain http here
    assert any(f.startswith("max-age=") and int(f[8:]) == 12 * 3600 for f in flags)
    user = _user(db, answer.cookies["ptlcd_session"])
    assert user is not None and user.porteurs == ("MDE",) and user.lien is not None
    # The page it leads to is the app's.
    page = httpx.get(
        f"{url}/mes-actions", cookies={"ptlcd_session": answer.cookies["ptlcd_session"]}
    )
    assert page.status_code == 200 and '<div id="root">' in page.text


def test_the_token_never_reaches_the_servers_log(site):
    url, db = site
    token = _link(db)
    assert _visit(url, token).status_code == 303
    assert _visit(url, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404
    port = url.rsplit(":", 1)[1]
    log = (db.parent / f"streamlit-{port}.log").read_text(errors="replace")
    assert "localhost" in log or "URL" in log  # the log is the server's, and written
    assert token not in log and token[:20] not in log


@pytest.mark.parametrize(
    ("token", "status"),
    [("A" * 43, 404), ("court", 404), ("A" * 42 + "~", 404), ("..%2F..%2Fhealthz", 400)],
    ids=["inventé", "court", "signe", "chemin"],
)
def test_a_forged_link_opens_nothing(site, token, status):
    url, db = site
    before = _sessions(db)
    answer = _visit(url, token)
    assert answer.status_code == status  # a path trick stops at Streamlit's own guard
    assert "set-cookie" not in answer.headers
    if status == 404:
        assert answer.headers["content-type"].startswith("text/html")
        assert "Lien inconnu" in answer.text and '<html lang="fr">' in answer.text
        assert token not in answer.text
    assert _sessions(db) == before


def test_a_revoked_link_and_its_sessions_are_refused_at_once(site):
    url, db = site
    token = _link(db)
    cookie = _visit(url, token).cookies["ptlcd_session"]
    assert _user(db, cookie) is not None
    with store.connect(db) as conn:
        liens.revoke_porteur(conn, SYSTEM, "MDE")
    answer = _visit(url, token)
    assert answer.status_code == 410 and "set-cookie" not in answer.headers
    assert "Lien expiré" in answer.text and "révoqué" in answer.text
    assert _user(db, cookie) is None


def test_a_link_of_one_porteur_writes_nothing_for_another(site):
    """The session the real server opened for MDE's link, trying VILLE_NANTES's action (n° 1)
    and indicator: refused in the data layer, nothing written."""
    url, db = site
    user = _user(db, _visit(url, _link(db)).cookies["ptlcd_session"])
    assert user is not None
    with store.connect(db) as conn:
        for porteur, line in (
            (None, forms.status_line(1, date.today(), "En cours", 10, None)),
            ("VILLE_NANTES", forms.value_line("I4.2.b", "NM", 2025, 7.0, None, None)),
        ):
            with pytest.raises((PermissionDenied, drafts.DraftRefused)):
                drafts.add_lines(conn, user, porteur, [line])
        assert conn.execute("SELECT count(*) FROM depot_ligne").fetchone()[0] == 0


def test_after_closing_the_campaign_its_links_open_nothing(site):
    url, db = site
    token = _link(db)
    cookie = _visit(url, token).cookies["ptlcd_session"]
    with store.connect(db) as conn:
        campaign = campaigns.current(conn)
        assert campaign is not None
        campaigns.close_campaign(conn, SYSTEM, campaign.id)
    assert _visit(url, token).status_code == 410
    assert _user(db, cookie) is None


def test_behind_a_trusted_proxy_over_https_the_cookie_is_secure(proxied, site):
    url, db = proxied
    answer = _visit(url, _link(db), **{"X-Forwarded-Proto": "https"})
    assert "secure" in [p.strip().lower() for p in _cookie_header(answer).split(";")]
    plain = _visit(url, _link(db))
    assert "secure" not in [p.strip().lower() for p in _cookie_header(plain).split(";")]
    # Without PTLCD_TRUSTED_PROXY the header is anyone's to send: ignored.
    url, db = site
    ignored = _visit(url, _link(db), **{"X-Forwarded-Proto": "https"})
    assert "secure" not in [p.strip().lower() for p in _cookie_header(ignored).split(";")]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, "A" * 43, 403),  # no Origin: not from a page of this site
        ({"Origin": "http://ailleurs.example"}, "A" * 43, 403),
        ({"Origin": "null"}, "A" * 43, 403),
        ({"Origin": "SELF"}, "A" * 43, 403),  # from this site, but no such ticket
        ({"Origin": "SELF"}, "A" * 4000, 400),
    ],
    ids=["sans-origine", "autre-site", "origine-nulle", "ticket-inconnu", "trop-long"],
)
def test_the_cookie_route_refuses_what_is_not_a_ticket_of_this_site(site, headers, body, status):
    url, _ = site
    headers = {k: url if v == "SELF" else v for k, v in headers.items()}
    answer = httpx.post(f"{url}/session/cookie", content=body, headers=headers)
    assert answer.status_code == status
    assert "set-cookie" not in answer.headers
    assert re.search(r"[éè]|Requête|Ticket", answer.text)  # French
    # Only a POST is the route: a GET is Streamlit's page, which sets no cookie.
    assert "set-cookie" not in httpx.get(f"{url}/session/cookie").headers


def _request(**headers: str) -> Request:
    raw = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("headers", "trusted", "same"),
    [
        ({"origin": "http://127.0.0.1:8501", "host": "127.0.0.1:8501"}, False, True),
        ({"origin": "https://ptlcd.example", "host": "ptlcd.example"}, False, True),
        # nginx's `$host` drops the port: the host name is what counts.
        ({"origin": "https://ptlcd.example:8443", "host": "ptlcd.example"}, False, True),
        ({"origin": "https://evil.example", "host": "ptlcd.example"}, False, False),
        # Malformed: not this site (and never a 500).
        ({"origin": "http://[", "host": "ptlcd.example"}, False, False),
        ({"origin": "https://ptlcd.example", "host": "["}, False, False),
        ({"origin": "https://ptlcd.example.evil.example", "host": "ptlcd.example"}, False, False),
        ({"origin": "null", "host": "ptlcd.example"}, False, False),
        ({"host": "ptlcd.example"}, False, False),
        (
            {
                "origin": "https://ptlcd.example",
                "host": "app:8501",
                "x_forwarded_host": "ptlcd.example",
            },
            True,
            True,
        ),
        (
            {
                "origin": "https://ptlcd.example",
                "host": "app:8501",
                "x_forwarded_host": "ptlcd.example",
            },
            False,
            False,
        ),
    ],
)
def test_same_origin_compares_the_host_the_browser_addressed(headers, trusted, same):
    assert web_session.same_origin(_request(**headers), Settings(trusted_proxy=trusted)) is same


def test_a_head_on_a_link_opens_nothing(site):
    """A mail scanner checking the address with HEAD: no session, no opening counted."""
    url, db = site
    token = _link(db)
    before = _sessions(db)
    answer = httpx.head(f"{url}/r/{token}")
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    assert _sessions(db) == before
    with store.connect(db) as conn:
        assert int(liens.links(conn).sort_values("id")["ouvertures"].iloc[-1]) == 0


def test_a_link_followed_by_a_logged_in_browser_closes_that_login(site):
    """The link's session replaces the browser's cookie: the login it held must not live on,
    unseen, on the server."""
    url, db = site
    secret = sessions.secret_key(Settings(db_path=db))
    with store.connect(db) as conn:
        staff = accounts.add_user(
            conn, SYSTEM, "coord", "Coordination", "saisie", "Coordination-2026!"
        )
        held = sessions.open_session(conn, staff, secret, 12).value
    assert _user(db, held) is not None
    answer = _visit(url, _link(db), cookie=f"ptlcd_session={held}")
    assert answer.status_code == 303
    assert _user(db, held) is None
    assert _user(db, answer.cookies["ptlcd_session"]).lien is not None
    # A refused link closes nothing.
    with store.connect(db) as conn:
        kept = sessions.open_session(conn, staff, secret, 12).value
    assert _visit(url, "x" * 43, cookie=f"ptlcd_session={kept}").status_code == 404
    assert _user(db, kept) is not None
