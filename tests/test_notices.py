"""E-mail notices (campagnes/notices.py): sent through a real SMTP server on a loopback port
(aiosmtpd), or saved as .eml files when no server is set."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from ptlcd_data.campagnes import notices
from ptlcd_data.campagnes.notices import Notice
from ptlcd_data.errors import SmtpError
from ptlcd_data.settings import Settings
from tests.helpers.browser import free_port
from tests.helpers.smtp import HOST, Handler, smtp_server

SENDER = "PTLCD Nantes <ptlcd@nantes.example>"
TEXT = "Bonjour,\n\n> Où en est l'action ?\n> <script>alert(1)</script>\n\nL'équipe du PTLCD\n"


def settings(port: int | None, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(db_path=tmp_path / "ptlcd.duckdb", smtp_from=SENDER)
    if port is not None:
        values.update(smtp_host=HOST, smtp_port=port, smtp_tls="none")
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def notice(code: str = "MDE", to: str | None = "mde@nantes.example", **kw: str) -> Notice:
    return Notice(code, to, kw.get("subject", "PTLCD – action n° 19 : nouveau message"), TEXT)


def test_notices_arrive_through_one_session_as_plain_french_text(tmp_path: Path) -> None:
    batch = [
        notice(),
        Notice("equipe", "ptlcd@nantes.example", "Sujet", "Texte", reply_to="mde@nantes.example"),
    ]
    with smtp_server() as (port, handler):
        envois = notices.deliver(batch, settings(port, tmp_path), tmp_path / "out")
    assert [(e.porteur_code, e.statut) for e in envois] == [("MDE", "envoye"), ("equipe", "envoye")]
    assert envois[0].detail == f"Envoyé à mde@nantes.example par le serveur {HOST}:{port}."
    assert [r.rcpt_tos for r in handler.received] == [
        ["mde@nantes.example"],
        ["ptlcd@nantes.example"],
    ]
    assert len({r.session for r in handler.received}) == 1
    first, second = (r.message for r in handler.received)
    assert first["Subject"] == "PTLCD – action n° 19 : nouveau message"
    assert first["From"] == SENDER and first["Reply-To"] is None
    assert first.get_content_type() == "text/plain"
    assert first.get_content().replace("\r\n", "\n") == TEXT
    assert first["Message-ID"].strip() == envois[0].message_id
    assert second["Reply-To"] == "mde@nantes.example"
    assert not (tmp_path / "out").exists()  # nothing saved when the server takes them


def test_without_address_nothing_is_tried_and_a_bad_address_is_an_echec(tmp_path: Path) -> None:
    batch = [notice("A", None), notice("B", "  "), notice("C", "pas une adresse"), notice("D")]
    with smtp_server() as (port, handler):
        envois = notices.deliver(batch, settings(port, tmp_path), tmp_path / "out")
    assert [e.statut for e in envois] == ["sans_adresse", "sans_adresse", "echec", "envoye"]
    assert envois[0].detail.startswith("Aucune adresse électronique connue pour A")
    assert "« pas une adresse »" in envois[2].detail
    assert [r.rcpt_tos for r in handler.received] == [["mde@nantes.example"]]


def test_notices_without_address_do_not_connect(tmp_path: Path) -> None:
    envois = notices.deliver([notice(to=None)], settings(free_port(), tmp_path), tmp_path)
    assert [e.statut for e in envois] == ["sans_adresse"]


def test_a_server_that_cannot_be_reached_raises_in_french_before_sending(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(SmtpError) as raised:
        notices.deliver([notice()], settings(port, tmp_path), tmp_path)
    assert f"{HOST}:{port}" in raised.value.message
    assert "refuse la connexion" in raised.value.message


def test_a_server_closing_mid_batch_says_the_message_stays_in_the_app(tmp_path: Path) -> None:
    batch = [notice("A", "a@x.example"), notice("B", "b@x.example"), notice("C", "c@x.example")]
    with smtp_server(Handler(fail_after=1)) as (port, _):
        envois = notices.deliver(batch, settings(port, tmp_path), tmp_path)
    assert [e.statut for e in envois] == ["envoye", "echec", "echec"]
    assert "421" in envois[1].detail
    assert envois[2].detail.endswith("le message reste enregistré dans l'application.")


def test_without_server_each_notice_is_a_new_eml_file_in_the_outbox(tmp_path: Path) -> None:
    config = settings(None, tmp_path)
    outbox = notices.outbox_dir(config)
    assert outbox == tmp_path / "courriels"
    batch = [notice("../../etc/passwd"), notice("../../etc/passwd"), notice("SANS", None)]
    envois = notices.deliver(batch, config, outbox)
    assert [e.statut for e in envois] == ["fichier_eml", "fichier_eml", "sans_adresse"]
    files = sorted(outbox.iterdir())
    assert len(files) == 2 and all(f.parent == outbox and f.suffix == ".eml" for f in files)
    assert all("/" not in f.name and not f.name.startswith(".") for f in files)
    for envoi in envois[:2]:
        assert envoi.detail.startswith(
            "Aucun serveur d'envoi réglé : message enregistré dans " + str(outbox)
        )
    saved = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert saved["To"] == "mde@nantes.example" and saved["X-Unsent"] == "1"
    assert saved.get_content().replace("\r\n", "\n") == TEXT
    assert not list(tmp_path.glob("*.eml"))  # nothing escaped the outbox


def test_a_subject_cannot_inject_headers(tmp_path: Path) -> None:
    evil = notice(subject="Bonjour\r\nBcc: victime@example.org")
    notices.deliver([evil], settings(None, tmp_path), tmp_path / "out")
    [file] = (tmp_path / "out").iterdir()
    saved = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert saved["Bcc"] is None
    assert saved["Subject"] == "Bonjour Bcc: victime@example.org"
