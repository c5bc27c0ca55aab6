"""The plan's indicators as a tree (axe → objectif → indicateur), for choosing one in a cascade.

The Indicateurs page offers an axis, then an objective of that axis, then an indicator of that
objective; a link names an indicator or an objective. Pure Python over one query: no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptlcd_data import dates
from ptlcd_data.store import Connection


@dataclass(frozen=True)
class Indicateur:
    code: str
    libelle: str
    unite: str
    sens: str
    objectif_code: str
    objectif: str
    axe_no: int
    axe: str


@dataclass(frozen=True)
class Catalogue:
    """Every indicator of the plan, in the plan's order."""

    indicateurs: tuple[Indicateur, ...]

    def __bool__(self) -> bool:
        return bool(self.indicateurs)

    def axes(self) -> dict[int, str]:
        """Axis number → label, for the axes that have at least one indicator."""
        return {i.axe_no: i.axe for i in self.indicateurs}

    def objectifs(self, axe_no: int) -> dict[str, str]:
        """Objective code → label, for the objectives of `axe_no` that have an indicator."""
        return {i.objectif_code: i.objectif for i in self.indicateurs if i.axe_no == axe_no}

    def of_objectif(self, objectif_code: str) -> dict[str, Indicateur]:
        """Indicator code → indicator, for the indicators of one objective."""
        return {i.code: i for i in self.indicateurs if i.objectif_code == objectif_code}

    def find(self, link: str | None) -> Indicateur | None:
        """The indicator a link names: its code, or the first indicator of an objective."""
        return next((i for i in self.indicateurs if link in (i.code, i.objectif_code)), None)


def catalogue_tree(conn: Connection, as_of: date | None = None) -> Catalogue:
    """The indicators of the plan at `as_of` (default: today), by axis and objective."""
    rows = conn.execute(
        """
        SELECT i.code, i.libelle, i.unite, i.sens, i.objectif_code, o.libelle, o.axe_no, a.libelle
        FROM plan_indicateur($d) i JOIN plan_objectif($d) o ON o.code = i.objectif_code
        JOIN plan_axe($d) a USING (axe_no)
        ORDER BY i.ordre, i.code
        """,
        {"d": dates.or_today(as_of)},
    ).fetchall()
    return Catalogue(
        tuple(
            Indicateur(str(c), str(lib), str(u), str(s), str(oc), str(ol), int(ax), str(al))
            for c, lib, u, s, oc, ol, ax, al in rows
        )
    )
