"""The template staff download, fill and upload: written with openpyxl, read back by `verify`.

Sheets: Indicateurs (one row per indicator and territory for a year, current values filled in),
Avancement, Engagement, Référentiel (valid codes and words) and Mode d'emploi. Drop-down lists
on codes, territories, statuses and engagement levels point at the Référentiel sheet, so the
plan's own codes are offered (nothing about Nantes is written here).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ptlcd_data import dates, exports, vocabulary
from ptlcd_data.classeurs.writer import list_validation, text_cells, write_header
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.indicateurs import rules
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import BY_RECORDING, latest

# Rows given a drop-down in the Avancement and Engagement sheets (people rarely fill more).
VALIDATED_ROWS = 2_000
REFERENTIEL = "Référentiel"

MODE_D_EMPLOI = [
    "Mode d'emploi du modèle d'import",
    "",
    "1. Remplissez une ou plusieurs des feuilles Indicateurs, Avancement, Engagement. Les autres "
    "feuilles peuvent rester telles quelles.",
    "2. Indicateurs : une ligne par indicateur, territoire et année. Valeur ou Cible peuvent être "
    "vides, pas les deux (une ligne sans l'une ni l'autre est ignorée). Une cellule vide ne "
    "supprime pas une valeur déjà publiée.",
    "3. Pas de valeur connue : laissez vide ou écrivez n.c., NC, ND ou - (jamais 0).",
    "4. Nombres : 1234,5 ou 1 234,5 ; pourcentages : 45 ou 45 %.",
    "5. Avancement : une ligne par action et par date de point ; statut parmi la liste ; "
    "avancement en % de 0 à 100.",
    "6. Engagement : une ligne par action et territoire ; niveau parmi la liste.",
    "7. Codes, territoires, statuts et niveaux valides : feuille Référentiel (listes déroulantes).",
    "8. Dans l'application, page « Import de données » : Vérifier (liste de chaque problème avec "
    "sa ligne et sa colonne), puis Publier. Un import publié peut être annulé.",
    "9. Un fichier CSV est accepté aussi (séparateur ; et virgule décimale), avec les colonnes "
    "de la feuille Indicateurs.",
]


def default_year() -> int:
    """The year staff usually report on: the last complete one."""
    return dates.last_complete_year()


def indicateurs_sheet(conn: Connection, year: int | None = None) -> pd.DataFrame:
    """One row per indicator and territory for `year`, with the current value and target if any."""
    year = year or default_year()
    grid = conn.execute(
        """
        SELECT i.code AS "Code indicateur", i.libelle AS "Indicateur", t.libelle AS "Territoire",
               CAST(? AS INTEGER) AS "Année"
        FROM plan_indicateur(current_date) i CROSS JOIN plan_territoire(current_date) t
        ORDER BY i.ordre, t.ordre
        """,
        [year],
    ).df()
    current = filled_rows(conn)
    merged = grid.merge(
        current, how="left", on=["Code indicateur", "Indicateur", "Territoire", "Année"]
    )
    columns = [c.label for c in SPECS["indicateurs"].columns]
    return merged[columns]


@dataclass(frozen=True)
class Referentiel:
    """The plan's codes and words the drop-down lists offer (sheet Référentiel)."""

    indicateurs: list[tuple[object, ...]]  # code, libelle, unite
    territoires: list[tuple[object, ...]]  # code, libelle
    actions: list[tuple[object, ...]]  # action_no, libelle


def referentiel(conn: Connection) -> Referentiel:
    return Referentiel(
        conn.execute(
            "SELECT code, libelle, unite FROM plan_indicateur(current_date) ORDER BY ordre"
        ).fetchall(),
        conn.execute(
            "SELECT code, libelle FROM plan_territoire(current_date) ORDER BY ordre"
        ).fetchall(),
        conn.execute(
            "SELECT action_no, libelle FROM plan_action(current_date) ORDER BY action_no"
        ).fetchall(),
    )


# Width of a read-only context column added after a sheet's own columns.
CONTEXT_WIDTH = 45


def _rows(ws: Worksheet, df: pd.DataFrame) -> None:
    """Append `df`'s rows; every text is a text cell, never a formula: a comment, but also a
    code or a territory of the plan, that starts with « = » stays as written."""
    for row in df.itertuples(index=False):
        ws.append([exports._cell_value(v) for v in row])
    text_cells(ws)


def workbook(conn: Connection, year: int | None = None) -> bytes:
    """The template as .xlsx bytes."""
    return save(build(referentiel(conn), indicateurs_sheet(conn, year)))


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build(
    ref: Referentiel,
    ind: pd.DataFrame,
    avancement: pd.DataFrame | None = None,
    *,
    notes: Sequence[str] = (),
) -> Workbook:
    """The template's workbook: sheets Indicateurs (`ind`'s rows), Avancement (`avancement`'s
    rows, if given), Engagement, Référentiel and Mode d'emploi (`notes` added at its end).

    `ind` and `avancement` have the sheet's own columns first (SPECS), in order; any column
    after them is written as read-only context (a campaign's workbook adds the action's wording).
    """
    ind_columns = [c.label for c in SPECS["indicateurs"].columns]
    av_columns = [c.label for c in SPECS["avancement"].columns]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Indicateurs"
    extra_ind = list(ind.columns[len(ind_columns) :])
    write_header(
        ws, list(ind.columns), [16, 60, 20, 8, 12, 12, 24, 40] + [CONTEXT_WIDTH] * len(extra_ind)
    )
    _rows(ws, ind)

    indicateurs, territoires, actions = ref.indicateurs, ref.territoires, ref.actions
    last = max(len(ind) + 1, VALIDATED_ROWS)
    ref_sheet = f"'{REFERENTIEL}'"
    list_validation(
        ws, f"{ref_sheet}!$A$2:$A${len(indicateurs) + 1}", f"A2:A{last}", "un code", REFERENTIEL
    )
    list_validation(
        ws,
        f"{ref_sheet}!$E$2:$E${len(territoires) + 1}",
        f"C2:C{last}",
        "un territoire",
        REFERENTIEL,
    )
    year_rule = DataValidation(
        type="whole",
        operator="between",
        formula1=str(rules.year_range()[0]),
        formula2=str(rules.year_range()[1]),
        allow_blank=True,
    )
    year_rule.error = "Une année sur quatre chiffres."
    year_rule.showErrorMessage = True
    ws.add_data_validation(year_rule)
    year_rule.add(f"D2:D{last}")

    av = wb.create_sheet("Avancement")
    av_rows = avancement if avancement is not None else pd.DataFrame(columns=av_columns)
    extra_av = list(av_rows.columns[len(av_columns) :])
    write_header(av, list(av_rows.columns), [11, 13, 14, 15, 60] + [CONTEXT_WIDTH] * len(extra_av))
    _rows(av, av_rows)
    av_last = max(len(av_rows) + 1, VALIDATED_ROWS)
    list_validation(
        av, f"{ref_sheet}!$G$2:$G${len(actions) + 1}", f"A2:A{av_last}", "une action", REFERENTIEL
    )
    list_validation(
        av,
        f"{ref_sheet}!$I$2:$I${len(vocabulary.STATUTS) + 1}",
        f"C2:C{av_last}",
        "un statut",
        REFERENTIEL,
    )
    pct = DataValidation(
        type="whole", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    pct.error = "Un pourcentage entier entre 0 et 100."
    pct.showErrorMessage = True
    av.add_data_validation(pct)
    pct.add(f"D2:D{av_last}")
    for row in av.iter_rows(min_row=2, max_row=av_last, min_col=2, max_col=2):
        row[0].number_format = "DD/MM/YYYY"

    en = wb.create_sheet("Engagement")
    write_header(en, [c.label for c in SPECS["engagement"].columns], [11, 20, 16])
    list_validation(
        en,
        f"{ref_sheet}!$G$2:$G${len(actions) + 1}",
        f"A2:A{VALIDATED_ROWS}",
        "une action",
        REFERENTIEL,
    )
    list_validation(
        en,
        f"{ref_sheet}!$E$2:$E${len(territoires) + 1}",
        f"B2:B{VALIDATED_ROWS}",
        "un territoire",
        REFERENTIEL,
    )
    list_validation(
        en,
        f"{ref_sheet}!$K$2:$K${len(vocabulary.NIVEAUX) + 1}",
        f"C2:C{VALIDATED_ROWS}",
        "un niveau",
        REFERENTIEL,
    )

    rf = wb.create_sheet(REFERENTIEL)
    write_header(
        rf,
        [
            "Code indicateur",
            "Indicateur",
            "Unité",
            "",
            "Territoire",
            "",
            "N° action",
            "Action",
            "Statut",
            "",
            "Engagement",
        ],
        [16, 60, 8, 3, 20, 3, 10, 60, 14, 3, 16],
    )
    columns: list[tuple[int, list[tuple[object, ...]]]] = [
        (1, [(c, lib, u) for c, lib, u in indicateurs]),
        (5, [(lib,) for _, lib in territoires]),
        (7, [(n, lib) for n, lib in actions]),
        (9, [(s,) for s in vocabulary.STATUTS]),
        (11, [(n,) for n in vocabulary.NIVEAUX]),
    ]
    for first_col, values in columns:
        for r, value in enumerate(values, start=2):
            for offset, v in enumerate(value):
                cell = rf.cell(row=r, column=first_col + offset, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"
    for col in ("D", "F", "J"):
        rf[f"{col}1"].fill = PatternFill(fill_type=None)

    me = wb.create_sheet("Mode d'emploi")
    me.column_dimensions["A"].width = 120
    for line in [*MODE_D_EMPLOI, *notes]:
        me.append([line])
        me.cell(row=me.max_row, column=1).alignment = Alignment(wrap_text=True)
        me.cell(row=me.max_row, column=1).data_type = "s"
    me["A1"].font = Font(bold=True, size=14)
    return wb


def csv_bytes(conn: Connection, year: int | None = None) -> bytes:
    """The Indicateurs sheet alone, as French spreadsheets read CSV (UTF-8 BOM, ';', ',')."""
    return exports.to_csv_bytes(indicateurs_sheet(conn, year))


def template_bytes(conn: Connection, fmt: str = "xlsx", year: int | None = None) -> bytes:
    if fmt == "csv":
        return csv_bytes(conn, year)
    return workbook(conn, year)


def filled_rows(conn: Connection) -> pd.DataFrame:
    """Current yearly indicator values, laid out like the template's Indicateurs sheet.

    Columns: Code indicateur, Indicateur, Territoire, Année, Valeur, Cible, Source, Commentaire.
    """
    return conn.execute(
        f"""
        SELECT v.indicateur_code AS "Code indicateur", i.libelle AS "Indicateur",
               t.libelle AS "Territoire", v.annee AS "Année", v.valeur AS "Valeur",
               v.cible AS "Cible", v.source AS "Source", v.commentaire AS "Commentaire"
        FROM (
            SELECT * FROM indicateur_valeur WHERE periode = 'A'
            {latest(["indicateur_code", "territoire_code", "annee"], BY_RECORDING)}
        ) v
        JOIN plan_indicateur(current_date) i ON i.code = v.indicateur_code
        JOIN plan_territoire(current_date) t ON t.code = v.territoire_code
        WHERE NOT v.supprime
        ORDER BY i.ordre, t.ordre, v.annee
        """  # noqa: S608 - identifiers from store.sql; values are bound
    ).df()
