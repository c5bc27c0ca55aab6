"""A real reverse proxy for the tests: Debian's nginx running the shipped deploy/nginx/ptlcd.conf.

The template is rendered as an administrator would install it, only the machine-specific values
changed (ports, server name, certificate, log files, the app's address); every one of them must
be found, so a template that drifts from these tests fails loudly rather than being half-tested.
nginx runs in the foreground as a non-root process (as `nobody` when the tests run as root), its
files in a new folder of /tmp with a self-signed certificate made by the openssl command at start.
Bounded waits; always stopped; its logs copied beside the caller's files on leaving.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.helpers import ROOT
from tests.helpers.browser import free_port

TEMPLATE = ROOT / "deploy" / "nginx" / "ptlcd.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST = "127.0.0.1"
START_WAIT_S = 15.0
STOP_WAIT_S = 10.0

# The main configuration Debian's /etc/nginx/nginx.conf would give, in the test's folder: nginx
# as a non-root process writes its pid, logs and buffered bodies there, never in /var.
MAIN = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error-main.log info;
events {{
    worker_connections 256;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    access_log {dir}/access-other.log;
    include {dir}/ptlcd.conf;
}}
"""


@dataclass(frozen=True)
class Proxy:
    url: str  # https://127.0.0.1:PORT
    http_url: str  # the plain-http side, which only redirects
    directory: Path
    certificate: Path

    @property
    def access_log(self) -> Path:
        return self.directory / "ptlcd.access.log"

    @property
    def error_log(self) -> Path:
        return self.directory / "ptlcd.error.log"

    def logs(self) -> str:
        """Every line nginx has written so far, in every log."""
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.directory.glob("*.log"))
        )


def render(template: str, *, directory: Path, http_port: int, https_port: int, app: str) -> str:
    """deploy/nginx/ptlcd.conf with this machine's values in place of the example ones."""
    app_port = urlsplit(app).port
    replacements = [
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen {HOST}:{http_port};"),
        ("listen 443 ssl http2;", f"listen {HOST}:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/ptlcd.exemple.fr/fullchain.pem", str(directory / "cert.pem")),
        ("/etc/letsencrypt/live/ptlcd.exemple.fr/privkey.pem", str(directory / "key.pem")),
        ("server_name ptlcd.exemple.fr;", "server_name localhost;"),
        ("/var/log/nginx/", f"{directory}/"),
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
    ]
    for old, new in replacements:
        assert old in template, (
            f"« {old} » absent de {TEMPLATE.name} : adaptez tests/helpers/proxy.py"
        )
        template = template.replace(old, new)
    directives = [line for line in template.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in directives if "exemple.fr" in line or "/var/log" in line]
    return template


def _certificate(directory: Path) -> None:
    """A self-signed certificate for localhost and 127.0.0.1, valid two days."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            f"subjectAltName=DNS:localhost,IP:{HOST}",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def nginx_proxy(app: str, logs: Path | None = None) -> Iterator[Proxy]:
    """nginx with the shipped configuration in front of `app` (http://127.0.0.1:PORT).

    `logs`: a folder where nginx's logs are copied when it stops (pytest's tmp_path, which
    `nobody` cannot reach while nginx runs).
    """
    assert NGINX is not None, "nginx absent (paquet nginx : scripts/test.sh l'installe)"
    directory = Path(tempfile.mkdtemp(prefix="ptlcd-nginx-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        proxy = _prepare(directory, app)
        user = None
        if os.geteuid() == 0:  # never as root: the tests run nginx as a plain user would
            nobody = pwd.getpwnam("nobody")
            user = (nobody.pw_uid, nobody.pw_gid)
            for path in [directory, *directory.rglob("*")]:
                os.chown(path, *user)
        with (directory / "nginx-out.log").open("wb") as out:
            proc = subprocess.Popen(
                [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")]
                + ["-e", str(directory / "error-start.log")],
                stdout=out,
                stderr=subprocess.STDOUT,
                user=user[0] if user else None,
                group=user[1] if user else None,
            )
        deadline = time.monotonic() + START_WAIT_S
        ports = [urlsplit(proxy.url).port, urlsplit(proxy.http_url).port]
        while not all(_listening(port) for port in ports if port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx ne démarre pas :\n{proxy.logs()[-3000:]}")
            time.sleep(0.05)
        yield proxy
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)  # fast shutdown: open WebSockets are cut
            try:
                proc.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if logs is not None:
            for path in directory.glob("*.log"):
                shutil.copy(path, logs / f"nginx-{path.name}")
        shutil.rmtree(directory, ignore_errors=True)


def _prepare(directory: Path, app: str) -> Proxy:
    """Write the configuration, the certificate and the folders nginx writes in."""
    os.chmod(directory, 0o755)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / sub).mkdir(parents=True)
    http_port, https_port = free_port(), free_port()
    site = render(
        TEMPLATE.read_text(),
        directory=directory,
        http_port=http_port,
        https_port=https_port,
        app=app,
    )
    (directory / "ptlcd.conf").write_text(site)
    (directory / "nginx.conf").write_text(MAIN.format(dir=directory))
    _certificate(directory)
    return Proxy(
        f"https://{HOST}:{https_port}",
        f"http://{HOST}:{http_port}",
        directory,
        directory / "cert.pem",
    )


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with the headers it received, as JSON (name → list of values),
    and for a PUT the size of the body it read in full (`octets`)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer({})

    def do_PUT(self) -> None:
        size = int(self.headers.get("Content-Length", "0"))
        self._answer({"octets": [str(len(self.rfile.read(size)))]})

    def _answer(self, extra: dict[str, list[str]]) -> None:
        received: dict[str, list[str]] = dict(extra)
        for name, value in self.headers.items():
            received.setdefault(name.lower(), []).append(value)
        body = json.dumps(received).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def echo_server() -> Iterator[str]:
    """An app stand-in that shows what the proxy sends it: http://127.0.0.1:PORT."""
    server = ThreadingHTTPServer((HOST, 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=STOP_WAIT_S)
