"""Campaign reminders: who is reminded, what they receive, what is recorded, and failures.

Sent for real to an SMTP server on a loopback port (aiosmtpd), on the mini plan: MDE and
AGGLO_EGALITE have an address, UNIV has none.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest

from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.campagnes import campaigns, completion, relances, relances_envoi
from ptlcd_data.errors import InputError, PermissionDenied, SmtpError
from ptlcd_data.settings import Settings
from ptlcd_data.suivi import saisie
from tests.helpers import MINI_PLAN, run_cli
from tests.helpers.browser import free_port
from tests.helpers.smtp import HOST, Handler, smtp_server

SENDER = "ptlcd@villeneuve-agglo.example"


def _settings(port: int, conn=None) -> Settings:
    """The loopback server's settings; with `conn`, pointing at that connection's base."""
    db = {} if conn is None else {"db_path": _db_path(conn)}
    return Settings(smtp_host=HOST, smtp_port=port, smtp_from=SENDER, smtp_tls="none", **db)


def _db_path(conn) -> Path:
    row = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0])


def _open(conn):
    return campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", date.today() + timedelta(days=20))


def _status(conn, campaign_id):
    return completion.completion(conn, campaign_id).set_index("porteur")


def test_each_porteur_that_owes_something_gets_one_french_email_with_its_workbook(mini_conn):
    c = _open(mini_conn)
    # AGGLO_EGALITE updates its action: only its indicator is still owed.
    saisie.enregistrer_revue(
        mini_conn, SYSTEM, 1, statut="En cours", avancement=40, commentaire="ok"
    )
    with smtp_server() as (port, handler):
        envois = relances_envoi.send(_settings(port, mini_conn), SYSTEM, c.id).envois
    by_code = {e.porteur_code: e for e in envois}
    assert by_code["MDE"].statut == "envoye"
    assert by_code["UNIV"].statut == "sans_adresse"  # listed, not sent
    assert [r.rcpt_tos for r in handler.received] == [
        ["egalite@villeneuve-agglo.example"],
        ["contact@mde-villeneuve.example"],
    ]
    mde = next(r.message for r in handler.received if "mde" in r.rcpt_tos[0])
    body = mde.get_body(("plain",)).get_content()
    assert "Suivi 2025" in mde["Subject"]
    assert "action n° 3 : Former les recruteurs" in body
    assert "E1 : Taux de recruteurs formés" in body
    assert f"Échéance : {(date.today() + timedelta(days=20)):%d/%m/%Y}." in body
    (attachment,) = list(mde.iter_attachments())
    assert attachment.get_filename() == "MDE.xlsx"
    assert attachment.get_content()[:2] == b"PK"  # an xlsx is a zip
    agglo = next(r.message for r in handler.received if "egalite" in r.rcpt_tos[0])
    agglo_body = agglo.get_body(("plain",)).get_content()
    assert "Créer un observatoire" not in agglo_body  # answered: not asked again
    assert "M1 : Nombre de situations signalées" in agglo_body
    # Recorded: « relancé le » for those sent, every attempt in the journal.
    status = _status(mini_conn, c.id)
    assert status.loc["MDE", "relance_le"] is not None
    assert (
        status.loc["UNIV", "relance_le"] is None
        or status.loc["UNIV", "relance_le"] != (status.loc["UNIV", "relance_le"])
    )
    assert len(journal.entries(mini_conn, operation="relance")) == 3
    assert set(relances.reminders(mini_conn, c.id)["statut"]) == {"envoyé", "sans adresse"}


def test_a_server_that_cannot_be_reached_leaves_the_campaign_as_it_was(mini_conn):
    c = _open(mini_conn)
    before = _status(mini_conn, c.id)
    with pytest.raises(SmtpError, match=rf"{HOST}:\d+"):
        relances_envoi.send(_settings(free_port(), mini_conn), SYSTEM, c.id)
    assert relances.reminders(mini_conn, c.id).empty
    assert journal.entries(mini_conn, operation="relance").empty
    assert _status(mini_conn, c.id).equals(before)
    assert campaigns.get(mini_conn, c.id).is_open


def test_a_server_dropping_the_connection_marks_the_rest_as_failed(mini_conn):
    c = _open(mini_conn)
    with smtp_server(Handler(fail_after=1, failure="hang-up")) as (port, handler):
        envois = relances_envoi.send(_settings(port, mini_conn), SYSTEM, c.id).envois
    assert len(handler.received) == 1
    assert [e.statut for e in envois if e.destinataire] == ["envoye", "echec"]
    failed = next(e for e in envois if e.statut == "echec")
    assert "connexion" in failed.detail
    stored = relances.reminders(mini_conn, c.id).set_index("porteur_code")
    assert stored.loc[failed.porteur_code, "statut"] == "échec"
    assert pd.isna(_status(mini_conn, c.id).loc[failed.porteur_code, "relance_le"])


def test_without_a_server_nothing_is_sent_nor_recorded_and_eml_files_are_offered(mini_conn):
    c = _open(mini_conn)
    envois = relances_envoi.send(
        Settings(smtp_host="", db_path=_db_path(mini_conn)), SYSTEM, c.id
    ).envois
    assert {e.statut for e in envois} == {"fichier_eml", "sans_adresse"}
    assert relances.reminders(mini_conn, c.id).empty
    archive = zipfile.ZipFile(
        io.BytesIO(relances_envoi.eml_zip(mini_conn, SYSTEM, c.id, Settings(smtp_host="")))
    )
    assert sorted(archive.namelist()) == ["AGGLO_EGALITE.eml", "MDE.eml"]
    draft = message_from_bytes(archive.read("MDE.eml"), policy=policy.default)
    assert draft["To"].addresses[0].addr_spec == "contact@mde-villeneuve.example"


def test_refusals(mini_conn):
    c = _open(mini_conn)
    with pytest.raises(PermissionDenied):
        relances_envoi.send(Settings(smtp_host=""), User("s", "S", "saisie"), c.id)
    campaigns.close_campaign(mini_conn, SYSTEM, c.id)
    with pytest.raises(InputError, match="close"):
        relances_envoi.send(Settings(smtp_host="", db_path=_db_path(mini_conn)), SYSTEM, c.id)
    assert relances_envoi.pending(mini_conn, c.id) == []


def test_campaign_remind_command_line(tmp_path):
    db = str(tmp_path / "mini.duckdb")
    assert run_cli("--db", db, "--data", str(MINI_PLAN), "init", "--no-demo").returncode == 0
    deadline = (date.today() + timedelta(days=9)).strftime("%d/%m/%Y")
    opened = run_cli("--db", db, "campaign", "open", "Suivi", "--deadline", deadline)
    campaign_id = opened.stdout.strip()
    dry = run_cli("--db", db, "campaign", "remind", campaign_id, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Université de Villeneuve\tsans adresse\t1 action(s)\t0 indicateur(s)" in dry.stdout
    assert "simulation : rien n'a été envoyé" in dry.stdout
    out = tmp_path / "relances"
    written = run_cli(
        "--db", db, "campaign", "remind", campaign_id, "-o", str(out), env=_env_without_smtp()
    )
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in out.iterdir()) == ["AGGLO_EGALITE.eml", "MDE.eml"]
    with smtp_server() as (port, handler):
        env = {**_env_without_smtp(), "PTLCD_SMTP_HOST": HOST, "PTLCD_SMTP_PORT": str(port)}
        env["PTLCD_SMTP_FROM"], env["PTLCD_SMTP_TLS"] = SENDER, "none"
        sent = run_cli("--db", db, "campaign", "remind", campaign_id, env=env)
    assert sent.returncode == 0, sent.stderr
    assert "2 relance(s) envoyée(s) sur 3." in sent.stdout
    assert len(handler.received) == 2
    refused = run_cli("--db", db, "campaign", "remind", "999")
    assert refused.returncode == 1


def _env_without_smtp() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PTLCD_SMTP")}
