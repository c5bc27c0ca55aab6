"""The acting user of this browser session, re-read at every call.

With an `[auth]` section in secrets, users log in through OpenID Connect (`st.login`) and get
their role from the roles file by e-mail. Otherwise they log in with a local account. The role is
looked up again each time (an account removed or downgraded by an admin loses its rights at once),
and every writing function of the data layer checks it at the moment of writing.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from ptlcd_data.access import accounts, roles_config
from ptlcd_data.access.auth import User
from ui import data

LOGIN_KEY = "ptlcd_login"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # a malformed secrets file: behave as unconfigured, the log says why
        return False


def _local_user(login: str) -> User | None:
    return data.query(accounts.get_user, login)


def oidc_identity() -> tuple[str, str] | None:
    """(e-mail, display name) of the person the provider authenticated, whatever their role.

    `st.user` is read as a mapping: its attributes exist only for the claims the provider sent
    (and `is_logged_in` only when Streamlit itself sees the `[auth]` section). The e-mail is ""
    when the provider sent none.
    """
    if st.user.get("is_logged_in") is not True:
        return None
    email = str(st.user.get("email") or "").strip()
    return email, str(st.user.get("name") or email or st.user.get("sub") or "")


def current_user() -> User | None:
    """The logged-in user with their current role, or None for an anonymous visitor."""
    if oidc_configured():
        identity = oidc_identity()
        if identity is None:
            return None
        email, name = identity
        if st.user.get("email_verified") is False:
            return None  # an address the provider did not verify could belong to anyone
        role = roles_config.role_for_email(data.settings().roles_file, email)
        if role is None:
            return None
        codes = roles_config.porteurs_for_email(data.settings().roles_file, email)
        return User(email.lower(), name, role, porteurs=codes if role == "porteur" else ())
    login = st.session_state.get(LOGIN_KEY)
    return _local_user(login) if login else None


def client_address() -> str | None:
    """The address this browser session connects from (None for local access).

    It keys the delays after failed logins: a guesser is slowed down, the owner elsewhere is not.
    """
    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    # Only text is an address: anything else (AppTest's stand-in client) counts as unknown.
    return accounts.source_address(
        peer if isinstance(peer, str) else None,
        forwarded if isinstance(forwarded, str) else None,
        trusted_proxy=data.settings().trusted_proxy,
    )


def log_in(login: str) -> None:
    st.session_state[LOGIN_KEY] = login


def log_out() -> NoReturn:
    """Forget the login and redraw the page; with OpenID Connect, leave it to `st.logout()`.

    `st.logout()` sends the browser to /auth/logout (identity cookie removed, then the
    provider's end-of-session page, then home). No rerun after it: a rerun redraws the page and
    its navigation can cancel that redirect in the browser, leaving the cookie in place so that
    the next visit would be logged in again.
    """
    st.session_state.pop(LOGIN_KEY, None)
    if oidc_configured() and st.user.get("is_logged_in") is True:
        st.logout()
        st.stop()
    st.rerun()


def can(role: str) -> bool:
    user = current_user()
    return user is not None and user.can(role)


def page_requires(role: str) -> User | None:
    """First line of every page: stop here unless the visitor may use it.

    The navigation already hides pages a role may not use; this guard is the second lock, in the
    page itself, should a page ever be run without app.py's navigation.
    """
    user = current_user()
    if role == "lecture" and user is None and not data.settings().read_requires_login:
        return None
    if user is None or not user.can(role):
        st.warning(
            "Cette page est réservée aux comptes ayant le rôle « "
            f"{role} ». Connectez-vous depuis la page « Connexion »."
        )
        st.stop()
    return user
