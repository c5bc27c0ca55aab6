"""What the scheduled job sent, as recorded: the weekly digests (`recap_envoi`), when the next one
is due, and `notify log` (digests and reminders together).

The digest goes out once per calendar week (Monday to Sunday), at the first run of the week: on
Monday when the job runs every hour, or on the first day it runs after a Monday it missed. The
week of a run is the week of its day (`notify run --date`), so simulated days behave as real ones.
An account whose digest failed (« échec ») is tried again at the next run, up to
MAX_DIGEST_ATTEMPTS times in the week.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from ptlcd_data import store
from ptlcd_data.access import auth, journal
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import etapes, relances
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row

# What recap_envoi.statut says for each outcome of `notices.deliver` (as for reminders).
STATUTS = {
    "envoye": "envoyé",
    "echec": "échec",
    "sans_adresse": "sans adresse",
    "fichier_eml": "fichier .eml",
}
SETTLED = ("envoyé", "fichier .eml", "sans adresse")
MAX_DIGEST_ATTEMPTS = 3
# `notify log`: these columns, in this order.
LOG_COLUMNS = ["envoye_le", "envoi", "destinataire", "adresse", "etape", "statut", "detail"]


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def settled_this_week(conn: Connection, today: date) -> set[str]:
    """The accounts whose digest of `today`'s week is settled: not sent to them again."""
    start = week_start(today)
    rows = conn.execute(
        "SELECT login FROM recap_envoi WHERE jour >= ? AND jour < ? GROUP BY login "
        "HAVING bool_or(list_contains(?, statut)) OR count(*) >= ?",
        [start, start + timedelta(days=7), list(SETTLED), MAX_DIGEST_ATTEMPTS],
    ).fetchall()
    return {str(r[0]) for r in rows}


def last_digest(conn: Connection, before: date) -> tuple[date, datetime] | None:
    """The day and moment of the last digest that left (or was written as a .eml file) before
    the week of `before`: what « since the last digest » means; None when there was none."""
    row = one_row(
        conn,
        "SELECT max(jour), max(envoye_le) FROM recap_envoi "
        "WHERE list_contains(?, statut) AND jour < ?",
        [["envoyé", "fichier .eml"], week_start(before)],
    )
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def record_digest(
    conn: Connection,
    user: User,
    today: date,
    login: str,
    destinataire: str | None,
    statut: str,
    detail: str,
) -> None:
    """Record one digest sent or tried (admin), journaled, in its own transaction."""
    auth.require(user, "admin")
    when = datetime.now()
    with store.transaction(conn):
        conn.execute(
            "INSERT INTO recap_envoi (jour, login, destinataire, envoye_le, statut, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [today, login, destinataire, when, statut, detail],
        )
        journal.log(
            conn,
            user,
            "récapitulatif",
            f"compte {login}",
            None,
            {"statut": statut, "detail": detail, "jour": today, "envoye_le": when},
        )


def log(conn: Connection, since: date | None = None) -> pd.DataFrame:
    """Every reminder and digest recorded from `since` (None: all), oldest first: LOG_COLUMNS
    (envoi: « relance campagne n° 3 » or « récapitulatif » ; destinataire: porteur code or
    login; etape: the step in words, « manuelle » for a manual reminder, « — » for a digest)."""
    reminders = relances.sent_log(conn, since)
    digests = conn.execute(
        "SELECT envoye_le, login, destinataire, statut, detail FROM recap_envoi "
        "WHERE ? IS NULL OR envoye_le >= ? ORDER BY envoye_le, login",
        [since, since],
    ).df()
    rows = [
        {
            "envoye_le": r.envoye_le,
            "envoi": f"relance campagne n° {r.campagne_id}",
            "destinataire": r.porteur_code,
            "adresse": r.destinataire,
            "etape": "manuelle" if pd.isna(r.etape) else etapes.step_words(int(r.etape)),
            "statut": r.statut,
            "detail": r.detail,
        }
        for r in reminders.itertuples(index=False)
    ] + [
        {
            "envoye_le": r.envoye_le,
            "envoi": "récapitulatif",
            "destinataire": r.login,
            "adresse": r.destinataire,
            "etape": "—",
            "statut": r.statut,
            "detail": r.detail,
        }
        for r in digests.itertuples(index=False)
    ]
    table = pd.DataFrame(rows, columns=LOG_COLUMNS)
    return table.sort_values("envoye_le", kind="stable").reset_index(drop=True)
