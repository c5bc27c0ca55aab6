"""Reminder e-mails of a campaign: written in French, sent through SMTP, or saved as .eml files.

A pure library: it reads no database and writes no journal; the campaign code gives it one
`Relance` per porteur and records what it returns.

Errors, by design:
- `send_all` raises `SmtpError` (French, naming the server) only while nothing has been sent: a
  wrong setting, a refused or silent connection, a failed TLS negotiation, a server that answers
  421 or hangs up before the session is open, a refused login.
- Once the session is open it never raises: every relance gets an `Envoi`, handed over as soon as
  the server has answered (`send_each`), so the caller can record exactly what left before the
  next message goes. A refused recipient, sender or message is an `echec` for that relance and the
  batch goes on; a server that closes the connection mid-batch (421, hang-up, timeout) makes the
  current relance and every following one an `echec` saying so (no reconnection: the next
  `campaign remind` sends the rest).
- Deadlines (`smtp_watch`): opening the session and each message get PTLCD_SMTP_MESSAGE_SECONDS,
  the whole run PTLCD_SMTP_RUN_SECONDS. Past one, the connection is cut, whatever the server is
  doing (silent, or answering a byte at a time): the relance under way and every following one
  are an `echec` whose detail begins « Délai dépassé ».
"""

from __future__ import annotations

import io
import re
import smtplib
import socket
import ssl
import time
import zipfile
from collections.abc import Generator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Literal

from ptlcd_data import formats
from ptlcd_data.access import liens
from ptlcd_data.campagnes.smtp_watch import Limits, Watchdog, WatchedSMTP, WatchedSMTPSsl
from ptlcd_data.errors import InputError, SmtpError
from ptlcd_data.settings import Settings
from ptlcd_data.store import files

# Long enough for a slow relay's greeting, short enough that a dead server does not hold a page.
SMTP_TIMEOUT_S = 15.0
# Past a deadline the watchdog cuts the connection; the socket's own timeout is set this much
# later, so that the watchdog (which says « délai dépassé ») speaks first.
GRACE_S = 1.0
# Every message is accounted for when QUIT is said: a polite goodbye is not worth a longer wait.
QUIT_WAIT_S = 2.0
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TlsMode = Literal["starttls", "ssl", "none"]
TLS_MODES: tuple[TlsMode, ...] = ("starttls", "ssl", "none")
Statut = Literal["envoye", "sans_adresse", "fichier_eml", "echec"]
# What a reminder that did not leave asks the reader to do (see `_Session.again`).
RELANCER = "relancez l'envoi pour les porteurs restants"


@dataclass(frozen=True)
class Relance:
    """One reminder to one porteur: what is missing, by when, and how to reply."""

    porteur_code: str
    porteur_libelle: str
    email: str | None  # None or "": no address, cannot be sent, listed as such
    campagne_nom: str
    echeance: date
    actions: list[tuple[int, str]]  # missing actions: (n°, wording)
    indicateurs: list[tuple[str, str]]  # missing indicators: (code, wording)
    piece_jointe: tuple[str, bytes] | None  # ("CODE.xlsx", workbook bytes)
    comment_repondre: str  # how to reply, French (see `reply_instructions`)
    # The porteur's personal reply link (PTLCD_APP_URL/r/TOKEN, `relances_envoi.with_links`) and
    # the moment it stops working; None: no link in this reminder.
    lien: str | None = None
    lien_expire: datetime | None = None


@dataclass(frozen=True)
class Envoi:
    """What became of one relance; `detail` is French, ready for the page, the CLI and the journal."""

    porteur_code: str
    destinataire: str | None
    statut: Statut
    detail: str
    message_id: str = ""  # the Message-ID header of what was sent or saved


def smtp_configured(settings: Settings) -> bool:
    """True when a mail server is set (PTLCD_SMTP_HOST); otherwise reminders go to .eml files."""
    return bool(settings.smtp_host.strip())


def reply_instructions(settings: Settings, with_workbook: bool = True) -> str:
    """A default `comment_repondre`: the app's address (PTLCD_APP_URL) when set, else the workbook."""
    url = settings.app_url.strip().rstrip("/")
    if not url:
        if with_workbook:
            return (
                "Complétez le classeur joint et renvoyez-le en réponse à ce message : "
                "l'équipe du PTLCD l'importera."
            )
        return "Répondez à ce message en indiquant où en sont ces actions et ces indicateurs."
    text = f"Connectez-vous à l'application du PTLCD ({url}) avec votre compte pour mettre à jour "
    text += "vos actions et vos indicateurs."
    if with_workbook:
        text += (
            f"\nVous pouvez aussi compléter le classeur joint et le déposer dans la page "
            f"« Import de données » ({url}/import) : Vérifier, puis "
            + ("Envoyer pour validation." if settings.validation else "Publier.")
        )
    return text


# --- Writing -------------------------------------------------------------------------------------


def subject(relance: Relance) -> str:
    return (
        f"PTLCD – campagne de suivi « {relance.campagne_nom} » : "
        f"réponse attendue pour le {formats.day(relance.echeance)}"
    )


def body(relance: Relance) -> str:
    lines = [
        "Bonjour,",
        "",
        f"Dans le cadre de la campagne de suivi « {relance.campagne_nom} » du Plan territorial "
        "de lutte contre les discriminations (PTLCD), nous attendons encore vos informations "
        f"(porteur : {relance.porteur_libelle}, code {relance.porteur_code}).",
        "",
        f"Échéance : {formats.day(relance.echeance)}.",
    ]
    if relance.actions:
        lines += ["", f"Actions à mettre à jour ({len(relance.actions)}) :"]
        lines += [f"  - action n° {numero} : {libelle}" for numero, libelle in relance.actions]
    if relance.indicateurs:
        lines += ["", f"Indicateurs à renseigner ({len(relance.indicateurs)}) :"]
        lines += [f"  - {code} : {libelle}" for code, libelle in relance.indicateurs]
    if relance.piece_jointe is not None:
        lines += [
            "",
            f"Le classeur joint ({relance.piece_jointe[0]}) est pré-rempli avec vos actions, "
            "vos indicateurs et leurs valeurs actuelles.",
        ]
    if relance.lien is not None:
        lines += ["", *liens.mail_lines(relance.lien, relance.lien_expire)]
    lines += ["", "Comment répondre :", relance.comment_repondre.strip()]
    lines += ["", "Merci de votre contribution,", "L'équipe du PTLCD", ""]
    return "\n".join(lines)


def _recipient(relance: Relance) -> Address:
    """The porteur's address, checked; InputError (French) when missing or malformed."""
    raw = (relance.email or "").strip()
    if not raw:
        raise InputError(
            f"Le porteur {relance.porteur_code} ({relance.porteur_libelle}) n'a pas d'adresse "
            f"électronique : renseignez-la avec « porteurs set {relance.porteur_code} --email "
            "ADRESSE »."
        )
    try:
        address = Address(display_name=relance.porteur_libelle, addr_spec=raw)
    except (ValueError, IndexError, HeaderParseError):
        address = None
    if address is None or not address.username or not address.domain:
        raise InputError(
            f"L'adresse électronique du porteur {relance.porteur_code} n'est pas valide : "
            f"« {raw} » (attendu : une seule adresse, comme nom@exemple.fr)."
        )
    return address


def compose(relance: Relance, settings: Settings) -> EmailMessage:
    """The reminder as a message: French subject and plain-text body, the workbook attached.

    From is PTLCD_SMTP_FROM (left out when empty, so a saved .eml opens as a draft to send from
    one's own mailbox). Raises InputError when the porteur has no valid address.
    """
    to = _recipient(relance)
    sender = settings.smtp_from.strip()
    message = EmailMessage()
    message["Subject"] = subject(relance)
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "ptlcd.localhost"
    message["Message-ID"] = make_msgid("ptlcd-relance", domain=domain)
    message.set_content(body(relance))
    if relance.piece_jointe is not None:
        name, data = relance.piece_jointe
        message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return message


# --- Sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Server:
    host: str
    port: int
    tls: TlsMode
    sender: str  # the bare address, for the SMTP envelope
    user: str
    password: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def tls_mode(settings: Settings) -> TlsMode:
    """PTLCD_SMTP_TLS, checked: SmtpError (French) for anything but starttls, ssl or none."""
    value = settings.smtp_tls.strip().lower()
    for mode in TLS_MODES:
        if value == mode:
            return mode
    raise SmtpError(
        f"Réglage PTLCD_SMTP_TLS invalide : « {settings.smtp_tls} » (attendu : starttls, ssl "
        "ou none).",
        title="Réglage d'envoi invalide",
    )


def _server(settings: Settings) -> _Server:
    if not smtp_configured(settings):
        raise SmtpError(
            "Aucun serveur d'envoi n'est réglé (PTLCD_SMTP_HOST est vide) : les relances peuvent "
            "être téléchargées en fichiers .eml.",
            title="Réglage d'envoi invalide",
        )
    tls = tls_mode(settings)
    if not 0 < settings.smtp_port < 65536:
        raise SmtpError(
            f"Réglage PTLCD_SMTP_PORT invalide : {settings.smtp_port} (attendu : 1 à 65535, "
            "souvent 587 ou 465).",
            title="Réglage d'envoi invalide",
        )
    sender = parseaddr(settings.smtp_from)[1]
    if "@" not in sender:
        raise SmtpError(
            "Réglage PTLCD_SMTP_FROM absent ou invalide : l'adresse d'expédition des relances "
            f"est obligatoire avec un serveur d'envoi (trouvé : « {settings.smtp_from} »).",
            title="Réglage d'envoi invalide",
        )
    return _Server(
        settings.smtp_host.strip(),
        settings.smtp_port,
        tls,
        sender,
        settings.smtp_user,
        settings.smtp_password,
    )


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


STAGES = {
    "connect": "à l'ouverture",
    "starttls": "pendant la mise en place du chiffrement (STARTTLS)",
    "login": "pendant l'authentification",
}


def _timed_out(exc: BaseException) -> bool:
    """A timeout, also when smtplib reports it as a disconnection (its `__context__`)."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _session_error(exc: BaseException, server: _Server, stage: str, timeout: float) -> SmtpError:
    """A failure before any message was sent, said in French with the server's name."""
    name = f"serveur d'envoi {server.where}"
    where = f"Le {name}"
    if _timed_out(exc):
        seconds = formats.number(timeout, 0 if timeout == int(timeout) else 1)
        text = f"{where} ne répond pas (aucune réponse en {seconds} s)."
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        text = (
            f"{where} refuse l'identifiant « {server.user} » ou son mot de passe "
            f"(réponse : {_reply(exc.smtp_code, exc.smtp_error)}). Vérifiez PTLCD_SMTP_USER et "
            "PTLCD_SMTP_PASSWORD."
        )
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        wanted = "STARTTLS" if stage == "starttls" else "l'authentification (AUTH)"
        text = f"{where} ne propose pas {wanted}. Vérifiez PTLCD_SMTP_TLS et PTLCD_SMTP_PORT."
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = f"{where} a fermé la connexion {STAGES[stage]}, sans rien accepter."
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{where} a refusé la session {STAGES[stage]} (réponse : "
        text += f"{_reply(exc.smtp_code, exc.smtp_error)})."
    elif isinstance(exc, smtplib.SMTPException):
        text = f"{where} a répondu de façon inattendue {STAGES[stage]} ({exc})."
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = (
            f"{where} présente un certificat refusé ({exc.verify_message}). Un certificat "
            "d'une autorité interne se déclare par la variable SSL_CERT_FILE."
        )
    elif isinstance(exc, ssl.SSLError):
        text = (
            f"La connexion chiffrée avec le {name} a échoué ({exc.reason or exc}). Vérifiez "
            "PTLCD_SMTP_TLS : ssl pour le port 465, starttls pour le port 587."
        )
    elif isinstance(exc, ConnectionRefusedError):
        text = (
            f"{where} refuse la connexion : aucun service n'écoute à cette adresse. Vérifiez "
            "PTLCD_SMTP_HOST et PTLCD_SMTP_PORT."
        )
    elif isinstance(exc, socket.gaierror):
        text = f"Serveur d'envoi « {server.host} » introuvable (nom inconnu). Vérifiez PTLCD_SMTP_HOST."
    else:
        reason = getattr(exc, "strerror", None) or exc
        text = f"Connexion impossible avec le {name} ({reason})."
    return SmtpError(text)


class _Overdue(Exception):
    """The session could not be opened before its deadline: the watchdog cut it."""


def _open(server: _Server, timeout: float, watchdog: Watchdog) -> smtplib.SMTP:
    """A ready session (greeting, EHLO, TLS, login), or SmtpError; _Overdue when the deadline
    armed on `watchdog` passed first."""
    context = ssl.create_default_context()
    stage = "connect"
    smtp: smtplib.SMTP | None = None
    # The watchdog cannot cut a connection that does not exist yet: connecting is bounded by the
    # socket's timeout, a little past the deadline so that the watchdog is the one that speaks.
    connect_timeout = min(timeout, watchdog.remaining() + GRACE_S)
    try:
        if server.tls == "ssl":
            smtp = WatchedSMTPSsl(watchdog, server.host, server.port, connect_timeout, context)
        else:
            smtp = WatchedSMTP(watchdog, server.host, server.port, connect_timeout)
        smtp.ehlo()
        if server.tls == "starttls":
            stage = "starttls"
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            stage = "login"
            smtp.login(server.user, server.password)
    except (smtplib.SMTPException, OSError) as exc:
        if smtp is not None:
            smtp.close()
        if watchdog.expired:
            raise _Overdue from None
        raise _session_error(exc, server, stage, timeout) from None
    return smtp


def _send_one(smtp: smtplib.SMTP, server: _Server, message: EmailMessage, to: str) -> str | None:
    """Send one message; None when accepted, else the French reason."""
    where = f"le serveur {server.where}"
    try:
        smtp.send_message(message, from_addr=server.sender, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = exc.recipients.get(to, (0, b""))
        return f"Adresse refusée par {where} (réponse : {_reply(code, text)})."
    except smtplib.SMTPSenderRefused as exc:
        return (
            f"Expéditeur {server.sender} refusé par {where} (réponse : "
            f"{_reply(exc.smtp_code, exc.smtp_error)}). Vérifiez PTLCD_SMTP_FROM."
        )
    except smtplib.SMTPDataError as exc:
        return f"Message refusé par {where} (réponse : {_reply(exc.smtp_code, exc.smtp_error)})."
    except (smtplib.SMTPServerDisconnected, TimeoutError) as exc:
        smtp.close()  # after a timeout, a late answer would be read as the next command's reply
        if _timed_out(exc):
            return f"Non envoyé : {where} ne répond plus."
        return f"Non envoyé : {where} a fermé la connexion pendant l'envoi."
    except smtplib.SMTPException as exc:
        return f"Non envoyé : réponse inattendue de {where} ({exc})."
    except OSError as exc:
        smtp.close()
        return f"Non envoyé : connexion perdue avec {where} ({exc.strerror or exc})."
    return None


class _Session:
    """One run's SMTP session under its deadlines: opened once, one message at a time, closed.

    Each step is armed on a `Watchdog`, which cuts the connection when its deadline passes; the
    time the caller spends between messages (recording each) counts for the run only. `again`
    ends each « non envoyé » detail: what the reader can do about the messages left.
    """

    def __init__(
        self, server: _Server, limits: Limits, timeout: float, again: str = RELANCER
    ) -> None:
        self.server = server
        self.limits = limits
        self.timeout = timeout
        self.again = again
        self.watchdog = Watchdog()
        self.smtp: smtplib.SMTP | None = None
        self.lost = ""  # once set, every message left is an `echec` saying this (no reconnection)

    def open(self) -> None:
        """Open the session; SmtpError when it is refused (nothing is sent then)."""
        end, limit = self.limits.step()
        self.watchdog.arm(end)
        try:
            self.smtp = _open(self.server, self.timeout, self.watchdog)
        except _Overdue:
            self.lost = (
                f"Délai dépassé : le serveur {self.server.where} n'a pas ouvert la session dans "
                f"le délai ({limit}) ; non envoyé, {self.again}."
            )
        finally:
            self.watchdog.disarm()

    def send(self, code: str, message: EmailMessage) -> Envoi:
        """Send one message before its deadline; what became of it."""
        to = str(message["To"].addresses[0].addr_spec)
        message_id = str(message["Message-ID"])
        if not self.lost and time.monotonic() >= self.limits.run_end:
            self.lost = (
                f"Délai dépassé : non tenté, l'envoi a duré plus de {self.limits.run_s} s "
                f"(réglage PTLCD_SMTP_RUN_SECONDS) ; {self.again}."
            )
        smtp = self.smtp
        if self.lost or smtp is None:
            return Envoi(code, to, "echec", self.lost, message_id)
        where = self.server.where
        end, limit = self.limits.step()
        self.watchdog.arm(end)
        try:
            if smtp.sock is not None:  # each read also bounded, in case the watchdog is late
                smtp.sock.settimeout(min(self.timeout, self.watchdog.remaining() + GRACE_S))
            failure = _send_one(smtp, self.server, message, to)
            overdue = self.watchdog.expired
        finally:
            self.watchdog.disarm()
        if overdue:
            smtp.close()  # cut by the watchdog, or about to be: nothing more can go through it
            self.lost = (
                f"Délai dépassé : non tenté, la connexion avec le serveur {where} a été fermée "
                f"à l'envoi à {to} ; {self.again}."
            )
        elif smtp.sock is None:  # smtplib closes the socket after a 421 or a hang-up
            self.lost = (
                f"Non envoyé : la connexion avec le serveur {where} a été "
                f"perdue à l'envoi à {to} ; {self.again}."
            )
        if failure is None:
            return Envoi(code, to, "envoye", f"Envoyé à {to} par le serveur {where}.", message_id)
        if overdue:
            failure = (
                f"Délai dépassé : le serveur {where} n'a pas confirmé la réception dans le délai "
                f"({limit}) ; la connexion est fermée, le message compte comme non envoyé."
            )
        return Envoi(code, to, "echec", failure, message_id)

    def close(self) -> None:
        """Say goodbye, briefly (every message is accounted for by then), and let go."""
        smtp = self.smtp
        if smtp is not None:
            self.watchdog.arm(min(time.monotonic() + QUIT_WAIT_S, self.limits.run_end))
            with suppress(smtplib.SMTPException, OSError):
                if smtp.sock is not None:
                    smtp.quit()
            smtp.close()
        self.watchdog.close()


def send_each(
    relances: list[Relance], settings: Settings, *, timeout: float = SMTP_TIMEOUT_S
) -> Generator[Envoi, None, None]:
    """Send every relance through one SMTP session, yielding one `Envoi` per relance in the same
    order, each as soon as the server has answered (so the caller records it before the next
    message leaves; the session waits meanwhile).

    Raises SmtpError, before yielding anything, when the settings are wrong or the session is
    refused; see the module docstring for what happens to each relance afterwards. Close the
    generator (`contextlib.closing`) when stopping early: that ends the session.
    """
    server = _server(settings)
    limits = Limits.of(settings)
    items = [_message_or_refusal(relance, settings) for relance in relances]
    if all(isinstance(item, Envoi) for item in items):
        yield from (item for item in items if isinstance(item, Envoi))
        return
    session = _Session(server, limits, timeout)
    try:
        session.open()
        for relance, item in zip(relances, items, strict=True):
            yield item if isinstance(item, Envoi) else session.send(relance.porteur_code, item)
    finally:
        session.close()


def send_all(
    relances: list[Relance], settings: Settings, *, timeout: float = SMTP_TIMEOUT_S
) -> list[Envoi]:
    """Send every relance through one SMTP session; one `Envoi` per relance, in the same order
    (`send_each`, all at once)."""
    return list(send_each(relances, settings, timeout=timeout))


def _message_or_refusal(relance: Relance, settings: Settings) -> EmailMessage | Envoi:
    """The message of `relance`, or the `Envoi` that says why there is none (no address, or
    one `compose` refuses): what `send_all` and `eml_envois` list alike."""
    if not (relance.email or "").strip():
        return _without_address(relance)
    try:
        return compose(relance, settings)
    except InputError as exc:
        return Envoi(relance.porteur_code, relance.email, "echec", exc.message)


def _without_address(relance: Relance) -> Envoi:
    return Envoi(
        relance.porteur_code,
        None,
        "sans_adresse",
        f"Aucune adresse électronique : renseignez-la avec « porteurs set "
        f"{relance.porteur_code} --email ADRESSE ».",
    )


# --- .eml files, when no server is set -----------------------------------------------------------


def eml_bytes(message: EmailMessage) -> bytes:
    """The message as an RFC 5322 file (CRLF line ends), as mail clients open .eml files."""
    return message.as_bytes(policy=policy.SMTP)


def eml_name(porteur_code: str) -> str:
    """`<CODE>.eml`, with anything but letters, digits, '-', '_' and '.' replaced (no paths)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", porteur_code.strip()).lstrip(".")
    return f"{safe or 'porteur'}.eml"


def _drafts(relances: list[Relance], settings: Settings) -> list[tuple[str, EmailMessage]]:
    """(file name, message) for each relance that has a valid address; codes must be unique."""
    names = [eml_name(r.porteur_code) for r in relances]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"Plusieurs relances donnent le même fichier : {', '.join(twice)}.")
    drafts = []
    for name, relance in zip(names, relances, strict=True):
        try:
            message = compose(relance, settings)
        except InputError:
            continue  # listed by `eml_envois`
        message["X-Unsent"] = "1"  # Outlook opens it as a draft, ready to send
        drafts.append((name, message))
    return drafts


def eml_envois(relances: list[Relance], settings: Settings) -> list[Envoi]:
    """The listing that goes with `write_eml` / `eml_zip`: one `Envoi` per relance, same order."""
    envois = []
    for relance in relances:
        message = _message_or_refusal(relance, settings)
        if isinstance(message, Envoi):
            envois.append(message)
            continue
        name = eml_name(relance.porteur_code)
        detail = f"Aucun serveur d'envoi réglé : message enregistré dans {name}, à envoyer."
        to = message["To"].addresses[0].addr_spec
        envois.append(Envoi(relance.porteur_code, to, "fichier_eml", detail))
    return envois


def write_eml(relances: list[Relance], settings: Settings, directory: Path) -> list[Path]:
    """Write `<CODE>.eml` for each relance with a valid address into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, message in _drafts(relances, settings):
        path = directory / name
        files.write_private(path, eml_bytes(message))
        paths.append(path)
    return paths


def eml_zip(relances: list[Relance], settings: Settings) -> bytes:
    """The same `<CODE>.eml` files as one zip, for a download button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, message in _drafts(relances, settings):
            archive.writestr(name, eml_bytes(message))
    return buffer.getvalue()
