"""Pièces justificatives (issue 23, item 4) against real files: types by content, refusals that
write nothing, who may attach, list and fetch, storage by SHA-256, and never in the open data."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access import journal
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.opendata import package, schema
from ptlcd_data.pieces import content, records
from ptlcd_data.settings import Settings
from ptlcd_data.store import files
from ptlcd_data.store.sql import scalar
from tests.helpers import pieces as samples

MDE = User("mde", "Maison de l'emploi", "porteur", porteurs=("MDE",))  # carries action 19
VILLE = User("ville", "Ville de Nantes", "porteur", porteurs=("VILLE_NANTES",))  # action 3
SAISIE = User("sec", "Secrétariat", "saisie")
LECTURE = User("lec", "Lecteur", "lecture")


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path)


def _stored(settings: Settings) -> list[Path]:
    folder = settings.pieces_path
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _rows(conn: store.Connection) -> int:
    return int(scalar(conn, "SELECT count(*) FROM piece"))


def _depot(conn: store.Connection, porteur: str, etat: str = "brouillon") -> int:
    """A dépôt row as the dépôts' code leaves it (being prepared, or already sent)."""
    return int(
        scalar(
            conn,
            "INSERT INTO depot (porteur_code, etat, origine, depose_par, cree_le) "
            "VALUES (?, ?, 'formulaire', 'mde', current_localtimestamp()) RETURNING id",
            [porteur, etat],
        )
    )


# --- types, by content ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(samples.ACCEPTED))
def test_every_accepted_type_is_recognised_by_its_content_whatever_its_name(name, conn, settings):
    data, mime = samples.ACCEPTED[name]
    assert content.recognise(data, name) == mime
    assert content.recognise(data, "sans-extension") == mime  # the name plays no part
    piece_id = records.add_piece(conn, settings, MDE, data, name, action_no=19)
    nom, stored_type, back = records.get_piece(conn, settings, MDE, piece_id)
    assert (nom, stored_type, back) == (name, mime, data)


def _big_pdf(size: int) -> bytes:
    return samples.PDF_BYTES + b"0" * (size - len(samples.PDF_BYTES))


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (samples.EXE_BYTES, "bilan.pdf", "« bilan.pdf » est un programme exécutable"),
        (samples.ELF_BYTES, "bilan.pdf", "est un programme exécutable, quel que soit son nom"),
        (b"", "vide.pdf", "« vide.pdf » est vide (0 octet)"),
        (
            _big_pdf(int(12.3 * 2**20)),
            "gros.pdf",
            "« gros.pdf » pèse 12,3\u00a0Mo ; la limite est de 10\u00a0Mo (réglage "
            "PTLCD_MAX_PIECE_MB)",
        ),
        (samples.PDF_BYTES, "../../etc/bilan.pdf", "contient un chemin"),
        (samples.PDF_BYTES, "dossier/bilan.pdf", "contient un chemin"),
        (samples.PDF_BYTES, "C:\\Users\\bilan.pdf", "contient un chemin"),
        (samples.PDF_BYTES, "C:bilan.pdf", "lettre de lecteur"),
        (samples.PDF_BYTES, "..", "contient un chemin"),
        (samples.PDF_BYTES, " \n\t", "n'a pas de nom"),
        (b"Nom;Commune\nDupont;Nantes\n", "liste.csv", "n'est pas d'un type accepté"),
        (samples.plain_zip(), "archive.docx", "n'est pas d'un type accepté"),
        (b"<html><script>alert(1)</script></html>", "page.pdf", "Types acceptés : PDF"),
        (
            samples.open_document(content.ODT, {"Basic/Standard/Module1.xml": b"<macro/>"}),
            "programme.odt",
            "contient des macros",
        ),
    ],
    ids=[
        "exe-renamed-pdf", "elf-renamed-pdf", "empty", "oversized", "dotdot-path", "folder",
        "windows-path", "drive-letter", "dotdot", "blank-name", "csv", "plain-zip", "html",
        "odt-with-macros",
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_french_and_writes_nothing(
    data, name, expected, conn, settings, db_path
):
    with pytest.raises(InputError) as refused:
        records.add_piece(conn, settings, MDE, data, name, action_no=19)
    assert expected in refused.value.message, refused.value.message
    assert _rows(conn) == 0
    assert _stored(settings) == []
    assert journal.entries(conn, operation="piece").empty


def test_a_refusal_lists_the_accepted_types(conn, settings):
    with pytest.raises(InputError) as refused:
        records.add_piece(conn, settings, MDE, samples.EXE_BYTES, "bilan.pdf", action_no=19)
    assert f"Types acceptés : {content.ACCEPTED}." in refused.value.message


def test_the_size_limit_is_the_setting(conn, db_path):
    small = Settings(db_path=db_path, max_piece_mb=1)
    with pytest.raises(InputError, match="1,2\u00a0Mo ; la limite est de 1\u00a0Mo"):
        records.add_piece(conn, small, MDE, _big_pdf(int(1.2 * 2**20)), "b.pdf", action_no=19)
    assert records.add_piece(conn, small, MDE, _big_pdf(2**20), "b.pdf", action_no=19) == 1


def test_a_macro_enabled_workbook_is_refused(conn, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(samples.xlsx())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 32)
    with pytest.raises(InputError, match="contient des macros"):
        records.add_piece(conn, settings, MDE, out.getvalue(), "tableau.xlsx", action_no=19)


def test_control_characters_are_removed_from_a_name(conn, settings):
    piece_id = records.add_piece(
        conn, settings, MDE, samples.PDF_BYTES, "bilan\x00\n  final.pdf", action_no=19
    )
    assert records.get_piece(conn, settings, MDE, piece_id)[0] == "bilan final.pdf"


def test_a_long_name_is_shortened_keeping_its_extension():
    name = content.clean_name("rapport " * 60 + ".pdf")
    assert len(name) == content.NAME_MAX_CHARS and name.endswith(".pdf")


# --- storage ----------------------------------------------------------------------------------


def test_the_same_content_is_stored_once_under_its_sha256(conn, settings):
    data = samples.PDF_BYTES
    first = records.add_piece(conn, settings, MDE, data, "bilan.pdf", action_no=19)
    second = records.add_piece(conn, settings, SAISIE, data, "copie.pdf", action_no=3)
    sha = hashlib.sha256(data).hexdigest()
    assert _stored(settings) == [settings.pieces_path / sha[:2] / sha]
    assert first != second and _rows(conn) == 2
    assert not list(settings.pieces_path.rglob("*.tmp"))  # written whole, then renamed


def test_each_addition_is_journaled_with_whose_it_is(conn, settings):
    piece_id = records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    staff_id = records.add_piece(conn, settings, SAISIE, samples.docx(), "c.docx", action_no=19)
    owners = dict(conn.execute("SELECT id, porteur_code FROM piece").fetchall())
    assert owners == {piece_id: "MDE", staff_id: None}
    entry = journal.entries(conn, operation="piece").iloc[-1]
    assert entry["auteur"] == "mde" and entry["objet"] == f"pièce {piece_id}"
    assert hashlib.sha256(samples.PDF_BYTES).hexdigest() in entry["nouveau"]


def test_a_failure_after_the_file_leaves_no_row_and_an_unnamed_file(conn, settings, monkeypatch):
    """The file is written first: a crash before the row's commit never leaves a row naming a
    file that is not there."""

    def crash(*args, **kwargs):
        raise RuntimeError("coupure")

    monkeypatch.setattr(journal, "log", crash)
    with pytest.raises(RuntimeError):
        records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    assert _rows(conn) == 0
    assert len(_stored(settings)) == 1


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_fetching_checks_the_sha256_of_the_file_read(damage, conn, settings):
    piece_id = records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    [stored] = _stored(settings)
    if damage == "altered":
        stored.write_bytes(samples.PDF_BYTES + b"% ajout")
    else:
        stored.unlink()
    with pytest.raises(InputError) as refused:
        records.get_piece(conn, settings, SAISIE, piece_id)
    word = "modifié" if damage == "altered" else "absent"
    assert f"(« b.pdf ») est {word}" in refused.value.message
    assert refused.value.title == "Pièce endommagée"


def test_adding_the_same_content_again_repairs_an_altered_file(conn, settings):
    piece_id = records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    [stored] = _stored(settings)
    stored.write_bytes(b"%PDF-abime")
    records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    assert records.get_piece(conn, settings, MDE, piece_id)[2] == samples.PDF_BYTES


def test_the_files_module_refuses_to_hand_out_a_mismatch(tmp_path):
    sha = files.write(tmp_path, b"abc")
    assert files.read(tmp_path, sha) == b"abc"
    files.path_of(tmp_path, sha).write_bytes(b"abd")
    assert files.read(tmp_path, sha) is None and not files.is_intact(tmp_path, sha)


# --- who may ------------------------------------------------------------------------------------


def test_a_porteur_attaches_to_lists_and_fetches_only_its_own_actions(conn, settings):
    mine = records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", action_no=19)
    theirs = records.add_piece(conn, settings, VILLE, samples.odt(), "v.odt", action_no=3)
    with pytest.raises(PermissionDenied, match="L'action n° 3 est portée par"):
        records.add_piece(conn, settings, MDE, samples.ods(), "x.ods", action_no=3)
    with pytest.raises(PermissionDenied, match="L'action n° 3"):
        records.list_pieces(conn, MDE, action_no=3)
    with pytest.raises(PermissionDenied, match="L'action n° 3"):
        records.get_piece(conn, settings, MDE, theirs)
    with pytest.raises(PermissionDenied, match="L'action n° 19"):
        records.get_piece(conn, settings, VILLE, mine)
    assert records.list_pieces(conn, MDE, action_no=19)["id"].tolist() == [mine]
    assert records.may_see(conn, MDE, action_no=19) and not records.may_see(conn, MDE, action_no=3)
    assert _rows(conn) == 2


@pytest.mark.parametrize("user", [LECTURE, None], ids=["lecture", "anonymous"])
def test_a_reader_may_neither_attach_nor_list_nor_fetch(user, conn, settings):
    piece_id = records.add_piece(conn, settings, SAISIE, samples.PDF_BYTES, "b.pdf", action_no=19)
    with pytest.raises(PermissionDenied, match="rôle « porteur » ou plus"):
        records.add_piece(conn, settings, user, samples.PDF_BYTES, "b.pdf", action_no=19)
    with pytest.raises(PermissionDenied):
        records.list_pieces(conn, user, action_no=19)
    with pytest.raises(PermissionDenied):
        records.get_piece(conn, settings, user, piece_id)
    assert not records.may_see(conn, user, action_no=19)
    assert _rows(conn) == 1


def test_staff_attach_anywhere_and_see_everything(conn, settings):
    for user in (SAISIE, SYSTEM):
        records.add_piece(conn, settings, user, samples.PDF_BYTES, "b.pdf", action_no=3)
    assert len(records.list_pieces(conn, SAISIE, action_no=3)) == 2
    with pytest.raises(InputError, match="L'action n° 99 n'est pas dans le plan"):
        records.add_piece(conn, settings, SAISIE, samples.PDF_BYTES, "b.pdf", action_no=99)
    with pytest.raises(InputError, match="à une action ou à un dépôt"):
        records.add_piece(conn, settings, SAISIE, samples.PDF_BYTES, "b.pdf")


def test_a_porteur_attaches_only_to_its_own_depot_being_prepared(conn, settings):
    own, other = _depot(conn, "MDE"), _depot(conn, "VILLE_NANTES")
    piece_id = records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", depot_id=own)
    assert scalar(conn, "SELECT porteur_code FROM piece WHERE id = ?", [piece_id]) == "MDE"
    with pytest.raises(PermissionDenied, match="celui de « VILLE_NANTES »"):
        records.add_piece(conn, settings, MDE, samples.PDF_BYTES, "b.pdf", depot_id=other)
    with pytest.raises(PermissionDenied, match="celui de « MDE »"):
        records.list_pieces(conn, VILLE, depot_id=own)
    with pytest.raises(PermissionDenied, match="celui de « MDE »"):
        records.get_piece(conn, settings, VILLE, piece_id)
    staff = records.add_piece(conn, settings, SAISIE, samples.odt(), "n.odt", depot_id=other)
    assert scalar(conn, "SELECT porteur_code FROM piece WHERE id = ?", [staff]) == "VILLE_NANTES"
    assert records.list_pieces(conn, MDE, depot_id=own)["nom"].tolist() == ["b.pdf"]
    with pytest.raises(InputError, match="Le dépôt n° 999 n'existe pas"):
        records.add_piece(conn, settings, SAISIE, samples.PDF_BYTES, "b.pdf", depot_id=999)


@pytest.mark.parametrize("user", [MDE, SAISIE], ids=["porteur", "staff"])
def test_a_sent_depot_never_takes_a_new_piece(user, conn, settings):
    sent = _depot(conn, "MDE", "a_valider")
    with pytest.raises(InputError, match="déjà envoyé .* un dépôt envoyé ne change plus"):
        records.add_piece(conn, settings, user, samples.PDF_BYTES, "b.pdf", depot_id=sent)
    assert _rows(conn) == 0 and _stored(settings) == []


# --- never in the open data ---------------------------------------------------------------------


def test_the_open_data_package_holds_no_piece(conn, settings, tmp_path):
    records.add_piece(
        conn, settings, MDE, samples.PDF_BYTES, "bilan-confidentiel.pdf", action_no=19
    )
    for resource in schema.RESOURCES:
        assert "piece" not in resource.name
        assert not [c for c in resource.columns if "piece" in c or "sha256" in c], resource.name
    out = tmp_path / "ouvertes"
    package.write_package(conn, out, date.today(), avec_demo=True)
    written = " ".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "bilan-confidentiel" not in written
    assert hashlib.sha256(samples.PDF_BYTES).hexdigest() not in written
