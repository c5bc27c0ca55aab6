"""Campaigns as the command line prints them and as files write them (French formats)."""

from __future__ import annotations

import pandas as pd

from ptlcd_data import formats
from ptlcd_data.campagnes.campaigns import Campaign


def campaign_line(c: Campaign) -> str:
    return (
        f"{c.id}\t{c.nom}\tannée {c.annee}\téchéance {formats.day(c.echeance)}\t"
        f"ouverte le {formats.day(c.ouverte_le)}\t{c.etat}"
    )


def _when(value: object) -> str:
    return "—" if value is None or pd.isna(value) else formats.day(value)  # type: ignore[arg-type]


def status_lines(table: pd.DataFrame) -> list[str]:
    """`completion.completion` as tab-separated lines: a header, then one line per porteur."""
    lines = ["\t".join(table.columns)]
    for r in table.itertuples(index=False):
        lines.append(
            f"{r.porteur}\t{r.libelle}\t{r.actions_dues}\t{r.actions_a_jour}\t"
            f"{r.indicateurs_dus}\t{r.indicateurs_fournis}\t{r.taux_reponse}\t"
            f"{_when(r.derniere_reponse)}\t{_when(r.relance_le)}"
        )
    return lines
