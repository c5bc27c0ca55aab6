"""The « Pièces justificatives » section of the Fiche action (AppTest): shown only to staff and to
a porteur carrying the action, an upload that refuses in French and writes nothing, each pièce a
download whose name stays plain text."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.store.sql import scalar
from tests.helpers import pieces as samples
from tests.helpers.apptest import add_account, assert_clean, run_page, texts
from ui.widgets import escape_md

PAGE = "app_pages/fiche_action.py"
SECTION = "Pièces justificatives"
KEY = "fiche_pieces"


def _fiche(db, login: str | None, action_no: int):
    """The Fiche action of `action_no` as `login` (None: an anonymous visitor)."""
    if login:
        roles = {"sec": ("saisie", ()), "mde": ("porteur", ("MDE",)), "lec": ("lecture", ())}
        role, codes = roles[login]
        add_account(db, login, role, porteurs=codes)
    at = run_page(PAGE, login=login)
    at.selectbox(key="action_no").select(action_no).run()
    assert_clean(at)
    return at


def _has_section(at) -> bool:
    return SECTION in [h.value for h in at.subheader]


def _attach(at, name: str, data: bytes, mime: str = "application/pdf"):
    at.file_uploader(key=f"{KEY}_upload_0").upload(name, data, mime).run()
    at.button(key=f"{KEY}_joindre").click().run()
    return at


def _rows(db) -> int:
    with store.connect(db) as conn:
        return int(scalar(conn, "SELECT count(*) FROM piece"))


def test_staff_attach_a_pdf_and_get_a_download_button(app_env):
    at = _fiche(app_env, "sec", 19)
    assert _has_section(at)
    assert "Aucune pièce jointe pour l'instant." in texts(at.caption)
    _attach(at, "bilan.pdf", samples.PDF_BYTES)
    assert_clean(at)
    assert "Pièce n° 1 jointe : bilan\\.pdf." in texts(at.success)
    assert any(
        t.startswith("bilan.pdf — PDF, 1\u00a0ko, ajoutée le ") for t in (e.value for e in at.text)
    )
    [button] = [
        b for b in at.get("download_button") if b.proto.id and f"{KEY}_piece_1" in b.proto.id
    ]
    assert button.proto.label == "Télécharger bilan\\.pdf"
    assert _rows(app_env) == 1


def test_a_porteur_sees_the_section_only_on_its_own_action(app_env):
    at = _fiche(app_env, "mde", 19)
    assert _has_section(at) and at.get("file_uploader")
    at.selectbox(key="action_no").select(3).run()
    assert_clean(at)
    assert not _has_section(at) and not at.get("file_uploader")


@pytest.mark.parametrize("login", [None, "lec"], ids=["anonymous", "lecture"])
def test_readers_never_see_that_pieces_exist(app_env, login):
    add_account(app_env, "sec", "saisie")
    with store.connect(app_env) as conn:
        from ptlcd_data.access.auth import User
        from ptlcd_data.pieces import records
        from ptlcd_data.settings import Settings

        records.add_piece(
            conn,
            Settings(db_path=app_env),
            User("sec", "Secrétariat", "saisie"),
            samples.PDF_BYTES,
            "bilan.pdf",
            action_no=19,
        )
    at = _fiche(app_env, login, 19)
    assert not _has_section(at)
    assert not at.get("file_uploader") and not at.get("download_button")
    assert "bilan.pdf" not in " ".join(e.value for e in at.text)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bilan.pdf", samples.EXE_BYTES, "est un programme exécutable"),
        ("vide.pdf", b"", "est vide \\(0 octet\\)"),
    ],
    ids=["exe-renamed-pdf", "empty"],
)
def test_a_refused_upload_is_said_in_french_and_writes_nothing(app_env, name, data, message):
    at = _attach(_fiche(app_env, "mde", 19), name, data)
    assert not at.exception
    shown = texts(at.error)
    assert "Saisie refusée" in shown and message in shown, shown
    assert _rows(app_env) == 0
    assert not (app_env.parent / "pieces").exists()


def test_a_file_name_is_shown_as_plain_text(app_env):
    name = "**gras** <img src=x onerror=alert(1)> [lien](http:x).pdf"
    at = _attach(_fiche(app_env, "mde", 19), name, samples.PDF_BYTES)
    assert_clean(at)
    assert any(e.value.startswith(name + " — PDF") for e in at.text)
    [button] = [
        b for b in at.get("download_button") if b.proto.id and f"{KEY}_piece_1" in b.proto.id
    ]
    assert button.proto.label == f"Télécharger {escape_md(name)}"
