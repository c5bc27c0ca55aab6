"""Campaigns: opened by an administrator with a name, a deadline and a year, closed later.

At most one campaign is open at a time: a returned workbook, a confirmation and the completion
page then always mean "the campaign under way", and two overlapping requests to the same
porteurs would only confuse them. Every write checks the admin role at write time, is
journaled and bumps the store's revision in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ptlcd_data import dates, formats, store
from ptlcd_data.access import auth, journal, liens
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import etapes
from ptlcd_data.errors import InputError
from ptlcd_data.indicateurs import rules
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row

# A campaign's name is a title, not a text.
NAME_MAX_CHARS = 120


@dataclass(frozen=True)
class Campaign:
    id: int
    nom: str
    annee: int
    echeance: date
    ouverte_le: datetime
    ouverte_par: str
    close_le: datetime | None
    close_par: str | None
    relances: str = etapes.DEFAULT  # reminder days, « 7,1,-3 » (`etapes`)

    @property
    def reminder_days(self) -> tuple[int, ...]:
        """The scheduled reminder steps, earliest first (days before the deadline)."""
        return etapes.parse(self.relances)

    @property
    def is_open(self) -> bool:
        return self.close_le is None

    @property
    def label(self) -> str:
        """« Campagne 2025 (n° 3, échéance 31/01/2026) »."""
        return f"{self.nom} (n° {self.id}, échéance {formats.day(self.echeance)})"

    @property
    def etat(self) -> str:
        return "ouverte" if self.is_open else f"close le {formats.day(self.close_le)}"


_COLUMNS = (
    "id, nom, annee, echeance, ouverte_le, ouverte_par, close_le, close_par, coalesce(relances, '')"
)


def _campaign(row: tuple[object, ...]) -> Campaign:
    return Campaign(*row)  # type: ignore[arg-type]


def campaigns(conn: Connection) -> list[Campaign]:
    """Every campaign, newest first."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM campagne ORDER BY id DESC").fetchall()  # noqa: S608 - fixed columns
    return [_campaign(r) for r in rows]


def get(conn: Connection, campaign_id: int) -> Campaign:
    """The campaign, or a French refusal when there is none with that number."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM campagne WHERE id = ?",  # noqa: S608 - fixed columns
        [campaign_id],
    ).fetchall()
    if not rows:
        raise InputError(
            f"La campagne n° {campaign_id} n'existe pas (la liste : commande « campaign list »)."
        )
    return _campaign(rows[0])


def current(conn: Connection) -> Campaign | None:
    """The open campaign, if any."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM campagne WHERE close_le IS NULL ORDER BY id DESC LIMIT 1"  # noqa: S608 - fixed columns
    ).fetchall()
    return _campaign(rows[0]) if rows else None


def of_year(conn: Connection, year: int) -> Campaign | None:
    """The latest campaign that asked for `year`'s values (the annual summary states its rate)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM campagne WHERE annee = ? ORDER BY id DESC LIMIT 1",  # noqa: S608 - fixed columns
        [year],
    ).fetchall()
    return _campaign(rows[0]) if rows else None


def open_campaign(
    conn: Connection,
    user: User | None,
    nom: str,
    echeance: date,
    annee: int | None = None,
    *,
    today: date | None = None,
    relances: str | None = None,
) -> Campaign:
    """Open a campaign (admin), with its reminder days (`relances`, « 7,1,-3 » by default).
    Refused: an empty name, a deadline before today, a year outside the plan's range, reminder
    days that are not whole numbers, another campaign still open."""
    auth.require(user, "admin")
    assert user is not None
    today = dates.or_today(today)
    nom = " ".join((nom or "").split())
    if not nom:
        raise InputError("Le nom de la campagne est vide : donnez-lui un nom (« Suivi 2025 »).")
    if len(nom) > NAME_MAX_CHARS:
        raise InputError(f"Nom trop long ({len(nom)} caractères) : {NAME_MAX_CHARS} au plus.")
    if echeance < today:
        raise InputError(
            f"L'échéance {formats.day(echeance)} est passée : choisissez aujourd'hui "
            f"({formats.day(today)}) ou une date à venir."
        )
    days = etapes.as_text(etapes.parse(etapes.DEFAULT if relances is None else relances))
    annee = annee or dates.last_complete_year()
    first, last = rules.year_range()
    if not first <= annee <= last:
        raise InputError(f"Année {annee} impossible : attendu de {first} à {last}.")
    with store.transaction(conn):
        ongoing = current(conn)
        if ongoing is not None:
            raise InputError(
                f"La campagne « {ongoing.label} » est encore ouverte : fermez-la avant d'en "
                "ouvrir une autre (une seule campagne ouverte à la fois)."
            )
        row = one_row(
            conn,
            "INSERT INTO campagne (nom, annee, echeance, ouverte_le, ouverte_par, relances) "
            "VALUES (?, ?, ?, current_localtimestamp(), ?, ?) RETURNING id",
            [nom, annee, echeance, user.login, days],
        )
        assert row is not None
        campaign_id = int(row[0])
        journal.log(
            conn,
            user,
            "campagne",
            f"campagne {campaign_id}",
            None,
            {
                "nom": nom,
                "annee": annee,
                "echeance": echeance,
                "etat": "ouverte",
                "relances": days,
            },
        )
    return get(conn, campaign_id)


def close_campaign(conn: Connection, user: User | None, campaign_id: int) -> Campaign:
    """Close an open campaign (admin): its workbooks are refused from then on, and its reply
    links (`access.liens`) revoked, with every session they opened."""
    auth.require(user, "admin")
    assert user is not None
    with store.transaction(conn):
        campaign = get(conn, campaign_id)
        if not campaign.is_open:
            raise InputError(f"La campagne « {campaign.label} » est déjà close.")
        conn.execute(
            "UPDATE campagne SET close_le = current_localtimestamp(), close_par = ? WHERE id = ?",
            [user.login, campaign_id],
        )
        revoked = liens.revoke_campaign(conn, user, campaign_id)
        journal.log(
            conn,
            user,
            "campagne",
            f"campagne {campaign_id}",
            {"etat": "ouverte"},
            {"etat": "close", "liens_revoques": revoked} if revoked else {"etat": "close"},
        )
    return get(conn, campaign_id)


def set_reminder_days(
    conn: Connection, user: User | None, campaign_id: int, relances: str
) -> Campaign:
    """Change the reminder days of an open campaign (admin, journaled): « 7,1,-3 », or "" for no
    scheduled reminder. A step already sent stays sent; a new step is sent when its day comes."""
    auth.require(user, "admin")
    assert user is not None
    days = etapes.as_text(etapes.parse(relances))
    with store.transaction(conn):
        campaign = get(conn, campaign_id)
        if not campaign.is_open:
            raise InputError(
                f"La campagne « {campaign.label} » est close : ses relances sont finies."
            )
        if campaign.relances == days:
            return campaign
        conn.execute("UPDATE campagne SET relances = ? WHERE id = ?", [days, campaign_id])
        journal.log(
            conn,
            user,
            "campagne",
            f"campagne {campaign_id}",
            {"relances": campaign.relances},
            {"relances": days},
        )
    return get(conn, campaign_id)
