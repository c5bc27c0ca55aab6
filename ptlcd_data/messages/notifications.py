"""The e-mail that tells the other side of a conversation about a new message.

A porteur's message goes to the team's mailbox (PTLCD_SMTP_FROM, where porteurs' replies to the
reminders already go); a message of the team goes to the porteur's address (the porteurs'
table), to every porteur carrying the action, or to the dépôt's porteur for a message written
inside a dépôt. The text is quoted as plain text, with the link to the action's page when
PTLCD_APP_URL is set.

As for reminders, the base is never held while a server talks: what to send is read, the
connection let go (`notify`) or at least no transaction open (`notify_message`), the notices
delivered (`campagnes.notices`), then each result recorded in `message_envoi` in its own short
transaction.
"""

from __future__ import annotations

from dataclasses import replace
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from ptlcd_data import dates, formats, store
from ptlcd_data.access import auth
from ptlcd_data.campagnes import notices
from ptlcd_data.campagnes.mail import Envoi
from ptlcd_data.campagnes.notices import Notice
from ptlcd_data.errors import InputError, SmtpError
from ptlcd_data.messages import conversation
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, transaction
from ptlcd_data.store.sql import one_row

if TYPE_CHECKING:
    import pandas as pd

TEAM = "equipe"  # the recipient code of a notice to the team
TEAM_NAME = "l'équipe du PTLCD"
# Said of a message whose e-mail did not leave.
KEPT = "Le message reste enregistré sur la Fiche action."


def _message(conn: Connection, message_id: int) -> dict[str, Any]:
    row = one_row(
        conn,
        f"""
        SELECT m.action_no, m.porteur_code, m.cote, m.texte, m.envoye_le, m.depot_id,
               {auth.author_name_sql("m.auteur")},
               (SELECT a.libelle FROM plan_action(?) a WHERE a.action_no = m.action_no)
        FROM message m WHERE m.id = ?
        """,  # noqa: S608 - a fixed fragment; values bound
        [dates.or_today(None), message_id],
    )
    if row is None:
        raise InputError(f"Le message n° {message_id} n'existe pas.")
    keys = ("action_no", "porteur", "cote", "texte", "envoye_le", "depot_id", "auteur", "action")
    return dict(zip(keys, row, strict=True))


def _recipients(conn: Connection, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The porteurs a message of the team goes to: the dépôt's porteur, else every porteur
    carrying the action today (else the one it was written to). Keys: code, libelle, email."""
    if message["depot_id"] is not None:
        codes = [message["porteur"]]
    else:
        codes = conversation.carriers(conn, int(message["action_no"])) or [message["porteur"]]
    rows = conn.execute(
        "SELECT code, libelle, email FROM plan_porteur(?) ORDER BY ordre, code",
        [dates.or_today(None)],
    ).fetchall()
    known = {code: (libelle, email) for code, libelle, email in rows}
    return [
        {"code": c, "libelle": known.get(c, (c, None))[0], "email": known.get(c, (c, None))[1]}
        for c in codes
        if c is not None
    ]


def body(message: dict[str, Any], settings: Settings, *, who: str, signature: str) -> str:
    """The notice's plain text: who wrote, when, on which action, the message quoted, where
    to answer."""
    action = f"l'action n° {message['action_no']}"
    if message["action"]:
        action += f" « {' '.join(str(message['action']).split())} »"
    lines = [
        "Bonjour,",
        "",
        f"{message['auteur']} ({who}) a écrit le {formats.timestamp(message['envoye_le'])} "
        f"au sujet de {action} :",
        "",
        *(f"> {line}".rstrip() for line in str(message["texte"]).splitlines()),
        "",
    ]
    if message["depot_id"] is not None:
        lines += [f"Ce message a été écrit dans le dépôt n° {message['depot_id']}.", ""]
    url = settings.app_url.strip().rstrip("/")
    if url:
        link = f"{url}/fiche_action?action={message['action_no']}"
        lines.append(f"Pour lire la conversation et répondre : {link}")
    else:
        lines.append(
            "Pour lire la conversation et répondre, connectez-vous à l'application du PTLCD : "
            f"page « Fiche action », action n° {message['action_no']}."
        )
    lines += [
        "Répondez dans l'application : une réponse à ce courriel n'entre pas dans la conversation.",
        "",
        signature,
        "",
    ]
    return "\n".join(lines)


def prepared(conn: Connection, settings: Settings, message_id: int) -> list[Notice | Envoi]:
    """What to tell the other side of message `message_id`: one `Notice` per recipient, or
    the `Envoi` that says why nobody can be told (an action no porteur carries)."""
    message = _message(conn, message_id)
    action_no = message["action_no"]
    if message["cote"] == conversation.PORTEUR:
        labels = dict(
            conn.execute(
                "SELECT code, libelle FROM plan_porteur(?)", [dates.or_today(None)]
            ).fetchall()
        )
        porteur = labels.get(message["porteur"], message["porteur"])
        subject = f"PTLCD – action n° {action_no} : nouveau message de {porteur}"
        text = body(
            message,
            settings,
            who=f"porteur {porteur}",
            signature="Avis automatique de l'application du PTLCD",
        )
        return [Notice(TEAM, parseaddr(settings.smtp_from)[1] or None, subject, text)]
    recipients = _recipients(conn, message)
    if not recipients:
        return [
            Envoi(
                "—",
                None,
                "sans_adresse",
                f"L'action n° {action_no} n'est portée par aucun porteur : aucun courriel envoyé.",
            )
        ]
    subject = f"PTLCD – action n° {action_no} : nouveau message de {TEAM_NAME}"
    text = body(message, settings, who=TEAM_NAME, signature="L'équipe du PTLCD")
    return [Notice(r["code"], r["email"], subject, text) for r in recipients]


def _explained(envoi: Envoi) -> Envoi:
    """A `sans_adresse` result saying what to do about it."""
    if envoi.statut != "sans_adresse" or envoi.porteur_code == "—":
        return envoi
    if envoi.porteur_code == TEAM:
        return replace(
            envoi,
            detail="Aucune adresse de l'équipe (réglage PTLCD_SMTP_FROM vide) : aucun courriel "
            "envoyé ; le message est visible sur la Fiche action.",
        )
    return replace(
        envoi,
        detail=f"Le porteur {envoi.porteur_code} n'a pas d'adresse électronique : aucun courriel "
        f"envoyé (l'administration la renseigne avec « porteurs set {envoi.porteur_code} "
        "--email ADRESSE »).",
    )


def _deliver(items: list[Notice | Envoi], settings: Settings) -> list[Envoi]:
    """Send the notices (no base held); the refusals stay in their place. A server that cannot
    be used is an `echec` of each notice, saying why: the message itself is recorded already."""
    sending = [item for item in items if isinstance(item, Notice)]
    try:
        delivered = notices.deliver(sending, settings, notices.outbox_dir(settings))
    except SmtpError as exc:
        delivered = [
            Envoi(n.code, n.to, "echec", f"Non envoyé : {exc.message} {KEPT}") for n in sending
        ]
    sent = iter(delivered)
    return [_explained(next(sent) if isinstance(item, Notice) else item) for item in items]


def record(conn: Connection, message_id: int, envoi: Envoi) -> None:
    """Record what became of one notice, in its own transaction."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO message_envoi (message_id, destinataire, adresse, statut, detail, "
            "message_ref, enregistre_le) VALUES (?, ?, ?, ?, ?, ?, current_localtimestamp())",
            [
                message_id,
                envoi.porteur_code,
                envoi.destinataire,
                envoi.statut,
                envoi.detail,
                envoi.message_id or None,
            ],
        )


def notify_message(conn: Connection, settings: Settings, message_id: int) -> list[Envoi]:
    """E-mail the other side of message `message_id`; one `Envoi` per recipient, each recorded
    in its own transaction once the server has answered. No transaction is open while the
    server talks, but `conn` stays open: prefer `notify` when the base can be let go. A server
    that cannot be used is recorded as an `echec` of each recipient, never raised: the message
    is recorded already."""
    envois = _deliver(prepared(conn, settings, message_id), settings)
    for envoi in envois:
        record(conn, message_id, envoi)
    return envois


def notify(settings: Settings, message_id: int) -> list[Envoi]:
    """`notify_message` on connections of its own, none open while the server talks: read,
    close, send, then one short connection and transaction per result."""
    with store.connect(settings.db_path) as conn:
        items = prepared(conn, settings, message_id)
    envois = _deliver(items, settings)
    for envoi in envois:
        with store.connect(settings.db_path) as conn:
            record(conn, message_id, envoi)
    return envois


def sent_to(conn: Connection, message_id: int) -> pd.DataFrame:
    """What became of the notices of `message_id`, in the order recorded. Columns:
    destinataire, adresse, statut, detail, enregistre_le."""
    return conn.execute(
        "SELECT destinataire, adresse, statut, detail, enregistre_le FROM message_envoi "
        "WHERE message_id = ? ORDER BY id",
        [message_id],
    ).df()


def summary(envois: list[Envoi], *, staff: bool) -> str:
    """The e-mails' results in one French paragraph. A porteur account is not shown where the
    server keeps an unsent .eml file."""
    texts = []
    for envoi in envois:
        if envoi.statut == "fichier_eml" and not staff:
            texts.append(
                "Aucun serveur d'envoi réglé : l'avis par courriel est enregistré pour être "
                "envoyé par l'équipe."
            )
        else:
            texts.append(envoi.detail)
    return "Courriel : " + " ".join(texts) if texts else "Aucun courriel."
