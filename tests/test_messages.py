"""The conversation of an action (issue 23): who may write and read it, what is stored and
journaled, and the e-mail that tells the other side (through aiosmtpd, or an .eml file)."""

from __future__ import annotations

import json
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts, journal
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.campagnes.mail import Envoi
from ptlcd_data.campagnes.notices import Notice
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.messages import conversation, notifications
from ptlcd_data.plan import porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store.sql import scalar
from tests.helpers import ROOT, run_cli
from tests.helpers.browser import free_port
from tests.helpers.smtp import HOST, smtp_server

SAISIE = User("sec", "Secrétariat", "saisie")
LECTURE = User("lec", "Lecteur", "lecture")
MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))  # carries action 19
VILLE = User("ville", "Ville de Nantes", "porteur", porteurs=("VILLE_NANTES",))  # action 3
PAYLOADS = (
    "<script>window.__xss=1</script>",
    "**gras** et _italique_",
    "[lien](javascript:alert(1))",
)
TEAM = "PTLCD Nantes <ptlcd@nantes.example>"


def _count(conn: store.Connection) -> int:
    return int(scalar(conn, "SELECT count(*) FROM message"))


def _settings(db: Path, port: int | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = dict(db_path=db, smtp_from=TEAM)
    if port is not None:
        values.update(smtp_host=HOST, smtp_port=port, smtp_tls="none")
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_porteur_writes_on_its_action_as_the_porteur_and_it_is_journaled(
    conn: store.Connection,
) -> None:
    message_id = conversation.add_message(conn, MDE, 19, "  Où en est la convention ?\n ")
    table = conversation.conversation(conn, SAISIE, 19)
    assert table.to_dict("records") == [
        {
            "id": message_id,
            "envoye_le": table["envoye_le"].iloc[0],
            "auteur": "mde",
            "auteur_nom": "mde",  # no local account: the login
            "cote": "porteur",
            "porteur_code": "MDE",
            "texte": "Où en est la convention ?",
            "depot_id": None,
        }
    ]
    entry = journal.entries(conn, operation="message").iloc[0]
    assert (entry["auteur"], entry["role"], entry["objet"]) == ("mde", "porteur", "action 19")
    assert json.loads(entry["nouveau"]) == {
        "message": message_id,
        "cote": "porteur",
        "porteur": "MDE",
        "texte": "Où en est la convention ?",
        "depot": None,
    }


def test_staff_write_on_any_action_as_the_team(conn: store.Connection) -> None:
    conversation.add_message(conn, SAISIE, 18, "Merci de compléter le bilan.")
    conversation.add_message(conn, SYSTEM, 2, "Action sans porteur : qui la suit ?")
    assert conversation.conversation(conn, SAISIE, 18)[
        ["cote", "porteur_code"]
    ].values.tolist() == [["equipe", "NM_DEIS"]]
    assert conversation.conversation(conn, SAISIE, 2)["porteur_code"].tolist() == [None]
    with pytest.raises(InputError, match="L'action n° 999 n'est pas dans le plan"):
        conversation.add_message(conn, SAISIE, 999, "Bonjour")


def test_a_porteur_can_neither_write_nor_read_another_porteurs_action(
    conn: store.Connection,
) -> None:
    conversation.add_message(conn, VILLE, 3, "Message de la Ville")
    with pytest.raises(PermissionDenied) as refused:
        conversation.add_message(conn, MDE, 3, "Je lis chez les autres")
    assert refused.value.message == (
        "L'action n° 3 n'est pas portée par ce compte (MDE) : il n'échange des messages que "
        "sur ses propres actions (n° 19)."
    )
    with pytest.raises(PermissionDenied, match="L'action n° 3 n'est pas portée"):
        conversation.conversation(conn, MDE, 3)
    assert not conversation.may_converse(conn, MDE, 3)
    assert conversation.may_converse(conn, VILLE, 3) and conversation.may_converse(conn, SAISIE, 3)
    assert _count(conn) == 1


@pytest.mark.parametrize("user", [LECTURE, None], ids=["lecture", "anonyme"])
def test_a_reader_or_nobody_is_refused_in_french(conn: store.Connection, user: User | None) -> None:
    with pytest.raises(PermissionDenied, match="cette action demande le rôle « porteur »"):
        conversation.add_message(conn, user, 19, "Bonjour")
    with pytest.raises(PermissionDenied, match="le rôle « porteur »"):
        conversation.conversation(conn, user, 19)
    assert not conversation.may_converse(conn, user, 19)
    assert _count(conn) == 0


@pytest.mark.parametrize(
    ("texte", "expected"),
    [
        ("", "Message vide"),
        ("   \n\t ", "Message vide"),
        ("x" * 2001, "Message trop long (2001 caractères) : 2000 au plus"),
    ],
    ids=["vide", "blanc", "trop long"],
)
def test_an_empty_or_too_long_text_is_refused_and_nothing_written(
    conn: store.Connection, texte: str, expected: str
) -> None:
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        conversation.add_message(conn, MDE, 19, texte)
    assert _count(conn) == 0
    assert journal.entries(conn, operation="message").empty


def test_texts_are_stored_literally_and_listed_oldest_first(conn: store.Connection) -> None:
    for day, payload in zip((3, 1, 2), PAYLOADS, strict=True):
        conversation.add_message(conn, MDE, 19, payload, now=datetime(2026, 5, day, 9))
    conversation.add_message(conn, SAISIE, 19, "x" * 2000, now=datetime(2026, 5, 4, 9))
    table = conversation.conversation(conn, MDE, 19)
    assert table["texte"].tolist() == [PAYLOADS[1], PAYLOADS[2], PAYLOADS[0], "x" * 2000]
    assert table["cote"].tolist() == ["porteur", "porteur", "porteur", "equipe"]


def test_a_message_from_inside_a_depot_is_the_depots_porteurs(conn: store.Connection) -> None:
    depot = int(
        scalar(
            conn,
            "INSERT INTO depot (porteur_code, etat, origine, depose_par, cree_le) "
            "VALUES ('MDE', 'a_valider', 'formulaire', 'mde', current_localtimestamp()) "
            "RETURNING id",
        )
    )
    conversation.add_message(conn, MDE, 19, "Voici mon dépôt", depot_id=depot)
    conversation.add_message(conn, SAISIE, 19, "Reçu", depot_id=depot)
    assert conversation.conversation(conn, MDE, 19)["depot_id"].tolist() == [depot, depot]
    with pytest.raises(InputError, match=f"Le dépôt n° {depot + 1} n'existe pas"):
        conversation.add_message(conn, SAISIE, 19, "Ailleurs", depot_id=depot + 1)
    both = User("ville", "Ville", "porteur", porteurs=("VILLE_NANTES", "MDE_AUTRE"))
    with pytest.raises(PermissionDenied):
        conversation.add_message(conn, both, 3, "Pas mon dépôt", depot_id=depot)


def test_messages_are_never_deleted_nor_changed(conn: store.Connection) -> None:
    accounts.add_user(conn, SYSTEM, "mde", "Maison de l'emploi", "porteur", "Mot-de-passe-1234!",
                      porteurs=("MDE",))  # fmt: skip
    conversation.add_message(conn, MDE, 19, "Bonjour")
    assert conversation.conversation(conn, SAISIE, 19)["auteur_nom"].tolist() == [
        "Maison de l'emploi"
    ]
    accounts.remove_user(conn, SYSTEM, "mde")  # the author leaves: the message stays
    assert conversation.conversation(conn, SAISIE, 19)["auteur_nom"].tolist() == ["mde"]
    # No code of the data layer deletes or rewrites a message.
    for source in (ROOT / "ptlcd_data").rglob("*.py"):
        text = source.read_text(encoding="utf-8").lower()
        for verb in ("delete from message", "update message", "drop table message"):
            assert verb not in text, f"{source}: {verb}"


# --- E-mail to the other side --------------------------------------------------------------------


def test_a_porteurs_message_is_mailed_to_the_team_with_the_text_and_link(db_path: Path) -> None:
    with store.connect(db_path) as conn:
        message_id = conversation.add_message(conn, MDE, 19, PAYLOADS[0] + "\nDeuxième ligne")
    settings = _settings(db_path, app_url="https://ptlcd.nantes.example/")
    with smtp_server() as (port, handler):
        envois = notifications.notify(
            _settings(db_path, port, app_url=settings.app_url), message_id
        )
    assert [(e.porteur_code, e.statut) for e in envois] == [("equipe", "envoye")]
    [received] = handler.received
    assert received.rcpt_tos == ["ptlcd@nantes.example"]
    message = received.message
    assert message["Subject"].startswith("PTLCD – action n° 19 : nouveau message de ")
    text = message.get_content().replace("\r\n", "\n")
    assert f"> {PAYLOADS[0]}\n> Deuxième ligne\n" in text
    assert "https://ptlcd.nantes.example/fiche_action?action=19" in text
    assert message.get_content_type() == "text/plain"
    with store.connect(db_path) as conn:
        recorded = notifications.sent_to(conn, message_id)
    assert recorded[["destinataire", "adresse", "statut"]].values.tolist() == [
        ["equipe", "ptlcd@nantes.example", "envoye"]
    ]


def test_a_team_message_goes_to_every_porteur_carrying_the_action(db_path: Path) -> None:
    with store.connect(db_path) as conn:
        porteurs.set_contact(conn, SYSTEM, "NM_DEIS", email="deis@nantes.example")
        message_id = conversation.add_message(conn, SAISIE, 18, "Merci pour le bilan.")
    with smtp_server() as (port, handler):
        envois = notifications.notify(_settings(db_path, port), message_id)
    assert [(e.porteur_code, e.statut) for e in envois] == [
        ("NM_DEIS", "envoye"),
        ("NM_EGALITE", "sans_adresse"),
    ]
    assert "porteurs set NM_EGALITE --email ADRESSE" in envois[1].detail
    assert [r.rcpt_tos for r in handler.received] == [["deis@nantes.example"]]
    text = handler.received[0].message.get_content()
    assert "l'équipe du PTLCD" in text and "> Merci pour le bilan." in text
    assert "page « Fiche action », action n° 18" in text  # no PTLCD_APP_URL: where to go
    with store.connect(db_path) as conn:
        assert notifications.sent_to(conn, message_id)["statut"].tolist() == [
            "envoye",
            "sans_adresse",
        ]


def test_without_server_the_notice_is_an_eml_beside_the_base(db_path: Path) -> None:
    with store.connect(db_path) as conn:
        porteurs.set_contact(conn, SYSTEM, "MDE", email="mde@nantes.example")
        message_id = conversation.add_message(conn, SAISIE, 19, "**Relance**")
        envois = notifications.notify_message(conn, _settings(db_path), message_id)
    assert [e.statut for e in envois] == ["fichier_eml"]
    [file] = (db_path.parent / "courriels").iterdir()
    assert str(file) in envois[0].detail
    saved = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert saved["To"] == "mde@nantes.example"
    assert "> **Relance**" in saved.get_content()
    staff = notifications.summary(envois, staff=True)
    porteur = notifications.summary(envois, staff=False)
    assert str(file) in staff and str(file) not in porteur
    assert porteur.startswith("Courriel : Aucun serveur d'envoi réglé")


def test_without_a_team_address_the_porteurs_message_is_kept_and_says_so(db_path: Path) -> None:
    with store.connect(db_path) as conn:
        message_id = conversation.add_message(conn, MDE, 19, "Bonjour")
    with smtp_server() as (port, handler):
        envois = notifications.notify(_settings(db_path, None, smtp_from=""), message_id)
    assert [e.statut for e in envois] == ["sans_adresse"]
    assert "PTLCD_SMTP_FROM" in envois[0].detail
    assert not handler.received
    with store.connect(db_path) as conn:
        assert notifications.sent_to(conn, message_id)["statut"].tolist() == ["sans_adresse"]
        assert _count(conn) == 1


def test_an_action_nobody_carries_has_nobody_to_tell(db_path: Path) -> None:
    with store.connect(db_path) as conn:
        message_id = conversation.add_message(conn, SAISIE, 2, "Qui suit cette action ?")
    envois = notifications.notify(_settings(db_path), message_id)
    assert [(e.statut, e.detail) for e in envois] == [
        ("sans_adresse", "L'action n° 2 n'est portée par aucun porteur : aucun courriel envoyé.")
    ]


def test_the_base_is_free_while_the_server_talks(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process lists the conversation while the e-mail is being sent."""
    with store.connect(db_path) as conn:
        message_id = conversation.add_message(conn, MDE, 19, "Bonjour")
    seen = []

    def deliver(notices: list[Notice], settings: Settings, outbox: Path) -> list[Envoi]:
        done = run_cli("--db", str(db_path), "messages", "list", "--action", "19", timeout=120)
        seen.append((done.returncode, done.stdout))
        return [Envoi(n.code, n.to, "envoye", "Envoyé.") for n in notices]

    monkeypatch.setattr(notifications.notices, "deliver", deliver)
    assert [e.statut for e in notifications.notify(_settings(db_path), message_id)] == ["envoye"]
    assert seen == [(0, seen[0][1])] and "Bonjour" in seen[0][1]


def test_a_server_that_cannot_be_reached_is_an_echec_recorded_and_the_message_kept(
    db_path: Path,
) -> None:
    with store.connect(db_path) as conn:
        message_id = conversation.add_message(conn, MDE, 19, "Bonjour")
    port = free_port()  # nothing listens there
    envois = notifications.notify(_settings(db_path, port), message_id)
    assert [e.statut for e in envois] == ["echec"]
    assert envois[0].detail.startswith(f"Non envoyé : Le serveur d'envoi {HOST}:{port} refuse")
    assert envois[0].detail.endswith("Le message reste enregistré sur la Fiche action.")
    with store.connect(db_path) as conn:
        assert notifications.sent_to(conn, message_id)["statut"].tolist() == ["echec"]
        assert _count(conn) == 1
