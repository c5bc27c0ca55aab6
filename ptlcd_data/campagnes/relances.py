"""The relances (reminders) of a campaign as recorded: one campagne_relance row per reminder
sent or tried.

Preparing and sending them is `relances_envoi` (composing, SMTP and .eml files: `mail`); this
module only stores what happened, so the completion page can show « relancé le ». A scheduled
reminder (`veille`) records its step (`etape`, days before the deadline: `etapes`); a manual one
(`campaign remind`, the page's button) has none.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns
from ptlcd_data.campagnes.completion import RELANCE_ENVOYEE
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection

__all__ = ["RELANCE_ENVOYEE", "record_reminder", "reminders", "settled", "sent_log"]

# What settles a step for a porteur: the message left, was written as a .eml file for staff to
# send, or could not be sent for want of an address (the next step tries again). A failure
# (« échec ») is tried again at the next run, up to MAX_STEP_ATTEMPTS times: a refused address
# is not retried every hour for days.
SETTLED = (RELANCE_ENVOYEE, "fichier .eml", "sans adresse")
MAX_STEP_ATTEMPTS = 3


def record_reminder(
    conn: Connection,
    user: User | None,
    campaign_id: int,
    porteur_code: str,
    statut: str = RELANCE_ENVOYEE,
    detail: str | None = None,
    *,
    when: datetime | None = None,
    etape: int | None = None,
    destinataire: str | None = None,
) -> None:
    """Record one reminder (admin), journaled, in its own transaction. `statut` is
    RELANCE_ENVOYEE when the message left (only those show as « relancé le »), else a short
    French word for what happened (« échec », « sans adresse », « fichier .eml »). `etape`: the
    step of a scheduled reminder (None: a manual one); `destinataire`: the address tried."""
    auth.require(user, "admin")
    assert user is not None
    campaigns.get(conn, campaign_id)
    plan_porteurs.check_codes(conn, [porteur_code])
    when = when or datetime.now()
    with store.transaction(conn):
        conn.execute(
            "INSERT INTO campagne_relance (campagne_id, porteur_code, envoye_le, statut, detail, "
            "etape, destinataire) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [campaign_id, porteur_code, when, statut, detail, etape, destinataire],
        )
        done: dict[str, object] = {"statut": statut, "detail": detail, "envoye_le": when}
        if etape is not None:
            done["etape"] = etape
        journal.log(
            conn,
            user,
            "relance",
            f"campagne {campaign_id} · porteur {porteur_code}",
            None,
            done,
        )


def reminders(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """Every reminder of a campaign, newest first: porteur_code, envoye_le, statut, detail."""
    return conn.execute(
        "SELECT porteur_code, envoye_le, statut, detail FROM campagne_relance "
        "WHERE campagne_id = ? ORDER BY envoye_le DESC",
        [campaign_id],
    ).df()


def settled(conn: Connection, campaign_id: int, etape: int) -> set[str]:
    """The porteurs for whom step `etape` of the campaign is settled (SETTLED, or tried
    MAX_STEP_ATTEMPTS times): it is not sent to them again."""
    rows = conn.execute(
        "SELECT porteur_code FROM campagne_relance WHERE campagne_id = ? AND etape = ? "
        "GROUP BY porteur_code "
        "HAVING bool_or(list_contains(?, statut)) OR count(*) >= ?",
        [campaign_id, etape, list(SETTLED), MAX_STEP_ATTEMPTS],
    ).fetchall()
    return {str(r[0]) for r in rows}


def sent_log(conn: Connection, since: date | None = None) -> pd.DataFrame:
    """Every reminder of every campaign recorded from `since` (a day; None: all), oldest first:
    envoye_le, campagne_id, porteur_code, destinataire, etape (NULL: manual), statut, detail."""
    return conn.execute(
        "SELECT envoye_le, campagne_id, porteur_code, destinataire, etape, statut, detail "
        "FROM campagne_relance WHERE ? IS NULL OR envoye_le >= ? ORDER BY envoye_le, porteur_code",
        [since, since],
    ).df()
