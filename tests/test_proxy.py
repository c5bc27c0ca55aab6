"""The app behind the nginx configuration we ship (deploy/nginx/ptlcd.conf), read with httpx and a
WebSocket client: https, the WebSocket upgrade, the upload limit, headers a visitor cannot forge,
and reply-link tokens that never reach a log. nginx is Debian's, started by tests/helpers/proxy.py
as a plain user with a self-signed certificate; the app is `streamlit run serve.py`."""

from __future__ import annotations

import re
import ssl
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from ptlcd_data.settings import Settings
from tests.helpers import ROOT
from tests.helpers.browser import free_port, streamlit_server
from tests.helpers.databases import Templates
from tests.helpers.proxy import NGINX, TEMPLATE, Proxy, echo_server, nginx_proxy

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx absent (paquet nginx : scripts/test.sh l'installe)"
)
MB = 2**20


@pytest.fixture(scope="module")
def proxy(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """nginx in front of the app, as deploy/ explains it: PTLCD_TRUSTED_PROXY set."""
    folder = tmp_path_factory.mktemp("proxy")
    db = templates.copy("plan", folder / "ptlcd.duckdb")
    with streamlit_server(db, env={"PTLCD_TRUSTED_PROXY": "true"}) as app:
        with nginx_proxy(app, folder) as running:
            yield running


def _client(proxy: Proxy) -> httpx.Client:
    """A client that trusts the test certificate, and it alone."""
    return httpx.Client(verify=ssl.create_default_context(cafile=proxy.certificate), timeout=30)


def test_http_is_sent_to_https(proxy):
    answer = httpx.get(f"{proxy.http_url}/connexion?retour=import")
    assert answer.status_code == 301
    assert re.fullmatch(r"https://[^/]+/connexion\?retour=import", answer.headers["location"])


def test_pages_and_healthz_through_https_with_security_headers(proxy):
    with _client(proxy) as client:
        health = client.get(f"{proxy.url}/healthz")
        home = client.get(f"{proxy.url}/")
    assert health.status_code == 200 and health.json() == {"etat": "ok"}
    assert home.status_code == 200 and '<div id="root">' in home.text
    for answer in (health, home):
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["server"] == "nginx"  # no version, and not uvicorn's


def test_the_websocket_is_upgraded_through_the_proxy(proxy):
    """The page's WebSocket opens through nginx (101), and the app still refuses another
    site's page: Host reaches it as the browser sent it, so its same-origin check holds.
    A plain request goes first, as when a page opens."""
    address = proxy.url.replace("https://", "wss://") + "/_stcore/stream"
    tls = ssl.create_default_context(cafile=proxy.certificate)
    with _client(proxy) as client:
        assert client.get(f"{proxy.url}/healthz").status_code == 200
    with connect(address, ssl=tls, origin=proxy.url, open_timeout=20) as ws:  # type: ignore[arg-type]
        assert ws.response.status_code == 101
        ws.ping().wait(timeout=10)  # frames pass both ways
    # Another site's page is never upgraded. Streamlit (1.67, its Starlette server) closes such a
    # socket before accepting it, which uvicorn answers with a 403; about one handshake in fifteen
    # gets no answer at all instead (seen straight on the app as well as through nginx): still
    # never a 101, which is what matters here.
    with pytest.raises((InvalidStatus, TimeoutError)) as refused:
        connect(address, ssl=tls, origin="https://autre-site.example", open_timeout=10)  # type: ignore[arg-type]
    if isinstance(refused.value, InvalidStatus):
        assert refused.value.response.status_code == 403
    assert '"GET /_stcore/stream HTTP/1.1" 101' in proxy.access_log.read_text()


def _upload(client: httpx.Client, url: str, size: int) -> httpx.Response:
    """A file of `size` bytes sent as the page's upload widget sends one."""
    return client.put(
        f"{url}/_stcore/upload_file/session/fichier",
        files={"file": ("releve.xlsx", b"0" * size)},
    )


def test_an_upload_over_the_limit_is_refused_by_nginx():
    """Above client_max_body_size nginx answers 413 itself; the largest file the page lets
    through (server.maxUploadSize, 25 Mo) reaches the app whole. (The app stand-in reads every
    body: Streamlit answers an upload without a session before reading it, and nginx, still
    sending, would call that a 502. Through the browser, tests/browser/test_browser_proxy.py.)"""
    with echo_server() as app, nginx_proxy(app) as running, _client(running) as client:
        too_big = _upload(client, running.url, 27 * MB)
        largest = _upload(client, running.url, 25 * MB)
    assert too_big.status_code == 413 and "<center>nginx</center>" in too_big.text
    assert largest.status_code == 200
    assert int(largest.json()["octets"][0]) > 25 * MB


def test_nginx_limit_sits_above_the_apps_limits():
    """PTLCD_MAX_PIECE_MB ≤ PTLCD_MAX_UPLOAD_MB < server.maxUploadSize < client_max_body_size,
    as deploy/nginx/ptlcd.conf explains: each refusal is the app's, in French, but for a program
    that bypasses the page."""
    found = re.search(r"^\s*client_max_body_size (\d+)m;", TEMPLATE.read_text(), re.MULTILINE)
    assert found
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    widget = streamlit["server"]["maxUploadSize"]
    defaults = Settings()
    assert defaults.max_piece_mb <= defaults.max_upload_mb < widget
    assert int(found.group(1)) == widget + 1


def test_the_proxy_overwrites_forwarded_headers_a_visitor_sends():
    """What the app receives: X-Forwarded-For is the address nginx saw, alone (never the
    visitor's claim, first or last); X-Forwarded-Proto is https; Forwarded and
    X-Forwarded-Host are dropped (the login cookie's route would believe the latter)."""
    with echo_server() as app, nginx_proxy(app) as running, _client(running) as client:
        received = client.get(
            f"{running.url}/",
            headers={
                "X-Forwarded-For": "203.0.113.66, 198.51.100.7",
                "X-Forwarded-Proto": "http",
                "Forwarded": "for=203.0.113.66;proto=http",
                "X-Forwarded-Host": "evil.example",
            },
        ).json()
    assert received["x-forwarded-for"] == ["127.0.0.1"]
    assert received["x-forwarded-proto"] == ["https"]
    assert "forwarded" not in received
    assert "x-forwarded-host" not in received
    assert received["host"] == [running.url.removeprefix("https://")]


def test_reply_link_tokens_never_reach_nginx_logs(proxy, tmp_path: Path):
    """A /r/TOKEN address is written /r/*** in the access log, however it is spelled, on http
    and https, in the Referer too; nothing of it reaches the error log, even when the app is
    down (nginx would write the whole request there: the control address shows it)."""
    with _client(proxy) as client:
        client.get(f"{proxy.url}/r/JETONSECRET1?campagne=2")
        client.get(f"{proxy.url}/%72/JETONSECRET2")
        client.get(f"{proxy.url}//r/JETONSECRET3")
        client.get(f"{proxy.url}/", headers={"Referer": f"{proxy.url}/r/JETONSECRET4?x=1"})
    httpx.get(f"{proxy.http_url}/r/JETONSECRET5")
    logged = proxy.logs()
    assert logged.count("/r/***") == 5
    assert "JETONSECRET" not in logged

    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with nginx_proxy(down, tmp_path) as dead, _client(dead) as client:
        assert client.get(f"{dead.url}/r/JETONSECRET6").status_code == 502
        assert client.get(f"{dead.url}/autre/TEMOIN").status_code == 502
        logged = dead.logs()
    assert "/autre/TEMOIN" in _error_lines(logged)
    assert "JETONSECRET" not in logged and logged.count("/r/***") == 1


def _error_lines(logged: str) -> str:
    """The lines of nginx's error logs (the access log's lines carry a status, not [error])."""
    return "\n".join(line for line in logged.splitlines() if "[error]" in line)
