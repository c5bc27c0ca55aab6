"""The command line: `python -m ptlcd_data [--db PATH] COMMAND`.

Exit codes: 0 done, 1 input or data refused (the message says why, in French), 2 usage error.
Each command is a function `cmd_<name>(args, settings) -> int`, in the module of its family,
beside `add_<name>(sub)` that declares its arguments; exporters are listed in
`donnees.EXPORTERS`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ptlcd_data import store
from ptlcd_data.cli import (
    base,
    campagnes,
    comptes,
    decisions,
    depots,
    donnees,
    fr,
    jetons,
    messages,
    pieces,
    plan,
    veille,
)
from ptlcd_data.errors import PtlcdError
from ptlcd_data.settings import Settings

if TYPE_CHECKING:
    from ptlcd_data.cli.common import SubParsers

# Every command, in the order `--help` lists them (and argparse names them in a usage error).
COMMANDS: tuple[Callable[[SubParsers], None], ...] = (
    plan.add_init,
    plan.add_plan,
    base.add_demo,
    comptes.add_user,
    jetons.add_token,
    comptes.add_porteurs,
    comptes.add_journal,
    base.add_backup,
    base.add_restore,
    donnees.add_export,
    donnees.add_template,
    donnees.add_import,
    donnees.add_history,
    donnees.add_undo,
    depots.add_depots,
    campagnes.add_campaign,
    veille.add_notify,
    decisions.add_seance,
    decisions.add_decision,
    pieces.add_pieces,
    messages.add_messages,
    donnees.add_report,
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
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    fr.install()
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
