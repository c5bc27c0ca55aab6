"""The scheduled job (`notify run`): reminders at each step, the weekly digest, idempotence.

Simulated days with `--date` (the `today` of `veille.run.run`), against a real SMTP server on a
loopback port (aiosmtpd) and real DuckDB files of the mini plan: MDE and AGGLO_EGALITE have an
address, UNIV has none. The campaign's deadline D is 8 days from now, so D−8 is today.
"""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts, contacts, journal
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, completion, etapes
from ptlcd_data.decisions import records as decision_records
from ptlcd_data.errors import InputError, PtlcdError
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.settings import Settings
from ptlcd_data.suivi import saisie
from ptlcd_data.veille import digest, records
from ptlcd_data.veille import run as veille_run
from tests.helpers.smtp import HOST, smtp_server

SENDER = "ptlcd@villeneuve-agglo.example"
PASSWORD = "mot-de-passe-coordination"
COORD = "coord@villeneuve-agglo.example"
CHEF = "chef@villeneuve-agglo.example"
MDE = "contact@mde-villeneuve.example"
AGGLO = "egalite@villeneuve-agglo.example"
DEADLINE = date.today() + timedelta(days=8)


@pytest.fixture
def db(tmp_path: Path, templates) -> Path:
    """The mini plan with a campaign due on DEADLINE (default reminder days) and two
    coordinators with an address: « coord » (saisie) wants the digest, « chef » (admin) not."""
    path = templates.copy("mini", tmp_path / "mini.duckdb")
    with store.connect(path) as conn:
        campaigns.open_campaign(conn, SYSTEM, "Suivi 2025", DEADLINE)
        for login, role, email in (("coord", "saisie", COORD), ("chef", "admin", CHEF)):
            accounts.add_user(conn, SYSTEM, login, login.title(), role, PASSWORD)
            contacts.set_email(conn, SYSTEM, login, email)
        contacts.set_digest(conn, SYSTEM, "chef", False)
    return path


def _settings(db: Path, port: int | None = None, **more: object) -> Settings:
    smtp = {} if port is None else {"smtp_host": HOST, "smtp_port": port, "smtp_tls": "none"}
    return Settings(db_path=db, smtp_from=SENDER, **smtp, **more)  # type: ignore[arg-type]


def _run(settings: Settings, day: date, **kw: object) -> veille_run.Report:
    return veille_run.run(settings, day, user=SYSTEM, fetch=kw.pop("fetch", None), **kw)  # type: ignore[arg-type]


def _reply_fully(db: Path, code: str) -> None:
    """`code` answers everything the campaign asks of it (its actions, its indicators)."""
    with store.connect(db) as conn:
        c = campaigns.current(conn)
        assert c is not None
        owed = completion.missing(conn, c.id, code)
        for row in owed.itertuples():
            if row.objet == "action":
                saisie.enregistrer_revue(
                    conn, SYSTEM, int(row.cle), statut="En cours", avancement=50, commentaire="ok"
                )
            else:
                valeurs.record_values(
                    conn, SYSTEM, [valeurs.ValueRow(row.cle, "AGGLO", c.annee, 3.0)]
                )
        assert completion.missing(conn, c.id, code).empty


def _count(db: Path, sql: str) -> int:
    with store.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_simulated_days_send_three_reminders_once_each_and_one_digest_a_week(db):
    reminders: dict[str, list[int]] = {}
    digests: dict[str, list[int]] = {}
    with smtp_server() as (port, handler):
        settings = _settings(db, port)
        for offset in range(-8, 6):
            day = DEADLINE + timedelta(days=offset)
            if offset == -2:
                _reply_fully(db, "AGGLO_EGALITE")
            before = len(handler.received)
            report = _run(settings, day)
            assert not report.failed, report.lines
            sent = len(handler.received)
            again = _run(settings, day)  # every hour: nothing more the same day
            assert len(handler.received) == sent, again.lines
            for received in handler.received[before:]:
                kind = digests if "récapitulatif" in received.message["Subject"] else reminders
                for to in received.rcpt_tos:
                    kind.setdefault(to, []).append(offset)
    assert reminders == {MDE: [-7, -1, 3], AGGLO: [-7]}
    first = -8
    mondays = [o for o in range(-7, 6) if (DEADLINE + timedelta(days=o)).weekday() == 0]
    assert digests == {COORD: [first, *mondays]}  # « chef » turned it off
    assert CHEF not in reminders
    with store.connect(db) as conn:
        log = records.log(conn)
    steps = log[log["destinataire"] == "MDE"]["etape"].tolist()
    assert steps == [
        "7 jours avant l'échéance",
        "la veille de l'échéance",
        "3 jours après l'échéance",
    ]
    univ = log[log["destinataire"] == "UNIV"]
    assert set(univ["statut"]) == {"sans adresse"} and len(univ) == 3  # once per step, no retry
    assert _count(db, "SELECT count(*) FROM journal WHERE operation = 'relance'") == len(
        log[log["envoi"] != "récapitulatif"]
    )
    assert _count(db, "SELECT count(*) FROM journal WHERE operation = 'récapitulatif'") == len(
        digests[COORD]
    )


def test_a_run_after_missed_days_sends_only_the_latest_step(db):
    with smtp_server() as (port, handler):
        report = _run(_settings(db, port), DEADLINE + timedelta(days=4))
        assert not report.failed
        reminders = [r for r in handler.received if "récapitulatif" not in r.message["Subject"]]
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted([AGGLO, MDE])
    with store.connect(db) as conn:
        assert set(records.log(conn)["etape"]) == {"3 jours après l'échéance", "—"}


def test_dry_run_says_what_it_would_do_and_writes_nothing(db):
    with store.connect(db) as conn:
        entries = len(journal.entries(conn, limit=10_000))
    with smtp_server() as (port, handler):
        report = _run(_settings(db, port), DEADLINE - timedelta(days=7), dry_run=True)
    text = "\n".join(report.lines)
    assert "Simulation : relance à Maison de l'emploi (MDE, contact@mde-villeneuve.example)" in text
    assert f"récapitulatif hebdomadaire à coord ({COORD})" in text
    assert "rien n'a été envoyé ni écrit" in text
    assert handler.received == []
    assert _count(db, "SELECT count(*) FROM campagne_relance") == 0
    assert _count(db, "SELECT count(*) FROM recap_envoi") == 0
    with store.connect(db) as conn:
        assert len(journal.entries(conn, limit=10_000)) == entries
    assert not (db.parent / "courriels").exists()
    assert not veille_run.lock_path(_settings(db)).exists()


def test_without_a_server_the_messages_are_eml_files_recorded_once(db):
    settings = _settings(db)  # no PTLCD_SMTP_HOST
    day = DEADLINE - timedelta(days=7)
    report = _run(settings, day)
    text = "\n".join(report.lines)
    assert "Aucun serveur d'envoi" in text and ".eml" in text
    folder = db.parent / "courriels" / f"relances-campagne-1-{day.isoformat()}"
    assert sorted(p.name for p in folder.iterdir()) == ["AGGLO_EGALITE.eml", "MDE.eml"]
    draft = message_from_bytes((folder / "MDE.eml").read_bytes(), policy=policy.default)
    assert draft["To"].addresses[0].addr_spec == MDE
    digests = list((db.parent / "courriels").glob("*-coord-*.eml"))
    assert len(digests) == 1
    body = message_from_bytes(digests[0].read_bytes(), policy=policy.default)
    assert "récapitulatif hebdomadaire" in body.get_body(("plain",)).get_content()
    files = sorted(p for p in (db.parent / "courriels").rglob("*.eml"))
    _run(settings, day)
    assert sorted(p for p in (db.parent / "courriels").rglob("*.eml")) == files
    with store.connect(db) as conn:
        assert set(records.log(conn)["statut"]) == {"fichier .eml", "sans adresse"}


def test_the_mailbox_is_fetched_first_when_set_and_its_failure_stops_nothing(db):
    calls: list[int | None] = []

    def fetch(settings: Settings, campaign_id: int | None) -> list[str]:
        calls.append(campaign_id)
        return ["2 message(s) relevé(s)."]

    report = _run(_settings(db), DEADLINE - timedelta(days=20), fetch=fetch)
    assert veille_run.NO_MAILBOX in report.lines and calls == []
    report = _run(
        _settings(db, imap_host="imap.example"), DEADLINE - timedelta(days=20), fetch=fetch
    )
    assert calls == [1] and "2 message(s) relevé(s)." in report.lines

    def broken(settings: Settings, campaign_id: int | None) -> list[str]:
        raise PtlcdError("Serveur IMAP injoignable.")

    report = _run(
        _settings(db, imap_host="imap.example"), DEADLINE - timedelta(days=7), fetch=broken
    )
    assert report.failed
    assert any("Serveur IMAP injoignable" in line for line in report.lines)
    assert _count(db, "SELECT count(*) FROM campagne_relance WHERE etape = 7") == 3  # went on


def test_a_second_run_while_one_is_under_way_does_nothing(db):
    settings = _settings(db)
    with veille_run.exclusive(settings) as mine:
        assert mine
        report = _run(settings, DEADLINE - timedelta(days=7))
    assert "Une autre exécution de notify run est en cours" in report.lines[-1]
    assert _count(db, "SELECT count(*) FROM campagne_relance") == 0


def test_the_digest_lists_replies_waiting_decisions_and_the_rate_with_links(db):
    _reply_fully(db, "AGGLO_EGALITE")
    today = date.today()
    with store.connect(db) as conn:
        seance = decision_records.open_seance(conn, SYSTEM, today)
        decision_records.add_decision(
            conn,
            SYSTEM,
            seance,
            texte="Relancer la Maison de l'emploi",
            responsable="MDE",
            echeance=today + timedelta(days=3),
        )
        content = digest.gather(conn, SYSTEM, today)
    text = digest.body(content, "https://ptlcd.example/")
    assert "Villeneuve Agglo" in text or "AGGLO_EGALITE" in text
    assert "(AGGLO_EGALITE) : 2 réponses" in text
    assert "Relancer la Maison de l'emploi" in text
    assert "taux de réponse" in text and f"échéance le {DEADLINE:%d/%m/%Y}, dans 8 jours" in text
    assert "Prochaine relance automatique : 7 jours avant l'échéance" in text
    for page in ("campagne", "depots", "calendrier", "indicateurs", "decisions"):
        assert f"https://ptlcd.example/{page}" in text
    assert "https://" not in digest.body(content, "")
    assert digest.subject(content).startswith("PTLCD – récapitulatif de la semaine du ")


def test_the_digest_links_point_to_pages_of_the_app():
    from ui.navigation import PAGES

    paths = {p.url_path for p in PAGES}
    assert set(digest.PAGES.values()) <= paths


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("7,1,-3", (7, 1, -3)),
        (" -3 , 7;1 ", (7, 1, -3)),
        ("1,1", (1,)),
        ("0", (0,)),
        ("", ()),
    ],
)
def test_reminder_days_are_read_earliest_first(text, days):
    assert etapes.parse(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7,x", "x n'est pas un nombre entier"),
        ("7.5", "7.5 n'est pas un nombre entier"),
        ("400", "impossible"),
        (",".join(str(n) for n in range(12)), "Trop de jours"),
    ],
)
def test_bad_reminder_days_are_refused_in_french(text, message):
    with pytest.raises(InputError, match=message):
        etapes.parse(text)


@pytest.mark.parametrize(
    ("offset", "step"),
    [(-8, None), (-7, 7), (-6, 7), (-1, 1), (0, 1), (2, 1), (3, -3), (30, -3)],
)
def test_the_step_due_is_the_latest_whose_day_has_come(offset, step):
    assert etapes.due_step(DEADLINE, (7, 1, -3), DEADLINE + timedelta(days=offset)) == step


def test_reminder_days_are_set_when_opening_and_changed_by_an_admin_journaled(mini_conn):
    with pytest.raises(InputError, match="invalides"):
        campaigns.open_campaign(mini_conn, SYSTEM, "S", DEADLINE, relances="sept")
    c = campaigns.open_campaign(mini_conn, SYSTEM, "S", DEADLINE, relances="10,2")
    assert c.reminder_days == (10, 2)
    changed = campaigns.set_reminder_days(mini_conn, SYSTEM, c.id, "5, -1")
    assert changed.relances == "5,-1"
    entry = journal.entries(mini_conn, operation="campagne").iloc[0]
    assert "10,2" in entry["ancien"] and "5,-1" in entry["nouveau"]
