"""`pieces add|list|get` on the command line, and `backup` / `restore` carrying the pièces (issue
23, items 4 and 6): French refusals with exit 1, every hash checked before a restore changes
anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.cli import main
from ptlcd_data.store import backups, files
from ptlcd_data.store.sql import scalar
from tests.helpers import pieces as samples
from tests.helpers.apptest import add_account

SHA = hashlib.sha256(samples.PDF_BYTES).hexdigest()


@pytest.fixture
def base(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base with a porteur account for MDE (action 19), one for the Ville de Nantes (action
    3), a reader and a coordinator; its pièces in `pieces/` beside it."""
    monkeypatch.delenv("PTLCD_PIECES", raising=False)
    monkeypatch.delenv("PTLCD_MAX_PIECE_MB", raising=False)
    add_account(db_path, "mde", "porteur", porteurs=("MDE",))
    add_account(db_path, "ville", "porteur", porteurs=("VILLE_NANTES",))
    add_account(db_path, "lec", "lecture")
    add_account(db_path, "sec", "saisie")
    (tmp_path / "bilan.pdf").write_bytes(samples.PDF_BYTES)
    return db_path


def _run(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


def _rows(db: Path) -> int:
    with store.connect(db) as conn:
        return int(scalar(conn, "SELECT count(*) FROM piece"))


def _live(db: Path) -> Path:
    return db.parent / "pieces"


def test_add_list_and_get_a_piece(base, tmp_path, capsys):
    assert (
        _run(base, "pieces", "add", "--action", "19", str(tmp_path / "bilan.pdf"), "--user", "mde")
        == 0
    )
    assert capsys.readouterr().out.strip() == "Pièce n° 1 jointe à l'action n° 19 : bilan.pdf."
    assert _run(base, "pieces", "list", "--action", "19", "--user", "mde") == 0
    listed = capsys.readouterr().out
    assert listed.startswith("1\tbilan.pdf — PDF, 1\u00a0ko, ajoutée le ") and " par mde" in listed
    assert "1 pièce(s) jointe(s) à l'action n° 19." in listed
    out = tmp_path / "copie" / "bilan.pdf"
    assert _run(base, "pieces", "get", "1", "-o", str(out), "--user", "mde") == 0
    assert out.read_bytes() == samples.PDF_BYTES
    assert "empreinte SHA-256 vérifiée" in capsys.readouterr().out
    assert _run(base, "pieces", "list", "--action", "19") == 0  # the system's rights: staff
    assert "1 pièce(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "--action", "3", "{pdf}", "--user", "mde"], "Action non autorisée : L'action n° 3 est portée par"),
        (["list", "--action", "19", "--user", "ville"], "Action non autorisée : L'action n° 19"),
        (["get", "1", "-o", "{out}", "--user", "ville"], "Action non autorisée : L'action n° 19"),
        (["add", "--action", "19", "{pdf}", "--user", "lec"], "cette action demande le rôle « porteur »"),
        (["list", "--action", "19", "--user", "lec"], "Votre rôle est « lecture »"),
        (["get", "1", "-o", "{out}", "--user", "lec"], "Votre rôle est « lecture »"),
        (["add", "--action", "19", "{exe}", "--user", "mde"], "Saisie refusée : Le contenu de « bilan-exe.pdf » est un programme exécutable"),
        (["add", "--action", "19", "{empty}", "--user", "mde"], "« vide.pdf » est vide (0 octet)"),
        (["add", "--action", "19", "{missing}", "--user", "mde"], "Fichier introuvable"),
        (["add", "--action", "99", "{pdf}", "--user", "sec"], "L'action n° 99 n'est pas dans le plan"),
        (["get", "99", "-o", "{out}"], "La pièce n° 99 n'existe pas"),
    ],
    ids=[
        "other-porteurs-action", "list-other", "get-other", "reader-add", "reader-list",
        "reader-get", "exe-renamed-pdf", "empty", "missing-file", "unknown-action", "unknown-piece",
    ],
)  # fmt: skip
def test_each_refusal_exits_1_in_french_and_writes_nothing(base, tmp_path, capsys, argv, message):
    assert (
        _run(base, "pieces", "add", "--action", "19", str(tmp_path / "bilan.pdf"), "--user", "mde")
        == 0
    )
    (tmp_path / "bilan-exe.pdf").write_bytes(samples.EXE_BYTES)
    (tmp_path / "vide.pdf").write_bytes(b"")
    paths = {
        "pdf": tmp_path / "bilan.pdf", "exe": tmp_path / "bilan-exe.pdf",
        "empty": tmp_path / "vide.pdf", "missing": tmp_path / "absent.pdf",
        "out": tmp_path / "sortie.pdf",
    }  # fmt: skip
    capsys.readouterr()
    assert _run(base, "pieces", *(a.format(**paths) for a in argv)) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err and "Erreur inattendue" not in err
    assert _rows(base) == 1
    assert [p.name for p in _live(base).rglob("*") if p.is_file()] == [SHA]
    assert not (tmp_path / "sortie.pdf").exists()


def test_the_size_limit_is_said_in_french_before_the_file_is_read(
    base, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PTLCD_MAX_PIECE_MB", "1")
    big = tmp_path / "gros.pdf"
    big.write_bytes(samples.PDF_BYTES + b"0" * int(1.5 * 2**20))
    assert _run(base, "pieces", "add", "--action", "19", str(big), "--user", "mde") == 1
    assert (
        "« gros.pdf » pèse 1,5\u00a0Mo ; la limite est de 1\u00a0Mo (réglage PTLCD_MAX_PIECE_MB)."
        in capsys.readouterr().err
    )
    assert _rows(base) == 0 and not _live(base).exists()


def test_a_piece_goes_with_a_depot_being_prepared_never_with_a_sent_one(base, tmp_path, capsys):
    with store.connect(base) as conn:
        ids = [
            scalar(
                conn,
                "INSERT INTO depot (porteur_code, etat, origine, depose_par, cree_le) "
                "VALUES ('MDE', ?, 'formulaire', 'mde', current_localtimestamp()) RETURNING id",
                [etat],
            )
            for etat in ("brouillon", "a_valider")
        ]
    pdf = str(tmp_path / "bilan.pdf")
    assert _run(base, "pieces", "add", "--depot", str(ids[0]), pdf, "--user", "mde") == 0
    assert f"jointe au dépôt n° {ids[0]} : bilan.pdf." in capsys.readouterr().out
    assert _run(base, "pieces", "add", "--depot", str(ids[1]), pdf, "--user", "mde") == 1
    assert "un dépôt envoyé ne change plus" in capsys.readouterr().err
    assert _run(base, "pieces", "list", "--depot", str(ids[0]), "--user", "ville") == 1
    assert "celui de « MDE »" in capsys.readouterr().err


def test_add_needs_an_action_or_a_depot(base, tmp_path):
    with pytest.raises(SystemExit) as usage:
        _run(base, "pieces", "add", str(tmp_path / "bilan.pdf"), "--user", "mde")
    assert usage.value.code == 2


# --- backup and restore -------------------------------------------------------------------------


def _with_two_pieces(base: Path, tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(samples.image("PNG"))
    for name in ("bilan.pdf", "photo.png"):
        assert (
            _run(base, "pieces", "add", "--action", "19", str(tmp_path / name), "--user", "mde")
            == 0
        )


def test_backup_and_restore_carry_the_pieces(base, tmp_path, capsys):
    _with_two_pieces(base, tmp_path)
    copy = tmp_path / "copies" / "copie.duckdb"
    assert _run(base, "backup", "-o", str(copy)) == 0
    assert f"Pièces justificatives copiées dans {copy}.pieces" in capsys.readouterr().out
    beside = backups.pieces_beside(copy)
    assert beside == tmp_path / "copies" / "copie.duckdb.pieces"
    kept = sorted(p.name for p in beside.rglob("*") if p.is_file())
    assert len(kept) == 2 and all(files.is_intact(beside, sha) for sha in kept)
    # A real copy, not a link: it survives the loss of the pièces folder.
    assert (beside / SHA[:2] / SHA).stat().st_ino != (_live(base) / SHA[:2] / SHA).stat().st_ino

    (tmp_path / "plus.pdf").write_bytes(samples.PDF_BYTES + b"% autre")
    assert (
        _run(base, "pieces", "add", "--action", "19", str(tmp_path / "plus.pdf"), "--user", "mde")
        == 0
    )
    files.remove_folder(_live(base))  # the pièces folder is lost
    capsys.readouterr()
    assert _run(base, "restore", str(copy)) == 0, capsys.readouterr().err
    assert _rows(base) == 2  # the base as it was backed up
    for piece_id in (1, 2):
        out = tmp_path / f"p{piece_id}"
        assert _run(base, "pieces", "get", str(piece_id), "-o", str(out)) == 0
    assert (tmp_path / "p1").read_bytes() == samples.PDF_BYTES


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_restore_refuses_a_backup_whose_piece_is_not_whole_and_changes_nothing(
    base, tmp_path, capsys, damage
):
    _with_two_pieces(base, tmp_path)
    copy = tmp_path / "copie.duckdb"
    assert _run(base, "backup", "-o", str(copy)) == 0
    beside = backups.pieces_beside(copy)
    if damage == "altered":
        (beside / SHA[:2] / SHA).write_bytes(samples.PDF_BYTES + b"% falsifie")
    else:  # neither beside the backup nor in the base's folder
        (beside / SHA[:2] / SHA).unlink()
        (_live(base) / SHA[:2] / SHA).unlink()
    assert (
        _run(base, "pieces", "add", "--action", "19", str(tmp_path / "photo.png"), "--user", "sec")
        == 0
    )
    before = base.read_bytes()
    live_before = sorted(p.name for p in _live(base).rglob("*") if p.is_file())
    capsys.readouterr()
    assert _run(base, "restore", str(copy)) == 1
    err = capsys.readouterr().err
    word = "contenu modifié" if damage == "altered" else "fichier absent"
    assert err.startswith("Restauration refusée : La sauvegarde « copie.duckdb » nomme 1 pièce"), (
        err
    )
    assert f"pièce n° 1 « bilan.pdf » : {word}" in err and "Rien n'a été changé" in err, err
    assert base.read_bytes() == before and _rows(base) == 3
    assert sorted(p.name for p in _live(base).rglob("*") if p.is_file()) == live_before
    assert not list(backups.backup_dir(base).glob("*avant-restauration*"))


def test_a_backup_without_its_folder_restores_from_the_base_own_pieces(base, tmp_path, capsys):
    """Pièces are never deleted: when the backup's folder was not taken along, the base's own
    folder, checked hash by hash, still holds them."""
    _with_two_pieces(base, tmp_path)
    copy = tmp_path / "copie.duckdb"
    assert _run(base, "backup", "-o", str(copy)) == 0
    files.remove_folder(backups.pieces_beside(copy))
    assert _run(base, "restore", str(copy)) == 0, capsys.readouterr().err


def test_backup_says_when_a_piece_could_not_be_saved(base, tmp_path, capsys):
    _with_two_pieces(base, tmp_path)
    (_live(base) / SHA[:2] / SHA).unlink()
    capsys.readouterr()
    assert _run(base, "backup", "-o", str(tmp_path / "copie.duckdb")) == 0
    out = capsys.readouterr().out
    assert "Attention : 1 pièce(s) justificative(s) manquent" in out
    assert "pièce n° 1 « bilan.pdf » : fichier absent" in out


def test_automatic_copies_link_their_pieces_and_take_them_away_when_rotated(base, tmp_path):
    _with_two_pieces(base, tmp_path)
    with store.connect(base) as conn:
        first = backups.auto_backup(conn, base, "test", keep=1)
        assert backups.pieces_beside(first).is_dir()
        second = backups.auto_backup(conn, base, "test", keep=1)
    assert not first.exists() and not backups.pieces_beside(first).exists()
    linked = backups.pieces_beside(second) / SHA[:2] / SHA
    assert linked.stat().st_ino == (_live(base) / SHA[:2] / SHA).stat().st_ino
    assert backups.piece_problems(second) == []


def test_a_base_without_pieces_backs_up_as_before(base, tmp_path):
    copy = tmp_path / "copie.duckdb"
    assert _run(base, "backup", "-o", str(copy)) == 0
    assert not backups.pieces_beside(copy).exists()
    assert _run(base, "restore", str(copy)) == 0
