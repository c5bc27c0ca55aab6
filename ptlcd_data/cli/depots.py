"""Dépôts à valider (`depots`): list, show, publish, return to the porteur."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import USER_HELP, cli_user, or_dash
from ptlcd_data.depots import notify, queries, records
from ptlcd_data.errors import InputError
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers
    from ptlcd_data.store import Connection


def cmd_depots(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        user = cli_user(conn, args.user)
        if args.action == "list":
            return _list(conn, args, user)
        if args.action == "show":
            return _show(conn, args, user)
        if args.action == "publish":
            batch_id = records.publish(conn, user, args.id, backup_keep=settings.backups_kept)
            lot = f"lot n° {batch_id}" if batch_id is not None else "aucune valeur à écrire"
            print(f"Dépôt n° {args.id} publié ({lot}).")
            return 0
        records.return_to_porteur(conn, user, args.id, args.motif)
    finally:
        conn.close()
    # The base let go while the mail server talks.
    envoi = notify.notify_return(settings, user, args.id)
    print(f"Dépôt n° {args.id} renvoyé au porteur. Courriel : {envoi.detail}")
    return 0


def _list(conn: Connection, args: argparse.Namespace, user: User) -> int:
    table = queries.depots(conn, user, etat=args.etat)
    if args.output is not None:
        if (args.format or "csv") != "csv":
            raise InputError("Seul le format csv est possible pour la liste des dépôts.")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(queries.list_csv(table))
        print(f"{formats.count(len(table), 'dépôt écrit', 'dépôts écrits')} dans {args.output}.")
        return 0
    for r in table.itertuples(index=False):
        print(
            f"{r.id}\t{r.porteur}\tcampagne {or_dash(r.campagne)}\t"
            f"{formats.timestamp(r.depose_le.to_pydatetime())}\t{r.depose_par}\t"
            f"{records.ETAT_LABELS.get(r.etat, r.etat)}\t{r.lignes} ligne(s)\t"
            f"{r.pieces} pièce(s)\t{or_dash(r.motif)}"
        )
    print(f"{formats.count(len(table), 'dépôt', 'dépôts')}.")
    return 0


def _show(conn: Connection, args: argparse.Namespace, user: User) -> int:
    found = queries.view(conn, user, args.id)
    meta = found.meta
    print(
        f"Dépôt n° {args.id} · porteur {meta['porteur_code']} · "
        f"{records.ETAT_LABELS.get(meta['etat'], meta['etat'])} · déposé le "
        f"{formats.timestamp(meta['depose_le'])} par {meta['depose_par']} · {meta['fichier']}"
    )
    if meta.get("commentaire"):
        print(f"Commentaire du porteur : {meta['commentaire']}")
    if meta.get("motif"):
        print(f"Motif du renvoi : {meta['motif']}")
    changes = found.changes()
    for row in changes.itertuples(index=False):
        print(
            f"{row.feuille}, ligne {row.ligne} : {row.objet} · {row.champ} : "
            f"{or_dash(row.ancien)} → {or_dash(row.nouveau)}"
        )
    for d in found.decisions.itertuples(index=False):
        print(f"Décision n° {d.decision_id} : faite. {d.commentaire}".rstrip())
    print(f"{formats.count(len(changes), 'changement', 'changements')}.")
    return 0


def add_depots(sub: SubParsers) -> None:
    """Declare `depots` and its arguments."""
    p = sub.add_parser("depots", help="dépôts des porteurs à valider : list, show, publish, return")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("list", help="les dépôts envoyés, du plus ancien au plus récent")
    a.add_argument("--etat", choices=list(records.ETATS[1:]), help="seulement cet état")
    a.add_argument("--format", choices=["csv"], help="format du fichier -o (csv)")
    a.add_argument("-o", "--output", type=Path, metavar="FICHIER", help="fichier CSV à écrire")
    a.add_argument("--user", help=USER_HELP.format(qui="qui consulte"))
    a = acts.add_parser("show", help="un dépôt : son avant → après")
    a.add_argument("id", type=int, metavar="ID", help="numéro du dépôt")
    a.add_argument("--user", help=USER_HELP.format(qui="qui consulte"))
    a = acts.add_parser("publish", help="publier un dépôt à valider (un lot d'import)")
    a.add_argument("id", type=int, metavar="ID", help="numéro du dépôt")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui valide"))
    a = acts.add_parser("return", help="renvoyer un dépôt au porteur, avec le motif")
    a.add_argument("id", type=int, metavar="ID", help="numéro du dépôt")
    a.add_argument("--motif", required=True, metavar="TEXTE", help="pourquoi il est renvoyé")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui renvoie"))
    p.set_defaults(func=cmd_depots)
