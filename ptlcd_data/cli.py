"""The command line: `python -m ptlcd_data [--db PATH] COMMAND`.

Exit codes: 0 done, 1 input or data refused (the message says why, in French), 2 usage error.
Each command is a function `cmd_<name>(args, settings) -> int`; exporters are listed in EXPORTERS.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from ptlcd_data import auth, batches, cli_fr, demo, exports, ingest, queries, store, template
from ptlcd_data.build import build, open_store
from ptlcd_data.errors import InputError, PtlcdError
from ptlcd_data.settings import Settings

# An exporter returns the sheets to write: {sheet name: table}. CSV/Parquet take the first one.
Exporter = Callable[[store.Connection, date], dict[str, pd.DataFrame]]


def _export_plan(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Plan": queries.plan_export(conn)}


def _export_indicateurs(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Indicateurs": batches.current_values(conn)}


EXPORTERS: dict[str, Exporter] = {
    "plan": _export_plan,
    "indicateurs": _export_indicateurs,
}


def parse_date(text: str) -> date:
    """'2019-12-31' or '31/12/2019'."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date « {text} » invalide ; attendu AAAA-MM-JJ ou JJ/MM/AAAA")


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    conn = store.connect(settings.db_path)
    try:
        counts = build(conn, settings.data_dir, demo=not args.no_demo)
    finally:
        conn.close()
    print(
        f"Base prête : {settings.db_path}\n"
        + "\n".join(f"  {name} : {n}" for name, n in counts.items())
    )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    fmt = args.format or (args.output.suffix.lstrip(".").lower() or "csv")
    if fmt not in exports.FORMATS:
        raise InputError(
            f"Format « {fmt} » inconnu ; formats possibles : {', '.join(exports.FORMATS)}."
        )
    conn = open_store(settings)
    try:
        sheets = EXPORTERS[args.what](conn, args.as_of or date.today())
    finally:
        conn.close()
    if fmt == "xlsx":
        data = exports.workbook_bytes(sheets)
    else:
        if len(sheets) > 1:
            raise InputError(
                f"L'export « {args.what} » contient plusieurs tableaux : choisissez --format xlsx."
            )
        data = exports.table_bytes(next(iter(sheets.values())), fmt)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    rows = sum(len(df) for df in sheets.values())
    print(f"{rows} ligne(s) écrite(s) dans {args.output} ({fmt}).")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
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


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    fmt = args.output.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "csv"):
        raise InputError(f"Format « {fmt or '?'} » impossible pour le modèle : .xlsx ou .csv.")
    conn = open_store(settings)
    try:
        data = template.template_bytes(conn, fmt, args.annee)
    finally:
        conn.close()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"Modèle écrit dans {args.output} ({fmt}).")
    return 0


def _cli_user(name: str | None) -> auth.User:
    """The command line acts with the system's rights, under the name given by --user."""
    if not name:
        return auth.SYSTEM
    return auth.User(name, name, auth.SYSTEM.role)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        raise InputError(f"Fichier introuvable : {path}.")
    data = path.read_bytes()
    conn = open_store(settings)
    try:
        check = ingest.check_file(conn, data, path.name, settings)
        for problem in check.problems.to_dict("records"):
            print(ingest.format_problem(problem), file=sys.stderr if not check.ok else sys.stdout)
        counts = check.counts()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        if not check.ok:
            print(
                f"Fichier refusé : {len(check.errors)} erreur(s), rien n'est publié.",
                file=sys.stderr,
            )
            return 1
        changes = ingest.preview(check)
        for row in changes.itertuples(index=False):
            print(
                f"{row.feuille}, ligne {row.ligne} : {row.objet} · {row.champ} : "
                f"{row.ancien if row.ancien is not None else '—'} → {row.nouveau}"
            )
        if args.dry_run:
            print(f"Simulation ({summary}) : rien n'a été publié.")
            return 0
        batch_id = batches.publish(conn, _cli_user(args.user), check)
    finally:
        conn.close()
    if batch_id is None:
        print(f"Rien à publier : le fichier ne change aucune valeur ({summary}).")
    else:
        print(f"Lot n° {batch_id} publié : {summary}.")
    return 0


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        table = batches.history(conn, args.limit)
    finally:
        conn.close()
    if table.empty:
        print("Aucun import publié.")
        return 0
    for row in table.itertuples(index=False):
        extra = f" (annule le lot {row.annule_batch})" if not pd.isna(row.annule_batch) else ""
        print(
            f"lot {row.id} · {row.cree_le:%d/%m/%Y %H:%M} · {row.auteur} · {row.statut}{extra} · "
            f"{row.fichier} · créés {row.nb_crees}, modifiés {row.nb_modifies}, "
            f"inchangés {row.nb_inchanges}, ignorés {row.nb_ignores} · sha256 {row.sha256[:12]}…"
        )
    return 0


def cmd_undo(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        undo_id = batches.undo(conn, _cli_user(args.user), args.batch_id)
    finally:
        conn.close()
    print(f"Lot n° {args.batch_id} annulé (lot d'annulation n° {undo_id}).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ptlcd_data",
        description="Suivi du Plan territorial de lutte contre les discriminations (PTLCD).",
    )
    parser.add_argument(
        "--db", type=Path, help="fichier DuckDB (sinon PTLCD_DB, sinon var/ptlcd.duckdb)"
    )
    parser.add_argument("--data", type=Path, help="dossier des CSV du plan (sinon PTLCD_DATA)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    p = sub.add_parser("init", help="construire ou rafraîchir la base depuis data/")
    p.add_argument("--no-demo", action="store_true", help="sans données de démonstration")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="données de démonstration : compter, supprimer (--remove)")
    p.add_argument(
        "--remove", action="store_true", help="supprimer toutes les données de démonstration"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="exporter un tableau (plan, …)")
    p.add_argument(
        "what", choices=sorted(EXPORTERS), metavar="QUOI", help=", ".join(sorted(EXPORTERS))
    )
    p.add_argument("--format", choices=exports.FORMATS, help="csv, xlsx ou parquet")
    p.add_argument("-o", "--output", type=Path, required=True, help="fichier à écrire")
    p.add_argument("--as-of", type=parse_date, help="date d'observation (défaut : aujourd'hui)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("template", help="écrire le modèle d'import (.xlsx ou .csv)")
    p.add_argument("output", type=Path, metavar="FICHIER", help="modele.xlsx ou modele.csv")
    p.add_argument("--annee", type=int, help="année pré-remplie (défaut : l'an dernier)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="vérifier puis publier un fichier d'indicateurs ou de suivi")
    p.add_argument("file", type=Path, metavar="FICHIER", help=".xlsx, .xlsm, .ods, .xls ou .csv")
    p.add_argument("--dry-run", action="store_true", help="vérifier et montrer, sans publier")
    p.add_argument("--user", help="nom de la personne qui importe (journal et historique)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("history", help="historique des imports")
    p.add_argument("--limit", type=int, default=200, help="nombre de lots montrés")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("undo", help="annuler un lot importé")
    p.add_argument("batch_id", type=int, metavar="LOT", help="numéro du lot (voir history)")
    p.add_argument("--user", help="nom de la personne qui annule")
    p.set_defaults(func=cmd_undo)
    return parser


def main(argv: list[str] | None = None) -> int:
    cli_fr.install()
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    settings = Settings.from_env(db_path=args.db, data_dir=args.data)
    try:
        return int(args.func(args, settings))
    except PtlcdError as exc:
        print(f"{exc.title} : {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the user gets French, the log gets details
        if os.environ.get("PTLCD_DEBUG"):
            traceback.print_exc()
        print(
            f"Erreur inattendue ({type(exc).__name__}) : {exc}. "
            "Relancez avec PTLCD_DEBUG=1 pour le détail technique.",
            file=sys.stderr,
        )
        return 1
