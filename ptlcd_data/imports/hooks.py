"""The campaign checks Vérifier and Publier run on a campaign workbook, plugged in from above.

`imports` sits below `campagnes`, which builds on the import template: `imports` does not call
`campagnes`. It offers this hook instead, and `campagnes.returns` plugs its implementation in
when it is imported. Every entry point that reads files (the import page, the command line)
imports `campagnes.returns`.

Fail closed: a workbook carrying a campaign stamp (`stamp`) is refused whole, in French, when no
implementation is plugged in, at Vérifier and again at Publier. It is never published as a plain
file, without the campaign's checks (open campaign, the stamped porteur's rows only) and without
recording its campaign, its porteur and its confirmations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa

from ptlcd_data.access.auth import User
from ptlcd_data.classeurs.reader import FileRefused
from ptlcd_data.imports.stamp import Stamp
from ptlcd_data.store import Connection


class CampaignReturns(Protocol):
    """What a campaign adds to Vérifier and Publier for a stamped workbook."""

    def accept(
        self,
        conn: Connection,
        stamp: Stamp,
        filename: str,
        *,
        user: User | None,
        expected_campaign: int | None,
    ) -> int:
        """The stamped campaign's id if the workbook is accepted now; FileRefused otherwise."""
        ...

    def out_of_scope(
        self, conn: Connection, stamp: Stamp, diffs: dict[str, pa.Table]
    ) -> list[dict[str, Any]]:
        """Vérifier's errors for the rows about an action or indicator not the stamped
        porteur's (checked when the account itself has no porteur scope)."""
        ...

    def confirmations(
        self, conn: Connection, campagne_id: int, diffs: dict[str, pa.Table]
    ) -> dict[str, pa.Table]:
        """The rows that change nothing but answer an item of the campaign, per kind."""
        ...

    def check_still_open(self, conn: Connection, campagne_id: int, filename: str) -> None:
        """At Publier, inside its transaction: InputError when the campaign closed since."""
        ...

    def write_confirmations(
        self,
        conn: Connection,
        found: dict[str, pa.Table],
        login: str,
        now: datetime,
        batch_id: int,
    ) -> int:
        """Record the confirmations of a batch (inside its transaction). Returns how many."""
        ...


_plugged: CampaignReturns | None = None


def plug(returns: CampaignReturns) -> None:
    """Plug the campaign checks in (`campagnes.returns` does, once imported)."""
    global _plugged
    _plugged = returns


def plugged() -> CampaignReturns | None:
    """The campaign checks plugged in, if any."""
    return _plugged


def campaign_returns(filename: str) -> CampaignReturns:
    """The campaign checks for the stamped workbook `filename`; FileRefused when none are plugged
    in (fail closed: a campaign workbook is never read as a plain file)."""
    if _plugged is None:
        raise FileRefused(
            f"Le classeur « {filename} » est un classeur de campagne de suivi, mais les contrôles "
            "des campagnes ne sont pas chargés ici : il est refusé, rien n'est publié. Importez-le "
            "depuis la page « Import de données » ou la commande « import »."
        )
    return _plugged
