"""The acting user of this browser session, re-read at every call.

With an `[auth]` section in secrets, users log in through OpenID Connect (`st.login`) and get
their role from the roles file by e-mail. Otherwise they log in with a local account. The role is
looked up again each time (an account removed or downgraded by an admin loses its rights at once),
and every writing function of the data layer checks it at the moment of writing.

A local login is a signed session token (`ptlcd_data/access/sessions.py`), kept in this tab's
session state and in an HttpOnly cookie, so that a reload keeps it for PTLCD_SESSION_HOURS.
Streamlit reads the cookies the browser sent when the tab connected (`st.context.cookies`, on
the server: the websocket's handshake carries HttpOnly cookies too) but cannot set one, and no
script of the page can read or write an HttpOnly cookie. So the server sets it: after a login, a
log-out or a refused cookie, the page registers what the cookie must become and gets a ticket
(`ptlcd_data/access/tickets.py`: single use, 60 s, in this process's memory), then a tiny script
(`cookie_script`, written once from app.py by `write_cookie`) POSTs the ticket to
`/session/cookie` (web/session.py), whose response sets the cookie `HttpOnly; SameSite=Strict;
Path=/` with Max-Age the session's lifetime (Secure behind https), or clears it. Only the
ticket's alphabet ever goes into the script, never the token. Every call checks the token
against the server: a log-out deletes the session there, so the cookie, or any copy of it, is
refused from then on, like a forged, altered or expired one (the visitor is then anonymous and
the server clears the browser's cookie).

A campaign's reply link (`/r/TOKEN`, web/session.py) opens a session of the same kind, bound to
the link: its user (`User.lien`) sees « Mes actions » alone (`navigation.allowed`), and is
refused as soon as the link is revoked, expired or its campaign closed. It is honoured with
OpenID Connect too: a porteur with a link holds no account of the city.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from ptlcd_data.access import accounts, roles_config, sessions, tickets
from ptlcd_data.access.auth import User
from ui import data, navigation

TOKEN_KEY = "ptlcd_session_token"  # this tab's session token
REFUSED_KEY = "ptlcd_session_refused"  # the last token refused: not checked again in this tab
COOKIE_KEY = "ptlcd_session_cookie"  # what the cookie must become: (tickets action, token, max-age)
CHECKED_KEY = "ptlcd_session_checked"  # (token, revision, user) of the last check in the base
COOKIE_SCRIPT_ID = "ptlcd-cookie"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # a malformed secrets file: behave as unconfigured, the log says why
        return False


def _secret() -> bytes:
    return sessions.secret_key(data.settings())


def _checked(token: str) -> User | None:
    """The token's user, or None (then never checked again in this tab, and the browser's
    cookie is deleted).

    The answer is kept for this tab while the store's revision stays the same: a log-out (in
    any tab), a role changed, an account removed or a password changed are writes, which change
    the revision, so the next run asks the base again; the expiry, signed in the token, is
    checked at every call. This saves a query (about 10 ms) at each call of every run.
    """
    if token == st.session_state.get(REFUSED_KEY):
        return None
    secret = _secret()
    known = st.session_state.get(CHECKED_KEY)
    if known and known[0] == token and known[1] == data.revision():
        return known[2] if sessions.signed_and_unexpired(token, secret) else None
    user = data.uncached(sessions.session_user, token, secret)
    if user is None:
        st.session_state.pop(CHECKED_KEY, None)
        st.session_state[REFUSED_KEY] = token
        st.session_state[COOKIE_KEY] = (tickets.FORGET, token, 0)
    else:
        st.session_state[CHECKED_KEY] = (token, data.revision(), user)
    return user


def _cookie_token() -> str | None:
    value = st.context.cookies.get(sessions.COOKIE_NAME)
    return value if isinstance(value, str) and value else None


def _local_user() -> User | None:
    """This tab's login, else the one its cookie carried when the tab (re)connected."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        user = _checked(token)
        if user is not None:
            return user
        del st.session_state[TOKEN_KEY]
    cookie = _cookie_token()
    if cookie is None:
        return None
    user = _checked(cookie)
    if user is not None:
        st.session_state[TOKEN_KEY] = cookie
    return user


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
            link = _local_user()  # a reply link's session: no account of the city needed
            return link if link is not None and link.lien is not None else None
        email, name = identity
        if st.user.get("email_verified") is False:
            return None  # an address the provider did not verify could belong to anyone
        role = roles_config.role_for_email(data.settings().roles_file, email)
        if role is None:
            return None
        codes = roles_config.porteurs_for_email(data.settings().roles_file, email)
        return User(email.lower(), name, role, porteurs=codes if role == "porteur" else ())
    return _local_user()


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


def log_in(user: User) -> None:
    """Start a session for `user` (just authenticated): in this tab, and in a cookie."""
    settings = data.settings()
    token = data.write(sessions.open_session, user, _secret(), settings.session_hours)
    st.session_state[TOKEN_KEY] = token.value
    st.session_state[COOKIE_KEY] = (tickets.OPEN, token.value, token.max_age)


def log_out() -> NoReturn:
    """End the login and redraw the page; with OpenID Connect, leave it to `st.logout()`.

    A local session is deleted on the server (the cookie, and any copy of it, is refused from
    now on), then the server clears the browser's cookie (`write_cookie`).

    `st.logout()` sends the browser to /auth/logout (identity cookie removed, then the
    provider's end-of-session page, then home). No rerun after it: a rerun redraws the page and
    its navigation can cancel that redirect in the browser, leaving the cookie in place so that
    the next visit would be logged in again.
    """
    st.session_state.pop(CHECKED_KEY, None)
    for token in {st.session_state.pop(TOKEN_KEY, None), _cookie_token()} - {None}:
        data.write(sessions.close_session, token)
    st.session_state[COOKIE_KEY] = (tickets.CLOSE, None, 0)
    if oidc_configured() and st.user.get("is_logged_in") is True:
        st.logout()
        st.stop()
    st.rerun()


def can(role: str) -> bool:
    user = current_user()
    return user is not None and user.can(role)


def page_requires(role: str, *, link_ok: bool = False) -> User | None:
    """First line of every page: stop here unless the visitor may use it.

    The navigation already hides pages a role may not use; this guard is the second lock, in the
    page itself, should a page ever be run without app.py's navigation. A reply link's session
    passes only where `link_ok` (« Mes actions »).
    """
    user = current_user()
    if user is not None and user.lien is not None and not link_ok:
        st.warning(navigation.LINK_REFUSAL)
        st.stop()
    if role == "lecture" and user is None and not data.settings().read_requires_login:
        return None
    if user is None or not user.can(role):
        st.warning(
            "Cette page est réservée aux comptes ayant le rôle « "
            f"{role} ». Connectez-vous depuis la page « Connexion »."
        )
        st.stop()
    return user


def cookie_script(ticket: str) -> str:
    """The script that hands `ticket` to the server, whose answer sets or clears the cookie.

    The ticket is checked to be of the ticket's own alphabet before it goes into the script: no
    other text ever does (never the token). `/session/cookie` is at the root, as the server's
    routes are (serve.py), whatever Streamlit's base path.
    """
    if not tickets.is_ticket_shaped(ticket):
        raise ValueError("ticket mal formé")
    return (
        f'<script id="{COOKIE_SCRIPT_ID}">'
        f'fetch("{tickets.ROUTE}", {{method: "POST", credentials: "same-origin", '
        f'headers: {{"Content-Type": "text/plain"}}, body: "{ticket}"}});'
        "</script>"
    )


def write_cookie() -> None:
    """Have the server set (or clear) the browser's session cookie when a login, a log-out or a
    refused cookie asked for it: once, from app.py, in the run after it. The ticket is issued
    now, when its script is sent, so its 60 seconds start when the page gets it."""
    if COOKIE_KEY not in st.session_state:
        return
    action, token, max_age = st.session_state.pop(COOKIE_KEY)
    ticket = tickets.issue(action, token, max_age)
    st.sidebar.html(cookie_script(ticket), unsafe_allow_javascript=True)
