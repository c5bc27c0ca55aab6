"""Single-use tickets through which a page asks the server to set or clear the login cookie.

The login cookie is HttpOnly: no script of the page can read it, nor write it; only a response
of the server can. So a page that has just logged someone in (or out) registers here what the
cookie must become and gets a ticket: random text of the token alphabet, good for one use within
TICKET_SECONDS. A tiny script of the page POSTs the ticket to `/session/cookie` (web/session.py),
whose response sets or clears the cookie. The session token itself never goes into the page.

The store is this process's memory, guarded by a lock: the pages and the routes run in one
process (serve.py, `st.App`), on different threads. A restart forgets the pending tickets (the
tab stays logged in; a reload then asks for the login again).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass

# What a ticket asks of the cookie route.
OPEN = "ouvrir"  # set the cookie to the ticket's token (a login)
CLOSE = "fermer"  # end the session the cookie names, then clear it (a log-out)
FORGET = "oublier"  # clear the cookie only if it still holds the ticket's token (refused)
ACTIONS = (OPEN, CLOSE, FORGET)
ROUTE = "/session/cookie"  # where a page's script redeems a ticket (web/session.py)
# Long enough for a slow page to run its script, short enough that a ticket copied from a page
# is worth nothing a minute later.
TICKET_SECONDS = 60.0
# Tickets nobody redeems (a tab closed at once) are forgotten when they expire; past this many
# pending, the oldest go first: a flood of logins cannot grow the memory without bound.
MAX_PENDING = 10_000
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Ticket:
    action: str
    token: str | None  # OPEN: the token to set; FORGET: the refused one; CLOSE: None
    max_age: int  # seconds, for OPEN's cookie
    expires: float  # time.monotonic() deadline


_lock = threading.Lock()
_pending: dict[str, Ticket] = {}


def is_ticket_shaped(value: str) -> bool:
    """True for text of a ticket's form (43 letters, digits, `_` or `-`): the only text that
    ever goes into the page's script."""
    return _SHAPE.fullmatch(value) is not None


def issue(
    action: str, token: str | None = None, max_age: int = 0, *, now: float | None = None
) -> str:
    """A new ticket for `action` (OPEN needs the token and its max-age)."""
    if action not in ACTIONS:
        raise ValueError(action)
    if action == OPEN and not token:
        raise ValueError("un ticket d'ouverture porte un jeton")
    moment = time.monotonic() if now is None else now
    value = secrets.token_urlsafe(32)
    with _lock:
        for key in [k for k, t in _pending.items() if t.expires <= moment]:
            del _pending[key]
        while len(_pending) >= MAX_PENDING:
            del _pending[next(iter(_pending))]  # dicts keep insertion order: the oldest
        _pending[value] = Ticket(action, token, max_age, moment + TICKET_SECONDS)
    return value


def redeem(value: str, *, now: float | None = None) -> Ticket | None:
    """The ticket, once: None when unknown, already used or expired."""
    if not is_ticket_shaped(value):
        return None
    with _lock:
        ticket = _pending.pop(value, None)
    moment = time.monotonic() if now is None else now
    if ticket is None or ticket.expires <= moment:
        return None
    return ticket
