"""Helpers for real-browser tests: a `streamlit run` server on a free port, Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ptlcd_data.settings import Settings
from tests.helpers import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep headless chromium off the (closed) network and quiet in a root sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERVER_START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_streamlit(
    script: Path | str,
    env: dict[str, str],
    *,
    log: Any = subprocess.DEVNULL,
    args: tuple[str, ...] = (),
    port: int | None = None,
    poll_seconds: float = 0.2,
) -> tuple[subprocess.Popen[bytes], int]:
    """`streamlit run SCRIPT` on a loopback port, returned once healthy (bounded wait).

    The caller stops it with `stop_streamlit`. Shared by the browser tests and the benchmarks.
    """
    port = port or free_port()
    env = {**os.environ, **env}
    # As scripts/run.sh does: uvicorn believes X-Forwarded-* only from the declared proxy.
    env["FORWARDED_ALLOW_IPS"] = Settings.from_env(env).forwarded_allow_ips
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit s'est arrêté (code {proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc, port
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_streamlit(proc)
            raise TimeoutError("le serveur streamlit n'a pas démarré")
        time.sleep(poll_seconds)


def stop_streamlit(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def streamlit_server(
    db_path: Path,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[str]:
    """Start `streamlit run serve.py` (the pages and the routes of web/) on a free port, wait for health, always stop it.

    `args` are extra command-line options (e.g. `--secrets.files`); `port` is given when the
    caller must know the URL before the start (an OpenID Connect redirect URI). The server's
    output goes to a log file beside the database.
    """
    port = port or free_port()
    log_path = db_path.parent / f"streamlit-{port}.log"
    with log_path.open("wb") as log:
        try:
            proc, port = start_streamlit(
                "serve.py", {"PTLCD_DB": str(db_path), **(env or {})}, log=log, args=args, port=port
            )
        except RuntimeError as exc:
            raise RuntimeError(f"{exc} : {log_path.read_text(errors='replace')}") from None
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_streamlit(proc)


def wait_for_app(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script has finished running (Streamlit's own e2e convention)."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.wait_for_selector("[data-testid='stMainBlockContainer']", timeout=60_000)
    # Elements still loading their code (tables, charts) show skeletons: wait until drawn.
    page.wait_for_function(
        "!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=60_000
    )


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, url: str, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in with a local account on the Connexion page, and wait until the server has set
    the session cookie (`/session/cookie` answered): a reload keeps the login from then on."""
    page.goto(f"{url}/connexion")
    wait_for_app(page)
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    with cookie_answer(page) as answer:
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Connecté(e)").first.wait_for(timeout=30_000)
    assert answer.value.status == 204, answer.value.status
    wait_for_app(page)


def cookie_answer(page):  # type: ignore[no-untyped-def]
    """`with cookie_answer(page) as answer:` waits, at the end of the block, for the server's
    answer to the page's cookie script (`/session/cookie`: a login, a log-out, a refused
    cookie); `answer.value` is that response."""
    return page.expect_response(
        lambda r: r.url.endswith("/session/cookie") and r.request.method == "POST",
        timeout=30_000,
    )


def go_to(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page from the sidebar (same browser session, so the login is kept), and wait
    until that page is the current one and has finished running."""
    link = page.locator("[data-testid='stSidebarNavLink']", has_text=title).first
    target = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(lambda url: url.split("?")[0].rstrip("/") == target.split("?")[0].rstrip("/"))
    wait_for_app(page)


def open_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page's tab and wait until its view is drawn. A view is computed when its tab is
    open: the click reruns the script, and the tab's panel stays empty until that rerun sends
    its elements (waiting for the script to be idle alone can catch the moment before it)."""
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    tab.and_(page.locator("[aria-selected='true']")).wait_for(timeout=30_000)
    tab_id = tab.get_attribute("id")
    page.locator(
        f"[role='tabpanel'][aria-labelledby='{tab_id}'] [data-testid='stElementContainer']"
    ).first.wait_for(state="attached", timeout=60_000)
    wait_for_app(page)


def wait_for_refusal(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the French refusal of page `title` is drawn (an address the visitor's role
    cannot open): its heading, why, and a link to Connexion; never Streamlit's English
    "Page not found" (nor its dialog, even translated)."""
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30_000)
    page.get_by_text("depuis la page « Connexion »").wait_for(timeout=30_000)
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_role("link", name="Connexion").count() == 1
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Page introuvable").count() == 0
    assert page.get_by_role("dialog").count() == 0


def session_cookie(page) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """The session cookie the browser's jar holds for the app (None when there is none): read
    from the browser itself, as no script of the page can (HttpOnly)."""
    found = [c for c in page.context.cookies() if c["name"] == "ptlcd_session"]
    return found[0] if found else None


def choose_option(scope, page, label: str, option: str, attempts: int = 4) -> None:  # type: ignore[no-untyped-def]
    """Open a selectbox by its label and pick an option; reopen it if a rerun closed the list."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        wait_for_app(page)
        scope.get_by_label(label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def press(page, button: str, then: str, timeout: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Click the button named `button`, then wait until `then` is shown and the script is idle."""
    page.get_by_role("button", name=button).click()
    wait_for_app(page)
    page.get_by_text(then).first.wait_for(timeout=timeout)
    wait_for_app(page)


def upload(page, path) -> None:  # type: ignore[no-untyped-def]
    """Choose the file, then wait until the app has it (its name shown, Vérifier enabled)."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.locator("[data-testid='stFileChipName']", has_text=path.name).wait_for(timeout=30_000)
    # Shown only once the server holds this new file and has no check of it yet.
    page.get_by_text("Cliquez sur « Vérifier »").wait_for(timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Vérifier")).to_be_enabled(timeout=30_000)
