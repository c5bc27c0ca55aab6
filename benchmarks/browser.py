"""Cold start and server memory, measured in Debian's chromium against a real `streamlit run`."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from benchmarks.common import BENCH_ADMIN, BENCH_PASSWORD, ROOT, chromium
from tests.helpers.browser import CHROMIUM_ARGS, start_streamlit, stop_streamlit
from ui.navigation import PAGES


def _start(script: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start a server; also return the moment just before the process was launched."""
    started = time.perf_counter()
    proc, port = start_streamlit(script, env, poll_seconds=0.05)
    return proc, f"http://127.0.0.1:{port}", started


_stop = stop_streamlit


def _wait_rendered(page, heading: str | None) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000
    )
    if heading:
        page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    # "Fully rendered": no element still showing its loading skeleton (tables, charts).
    page.wait_for_function(
        "!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=120_000
    )


# Rounds of starts, each app in turn (one start is noisy on a shared virtual machine).
COLD_START_ROUNDS = 7
# Before each start: the previous server and browser page are still releasing their resources
# for a moment, which would slow whichever app comes next.
SETTLE_SECONDS = 1.0


def cold_start(db: Path, references: dict[str, tuple[Path, str]]) -> dict[str, list[float]]:
    """Seconds from process start to the home page fully rendered, one per round, for the app
    ("app") and each reference app (name -> (script, heading)), started in turn, round after
    round. The order turns from one round to the next, so that no app always follows the same
    one."""
    from playwright.sync_api import sync_playwright

    scripts = {"app": (ROOT / "serve.py", "Vue d'ensemble du plan"), **references}
    times: dict[str, list[float]] = {key: [] for key in scripts}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        keys = list(scripts)
        for round_no in range(COLD_START_ROUNDS):
            for key in keys[round_no % len(keys) :] + keys[: round_no % len(keys)]:
                script, heading = scripts[key]
                time.sleep(SETTLE_SECONDS)
                proc, url, started = _start(script, {"PTLCD_DB": str(db)})
                try:
                    page = browser.new_page()
                    page.goto(url)
                    _wait_rendered(page, heading)
                    times[key].append(time.perf_counter() - started)
                    page.close()
                finally:
                    _stop(proc)
        browser.close()
    return times


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_peak_memory(db: Path) -> float:
    """Peak resident memory (MB) of the server after an administrator visited every page."""
    from playwright.sync_api import sync_playwright

    proc, url, _ = _start(ROOT / "serve.py", {"PTLCD_DB": str(db)})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/connexion")
            _wait_rendered(page, "Connexion")
            page.get_by_label("Identifiant").fill(BENCH_ADMIN)
            page.get_by_label("Mot de passe").fill(BENCH_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.get_by_text("Connecté(e)").first.wait_for(timeout=60_000)
            for spec in PAGES:
                page.locator("[data-testid='stSidebarNav'] a", has_text=spec.title).first.click()
                _wait_rendered(page, None)
                page.wait_for_timeout(300)
                _wait_rendered(page, None)
            browser.close()
        return _peak_rss_mb(proc.pid)
    finally:
        _stop(proc)
