"""The follow-up data in and out: `export` (tables, open data), the import `template`, `import`,
its `history` and `undo`, and the annual `report`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import ptlcd_data.campagnes.returns  # noqa: F401 - plugs the campaign checks into imports
from ptlcd_data import dates, exports, store
from ptlcd_data.build import open_store
from ptlcd_data.classeurs import problems
from ptlcd_data.cli.common import USER_HELP, cli_user, or_dash, parse_date
from ptlcd_data.depots import records as depot_records
from ptlcd_data.errors import InputError
from ptlcd_data.imports import batches, preview, template, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import queries
from ptlcd_data.settings import Settings
from ptlcd_data.suivi import engagements, status_queries
from ptlcd_data.synthese import model, report

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers

# An exporter returns the sheets to write: {sheet name: table}. CSV/Parquet take the first one.
Exporter = Callable[[store.Connection, date], dict[str, pd.DataFrame]]


def _export_plan(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Plan": queries.plan_export(conn, as_of)}


def _export_indicators(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Indicateurs": valeurs.export_table(conn, as_of)}


def _export_status(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Statuts": status_queries.export_status(conn, as_of)}


def _export_engagement(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    return {"Engagements": engagements.engagement_export(conn, as_of)}


def _export_all(conn: store.Connection, as_of: date) -> dict[str, pd.DataFrame]:
    """Plan, statuses, engagement and indicators: one workbook (`--format xlsx`)."""
    return {
        **_export_plan(conn, as_of),
        **_export_status(conn, as_of),
        **_export_engagement(conn, as_of),
        **_export_indicators(conn, as_of),
    }


EXPORTERS: dict[str, Exporter] = {
    "plan": _export_plan,
    "indicators": _export_indicators,
    "status": _export_status,
    "engagement": _export_engagement,
    "all": _export_all,
}


# Not a table but a folder (a data package): `export opendata -o DIR`.
OPENDATA = "opendata"


def _export_opendata(args: argparse.Namespace, settings: Settings) -> int:
    """`export opendata -o DIR`: the Frictionless package (ptlcd_data/opendata)."""
    from ptlcd_data.opendata import package

    if args.format:
        print("usage : export opendata écrit un dossier de CSV, sans --format.", file=sys.stderr)
        return 2
    conn = open_store(settings)
    try:
        written = package.write_package(
            conn, args.output, dates.or_today(args.as_of), avec_demo=args.avec_demo
        )
    finally:
        conn.close()
    print(f"Paquet de données ouvertes écrit dans {written.directory} :")
    for name, n in written.rows.items():
        print(f"  {name}.csv : {n} ligne(s)")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    if args.what == OPENDATA:
        return _export_opendata(args, settings)
    if args.avec_demo:
        print("usage : --avec-demo ne vaut que pour export opendata.", file=sys.stderr)
        return 2
    fmt = args.format or (args.output.suffix.lstrip(".").lower() or "csv")
    if fmt not in exports.FORMATS:
        raise InputError(
            f"Format « {fmt} » inconnu ; formats possibles : {', '.join(exports.FORMATS)}."
        )
    conn = open_store(settings)
    try:
        sheets = EXPORTERS[args.what](conn, dates.or_today(args.as_of))
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


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        raise InputError(f"Fichier introuvable : {path}.")
    data = path.read_bytes()
    conn = open_store(settings)
    try:
        user = cli_user(conn, args.user)
        check = verify.check_file(conn, data, path.name, settings, user=user)
        # Asked once: `ok` filters the whole problem table, and asking it for each printed
        # problem made printing quadratic (150,000 problems: minutes).
        out = sys.stdout if check.ok else sys.stderr
        for problem in check.problems.to_dict("records"):
            print(problems.format_problem(problem), file=out)
        summary = check.counts_text()
        if check.campagne_id is not None:
            summary += (
                f" ; campagne n° {check.campagne_id}, porteur {check.porteur_code} : "
                f"{check.confirmations_count()} confirmation(s) sans changement"
            )
        if not check.ok:
            print(
                f"Fichier refusé : {len(check.errors)} erreur(s), rien n'est publié.",
                file=sys.stderr,
            )
            return 1
        changes = preview.changes(check)
        for row in changes.itertuples(index=False):
            print(
                f"{row.feuille}, ligne {row.ligne} : {row.objet} · {row.champ} : "
                f"{or_dash(row.ancien)} → {or_dash(row.nouveau)}"
            )
        if args.dry_run:
            print(f"Simulation ({summary}) : rien n'a été publié.")
            return 0
        if depot_records.applies(settings, user):
            depot_id = depot_records.submit_check(
                conn, user, check, origine="fichier", commentaire=args.commentaire
            )
            print(
                f"Dépôt n° {depot_id} enregistré, à valider ({summary}) : rien n'est publié "
                "avant sa validation par l'équipe (page « Dépôts à valider »)."
            )
            return 0
        batch_id = batches.publish(conn, user, check, backup_keep=settings.backups_kept)
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
        undo_id = batches.undo(
            conn, cli_user(conn, args.user), args.batch_id, backup_keep=settings.backups_kept
        )
    finally:
        conn.close()
    print(f"Lot n° {args.batch_id} annulé (lot d'annulation n° {undo_id}).")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    fmt = report.check_format(args.format or args.output.suffix)
    conn = open_store(settings)
    try:
        s = model.synthese_annuelle(conn, args.year, date.today())
    finally:
        conn.close()
    data = report.render(s, fmt)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(
        f"Synthèse annuelle {args.year} ({model.situation(s).lower()}) écrite dans {args.output} ({fmt})."
    )
    return 0


def add_export(sub: SubParsers) -> None:
    """Declare `export` and its arguments."""
    p = sub.add_parser("export", help="exporter un tableau (plan, …)")
    exportables = sorted([*EXPORTERS, OPENDATA])
    p.add_argument("what", choices=exportables, metavar="QUOI", help=", ".join(exportables))
    p.add_argument("--format", choices=exports.FORMATS, help="csv, xlsx ou parquet")
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="fichier à écrire (dossier : opendata)"
    )
    p.add_argument("--as-of", type=parse_date, help="date d'observation (défaut : aujourd'hui)")
    p.add_argument(
        "--avec-demo", action="store_true", help="opendata : garder les données de démonstration"
    )
    p.set_defaults(func=cmd_export)


def add_template(sub: SubParsers) -> None:
    """Declare `template` and its arguments."""
    p = sub.add_parser("template", help="écrire le modèle d'import (.xlsx ou .csv)")
    p.add_argument("output", type=Path, metavar="FICHIER", help="modele.xlsx ou modele.csv")
    p.add_argument("--annee", type=int, help="année pré-remplie (défaut : l'an dernier)")
    p.set_defaults(func=cmd_template)


def add_import(sub: SubParsers) -> None:
    """Declare `import` and its arguments."""
    p = sub.add_parser("import", help="vérifier puis publier un fichier d'indicateurs ou de suivi")
    p.add_argument("file", type=Path, metavar="FICHIER", help=".xlsx, .xlsm, .ods, .xls ou .csv")
    p.add_argument("--dry-run", action="store_true", help="vérifier et montrer, sans publier")
    p.add_argument("--user", help=USER_HELP.format(qui="qui importe"))
    p.add_argument(
        "--commentaire",
        metavar="TEXTE",
        help="pour un compte porteur (validation activée) : un mot à l'équipe, joint au dépôt",
    )
    p.set_defaults(func=cmd_import)


def add_history(sub: SubParsers) -> None:
    """Declare `history` and its arguments."""
    p = sub.add_parser("history", help="historique des imports")
    p.add_argument("--limit", type=int, default=200, help="nombre de lots montrés")
    p.set_defaults(func=cmd_history)


def add_undo(sub: SubParsers) -> None:
    """Declare `undo` and its arguments."""
    p = sub.add_parser("undo", help="annuler un lot importé")
    p.add_argument("batch_id", type=int, metavar="LOT", help="numéro du lot (voir history)")
    p.add_argument("--user", help=USER_HELP.format(qui="qui annule"))
    p.set_defaults(func=cmd_undo)


def add_report(sub: SubParsers) -> None:
    """Declare `report` and its arguments."""
    p = sub.add_parser("report", help="synthèse annuelle pour les élus (PDF ou XLSX)")
    p.add_argument("--year", type=int, required=True, metavar="AAAA", help="année de la synthèse")
    p.add_argument("--format", choices=report.FORMATS, help="pdf ou xlsx (sinon l'extension)")
    p.add_argument("-o", "--output", type=Path, required=True, help="fichier à écrire")
    p.set_defaults(func=cmd_report)
