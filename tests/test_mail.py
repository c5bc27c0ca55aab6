"""Reminder e-mails (campagnes/mail.py) against a real SMTP server on a loopback port (aiosmtpd)."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace
from datetime import date
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from ptlcd_data.campagnes import mail
from ptlcd_data.campagnes.mail import Relance
from ptlcd_data.errors import InputError, SmtpError
from ptlcd_data.settings import Settings
from tests.helpers.browser import free_port
from tests.helpers.smtp import (
    HOST,
    Handler,
    drip_server,
    make_certificates,
    scripted_server,
    smtp_server,
)

WORKBOOK = b"PK\x03\x04 not really a workbook \x00\xff" * 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SENDER = "PTLCD Nantes <ptlcd@nantes.example>"
PASSWORD = "s3cret-Mot-de-passe"
DEADLINE_S = 2  # a deadline in the tests: a dragging server costs seconds, not minutes
MARGIN_S = 1.5  # what a deadline may run over: the watchdog's thread, a loaded machine


def relance(code: str = "NM-EGALITE", email: str | None = "egalite@nantes.example") -> Relance:
    return Relance(
        porteur_code=code,
        porteur_libelle="Mission égalité de Nantes Métropole",
        email=email,
        campagne_nom="Bilan 2026",
        echeance=date(2027, 3, 31),
        actions=[(12, "Former les agents d'accueil"), (33, "Outil de suivi récurrent")],
        indicateurs=[("IND-07", "Nombre de signalements reçus")],
        piece_jointe=(f"{code}.xlsx", WORKBOOK),
        comment_repondre="Déposez le classeur dans la page « Import de données ».",
    )


def settings(port: int, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        smtp_host=HOST, smtp_port=port, smtp_from=SENDER, smtp_tls="none"
    )
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_reminder_arrives_with_its_recipient_french_text_and_workbook():
    with smtp_server() as (port, handler):
        envois = mail.send_all([relance()], settings(port))
    assert [(e.statut, e.destinataire) for e in envois] == [("envoye", "egalite@nantes.example")]
    [received] = handler.received
    assert received.rcpt_tos == ["egalite@nantes.example"]
    assert received.mail_from == "ptlcd@nantes.example"
    message = received.message
    assert message["From"] == SENDER
    assert message["To"].addresses[0].addr_spec == "egalite@nantes.example"
    assert message["Message-ID"].strip() == envois[0].message_id  # folded: long header
    assert parsedate_to_datetime(message["Date"]).year >= 2026
    assert "Bilan 2026" in message["Subject"] and "31/03/2027" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Échéance : 31/03/2027." in text
    assert "action n° 12 : Former les agents d'accueil" in text
    assert "action n° 33 : Outil de suivi récurrent" in text
    assert "IND-07 : Nombre de signalements reçus" in text
    assert "Déposez le classeur dans la page « Import de données »." in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "NM-EGALITE.xlsx"
    assert attachment.get_content_type() == XLSX
    assert attachment.get_content() == WORKBOOK


def test_one_connection_for_the_batch_and_porteurs_without_address_listed():
    batch = [relance("A"), relance("SANS", email=""), relance("B"), relance("NUL", email=None)]
    with smtp_server() as (port, handler):
        envois = mail.send_all(batch, settings(port))
    assert [(e.porteur_code, e.statut) for e in envois] == [
        ("A", "envoye"),
        ("SANS", "sans_adresse"),
        ("B", "envoye"),
        ("NUL", "sans_adresse"),
    ]
    assert "porteurs set SANS --email" in envois[1].detail
    assert len(handler.received) == 2
    assert len({r.session for r in handler.received}) == 1


def test_a_batch_of_porteurs_without_address_does_not_connect():
    port = free_port()  # nothing listens there: connecting would fail
    envois = mail.send_all([relance(email=None)], settings(port))
    assert [e.statut for e in envois] == ["sans_adresse"]


def test_a_refused_recipient_fails_alone_and_the_batch_goes_on():
    batch = [relance("A", "inconnu@nantes.example"), relance("B", "b@nantes.example")]
    with smtp_server(Handler(refuse={"inconnu@nantes.example"})) as (port, handler):
        envois = mail.send_all(batch, settings(port))
    assert [e.statut for e in envois] == ["echec", "envoye"]
    assert envois[0].detail.startswith(f"Adresse refusée par le serveur {HOST}:{port}")
    assert "550" in envois[0].detail
    assert [r.rcpt_tos for r in handler.received] == [["b@nantes.example"]]


@pytest.mark.parametrize("failure", ["421", "hang-up", "silence"])
def test_a_server_closing_mid_batch_leaves_an_honest_account(failure):
    batch = [relance("A", "a@x.example"), relance("B", "b@x.example"), relance("C", "c@x.example")]
    with smtp_server(Handler(fail_after=1, failure=failure)) as (port, handler):
        envois = mail.send_all(batch, settings(port), timeout=1)
    assert [e.statut for e in envois] == ["envoye", "echec", "echec"]
    assert len(handler.received) == 1
    if failure == "421":
        assert "421" in envois[1].detail
    elif failure == "hang-up":
        assert "a fermé la connexion pendant l'envoi" in envois[1].detail
    else:
        assert "ne répond plus" in envois[1].detail
    assert "connexion avec le serveur" in envois[2].detail and "b@x.example" in envois[2].detail


@pytest.mark.parametrize(
    "limit, setting",
    [
        ("smtp_message_seconds", "PTLCD_SMTP_MESSAGE_SECONDS"),
        ("smtp_run_seconds", "PTLCD_SMTP_RUN_SECONDS"),
    ],
)
def test_a_stalling_server_is_cut_at_the_deadline_and_the_rest_left_for_the_next_run(
    limit, setting
):
    """The server takes the first message, then answers each command only after 30 s: the
    deadline (2 s) ends the conversation long before the 15 s read timeout would."""
    batch = [relance("A", "a@x.example"), relance("B", "b@x.example"), relance("C", "c@x.example")]
    with smtp_server(Handler(fail_after=1, failure="stall", stall_s=30)) as (port, handler):
        start = time.monotonic()
        envois = mail.send_all(batch, settings(port, **{limit: DEADLINE_S}))
        elapsed = time.monotonic() - start
    assert elapsed < DEADLINE_S + MARGIN_S
    assert [e.statut for e in envois] == ["envoye", "echec", "echec"]
    assert len(handler.received) == 1
    assert envois[1].detail.startswith(f"Délai dépassé : le serveur {HOST}:{port} n'a pas confirmé")
    assert f"({DEADLINE_S} s, réglage {setting})" in envois[1].detail
    assert envois[2].detail.startswith("Délai dépassé : non tenté")
    assert "b@x.example" in envois[2].detail


def test_a_server_dripping_its_greeting_is_cut_at_the_deadline():
    """One byte every 0,2 s never trips a read timeout; the deadline ends the session."""
    with drip_server(interval=0.2) as drip:
        start = time.monotonic()
        envois = mail.send_all(
            [relance("A", "a@x.example"), relance("B", "b@x.example")],
            settings(drip.port, smtp_message_seconds=DEADLINE_S),
        )
        elapsed = time.monotonic() - start
    assert elapsed < DEADLINE_S + MARGIN_S
    assert [e.statut for e in envois] == ["echec", "echec"]
    assert all(
        e.detail.startswith(f"Délai dépassé : le serveur {HOST}:{drip.port} n'a pas ouvert")
        for e in envois
    )


def test_no_server_listening_is_a_clear_french_error():
    port = free_port()
    with pytest.raises(SmtpError) as error:
        mail.send_all([relance()], settings(port))
    assert error.value.message == (
        f"Le serveur d'envoi {HOST}:{port} refuse la connexion : aucun service n'écoute à cette "
        "adresse. Vérifiez PTLCD_SMTP_HOST et PTLCD_SMTP_PORT."
    )


@pytest.mark.parametrize(
    "greeting, expected",
    [
        (
            b"421 4.3.2 Service indisponible\r\n",
            "a refusé la session à l'ouverture (réponse : 421 4.3.2 Service indisponible)",
        ),
        (b"220 bonjour\r\n", "a fermé la connexion à l'ouverture, sans rien accepter."),
        (None, "ne répond pas (aucune réponse en 0,5 s)"),
    ],
    ids=["greeting-421", "hang-up-after-greeting", "silent"],
)
def test_a_server_failing_before_any_message_is_a_clear_french_error(greeting, expected):
    with scripted_server(greeting) as port:
        with pytest.raises(SmtpError) as error:
            mail.send_all([relance()], settings(port), timeout=0.5)
    assert error.value.message.startswith(f"Le serveur d'envoi {HOST}:{port} {expected}")


def test_a_wrong_password_is_a_french_error_that_does_not_show_it():
    with smtp_server(login=("ptlcd", PASSWORD)) as (port, handler):
        with pytest.raises(SmtpError) as error:
            mail.send_all([relance()], settings(port, smtp_user="ptlcd", smtp_password="faux"))
        good = mail.send_all([relance()], settings(port, smtp_user="ptlcd", smtp_password=PASSWORD))
    message = error.value.message
    assert message.startswith(f"Le serveur d'envoi {HOST}:{port} refuse l'identifiant « ptlcd »")
    assert "535" in message and "faux" not in message and PASSWORD not in message
    assert [e.statut for e in good] == ["envoye"]
    assert len(handler.received) == 1


def test_a_login_on_a_server_without_auth_is_a_french_error():
    with smtp_server() as (port, _handler):
        with pytest.raises(SmtpError, match="ne propose pas l'authentification"):
            mail.send_all([relance()], settings(port, smtp_user="ptlcd", smtp_password="x"))


def test_the_password_is_never_in_the_settings_repr():
    assert PASSWORD not in repr(Settings(smtp_password=PASSWORD))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_modes_send_through_an_encrypted_session(tls, certificates, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    with smtp_server(tls=tls, certificates=certificates) as (port, handler):
        envois = mail.send_all([relance()], settings(port, smtp_tls=tls))
    assert [e.statut for e in envois] == ["envoye"]
    assert [r.tls for r in handler.received] == [True]
    assert handler.received[0].message.get_payload()[1].get_content() == WORKBOOK


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused(tls, certificates, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with smtp_server(tls=tls, certificates=certificates) as (port, handler):
        with pytest.raises(SmtpError, match="présente un certificat refusé") as error:
            mail.send_all([relance()], settings(port, smtp_tls=tls))
    assert "SSL_CERT_FILE" in error.value.message
    assert handler.received == []


def test_ssl_mode_against_a_plain_server_says_to_check_the_tls_setting():
    with smtp_server() as (port, _handler):
        with pytest.raises(SmtpError, match="La connexion chiffrée avec le serveur") as error:
            mail.send_all([relance()], settings(port, smtp_tls="ssl"))
    assert "Vérifiez PTLCD_SMTP_TLS" in error.value.message


def test_starttls_against_a_server_without_it_is_a_french_error():
    with smtp_server() as (port, _handler):
        with pytest.raises(SmtpError, match="ne propose pas STARTTLS"):
            mail.send_all([relance()], settings(port, smtp_tls="starttls"))


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (
            {"smtp_tls": "tls"},
            "Réglage PTLCD_SMTP_TLS invalide : « tls » (attendu : starttls, ssl ou none).",
        ),
        ({"smtp_host": ""}, "Aucun serveur d'envoi n'est réglé (PTLCD_SMTP_HOST est vide)"),
        ({"smtp_from": ""}, "Réglage PTLCD_SMTP_FROM absent ou invalide"),
        ({"smtp_from": "ptlcd"}, "Réglage PTLCD_SMTP_FROM absent ou invalide"),
        ({"smtp_port": 0}, "Réglage PTLCD_SMTP_PORT invalide : 0"),
        ({"smtp_message_seconds": 0}, "Réglage PTLCD_SMTP_MESSAGE_SECONDS invalide : 0"),
        ({"smtp_run_seconds": -5}, "Réglage PTLCD_SMTP_RUN_SECONDS invalide : -5"),
    ],
)
def test_wrong_settings_are_french_errors_before_any_connection(overrides, expected):
    with pytest.raises(SmtpError) as error:
        mail.send_all([relance()], settings(free_port(), **overrides))
    assert error.value.message.startswith(expected)


def test_settings_are_read_from_the_environment():
    env = {
        "PTLCD_SMTP_HOST": "smtp.nantes.example",
        "PTLCD_SMTP_PORT": "465",
        "PTLCD_SMTP_FROM": "ptlcd@nantes.example",
        "PTLCD_SMTP_USER": "ptlcd",
        "PTLCD_SMTP_PASSWORD": PASSWORD,
        "PTLCD_SMTP_TLS": "SSL",
        "PTLCD_APP_URL": "https://ptlcd.nantes.example/",
    }
    read = Settings.from_env(env)
    assert (read.smtp_host, read.smtp_port, read.smtp_password) == (
        "smtp.nantes.example",
        465,
        PASSWORD,
    )
    assert mail.smtp_configured(read) and mail.tls_mode(read) == "ssl"
    assert not mail.smtp_configured(Settings.from_env({}))
    assert Settings.from_env({}).smtp_port == 587 and Settings.from_env({}).smtp_tls == "starttls"
    assert "https://ptlcd.nantes.example/import" in mail.reply_instructions(read)


@pytest.mark.parametrize("email", [None, "", "   "])
def test_compose_without_address_is_refused_in_french(email):
    with pytest.raises(InputError) as error:
        mail.compose(relance(email=email), Settings())
    assert "n'a pas d'adresse électronique" in error.value.message
    assert "NM-EGALITE" in error.value.message


@pytest.mark.parametrize(
    "email", ["egalite", "a@b.example\nBcc: espion@x.example", "a@x.example, b@x.example"]
)
def test_compose_refuses_a_malformed_address(email):
    with pytest.raises(InputError, match="n'est pas valide"):
        mail.compose(relance(email=email), Settings())


def test_without_a_sender_the_message_has_no_from_so_it_opens_as_a_draft():
    message = mail.compose(relance(), Settings())
    assert message["From"] is None and message["To"] is not None
    assert "Complétez le classeur joint" in mail.reply_instructions(Settings())


def test_write_eml_writes_one_file_per_porteur_with_an_address(tmp_path):
    batch = [relance("A"), relance("SANS", email=None), relance("../B")]
    paths = mail.write_eml(batch, Settings(smtp_from=SENDER), tmp_path / "relances")
    assert [p.name for p in paths] == ["A.eml", "_B.eml"]
    assert all(p.parent == tmp_path / "relances" for p in paths)
    data = paths[0].read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF, as .eml files are
    message = message_from_bytes(data, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "egalite@nantes.example"
    assert message["X-Unsent"] == "1"
    assert "31/03/2027" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("A.xlsx", WORKBOOK)
    envois = mail.eml_envois(batch, Settings())
    assert [e.statut for e in envois] == ["fichier_eml", "sans_adresse", "fichier_eml"]
    assert "A.eml" in envois[0].detail


def test_eml_zip_holds_the_same_messages():
    batch = [relance("A"), relance("B", email="b@x.example"), relance("C", email="")]
    archive = zipfile.ZipFile(io.BytesIO(mail.eml_zip(batch, Settings(smtp_from=SENDER))))
    assert archive.namelist() == ["A.eml", "B.eml"]
    message = message_from_bytes(archive.read("B.eml"), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "b@x.example"
    assert message["From"] == SENDER
    text = message.get_body(("plain",)).get_content()
    assert "action n° 12 : Former les agents d'accueil" in text
    assert next(message.iter_attachments()).get_content() == WORKBOOK


def test_two_relances_for_one_file_name_are_refused():
    with pytest.raises(InputError, match="même fichier"):
        mail.eml_zip([relance("A"), replace(relance("A"), email="autre@x.example")], Settings())
