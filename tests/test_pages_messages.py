"""« Échanges avec le porteur » on the Fiche action (issue 23, item 5), with AppTest: shown to staff
and to the porteur carrying the action only, every message shown literally, the e-mail to the
other side (aiosmtpd, or an .eml file beside the base)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.messages import conversation, notifications
from ptlcd_data.plan import porteurs
from tests.helpers.apptest import add_account, assert_clean, open_page, texts
from tests.helpers.smtp import HOST, smtp_server

PAGE = "app_pages/fiche_action.py"
SECTION = "Échanges avec le porteur"
PAYLOAD = (
    "<script>window.__xss=1</script> <img src=x onerror=alert(1)> **gras** "
    "[lien](javascript:window.__xss=3)"
)
# What must never reach Markdown or HTML unescaped ("\\<img", "\\*\\*" are inert).
DANGEROUS = re.compile(r"(?<!\\)<(img|script)|(?<!\\)\]\(javascript|(?<!\\)\*\*gras", re.I)


@pytest.fixture
def people(app_env: Path) -> Path:
    add_account(app_env, "sec", "saisie", nom="Secrétariat")
    add_account(app_env, "lec", "lecture")
    add_account(app_env, "mde", "porteur", nom="Maison de l'emploi", porteurs=("MDE",))
    return app_env


def _fiche(login: str, action_no: int) -> AppTest:
    at = open_page(PAGE, login=login)
    at.selectbox(key="action_no").select(action_no).run()
    assert_clean(at)
    return at


def _has_section(at: AppTest) -> bool:
    return SECTION in [s.value for s in at.subheader]


def _markdown_bearing(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "success", "warning", "error", "info", "subheader")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)] + [
        str(e.label) for e in at.text_area
    ]


def _unescaped(markdown: str) -> str:
    """What Markdown shows of text escaped by `widgets.escape_md`."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _write(at: AppTest, texte: str) -> AppTest:
    at.text_area(key="fiche_msg_texte_0").input(texte)
    at.button(key="fiche_msg_submit").click().run()
    return at


def test_a_porteur_writes_to_the_team_and_sees_its_message_literally(
    people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PTLCD_SMTP_HOST", raising=False)
    monkeypatch.setenv("PTLCD_SMTP_FROM", "ptlcd@nantes.example")
    at = _fiche("mde", 19)
    assert _has_section(at)
    assert [t.label for t in at.text_area] == ["Écrire à l'équipe"]
    assert "Aucun message sur cette action" in texts(at.caption)
    _write(at, PAYLOAD)
    assert_clean(at)
    [success] = [_unescaped(s.value) for s in at.success]
    assert success.startswith("Message n° 1 enregistré. Courriel : Aucun serveur d'envoi réglé")
    assert str(people.parent) not in success  # no server path shown to a porteur
    assert PAYLOAD in [t.value for t in at.text]  # shown as typed, as plain text
    assert "Maison de l'emploi (porteur), le " in texts(at.caption)
    for value in _markdown_bearing(at):
        assert not DANGEROUS.search(value), value
    assert len(list((people.parent / "courriels").iterdir())) == 1  # the team's .eml
    assert at.text_area(key="fiche_msg_texte_1").value == ""  # a fresh form


def test_a_porteur_sees_no_conversation_on_another_porteurs_action(people: Path) -> None:
    with store.connect(people) as conn:
        conversation.add_message(conn, SYSTEM, 3, "Secret de la Ville")
    at = _fiche("mde", 3)
    assert not _has_section(at)
    assert not at.text_area
    assert "Secret de la Ville" not in texts(at.text)


def test_a_reader_sees_no_conversation(people: Path) -> None:
    with store.connect(people) as conn:
        conversation.add_message(conn, SYSTEM, 19, "Réservé au porteur")
    at = _fiche("lec", 19)
    assert not _has_section(at) and not at.text_area
    assert "Réservé au porteur" not in texts(at.text)


def test_staff_answer_the_porteur_who_gets_an_email(
    people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.connect(people) as conn:
        porteurs.set_contact(conn, SYSTEM, "MDE", email="mde@nantes.example")
        mde = accounts.get_user(conn, "mde")
        conversation.add_message(conn, mde, 19, "Question du porteur\nsur deux lignes")
    with smtp_server() as (port, handler):
        for name, value in (
            ("PTLCD_SMTP_HOST", HOST),
            ("PTLCD_SMTP_PORT", str(port)),
            ("PTLCD_SMTP_TLS", "none"),
            ("PTLCD_SMTP_FROM", "ptlcd@nantes.example"),
        ):
            monkeypatch.setenv(name, value)
        at = _fiche("sec", 19)
        assert [t.label for t in at.text_area] == ["Écrire au porteur"]
        assert "Question du porteur\nsur deux lignes" in [t.value for t in at.text]
        _write(at, "Réponse de l'équipe")
    assert_clean(at)
    [success] = [_unescaped(s.value) for s in at.success]
    assert f"Courriel : Envoyé à mde@nantes.example par le serveur {HOST}:" in success
    assert [r.rcpt_tos for r in handler.received] == [["mde@nantes.example"]]
    assert "> Réponse de l'équipe" in handler.received[0].message.get_content()
    shown = [t.value for t in at.text]
    assert shown.index("Question du porteur\nsur deux lignes") < shown.index("Réponse de l'équipe")
    with store.connect(people) as conn:
        assert notifications.sent_to(conn, 2)["statut"].tolist() == ["envoye"]


def test_an_empty_message_is_refused_in_french_and_nothing_written(people: Path) -> None:
    at = _write(_fiche("mde", 19), "   ")
    assert not at.exception
    assert any("Message vide" in e.value for e in at.error)
    with store.connect(people) as conn:
        assert conversation.conversation(conn, SYSTEM, 19).empty


def test_without_a_team_address_the_porteur_is_warned_and_an_author_name_stays_text(
    people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PTLCD_SMTP_FROM", raising=False)
    add_account(people, "hostile", "saisie", nom=PAYLOAD)
    with store.connect(people) as conn:
        conversation.add_message(conn, accounts.get_user(conn, "hostile"), 19, "Bonjour")
    at = _write(_fiche("mde", 19), "Une question")
    assert not at.exception and not at.success
    [warning] = [_unescaped(w.value) for w in at.warning]
    assert warning.startswith("Message n° 2 enregistré. Courriel : Aucune adresse de l'équipe")
    assert PAYLOAD in _unescaped(texts(at.caption))  # the name, shown as text
    for value in _markdown_bearing(at):
        assert not DANGEROUS.search(value), value
