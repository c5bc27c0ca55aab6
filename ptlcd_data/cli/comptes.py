"""Who is who: local accounts (`user`), the plan's porteurs and their contacts (`porteurs`), and
the journal of every write (`journal`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from ptlcd_data.access import accounts, contacts, journal
from ptlcd_data.access.auth import ROLES, User
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import cli_user, or_dash, parse_date
from ptlcd_data.errors import InputError
from ptlcd_data.plan import porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != first:
        raise InputError("Les deux mots de passe diffèrent.")
    return first


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        actor = cli_user(conn)
        if args.action == "list":
            users = accounts.list_users(conn)
            if users.empty:
                print("Aucun compte. Créez le premier administrateur : user add LOGIN --role admin")
            for row in users.itertuples():
                recap = "récapitulatif" if row.recap else "sans récapitulatif"
                print(
                    f"{row.login}\t{row.role}\t{row.nom}\t{row.porteurs or '—'}\t"
                    f"{or_dash(row.email)}\t{recap}"
                )
            return 0
        if not args.login:
            raise InputError("Indiquez l'identifiant du compte.")
        if args.action == "add":
            if not args.role:
                raise InputError(f"Indiquez le rôle (--role) : {', '.join(ROLES)}.")
            codes = _porteur_codes(args.porteur)
            accounts.check_role_porteurs(conn, args.role, codes)  # before asking a password
            if args.email:
                contacts.check_address(args.email)
            user = accounts.add_user(
                conn,
                actor,
                args.login,
                args.nom or args.login,
                args.role,
                _read_password(args),
                porteurs=codes or (),
            )
            if args.email:
                contacts.set_email(conn, actor, user.login, args.email)
            if args.digest is not None:
                contacts.set_digest(conn, actor, user.login, args.digest == "on")
            print(f"Compte « {args.login} » créé (rôle {args.role}{_for(user.porteurs)}).")
        elif args.action == "set":
            _set(conn, actor, args, settings)
        elif args.action == "remove":
            accounts.remove_user(conn, actor, args.login)
            print(f"Compte « {args.login} » supprimé.")
        elif args.action == "passwd":
            accounts.set_password(conn, actor, args.login, _read_password(args))
            print(f"Mot de passe de « {args.login} » changé.")
        elif args.action == "role":
            if not args.role:
                raise InputError(f"Indiquez le rôle (--role) : {', '.join(ROLES)}.")
            accounts.set_role(
                conn, actor, args.login, args.role, porteurs=_porteur_codes(args.porteur)
            )
            print(
                f"Rôle de « {args.login} » : {args.role}{_for(accounts.porteurs_of(conn, args.login))}."
            )
    finally:
        conn.close()
    return 0


def _set(conn: Connection, actor: User, args: argparse.Namespace, settings: Settings) -> None:
    """`user set LOGIN [--email ADRESSE] [--digest on|off]`."""
    if args.email is None and args.digest is None:
        raise InputError("Indiquez ce qui change : --email ADRESSE, --digest on ou --digest off.")
    if args.email is not None:
        address = contacts.set_email(conn, actor, args.login, args.email)
        print(f"Adresse de « {args.login} » : {address or '—'}.")
    if args.digest is not None:
        contacts.set_digest(conn, actor, args.login, args.digest == "on", settings.roles_file)
        state = "reçu" if args.digest == "on" else "désactivé"
        print(f"Récapitulatif hebdomadaire de « {args.login} » : {state}.")


def _porteur_codes(text: str | None) -> list[str] | None:
    """--porteur CODE[,CODE] as a list (None when not given)."""
    return None if text is None else [c for c in text.split(",") if c.strip()]


def _for(codes: tuple[str, ...]) -> str:
    return f", porteur(s) {', '.join(codes)}" if codes else ""


def cmd_porteurs(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "set":
            if not args.code:
                raise InputError("Indiquez le code du porteur (porteurs list les donne).")
            row = porteurs.set_contact(
                conn, cli_user(conn), args.code, email=args.email, contact=args.contact
            )
            print(
                f"Porteur {row['code']} : contact {row['contact'] or '—'}, "
                f"adresse {row['email'] or '—'}."
            )
            return 0
        rows = porteurs.porteur_rows(conn)
    finally:
        conn.close()
    print("code\tlibellé\ttype\tcontact\tadresse\tactions\tindicateurs")
    for r in rows:
        print(
            f"{r['code']}\t{r['libelle']}\t{r['type']}\t{r['contact'] or '—'}\t"
            f"{r['email'] or '—'}\t{r['nb_actions']}\t{r['nb_indicateurs']}"
        )
    print(f"{len(rows)} porteur(s).")
    return 0


def cmd_journal(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        rows = journal.entries(
            conn, auteur=args.auteur, operation=args.operation, since=args.depuis, limit=args.limit
        )
    finally:
        conn.close()
    for r in rows.itertuples():
        print(
            f"{r.horodatage:%d/%m/%Y %H:%M:%S}\t{r.auteur}\t{r.operation}\t{r.objet}\t"
            f"{or_dash(r.ancien)} -> {or_dash(r.nouveau)}"
        )
    print(f"{len(rows)} entrée(s).")
    return 0


def add_user(sub: SubParsers) -> None:
    """Declare `user` and its arguments."""
    p = sub.add_parser("user", help="comptes locaux : add, remove, passwd, role, set, list")
    p.add_argument(
        "action",
        choices=["add", "remove", "passwd", "role", "set", "list"],
        metavar="ACTION",
        help="add, remove, passwd, role, set (adresse, récapitulatif), list",
    )
    p.add_argument("login", nargs="?", help="identifiant du compte")
    p.add_argument("--role", choices=ROLES, help="lecture, porteur, saisie ou admin")
    p.add_argument("--porteur", metavar="CODE[,CODE]", help="porteur(s) d'un compte porteur")
    p.add_argument("--nom", help="nom affiché")
    p.add_argument("--email", metavar="ADRESSE", help="adresse électronique (vide pour l'effacer)")
    p.add_argument(
        "--digest",
        "--recap",
        choices=["on", "off"],
        help="recevoir (on) ou non (off) le récapitulatif hebdomadaire (comptes saisie, admin)",
    )
    p.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )
    p.set_defaults(func=cmd_user)


def add_porteurs(sub: SubParsers) -> None:
    """Declare `porteurs` and its arguments."""
    p = sub.add_parser("porteurs", help="porteurs du plan : list, set (contact, adresse)")
    p.add_argument("action", choices=["list", "set"], metavar="ACTION", help="list ou set")
    p.add_argument("code", nargs="?", metavar="CODE", help="code du porteur (pour set)")
    p.add_argument("--email", help="adresse e-mail (vide pour l'effacer)")
    p.add_argument("--contact", help="nom du contact (vide pour l'effacer)")
    p.set_defaults(func=cmd_porteurs)


def add_journal(sub: SubParsers) -> None:
    """Declare `journal` and its arguments."""
    p = sub.add_parser("journal", help="afficher le journal des écritures")
    p.add_argument("--auteur")
    p.add_argument("--operation")
    p.add_argument("--depuis", type=parse_date, help="date de début")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_journal)
