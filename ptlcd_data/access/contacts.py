"""An account's e-mail address and its choice about the weekly digest (`veille`).

Local accounts keep both in `compte` (`email`, `recap`); an OpenID Connect account's address is
its login, its role comes from the roles file (`roles_config`), and its choice is kept in
`recap_choix`. The digest goes to the `saisie` and `admin` accounts that have an address and
have not turned it off (`recipients`). Each account changes its own choice; an administrator
(and the command line) changes anyone's. Every change is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

from ptlcd_data.access import journal, roles_config
from ptlcd_data.access.auth import User, require
from ptlcd_data.errors import InputError
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

# The roles that coordinate a campaign: they receive the digest.
DIGEST_ROLES = ("saisie", "admin")


@dataclass(frozen=True)
class Recipient:
    """One coordinator's account: who, where, and whether the digest is wanted."""

    login: str
    nom: str
    role: str
    email: str
    recap: bool
    oidc: bool  # an OpenID Connect account (the roles file), not a local one


def check_address(raw: str) -> str:
    """`raw` as one e-mail address (« nom@exemple.fr »), or a French refusal."""
    text = raw.strip()
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError, HeaderParseError):
        address = None
    if address is None or not address.username or "." not in address.domain:
        raise InputError(f"Adresse électronique « {text} » invalide : attendu nom@exemple.fr.")
    return text


def _may_change(actor: User, login: str) -> None:
    """An account changes its own settings; an administrator anyone's."""
    if actor.login != login:
        require(actor, "admin")


def set_email(conn: Connection, actor: User, login: str, email: str) -> str | None:
    """Set (or, with "", clear) the address of a local account; the new address or None."""
    login = login.strip().lower()
    _may_change(actor, login)
    address = check_address(email) if email.strip() else None
    with transaction(conn):
        row = one_row(conn, "SELECT email FROM compte WHERE login = ?", [login])
        if row is None:
            raise InputError(f"Aucun compte local « {login} ».")
        conn.execute(
            "UPDATE compte SET email = ?, modifie_le = current_localtimestamp() WHERE login = ?",
            [address, login],
        )
        journal.log(conn, actor, "compte modifié", login, {"email": row[0]}, {"email": address})
    return address


def set_digest(
    conn: Connection, actor: User, login: str, wanted: bool, roles_file: Path | None = None
) -> None:
    """Turn the weekly digest on or off for an account: a local one, or an OpenID Connect
    address given a role in `roles_file`."""
    login = login.strip().lower()
    _may_change(actor, login)
    with transaction(conn):
        row = one_row(conn, "SELECT coalesce(recap, true) FROM compte WHERE login = ?", [login])
        if row is not None:
            before = bool(row[0])
            conn.execute(
                "UPDATE compte SET recap = ?, modifie_le = current_localtimestamp() "
                "WHERE login = ?",
                [wanted, login],
            )
        else:
            roles = roles_config.load_roles(roles_file)[0] if roles_file else {}
            if login not in roles:
                raise InputError(
                    f"Aucun compte « {login} » : ni compte local, ni adresse du fichier des rôles."
                )
            before = digest_wanted(conn, login)
            conn.execute(
                "INSERT OR REPLACE INTO recap_choix (login, recap, modifie_le) "
                "VALUES (?, ?, current_localtimestamp())",
                [login, wanted],
            )
        journal.log(conn, actor, "compte modifié", login, {"recap": before}, {"recap": wanted})


def digest_wanted(conn: Connection, login: str) -> bool:
    """Whether the account wants the weekly digest (yes, unless it said no)."""
    login = login.strip().lower()
    row = one_row(conn, "SELECT coalesce(recap, true) FROM compte WHERE login = ?", [login])
    if row is None:
        row = one_row(conn, "SELECT recap FROM recap_choix WHERE login = ?", [login])
    return True if row is None else bool(row[0])


def address_of(conn: Connection, user: User) -> str | None:
    """Where the digest of `user` goes: a local account's address; an OpenID Connect account's
    login (its address)."""
    row = one_row(conn, "SELECT email FROM compte WHERE login = ?", [user.login])
    if row is not None:
        return str(row[0]) if row[0] else None
    return user.login if "@" in user.login else None


def recipients(conn: Connection, roles_file: Path | None = None) -> list[Recipient]:
    """Every saisie and admin account with an address, local ones first, each with its choice
    (`recap`): the local accounts, then the addresses of `roles_file` (OpenID Connect) that are
    not local accounts. An unreadable roles file raises its French error."""
    rows = conn.execute(
        "SELECT login, nom, role, email, coalesce(recap, true) FROM compte "
        "WHERE list_contains(?, role) AND coalesce(email, '') <> '' ORDER BY login",
        [list(DIGEST_ROLES)],
    ).fetchall()
    found = [Recipient(str(r[0]), str(r[1]), str(r[2]), str(r[3]), bool(r[4]), False) for r in rows]
    local = {str(r[0]) for r in conn.execute("SELECT login FROM compte").fetchall()}
    if roles_file is not None and roles_file.is_file():
        roles, _default = roles_config.load_roles(roles_file)
        choices = dict(conn.execute("SELECT login, recap FROM recap_choix").fetchall())
        for email, role in sorted(roles.items()):
            if role in DIGEST_ROLES and email not in local:
                found.append(
                    Recipient(email, email, role, email, bool(choices.get(email, True)), True)
                )
    return found
