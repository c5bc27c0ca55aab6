"""The base as a whole: its demonstration data (`demo`), `backup` and `restore`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import demo, store
from ptlcd_data.access import journal, liens, sessions, tokens
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import cli_user
from ptlcd_data.demo import large as demo_large
from ptlcd_data.demo import suivi as demo_suivi
from ptlcd_data.settings import Settings
from ptlcd_data.store import backups

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.scale == "large":
            with store.transaction(conn):
                demo.delete_demo(conn)
                counts = demo_large.generate_large(conn)
                # Status and engagement histories for every action and every territory.
                counts.update(demo_suivi.generate(conn))
            print(f"Données de démonstration à grande échelle : {counts}")
            return 0
        if args.remove:
            removed = demo.remove_demo(conn)
            total = sum(removed.values())
            print(f"{total} enregistrement(s) de démonstration supprimé(s).")
            for table, n in removed.items():
                print(f"  {table} : {n}")
            return 0
        counts = demo.demo_counts(conn)
    finally:
        conn.close()
    if not counts:
        print("Aucune donnée de démonstration dans la base.")
    for table, n in counts.items():
        print(f"  {table} : {n}")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.output:
            # A copy killed on its way leaves its `.partiel` file: the next one removes it.
            for partial in backups.remove_stale_partials(Path(args.output).parent):
                print(f"Copie interrompue supprimée : {partial}")
            path = backups.backup(conn, args.output, pieces=settings.pieces_path)
        else:
            path = backups.auto_backup(
                conn,
                settings.db_path,
                "manuelle",
                settings.backups_kept,
                pieces=settings.pieces_path,
            )
    finally:
        conn.close()
    print(f"Sauvegarde écrite : {path}")
    if backups.pieces_beside(path).is_dir():
        print(f"Pièces justificatives copiées dans {backups.pieces_beside(path)}")
    problems = backups.piece_problems(path)
    if problems:
        print(
            f"Attention : {len(problems)} pièce(s) justificative(s) manquent ou sont modifiées "
            f"dans {settings.pieces_path} et n'ont pas pu être sauvegardées ("
            + " ; ".join(problems[: backups.PIECES_LISTED])
            + ") : la restauration de cette sauvegarde sera refusée tant qu'elles manqueront."
        )
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    revoked = tokens.revoked_fingerprints(settings.db_path)
    done = backups.restore(
        args.file, settings.db_path, settings.backups_kept, pieces=settings.pieces_path
    )
    conn = open_store(settings)
    try:
        with store.transaction(conn):
            # The backup's login sessions, some since closed, do not live again: all log in anew.
            ended = sessions.close_all_sessions(conn)
            # Nor its reply links, some revoked since: every link of the backup is revoked.
            links_revoked = liens.revoke_all(conn, cli_user(conn))
            # Nor an API token revoked since: the replaced base's revocations carry over.
            tokens_revoked = tokens.keep_revoked(conn, revoked)
            journal.log(
                conn,
                cli_user(conn),
                "restauration",
                str(args.file.name),
                None,
                {
                    "copie_precedente": str(done.copy) if done.copy else None,
                    "base_endommagee_deplacee": (
                        str(done.damaged_moved_to) if done.damaged_moved_to else None
                    ),
                    "sessions_fermees": ended,
                    "liens_revoques": links_revoked,
                    "jetons_revoques": tokens_revoked,
                },
            )
    finally:
        conn.close()
    if done.damaged_moved_to:
        print(f"Base endommagée mise de côté : {done.damaged_moved_to} (rien n'est effacé).")
    print(f"Base restaurée depuis {args.file}, vérifiée : elle s'ouvre.")
    if ended:
        print(f"{ended} session(s) de connexion fermée(s) : chacun se connecte de nouveau.")
    if links_revoked:
        print(
            f"{links_revoked} lien(s) de campagne révoqué(s) : les relances suivantes en "
            "porteront de nouveaux."
        )
    if tokens_revoked:
        print(
            f"Jeton(s) d'API révoqué(s) depuis la sauvegarde, révoqué(s) de nouveau : "
            f"{', '.join(tokens_revoked)}."
            if revoked is not None
            else "La base remplacée était illisible : tous les jetons d'API sont révoqués par "
            f"prudence ({', '.join(tokens_revoked)}) ; recréez ceux qui servent (token add)."
        )
    if done.copy:
        print(f"Copie de l'ancienne base : {done.copy}")
    return 0


def add_demo(sub: SubParsers) -> None:
    """Declare `demo` and its arguments."""
    p = sub.add_parser("demo", help="données de démonstration : compter, supprimer (--remove)")
    p.add_argument(
        "--remove", action="store_true", help="supprimer toutes les données de démonstration"
    )
    p.add_argument(
        "--scale",
        choices=["large"],
        help="large : remplace la démonstration par 300 territoires, 100 indicateurs, 15 ans",
    )
    p.set_defaults(func=cmd_demo)


def add_backup(sub: SubParsers) -> None:
    """Declare `backup` and its arguments."""
    p = sub.add_parser(
        "backup",
        help="copier toute la base et ses pièces justificatives (dans sauvegardes/NOM/ ou "
        "-o FICHIER, les pièces dans FICHIER.pieces/)",
    )
    p.add_argument("-o", "--output", type=Path)
    p.set_defaults(func=cmd_backup)


def add_restore(sub: SubParsers) -> None:
    """Declare `restore` and its arguments."""
    p = sub.add_parser(
        "restore",
        help="remplacer la base par une sauvegarde (chaque pièce justificative vérifiée ; "
        "l'actuelle est copiée avant)",
    )
    p.add_argument("file", type=Path, metavar="FICHIER")
    p.set_defaults(func=cmd_restore)
