"""What every command family shares: dates given as arguments, the --user help, who acts, how an
empty value is printed."""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ptlcd_data import store
from ptlcd_data.access import accounts, auth

if TYPE_CHECKING:
    # What `add_subparsers()` returns: each family adds its commands to it (a type only: argparse
    # does not let it be subscripted at run time).
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

USER_HELP = (
    "compte local de la personne {qui} (son rôle s'applique) ; un autre nom est noté "
    "« ligne de commande (NOM) » avec le compte système"
)


def parse_date(text: str) -> date:
    """'2019-12-31' or '31/12/2019'."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date « {text} » invalide ; attendu AAAA-MM-JJ ou JJ/MM/AAAA")


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


def cli_user(conn: store.Connection, name: str | None = None) -> auth.User:
    """Who acts: the account named by --user, else the command line with the system's rights."""
    return accounts.command_line_user(conn, name, _os_user())


def or_dash(value: object) -> str:
    """A value as printed: « — » when there is none (None, or a DataFrame's NaN)."""
    return "—" if value is None or pd.isna(value) else str(value)
