"""Pièces justificatives (`pieces`): attach a file to an action or a dépôt being prepared, list
them, fetch one (its SHA-256 checked). Each refuses what the account named by --user may not do."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import store
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import USER_HELP, cli_user
from ptlcd_data.errors import InputError
from ptlcd_data.pieces import content, records
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def _target(args: argparse.Namespace) -> str:
    """« à l'action n° N » or « au dépôt n° N »."""
    if args.action_no is not None:
        return f"à l'action n° {args.action_no}"
    return f"au dépôt n° {args.depot_id}"


def _read(path: Path, max_mb: int) -> bytes:
    """The file's bytes; a missing, unreadable or too large file refused in French (its size
    is checked before it is read)."""
    try:
        content.check_size(path.stat().st_size, path.name, max_mb)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"Fichier introuvable : {path}.") from None
    except IsADirectoryError:
        raise InputError(f"« {path} » est un dossier : donnez un fichier.") from None
    except OSError as exc:
        raise InputError(f"Impossible de lire « {path} » ({exc.strerror}).") from None


def _add(conn: store.Connection, args: argparse.Namespace, settings: Settings) -> int:
    user = cli_user(conn, args.user)
    data = _read(args.file, settings.max_piece_mb)
    piece_id = records.add_piece(
        conn,
        settings,
        user,
        data,
        args.file.name,
        action_no=args.action_no,
        depot_id=args.depot_id,
    )
    print(f"Pièce n° {piece_id} jointe {_target(args)} : {args.file.name}.")
    return 0


def _list(conn: store.Connection, args: argparse.Namespace) -> int:
    table = records.list_pieces(
        conn, cli_user(conn, args.user), action_no=args.action_no, depot_id=args.depot_id
    )
    for r in table.itertuples(index=False):
        print(f"{r.id}\t{records.describe(r.nom, r.type, r.taille, r.ajoute_le, r.ajoute_par)}")
    print(f"{len(table)} pièce(s) jointe(s) {_target(args)}.")
    return 0


def _get(conn: store.Connection, args: argparse.Namespace, settings: Settings) -> int:
    nom, mime, data = records.get_piece(conn, settings, cli_user(conn, args.user), args.id)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(
        f"Pièce n° {args.id} « {nom} » ({content.type_label(mime)}, "
        f"{records.size_text(len(data))}) écrite dans {args.output} ; empreinte SHA-256 vérifiée."
    )
    return 0


def cmd_pieces(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "add":
            return _add(conn, args, settings)
        if args.action == "list":
            return _list(conn, args)
        return _get(conn, args, settings)
    finally:
        conn.close()


def _on(parser: argparse.ArgumentParser) -> None:
    """--action N | --depot N, exactly one."""
    on = parser.add_mutually_exclusive_group(required=True)
    on.add_argument("--action", dest="action_no", type=int, metavar="N", help="numéro de l'action")
    on.add_argument(
        "--depot", dest="depot_id", type=int, metavar="N", help="numéro du dépôt en préparation"
    )


def add_pieces(sub: SubParsers) -> None:
    """Declare `pieces` and its arguments."""
    p = sub.add_parser("pieces", help="pièces justificatives : add, list, get")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser(
        "add",
        help="joindre un fichier (PDF, ODT, DOCX, ODS, XLSX, PNG, JPEG) à une action ou à un "
        "dépôt en préparation",
    )
    _on(a)
    a.add_argument("file", type=Path, metavar="FICHIER")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui joint la pièce"))
    a = acts.add_parser("list", help="les pièces d'une action ou d'un dépôt")
    _on(a)
    a.add_argument("--user", help=USER_HELP.format(qui="qui consulte"))
    a = acts.add_parser("get", help="écrire une pièce dans un fichier (empreinte vérifiée)")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la pièce")
    a.add_argument("-o", "--output", type=Path, required=True, metavar="FICHIER")
    a.add_argument("--user", help=USER_HELP.format(qui="qui consulte"))
    p.set_defaults(func=cmd_pieces)
