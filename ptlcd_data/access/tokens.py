"""API tokens: created, listed and revoked on the command line, checked at every API request.

A token is `ptlcd_` followed by 43 random URL-safe characters (256 bits). It is printed once,
when created; the base keeps only its SHA-256 (`api_jeton.empreinte`), so a copy of the base
gives no usable token and a lost token is revoked and replaced, never shown again. A token has a
role, `lecture` (what reading allows) or `saisie` (staff-only routes too: campaigns'
completion), and may expire: valid through its `expire_le` day, refused from the next one.

Creating and revoking are admin writes, journaled in the same transaction. A use is counted
after the request has read what it needed (`record_uses`), without bumping the store's
revision: the revision is the API's ETag and the pages' cache key, which a mere read must not
change.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import User, require
from ptlcd_data.errors import AuthenticationError, DatabaseDamagedError, InputError
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row, scalar

PREFIX = "ptlcd_"
# The roles a token may have: an administrator's rights stay with people, never with a program.
TOKEN_ROLES = ("lecture", "saisie")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# What a token looks like (checked before any query: anything else is refused at once).
_TOKEN = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class TokenHolder:
    """Who reads with a valid token: its name and its role."""

    nom: str
    role: str

    def can(self, role: str) -> bool:
        return TOKEN_ROLES.index(self.role) >= TOKEN_ROLES.index(role)


def fingerprint(token: str) -> str:
    """The SHA-256 (hex) stored for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(nom: str) -> str:
    nom = nom.strip().lower()
    if not NAME_PATTERN.fullmatch(nom):
        raise InputError(
            f"Nom de jeton « {nom} » invalide : 2 à 64 caractères parmi a-z, 0-9, . _ -."
        )
    return nom


def add_token(
    conn: Connection,
    actor: User,
    nom: str,
    role: str,
    expire_le: date | None = None,
    *,
    today: date | None = None,
) -> str:
    """Create a token (admin, journaled) and return it: the only time it is ever seen."""
    require(actor, "admin")
    nom = _check_name(nom)
    if role not in TOKEN_ROLES:
        raise InputError(f"Rôle « {role} » impossible pour un jeton : {' ou '.join(TOKEN_ROLES)}.")
    today = today or date.today()
    if expire_le is not None and expire_le < today:
        raise InputError(
            f"Date d'expiration {expire_le:%d/%m/%Y} déjà passée : le jeton serait refusé dès sa "
            "création."
        )
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction(conn):
        if one_row(conn, "SELECT 1 FROM api_jeton WHERE nom = ?", [nom]):
            raise InputError(
                f"Le jeton « {nom} » existe déjà (même révoqué, son nom reste pris) : "
                "choisissez un autre nom."
            )
        conn.execute(
            "INSERT INTO api_jeton (nom, empreinte, role, cree_le, cree_par, expire_le) "
            "VALUES (?, ?, ?, current_localtimestamp(), ?, ?)",
            [nom, fingerprint(token), role, actor.login, expire_le],
        )
        journal.log(
            conn, actor, "jeton d'API créé", nom, None, {"role": role, "expire_le": expire_le}
        )
    return token


def revoke_token(conn: Connection, actor: User, nom: str) -> None:
    """Revoke a token (admin, journaled): every request with it is refused from now on."""
    require(actor, "admin")
    nom = nom.strip().lower()
    with transaction(conn):
        row = one_row(conn, "SELECT revoque_le FROM api_jeton WHERE nom = ?", [nom])
        if row is None:
            raise InputError(f"Aucun jeton « {nom} » (la liste : commande « token list »).")
        if row[0] is not None:
            raise InputError(f"Le jeton « {nom} » est déjà révoqué (le {row[0]:%d/%m/%Y}).")
        conn.execute(
            "UPDATE api_jeton SET revoque_le = current_localtimestamp() WHERE nom = ?", [nom]
        )
        journal.log(conn, actor, "jeton d'API révoqué", nom)


def revoked_fingerprints(path: Path) -> list[str] | None:
    """The hashes of the tokens revoked in the base at `path` (before a restore replaces it);
    None when it is damaged: then nobody knows what was revoked. A base another program holds
    past the usual wait refuses the restore (DatabaseBusyError), before anything changed."""
    if not path.is_file():
        return []
    try:
        with store.connect(path) as conn:
            tables = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'api_jeton'"
            if scalar(conn, tables) == 0:
                return []
            rows = conn.execute(
                "SELECT empreinte FROM api_jeton WHERE revoque_le IS NOT NULL"
            ).fetchall()
    except DatabaseDamagedError:
        return None
    except Exception as exc:
        if store.is_damage(exc):
            return None
        raise
    return [str(r[0]) for r in rows]


def keep_revoked(conn: Connection, revoked: list[str] | None) -> list[str]:
    """Inside a restore's transaction: revoke again the tokens the replaced base had revoked (a
    token revoked after the backup must not work again); every token when that is unknown. The
    names revoked."""
    rows = conn.execute(
        "UPDATE api_jeton SET revoque_le = current_localtimestamp() WHERE revoque_le IS NULL "
        "AND (? OR list_contains(?, empreinte)) RETURNING nom",
        [revoked is None, revoked or []],
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


@dataclass(frozen=True)
class TokenRow:
    nom: str
    role: str
    cree_le: datetime
    cree_par: str
    expire_le: date | None
    dernier_usage: datetime | None
    usages: int
    revoque_le: datetime | None


def list_tokens(conn: Connection) -> list[TokenRow]:
    """Every token ever created, by name (never the token nor its hash)."""
    rows = conn.execute(
        "SELECT nom, role, cree_le, cree_par, expire_le, dernier_usage, usages, revoque_le "
        "FROM api_jeton ORDER BY nom"
    ).fetchall()
    return [TokenRow(*row) for row in rows]


def authenticate(conn: Connection, token: str, today: date | None = None) -> TokenHolder:
    """The holder of a valid token; AuthenticationError (French) for a token of the wrong form,
    unknown (forged), expired or revoked, with the same message for all: an outsider learns
    nothing of which tokens exist."""
    refused = AuthenticationError(
        "Jeton d'accès refusé : inconnu, expiré ou révoqué. Demandez un jeton à "
        "l'administrateur (commande « token add »)."
    )
    if not _TOKEN.fullmatch(token):
        raise refused
    row = one_row(
        conn,
        "SELECT nom, role, expire_le, revoque_le FROM api_jeton WHERE empreinte = ?",
        [fingerprint(token)],
    )
    today = today or date.today()
    if row is None or row[3] is not None or (row[2] is not None and row[2] < today):
        raise refused
    return TokenHolder(str(row[0]), str(row[1]))


def record_uses(conn: Connection, uses: Mapping[str, tuple[int, datetime]]) -> None:
    """Add the uses counted since the last call: name → (how many, last one), one statement.

    Not `store.transaction`: that would bump the revision (the API's ETag, the pages' cache
    key) at every read. One UPDATE is atomic by itself, and is not journaled: a use is not a
    change of the token."""
    if not uses:
        return
    conn.execute(
        "UPDATE api_jeton SET usages = usages + u.n, "
        "dernier_usage = greatest(coalesce(dernier_usage, u.t), u.t) "
        "FROM (SELECT unnest($noms::VARCHAR[]) AS nom, unnest($n::BIGINT[]) AS n, "
        "             unnest($t::TIMESTAMP[]) AS t) u "
        "WHERE api_jeton.nom = u.nom",
        {
            "noms": list(uses),
            "n": [n for n, _ in uses.values()],
            "t": [t for _, t in uses.values()],
        },
    )
