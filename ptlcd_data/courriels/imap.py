"""The mailbox, through the standard library's `imaplib`: connect, list, fetch, move.

`open_mailbox` connects as the settings say (PTLCD_IMAP_TLS: ssl, starttls or none, the
server's certificate checked), logs in and selects the folder read (PTLCD_IMAP_FOLDER); every
failure is an `ImapError` in French naming the server, raised before anything was changed.
`Mailbox.ensure_folders` finds the server's hierarchy separator (LIST) and creates, when
missing, `PTLCD<sep>traites` and `PTLCD<sep>a_examiner`. A message is moved with MOVE when the
server offers it, else copied, flagged \\Deleted and expunged by its UID alone (UIDPLUS): nothing
is ever deleted otherwise. Messages are read with BODY.PEEK: reading never marks them seen.

A pure library: it opens no database. The caller reads, closes the base, then talks here.
"""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ptlcd_data import formats
from ptlcd_data.errors import ImapError
from ptlcd_data.settings import Settings

# Each read or write on the socket: a silent server is given up after this long.
IMAP_TIMEOUT_S = 30.0
TLS_MODES = ("ssl", "starttls", "none")
ROOT_FOLDER = "PTLCD"
TRAITES = "traites"
A_EXAMINER = "a_examiner"
_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>"(?:[^"\\]|\\.)*"|NIL) ')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: str
    user: str
    password: str
    folder: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def configured(settings: Settings) -> bool:
    """True when a mailbox is set (PTLCD_IMAP_HOST)."""
    return bool(settings.imap_host.strip())


def server_of(settings: Settings) -> Server:
    """The mailbox's settings, checked: ImapError (French) for a wrong value."""
    tls = settings.imap_tls.strip().lower()
    if tls not in TLS_MODES:
        raise ImapError(
            f"Réglage PTLCD_IMAP_TLS invalide : « {settings.imap_tls} » (attendu : ssl, starttls "
            "ou none).",
            "Réglage de la boîte aux lettres invalide",
        )
    if not 0 < settings.imap_port < 65536:
        raise ImapError(
            f"Réglage PTLCD_IMAP_PORT invalide : {settings.imap_port} (attendu : 1 à 65535, "
            "souvent 993 ou 143).",
            "Réglage de la boîte aux lettres invalide",
        )
    folder = settings.imap_folder.strip() or "INBOX"
    return Server(
        settings.imap_host.strip(),
        settings.imap_port,
        tls,
        settings.imap_user,
        settings.imap_password,
        folder,
    )


def quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return " ".join(str(value).split())


def failure(exc: BaseException, server: Server, stage: str) -> ImapError:
    """`exc`, met while `stage` (« à la connexion », « pendant la lecture »…), said in French."""
    where = f"Le serveur de la boîte aux lettres {server.where}"
    if isinstance(exc, ImapError):
        return exc
    if isinstance(exc, TimeoutError | socket.timeout):
        seconds = formats.number(IMAP_TIMEOUT_S, 0)
        text = f"{where} ne répond pas {stage} (aucune réponse en {seconds} s)."
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = (
            f"{where} présente un certificat refusé ({exc.verify_message}). Un certificat d'une "
            "autorité interne se déclare par la variable SSL_CERT_FILE."
        )
    elif isinstance(exc, ssl.SSLError):
        text = (
            f"La connexion chiffrée avec le serveur de la boîte aux lettres {server.where} a "
            f"échoué ({exc.reason or exc}). Vérifiez PTLCD_IMAP_TLS : ssl pour le port 993, "
            "starttls pour le port 143."
        )
    elif isinstance(exc, ConnectionRefusedError):
        text = (
            f"{where} refuse la connexion : aucun service n'écoute à cette adresse. Vérifiez "
            "PTLCD_IMAP_HOST et PTLCD_IMAP_PORT."
        )
    elif isinstance(exc, socket.gaierror):
        text = (
            f"Serveur de la boîte aux lettres « {server.host} » introuvable (nom inconnu). "
            "Vérifiez PTLCD_IMAP_HOST."
        )
    elif isinstance(exc, imaplib.IMAP4.abort | EOFError | ConnectionError):
        text = f"{where} a coupé la connexion {stage} ({_text(exc) or 'sans explication'})."
    elif isinstance(exc, imaplib.IMAP4.error):
        text = f"{where} a refusé une commande {stage} (réponse : {_text(exc)})."
    else:
        reason = getattr(exc, "strerror", None) or exc
        text = f"Échange impossible avec le {where[3:]} {stage} ({_text(reason)})."
    return ImapError(text)


def _ok(answer: tuple[str, Any], what: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what} : {status} {_text(data[0] if data else '')}")
    return list(data or [])


class Mailbox:
    """A logged-in IMAP session with the folder read selected."""

    def __init__(self, client: imaplib.IMAP4, server: Server) -> None:
        self.client = client
        self.server = server
        self.separator = "."
        self.capabilities: set[str] = set()

    def _refresh_capabilities(self) -> None:
        data = _ok(self.client.capability(), "CAPABILITY")
        words = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
        self.capabilities = {w.upper() for w in words.split()}

    def folder(self, leaf: str) -> str:
        """`PTLCD<sep>leaf`: a folder under PTLCD, in the server's own hierarchy."""
        return f"{ROOT_FOLDER}{self.separator}{leaf}"

    def ensure_folders(self) -> tuple[str, str]:
        """Find the separator, create the two folders when missing: (traites, a_examiner)."""
        with self.guard("pendant la création des dossiers PTLCD"):
            data = _ok(self.client.list('""', '""'), "LIST")
            line = data[0] if data and isinstance(data[0], bytes) else b""
            found = _LIST_LINE.match(line)
            if found and found.group("sep") != b"NIL":
                self.separator = found.group("sep")[1:-1].replace(b"\\", b"").decode() or "."
            names = (self.folder(TRAITES), self.folder(A_EXAMINER))
            for name in names:
                listed = _ok(self.client.list('""', quoted(name)), "LIST")
                if not any(isinstance(d, bytes) and d for d in listed):
                    _ok(self.client.create(quoted(name)), f"CREATE {name}")
                    self.client.subscribe(quoted(name))  # shown by mail programs; optional
        return names

    def uids(self) -> list[int]:
        """The UIDs of the messages in the folder read, oldest first."""
        with self.guard("pendant la liste des messages"):
            data = _ok(self.client.uid("SEARCH", "ALL"), "SEARCH")
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        return sorted(int(n) for n in raw.split())

    @contextmanager
    def guard(self, stage: str) -> Iterator[None]:
        """Any failure of the server while `stage` as an ImapError in French."""
        try:
            yield
        except ImapError:
            raise
        except (OSError, EOFError, imaplib.IMAP4.error) as exc:
            raise failure(exc, self.server, stage) from None

    def _fetch(self, uid: int, items: str) -> tuple[bytes, bytes]:
        """(the response's first line, its literal) for one message; empty when it is gone."""
        with self.guard("pendant la lecture d'un message"):
            data = _ok(self.client.uid("FETCH", str(uid), items), "FETCH")
        for part in data:
            if isinstance(part, tuple) and _UID.search(part[0]):
                return part[0], part[1]
        return b"", b""

    def headers(self, uid: int) -> tuple[int, bytes] | None:
        """(size in bytes, header bytes) of a message, without reading its body; None: gone."""
        line, header = self._fetch(uid, "(UID RFC822.SIZE BODY.PEEK[HEADER])")
        size = _SIZE.search(line)
        return (int(size.group(1)), header) if size else None

    def message(self, uid: int) -> bytes | None:
        """The whole message (never marked seen), or None when it is gone."""
        line, raw = self._fetch(uid, "(UID BODY.PEEK[])")
        return raw if line else None

    def move(self, uid: int, folder: str) -> None:
        """Move one message: MOVE, else COPY + \\Deleted + UID EXPUNGE of that UID only."""
        with self.guard(f"pendant le rangement d'un message dans {folder}"):
            self._move(uid, folder)

    def _move(self, uid: int, folder: str) -> None:
        if "MOVE" in self.capabilities:
            _ok(self.client.uid("MOVE", str(uid), quoted(folder)), "MOVE")
            return
        if "UIDPLUS" not in self.capabilities:
            raise ImapError(
                f"Le serveur de la boîte aux lettres {self.server.where} ne sait ni déplacer un "
                "message (MOVE) ni effacer un seul message copié (UIDPLUS) : les messages lus "
                "restent dans le dossier, sans rien effacer.",
            )
        _ok(self.client.uid("COPY", str(uid), quoted(folder)), "COPY")
        _ok(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        _ok(self.client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")

    def close(self) -> None:
        try:
            self.client.logout()
        except (OSError, imaplib.IMAP4.error, EOFError):
            pass  # already gone: nothing to tell


def _client(server: Server) -> imaplib.IMAP4:
    if server.tls == "ssl":
        context = ssl.create_default_context()
        return imaplib.IMAP4_SSL(
            server.host, server.port, ssl_context=context, timeout=IMAP_TIMEOUT_S
        )
    client = imaplib.IMAP4(server.host, server.port, timeout=IMAP_TIMEOUT_S)
    if server.tls == "starttls":
        try:
            client.starttls(ssl.create_default_context())
        except BaseException:
            client.shutdown()
            raise
    return client


def _login(client: imaplib.IMAP4, server: Server) -> None:
    try:
        client.login(server.user, server.password)
    except imaplib.IMAP4.error as exc:
        if isinstance(exc, imaplib.IMAP4.abort):
            raise
        raise ImapError(
            f"Le serveur de la boîte aux lettres {server.where} refuse l'identifiant "
            f"« {server.user} » ou son mot de passe (réponse : {_text(exc)}). Vérifiez "
            "PTLCD_IMAP_USER et PTLCD_IMAP_PASSWORD."
        ) from None


@contextmanager
def open_mailbox(settings: Settings) -> Iterator[Mailbox]:
    """A session on the folder read (PTLCD_IMAP_FOLDER); ImapError, in French, when the server
    cannot be reached, refuses the login or has no such folder. Logged out on leaving."""
    server = server_of(settings)
    try:
        client = _client(server)
    except BaseException as exc:
        if isinstance(exc, Exception):
            raise failure(exc, server, "à la connexion") from None
        raise
    box = Mailbox(client, server)
    try:
        try:
            _login(client, server)
            status, data = client.select(quoted(server.folder))
            if status != "OK":
                raise ImapError(
                    f"Le dossier « {server.folder} » n'existe pas dans la boîte aux lettres "
                    f"{server.user}@{server.where} (réponse : {_text(data[0] if data else '')}). "
                    "Vérifiez PTLCD_IMAP_FOLDER."
                )
            box._refresh_capabilities()
        except Exception as exc:
            raise failure(exc, server, "à la connexion") from None
        yield box
    finally:
        box.close()
