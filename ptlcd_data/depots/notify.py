"""Telling the porteur its dépôt was sent back: one e-mail, after the decision is recorded.

Never while the base is held: the reason is read, the connection closed, the message sent (or
saved as an `.eml` file when no server is set, `campagnes.notices`), then the result is
journaled in its own short transaction.
"""

from __future__ import annotations

from ptlcd_data import formats, store
from ptlcd_data.access import auth, journal
from ptlcd_data.campagnes import notices
from ptlcd_data.campagnes.mail import Envoi
from ptlcd_data.errors import SmtpError
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row


def return_notice(conn: Connection, settings: Settings, depot_id: int) -> notices.Notice:
    """The French message that tells the porteur why its dépôt came back."""
    row = one_row(
        conn,
        "SELECT d.porteur_code, p.libelle, p.email, d.depose_le, d.motif, d.fichier, c.nom, "
        "c.echeance FROM depot d LEFT JOIN plan_porteur(current_date) p ON p.code = d.porteur_code "
        "LEFT JOIN campagne c ON c.id = d.campagne_id WHERE d.id = ?",
        [depot_id],
    )
    assert row is not None
    code, libelle, email, depose_le, motif, fichier, campagne, echeance = row
    url = settings.app_url.strip().rstrip("/")
    where = (
        f"Corrigez-le dans la page « Mes actions » ({url}/mes_actions) puis envoyez-le de nouveau."
        if url
        else "Corrigez-le dans la page « Mes actions » de l'application, ou renvoyez le classeur "
        "corrigé, puis envoyez-le de nouveau."
    )
    deadline = (
        f"\nLa campagne « {campagne} » attend vos réponses pour le {formats.day(echeance)}."
        if campagne
        else ""
    )
    body = (
        f"Bonjour,\n\nVotre dépôt n° {depot_id} du {formats.timestamp(depose_le)} ({fichier}) "
        f"vous est renvoyé par l'équipe du PTLCD, qui ne l'a pas publié.\n\nMotif :\n{motif}\n\n"
        f"{where}{deadline}\n\nL'équipe du PTLCD"
    )
    return notices.Notice(
        code=str(code),
        to=str(email) if email else None,
        subject=f"PTLCD – votre dépôt n° {depot_id} vous est renvoyé ({libelle or code})",
        body=body,
    )


def notify_return(settings: Settings, user: auth.User, depot_id: int) -> Envoi:
    """E-mail the porteur its returned dépôt's reason, on connections of its own, none open
    while the server talks: read, close, send, then journal what became of the message."""
    with store.connect(settings.db_path) as conn:
        notice = return_notice(conn, settings, depot_id)
    try:
        (envoi,) = notices.deliver([notice], settings, notices.outbox_dir(settings))
    except SmtpError as exc:  # the dépôt is returned all the same: the porteur sees it in the app
        envoi = Envoi(notice.code, notice.to, "echec", exc.message)
    with store.connect(settings.db_path) as conn, transaction(conn):
        journal.log(
            conn,
            user,
            "courriel dépôt renvoyé",
            f"dépôt {depot_id}",
            None,
            {"destinataire": envoi.destinataire, "statut": envoi.statut, "detail": envoi.detail},
        )
    return envoi
