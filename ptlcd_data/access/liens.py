"""Reply links of a campaign: `/r/TOKEN` opens a porteur's « Mes actions », without an account.

A link is minted for each reminder that carries it (`mint`, by the code that sends reminders,
just before the message is written): several may be valid at once for one porteur, each until
the campaign's deadline plus PTLCD_LIEN_JOURS days. Only the SHA-256 of its token is stored. It
is refused, like every session it opened, as soon as it is revoked (`revoke_porteur`, the
command `campaign links revoke CODE`), its campaign is closed (`revoke_campaign`, called by the
closing itself) or it has expired: `sessions.session_user` checks that at every call, and
`check_live` again at the moment of writing (`plan.porteurs.scope_of`).

What it opens is a `User` with the role porteur, the link's porteur alone, and `lien` set: the
navigation shows it « Mes actions » only, and its writes take the porteur's path (a dépôt à
valider with validation on), journaled under `login_of(CODE)`. The campaign is read by SQL here:
`access` sits below `campagnes`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import ReplyLink, User
from ptlcd_data.errors import InputError, PermissionDenied, PtlcdError
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

if TYPE_CHECKING:  # a session's check (at every page) needs no pandas
    import pandas as pd

# 256 random bits, as `secrets.token_urlsafe(32)` writes them.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Every valid link at `?` (a timestamp): not revoked, not expired, its campaign still open.
LIVE_SQL = (
    "l.revoque_le IS NULL AND l.expire_le > ? AND EXISTS (SELECT 1 FROM campagne c "
    "WHERE c.id = l.campagne_id AND c.close_le IS NULL)"
)
GONE_TEXT = (
    "Ce lien de campagne n'est plus valable (campagne close, délai passé ou lien révoqué) : "
    "rien n'est enregistré."
)


class LinkRefused(PtlcdError):
    """A link that opens nothing: unknown (`gone` False) or no longer valid (`gone` True)."""

    title = "Lien refusé"

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


@dataclass(frozen=True)
class Link:
    id: int
    campagne_id: int
    porteur_code: str
    expire_le: datetime


def login_of(porteur_code: str) -> str:
    """What the journal and the dépôts name as the author of a write through a link."""
    return f"lien de campagne (porteur {porteur_code})"


def user_of(link_id: int, campagne_id: int, porteur_code: str) -> User:
    """The user a link's session acts as: the porteur alone, marked as a link."""
    login = login_of(porteur_code)
    return User(
        login, login, "porteur", porteurs=(porteur_code,), lien=ReplyLink(link_id, campagne_id)
    )


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token_shaped(value: str) -> bool:
    return _TOKEN.fullmatch(value) is not None


def expiry(echeance: date, days: int) -> datetime:
    """The end of the day `echeance` + `days` (PTLCD_LIEN_JOURS; negative counts as 0)."""
    return datetime.combine(echeance + timedelta(days=max(days, 0) + 1), time.min)


def mint(
    conn: Connection,
    user: User | None,
    campaign_id: int,
    codes: list[str],
    *,
    days: int,
    now: datetime | None = None,
) -> dict[str, tuple[str, datetime]]:
    """A new link for each porteur of `codes` (admin, journaled, one transaction): code → (token,
    expiry). Only the tokens' hashes are stored; the tokens are returned once, to be written into
    the reminders. Nothing for a closed campaign, nor when the links would already be expired."""
    auth.require(user, "admin")
    assert user is not None
    now = now or datetime.now()
    codes = list(dict.fromkeys(codes))
    row = one_row(conn, "SELECT echeance, close_le FROM campagne WHERE id = ?", [campaign_id])
    if row is None:
        raise InputError(f"La campagne n° {campaign_id} n'existe pas.")
    expires = expiry(row[0], days)
    if row[1] is not None or expires <= now or not codes:
        return {}
    minted = {code: secrets.token_urlsafe(32) for code in codes}
    with transaction(conn):
        conn.executemany(
            "INSERT INTO lien_campagne (empreinte, campagne_id, porteur_code, cree_le, cree_par, "
            "expire_le) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (fingerprint(token), campaign_id, code, now, user.login, expires)
                for code, token in minted.items()
            ],
        )
        journal.log(
            conn,
            user,
            "liens de campagne",
            f"campagne {campaign_id}",
            None,
            {"porteurs": codes, "expire_le": expires},
        )
    return {code: (token, expires) for code, token in minted.items()}


def find(conn: Connection, token: str, now: datetime) -> Link:
    """The valid link of `token`; LinkRefused (French) otherwise, `gone` when it existed."""
    unknown = LinkRefused(
        "Ce lien ne correspond à aucune campagne : vérifiez qu'il est recopié en entier.",
        gone=False,
    )
    if not is_token_shaped(token):
        raise unknown
    row = one_row(
        conn,
        f"""
        SELECT l.id, l.campagne_id, l.porteur_code, l.expire_le, ({LIVE_SQL}) AS valide
        FROM lien_campagne l WHERE l.empreinte = ?
        """,  # noqa: S608 - fixed fragments; values are bound
        [now, fingerprint(token)],
    )
    if row is None:
        raise unknown
    if not row[4]:
        raise LinkRefused(GONE_TEXT, gone=True)
    return Link(int(row[0]), int(row[1]), str(row[2]), row[3])


def record_opening(conn: Connection, link_id: int, now: datetime) -> None:
    """Count one opening of the link; call it inside the caller's transaction."""
    conn.execute(
        "UPDATE lien_campagne SET ouvertures = ouvertures + 1, ouvert_le = ? WHERE id = ?",
        [now, link_id],
    )


def check_live(conn: Connection, link: ReplyLink, now: datetime | None = None) -> None:
    """PermissionDenied unless the link is still valid: a write checks it at its moment."""
    row = one_row(
        conn,
        f"SELECT 1 FROM lien_campagne l WHERE l.id = ? AND {LIVE_SQL}",  # noqa: S608 - fixed SQL
        [link.id, now or datetime.now()],
    )
    if row is None:
        raise PermissionDenied(GONE_TEXT, "Lien refusé")


def require_live(conn: Connection, user: User | None) -> None:
    """For a reply link's session, `check_live`; nothing for anyone else. Every write open to
    porteurs calls it (or `plan.porteurs.scope_of`, which does) before writing."""
    if user is not None and user.lien is not None:
        check_live(conn, user.lien)


def _revoke(conn: Connection, user: User, where: str, params: list[object], now: datetime) -> int:
    """Revoke the links of `where` still valid and end their sessions; inside a transaction."""
    ids = [
        int(r[0])
        for r in conn.execute(
            f"UPDATE lien_campagne l SET revoque_le = ?, revoque_par = ? "  # noqa: S608 - fixed SQL
            f"WHERE {where} AND l.revoque_le IS NULL AND l.expire_le > ? RETURNING id",
            [now, user.login, *params, now],
        ).fetchall()
    ]
    if ids:
        conn.execute("DELETE FROM session_connexion WHERE list_contains(?, lien_id)", [ids])
    return len(ids)


def revoke_porteur(
    conn: Connection, user: User | None, porteur_code: str, now: datetime | None = None
) -> int:
    """Revoke every valid link of a porteur (admin, journaled): the number revoked. Its sessions
    end at once."""
    auth.require(user, "admin")
    assert user is not None
    with transaction(conn):
        count = _revoke(conn, user, "l.porteur_code = ?", [porteur_code], now or datetime.now())
        if count:
            journal.log(
                conn,
                user,
                "liens de campagne révoqués",
                f"porteur {porteur_code}",
                None,
                {"liens": count},
            )
    return count


def has_links(conn: Connection, porteur_code: str) -> bool:
    """True when `porteur_code` was ever given a link (it may have left the plan since)."""
    return (
        one_row(conn, "SELECT 1 FROM lien_campagne WHERE porteur_code = ?", [porteur_code])
        is not None
    )


def revoke_all(conn: Connection, user: User, now: datetime | None = None) -> int:
    """Revoke every link still valid; inside the caller's transaction (a restore: a link
    revoked after the backup must not live again, so none of the backup's links do)."""
    return _revoke(conn, user, "TRUE", [], now or datetime.now())


def revoke_campaign(
    conn: Connection, user: User, campaign_id: int, now: datetime | None = None
) -> int:
    """Revoke every valid link of a campaign being closed; call it inside the closing's
    transaction (which journals it). The number revoked."""
    return _revoke(conn, user, "l.campagne_id = ?", [campaign_id], now or datetime.now())


def state_sql() -> str:
    """The French state of link `l` at `?`: valide, révoqué, expiré, campagne close."""
    return (
        "CASE WHEN l.revoque_le IS NOT NULL THEN 'révoqué' "
        "WHEN l.expire_le <= ? THEN 'expiré' "
        "WHEN c.close_le IS NOT NULL THEN 'campagne close' ELSE 'valide' END"
    )


def links(
    conn: Connection, campaign_id: int | None = None, now: datetime | None = None
) -> pd.DataFrame:
    """The links minted (of one campaign, or all), newest first: id, campagne_id, porteur_code,
    cree_le, expire_le, etat (French), ouvertures, ouvert_le. Never a token: none is stored."""
    return conn.execute(
        f"""
        SELECT l.id, l.campagne_id, l.porteur_code, l.cree_le, l.expire_le,
               {state_sql()} AS etat, l.ouvertures, l.ouvert_le
        FROM lien_campagne l JOIN campagne c ON c.id = l.campagne_id
        WHERE ? IS NULL OR l.campagne_id = ? ORDER BY l.id DESC
        """,  # noqa: S608 - fixed fragments; values are bound
        [now or datetime.now(), campaign_id, campaign_id],
    ).df()


def describe(conn: Connection, link: ReplyLink) -> str:
    """« Campagne « Suivi 2025 » (échéance 20/12/2026) : lien valable jusqu'au 19/01/2027. »"""
    row = one_row(
        conn,
        "SELECT c.nom, c.echeance, l.expire_le FROM lien_campagne l "
        "JOIN campagne c ON c.id = l.campagne_id WHERE l.id = ?",
        [link.id],
    )
    if row is None:
        return GONE_TEXT
    last_day = row[2] - timedelta(seconds=1)
    return (
        f"Campagne « {row[0]} » (échéance {formats.day(row[1])}) : ce lien est valable jusqu'au "
        f"{formats.day(last_day)} inclus."
    )


def mail_lines(url: str, expires: datetime | None) -> list[str]:
    """What a reminder says of the porteur's link `url` (plain text lines, French)."""
    lines = ["Pour répondre en ligne sans compte, ouvrez votre lien personnel :", url]
    if expires is not None:
        last = formats.day(expires - timedelta(seconds=1))
        lines.append(
            f"Il est valable jusqu'au {last} inclus, ou jusqu'à la clôture de la campagne."
        )
    lines.append(
        "Ce lien ouvre vos actions à qui le détient : ne le transférez pas. Il ne donne accès "
        "à rien d'autre."
    )
    return lines
