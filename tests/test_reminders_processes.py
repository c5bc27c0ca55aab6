"""`campaign remind` in its own process, against SMTP servers that misbehave on a loopback port:
each message is recorded as soon as the server took it, a re-run sends only what did not leave,
the base stays free while the server talks, and a deadline ends a conversation that drags.

The mini plan: AGGLO_EGALITE then MDE have an address (reminded in that order), UNIV has none.
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, relances
from tests.helpers import CLI, ROOT, run_cli
from tests.helpers.smtp import HOST, Handler, drip_server, smtp_server

SENDER = "ptlcd@villeneuve-agglo.example"
AGGLO = "egalite@villeneuve-agglo.example"
MDE = "contact@mde-villeneuve.example"
DEADLINE_S = 2  # PTLCD_SMTP_MESSAGE_SECONDS here: a dragging server costs seconds, not minutes
MARGIN_S = 1.5  # what a deadline may run over: the watchdog's thread, a loaded machine
WAIT_S = 60  # the longest a test waits for a state before failing


@pytest.fixture
def campaign(tmp_path: Path, templates) -> tuple[Path, int]:
    """A mini base with an open campaign, and no connection left open in this process."""
    db = templates.copy("mini", tmp_path / "mini.duckdb")
    with store.connect(db) as conn:
        opened = campaigns.open_campaign(
            conn, SYSTEM, "Suivi 2025", date.today() + timedelta(days=20)
        )
    return db, opened.id


def _argv(campaign: tuple[Path, int], *extra: str) -> list[str]:
    db, campaign_id = campaign
    return ["--db", str(db), "campaign", "remind", str(campaign_id), *extra]


def _env(port: int, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTLCD_SMTP")}
    env.update(
        PTLCD_SMTP_HOST=HOST,
        PTLCD_SMTP_PORT=str(port),
        PTLCD_SMTP_FROM=SENDER,
        PTLCD_SMTP_TLS="none",
    )
    return {**env, **settings}


def _start(campaign: tuple[Path, int], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *_argv(campaign)],
        cwd=ROOT,
        env=_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _recorded(campaign: tuple[Path, int]) -> list[tuple[str, str, str]]:
    """(porteur, statut, detail) of every recorded reminder, oldest first."""
    db, campaign_id = campaign
    with store.connect(db) as conn:
        rows = relances.reminders(conn, campaign_id)
    return [
        (str(r.porteur_code), str(r.statut), str(r.detail))
        for r in rows.iloc[::-1].itertuples(index=False)
    ]


def _sent(campaign: tuple[Path, int]) -> list[str]:
    return [code for code, statut, _ in _recorded(campaign) if statut == "envoyé"]


def test_a_killed_run_has_recorded_the_message_the_server_took(campaign):
    """The server takes the first message, then stalls on the second: by then the first must be
    recorded. The command is killed (SIGKILL) right there."""
    with smtp_server(Handler(fail_after=1, failure="stall", stall_s=WAIT_S)) as (port, handler):
        remind = _start(campaign, port)
        try:
            assert handler.stalled.wait(WAIT_S), "the second message never started"
        finally:
            remind.kill()
            remind.communicate()
    assert [r.rcpt_tos for r in handler.received] == [[AGGLO]]
    assert _sent(campaign) == ["AGGLO_EGALITE"]


def test_a_rerun_after_a_drop_sends_only_what_did_not_leave_unless_asked(campaign):
    with smtp_server(Handler(fail_after=1, failure="hang-up")) as (port, handler):
        dropped = run_cli(*_argv(campaign), env=_env(port), timeout=WAIT_S)
    assert dropped.returncode == 1
    assert [r.rcpt_tos for r in handler.received] == [[AGGLO]]
    assert _sent(campaign) == ["AGGLO_EGALITE"]

    with smtp_server() as (port, handler):
        rerun = run_cli(*_argv(campaign), env=_env(port), timeout=WAIT_S)
    assert rerun.returncode == 0, rerun.stderr
    assert [r.rcpt_tos for r in handler.received] == [[MDE]]  # not AGGLO_EGALITE again
    today = date.today().strftime("%d/%m/%Y")
    assert (
        f"Déjà relancé(s) pour cette étape : Agglo — Mission égalité "
        f"(AGGLO_EGALITE, le {today}) : pas de nouvel envoi (--renvoyer CODE pour relancer à "
        "nouveau)." in rerun.stdout
    )
    assert "1 relance(s) envoyée(s) sur 2." in rerun.stdout  # MDE, and UNIV without address
    assert _sent(campaign) == ["AGGLO_EGALITE", "MDE"]

    with smtp_server() as (port, handler):
        again = run_cli(*_argv(campaign, "--renvoyer", "AGGLO_EGALITE"), env=_env(port))
    assert again.returncode == 0, again.stderr
    assert [r.rcpt_tos for r in handler.received] == [[AGGLO]]
    assert "(MDE, le " in again.stdout
    assert _sent(campaign) == ["AGGLO_EGALITE", "MDE", "AGGLO_EGALITE"]

    unknown = run_cli(*_argv(campaign, "--renvoyer", "NULLE_PART"), env=_env(port))
    assert unknown.returncode == 1
    assert "Porteur inconnu : NULLE_PART." in unknown.stderr


def test_the_base_is_free_while_the_server_stalls(campaign):
    """While the server holds its answer, another process reads the base at once (it would wait
    for the lock, then give up, if the sending process held the base)."""
    db, _ = campaign
    with smtp_server(Handler(fail_after=0, failure="stall", stall_s=WAIT_S)) as (port, handler):
        remind = _start(campaign, port)
        try:
            assert handler.stalled.wait(WAIT_S), "the command never reached the server"
            start = time.monotonic()
            listed = run_cli("--db", str(db), "campaign", "list", timeout=WAIT_S)
            elapsed = time.monotonic() - start
            assert listed.returncode == 0, listed.stderr
            assert "Suivi 2025" in listed.stdout
            assert elapsed < store.LOCK_WAIT_SECONDS / 2
            assert remind.poll() is None  # still waiting for the server
        finally:
            handler.release.set()
            out, err = remind.communicate(timeout=WAIT_S)
    assert remind.returncode == 0, err
    assert "2 relance(s) envoyée(s) sur 3." in out
    assert len(handler.received) == 2


def test_a_dripping_server_is_cut_at_the_deadline_and_the_messages_recorded_as_failed(campaign):
    """The greeting comes one byte every 0,2 s, forever: no read ever times out."""
    with drip_server(interval=0.2) as drip:
        start = time.monotonic()
        cut = run_cli(
            *_argv(campaign),
            env=_env(drip.port, PTLCD_SMTP_MESSAGE_SECONDS=str(DEADLINE_S)),
            timeout=WAIT_S,
        )
        elapsed = time.monotonic() - start
        assert drip.gone.wait(WAIT_S)
    assert drip.held_s is not None and drip.held_s < DEADLINE_S + MARGIN_S
    assert elapsed < DEADLINE_S + 15  # the command's own start and end: seconds, not minutes
    assert cut.returncode == 1
    recorded = {code: (statut, detail) for code, statut, detail in _recorded(campaign)}
    for code in ("AGGLO_EGALITE", "MDE"):
        statut, detail = recorded[code]
        assert statut == "échec"
        assert detail.startswith(f"Délai dépassé : le serveur {HOST}:{drip.port} n'a pas ouvert")
        assert f"({DEADLINE_S} s, réglage PTLCD_SMTP_MESSAGE_SECONDS)" in detail
    assert "0 relance(s) envoyée(s) sur 3." in cut.stdout
