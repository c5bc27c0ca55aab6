"""The HTTP API's tokens (`token add|list|revoke`): see ptlcd_data/access/tokens.py."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.access import tokens
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import cli_user, parse_date
from ptlcd_data.errors import InputError
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def _state(row: tokens.TokenRow, today: date) -> str:
    if row.revoque_le is not None:
        return f"révoqué le {formats.day(row.revoque_le)}"
    if row.expire_le is not None and row.expire_le < today:
        return "expiré"
    return "actif"


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "list":
            rows = tokens.list_tokens(conn)
        elif not args.nom:
            raise InputError("Indiquez le nom du jeton.")
        elif args.action == "add":
            if not args.role:
                raise InputError(f"Indiquez le rôle (--role) : {' ou '.join(tokens.TOKEN_ROLES)}.")
            token = tokens.add_token(conn, cli_user(conn), args.nom, args.role, args.expire)
            until = f", valable jusqu'au {formats.day(args.expire)} inclus" if args.expire else ""
            # The explanation on stderr, the token alone on stdout: `TOKEN=$(… token add …)`.
            print(
                f"Jeton « {args.nom.strip().lower()} » créé (rôle {args.role}{until}). Copiez-le "
                "maintenant : il ne sera plus jamais affiché (seule son empreinte est gardée).",
                file=sys.stderr,
            )
            print(token)
            return 0
        else:
            tokens.revoke_token(conn, cli_user(conn), args.nom)
            print(f"Jeton « {args.nom.strip().lower()} » révoqué : il est refusé dès maintenant.")
            return 0
    finally:
        conn.close()
    today = date.today()
    print("nom\trôle\tcréé le\texpire le\tdernier usage\tusages\tétat")
    for r in rows:
        print(
            f"{r.nom}\t{r.role}\t{formats.timestamp(r.cree_le)}\t{formats.day(r.expire_le)}\t"
            f"{formats.timestamp(r.dernier_usage)}\t{r.usages}\t{_state(r, today)}"
        )
    print(f"{formats.count(len(rows), 'jeton')}.")
    return 0


def add_token(sub: SubParsers) -> None:
    """Declare `token` and its arguments."""
    p = sub.add_parser("token", help="jetons de l'API HTTP : add, list, revoke")
    p.add_argument("action", choices=["add", "list", "revoke"], metavar="ACTION")
    p.add_argument("nom", nargs="?", metavar="NOM", help="nom du jeton (qui l'utilise)")
    p.add_argument("--role", choices=tokens.TOKEN_ROLES, help="lecture ou saisie")
    p.add_argument(
        "--expire", type=parse_date, metavar="DATE", help="dernier jour de validité (inclus)"
    )
    p.set_defaults(func=cmd_token)
