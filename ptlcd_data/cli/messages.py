"""The conversation of an action (`messages`): write a message (the other side is told by e-mail),
list the messages."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import USER_HELP, cli_user, or_dash
from ptlcd_data.messages import conversation, notifications
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def cmd_messages(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        user = cli_user(conn, args.user)
        if args.action == "list":
            table = conversation.conversation(conn, user, args.action_no)
            for r in table.itertuples(index=False):
                side = conversation.COTE_LABELS[str(r.cote)]
                where = "" if r.depot_id is None else f"\tdépôt n° {r.depot_id}"
                print(
                    f"{r.id}\t{formats.timestamp(r.envoye_le)}\t{r.auteur_nom} ({side})"
                    f"{where}\t{or_dash(r.texte)}"
                )
            print(f"{formats.count(len(table), 'message')} sur l'action n° {args.action_no}.")
            return 0
        message_id = conversation.add_message(conn, user, args.action_no, args.texte)
    finally:
        conn.close()
    print(f"Message n° {message_id} enregistré sur l'action n° {args.action_no}.")
    # The base is closed: the server may take its time, nobody waits for the file.
    envois = notifications.notify(settings, message_id)
    print(notifications.summary(envois, staff=True))
    return 0


def add_messages(sub: SubParsers) -> None:
    """Declare `messages` and its arguments."""
    p = sub.add_parser(
        "messages", help="la conversation d'une action entre son porteur et l'équipe : add, list"
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser(
        "add", help="écrire un message (l'autre partie est avertie par courriel ; sans serveur, "
        "un fichier .eml dans courriels/ à côté de la base)"
    )  # fmt: skip
    _action_argument(a)
    a.add_argument("--texte", required=True, help="le message (2 000 caractères au plus)")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui écrit"))
    a = acts.add_parser("list", help="les messages d'une action, du plus ancien au plus récent")
    _action_argument(a)
    a.add_argument("--user", help=USER_HELP.format(qui="qui lit"))
    p.set_defaults(func=cmd_messages)


def _action_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--action",
        dest="action_no",
        type=int,
        required=True,
        metavar="N",
        help="numéro de l'action",
    )
