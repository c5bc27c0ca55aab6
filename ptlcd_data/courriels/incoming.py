"""A message read from the mailbox: who sent it, what it answers, and its attachments read.

Pure: no database, no network. `parse` reads the message's headers and attachments (under the
limits below, which set a message aside whole rather than read it in part); `read_pieces`
reads each attachment that may be a workbook with the project's reader
(`classeurs.reader.read_file`, in a child process under its memory and time limits) and finds
its hidden stamp (`imports.stamp.take_stamp`), whatever the file's name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from ptlcd_data import formats
from ptlcd_data.classeurs import reader
from ptlcd_data.imports.stamp import Stamp, take_stamp
from ptlcd_data.settings import Settings

# At most this many attachments are read from one message: a porteur sends one workbook, or a
# few for several porteurs; a message with more is set aside whole for the team (never half read).
MAX_ATTACHMENTS = 10
# A message larger than this many times PTLCD_MAX_UPLOAD_MB is not downloaded at all (base64
# makes an attachment a third larger; two full-size workbooks still fit): set aside, unread.
MESSAGE_SIZE_FACTOR = 2
# Kept of a subject or a file name: enough to recognise it in a list, never a page of text.
SUBJECT_MAX_CHARS = 200
FILENAME_MAX_CHARS = 120
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SPREADSHEET_KINDS = ("xlsx", "xlsm", "xls", "ods")
# Senders that are machines: never answered automatically (no loop of automatic replies).
_MACHINES = re.compile(r"^(mailer-daemon|postmaster|no-?reply|ne-pas-repondre)(\+.*)?@", re.I)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass
class Incoming:
    """One message, as read: what its reply and its record need."""

    message_id: str
    sender: str  # the From address ("" when there is none)
    reply_to: str  # where a reply goes: Reply-To, else From
    subject: str
    sent_at: datetime | None
    size: int
    automatic: str | None = None  # why it gets no automatic reply (a bounce, an auto-reply)
    refusal: str | None = None  # why it is set aside whole, unread (a_examiner)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Piece:
    """What one attachment is: `kind` is classeur (a campaign workbook: `book`, `stamp`),
    illisible (a workbook that cannot be read, `note` says why), autre (not a campaign
    workbook: a spreadsheet without stamp, a picture, a PDF…)."""

    filename: str
    kind: str
    sha256: str
    note: str = ""
    book: reader.RawBook | None = None
    stamp: Stamp | None = None


def message_max_bytes(settings: Settings) -> int:
    return MESSAGE_SIZE_FACTOR * settings.max_upload_mb * 2**20


def _one_line(value: object, limit: int) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_id(raw_id: object, headers: bytes, size: int) -> str:
    found = _MESSAGE_ID.search(str(raw_id or ""))
    if found:
        return found.group(0)
    # No usable Message-ID: the headers' digest names the message as surely, run after run.
    digest = hashlib.sha256(headers + str(size).encode()).hexdigest()[:40]
    return f"<{digest}@sans-message-id.ptlcd>"


def _sent_at(value: object) -> datetime | None:
    try:
        found = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if found is not None and found.tzinfo is not None:
        found = found.astimezone().replace(tzinfo=None)  # the base stores local times
    return found


def _address(message: Message, header: str) -> str:
    try:
        values = message.get_all(header) or []
        found = [a for _, a in getaddresses([str(v) for v in values]) if "@" in a]
    except (TypeError, ValueError, IndexError):
        found = []
    return found[0].strip() if found else ""


def _automatic(message: Message, sender: str, own: str) -> str | None:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"message automatique (Auto-Submitted : {_one_line(auto, 40)})"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"message de liste ou en nombre (Precedence : {precedence})"
    if not sender:
        return "aucune adresse d'expéditeur"
    if _MACHINES.match(sender):
        return f"expéditeur automatique ({sender})"
    if own and sender.lower() == own.lower():
        return "message envoyé par l'application elle-même"
    return None


def from_headers(header: bytes, size: int, settings: Settings) -> Incoming:
    """What the headers alone say (for a message too large to download)."""
    message = message_from_bytes(header, policy=policy.default)
    return _incoming(message, header, size, settings)


def _incoming(message: Message, header: bytes, size: int, settings: Settings) -> Incoming:
    sender = _address(message, "From")
    own = parseaddr(settings.smtp_from)[1]
    return Incoming(
        message_id=_message_id(message.get("Message-ID"), header, size),
        sender=sender,
        reply_to=_address(message, "Reply-To") or sender,
        subject=_one_line(message.get("Subject", ""), SUBJECT_MAX_CHARS),
        sent_at=_sent_at(message.get("Date")),
        size=size,
        automatic=_automatic(message, sender, own),
    )


def too_large(incoming: Incoming, settings: Settings) -> Incoming:
    """`incoming`, set aside unread because the whole message is over the limit."""
    incoming.refusal = (
        f"message de {formats.number(incoming.size / 2**20, 1)} Mo, au-delà de "
        f"{formats.number(message_max_bytes(settings) / 2**20, 0)} Mo : il n'a pas été lu "
        f"(limite : {MESSAGE_SIZE_FACTOR} fois PTLCD_MAX_UPLOAD_MB)"
    )
    return incoming


def _filename(part: Message, index: int) -> str:
    name = part.get_filename() or f"piece-jointe-{index}"
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if c.isprintable()).strip() or f"piece-jointe-{index}"
    return _one_line(name, FILENAME_MAX_CHARS)


def _attachment_parts(message: Message) -> list[Message]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part is message and not part.get_filename():
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            found.append(part)
    return found


def parse(raw: bytes, size: int, settings: Settings) -> Incoming:
    """The message, its attachments kept in memory unless a limit sets it aside whole."""
    message = message_from_bytes(raw, policy=policy.default)
    header = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    incoming = _incoming(message, header, size, settings)
    parts = _attachment_parts(message)
    if len(parts) > MAX_ATTACHMENTS:
        incoming.refusal = (
            f"{len(parts)} pièces jointes : au-delà de {MAX_ATTACHMENTS} par message, aucune "
            "n'est lue"
        )
        return incoming
    limit = settings.max_upload_mb * 2**20
    for index, part in enumerate(parts, start=1):
        name = _filename(part, index)
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError, LookupError):
            data = None
        if not isinstance(data, bytes):
            incoming.refusal = f"la pièce jointe « {name} » ne peut pas être décodée"
            return incoming
        if len(data) > limit:
            incoming.refusal = (
                f"la pièce jointe « {name} » pèse {formats.number(len(data) / 2**20, 1)} Mo, "
                f"au-delà de {settings.max_upload_mb} Mo (PTLCD_MAX_UPLOAD_MB) : aucune pièce "
                "jointe n'est lue"
            )
            incoming.attachments = []
            return incoming
        incoming.attachments.append(Attachment(name, data))
    return incoming


def read_piece(attachment: Attachment, settings: Settings) -> Piece:
    """What one attachment is; a workbook is read, and its stamp found, whatever its name."""
    name, data = attachment.filename, attachment.data
    sha256 = hashlib.sha256(data).hexdigest()
    named_like = name.lower().endswith(SPREADSHEET_SUFFIXES)
    try:
        kind, _ = reader.sniff(data, name) if data else ("vide", [])
    except reader.FileRefused as exc:
        if named_like:  # a damaged workbook, not a picture: the team looks at it
            return Piece(name, "illisible", sha256, exc.message)
        return Piece(name, "autre", sha256, "pas un classeur")
    if kind not in SPREADSHEET_KINDS:
        if named_like:
            return Piece(name, "illisible", sha256, f"Le fichier « {name} » est vide ou illisible.")
        return Piece(name, "autre", sha256, "pas un classeur")
    try:
        book = reader.read_file(
            data,
            name,
            max_bytes=settings.max_upload_mb * 2**20,
            max_rows=settings.max_rows,
        )
        stamp, _ = take_stamp(book.sheets, name)
    except reader.FileRefused as exc:
        return Piece(name, "illisible", sha256, exc.message)
    if stamp is None:
        return Piece(name, "autre", sha256, "classeur sans la feuille cachée d'une campagne")
    return Piece(name, "classeur", sha256, book=book, stamp=stamp)


def is_own(message: Incoming, settings: Settings) -> bool:
    """True when the application itself sent `message` (PTLCD_SMTP_FROM): a notice for the team."""
    own = parseaddr(settings.smtp_from)[1].lower()
    return bool(own) and (message.sender or "").lower() == own
