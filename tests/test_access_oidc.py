"""The OpenID Connect branch in the app, simulated with AppTest (`at.secrets`, `at.user`).

The real round trip through a provider is in test_oidc_browser.py; here every role mapping
case runs in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "une-cle-de-test-assez-longue-pour-signer-les-cookies",
    "client_id": "ptlcd-test",
    "client_secret": "secret-de-test",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


@pytest.fixture
def roles_file(app_env, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(
        'defaut = ""\n[roles]\n"Mission.Egalite@Exemple.fr" = "admin"\n"agent@exemple.fr" = "saisie"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PTLCD_ROLES_FILE", str(path))
    return path


def _app(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user
    return at.run()


def _sidebar(at: AppTest) -> str:
    """The sidebar's captions as the reader sees them (Markdown escapes removed)."""
    return " ".join(c.value for c in at.sidebar.caption).replace("\\", "")


def _journal_opens(at: AppTest) -> bool:
    try:
        at.switch_page("app_pages/journal.py").run()
    except ValueError:  # absent from this visitor's navigation
        return False
    return bool(at.title) and at.title[0].value == "Journal des écritures"


@pytest.mark.parametrize(
    ("claims", "caption", "journal"),
    [
        # The address is matched without regard to case or surrounding spaces.
        (
            {"email": " mission.egalite@exemple.fr", "name": "Camille"},
            "Connecté(e) : Camille (admin)",
            True,
        ),
        ({"email": "agent@exemple.fr", "name": "Agent"}, "Connecté(e) : Agent (saisie)", False),
        # No name claim: the address stands for the name.
        ({"email": "agent@exemple.fr"}, "Connecté(e) : agent@exemple.fr (saisie)", False),
        # Unknown address and `defaut = ""`: authenticated, but no access at all.
        ({"email": "inconnu@ailleurs.fr", "name": "X"}, "Lecture publique", False),
        # An address the provider says it did not verify is not trusted, even a known one.
        (
            {"email": "mission.egalite@exemple.fr", "email_verified": False},
            "Lecture publique",
            False,
        ),
        ({"sub": "sans-adresse"}, "Lecture publique", False),
    ],
)
def test_role_comes_from_the_roles_file_by_email(roles_file, claims, caption, journal):
    at = _app({"is_logged_in": True, **claims})
    assert not at.exception
    assert _sidebar(at) == caption
    assert _journal_opens(at) is journal


def test_logged_out_visitor_sees_the_provider_button_not_the_password_form(roles_file):
    at = _app({"is_logged_in": False})
    at.switch_page("app_pages/connexion.py").run()
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.text_input  # no local login form when OpenID Connect is configured
    assert _sidebar(at) == "Lecture publique"


def test_user_without_login_flag_is_anonymous_not_a_crash(roles_file):
    # Streamlit adds `is_logged_in` only when it finds `[auth]` in its own secrets files; a
    # st.user without it (AppTest's default user, a misconfigured host) must read as anonymous.
    at = _app({"email": "mission.egalite@exemple.fr"})
    assert not at.exception
    assert _sidebar(at) == "Lecture publique"


def test_refused_account_is_told_why_and_can_log_out(roles_file):
    at = _app({"is_logged_in": True, "email": "inconnu@ailleurs.fr"})
    at.switch_page("app_pages/connexion.py").run()
    assert "n'a pas accès" in at.warning[0].value
    assert "inconnu@ailleurs.fr" in at.text[0].value
    at.button(key="logout").click().run()
    assert at.user == {"is_logged_in": False}
    at.run()  # the browser comes back from the provider's end-of-session page
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not at.warning


def test_admin_logs_out(roles_file):
    at = _app({"is_logged_in": True, "email": "mission.egalite@exemple.fr", "name": "Camille"})
    at.switch_page("app_pages/connexion.py").run()
    assert "Camille" in at.success[0].value
    at.button(key="logout").click().run()
    assert at.user == {"is_logged_in": False}
    at.run()
    assert _sidebar(at) == "Lecture publique"
    assert not _journal_opens(at)


def test_role_change_in_the_file_applies_at_the_next_rerun(roles_file):
    at = _app({"is_logged_in": True, "email": "agent@exemple.fr"})
    assert _sidebar(at).endswith("(saisie)")
    roles_file.write_text('[roles]\n"agent@exemple.fr" = "admin"\n', encoding="utf-8")
    at.run()
    assert _sidebar(at).endswith("(admin)")
    assert _journal_opens(at)
