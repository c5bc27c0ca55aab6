"""Local accounts: argon2 password hashes, roles, and delays after failed logins.

There is no default account and no default password: the first administrator is created with
`python -m ptlcd_data user add LOGIN --role admin`.

Failed logins slow guessing down without giving strangers a lock on someone else's account.
A delay that doubles with each failure (2 s, 4 s… up to 5 minutes) applies to a login *from one
source address*: someone who knows a login and tries passwords from their machine waits longer
and longer, while the owner, from her own machine, logs in at once. A lock per login alone (the
earlier rule) let anyone who knows a login keep its owner out for as long as they kept trying.
A second, looser count per address across all logins slows one machine trying one password on
many logins (password spraying), which the per-login count never sees. Why this and not another
scheme: device cookies (the OWASP answer to lockout) need a signed cookie that Streamlit does not
offer, and a delay without a lock, served by sleeping, would hold a server thread per attempt.

Limits: the address is what the server sees. Behind a reverse proxy, set
PTLCD_TRUSTED_PROXY so that the proxy's X-Forwarded-For is used; without an address (local
access, or a proxy not declared) every visitor shares one address and the per-login delay is
again shared, as before. Many agents behind one address (a town hall's NAT) share the
per-address count, hence its higher threshold.

An unknown login costs the same argon2 verification as a wrong password, so the response time
does not tell whether a login exists.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ptlcd_data import formats
from ptlcd_data.access import auth, journal, sessions
from ptlcd_data.access.auth import ROLES, User, require
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

if TYPE_CHECKING:  # only the account list returns a DataFrame; logging in needs no pandas
    import pandas as pd

# A passphrase of 12 characters is the ANSSI's floor for a password protecting data like this.
PASSWORD_MIN_LENGTH = 12
# After this many failures of one login from one address within the window, each new attempt
# from there waits longer (doubling, from 2 s).
FAILURES_BEFORE_DELAY = 3
# One address failing on many logins: a few typos by every agent behind one town-hall address
# stay well under this within the window; a machine trying a password on many logins does not.
FAILURES_PER_ADDRESS_BEFORE_DELAY = 30
FAILURE_WINDOW = timedelta(minutes=15)
MAX_DELAY_SECONDS = 300
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")

_hasher = PasswordHasher()


def check_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InputError(
            f"Mot de passe trop court : {formats.count(len(password), 'caractère')}, "
            f"{PASSWORD_MIN_LENGTH} au moins."
        )
    if password.strip() != password or len(set(password)) < 5:
        raise InputError("Mot de passe trop simple : variez les caractères, sans espace au bord.")


def _check_login(login: str) -> str:
    login = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(login):
        raise InputError(
            f"Identifiant « {login} » invalide : 2 à 64 caractères parmi a-z, 0-9, . _ @ -."
        )
    return login


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"Rôle « {role} » inconnu ; rôles possibles : {', '.join(ROLES)}.")
    return role


def check_role_porteurs(
    conn: Connection, role: str, codes: Sequence[str] | None
) -> tuple[str, ...]:
    """The porteur codes of an account with `role`: required for `porteur`, refused otherwise;
    each one a porteur of today's plan."""
    plan_codes = _plan_porteurs(conn)
    known = {c.upper(): c for c in plan_codes}
    typed = [c.strip() for c in codes or () if c.strip()]
    # Codes are matched whatever their case ("mde" is MDE); an unknown one is refused below.
    wanted = tuple(dict.fromkeys(known.get(c.upper(), c) for c in typed))
    if role == "porteur" and not wanted:
        raise InputError(
            "Un compte « porteur » doit nommer le ou les porteurs qu'il représente "
            "(--porteur CODE[,CODE] ; la commande « porteurs list » donne les codes)."
        )
    if role != "porteur" and wanted:
        raise InputError(
            f"Seul un compte « porteur » représente des porteurs : le rôle « {role} » n'en a pas "
            "(retirez --porteur, ou choisissez --role porteur)."
        )
    unknown = [c for c in wanted if c not in plan_codes]
    if unknown:
        raise InputError(
            f"Porteur inconnu : {', '.join(unknown)}. Porteurs du plan : {', '.join(plan_codes)}."
        )
    return wanted


def _plan_porteurs(conn: Connection) -> list[str]:
    """The porteur codes of today's plan, in its order. Read through the store's as-of macro, as
    `porteurs_of` does: `access` sits below `plan` and does not import it (the same sentence
    refuses an unknown code in `plan.porteurs.check_codes`)."""
    rows = conn.execute(
        "SELECT code FROM plan_porteur(?) ORDER BY ordre, code", [date.today()]
    ).fetchall()
    return [str(r[0]) for r in rows]


def _set_porteurs(conn: Connection, login: str, codes: tuple[str, ...]) -> None:
    conn.execute("DELETE FROM compte_porteur WHERE login = ?", [login])
    if codes:
        conn.executemany(
            "INSERT INTO compte_porteur (login, porteur_code) VALUES (?, ?)",
            [(login, c) for c in codes],
        )


def porteurs_of(conn: Connection, login: str) -> tuple[str, ...]:
    """The porteur codes of an account, in the plan's order (empty for other roles)."""
    rows = conn.execute(
        "SELECT cp.porteur_code FROM compte_porteur cp "
        "LEFT JOIN plan_porteur(current_date) p ON p.code = cp.porteur_code "
        "WHERE cp.login = ? ORDER BY p.ordre NULLS LAST, cp.porteur_code",
        [login],
    ).fetchall()
    return tuple(str(r[0]) for r in rows)


def add_user(
    conn: Connection,
    actor: User,
    login: str,
    nom: str,
    role: str,
    password: str,
    *,
    porteurs: Sequence[str] = (),
) -> User:
    """Create a local account. A `porteur` account names the porteur codes it speaks for."""
    require(actor, "admin")
    login, role = _check_login(login), _check_role(role)
    codes = check_role_porteurs(conn, role, porteurs)
    check_password_strength(password)
    with transaction(conn):
        if one_row(conn, "SELECT 1 FROM compte WHERE login = ?", [login]):
            raise InputError(f"Le compte « {login} » existe déjà.")
        conn.execute(
            "INSERT INTO compte (login, nom, role, hash, cree_le, modifie_le) "
            "VALUES (?, ?, ?, ?, current_localtimestamp(), current_localtimestamp())",
            [login, nom.strip() or login, role, _hasher.hash(password)],
        )
        _set_porteurs(conn, login, codes)
        created: dict[str, object] = {"nom": nom, "role": role}
        if codes:
            created["porteurs"] = list(codes)
        journal.log(conn, actor, "compte créé", login, None, created)
    return User(login, nom or login, role, porteurs=codes)


def remove_user(conn: Connection, actor: User, login: str) -> None:
    require(actor, "admin")
    login = login.strip().lower()
    with transaction(conn):
        row = one_row(conn, "SELECT nom, role FROM compte WHERE login = ?", [login])
        if not row:
            raise InputError(f"Aucun compte « {login} ».")
        admins = one_row(conn, "SELECT count(*) FROM compte WHERE role = 'admin'")
        if row[1] == "admin" and admins and admins[0] <= 1:
            raise InputError("Impossible de supprimer le dernier compte administrateur.")
        conn.execute("DELETE FROM compte WHERE login = ?", [login])
        sessions.close_sessions_of(conn, login)
        conn.execute("DELETE FROM compte_porteur WHERE login = ?", [login])
        journal.log(conn, actor, "compte supprimé", login, {"nom": row[0], "role": row[1]}, None)


def set_password(conn: Connection, actor: User, login: str, password: str) -> None:
    login = login.strip().lower()
    if actor.login != login:
        require(actor, "admin")
    check_password_strength(password)
    with transaction(conn):
        if not one_row(conn, "SELECT 1 FROM compte WHERE login = ?", [login]):
            raise InputError(f"Aucun compte « {login} ».")
        conn.execute(
            "UPDATE compte SET hash = ?, modifie_le = current_localtimestamp() WHERE login = ?",
            [_hasher.hash(password), login],
        )
        sessions.close_sessions_of(conn, login)  # a stolen cookie dies with the old password
        journal.log(conn, actor, "mot de passe changé", login)


def set_role(
    conn: Connection,
    actor: User,
    login: str,
    role: str,
    *,
    porteurs: Sequence[str] | None = None,
) -> None:
    """Change an account's role; `porteurs` (codes) for a `porteur` account.

    A porteur account keeps its codes when `porteurs` is None; any other role has none.
    """
    require(actor, "admin")
    login, role = login.strip().lower(), _check_role(role)
    with transaction(conn):
        row = one_row(conn, "SELECT role FROM compte WHERE login = ?", [login])
        if not row:
            raise InputError(f"Aucun compte « {login} ».")
        before = porteurs_of(conn, login)
        if porteurs is None and role == "porteur":
            porteurs = before
        codes = check_role_porteurs(conn, role, porteurs)
        conn.execute(
            "UPDATE compte SET role = ?, modifie_le = current_localtimestamp() WHERE login = ?",
            [role, login],
        )
        _set_porteurs(conn, login, codes)
        ancien: dict[str, object] = {"role": row[0]}
        nouveau: dict[str, object] = {"role": role}
        if before or codes:
            ancien["porteurs"], nouveau["porteurs"] = list(before), list(codes)
        journal.log(conn, actor, "rôle changé", login, ancien, nouveau)


def list_users(conn: Connection) -> pd.DataFrame:
    """Columns: login, nom, role, porteurs (codes, ", "-separated, "" for other roles), cree_le,
    modifie_le, email (None when none), recap (wants the weekly digest) (never the hash)."""
    return conn.execute(
        """
        SELECT k.login, k.nom, k.role,
               coalesce((SELECT string_agg(cp.porteur_code, ', ' ORDER BY p.ordre, cp.porteur_code)
                         FROM compte_porteur cp LEFT JOIN plan_porteur(current_date) p ON p.code = cp.porteur_code
                         WHERE cp.login = k.login), '') AS porteurs,
               k.cree_le, k.modifie_le, k.email, coalesce(k.recap, true) AS recap
        FROM compte k ORDER BY k.login
        """
    ).df()


def get_user(conn: Connection, login: str) -> User | None:
    """The local account `login` as a user (name, role, porteur codes), or None when there is
    none."""
    row = one_row(conn, "SELECT nom, role FROM compte WHERE login = ?", [login])
    if row is None:
        return None
    return User(login, str(row[0]), str(row[1]), porteurs=porteurs_of(conn, login))


def command_line_user(conn: Connection, name: str | None, os_user: str) -> User:
    """Who acts on the command line, for `--user NAME` (None when not given).

    NAME naming a local account acts with that account's role, checked at each write like in
    the app (`import --user` of a reader is refused). Any other NAME, or none, acts with the
    rights of the operating-system account `os_user` that could open the database file; the
    journal records that account, not a role (see `auth.command_line`).
    """
    name = (name or "").strip() or None
    if name is None:
        return auth.command_line(os_user)
    return get_user(conn, name.lower()) or auth.command_line(os_user, name)


def count_users(conn: Connection) -> int:
    row = one_row(conn, "SELECT count(*) FROM compte")
    return int(row[0]) if row else 0


@cache
def _unknown_login_hash() -> str:
    """A hash of a random password, with the same parameters as the real ones: verified for an
    unknown login, so that it takes as long as a wrong password for a real one."""
    return str(_hasher.hash(secrets.token_urlsafe(24)))


def _delay(failures: int, threshold: int, last: datetime | None, now: datetime) -> int:
    if failures < threshold or last is None:
        return 0
    delay = min(MAX_DELAY_SECONDS, 2 ** (failures - threshold + 1))
    remaining = (last + timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def source_address(
    peer: str | None, forwarded_for: str | None, *, trusted_proxy: bool
) -> str | None:
    """Where a login attempt comes from: the connection's peer, or, behind a reverse proxy
    declared trusted (PTLCD_TRUSTED_PROXY), the last address of its X-Forwarded-For header: the
    one the proxy appended itself (the ones before it are whatever the client claimed)."""
    if trusted_proxy:
        last = (forwarded_for or "").split(",")[-1].strip()
        return last or peer
    return peer


def wait_seconds(
    conn: Connection, login: str, address: str | None = None, now: datetime | None = None
) -> int:
    """Seconds before `login` may be tried again from `address` (0 when allowed).

    `address` None is one more address, shared by every visitor whose address is unknown.
    """
    now = now or datetime.now()
    since = now - FAILURE_WINDOW
    row = one_row(
        conn,
        "SELECT count(*), max(horodatage) FROM connexion_echec "
        "WHERE login = ? AND adresse IS NOT DISTINCT FROM ? AND horodatage > ?",
        [login.strip().lower(), address, since],
    )
    wait = _delay(row[0], FAILURES_BEFORE_DELAY, row[1], now) if row else 0
    if address is not None:  # never for unknown addresses: that would slow everyone at once
        row = one_row(
            conn,
            "SELECT count(*), max(horodatage) FROM connexion_echec "
            "WHERE adresse = ? AND horodatage > ?",
            [address, since],
        )
        if row:
            wait = max(wait, _delay(row[0], FAILURES_PER_ADDRESS_BEFORE_DELAY, row[1], now))
    return wait


def authenticate(
    conn: Connection,
    login: str,
    password: str,
    now: datetime | None = None,
    address: str | None = None,
) -> User:
    """The account's user if the password is right; PermissionDenied (French) otherwise.

    `address` is where the attempt comes from (None when unknown): delays after failures count
    per login and address (see the module's docstring). An unknown login and a wrong password
    get the same message after the same work, so logins cannot be guessed.
    """
    login = login.strip().lower()
    now = now or datetime.now()
    wait = wait_seconds(conn, login, address, now)
    if wait:
        raise PermissionDenied(
            f"Trop d'essais infructueux : réessayez dans {wait} seconde(s).", "Connexion refusée"
        )
    row = one_row(conn, "SELECT nom, role, hash FROM compte WHERE login = ?", [login])
    try:
        ok = _hasher.verify(row[2] if row else _unknown_login_hash(), password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        with transaction(conn):
            # Forget what no longer counts: the table stays small however many tries are made.
            conn.execute(
                "DELETE FROM connexion_echec WHERE horodatage <= ?", [now - FAILURE_WINDOW]
            )
            conn.execute(
                "INSERT INTO connexion_echec (login, horodatage, adresse) VALUES (?, ?, ?)",
                [login, now, address],
            )
        raise PermissionDenied("Identifiant ou mot de passe incorrect.", "Connexion refusée")
    with transaction(conn):
        conn.execute(
            "DELETE FROM connexion_echec WHERE login = ? AND adresse IS NOT DISTINCT FROM ?",
            [login, address],
        )
    return User(login, row[0], row[1], porteurs=porteurs_of(conn, login))
