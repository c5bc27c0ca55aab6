"""`init` (a base from data/ or from a plan workbook) and `plan export` / `plan import`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import dates, store
from ptlcd_data.build import build, build_from_workbook, open_store
from ptlcd_data.classeurs import problems
from ptlcd_data.cli.common import USER_HELP, cli_user, parse_date
from ptlcd_data.errors import InputError
from ptlcd_data.plan import edits, queries, workbook_write
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    conn = store.connect(settings.db_path, check=True)
    try:
        if args.plan is None:
            _refuse_data_over_workbook(conn)
            counts = build(conn, settings.data_dir, demo=not args.no_demo)
        else:
            counts = _init_from_workbook(conn, args.plan, settings, demo=not args.no_demo)
    finally:
        conn.close()
    print(
        f"Base prête : {settings.db_path}\n"
        + "\n".join(f"  {name} : {n}" for name, n in counts.items())
    )
    return 0


def _refuse_data_over_workbook(conn: store.Connection) -> None:
    """A base built from a plan workbook is not refreshed from the data folder's plan."""
    store.migrate(conn)
    origin = (
        queries.plan_meta(conn).get(workbook_write.ORIGIN_KEY) if store.is_built(conn) else None
    )
    if origin == workbook_write.ORIGIN:
        raise InputError(
            "Cette base a été construite depuis un classeur du plan (init --plan) : « init » y "
            "chargerait le plan du dossier des données. Modifiez son plan avec « plan import » "
            "ou la page « Modifier le plan »."
        )


def _init_from_workbook(
    conn: store.Connection, path: Path, settings: Settings, *, demo: bool
) -> dict[str, int]:
    if not path.is_file():
        raise InputError(f"Fichier introuvable : {path}.")
    store.migrate(conn)
    if store.is_built(conn):
        raise InputError(
            f"La base {settings.db_path} contient déjà un plan : init --plan construit une "
            "nouvelle instance. Choisissez un nouveau fichier (--db), ou modifiez ce plan avec "
            "« plan import »."
        )
    return build_from_workbook(conn, path.read_bytes(), path.name, settings, demo=demo)


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    """`plan export FICHIER.xlsx [--as-of]` and `plan import FICHIER [--dry-run] …`."""
    conn = open_store(settings)
    try:
        if args.plan_command == "export":
            data = workbook_write.export(conn, args.as_of)
            args.file.parent.mkdir(parents=True, exist_ok=True)
            args.file.write_bytes(data)
            print(f"Plan écrit dans {args.file}.")
            return 0
        if not args.file.is_file():
            raise InputError(f"Fichier introuvable : {args.file}.")
        date_effet = dates.or_today(args.date_effet)
        check = edits.check_workbook(
            conn, args.file.read_bytes(), args.file.name, settings, date_effet
        )
        for problem in check.problems:
            print(problems.format_problem(problem), file=sys.stderr)
        if not check.ok:
            print(
                f"Fichier refusé : {len(check.errors)} erreur(s), rien n'est publié.",
                file=sys.stderr,
            )
            return 1
        if check.retired_actions():  # first, before the field-by-field list
            print(edits.retired_warning(check.retired_actions()))
        for warning in edits.later_warnings(conn, check.changes, date_effet):
            print(warning)
        for line in edits.preview_lines(check.changes):
            print(line)
        if not check.changes:
            print("Rien à publier : le classeur ne change rien au plan.")
            return 0
        counts = ", ".join(f"{n} {label}" for label, n in check.counts().items())
        if args.dry_run:
            print(f"Simulation ({counts}) : rien n'a été publié.")
            return 0
        if not (args.motif or "").strip():
            print(
                "Usage : --motif TEXTE est obligatoire pour publier (ou --dry-run).",
                file=sys.stderr,
            )
            return 2
        n = edits.publish(
            conn,
            check.changes,
            date_effet=date_effet,
            user=cli_user(conn, args.user),
            motif=args.motif,
            backup_keep=settings.backups_kept,
        )
    finally:
        conn.close()
    print(f"{n} changement(s) du plan publié(s) ({counts}), date d'effet {date_effet:%d/%m/%Y}.")
    return 0


def add_init(sub: SubParsers) -> None:
    """Declare `init` and its arguments."""
    p = sub.add_parser("init", help="construire ou rafraîchir la base depuis data/")
    p.add_argument("--no-demo", action="store_true", help="sans données de démonstration")
    p.add_argument(
        "--plan", type=Path, metavar="CLASSEUR", help="nouvelle base depuis un classeur du plan"
    )
    p.set_defaults(func=cmd_init)


def add_plan(sub: SubParsers) -> None:
    """Declare `plan` and its arguments."""
    p = sub.add_parser("plan", help="le plan en un classeur : export, import")
    plan_sub = p.add_subparsers(dest="plan_command", required=True, metavar="export|import")
    q = plan_sub.add_parser("export", help="écrire le plan en un classeur .xlsx modifiable")
    q.add_argument("file", type=Path, metavar="FICHIER.xlsx")
    q.add_argument("--as-of", type=parse_date, help="le plan à cette date (défaut : aujourd'hui)")
    q.set_defaults(func=cmd_plan)
    q = plan_sub.add_parser("import", help="vérifier puis publier un classeur du plan")
    q.add_argument("file", type=Path, metavar="FICHIER", help=".xlsx, .xlsm, .ods ou .xls")
    q.add_argument("--dry-run", action="store_true", help="vérifier et montrer, sans publier")
    q.add_argument("--user", help=USER_HELP.format(qui="qui publie"))
    q.add_argument("--date-effet", type=parse_date, help="défaut : aujourd'hui")
    q.add_argument("--motif", help="pourquoi le plan change (obligatoire pour publier)")
    q.set_defaults(func=cmd_plan)
