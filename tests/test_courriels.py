"""Replies by e-mail (issue 24, mailbox intake): a real Dovecot and a real SMTP server.

A porteur answers the reminder with its workbook attached (renamed); `fetch_replies` makes it a
dépôt à valider, acknowledges it and files the message in PTLCD.traites. Bad input is tried:
nothing is lost (every message is in one folder), nothing is made twice, nothing half-done.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ptlcd_data import store
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, workbooks
from ptlcd_data.courriels import imap, intake, recus
from ptlcd_data.depots import queries
from ptlcd_data.errors import ImapError
from ptlcd_data.imports.stamp import STAMP_SHEET
from ptlcd_data.settings import Settings
from tests.helpers import import_files as f
from tests.helpers import run_cli
from tests.helpers.databases import Templates
from tests.helpers.imap import DOVECOT, PASSWORD, Dovecot, dovecot_server
from tests.helpers.smtp import HOST, Handler, smtp_server

pytestmark = pytest.mark.skipif(
    DOVECOT is None, reason="Dovecot absent (paquet dovecot-imapd : scripts/test.sh l'installe)"
)
ADMIN = User("admin", "Admin", "admin")
SAISIE = User("sec", "Secrétariat", "saisie")
MDE_ADDRESS = "contact@mde-villeneuve.example"
TEAM = "ptlcd@villeneuve.example"
FOLDERS = ("INBOX", "PTLCD.traites", "PTLCD.a_examiner")


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[tuple[int, Handler]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def base(tmp_path: Path, templates: Templates) -> tuple[Path, int]:
    """The mini plan with a campaign open: (its path, the campaign's number)."""
    path = templates.copy("mini", tmp_path / "mini.duckdb")
    with store.connect(path) as conn:
        c = campaigns.open_campaign(conn, ADMIN, "Suivi 2025", date.today() + timedelta(days=20))
    return path, c.id


@pytest.fixture
def settings(base: tuple[Path, int], dovecot: Dovecot, smtp: tuple[int, Handler]) -> Settings:
    return Settings(
        db_path=base[0],
        imap_host=HOST,
        imap_port=dovecot.port,
        imap_user=dovecot.new_mailbox(),
        imap_password=PASSWORD,
        imap_tls="none",
        smtp_host=HOST,
        smtp_port=smtp[0],
        smtp_from=TEAM,
        smtp_tls="none",
    )


def _workbook(settings: Settings, code: str = "MDE", *, campagne_id: int | None = None) -> bytes:
    """`code`'s campaign workbook, filled in (action 3 « En cours »)."""
    with store.connect(settings.db_path) as conn:
        number = campagne_id or campaigns.current(conn).id  # type: ignore[union-attr]
        data = workbooks.workbook_bytes(conn, number, code)
    wb = load_workbook(io.BytesIO(data))
    av = wb["Avancement"]
    av["B2"], av["C2"], av["D2"], av["E2"] = date.today(), "En cours", 40, "Deux sessions"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _message(
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    *,
    sender: str = MDE_ADDRESS,
    message_id: str | None = None,
) -> bytes:
    """A reply to the reminder, as a mail program writes it."""
    m = EmailMessage()
    m["From"] = f"Sam Durand <{sender}>"
    m["To"] = TEAM
    m["Subject"] = "RE: PTLCD – campagne de suivi « Suivi 2025 »"
    m["Message-ID"] = message_id or make_msgid(domain="mde-villeneuve.example")
    m["In-Reply-To"] = "<relance-1@villeneuve.example>"
    m["Date"] = "Mon, 01 Dec 2025 10:00:00 +0100"
    m.set_content("Bonjour, voici notre classeur. Cordialement, Sam")
    for name, data in attachments:
        m.add_attachment(
            data,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=name,
        )
    return m.as_bytes()


def _put(dovecot: Dovecot, settings: Settings, *raws: bytes) -> None:
    for raw in raws:
        dovecot.append(settings.imap_user, raw)


def _where(dovecot: Dovecot, settings: Settings) -> dict[str, int]:
    return {name: len(dovecot.messages(settings.imap_user, name)) for name in FOLDERS}


def _state(settings: Settings) -> dict[str, int]:
    with store.connect(settings.db_path) as conn:
        out = f.state(conn)
        for table in ("depot", "courriel_recu"):
            out[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
    return out


def _waiting(settings: Settings) -> list[dict[str, object]]:
    with store.connect(settings.db_path) as conn:
        return queries.queue(conn, SAISIE).to_dict("records")  # type: ignore[no-any-return]


def _replies(smtp: tuple[int, Handler]) -> list[EmailMessage]:
    return [r.message for r in smtp[1].received]


def test_a_renamed_workbook_sent_as_a_reply_becomes_a_depot_acknowledged_and_filed(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    raw = _message([("notre réponse (2).xlsx", _workbook(settings))])
    _put(dovecot, settings, raw)
    report = intake.fetch_replies(settings)
    assert report.ok and (report.messages, report.depots, report.reponses) == (1, 1, 1)
    (depot,) = _waiting(settings)
    assert (depot["porteur"], depot["origine"], depot["expediteur"]) == (
        "MDE",
        "courriel",
        MDE_ADDRESS,
    )
    assert depot["fichier"] == "notre réponse (2).xlsx"
    (reply,) = _replies(smtp)
    assert reply["To"] == f"{MDE_ADDRESS}" and reply["In-Reply-To"] is not None
    text = reply.get_body().get_content()  # type: ignore[union-attr]
    assert "reçu, à valider" in text and f"dépôt n° {depot['id']}" in text
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 1, "PTLCD.a_examiner": 0}
    assert f"dépôt n° {depot['id']} à valider" in report.lines[0]
    with store.connect(settings.db_path) as conn:
        view = queries.view(conn, SAISIE, int(depot["id"]))  # type: ignore[call-overload]
    assert view.meta["expediteur_inconnu"] is False
    # A second run changes nothing, sends nothing.
    before = _state(settings)
    again = intake.fetch_replies(settings)
    assert again.ok and again.messages == 0 and _state(settings) == before
    assert len(_replies(smtp)) == 1


def test_a_message_without_attachment_is_answered_no_workbook_and_filed(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    _put(dovecot, settings, _message())
    report = intake.fetch_replies(settings)
    assert report.depots == 0 and "aucun classeur de campagne reconnu" in report.lines[0]
    (reply,) = _replies(smtp)
    assert "Aucun classeur de campagne reconnu" in reply.get_body().get_content()  # type: ignore[union-attr]
    assert _where(dovecot, settings)["PTLCD.traites"] == 1 and not _waiting(settings)


def _set_aside(dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler], raw: bytes) -> str:
    """Fetch one message that must be set aside whole: nothing made; the reason is kept and
    told to the sender. Returns the reason."""
    _put(dovecot, settings, raw)
    before = _state(settings)
    report = intake.fetch_replies(settings)
    assert report.ok and report.a_examiner == 1 and report.depots == 0
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 0, "PTLCD.a_examiner": 1}
    after = _state(settings)
    assert (
        after["depot"] == before["depot"] and after["courriel_recu"] == before["courriel_recu"] + 1
    )
    with store.connect(settings.db_path) as conn:
        (row,) = recus.received(conn).to_dict("records")
    assert row["statut"] == "a_examiner" and row["motif"]
    (reply,) = _replies(smtp)
    assert "mis de côté" in reply.get_body().get_content()  # type: ignore[union-attr]
    return str(row["motif"])


def test_thirty_attachments_set_the_message_aside_unread(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    book = _workbook(settings)
    reason = _set_aside(
        dovecot, settings, smtp, _message([(f"c{i}.xlsx", book) for i in range(30)])
    )
    assert "30 pièces jointes" in reason and "aucune n'est lue" in reason


def test_a_25_mb_attachment_sets_the_message_aside_unread(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    big = b"PK\x03\x04" + bytes(25 * 2**20)
    reason = _set_aside(dovecot, settings, smtp, _message([("MDE.xlsx", big)]))
    assert "25,0 Mo" in reason and "PTLCD_MAX_UPLOAD_MB" in reason


def test_a_damaged_workbook_sets_the_message_aside(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    damaged = _workbook(settings)[:3000]
    reason = _set_aside(dovecot, settings, smtp, _message([("MDE.xlsx", damaged)]))
    assert "endommagé" in reason


def test_a_workbook_of_a_closed_campaign_sets_the_message_aside(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    old = _workbook(settings)
    with store.connect(settings.db_path) as conn:
        first = campaigns.current(conn)
        assert first is not None
        campaigns.close_campaign(conn, ADMIN, first.id)
        campaigns.open_campaign(conn, ADMIN, "Suivi 2026", date.today() + timedelta(days=9))
    reason = _set_aside(dovecot, settings, smtp, _message([("MDE.xlsx", old)]))
    assert "close le" in reason and "n'est plus accepté" in reason


def test_a_workbook_whose_stamp_names_another_porteur_is_refused_with_its_cells(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    wb = load_workbook(io.BytesIO(_workbook(settings)))
    wb[STAMP_SHEET]["B3"] = "UNIV"
    buf = io.BytesIO()
    wb.save(buf)
    _put(dovecot, settings, _message([("MDE.xlsx", buf.getvalue())]))
    before = _state(settings)
    report = intake.fetch_replies(settings)
    assert report.refuses == 1 and report.depots == 0 and not _waiting(settings)
    assert _state(settings)["depot"] == before["depot"]
    (reply,) = _replies(smtp)
    text = reply.get_body().get_content()  # type: ignore[union-attr]
    assert "non enregistré" in text and "Avancement, ligne 2" in text and "UNIV" in text
    assert _where(dovecot, settings)["PTLCD.traites"] == 1


def test_the_same_message_twice_makes_one_depot_and_one_reply(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    raw = _message([("MDE.xlsx", _workbook(settings))], message_id="<une-fois@mde.example>")
    _put(dovecot, settings, raw, raw)
    report = intake.fetch_replies(settings)
    assert (report.messages, report.depots, report.deja_vus) == (2, 1, 1)
    assert len(_waiting(settings)) == 1 and len(_replies(smtp)) == 1
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 2, "PTLCD.a_examiner": 0}


def test_a_sender_that_is_not_the_porteurs_address_is_said_on_the_depot(
    dovecot: Dovecot, settings: Settings
) -> None:
    _put(
        dovecot,
        settings,
        _message([("MDE.xlsx", _workbook(settings))], sender="x@ailleurs.example"),
    )
    report = intake.fetch_replies(settings)
    assert "expéditeur différent de l'adresse connue" in report.lines[0]
    (depot,) = _waiting(settings)
    with store.connect(settings.db_path) as conn:
        view = queries.view(conn, SAISIE, int(depot["id"]))  # type: ignore[call-overload]
    assert view.meta["expediteur"] == "x@ailleurs.example" and view.meta["expediteur_inconnu"]


def test_a_server_killed_mid_fetch_is_picked_up_where_it_stopped(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _message([("MDE.xlsx", _workbook(settings))])
    second = _message(
        [("UNIV.xlsx", _workbook(settings, "UNIV"))], sender="univ@villeneuve.example"
    )
    _put(dovecot, settings, first, second)
    moves = 0
    real_move = imap.Mailbox.move

    def move_then_die(self: imap.Mailbox, uid: int, folder: str) -> None:
        nonlocal moves
        moves += 1
        if moves == 2:  # the second message is recorded and answered, not yet filed
            dovecot.kill()
        real_move(self, uid, folder)

    monkeypatch.setattr(imap.Mailbox, "move", move_then_die)
    try:
        cut = intake.fetch_replies(settings)
    finally:
        dovecot.start()
    assert not cut.ok and "Relevé interrompu" in cut.lines[-1] and "Le serveur" in cut.lines[-1]
    assert cut.depots == 2 and len(_replies(smtp)) == 2
    monkeypatch.setattr(imap.Mailbox, "move", real_move)
    before = _state(settings)
    resumed = intake.fetch_replies(settings)
    assert resumed.ok and (resumed.messages, resumed.deja_vus, resumed.depots) == (1, 1, 0)
    assert _state(settings) == before and len(_replies(smtp)) == 2
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 2, "PTLCD.a_examiner": 0}


def test_a_run_cut_between_the_depot_and_its_record_adopts_the_depot(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler], monkeypatch: pytest.MonkeyPatch
) -> None:
    _put(dovecot, settings, _message([("MDE.xlsx", _workbook(settings))]))
    real_finish = recus.finish

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(recus, "finish", killed)
    with pytest.raises(KeyboardInterrupt):
        intake.fetch_replies(settings)
    assert len(_waiting(settings)) == 1 and not _replies(smtp)
    monkeypatch.setattr(recus, "finish", real_finish)
    report = intake.fetch_replies(settings)
    assert report.ok and report.depots == 1 and len(_waiting(settings)) == 1  # adopted, not twice
    assert len(_replies(smtp)) == 1
    assert _where(dovecot, settings)["PTLCD.traites"] == 1


def test_a_reply_that_could_not_leave_is_sent_by_the_next_run(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    _put(dovecot, settings, _message())
    down = Settings(**{**settings.__dict__, "smtp_port": 1})
    report = intake.fetch_replies(down)
    assert not report.ok and "Réponse : en attente" in report.lines[0]
    assert _where(dovecot, settings)["PTLCD.traites"] == 1 and not _replies(smtp)
    again = intake.fetch_replies(settings)
    assert again.ok and again.reponses == 1 and "Réponse restée en attente" in again.lines[0]
    assert len(_replies(smtp)) == 1


def test_an_unreachable_server_gives_a_french_error_and_changes_nothing(
    settings: Settings,
) -> None:
    closed = Settings(**{**settings.__dict__, "imap_port": 1})
    before = _state(settings)
    with pytest.raises(ImapError, match="refuse la connexion .* PTLCD_IMAP_HOST"):
        intake.fetch_replies(closed)
    wrong = Settings(**{**settings.__dict__, "imap_password": "faux"})
    with pytest.raises(ImapError, match="refuse l'identifiant"):
        intake.fetch_replies(wrong)
    assert _state(settings) == before


def test_without_a_mailbox_nothing_is_read() -> None:
    report = intake.fetch_replies(Settings(db_path=Path("/nonexistent/ptlcd.duckdb")))
    assert report.ok and report.lines == [intake.NOT_SET]


def test_the_command_line_prints_the_report_and_fails_in_french_when_unreachable(
    dovecot: Dovecot, settings: Settings
) -> None:
    _put(dovecot, settings, _message([("MDE.xlsx", _workbook(settings))]))
    env = {
        "PTLCD_DB": str(settings.db_path),
        "PTLCD_IMAP_HOST": HOST,
        "PTLCD_IMAP_PORT": str(settings.imap_port),
        "PTLCD_IMAP_USER": settings.imap_user,
        "PTLCD_IMAP_PASSWORD": PASSWORD,
        "PTLCD_IMAP_TLS": "none",
        "PTLCD_SMTP_HOST": "",
    }
    import os

    done = run_cli("campaign", "fetch-replies", env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert "1 message relevé : 1 dépôt à valider" in done.stdout, done.stdout[:600]
    refused = run_cli(
        "campaign", "fetch-replies", env={**os.environ, **env, "PTLCD_IMAP_PORT": "1"}
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "refuse la connexion" in refused.stdout + refused.stderr


def _env(settings: Settings) -> dict[str, str]:
    """`settings` as the environment of a command run by a scheduler."""
    import os

    return {
        **os.environ,
        "PTLCD_DB": str(settings.db_path),
        "PTLCD_IMAP_HOST": HOST,
        "PTLCD_IMAP_PORT": str(settings.imap_port),
        "PTLCD_IMAP_USER": settings.imap_user,
        "PTLCD_IMAP_PASSWORD": PASSWORD,
        "PTLCD_IMAP_TLS": "none",
        "PTLCD_SMTP_HOST": HOST,
        "PTLCD_SMTP_PORT": str(settings.smtp_port),
        "PTLCD_SMTP_TLS": "none",
        "PTLCD_SMTP_FROM": TEAM,
    }


def test_the_notify_run_journey_a_reply_in_the_mailbox_becomes_a_waiting_depot_once(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    """The issue's journey: a campaign is open; a filled workbook is sent into the mailbox as
    a reply, renamed; `notify run`; the dépôt waits, the acknowledgement reached the sender,
    the message is in traites; a second `notify run` changes nothing."""
    _put(
        dovecot,
        settings,
        _message([("Classeur rempli - version finale.xlsx", _workbook(settings))]),
    )
    done = run_cli("notify", "run", env=_env(settings))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dépôt n° 1 à valider" in done.stdout and "PTLCD.traites" in done.stdout, done.stdout
    (depot,) = _waiting(settings)
    assert (depot["porteur"], depot["origine"]) == ("MDE", "courriel")
    acks = [r for r in _replies(smtp) if r["To"] == MDE_ADDRESS and r["In-Reply-To"]]
    assert len(acks) == 1 and "reçu, à valider" in acks[0].get_body().get_content()  # type: ignore[union-attr]
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 1, "PTLCD.a_examiner": 0}
    before, sent = _state(settings), len(_replies(smtp))
    again = run_cli("notify", "run", env=_env(settings))
    assert again.returncode == 0, again.stdout + again.stderr
    assert _state(settings) == before and len(_replies(smtp)) == sent
    assert _where(dovecot, settings) == {"INBOX": 0, "PTLCD.traites": 1, "PTLCD.a_examiner": 0}


def test_the_applications_own_notices_to_the_team_are_left_for_people_to_read(
    dovecot: Dovecot, settings: Settings, smtp: tuple[int, Handler]
) -> None:
    """A porteur's message e-mailed to the team's mailbox (PTLCD_SMTP_FROM) is not a reply:
    it stays in INBOX, unread by the intake, never answered nor filed."""
    notice = EmailMessage()
    notice["From"] = TEAM
    notice["To"] = TEAM
    notice["Subject"] = "PTLCD – nouveau message sur l'action n° 3"
    notice["Message-ID"] = make_msgid(domain="villeneuve.example")
    notice.set_content("La Maison de l'emploi a écrit : « Les chiffres arrivent lundi. »")
    _put(dovecot, settings, notice.as_bytes(), _message([("MDE.xlsx", _workbook(settings))]))
    report = intake.fetch_replies(settings)
    assert report.ok and (report.messages, report.depots) == (1, 1)
    assert _where(dovecot, settings) == {"INBOX": 1, "PTLCD.traites": 1, "PTLCD.a_examiner": 0}
    assert len(_replies(smtp)) == 1
    again = intake.fetch_replies(settings)
    assert again.messages == 0 and _where(dovecot, settings)["INBOX"] == 1
