"""Local logins that last: signed, expiring session tokens, revoked on the server at log-out.

A token is `ID.EXPIRES.SIGNATURE`: a random id (256 bits), its expiry (Unix seconds) and an
HMAC-SHA256 of both with the secret key. The server keeps it in an HttpOnly cookie (set by its
own routes, web/session.py), so a reload keeps the login for PTLCD_SESSION_HOURS. A token is
accepted only when all of these hold:

- its signature is right (a forged or altered token is refused before any query);
- it has not expired (the expiry is signed, and checked again against the server's row);
- the server still has its session row (`session_connexion`, keyed by the SHA-256 of the id):
  logging out deletes the row, so a copied cookie stops working at once;
- its account still exists: the user's name and role are read from the account at every call,
  so an account removed or downgraded loses its rights at once;
- for a session opened by a campaign's reply link (`open_link_session`), the link is still
  valid (`liens`): revoking it, or closing its campaign, ends the session at once.

The secret is PTLCD_SECRET_KEY (32 characters at least). Unset, a random secret is generated
once and kept in a file beside the database (`ptlcd-session.key`, readable by its owner only,
never in git: `var/` is ignored): logins survive a restart of the server. A new secret (file
deleted, or the setting changed) logs everyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from ptlcd_data import formats
from ptlcd_data.access import liens
from ptlcd_data.access.auth import User
from ptlcd_data.errors import PtlcdError
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

log = logging.getLogger("ptlcd")

COOKIE_NAME = "ptlcd_session"
SECRET_FILE = "ptlcd-session.key"
# Shorter than this, a secret could be guessed offline from one cookie (an HMAC-SHA256 key
# should carry at least 256 bits; 32 random characters of a password generator carry ~190).
SECRET_MIN_LENGTH = 32
# A login lasts at most this long, whatever PTLCD_SESSION_HOURS says: a forgotten session on a
# shared computer should not outlive a month.
MAX_SESSION_HOURS = 24 * 30
_TOKEN = re.compile(r"([A-Za-z0-9_-]{43})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class Token:
    value: str  # what the cookie holds
    expires: datetime
    max_age: int  # seconds, for the cookie's Max-Age


class SecretError(PtlcdError):
    title = "Réglage invalide"
    code = "reglage_invalide"


def lifetime(hours: int) -> timedelta:
    """How long a login lasts: PTLCD_SESSION_HOURS, kept between 1 hour and 30 days."""
    return timedelta(hours=min(max(hours, 1), MAX_SESSION_HOURS))


def secret_key(settings: Settings) -> bytes:
    """The key that signs tokens: PTLCD_SECRET_KEY, else the generated one beside the base."""
    if settings.secret_key:
        if len(settings.secret_key) < SECRET_MIN_LENGTH:
            raise SecretError(
                "PTLCD_SECRET_KEY est trop courte "
                f"({formats.count(len(settings.secret_key), 'caractère')}) : "
                f"{SECRET_MIN_LENGTH} caractères au moins, tirés au hasard."
            )
        return settings.secret_key.encode("utf-8")
    return _generated_secret(settings.db_path.resolve().parent / SECRET_FILE)


@cache
def _generated_secret(path: Path) -> bytes:
    """Read the secret file, or create it once (atomically: two servers starting together
    agree on one secret). A folder that cannot be written gives a secret for this process only:
    logins then last until the server restarts, and the log says why."""
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(48).encode("ascii")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(value)
        try:
            os.link(temporary, path)  # fails if another process created it meanwhile
        except FileExistsError:
            return _read_secret(path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        log.warning(
            "Clé de session non enregistrée dans %s (%s) : connexions perdues au "
            "redémarrage du serveur",
            path,
            exc,
        )
    return value


def _read_secret(path: Path) -> bytes:
    value = path.read_bytes().strip()
    if len(value) < SECRET_MIN_LENGTH:
        raise SecretError(f"Le fichier de clé « {path} » est abîmé : supprimez-le.")
    return value


def is_token_shaped(value: str) -> bool:
    """True for text of a token's form (letters, digits, `_`, `-` and two dots): safe to write
    into a cookie or a script; says nothing of its signature."""
    return _TOKEN.fullmatch(value) is not None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _signature(secret: bytes, token_id: str, expires: int) -> str:
    return _b64(hmac.new(secret, f"{token_id}.{expires}".encode(), hashlib.sha256).digest())


def _fingerprint(token_id: str) -> str:
    return hashlib.sha256(token_id.encode("ascii")).hexdigest()


def _signed_id(token: str, secret: bytes, now: datetime) -> str | None:
    """The token's id when its form, signature and expiry are right; None otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    token_id, expires, signature = match[1], int(match[2]), match[3]
    if not hmac.compare_digest(signature, _signature(secret, token_id, expires)):
        return None
    if expires <= now.timestamp():
        return None
    return token_id


def signed_and_unexpired(token: str, secret: bytes, now: datetime | None = None) -> bool:
    """The token's signature is right and its expiry not reached (no query: the server's row
    is not checked, see `session_user`)."""
    return _signed_id(token, secret, now or datetime.now()) is not None


def open_session(
    conn: Connection,
    user: User,
    secret: bytes,
    hours: int,
    now: datetime | None = None,
) -> Token:
    """A new session for `user` (just authenticated), lasting `lifetime(hours)`."""
    now = (now or datetime.now()).replace(microsecond=0)
    with transaction(conn):
        return _insert(conn, user, secret, now, now + lifetime(hours))


def open_link_session(
    conn: Connection, link_token: str, secret: bytes, hours: int, now: datetime | None = None
) -> tuple[Token, User]:
    """A session opened by a campaign's reply link (`liens`): its porteur's « Mes actions »,
    lasting `lifetime(hours)` but never beyond the link's expiry. LinkRefused (French, `gone`
    for a link that existed) when the link is unknown, revoked, expired or its campaign closed:
    nothing is opened then."""
    now = (now or datetime.now()).replace(microsecond=0)
    with transaction(conn):
        link = liens.find(conn, link_token, now)
        liens.record_opening(conn, link.id, now)
        user = liens.user_of(link.id, link.campagne_id, link.porteur_code)
        token = _insert(conn, user, secret, now, min(now + lifetime(hours), link.expire_le))
    return token, user


def _insert(conn: Connection, user: User, secret: bytes, now: datetime, expires: datetime) -> Token:
    """Inside a transaction: the session's row, and its token."""
    expires = expires.replace(microsecond=0)
    token_id = secrets.token_urlsafe(32)
    stamp = int(expires.timestamp())
    # Forget what no longer counts: the table holds live sessions only.
    conn.execute("DELETE FROM session_connexion WHERE expire_le <= ?", [now])
    conn.execute(
        "INSERT INTO session_connexion (empreinte, login, cree_le, expire_le, lien_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [_fingerprint(token_id), user.login, now, expires, user.lien.id if user.lien else None],
    )
    value = f"{token_id}.{stamp}.{_signature(secret, token_id, stamp)}"
    return Token(value, expires, int((expires - now).total_seconds()))


def session_user(
    conn: Connection, token: str, secret: bytes, now: datetime | None = None
) -> User | None:
    """The user of a live session, with the name and role of their account now (or, for a
    session opened by a reply link, that link's porteur while the link is valid); None for a
    forged, altered, expired or revoked token, an account that no longer exists, or a link no
    longer valid."""
    now = now or datetime.now()
    token_id = _signed_id(token, secret, now)
    if token_id is None:
        return None
    row = one_row(
        conn,
        f"""
        SELECT k.login, k.nom, k.role,
               (SELECT list(cp.porteur_code ORDER BY cp.porteur_code) FROM compte_porteur cp
                WHERE cp.login = k.login),
               l.id, l.campagne_id, l.porteur_code, ({liens.LIVE_SQL})
        FROM session_connexion s
        LEFT JOIN compte k ON k.login = s.login AND s.lien_id IS NULL
        LEFT JOIN lien_campagne l ON l.id = s.lien_id
        WHERE s.empreinte = ? AND s.expire_le > ?
        """,  # noqa: S608 - fixed fragments; values are bound
        [now, _fingerprint(token_id), now],
    )
    if row is None:
        return None
    if row[4] is not None:
        return liens.user_of(int(row[4]), int(row[5]), str(row[6])) if row[7] else None
    if row[0] is None:
        return None
    return User(str(row[0]), str(row[1]), str(row[2]), porteurs=tuple(row[3] or ()))


def close_session(conn: Connection, token: str) -> bool:
    """Log out: the session's row is deleted, so this token (and any copy) is refused from now
    on. True when there was a live session. The signature is not needed to end a session."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return False
    with transaction(conn):
        gone = conn.execute(
            "DELETE FROM session_connexion WHERE empreinte = ? RETURNING login",
            [_fingerprint(match[1])],
        ).fetchall()
    return bool(gone)


def close_sessions_of(conn: Connection, login: str) -> None:
    """End every session of `login`; call it inside the caller's transaction (an account
    removed, a password changed)."""
    conn.execute("DELETE FROM session_connexion WHERE login = ?", [login])


def close_all_sessions(conn: Connection) -> int:
    """End every session (a restored backup: the sessions it holds, some since logged out, must
    not live again); call it inside the caller's transaction. The number ended."""
    return len(conn.execute("DELETE FROM session_connexion RETURNING login").fetchall())
