"""Short e-mail notices (a new message, a dépôt sent back): plain French text to one address each,
sent through SMTP or, with no server set, saved as .eml files in a folder beside the base.

A pure library, like `mail` whose session it shares: it reads no database and writes no journal;
the caller builds one `Notice` per recipient, reads what it needs from the base and lets go of it
before calling `deliver`, then records each `Envoi` in its own short transaction.

Errors, as for reminders: `deliver` raises `SmtpError` (French, naming the server) only while
nothing has been sent (a wrong setting, a refused or silent connection, a refused login); once
the session is open every notice gets an `Envoi` (envoye, echec with the reason), under the same
deadlines (PTLCD_SMTP_MESSAGE_SECONDS, PTLCD_SMTP_RUN_SECONDS). A notice without an address is
`sans_adresse`, one with a malformed address an `echec`: neither is tried.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from ptlcd_data.campagnes import mail
from ptlcd_data.campagnes.mail import Envoi
from ptlcd_data.campagnes.smtp_watch import Limits
from ptlcd_data.settings import Settings
from ptlcd_data.store import files

# The folder, beside the base, where notices are saved when no server is set.
OUTBOX_DIR = "courriels"
# What a notice that did not leave (a server lost mid-way) tells the reader.
NOT_SENT = "le message reste enregistré dans l'application"
# A file name keeps this much of the recipient's code: enough to recognise it, never a path.
NAME_CODE_MAX = 40


@dataclass(frozen=True)
class Notice:
    """One e-mail to one recipient: plain French text, never HTML."""

    code: str  # who it is for (a porteur code, a login): the `Envoi`'s porteur_code
    to: str | None  # the address; None or "": not sent, `sans_adresse`
    subject: str
    body: str
    reply_to: str | None = None  # where an answer should go, when not to the sender
    # The Message-ID this notice answers (threads it in the reader's mail program); with it,
    # the notice is marked an automatic reply (RFC 3834), so that no robot answers it again.
    in_reply_to: str | None = None


def outbox_dir(settings: Settings) -> Path:
    """Where notices are saved as .eml files with no server set: `courriels/` beside the base."""
    return settings.db_path.parent / OUTBOX_DIR


def _address(raw: str) -> Address | None:
    """`raw` as one address, or None when it is not one (« nom@exemple.fr »)."""
    try:
        address = Address(addr_spec=raw)
    except (ValueError, IndexError, HeaderParseError):
        return None
    return address if address.username and address.domain else None


def _message_ref(raw: str | None) -> str | None:
    """`raw` when it is one Message-ID (« <id@domaine> »), never a line break nor a list."""
    text = (raw or "").strip()
    return text if re.fullmatch(r"<[^<>\s]{1,250}>", text) else None


def _message(notice: Notice, settings: Settings) -> EmailMessage | Envoi:
    """The notice as a message, or the `Envoi` that says why there is none."""
    raw = (notice.to or "").strip()
    if not raw:
        return Envoi(
            notice.code,
            None,
            "sans_adresse",
            f"Aucune adresse électronique connue pour {notice.code} : aucun courriel envoyé.",
        )
    to = _address(raw)
    if to is None:
        return Envoi(
            notice.code,
            raw,
            "echec",
            f"Adresse électronique de {notice.code} invalide : « {raw} » (attendu : une seule "
            "adresse, comme nom@exemple.fr) ; aucun courriel envoyé.",
        )
    sender = settings.smtp_from.strip()
    message = EmailMessage()
    message["Subject"] = " ".join(notice.subject.split())  # one line: no header injection
    if sender:
        message["From"] = sender
    message["To"] = to
    reply_to = _address((notice.reply_to or "").strip())
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(localtime=True)
    answered = _message_ref(notice.in_reply_to)
    if answered is not None:
        message["In-Reply-To"] = answered
        message["References"] = answered
        message["Auto-Submitted"] = "auto-replied"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "ptlcd.localhost"
    message["Message-ID"] = make_msgid("ptlcd-avis", domain=domain)
    message.set_content(notice.body)
    return message


def deliver(notices: list[Notice], settings: Settings, outbox: Path) -> list[Envoi]:
    """Send each notice, or save it in `outbox` when no server is set; one `Envoi` per notice,
    in the same order. Raises SmtpError before anything is sent when the server is unusable."""
    items = [_message(notice, settings) for notice in notices]
    if not mail.smtp_configured(settings):
        return [
            item if isinstance(item, Envoi) else _saved(notice.code, item, outbox)
            for notice, item in zip(notices, items, strict=True)
        ]
    server = mail._server(settings)
    limits = Limits.of(settings)
    if all(isinstance(item, Envoi) for item in items):
        return [item for item in items if isinstance(item, Envoi)]
    session = mail._Session(server, limits, mail.SMTP_TIMEOUT_S, again=NOT_SENT)
    envois = []
    try:
        session.open()
        for notice, item in zip(notices, items, strict=True):
            envois.append(item if isinstance(item, Envoi) else session.send(notice.code, item))
    finally:
        session.close()
    return envois


def eml_name(code: str, when: datetime | None = None) -> str:
    """A new file name: date and time, the recipient's code made safe, a random tail
    (`20261207-143005-MDE-3fa9c2d1.eml`): never a path, never the same twice."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", code.strip())[:NAME_CODE_MAX] or "destinataire"
    return f"{stamp}-{safe}-{secrets.token_hex(4)}.eml"


def _saved(code: str, message: EmailMessage, outbox: Path) -> Envoi:
    """Write `message` as a draft .eml in `outbox` (a new file, never one overwritten)."""
    to = str(message["To"].addresses[0].addr_spec)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
    outbox.mkdir(parents=True, exist_ok=True)
    while True:
        path = outbox / eml_name(code)
        try:
            files.write_private(path, mail.eml_bytes(message), new=True)
            break
        except FileExistsError:  # the same second and the same random tail: draw again
            continue
    return Envoi(
        code,
        to,
        "fichier_eml",
        f"Aucun serveur d'envoi réglé : message enregistré dans {path}, à envoyer.",
        str(message["Message-ID"]),
    )
