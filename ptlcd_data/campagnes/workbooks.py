"""Each porteur's workbook for a campaign: the import template itself, pre-filled with its rows.

Written by `imports.template.build` (same sheets, headers and drop-downs), then: the Avancement
sheet lists the porteur's actions with their current record (date, statut, avancement,
commentaire) and, after the template's columns, the action's wording and calendar (read-only);
the Indicateurs sheet keeps the porteur's indicators for the campaign's year. A hidden, protected
sheet « Campagne de suivi » names the campaign and the porteur (`_stamp`, in the format of
`imports.stamp`): a cell sheet survives Excel's and LibreOffice's re-saving, and Vérifier reads
it (with `returns`) to refuse a workbook for another campaign, another porteur or a closed
campaign. Header rows, context columns and the Référentiel
are protected (no password: it prevents slips, not intent).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection

from ptlcd_data import dates, formats
from ptlcd_data.campagnes import campaigns
from ptlcd_data.campagnes.campaigns import Campaign
from ptlcd_data.errors import InputError
from ptlcd_data.imports import template
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.imports.stamp import STAMP_CAMPAIGN, STAMP_MARKER, STAMP_PORTEUR, STAMP_SHEET
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import latest

CONTEXT_AVANCEMENT = ("Action (rappel)", "Calendrier prévu (rappel)")
UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Shared:
    """What every porteur's workbook of one campaign reads: read once, split per porteur."""

    campaign: Campaign
    ref: template.Referentiel
    indicateurs: pd.DataFrame  # the template's Indicateurs sheet for the campaign's year
    actions: pd.DataFrame  # plan.porteurs.carried_actions + the current record's columns
    supplied: pd.DataFrame  # plan.porteurs.supplied_indicators
    porteurs: pd.DataFrame  # plan.porteurs.porteurs_with_items


def current_records(conn: Connection, as_of: date) -> pd.DataFrame:
    """The latest status record of each action at `as_of`, as recorded (not carried forward):
    what a workbook row must repeat to be « inchangé ». Columns: action_no, date_effet, statut,
    avancement, commentaire."""
    return conn.execute(
        f"""
        SELECT action_no, date_effet, statut, avancement, commentaire
        FROM statut_record WHERE date_effet <= ?
        {latest(["action_no"])}
        """,  # noqa: S608 - identifiers from store.sql; values are bound
        [as_of],
    ).df()


def shared(conn: Connection, campaign_id: int, *, today: date | None = None) -> Shared:
    campaign = campaigns.get(conn, campaign_id)
    if not campaign.is_open:
        raise InputError(
            f"La campagne « {campaign.label} » est close : ses classeurs ne sont plus demandés."
        )
    actions = plan_porteurs.carried_actions(conn).merge(
        current_records(conn, dates.or_today(today)), how="left", on="action_no"
    )
    return Shared(
        campaign,
        template.referentiel(conn),
        template.indicateurs_sheet(conn, campaign.annee),
        actions,
        plan_porteurs.supplied_indicators(conn),
        plan_porteurs.porteurs_with_items(conn),
    )


def _avancement_rows(actions: pd.DataFrame) -> pd.DataFrame:
    labels = [c.label for c in SPECS["avancement"].columns]
    rows = [
        [
            int(r.action_no),
            None if pd.isna(r.date_effet) else pd.Timestamp(r.date_effet).date(),
            None if pd.isna(r.statut) else r.statut,
            None if pd.isna(r.avancement) else int(r.avancement),
            None if pd.isna(r.commentaire) else r.commentaire,
            r.action,
            None if pd.isna(r.calendrier) else r.calendrier,
        ]
        for r in actions.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=[*labels, *CONTEXT_AVANCEMENT], dtype=object)


def _notes(campaign: Campaign, code: str, libelle: str) -> list[str]:
    return [
        "",
        f"Campagne de suivi « {campaign.nom} » : classeur de {libelle} ({code}).",
        f"À renvoyer au plus tard le {formats.day(campaign.echeance)}.",
        "Avancement : une ligne par action que vous portez, avec son dernier point connu. Si rien "
        "n'a changé, laissez la ligne telle quelle : elle compte comme une confirmation. Si "
        "quelque chose a changé, mettez la date du jour, le statut, l'avancement et un "
        "commentaire.",
        f"Indicateurs : vos indicateurs pour l'année {campaign.annee} ; complétez Valeur (et "
        "Source).",
        "Les colonnes « (rappel) » et la feuille Référentiel sont protégées. Ne renommez pas les "
        "feuilles : la feuille cachée « Campagne de suivi » dit à qui est ce classeur.",
    ]


def _protect(wb: Workbook, sheet: str, own_columns: int, rows: int) -> None:
    """Lock the header and the context columns; leave the template's own columns editable."""
    ws = wb[sheet]
    for index in range(1, own_columns + 1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].protection = UNLOCKED
        for (cell,) in ws.iter_rows(min_row=2, max_row=rows + 1, min_col=index, max_col=index):
            cell.protection = UNLOCKED
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column stays possible


def _stamp(wb: Workbook, campaign: Campaign, code: str, libelle: str) -> None:
    ws = wb.create_sheet(STAMP_SHEET)
    for row in (
        [STAMP_MARKER, ""],
        [STAMP_CAMPAIGN, str(campaign.id)],
        [STAMP_PORTEUR, code],
        ["Nom de la campagne", campaign.nom],
        ["Libellé du porteur", libelle],
        ["Année des indicateurs", str(campaign.annee)],
        ["Échéance", formats.day(campaign.echeance)],
    ):
        ws.append(row)
    for line in ws.iter_rows():
        for cell in line:
            cell.data_type = "s"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)


def porteur_workbook(data: Shared, code: str) -> bytes:
    """One porteur's workbook as .xlsx bytes."""
    found = data.porteurs[data.porteurs["porteur"] == code]
    if found.empty:
        raise InputError(
            f"Porteur « {code} » inconnu ou sans action ni indicateur ; porteurs de la campagne : "
            f"{', '.join(data.porteurs['porteur'])}."
        )
    libelle = str(found.iloc[0]["libelle"])
    codes = set(data.supplied.loc[data.supplied["porteur"] == code, "code"])
    ind = data.indicateurs[data.indicateurs["Code indicateur"].isin(codes)]
    av = _avancement_rows(data.actions[data.actions["porteur"] == code])
    wb = template.build(data.ref, ind, av, notes=_notes(data.campaign, code, libelle))
    last = template.VALIDATED_ROWS
    _protect(wb, "Indicateurs", len(SPECS["indicateurs"].columns), max(len(ind), last))
    _protect(wb, "Avancement", len(SPECS["avancement"].columns), max(len(av), last))
    wb[template.REFERENTIEL].protection.sheet = True
    _stamp(wb, data.campaign, code, libelle)
    return template.save(wb)


def workbook_bytes(conn: Connection, campaign_id: int, code: str) -> bytes:
    """The workbook of one porteur (what a reminder attaches)."""
    return porteur_workbook(shared(conn, campaign_id), code)


def all_workbooks(conn: Connection, campaign_id: int) -> Iterator[tuple[str, bytes]]:
    """(porteur code, .xlsx bytes) for every porteur with at least one action or indicator."""
    data = shared(conn, campaign_id)
    for code in data.porteurs["porteur"]:
        yield str(code), porteur_workbook(data, str(code))


def write_workbooks(conn: Connection, campaign_id: int, out_dir: Path) -> list[Path]:
    """Write `<CODE>.xlsx` per porteur into `out_dir` (created); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for code, data in all_workbooks(conn, campaign_id):
        path = out_dir / f"{code}.xlsx"
        path.write_bytes(data)
        written.append(path)
    return written


def workbooks_zip(conn: Connection, campaign_id: int) -> bytes:
    """Every porteur's workbook in one zip (`<CODE>.xlsx` each), for the app's download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for code, data in all_workbooks(conn, campaign_id):
            zf.writestr(f"{code}.xlsx", data)
    return buf.getvalue()
