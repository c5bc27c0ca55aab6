"""The GOLD's séances and décisions (`seance`, `decision`): open a séance, record, follow and
list décisions, write a séance's relevé in DOCX or PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import dates, exports, formats, store
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import USER_HELP, cli_user, parse_date
from ptlcd_data.decisions import queries, records
from ptlcd_data.depots import drafts, forms
from ptlcd_data.depots import records as depot_records
from ptlcd_data.errors import InputError
from ptlcd_data.releve import content, report
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def cmd_seance(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "add":
            user = cli_user(conn, args.user)
            print(
                records.open_seance(
                    conn, user, args.date, titre=args.titre, participants=args.participants
                )
            )
        else:
            fmt = content.check_format(args.format or args.output.suffix)
            data = report.build(conn, args.id, fmt)
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_bytes(data)
            print(f"Relevé de la séance n° {args.id} écrit dans {args.output} ({fmt}).")
    finally:
        conn.close()
    return 0


def cmd_decision(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "add":
            print(
                records.add_decision(
                    conn,
                    cli_user(conn, args.user),
                    args.seance,
                    texte=args.texte,
                    responsable=args.responsable,
                    echeance=args.echeance,
                    action_no=args.action_no,
                    indicateur=args.indicateur,
                )
            )
        elif args.action == "set":
            user = cli_user(conn, args.user)
            if depot_records.applies(settings, user):
                records.check_etat(conn, user, args.id, args.etat, commentaire=args.commentaire)
                line = forms.decision_line(args.id, args.commentaire)
                depot = drafts.submit_lines(conn, user, [line])
                print(
                    f"Dépôt n° {depot} enregistré, à valider : la décision n° {args.id} sera "
                    "« faite » une fois le dépôt publié par l'équipe."
                )
            else:
                records.set_etat(conn, user, args.id, args.etat, commentaire=args.commentaire)
                print(f"Décision n° {args.id} : {queries.etat_label(args.etat)}.")
        else:
            return _list(conn, args)
    finally:
        conn.close()
    return 0


def _list(conn: store.Connection, args: argparse.Namespace) -> int:
    """`decision list [--etat E] [--en-retard] [--responsable R] [--as-of D] [--format csv -o F]`."""
    table = queries.decision_table(
        conn,
        dates.or_today(args.as_of),
        etats=(args.etat,) if args.etat else (),
        en_retard=True if args.en_retard else None,
        responsables=(args.responsable,) if args.responsable else (),
    )[queries.COLUMNS]
    if args.output is not None:
        fmt = args.format or args.output.suffix.lstrip(".").lower() or "csv"
        if fmt not in exports.FORMATS:
            raise InputError(
                f"Format « {fmt} » inconnu ; formats possibles : {', '.join(exports.FORMATS)}."
            )
        exports.write_table(table, args.output, fmt, "Décisions")
        print(f"{len(table)} décision(s) écrite(s) dans {args.output} ({fmt}).")
        return 0
    for r in table.itertuples(index=False):
        late = " (en retard)" if r.en_retard else ""
        print(
            f"{r.id}\tséance {r.seance} du {formats.day(r.seance_date)}\t"
            f"{queries.subject(r.action_no, r.indicateur)}\t{r.responsable}\t"
            f"échéance {formats.day(r.echeance)}\t{queries.etat_label(r.etat)}{late}\t{r.texte}"
        )
    print(f"{len(table)} décision(s).")
    return 0


def add_seance(sub: SubParsers) -> None:
    """Declare `seance` and its arguments."""
    p = sub.add_parser("seance", help="séances du GOLD : add, export (relevé de décisions)")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("add", help="ouvrir une séance (affiche son numéro)")
    a.add_argument("date", type=parse_date, metavar="DATE", help="date de la séance (JJ/MM/AAAA)")
    a.add_argument("--titre", help="titre (défaut : « Séance du JJ/MM/AAAA »)")
    a.add_argument("--participants", help="participants (texte libre)")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui ouvre la séance"))
    a = acts.add_parser("export", help="écrire le relevé de décisions d'une séance")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la séance")
    a.add_argument("-o", "--output", type=Path, required=True, help="FICHIER.docx ou FICHIER.pdf")
    a.add_argument("--format", choices=list(content.FORMATS), help="docx ou pdf (sinon : -o)")
    p.set_defaults(func=cmd_seance)


def add_decision(sub: SubParsers) -> None:
    """Declare `decision` and its arguments."""
    p = sub.add_parser("decision", help="décisions du GOLD : add, set, list")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("add", help="enregistrer une décision (affiche son numéro)")
    a.add_argument("--seance", type=int, required=True, help="numéro de la séance")
    on = a.add_mutually_exclusive_group()
    on.add_argument("--action", dest="action_no", type=int, metavar="N", help="action concernée")
    on.add_argument("--indicateur", metavar="CODE", help="indicateur concerné")
    a.add_argument("--texte", required=True, help="texte de la décision")
    a.add_argument(
        "--responsable", required=True, help="code d'un porteur du plan, ou nom d'une personne"
    )
    a.add_argument("--echeance", type=parse_date, required=True, help="échéance (JJ/MM/AAAA)")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui enregistre"))
    a = acts.add_parser("set", help="changer l'état d'une décision")
    a.add_argument("id", type=int, metavar="ID", help="numéro de la décision")
    a.add_argument("--etat", required=True, choices=list(records.ETATS), help="nouvel état")
    a.add_argument("--commentaire", help="commentaire (ce qui a été fait, pourquoi)")
    a.add_argument("--user", required=True, help=USER_HELP.format(qui="qui change l'état"))
    a = acts.add_parser("list", help="les décisions à une date, en retard d'abord")
    a.add_argument("--etat", choices=list(records.ETATS), help="seulement cet état")
    a.add_argument("--en-retard", action="store_true", help="seulement les décisions en retard")
    a.add_argument("--responsable", help="seulement ce responsable (code de porteur ou nom)")
    a.add_argument("--as-of", type=parse_date, help="date d'observation (défaut : aujourd'hui)")
    a.add_argument("--format", choices=list(exports.FORMATS), help="format du fichier -o")
    a.add_argument("-o", "--output", type=Path, help="fichier à écrire (sinon : une liste)")
    p.set_defaults(func=cmd_decision)
