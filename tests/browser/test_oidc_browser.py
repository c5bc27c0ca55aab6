"""OpenID Connect for real: a local provider (oidc-provider-mock), `streamlit run`, chromium.

The provider runs in this process on a loopback port; the app reads an `[auth]` section from a
secrets file in tmp_path and roles from a roles file. The browser clicks "Se connecter", types an
identity in the provider's form, comes back with a signed identity cookie, and must then hold
exactly the rights the roles file gives that address: admin for one, nothing for an unknown one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    screenshot,
    streamlit_server,
    wait_for_app,
    wait_for_refusal,
)

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "mission.egalite@exemple.fr"
ADMIN_NAME = "Camille Mission"
STRANGER_EMAIL = "inconnu@ailleurs.fr"


@pytest.fixture
def oidc_provider() -> Iterator[str]:
    """A mock OpenID provider on a free loopback port, stopped at the end whatever happens."""
    from oidc_provider_mock import User, app
    from werkzeug.serving import make_server

    provider = app(
        user_claims=[User(sub=ADMIN_EMAIL, claims={"email": ADMIN_EMAIL, "name": ADMIN_NAME})]
    )
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _write_config(tmp_path: Path, provider_url: str, app_port: int) -> tuple[Path, Path]:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "une-cle-de-test-assez-longue-pour-signer-les-cookies"\n'
        'client_id = "ptlcd-test"\n'
        'client_secret = "secret-de-test"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    roles = tmp_path / "roles.toml"
    roles.write_text(f'defaut = ""\n[roles]\n"{ADMIN_EMAIL}" = "admin"\n', encoding="utf-8")
    return secrets, roles


def _sidebar_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-testid='stSidebar']").inner_text()


def _log_in_with_provider(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/connexion")
    wait_for_app(page)
    page.get_by_role("button", name="Se connecter").click()
    # st.login sends the browser to /auth/login, which redirects to the provider's form.
    page.get_by_placeholder("sub").wait_for(timeout=30_000)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    # Back on the app through /oauth2callback, with the identity cookie set.
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)


def test_oidc_login_maps_the_email_to_its_role(db_path, tmp_path, oidc_provider):
    from playwright.sync_api import sync_playwright

    port = free_port()
    secrets, roles = _write_config(tmp_path, oidc_provider, port)
    with (
        streamlit_server(
            db_path,
            env={"PTLCD_ROLES_FILE": str(roles)},
            args=("--secrets.files", str(secrets)),
            port=port,
        ) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fr-FR")
            _log_in_with_provider(page, url, ADMIN_EMAIL)
            page.get_by_text(f"Connecté(e) : {ADMIN_NAME} (admin)").wait_for(timeout=30_000)
            screenshot(page, "oidc_admin_connecte")
            page.goto(f"{url}/journal")
            wait_for_app(page)
            page.get_by_role("heading", name="Journal des écritures").wait_for(timeout=30_000)
            screenshot(page, "oidc_admin_journal")

            # Log out through the app, then through the provider's end-session page.
            page.goto(f"{url}/connexion")
            wait_for_app(page)
            page.get_by_role("button", name="Se déconnecter").click()
            page.get_by_role("button", name="End session").click()
            page.wait_for_url(f"{url}/**", timeout=30_000)
            wait_for_app(page)
            page.get_by_text("Lecture publique").wait_for(timeout=30_000)
            screenshot(page, "oidc_apres_deconnexion")
            assert "Connecté(e)" not in _sidebar_text(page)

            # An address the roles file does not know, with `defaut = ""`: authenticated by
            # the provider, refused by the app.
            _log_in_with_provider(page, url, STRANGER_EMAIL)
            page.get_by_text("Lecture publique").wait_for(timeout=30_000)
            assert "Connecté(e)" not in _sidebar_text(page)
            page.goto(f"{url}/connexion")
            wait_for_app(page)
            page.get_by_text("Ce compte n'a pas accès à ce tableau de bord").wait_for(
                timeout=30_000
            )
            assert STRANGER_EMAIL in page.locator("[data-testid='stMain']").inner_text()
            assert page.get_by_role("button", name="Se déconnecter").count() == 1
            screenshot(page, "oidc_inconnu_refuse")
            assert "Connecté(e)" not in _sidebar_text(page)
            page.goto(f"{url}/journal")
            wait_for_refusal(page, "Journal")
            assert page.get_by_role("heading", name="Journal des écritures").count() == 0
            assert "Journal" not in _sidebar_text(page)
            screenshot(page, "oidc_inconnu_journal_refuse")
        finally:
            browser.close()
