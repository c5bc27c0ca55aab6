"""The three importable sheets, their columns, and how a sheet of a real file is recognised.

People rename, reorder and add columns, leave a title line above the header, or save one sheet
as CSV: a sheet is recognised by its header cells (accents, case and punctuation ignored), and
its name only breaks ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ptlcd_data.classeurs.headers import HEADER_SEARCH_ROWS, header_key
from ptlcd_data.classeurs.problems import error

# Sheets of the template that hold help, not data: skipped without a remark.
HELP_SHEETS = {"referentiel", "mode d emploi", "aide", "lisez moi"}
# A header ending with « (rappel) » is read-only context a campaign workbook adds after the
# template's columns (the action's wording): ignored without a remark.
CONTEXT_SUFFIX = "rappel"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header written in the template
    aliases: tuple[str, ...]  # normalised header texts accepted for this column
    required: bool = False
    # A number that may be a percentage: a cell formatted as % is read × 100 (`engine`).
    percent: bool = False


@dataclass(frozen=True)
class Spec:
    kind: str
    title: str  # the template's sheet name
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SPECS: dict[str, Spec] = {
    "indicateurs": Spec(
        "indicateurs",
        "Indicateurs",
        (
            Column(
                "code", "Code indicateur", ("code indicateur", "code", "code de l indicateur"), True
            ),
            Column("libelle", "Indicateur", ("indicateur", "libelle", "libelle indicateur")),
            Column("territoire", "Territoire", ("territoire", "commune", "territoires"), True),
            Column("annee", "Année", ("annee", "an", "millesime"), True),
            Column("valeur", "Valeur", ("valeur", "valeur realisee", "realise"), percent=True),
            Column("cible", "Cible", ("cible", "valeur cible", "objectif chiffre"), percent=True),
            Column("source", "Source", ("source", "sources")),
            Column("commentaire", "Commentaire", ("commentaire", "commentaires", "remarque")),
        ),
    ),
    "avancement": Spec(
        "avancement",
        "Avancement",
        (
            Column(
                "action",
                "N° action",
                ("n action", "no action", "numero action", "action", "n"),
                True,
            ),
            Column("date", "Date", ("date", "date d effet", "date du point"), True),
            Column("statut", "Statut", ("statut", "etat"), True),
            Column(
                "avancement",
                "Avancement (%)",
                ("avancement", "avancement %", "pourcentage"),
                percent=True,
            ),
            Column("commentaire", "Commentaire", ("commentaire", "commentaires", "remarque")),
        ),
    ),
    "engagement": Spec(
        "engagement",
        "Engagement",
        (
            Column(
                "action",
                "N° action",
                ("n action", "no action", "numero action", "action", "n"),
                True,
            ),
            Column("territoire", "Territoire", ("territoire", "commune"), True),
            Column("niveau", "Engagement", ("engagement", "niveau", "niveau d engagement"), True),
        ),
    ),
}


@dataclass(frozen=True)
class Layout:
    """Where a recognised sheet's columns are: field key -> (column index, header text)."""

    spec: Spec
    sheet: str
    header_line: int
    fields: dict[str, tuple[int, str]]
    extra: list[tuple[int, str]]  # headers not understood: ignored, and reported

    def missing(self) -> list[Column]:
        found = [c for c in self.spec.columns if c.required and c.key not in self.fields]
        if self.spec.kind == "indicateurs" and not {"valeur", "cible"} & set(self.fields):
            found.append(self.spec.column("valeur"))
        return found


def _match(
    spec: Spec, cells: list[str]
) -> tuple[dict[str, tuple[int, str]], list[tuple[int, str]]]:
    fields: dict[str, tuple[int, str]] = {}
    extra = []
    for i, cell in enumerate(cells):
        key = header_key(cell)
        if not key or (key.endswith(f" {CONTEXT_SUFFIX}") and str(cell).strip().endswith(")")):
            continue
        col = next((c for c in spec.columns if key in c.aliases and c.key not in fields), None)
        if col is None:
            extra.append((i, cell))
        else:
            fields[col.key] = (i, cell.strip())
    return fields, extra


def recognise(sheet_name: str, table: pa.Table) -> Layout | None:
    """The best (spec, header row) for a sheet, or None when no header is recognised."""
    head = table.slice(0, HEADER_SEARCH_ROWS).to_pylist()
    name_key = header_key(sheet_name)
    best: tuple[int, int, Layout] | None = None
    # cN is column N+1; a workbook's leading empty columns are absent. Other columns
    # (`_ligne`, the cells' marks) are not cells.
    positions = [int(n[1:]) for n in table.column_names if n[:1] == "c" and n[1:].isdigit()]
    width = max(positions, default=-1) + 1
    for row in head:
        cells = [row.get(f"c{i}") or "" for i in range(width)]
        for spec in SPECS.values():
            fields, extra = _match(spec, cells)
            score = len(fields)
            if score < 2:
                continue
            tie = 1 if name_key == header_key(spec.title) else 0
            layout = Layout(spec, sheet_name or spec.title, int(row["_ligne"]), fields, extra)
            if best is None or (score, tie) > (best[0], best[1]):
                best = (score, tie, layout)
        if best is not None:
            break
    return best[2] if best else None


def named_like_spec(sheet: str) -> bool:
    """A sheet named like one of the importable sheets (whatever its header)."""
    return any(header_key(s.title) == header_key(sheet) for s in SPECS.values())


def header_missing(sheet: str) -> dict[str, Any]:
    """The problem of a sheet named like an importable one whose header row is not found."""
    spec = next(s for s in SPECS.values() if header_key(s.title) == header_key(sheet))
    return error(
        sheet,
        None,
        None,
        None,
        None,
        "Ligne d'en-tête introuvable dans les premières lignes de la feuille.",
        " | ".join(c.label for c in spec.columns),
    )
