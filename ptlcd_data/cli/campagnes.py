"""Follow-up campaigns (`campaign`): open, close, list, each porteur's workbook, who answered,
reminders by e-mail."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import exports, formats
from ptlcd_data.access import liens
from ptlcd_data.build import open_store
from ptlcd_data.campagnes import (
    campaigns,
    completion,
    etapes,
    mail,
    relances_envoi,
    texts,
    workbooks,
)
from ptlcd_data.cli.common import cli_user, parse_date
from ptlcd_data.courriels import imap, intake
from ptlcd_data.errors import InputError
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection
from ptlcd_data.veille import run as veille_run

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def cmd_campaign(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "remind":
        return _remind(args, settings)  # holds the base only while reading and recording
    if args.action == "fetch-replies":
        return _fetch_replies(args, settings)
    conn = open_store(settings)
    try:
        if args.action == "links":
            return _links(conn, args)
        if args.action == "open":
            c = campaigns.open_campaign(
                conn, cli_user(conn), args.name, args.deadline, args.year, relances=args.relances
            )
            print(c.id)
        elif args.action == "relances":
            c = campaigns.set_reminder_days(conn, cli_user(conn), args.id, args.jours)
            print(
                f"Campagne « {c.label} » : relances automatiques "
                f"{etapes.describe(c.echeance, c.reminder_days)}."
            )
        elif args.action == "close":
            closed = campaigns.close_campaign(conn, cli_user(conn), args.id)
            print(f"Campagne « {closed.label} » close.")
        elif args.action == "list":
            found = campaigns.campaigns(conn)
            for c in found:
                print(texts.campaign_line(c))
            print(f"{len(found)} campagne(s).")
        elif args.action == "workbooks":
            paths = workbooks.write_workbooks(conn, args.id, args.output)
            print(f"{len(paths)} classeur(s) écrit(s) dans {args.output}.")
        else:
            table = completion.completion(conn, args.id)
            if args.output is None:
                print("\n".join(texts.status_lines(table)))
            else:
                fmt = args.format or args.output.suffix.lstrip(".").lower()
                if fmt not in ("csv", "xlsx"):
                    raise InputError(f"Format « {fmt or '?'} » impossible : csv ou xlsx.")
                exports.write_table(table, args.output, fmt, "Campagne")
                print(f"{len(table)} porteur(s) écrit(s) dans {args.output} ({fmt}).")
    finally:
        conn.close()
    return 0


def _remind(args: argparse.Namespace, settings: Settings) -> int:
    """`campaign remind ID [--dry-run] [-o DOSSIER] [--renvoyer CODE]…`.

    The base is read, then closed before the mail server is contacted: `relances_envoi.send`
    records each message on a connection of its own, so other programs use the base meanwhile.
    """
    smtp = mail.smtp_configured(settings)
    conn = open_store(settings)
    try:
        user = cli_user(conn)
        if smtp or args.dry_run:  # `send` attaches the workbooks itself
            todo = relances_envoi.due(conn, args.id, settings, renvoyer=args.renvoyer, attach=False)
        else:  # .eml files for every reminder: nothing ever left through a server
            found = relances_envoi.prepare(conn, args.id, settings, attach=args.output is not None)
            if args.output is not None and not args.dry_run:  # files to send: with their links
                found = relances_envoi.with_links(conn, settings, user, args.id, found)
            todo = relances_envoi.Due(found, {})
    finally:
        conn.close()
    if not todo.found:
        print("Tous les porteurs ont répondu : aucune relance.")
        return 0
    if args.dry_run:
        for row in relances_envoi.listing(todo.relances):
            print(
                f"{row['porteur']}\t{row['adresse']}\t{row['actions']} action(s)\t"
                f"{row['indicateurs']} indicateur(s)"
            )
        _print_left_out(todo.deja_text())
        print(f"{len(todo.relances)} relance(s) à envoyer ; simulation : rien n'a été envoyé.")
        return 0
    sent = relances_envoi.send(
        settings, user, args.id, renvoyer=args.renvoyer, progress=_print_envoi
    )
    if not smtp:
        if args.output is None:
            print(
                "Aucun serveur d'envoi (PTLCD_SMTP_HOST) : rien n'a été envoyé. Indiquez -o "
                "DOSSIER pour écrire les messages en fichiers .eml."
            )
            return 0
        paths = mail.write_eml(todo.found, settings, args.output)
        print(f"Aucun serveur d'envoi : {len(paths)} fichier(s) .eml écrit(s) dans {args.output}.")
        return 0
    _print_left_out(sent.deja)
    print(sent.summary())
    envois = sent.envois
    gone = sum(e.statut == "envoye" for e in envois)
    return 0 if gone == sum(e.statut != "sans_adresse" for e in envois) else 1


def _fetch_replies(args: argparse.Namespace, settings: Settings) -> int:
    """`campaign fetch-replies [ID]`: the base is migrated and closed, then the mailbox read
    (`courriels.intake` opens the base only between talks with the servers)."""
    open_store(settings).close()
    # Never beside a running `notify run`, which reads the same mailbox (its lock).
    with veille_run.exclusive(settings) as mine:
        if not mine:
            raise InputError(
                "Une exécution de notify run relève la boîte en ce moment : réessayez dans un "
                "instant (rien n'a été fait)."
            )
        report = intake.fetch_replies(settings, args.id)
    for line in report.lines:
        print(line, flush=True)
    if imap.configured(settings):
        print(report.summary())
    return 0 if report.ok else 1


def _links(conn: Connection, args: argparse.Namespace) -> int:
    """`campaign links list [ID]`, `campaign links revoke CODE`."""
    if args.links_action == "revoke":
        if not liens.has_links(conn, args.code):  # a porteur gone from the plan keeps its links
            plan_porteurs.check_codes(conn, [args.code])
        count = liens.revoke_porteur(conn, cli_user(conn), args.code)
        print(
            f"{count} lien(s) révoqué(s) pour le porteur {args.code} : ils n'ouvrent plus rien."
            if count
            else f"Aucun lien valable pour le porteur {args.code} : rien à révoquer."
        )
        return 0
    found = liens.links(conn, args.id)
    for r in found.itertuples(index=False):
        print(
            f"{r.id}	campagne {r.campagne_id}	{r.porteur_code}	créé le {formats.day(r.cree_le)}"
            f"	jusqu'au {formats.day(r.expire_le - timedelta(seconds=1))}	{r.etat}	"
            f"{formats.count(int(r.ouvertures), 'ouverture')}"
        )
    print(
        f"{len(found)} lien(s) ; les liens eux-mêmes ne sont pas conservés, seule leur empreinte."
    )
    return 0


def _print_envoi(envoi: mail.Envoi) -> None:
    """One line per reminder, printed as soon as it is recorded (a long run shows its progress,
    and an interrupted one what left)."""
    print(
        f"{envoi.porteur_code}\t{envoi.destinataire or 'sans adresse'}\t{envoi.detail}", flush=True
    )


def _print_left_out(deja: str) -> None:
    if deja:
        print(f"{deja} : pas de nouvel envoi (--renvoyer CODE pour relancer à nouveau).")


def add_campaign(sub: SubParsers) -> None:
    """Declare `campaign` and its arguments."""
    p = sub.add_parser(
        "campaign",
        help="campagnes de suivi : open, relances, close, list, workbooks, status, remind, "
        "links, fetch-replies",
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("open", help="ouvrir une campagne (affiche son numéro)")
    a.add_argument("name", metavar="NOM", help="nom de la campagne")
    a.add_argument("--deadline", type=parse_date, required=True, help="échéance (JJ/MM/AAAA)")
    a.add_argument("--year", type=int, help="année des indicateurs (défaut : l'an dernier)")
    a.add_argument(
        "--relances",
        metavar="JOURS",
        help="jours des relances automatiques avant l'échéance (défaut : 7,1,-3 : 7 jours "
        "avant, la veille, 3 jours après ; vide : aucune)",
    )
    a = acts.add_parser("relances", help="changer les jours des relances automatiques")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la campagne")
    a.add_argument("jours", metavar="JOURS", help='par exemple 7,1,-3 ; "" : aucune')
    for name, text in (("close", "fermer une campagne"), ("workbooks", "un classeur par porteur")):
        a = acts.add_parser(name, help=text)
        a.add_argument("id", type=int, metavar="ID", help="numéro de la campagne")
    a.add_argument("-o", "--output", type=Path, required=True, help="dossier à écrire")
    acts.add_parser("list", help="les campagnes")
    a = acts.add_parser("status", help="réponses par porteur")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la campagne")
    a.add_argument("--format", choices=["csv", "xlsx"], help="csv ou xlsx")
    a.add_argument("-o", "--output", type=Path, help="fichier à écrire (sinon : un tableau)")
    a = acts.add_parser("remind", help="relancer par courriel les porteurs qui n'ont pas répondu")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la campagne")
    a.add_argument("--dry-run", action="store_true", help="lister les relances, sans rien envoyer")
    a.add_argument(
        "-o", "--output", type=Path, help="sans serveur d'envoi : dossier où écrire les .eml"
    )
    a.add_argument(
        "--renvoyer",
        action="append",
        default=[],
        metavar="CODE",
        help="relancer à nouveau ce porteur, déjà relancé pour cette campagne (répétable)",
    )
    a = acts.add_parser("links", help="liens personnels des relances (répondre sans compte)")
    links = a.add_subparsers(dest="links_action", required=True, metavar="ACTION")
    b = links.add_parser("list", help="les liens créés, leur état et leurs ouvertures")
    b.add_argument("id", type=int, nargs="?", metavar="ID", help="numéro de la campagne")
    b = links.add_parser("revoke", help="révoquer tous les liens valables d'un porteur")
    b.add_argument("code", metavar="CODE", help="code du porteur")
    a = acts.add_parser(
        "fetch-replies",
        help="relever la boîte aux lettres : chaque classeur de campagne reçu devient un dépôt à "
        "valider, chaque message reçoit une réponse",
    )
    a.add_argument(
        "id", type=int, nargs="?", metavar="ID", help="n'accepter que cette campagne (ouverte)"
    )
    p.set_defaults(func=cmd_campaign)
