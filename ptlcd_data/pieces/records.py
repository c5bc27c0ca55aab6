"""Attaching, listing and fetching pièces: who may, what is checked, each addition journaled.

A pièce documents an action, or goes with the dépôt a porteur is preparing. Staff (`saisie`,
`admin`) attach to any action and any dépôt still being prepared; a porteur account only to the
actions its porteurs carry (`plan.porteurs.scope_of`, checked by `access.scope`) and to its own
dépôts still in `brouillon`: a sent dépôt never changes. Only staff and that porteur may list or
fetch them; a reader (`lecture`) never. Everything is checked here, at the moment of writing or
reading, before any byte is written: a refusal leaves no file and no row.

The file is written first (content-addressed, `store.files`), then its row, in one transaction
with its journal line: a crash between the two leaves at most a file nothing names, never a row
without its file. Rows are never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.access import auth, journal, liens, scope
from ptlcd_data.access.auth import User
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.pieces import content
from ptlcd_data.plan import porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection, files, transaction
from ptlcd_data.store.sql import one_row, scalar

if TYPE_CHECKING:
    import pandas as pd

BROUILLON = "brouillon"
COLUMNS = [
    "id", "nom", "type", "taille", "sha256", "ajoute_par", "ajoute_le", "action_no", "depot_id",
]  # fmt: skip


@dataclass(frozen=True)
class Target:
    """What a pièce is attached to: an action or a dépôt (exactly one), and whose it is."""

    action_no: int | None
    depot_id: int | None
    porteur_code: str | None = None


def _one_target(action_no: int | None, depot_id: int | None) -> None:
    if (action_no is None) == (depot_id is None):
        raise InputError("Une pièce se joint à une action ou à un dépôt : indiquez l'un des deux.")


def _check_action(conn: Connection, user: User, action_no: int) -> None:
    """PermissionDenied unless `user` is staff or carries `action_no` (today)."""
    scope.check_action(porteurs.scope_of(conn, user), action_no)


def _check_depot(conn: Connection, user: User, depot_id: int) -> tuple[str, str]:
    """(porteur code, état) of dépôt `depot_id`, once `user` is staff or that porteur (through
    a reply link: while the link is valid)."""
    liens.require_live(conn, user)
    row = one_row(conn, "SELECT porteur_code, etat FROM depot WHERE id = ?", [depot_id])
    if row is None:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas.")
    owner, etat = str(row[0]), str(row[1])
    if user.is_porteur and owner not in user.porteurs:
        raise PermissionDenied(
            f"Le dépôt n° {depot_id} est celui de « {owner} » : ce compte "
            f"({', '.join(user.porteurs) or 'aucun porteur'}) ne voit et ne complète que ses "
            "propres dépôts."
        )
    return owner, etat


def _check(conn: Connection, user: User, action_no: int | None, depot_id: int | None) -> None:
    """PermissionDenied unless `user` may see the pièces of that action or dépôt."""
    if action_no is not None:
        _check_action(conn, user, action_no)
    else:
        assert depot_id is not None
        _check_depot(conn, user, depot_id)


def may_see(
    conn: Connection,
    user: User | None,
    *,
    action_no: int | None = None,
    depot_id: int | None = None,
) -> bool:
    """True when `user` may list and fetch the pièces of that action or dépôt (for a page that
    shows their section only to them); the functions below check it again themselves."""
    _one_target(action_no, depot_id)
    if user is None or not user.can("porteur"):
        return False
    try:
        _check(conn, user, action_no, depot_id)
    except (PermissionDenied, InputError):
        return False
    return True


def _writable_target(
    conn: Connection, user: User, action_no: int | None, depot_id: int | None
) -> Target:
    """Where `user` may attach a pièce, checked now; refused in French otherwise."""
    if action_no is not None:
        _check_action(conn, user, action_no)
        today = date.today()
        if (
            one_row(conn, "SELECT 1 FROM plan_action(?) WHERE action_no = ?", [today, action_no])
            is None
        ):
            raise InputError(f"L'action n° {action_no} n'est pas dans le plan aujourd'hui.")
        links = porteurs.carried_actions(conn, today)
        carriers = set(links.loc[links["action_no"] == action_no, "porteur"])
        code = next((c for c in user.porteurs if c in carriers), None)
        return Target(action_no, None, code if user.is_porteur else None)
    assert depot_id is not None
    owner, etat = _check_depot(conn, user, depot_id)
    if etat != BROUILLON:
        raise InputError(
            f"Le dépôt n° {depot_id} est déjà envoyé (état « {etat} ») : un dépôt envoyé ne "
            "change plus. Joignez la pièce au prochain dépôt, ou à l'action elle-même."
        )
    return Target(None, depot_id, owner)


def add_piece(
    conn: Connection,
    settings: Settings,
    user: User | None,
    data: bytes,
    filename: str,
    *,
    action_no: int | None = None,
    depot_id: int | None = None,
) -> int:
    """Attach the file `data` named `filename` to action `action_no` or dépôt `depot_id`
    (exactly one); its number. Refused in French, writing nothing, when the account may not,
    or when the file is empty, too large, of a type not accepted or named with a path."""
    user = auth.require(user, "porteur")
    _one_target(action_no, depot_id)
    target = _writable_target(conn, user, action_no, depot_id)
    checked = content.check(data, filename, settings.max_piece_mb)
    # The file first: a crash before the row leaves a file nothing names, never the reverse.
    sha = files.write(settings.pieces_path, data)
    with transaction(conn):
        if depot_id is not None:  # again, inside: the dépôt may have been sent meanwhile
            _writable_target(conn, user, None, depot_id)
        piece_id = int(
            scalar(
                conn,
                "INSERT INTO piece (sha256, nom, type, taille, action_no, depot_id, "
                "porteur_code, ajoute_par, ajoute_le) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp()) RETURNING id",
                [
                    sha,
                    checked.nom,
                    checked.type,
                    checked.taille,
                    target.action_no,
                    target.depot_id,
                    target.porteur_code,
                    user.login,
                ],
            )
        )
        journal.log(
            conn,
            user,
            "piece",
            f"pièce {piece_id}",
            None,
            {
                "nom": checked.nom,
                "type": checked.type,
                "taille": checked.taille,
                "sha256": sha,
                "action_no": target.action_no,
                "depot_id": target.depot_id,
                "porteur": target.porteur_code,
            },
        )
    return piece_id


def list_pieces(
    conn: Connection,
    user: User | None,
    *,
    action_no: int | None = None,
    depot_id: int | None = None,
) -> pd.DataFrame:
    """The pièces of action `action_no` or dépôt `depot_id`, oldest first, for staff and the
    porteur concerned (PermissionDenied in French for anyone else).

    Columns: id, nom, type (MIME), taille (bytes), sha256, ajoute_par (login), ajoute_le,
    action_no, depot_id.
    """
    user = auth.require(user, "porteur")
    _one_target(action_no, depot_id)
    _check(conn, user, action_no, depot_id)
    where, key = (
        ("action_no = ?", action_no) if action_no is not None else ("depot_id = ?", depot_id)
    )
    return conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM piece WHERE {where} ORDER BY ajoute_le, id",  # noqa: S608 - fixed fragments
        [key],
    ).df()


def get_piece(
    conn: Connection, settings: Settings, user: User | None, piece_id: int
) -> tuple[str, str, bytes]:
    """(name, MIME type, content) of pièce `piece_id`, for staff and the porteur of its action
    or dépôt. The content read is checked against its SHA-256: a missing or altered file is
    refused in French, never handed out."""
    user = auth.require(user, "porteur")
    row = one_row(
        conn,
        "SELECT nom, type, sha256, action_no, depot_id FROM piece WHERE id = ?",
        [piece_id],
    )
    if row is None:
        raise InputError(f"La pièce n° {piece_id} n'existe pas.")
    nom, mime, sha, action_no, depot_id = row
    _check(conn, user, action_no, depot_id)
    data = files.read(settings.pieces_path, sha)
    if data is None:
        state = "absent" if not files.path_of(settings.pieces_path, sha).exists() else "modifié"
        raise InputError(
            f"Le fichier de la pièce n° {piece_id} (« {nom} ») est {state} dans « "
            f"{settings.pieces_path} » : son empreinte SHA-256 ne correspond plus. Restaurez "
            "une sauvegarde (commande restore), qui vérifie chaque pièce.",
            "Pièce endommagée",
        )
    return str(nom), str(mime), data


def piece_bytes(conn: Connection, settings: Settings, user: User | None, piece_id: int) -> bytes:
    """The checked content of pièce `piece_id` (what a download button hands out)."""
    return get_piece(conn, settings, user, piece_id)[2]


def size_text(size: int) -> str:
    """A pièce's size in French: '850 ko' below a megabyte, '1,2 Mo' above."""
    if size < 2**20:
        return f"{formats.number(max(1, round(size / 2**10)))}{formats.NBSP}ko"
    return content.size_mb(size)


def describe(nom: str, mime: str, taille: int, ajoute_le: datetime | None, ajoute_par: str) -> str:
    """One pièce in words: 'bilan.pdf — PDF, 1,2 Mo, ajoutée le 03/12/2026 à 14:05 par mde'."""
    return (
        f"{nom} — {content.type_label(mime)}, {size_text(taille)}, ajoutée le "
        f"{formats.timestamp(ajoute_le)} par {ajoute_par}"
    )
