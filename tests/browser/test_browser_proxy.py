"""Chromium through the real reverse proxy (Debian's nginx running deploy/nginx/ptlcd.conf, a
self-signed certificate): log in, reload, import a file, log out, all over https and the
proxied WebSocket; the login cookie out of reach of page scripts; and the address that keys the
delays after failed logins, which a visitor cannot choose with X-Forwarded-For."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers import import_files as f
from tests.helpers.browser import (
    go_to,
    log_in,
    press,
    screenshot,
    session_cookie,
    streamlit_server,
    upload,
    wait_for_app,
)
from tests.helpers.databases import Templates
from tests.helpers.proxy import NGINX, Proxy, nginx_proxy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        NGINX is None, reason="nginx absent (paquet nginx : scripts/test.sh l'installe)"
    ),
]
PASSWORD = "mot-de-passe-agent-saisie"
VIEWPORT = {"width": 1400, "height": 1000}
FORGED = "203.0.113.66"  # an address a visitor claims (TEST-NET-3)


@pytest.fixture(scope="module")
def behind_proxy(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proxy, Path]]:
    """The app behind nginx as the README installs it (PTLCD_TRUSTED_PROXY=true), one base
    with a `saisie` account, shared by the tests of this module."""
    folder = tmp_path_factory.mktemp("proxy-navigateur")
    db = templates.copy("plan", folder / "ptlcd.duckdb")
    with store.connect(db) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent Saisie", "saisie", PASSWORD)
    with streamlit_server(db, env={"PTLCD_TRUSTED_PROXY": "true"}) as app:
        with nginx_proxy(app, folder) as proxy:
            yield proxy, db


def _page(browser: Any, **options: Any) -> Any:
    """A new browser (its own cookies) that accepts the test certificate."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="fr-FR", ignore_https_errors=True, **options
    )
    return context.new_page()


def _sidebar(page: Any) -> str:
    return str(page.locator("[data-testid='stSidebar']").inner_text())


def _workbook(folder: Path) -> Path:
    path = folder / "releve_2019.xlsx"
    path.write_bytes(
        f.xlsx(
            {
                "Indicateurs": [
                    f.IND_HEADER,
                    ["I1.1.a", "", "Nantes", 2019, "1 234", 1500, "Mission égalité"],
                ]
            }
        )
    )
    return path


def test_log_in_reload_import_and_log_out_through_the_proxy(behind_proxy, browser, tmp_path):
    proxy, db = behind_proxy
    page = _page(browser)
    log_in(page, proxy.url, "agent", PASSWORD)
    page.reload()
    wait_for_app(page)
    assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)

    go_to(page, "Import de données")
    page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
    # Over PTLCD_MAX_UPLOAD_MB but under the widget's limit: nginx lets it through, and the app
    # says why it refuses it, in French (never nginx's 413).
    too_big = tmp_path / "gros.csv"
    too_big.write_bytes(b"x" * (21 * 2**20))
    upload(page, too_big)
    press(page, "Vérifier", "Fichier refusé")
    assert "réglage PTLCD_MAX_UPLOAD_MB" in page.inner_text("body")
    screenshot(page, "proxy_import_trop_gros")
    upload(page, _workbook(tmp_path))
    press(page, "Vérifier", "Aucune erreur")
    press(page, "Publier", "Lot n° 1 publié")
    assert page.locator("[data-testid='stException']").count() == 0
    shot = screenshot(page, "proxy_import_publie")
    assert shot.stat().st_size > 10_000

    go_to(page, "Connexion")
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Lecture publique").wait_for(timeout=30_000)
    page.reload()
    wait_for_app(page)
    assert "Lecture publique" in _sidebar(page)
    assert session_cookie(page) is None
    page.context.close()

    with store.connect(db) as conn:
        assert conn.execute(
            "SELECT territoire_code, valeur FROM indicateur_valeur WHERE import_id IS NOT NULL"
        ).fetchall() == [("NANTES", 1234.0)]
    # All of it went through nginx: the page's WebSocket, the file, over https.
    logged = proxy.access_log.read_text()
    assert '"GET /_stcore/stream HTTP/1.1" 101' in logged
    assert '"PUT /_stcore/upload_file/' in logged and '" 413 ' not in logged


def test_the_login_cookie_is_httponly_and_secure_behind_the_proxy(behind_proxy, browser):
    """Issue 26: over https the session cookie is Secure, HttpOnly (no page script reads it),
    and a reload keeps the login."""
    proxy, _ = behind_proxy
    page = _page(browser)
    log_in(page, proxy.url, "agent", PASSWORD)
    cookie = session_cookie(page)
    assert cookie is not None
    assert cookie["secure"] is True
    assert cookie["httpOnly"] is True
    assert "ptlcd_session" not in page.evaluate("document.cookie")
    page.reload()
    wait_for_app(page)
    assert "Connecté(e) : Agent Saisie (saisie)" in _sidebar(page)
    page.context.close()


def _failed_login(page: Any, url: str, login: str) -> None:
    page.goto(f"{url}/connexion")
    wait_for_app(page)
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Identifiant ou mot de passe incorrect.").wait_for(timeout=30_000)


def _failure_addresses(db: Path, login: str) -> list[str | None]:
    with store.connect(db) as conn:
        rows = conn.execute(
            "SELECT adresse FROM connexion_echec WHERE login = ?", [login]
        ).fetchall()
    return [row[0] for row in rows]


def test_behind_the_proxy_the_address_is_the_one_nginx_saw(behind_proxy, browser):
    """A visitor who sends X-Forwarded-For (to escape the delays after failed logins, or to
    slow someone else down) is counted at the address nginx saw, never at the claimed one."""
    proxy, db = behind_proxy
    page = _page(browser, extra_http_headers={"X-Forwarded-For": FORGED})
    _failed_login(page, proxy.url, "devineur")
    page.context.close()
    assert _failure_addresses(db, "devineur") == ["127.0.0.1"]


def test_without_a_declared_proxy_x_forwarded_for_is_ignored(db_path, browser):
    """PTLCD_TRUSTED_PROXY unset: the header is anyone's word, even from this machine (where
    uvicorn would believe it by default): the address is the connection's own (local: none)."""
    with streamlit_server(db_path) as url:
        page = _page(browser, extra_http_headers={"X-Forwarded-For": FORGED})
        _failed_login(page, url, "devineur")
        page.context.close()
    assert _failure_addresses(db_path, "devineur") == [None]
