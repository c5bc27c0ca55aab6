"""A campaign workbook coming back: whose it is, whether it is still accepted, what it confirms.

Imported, this module plugs `RETURNS` into `imports.hooks`: `imports` sits below `campagnes` and
never calls it. `imports.verify.check_file` reads the workbook's stamp (`imports.stamp`), then
calls `accept` (a workbook for an unknown, closed or other campaign, or for another porteur than
the account's, is refused whole, before anything is written), `out_of_scope` (a row about an
action or indicator that is not the porteur's is an error) and `confirmations`.
`imports.batches.publish` checks that the campaign is still open, records the batch's campaign
and porteur and writes the confirmations: within an open campaign, a row that repeats the
current record still counts as a reply, recorded again with the source « confirmé sans
changement » (an indicator value is appended again, unchanged). An item already answered since the campaign opened is not
confirmed twice, so re-importing the same workbook changes nothing, as outside campaigns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns
from ptlcd_data.campagnes.campaigns import Campaign
from ptlcd_data.classeurs.problems import error
from ptlcd_data.classeurs.reader import FileRefused
from ptlcd_data.errors import InputError
from ptlcd_data.imports import check_scope, hooks
from ptlcd_data.imports.stamp import Stamp
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection
from ptlcd_data.vocabulary import AUTEUR_PLAN, SOURCE_CONFIRMATION


def user_porteurs(user: User | None) -> tuple[str, ...] | None:
    """The porteur codes an account acts for, or None when it is staff (no porteur scope).

    Accounts gain porteur codes with the porteur role; until then every account is staff.
    """
    codes = getattr(user, "porteurs", None)
    return tuple(codes) if codes else None


def accept(
    conn: Connection,
    stamp: Stamp,
    filename: str,
    *,
    user: User | None = None,
    expected_campaign: int | None = None,
) -> Campaign:
    """The stamped campaign, if the workbook is accepted now; FileRefused in French otherwise."""
    try:
        campaign = campaigns.get(conn, stamp.campagne_id)
    except InputError:
        raise FileRefused(
            f"Le classeur « {filename} » vient d'une campagne n° {stamp.campagne_id} que cette "
            "base ne connaît pas : rien n'est publié."
        ) from None
    if not campaign.is_open:
        raise FileRefused(
            f"Le classeur « {filename} » est celui de la campagne « {campaign.label} », close le "
            f"{formats.day(campaign.close_le)} : il n'est plus accepté, rien n'est publié. "
            "Téléchargez le classeur de la campagne en cours."
        )
    if expected_campaign is not None and expected_campaign != campaign.id:
        raise FileRefused(
            f"Le classeur « {filename} » est celui de la campagne « {campaign.label} », pas de la "
            f"campagne n° {expected_campaign} : rien n'est publié."
        )
    label = plan_porteurs.porteur_labels(conn).get(stamp.porteur_code)
    if label is None:
        raise FileRefused(
            f"Le classeur « {filename} » est au nom d'un porteur « {stamp.porteur_code} » "
            "inconnu du plan : rien n'est publié."
        )
    allowed = user_porteurs(user)
    if allowed is not None and stamp.porteur_code not in allowed:
        raise FileRefused(
            f"Le classeur « {filename} » est celui de {label} ({stamp.porteur_code}), pas le "
            f"vôtre ({', '.join(allowed)}) : rien n'est publié."
        )
    return campaign


def out_of_scope(
    conn: Connection, stamp: Stamp, diffs: dict[str, pa.Table]
) -> list[dict[str, Any]]:
    """An error per row about an action or an indicator that is not the stamped porteur's: the
    stamp's porteur is the scope (`imports.check_scope.rows_outside`)."""
    limits = plan_porteurs.porteurs_scope(conn, (stamp.porteur_code,))
    found = []
    for kind, feuille, ligne, code in check_scope.rows_outside(conn, limits, diffs):
        # "le sien" for an indicator, "la sienne" for an action: French agrees the pronoun.
        what, his = (
            ("l'indicateur", "le sien") if kind == "indicateurs" else ("l'action n°", "la sienne")
        )
        header = "Code indicateur" if kind == "indicateurs" else "N° action"
        found.append(
            error(
                feuille,
                ligne,
                None,
                header,
                code,
                f"Ce classeur est celui du porteur {stamp.porteur_code} : {what} "
                f"{code} n'est pas {his}.",
                f"une action portée ou un indicateur fourni par {stamp.porteur_code}",
            )
        )
    return found


def confirmations(
    conn: Connection, campaign: Campaign, diffs: dict[str, pa.Table]
) -> dict[str, pa.Table]:
    """The rows that repeat the current record and confirm an item not yet answered since the
    campaign opened: per kind ('avancement', 'indicateurs'), the diff's rows (one per item)."""
    out: dict[str, pa.Table] = {}
    since = campaign.ouverte_le
    if "avancement" in diffs:
        conn.register("ptlcd_confirm", diffs["avancement"])
        try:
            out["avancement"] = conn.sql(
                """
                SELECT DISTINCT ON (action_no) * FROM ptlcd_confirm d
                WHERE etat = 'inchangé' AND NOT EXISTS (
                    SELECT 1 FROM statut_record s
                    WHERE s.action_no = d.action_no AND NOT s.demo AND s.auteur <> ?
                      AND s.enregistre_le >= ?)
                ORDER BY action_no, ligne
                """,
                params=[AUTEUR_PLAN, since],
            ).to_arrow_table()
        finally:
            conn.unregister("ptlcd_confirm")
    if "indicateurs" in diffs:
        conn.register("ptlcd_confirm", diffs["indicateurs"])
        try:
            out["indicateurs"] = conn.sql(
                """
                SELECT DISTINCT ON (indicateur_code, territoire_code, annee) *
                FROM ptlcd_confirm d
                WHERE etat = 'inchangé' AND NOT EXISTS (
                    SELECT 1 FROM indicateur_valeur v
                    WHERE v.indicateur_code = d.indicateur_code
                      AND v.territoire_code = d.territoire_code AND v.annee = d.annee
                      AND v.periode = 'A' AND NOT v.demo AND v.enregistre_le >= ?)
                ORDER BY indicateur_code, territoire_code, annee, ligne
                """,
                params=[since],
            ).to_arrow_table()
        finally:
            conn.unregister("ptlcd_confirm")
    return {k: t for k, t in out.items() if t.num_rows}


def write_confirmations(
    conn: Connection, found: dict[str, pa.Table], login: str, now: datetime, batch_id: int
) -> int:
    """Record the confirmations of a batch (inside its transaction). Returns how many."""
    written = 0
    if "avancement" in found:
        conn.register("ptlcd_confirm", found["avancement"])
        conn.execute(
            "INSERT INTO statut_record (action_no, date_effet, statut, avancement, commentaire, "
            "auteur, source, enregistre_le, import_id) "
            "SELECT action_no, CAST(? AS DATE), nouveau_statut, nouveau_avancement, "
            "nouveau_commentaire, ?, ?, ?, ? FROM ptlcd_confirm",
            [now, login, SOURCE_CONFIRMATION, now, batch_id],
        )
        conn.unregister("ptlcd_confirm")
        written += found["avancement"].num_rows
    if "indicateurs" in found:
        conn.register("ptlcd_confirm", found["indicateurs"])
        conn.execute(
            "INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode, "
            "valeur, cible, source, commentaire, auteur, enregistre_le, import_id) "
            "SELECT indicateur_code, territoire_code, annee, 'A', nouveau_valeur, nouveau_cible, "
            "nouveau_source, nouveau_commentaire, ?, ?, ? FROM ptlcd_confirm",
            [login, now, batch_id],
        )
        conn.unregister("ptlcd_confirm")
        written += found["indicateurs"].num_rows
    return written


def check_still_open(conn: Connection, campagne_id: int, filename: str) -> None:
    """At Publier: InputError when the campaign closed since Vérifier accepted `filename`."""
    campaign = campaigns.get(conn, campagne_id)
    if not campaign.is_open:
        raise InputError(
            f"La campagne « {campaign.label} » a été close depuis la vérification : le "
            f"classeur « {filename} » n'est plus accepté, rien n'est publié."
        )


class Returns:
    """This module's functions as the `imports.hooks.CampaignReturns` it plugs in."""

    def accept(
        self,
        conn: Connection,
        stamp: Stamp,
        filename: str,
        *,
        user: User | None,
        expected_campaign: int | None,
    ) -> int:
        return accept(conn, stamp, filename, user=user, expected_campaign=expected_campaign).id

    def out_of_scope(
        self, conn: Connection, stamp: Stamp, diffs: dict[str, pa.Table]
    ) -> list[dict[str, Any]]:
        return out_of_scope(conn, stamp, diffs)

    def confirmations(
        self, conn: Connection, campagne_id: int, diffs: dict[str, pa.Table]
    ) -> dict[str, pa.Table]:
        return confirmations(conn, campaigns.get(conn, campagne_id), diffs)

    def check_still_open(self, conn: Connection, campagne_id: int, filename: str) -> None:
        check_still_open(conn, campagne_id, filename)

    def write_confirmations(
        self,
        conn: Connection,
        found: dict[str, pa.Table],
        login: str,
        now: datetime,
        batch_id: int,
    ) -> int:
        return write_confirmations(conn, found, login, now, batch_id)


RETURNS = Returns()
# Importing this module is what plugs the campaign checks in (see the docstring).
hooks.plug(RETURNS)
