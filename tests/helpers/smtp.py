"""A real SMTP server on a loopback port (aiosmtpd), and the odd servers that fail on purpose.

`smtp_server()` receives messages for the tests to read back; it can refuse recipients, answer 421,
hang up, fall silent or stall after some messages, require a login, and speak TLS (implicit or
STARTTLS) with a certificate from `make_certificates()`. `scripted_server()` is a bare socket for
failures an honest server never shows: a 421 greeting, a hang-up after the greeting, silence;
`drip_server()` one that sends its greeting a byte at a time, forever.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.helpers.browser import free_port

HOST = "127.0.0.1"
SILENCE_S = 3  # longer than the timeout the tests give the client


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    session: int  # one id per SMTP connection
    tls: bool

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    """aiosmtpd hooks: keep what arrives, fail where the test asks."""

    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    fail_after: int | None = None  # after this many messages, MAIL gets `failure`
    # "421": answer 421 and close; "hang-up": close; "silence": no answer; "stall": answer MAIL,
    # RCPT and DATA after `stall_s`, or at once when `release` is set (messages still arrive).
    failure: str = "421"
    received: list[Received] = field(default_factory=list)
    stall_s: float = SILENCE_S
    stalled: threading.Event = field(default_factory=threading.Event)  # a stall has begun
    release: threading.Event = field(default_factory=threading.Event)  # stalls end at once

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            if self.failure == "hang-up":
                server.transport.close()
                return "250 OK"  # never reaches the client
            if self.failure == "silence":
                await asyncio.sleep(SILENCE_S)
                return "250 OK"  # too late: the client has given up
            if self.failure != "stall":
                return "421 4.7.0 Trop de messages, connexion fermée"
            self.stalled.set()
        if self.stalled.is_set():
            await self._stall()
        envelope.mail_from = address
        return "250 OK"

    async def _stall(self) -> None:
        """Wait `stall_s` before answering, unless released."""
        end = time.monotonic() + self.stall_s
        while not self.release.is_set() and time.monotonic() < end:
            await asyncio.sleep(0.02)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.stalled.is_set():
            await self._stall()
        if address in self.refuse:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stalled.is_set():
            await self._stall()
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content,
                id(session),
                tls,
            )
        )
        return "250 Message accepted"


@dataclass
class Certificates:
    ca: Path  # what a client trusts (SSL_CERT_FILE)
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificates(directory: Path) -> Certificates:
    """A throw-away CA and a certificate it signed for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def build(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            builder = builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        else:
            names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("PTLCD test CA", ca_key, "PTLCD test CA", ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build("localhost", key, "PTLCD test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = Certificates(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    paths.ca.write_bytes(ca_cert.public_bytes(pem))
    paths.cert.write_bytes(cert.public_bytes(pem))
    paths.key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@contextmanager
def smtp_server(
    handler: Handler | None = None,
    *,
    tls: str = "none",
    certificates: Certificates | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[tuple[int, Handler]]:
    """Run aiosmtpd on a free loopback port; yields (port, handler). tls: none, ssl or starttls."""
    handler = handler or Handler()
    kwargs: dict[str, Any] = {}
    if tls != "none":
        assert certificates is not None
        context = certificates.server_context()
        kwargs["ssl_context" if tls == "ssl" else "tls_context"] = context
    if login is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, auth: Any
        ) -> AuthResult:
            ok = (auth.login, auth.password) == (login[0].encode(), login[1].encode())
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_require_tls=False)
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, **kwargs)
    controller.start()
    try:
        yield port, handler
    finally:
        handler.release.set()  # a stalled answer must not hold the server's loop
        controller.stop()


@contextmanager
def scripted_server(greeting: bytes | None, hang_up: bool = True) -> Iterator[int]:
    """A bare socket: sends `greeting` (None: says nothing), then hangs up at the client's first line."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            if greeting is not None:
                conn.sendall(greeting)
            conn.settimeout(10)
            if hang_up and greeting is not None:
                try:
                    conn.recv(1024)
                except OSError:
                    pass
            else:
                stop.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=10)


@dataclass
class Drip:
    """What `drip_server` saw of its (first) client."""

    port: int
    connected: threading.Event = field(default_factory=threading.Event)
    gone: threading.Event = field(default_factory=threading.Event)  # the client hung up
    held_s: float | None = None  # seconds from the connection to the client's hang-up


@contextmanager
def drip_server(interval: float) -> Iterator[Drip]:
    """A bare socket that greets with endless « 220- » continuation lines, one byte every
    `interval` seconds: each read of the client gets a byte well within any socket timeout, so
    only a deadline on the whole conversation ends it. Notes when the client hangs up."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)
    listener.settimeout(10)
    drip = Drip(int(listener.getsockname()[1]))
    stop = threading.Event()

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        start = time.monotonic()
        drip.connected.set()
        greeting = b"220-patience, le serveur prend son temps\r\n"
        with conn:
            sent = 0
            while not stop.is_set():
                try:
                    conn.sendall(greeting[sent % len(greeting) :][:1])
                    sent += 1
                    # The client says nothing before the greeting ends: readable means gone.
                    readable, _, _ = select.select([conn], [], [], interval)
                    if readable and not conn.recv(1024):
                        break
                except OSError:  # reset by the client
                    break
            if not stop.is_set():
                drip.held_s = time.monotonic() - start
                drip.gone.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield drip
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=10)
