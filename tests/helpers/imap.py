"""A real IMAP server for the tests: Dovecot from Debian, with its own configuration in a temporary
folder, on a free loopback port (see /work/shared/notes: the `mail` user owns the mail, `chroot`
empty, the daemon started with its output sent nowhere, stopped with `doveadm stop`).

One server per test module (`dovecot_server`); each test takes a mailbox of its own
(`Dovecot.new_mailbox`, among the MAILBOXES the server knows), so tests never see each
other's messages. `Dovecot.stop` and `start` kill and restart it, to cut a run mid-way.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers.browser import free_port

HOST = "127.0.0.1"
DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
PASSWORD = "un-mot-de-passe-de-test"
START_WAIT_S = 15.0
MAILBOXES = 100  # one per test of a module

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    directory: Path
    port: int
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def config(self) -> Path:
        return self.directory / "dovecot.conf"

    def start(self) -> None:
        assert DOVECOT is not None
        deadline = time.monotonic() + START_WAIT_S
        # A port just left by a killed server may still be held a moment: try again until then.
        while subprocess.run(
            [DOVECOT, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        ).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Dovecot ne démarre pas :\n{self._log()}")
            time.sleep(0.1)
        while True:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Dovecot ne démarre pas :\n{self._log()}")
            time.sleep(0.05)

    def _log(self) -> str:
        log = self.directory / "dovecot.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def kill(self) -> None:
        """Kill the server and every session it serves at once (SIGKILL), as a crash would."""
        pid_file = self.directory / "run" / "master.pid"
        master = int(pid_file.read_text().split()[0])
        family = {master}
        for _ in range(3):  # children, then theirs
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) in family:
                    family.add(int(stat.parent.name))
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # SIGKILL is delivered, not awaited: a process still alive keeps the port, and a start
        # right after fails (« Address already in use », Dovecot's exit 89, seen under load).
        deadline = time.monotonic() + START_WAIT_S
        while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.02)
        pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop the server and every session it serves."""
        subprocess.run(
            [DOVEADM, "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        deadline = time.monotonic() + START_WAIT_S
        while (self.directory / "run" / "master.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def new_mailbox(self) -> str:
        """A new, empty mailbox: its login (the password is PASSWORD)."""
        number = next(self._numbers)
        assert number <= MAILBOXES, "more mailboxes than the server was given"
        return f"ptlcd{number}"

    @contextmanager
    def session(self, login: str) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4(HOST, self.port, timeout=30)
        try:
            client.login(login, PASSWORD)
            yield client
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def append(self, login: str, raw: bytes, folder: str = "INBOX") -> None:
        with self.session(login) as client:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data

    def messages(self, login: str, folder: str = "INBOX") -> list[bytes]:
        """The messages of a folder, oldest first ([] when the folder does not exist)."""
        with self.session(login) as client:
            status, _ = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in (data[0] or b"").split():
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found += [p[1] for p in parts if isinstance(p, tuple)]
            return found

    def folders(self, login: str) -> list[str]:
        with self.session(login) as client:
            _, data = client.list()
            return [
                line.decode().rsplit(" ", 1)[-1].strip('"')
                for line in data
                if isinstance(line, bytes)
            ]


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie has let its sockets go: it counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """Dovecot on a free loopback port, its files in a new folder of /tmp (which the `mail`
    user can reach, unlike pytest's private ones); stopped and removed on leaving."""
    assert DOVECOT is not None
    directory = Path(tempfile.mkdtemp(prefix="ptlcd-dovecot-"))
    os.chmod(directory, 0o755)
    for sub in ("run", "state", "mail", "home"):
        (directory / sub).mkdir()
    shutil.chown(directory / "mail", "mail", "mail")
    shutil.chown(directory / "home", "mail", "mail")
    server = Dovecot(directory, free_port())
    # Every mailbox written at once: Dovecot reads a changed passwd-file again only when its
    # time stamp moves, to the second.
    (directory / "users").write_text(
        "".join(f"ptlcd{n}:{{PLAIN}}{PASSWORD}::::::\n" for n in range(1, MAILBOXES + 1))
    )
    server.config.write_text(CONFIG.format(dir=directory, port=server.port))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
