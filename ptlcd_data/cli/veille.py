"""The scheduled job (`notify`): `notify run` sends what is due (replies fetched, reminders,
the weekly digest), `notify log` lists what was sent."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from ptlcd_data import formats
from ptlcd_data.build import open_store
from ptlcd_data.cli.common import cli_user, or_dash, parse_date
from ptlcd_data.courriels import intake
from ptlcd_data.errors import ImapError
from ptlcd_data.settings import Settings
from ptlcd_data.veille import records
from ptlcd_data.veille import run as veille_run

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers


def _fetch(settings: Settings, campaign_id: int | None) -> list[str]:
    """The mailbox intake (`courriels`), given to `veille` by the command line: its lines, or an
    ImapError when the run was cut (the run is then marked failed; the next one picks up)."""
    found = intake.fetch_replies(settings, campaign_id)
    if not found.ok:
        raise ImapError(" ".join(found.lines))
    return list(found.lines)


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    conn = open_store(settings)  # migrates the base; closed before anything is sent
    try:
        user = cli_user(conn)
        if args.action == "log":
            table = records.log(conn, args.depuis)
    finally:
        conn.close()
    if args.action == "log":
        for r in table.itertuples(index=False):
            print(
                f"{formats.timestamp(r.envoye_le)}\t{r.envoi}\t{r.destinataire}\t"
                f"{or_dash(r.adresse)}\t{r.etape}\t{r.statut}\t{or_dash(r.detail)}"
            )
        print(f"{len(table)} envoi(s).")
        return 0
    report = veille_run.run(
        settings, args.date or date.today(), user=user, fetch=_fetch, dry_run=args.dry_run
    )
    for line in report.lines:
        print(line, flush=True)
    return 1 if report.failed else 0


def add_notify(sub: SubParsers) -> None:
    """Declare `notify` and its arguments."""
    p = sub.add_parser(
        "notify", help="la tâche planifiée : run (relances dues, récapitulatif), log"
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser(
        "run",
        help="relever les retours, envoyer les relances dues et le récapitulatif hebdomadaire",
    )
    a.add_argument(
        "--date", type=parse_date, help="le jour à simuler (AAAA-MM-JJ ; défaut : aujourd'hui)"
    )
    a.add_argument(
        "--dry-run",
        action="store_true",
        help="dire ce qui serait fait, sans rien envoyer ni écrire",
    )
    a = acts.add_parser("log", help="ce qui a été envoyé, à qui, pour quelle étape, le résultat")
    a.add_argument("--depuis", type=parse_date, help="depuis ce jour (AAAA-MM-JJ)")
    p.set_defaults(func=cmd_notify)
