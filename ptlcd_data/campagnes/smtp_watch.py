"""A deadline that really bounds an SMTP conversation, for `mail`.

smtplib reads the server's answers line by line, and a socket timeout only bounds each read:
a server that sends one byte every few seconds (or answers each command just before the timeout)
keeps a session going for as long as it likes. Here a `Watchdog` holds a duplicate of the
session's socket, taken as soon as the connection exists (before the greeting is read and before
TLS wraps it), and shuts the connection down when the deadline passes: whatever smtplib is
waiting for (a read, a write, a TLS handshake) then fails at once, and `mail` reports « délai
dépassé ». `WatchedSMTP` and `WatchedSMTPSsl` are the sessions that hand their socket over;
`Limits` are the deadlines a run gets from the settings (PTLCD_SMTP_MESSAGE_SECONDS for opening
the session and for each message, PTLCD_SMTP_RUN_SECONDS for the whole run).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from contextlib import suppress
from dataclasses import dataclass

from ptlcd_data.errors import SmtpError
from ptlcd_data.settings import Settings


@dataclass(frozen=True)
class Limits:
    """The deadlines of one run: each step (opening the session, one message) and the whole."""

    message_s: int  # PTLCD_SMTP_MESSAGE_SECONDS
    run_s: int  # PTLCD_SMTP_RUN_SECONDS
    run_end: float  # time.monotonic() at which the run stops

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The run's deadlines from the settings, checked (SmtpError); its clock starts now."""
        for name, value in (
            ("PTLCD_SMTP_MESSAGE_SECONDS", settings.smtp_message_seconds),
            ("PTLCD_SMTP_RUN_SECONDS", settings.smtp_run_seconds),
        ):
            if value < 1:
                raise SmtpError(
                    f"Réglage {name} invalide : {value} (attendu : un nombre de secondes, 1 au "
                    "moins).",
                    title="Réglage d'envoi invalide",
                )
        run_s = settings.smtp_run_seconds
        return cls(settings.smtp_message_seconds, run_s, time.monotonic() + run_s)

    def step(self) -> tuple[float, str]:
        """When the next step must end, and the limit that sets it, said in French."""
        now = time.monotonic()
        if self.run_end <= now + self.message_s:
            return self.run_end, f"{self.run_s} s, réglage PTLCD_SMTP_RUN_SECONDS"
        return now + self.message_s, f"{self.message_s} s, réglage PTLCD_SMTP_MESSAGE_SECONDS"


class Watchdog:
    """Shuts a watched socket down when the armed deadline passes (from a timer thread).

    Armed around one step of a session (opening it, sending one message, saying goodbye) and
    disarmed after it, so the time a caller spends between messages is never counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0  # a timer of an earlier step must not cut the current one
        self._deadline = float("inf")
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        """Keep a duplicate of `sock`: shutting it down ends the connection for every copy,
        also once TLS has taken the original over (wrapping detaches it)."""
        copy = sock.dup()
        with self._lock:
            old, self._sock = self._sock, copy
        if old is not None:
            old.close()

    def arm(self, deadline: float) -> None:
        """Cut the connection at `deadline` (a `time.monotonic()` value) unless disarmed first."""
        with self._lock:
            self._cancel()
            self._generation += 1
            self._deadline = deadline
            self.fired = False
            timer = threading.Timer(
                max(0.0, deadline - time.monotonic()), self._fire, (self._generation,)
            )
            timer.daemon = True  # never keeps the command line from exiting
            self._timer = timer
        timer.start()

    def disarm(self) -> None:
        with self._lock:
            self._cancel()
            self._generation += 1
            self._deadline = float("inf")

    @property
    def expired(self) -> bool:
        """True when the armed deadline has passed (the connection is cut, or about to be)."""
        return self.fired or time.monotonic() >= self._deadline

    def remaining(self) -> float:
        """Seconds left before the armed deadline (infinite when disarmed, 0 once past)."""
        return max(0.0, self._deadline - time.monotonic())

    def close(self) -> None:
        """Disarm and let the duplicate socket go."""
        with self._lock:
            self._cancel()
            self._generation += 1
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # disarmed or re-armed meanwhile
            self.fired = True
            if self._sock is not None:
                # Wakes a blocked recv (end of file) or send (broken pipe) in the session's thread.
                with suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)


def _connect(watchdog: Watchdog, host: str, port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection((host, port), timeout)
    watchdog.watch(sock)
    return sock


class WatchedSMTP(smtplib.SMTP):
    """An SMTP session (plain or STARTTLS) whose socket the watchdog gets before the greeting."""

    def __init__(self, watchdog: Watchdog, host: str, port: int, timeout: float) -> None:
        self.watchdog = watchdog  # set before smtplib connects (in its constructor)
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return _connect(self.watchdog, host, port, timeout)


class WatchedSMTPSsl(smtplib.SMTP_SSL):
    """The same over implicit TLS (port 465): the watchdog gets the socket before the handshake."""

    def __init__(
        self, watchdog: Watchdog, host: str, port: int, timeout: float, context: ssl.SSLContext
    ) -> None:
        self.watchdog = watchdog
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self.context.wrap_socket(
            _connect(self.watchdog, host, port, timeout), server_hostname=host
        )
