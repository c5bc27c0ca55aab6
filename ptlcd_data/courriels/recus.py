"""The messages already read from the mailbox (`courriel_recu`), each remembered by its Message-ID.

A message is recorded `en_cours` before any dépôt is made from it, then `traite` or
`a_examiner` with its dépôts, what became of each attachment and its reply, to send. Each step
is its own short transaction, on a connection the caller opens and closes around it: the base is
never held while the mailbox or the mail server talks. A run cut between a dépôt and the record
that names it finds the message `en_cours` again: `adopted` gives back the dépôt already made
(same sender, same file, made at the message's `releve_le`), so nothing is made twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ptlcd_data.campagnes.mail import Envoi
from ptlcd_data.courriels.incoming import Incoming
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

EN_COURS, TRAITE, A_EXAMINER = "en_cours", "traite", "a_examiner"
STATUT_LABELS = {EN_COURS: "en cours", TRAITE: "traité", A_EXAMINER: "à examiner"}
NO_REPLY = "aucune"  # reponse_statut of a message that gets no automatic reply


@dataclass(frozen=True)
class Recu:
    """A message as remembered."""

    message_id: str
    statut: str
    releve_le: datetime
    depot_ids: tuple[int, ...]
    reponse_statut: str | None


@dataclass(frozen=True)
class Reply:
    """The automatic reply of a message, as recorded before it is sent."""

    message_id: str
    to: str | None
    subject: str
    body: str


def find(conn: Connection, message_id: str) -> Recu | None:
    row = one_row(
        conn,
        "SELECT message_id, statut, releve_le, depot_ids, reponse_statut FROM courriel_recu "
        "WHERE message_id = ?",
        [message_id],
    )
    if row is None:
        return None
    return Recu(str(row[0]), str(row[1]), row[2], tuple(int(i) for i in row[3] or ()), row[4])


def start(conn: Connection, incoming: Incoming, now: datetime) -> None:
    """Record the message `en_cours`, before anything is made from it."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO courriel_recu (message_id, releve_le, envoye_le, expediteur, sujet, "
            "taille, statut) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                incoming.message_id,
                now,
                incoming.sent_at,
                incoming.sender or None,
                incoming.subject or None,
                incoming.size,
                EN_COURS,
            ],
        )


def adopted(
    conn: Connection, sender: str, sha256: str, porteur_code: str, releve_le: datetime
) -> int | None:
    """The dépôt an interrupted run already made from this attachment, if any."""
    row = one_row(
        conn,
        "SELECT max(id) FROM depot WHERE origine = 'courriel' AND etat <> 'brouillon' "
        "AND expediteur IS NOT DISTINCT FROM ? AND sha256 = ? AND porteur_code = ? "
        "AND cree_le = ?",
        [sender or None, sha256, porteur_code, releve_le],
    )
    return None if row is None or row[0] is None else int(row[0])


def finish(
    conn: Connection,
    message_id: str,
    statut: str,
    *,
    depot_ids: list[int],
    detail: str | None,
    motif: str | None,
    reply: Reply | None,
    why_no_reply: str | None,
    now: datetime,
) -> None:
    """Record what became of the message, and its reply to send (or why there is none)."""
    with transaction(conn):
        conn.execute(
            "UPDATE courriel_recu SET statut = ?, depot_ids = ?, detail = ?, motif = ?, "
            "traite_le = ?, reponse_a = ?, reponse_sujet = ?, reponse_texte = ?, "
            "reponse_statut = ?, reponse_detail = ? WHERE message_id = ?",
            [
                statut,
                depot_ids,
                detail,
                motif,
                now,
                None if reply is None else reply.to,
                None if reply is None else reply.subject,
                None if reply is None else reply.body,
                NO_REPLY if reply is None else None,
                why_no_reply if reply is None else None,
                message_id,
            ],
        )


def pending_replies(conn: Connection) -> list[Reply]:
    """The replies recorded and not sent yet (a server down, a run cut short), oldest first."""
    rows = conn.execute(
        "SELECT message_id, reponse_a, reponse_sujet, reponse_texte FROM courriel_recu "
        "WHERE statut <> ? AND reponse_statut IS NULL ORDER BY releve_le, message_id",
        [EN_COURS],
    ).fetchall()
    return [Reply(str(m), a, str(s), str(t)) for m, a, s, t in rows]


def record_reply(conn: Connection, message_id: str, envoi: Envoi, now: datetime) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE courriel_recu SET reponse_statut = ?, reponse_detail = ?, reponse_le = ? "
            "WHERE message_id = ?",
            [envoi.statut, envoi.detail, now, message_id],
        )


def received(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """The messages read, newest first: message_id, releve_le, expediteur, sujet, statut,
    depot_ids, motif, detail, reponse_statut, reponse_detail."""
    return conn.execute(
        "SELECT message_id, releve_le, expediteur, sujet, statut, depot_ids, motif, detail, "
        "reponse_statut, reponse_detail FROM courriel_recu ORDER BY releve_le DESC LIMIT ?",
        [limit],
    ).df()
