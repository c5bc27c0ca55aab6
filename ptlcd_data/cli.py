"""The command line: `python -m ptlcd_data [--db PATH] COMMAND`.

Exit codes: 0 done, 1 input or data refused (the message says why, in French), 2 usage error.
Each command is a function `cmd_<name>(args, settings) -> int`; exporters are listed in EXPORTERS.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

import ptlcd_data.campagnes.returns  # noqa: F401 - plugs the campaign checks into imports
from ptlcd_data import cli_fr, dates, demo, exports, store
from ptlcd_data.access import accounts, auth, journal, sessions
from ptlcd_data.access.auth import ROLES
from ptlcd_data.build import build, build_from_workbook, open_store
from ptlcd_data.campagnes import campaigns, completion, mail, texts, workbooks
from ptlcd_data.campagnes import relances_envoi as reminders  # the name its calls below use
from ptlcd_data.classeurs import problems
from ptlcd_data.demo import large as demo_large
from ptlcd_data.demo import suivi as demo_suivi
from ptlcd_data.errors import InputError, PtlcdError
from ptlcd_data.imports import batches, preview, template, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import edits, porteurs, queries, workbook
from ptlcd_data.settings import Settings
from ptlcd_data.store import backups
from ptlcd_data.suivi import engagements, status_queries
from ptlcd_data.synthese import model, report

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
    origin = queries.plan_meta(conn).get(workbook.ORIGIN_KEY) if store.is_built(conn) else None
    if origin == workbook.ORIGIN:
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
            data = workbook.export(conn, args.as_of)
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
            user=_cli_user(conn, args.user),
            motif=args.motif,
            backup_keep=settings.backups_kept,
        )
    finally:
        conn.close()
    print(f"{n} changement(s) du plan publié(s) ({counts}), date d'effet {date_effet:%d/%m/%Y}.")
    return 0


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
        actor = _cli_user(conn)
        if args.action == "list":
            users = accounts.list_users(conn)
            if users.empty:
                print("Aucun compte. Créez le premier administrateur : user add LOGIN --role admin")
            for row in users.itertuples():
                print(f"{row.login}\t{row.role}\t{row.nom}\t{row.porteurs or '—'}")
            return 0
        if not args.login:
            raise InputError("Indiquez l'identifiant du compte.")
        if args.action == "add":
            if not args.role:
                raise InputError(f"Indiquez le rôle (--role) : {', '.join(ROLES)}.")
            codes = _porteur_codes(args.porteur)
            accounts.check_role_porteurs(conn, args.role, codes)  # before asking a password
            user = accounts.add_user(
                conn,
                actor,
                args.login,
                args.nom or args.login,
                args.role,
                _read_password(args),
                porteurs=codes or (),
            )
            print(f"Compte « {args.login} » créé (rôle {args.role}{_for(user.porteurs)}).")
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
                conn, _cli_user(conn), args.code, email=args.email, contact=args.contact
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


def _or_dash(value: object) -> str:
    """A journal value as printed: "—" when there is none (None or a DataFrame's NaN)."""
    return "—" if value is None or pd.isna(value) else str(value)


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
            f"{_or_dash(r.ancien)} -> {_or_dash(r.nouveau)}"
        )
    print(f"{len(rows)} entrée(s).")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.output:
            path = backups.backup(conn, args.output)
        else:
            path = backups.auto_backup(conn, settings.db_path, "manuelle", settings.backups_kept)
    finally:
        conn.close()
    print(f"Sauvegarde écrite : {path}")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    done = backups.restore(args.file, settings.db_path, settings.backups_kept)
    conn = open_store(settings)
    try:
        with store.transaction(conn):
            # The backup's login sessions, some since closed, do not live again: all log in anew.
            ended = sessions.close_all_sessions(conn)
            journal.log(
                conn,
                _cli_user(conn),
                "restauration",
                str(args.file.name),
                None,
                {
                    "copie_precedente": str(done.copy) if done.copy else None,
                    "base_endommagee_deplacee": (
                        str(done.damaged_moved_to) if done.damaged_moved_to else None
                    ),
                    "sessions_fermees": ended,
                },
            )
    finally:
        conn.close()
    if done.damaged_moved_to:
        print(f"Base endommagée mise de côté : {done.damaged_moved_to} (rien n'est effacé).")
    print(f"Base restaurée depuis {args.file}, vérifiée : elle s'ouvre.")
    if ended:
        print(f"{ended} session(s) de connexion fermée(s) : chacun se connecte de nouveau.")
    if done.copy:
        print(f"Copie de l'ancienne base : {done.copy}")
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


def _os_user() -> str:
    """The operating-system account running this command (the one whose rights it uses)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (a container), or not a Unix system
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "inconnu"


def _cli_user(conn: store.Connection, name: str | None = None) -> auth.User:
    """Who acts: the account named by --user, else the command line with the system's rights."""
    return accounts.command_line_user(conn, name, _os_user())


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path: Path = args.file
    if not path.is_file():
        raise InputError(f"Fichier introuvable : {path}.")
    data = path.read_bytes()
    conn = open_store(settings)
    try:
        user = _cli_user(conn, args.user)
        check = verify.check_file(conn, data, path.name, settings, user=user)
        for problem in check.problems.to_dict("records"):
            print(problems.format_problem(problem), file=sys.stderr if not check.ok else sys.stdout)
        counts = check.counts()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
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
                f"{row.ancien if row.ancien is not None else '—'} → {row.nouveau}"
            )
        if args.dry_run:
            print(f"Simulation ({summary}) : rien n'a été publié.")
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
            conn, _cli_user(conn, args.user), args.batch_id, backup_keep=settings.backups_kept
        )
    finally:
        conn.close()
    print(f"Lot n° {args.batch_id} annulé (lot d'annulation n° {undo_id}).")
    return 0


def cmd_campaign(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)
    try:
        if args.action == "open":
            c = campaigns.open_campaign(conn, _cli_user(conn), args.name, args.deadline, args.year)
            print(c.id)
        elif args.action == "close":
            closed = campaigns.close_campaign(conn, _cli_user(conn), args.id)
            print(f"Campagne « {closed.label} » close.")
        elif args.action == "list":
            found = campaigns.campaigns(conn)
            for c in found:
                print(texts.campaign_line(c))
            print(f"{len(found)} campagne(s).")
        elif args.action == "workbooks":
            paths = workbooks.write_workbooks(conn, args.id, args.output)
            print(f"{len(paths)} classeur(s) écrit(s) dans {args.output}.")
        elif args.action == "remind":
            return _remind(conn, args, settings)
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


def _remind(conn: store.Connection, args: argparse.Namespace, settings: Settings) -> int:
    """`campaign remind ID [--dry-run] [-o DOSSIER]`."""
    found = reminders.prepare(conn, args.id, settings)
    if not found:
        print("Tous les porteurs ont répondu : aucune relance.")
        return 0
    if args.dry_run:
        for row in reminders.listing(found):
            print(
                f"{row['porteur']}\t{row['adresse']}\t{row['actions']} action(s)\t"
                f"{row['indicateurs']} indicateur(s)"
            )
        print(f"{len(found)} relance(s) à envoyer ; simulation : rien n'a été envoyé.")
        return 0
    envois = reminders.send(conn, _cli_user(conn), args.id, settings)
    for envoi in envois:
        print(f"{envoi.porteur_code}\t{envoi.destinataire or 'sans adresse'}\t{envoi.detail}")
    if not mail.smtp_configured(settings):
        if args.output is None:
            print(
                "Aucun serveur d'envoi (PTLCD_SMTP_HOST) : rien n'a été envoyé. Indiquez -o "
                "DOSSIER pour écrire les messages en fichiers .eml."
            )
            return 0
        paths = mail.write_eml(found, settings, args.output)
        print(f"Aucun serveur d'envoi : {len(paths)} fichier(s) .eml écrit(s) dans {args.output}.")
        return 0
    sent = sum(e.statut == "envoye" for e in envois)
    print(f"{sent} relance(s) envoyée(s) sur {len(envois)}.")
    return 0 if sent == sum(e.statut != "sans_adresse" for e in envois) else 1


USER_HELP = (
    "compte local de la personne {qui} (son rôle s'applique) ; un autre nom est noté "
    "« ligne de commande (NOM) » avec le compte système"
)


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
    p.add_argument(
        "--plan", type=Path, metavar="CLASSEUR", help="nouvelle base depuis un classeur du plan"
    )
    p.set_defaults(func=cmd_init)

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

    p = sub.add_parser("user", help="comptes locaux : add, remove, passwd, role, list")
    p.add_argument(
        "action",
        choices=["add", "remove", "passwd", "role", "list"],
        metavar="ACTION",
        help="add, remove, passwd, role, list",
    )
    p.add_argument("login", nargs="?", help="identifiant du compte")
    p.add_argument("--role", choices=ROLES, help="lecture, porteur, saisie ou admin")
    p.add_argument("--porteur", metavar="CODE[,CODE]", help="porteur(s) d'un compte porteur")
    p.add_argument("--nom", help="nom affiché")
    p.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("porteurs", help="porteurs du plan : list, set (contact, adresse)")
    p.add_argument("action", choices=["list", "set"], metavar="ACTION", help="list ou set")
    p.add_argument("code", nargs="?", metavar="CODE", help="code du porteur (pour set)")
    p.add_argument("--email", help="adresse e-mail (vide pour l'effacer)")
    p.add_argument("--contact", help="nom du contact (vide pour l'effacer)")
    p.set_defaults(func=cmd_porteurs)

    p = sub.add_parser("journal", help="afficher le journal des écritures")
    p.add_argument("--auteur")
    p.add_argument("--operation")
    p.add_argument("--depuis", type=parse_date, help="date de début")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_journal)

    p = sub.add_parser("backup", help="copier toute la base (dans sauvegardes/ ou -o FICHIER)")
    p.add_argument("-o", "--output", type=Path)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="remplacer la base par une sauvegarde (l'actuelle est copiée avant)"
    )
    p.add_argument("file", type=Path, metavar="FICHIER")
    p.set_defaults(func=cmd_restore)

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

    p = sub.add_parser("template", help="écrire le modèle d'import (.xlsx ou .csv)")
    p.add_argument("output", type=Path, metavar="FICHIER", help="modele.xlsx ou modele.csv")
    p.add_argument("--annee", type=int, help="année pré-remplie (défaut : l'an dernier)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help="vérifier puis publier un fichier d'indicateurs ou de suivi")
    p.add_argument("file", type=Path, metavar="FICHIER", help=".xlsx, .xlsm, .ods, .xls ou .csv")
    p.add_argument("--dry-run", action="store_true", help="vérifier et montrer, sans publier")
    p.add_argument("--user", help=USER_HELP.format(qui="qui importe"))
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("history", help="historique des imports")
    p.add_argument("--limit", type=int, default=200, help="nombre de lots montrés")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("undo", help="annuler un lot importé")
    p.add_argument("batch_id", type=int, metavar="LOT", help="numéro du lot (voir history)")
    p.add_argument("--user", help=USER_HELP.format(qui="qui annule"))
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser(
        "campaign", help="campagnes de suivi : open, close, list, workbooks, status, remind"
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("open", help="ouvrir une campagne (affiche son numéro)")
    a.add_argument("name", metavar="NOM", help="nom de la campagne")
    a.add_argument("--deadline", type=parse_date, required=True, help="échéance (JJ/MM/AAAA)")
    a.add_argument("--year", type=int, help="année des indicateurs (défaut : l'an dernier)")
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
    p.set_defaults(func=cmd_campaign)

    p = sub.add_parser("report", help="synthèse annuelle pour les élus (PDF ou XLSX)")
    p.add_argument("--year", type=int, required=True, metavar="AAAA", help="année de la synthèse")
    p.add_argument("--format", choices=report.FORMATS, help="pdf ou xlsx (sinon l'extension)")
    p.add_argument("-o", "--output", type=Path, required=True, help="fichier à écrire")
    p.set_defaults(func=cmd_report)
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
        damaged = store.diagnosis(exc, settings.db_path)
        if damaged is not None:  # the file was cut or altered after it was opened
            print(f"{damaged.title} : {damaged.message}", file=sys.stderr)
            return 1
        print(
            f"Erreur inattendue ({type(exc).__name__}) : {exc}. "
            "Relancez avec PTLCD_DEBUG=1 pour le détail technique.",
            file=sys.stderr,
        )
        return 1
