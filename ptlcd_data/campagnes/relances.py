"""The relances (reminders) of a campaign as recorded: one campagne_relance row per reminder
sent or tried.

Preparing and sending them is `relances_envoi` (composing, SMTP and .eml files: `mail`); this
module only stores what happened, so the completion page can show « relancé le ».
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns
from ptlcd_data.campagnes.completion import RELANCE_ENVOYEE
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection

__all__ = ["RELANCE_ENVOYEE", "record_reminder", "reminders"]


def record_reminder(
    conn: Connection,
    user: User | None,
    campaign_id: int,
    porteur_code: str,
    statut: str = RELANCE_ENVOYEE,
    detail: str | None = None,
    *,
    when: datetime | None = None,
) -> None:
    """Record one reminder (admin), journaled, in its own transaction. `statut` is
    RELANCE_ENVOYEE when the message left (only those show as « relancé le »), else a short
    French word for what happened (« échec », « sans adresse », « fichier .eml »)."""
    auth.require(user, "admin")
    assert user is not None
    campaigns.get(conn, campaign_id)
    plan_porteurs.check_codes(conn, [porteur_code])
    when = when or datetime.now()
    with store.transaction(conn):
        conn.execute(
            "INSERT INTO campagne_relance (campagne_id, porteur_code, envoye_le, statut, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            [campaign_id, porteur_code, when, statut, detail],
        )
        journal.log(
            conn,
            user,
            "relance",
            f"campagne {campaign_id} · porteur {porteur_code}",
            None,
            {"statut": statut, "detail": detail, "envoye_le": when},
        )


def reminders(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """Every reminder of a campaign, newest first: porteur_code, envoye_le, statut, detail."""
    return conn.execute(
        "SELECT porteur_code, envoye_le, statut, detail FROM campagne_relance "
        "WHERE campagne_id = ? ORDER BY envoye_le DESC",
        [campaign_id],
    ).df()
