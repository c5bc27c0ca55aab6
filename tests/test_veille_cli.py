"""`notify run`, `notify log`, `user set --email/--digest`, `campaign open --relances` on the command
line, and the reminder days and the digest choice in the app (AppTest)."""

from __future__ import annotations

import os
from datetime import date, timedelta

from ptlcd_data import store
from ptlcd_data.access import contacts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns
from tests.helpers import MINI_PLAN, run_cli
from tests.helpers.apptest import add_account, assert_clean, texts
from tests.helpers.apptest import run_page as _run_page
from tests.helpers.smtp import HOST, smtp_server

PASSWORD = "mot-de-passe-coordination\n"


def test_notify_run_and_log_on_the_command_line(tmp_path):
    db = str(tmp_path / "mini.duckdb")
    assert run_cli("--db", db, "--data", str(MINI_PLAN), "init", "--no-demo").returncode == 0
    deadline = date.today() + timedelta(days=8)
    refused = run_cli(
        "--db", db, "campaign", "open", "Suivi", "--deadline", f"{deadline}", "--relances", "7,x"
    )
    assert refused.returncode == 1 and "Jours de relance « 7,x » invalides" in refused.stderr
    opened = run_cli("--db", db, "campaign", "open", "Suivi", "--deadline", f"{deadline}")
    assert opened.returncode == 0, opened.stderr
    added = run_cli(
        "--db",
        db,
        "user",
        "add",
        "coord",
        "--role",
        "saisie",
        "--email",
        "coord@villeneuve.example",
        "--password-stdin",
        input=PASSWORD,
    )
    assert added.returncode == 0, added.stderr
    bad = run_cli("--db", db, "user", "set", "coord", "--email", "pas une adresse")
    assert bad.returncode == 1 and "invalide" in bad.stderr
    off = run_cli("--db", db, "user", "set", "coord", "--digest", "off")
    assert off.returncode == 0 and "désactivé" in off.stdout
    listed = run_cli("--db", db, "user", "list")
    assert "coord\tsaisie\tcoord\t—\tcoord@villeneuve.example\tsans récapitulatif" in listed.stdout
    assert run_cli("--db", db, "user", "set", "coord", "--digest", "on").returncode == 0
    day = f"{deadline - timedelta(days=7)}"
    dry = run_cli("--db", db, "notify", "run", "--date", day, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "rien n'a été envoyé ni écrit" in dry.stdout
    with smtp_server() as (port, handler):
        env = {
            **os.environ,
            "PTLCD_SMTP_HOST": HOST,
            "PTLCD_SMTP_PORT": str(port),
            "PTLCD_SMTP_TLS": "none",
            "PTLCD_SMTP_FROM": "ptlcd@villeneuve.example",
            "PTLCD_IMAP_HOST": "",
        }
        done = run_cli("--db", db, "notify", "run", "--date", day, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Boîte aux lettres non réglée (PTLCD_IMAP_HOST)" in done.stdout
        assert "relance « 7 jours avant l'échéance » : 3 porteurs à relancer" in done.stdout
        assert "Récapitulatif à coord : Envoyé à coord@villeneuve.example" in done.stdout
        assert len(handler.received) == 3  # MDE, AGGLO_EGALITE, coord (UNIV has no address)
        again = run_cli("--db", db, "notify", "run", "--date", day, env=env)
        assert "déjà reçue" in again.stdout and "déjà envoyé" in again.stdout
        assert len(handler.received) == 3
    log = run_cli("--db", db, "notify", "log", "--depuis", f"{date.today()}")
    assert log.returncode == 0, log.stderr
    lines = log.stdout.splitlines()
    assert lines[-1] == "4 envoi(s)."
    assert any(
        "relance campagne n° 1\tMDE\tcontact@mde-villeneuve.example\t7 jours avant l'échéance\t"
        "envoyé" in line
        for line in lines
    )
    assert any(
        "récapitulatif\tcoord\tcoord@villeneuve.example\t—\tenvoyé" in line for line in lines
    )
    later = run_cli("--db", db, "notify", "log", "--depuis", f"{date.today() + timedelta(days=1)}")
    assert later.stdout.strip() == "0 envoi(s)."


def run_page(page: str, role: str):
    from ui import data

    return _run_page(page, login=add_account(data.settings().db_path, role, role))


def test_the_campaign_page_shows_and_edits_the_reminder_days(app_env):
    deadline = date.today() + timedelta(days=10)
    with store.connect(app_env) as conn:
        c = campaigns.open_campaign(conn, SYSTEM, "Suivi", deadline)
    at = run_page("app_pages/campagne.py", "admin")
    assert_clean(at)
    shown = texts(at.markdown)
    assert "7 jours avant l'échéance" in shown and "la veille de l'échéance" in shown
    assert f"{deadline - timedelta(days=7):%d/%m/%Y}" in shown
    at.text_input(key="campagne_jours_modif").set_value("5,x")
    at.button(key="campagne_jours_enregistrer").click().run()
    assert "invalides" in texts(at.error)
    at.text_input(key="campagne_jours_modif").set_value("5, 0")
    at.button(key="campagne_jours_enregistrer").click().run()
    assert_clean(at)
    assert "le jour de l'échéance" in texts(at.success)
    with store.connect(app_env) as conn:
        assert campaigns.get(conn, c.id).reminder_days == (5, 0)


def test_staff_see_the_reminder_days_but_cannot_change_them(app_env):
    with store.connect(app_env) as conn:
        campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=10))
    at = run_page("app_pages/campagne.py", "saisie")
    assert_clean(at)
    assert "Relances automatiques" in texts(at.markdown)
    assert not [t for t in at.text_input if t.key == "campagne_jours_modif"]


def test_an_account_turns_its_own_digest_off_on_the_connexion_page(app_env):
    at = run_page("app_pages/connexion.py", "saisie")
    assert_clean(at)
    assert "Aucune adresse électronique" in texts(at.caption)
    box = at.checkbox(key="recap_choix")
    assert box.value is True
    box.uncheck().run()
    assert_clean(at)
    with store.connect(app_env) as conn:
        assert contacts.digest_wanted(conn, "saisie") is False
        entry = conn.execute(
            "SELECT auteur, nouveau FROM journal WHERE operation = 'compte modifié'"
        ).fetchone()
    assert entry == ("saisie", '{"recap": false}')


def test_a_reader_has_no_digest_setting(app_env):
    at = run_page("app_pages/connexion.py", "lecture")
    assert_clean(at)
    assert not [c for c in at.checkbox if c.key == "recap_choix"]
