"""The stamp a campaign workbook carries, and how Vérifier finds it.

Each porteur's workbook of a follow-up campaign (`campagnes.workbooks`) has a hidden sheet
« Campagne de suivi » naming the campaign and the porteur. The format is written here, below
`campagnes`, so that Vérifier knows a campaign workbook when it sees one even when nothing has
plugged in the campaign checks (`hooks`): such a workbook is then refused, never published as a
plain file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ptlcd_data.classeurs.headers import header_key
from ptlcd_data.classeurs.reader import FileRefused, RawSheet

STAMP_SHEET = "Campagne de suivi"
# First cell of the stamp sheet: tells a campaign workbook from a sheet someone named alike.
STAMP_MARKER = "Classeur de campagne du suivi du plan"
STAMP_CAMPAIGN = "Campagne n°"
STAMP_PORTEUR = "Porteur"


@dataclass(frozen=True)
class Stamp:
    """What a campaign workbook says about itself (its hidden sheet « Campagne de suivi »)."""

    campagne_id: int
    porteur_code: str


def take_stamp(sheets: Sequence[RawSheet], filename: str) -> tuple[Stamp | None, list[RawSheet]]:
    """The stamp of a campaign workbook (None for any other file) and the other sheets."""
    found = [s for s in sheets if header_key(s.name) == header_key(STAMP_SHEET)]
    rest = [s for s in sheets if all(s is not x for x in found)]
    if not found:
        return None, rest
    cells: dict[str, str] = {}
    for row in found[0].table.to_pylist():
        key, value = row.get("c0"), row.get("c1")
        if key:
            cells[str(key).strip()] = str(value or "").strip()
    if STAMP_MARKER not in cells:
        return None, list(sheets)  # a sheet named alike, not ours: read like any other
    number = cells.get(STAMP_CAMPAIGN, "")
    code = cells.get(STAMP_PORTEUR, "")
    try:
        campagne_id = int(float(number.replace(",", ".")))
    except ValueError:
        campagne_id = 0
    if campagne_id <= 0 or not code:
        raise FileRefused(
            f"Le classeur « {filename} » a une feuille « {STAMP_SHEET} » abîmée "
            "(numéro de campagne ou porteur illisible) : téléchargez de nouveau votre classeur."
        )
    return Stamp(campagne_id, code), rest
