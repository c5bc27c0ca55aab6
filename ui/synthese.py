"""Blocks of the "Synthèse annuelle" page: météo badges, key figures, tables in French words.

Everything shown comes from one `Synthese` (ptlcd_data.synthese.model), the structure the PDF and the
XLSX are written from, so the page, the PDF and the workbook show the same figures.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ptlcd_data.indicateurs.rules import format_value
from ptlcd_data.suivi import descriptions
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model, report
from ptlcd_data.synthese import section_decisions as sd
from ui import charts_suivi, data

# st.badge colours and Material icons for the four levels (the word is always written).
METEO_BADGES: dict[str, tuple[str, str]] = {
    meteo.SECURISES: ("green", ":material/sunny:"),
    meteo.ATTEIGNABLES: ("blue", ":material/partly_cloudy_day:"),
    meteo.APPUIS: ("orange", ":material/umbrella:"),
    meteo.COMPROMIS: ("red", ":material/thunderstorm:"),
}
# Key figures where a rise is bad news (shown in red), or neither good nor bad (grey).
RISE_IS_BAD = {col.CH_RETARD}
NEUTRAL = {col.CH_EN_COURS}
METRICS_PER_ROW = 3
DATE_FMT = "DD/MM/YYYY"
MONTHS_FMT = "%+d mois"


def key_figures(s: model.Synthese) -> None:
    rows = s.chiffres.to_dict("records")
    for start in range(0, len(rows), METRICS_PER_ROW):
        columns = st.columns(METRICS_PER_ROW)
        for column, row in zip(columns, rows[start : start + METRICS_PER_ROW], strict=False):
            label = str(row[col.COL_CHIFFRE])
            before = row[col.COL_DEBUT_ANNEE]
            delta, arrow, color = None, "auto", "normal"
            if not pd.isna(before):
                change = round(float(row[col.COL_VALEUR]) - float(before))
                unit = ""
                if label in col.CHIFFRES_UNITES:
                    unit = " point" if abs(change) < 2 else " points"
                # Streamlit reads the sign from a leading "-": keep ASCII signs here.
                delta = f"{change:+d}{unit} depuis janvier" if change else "inchangé depuis janvier"
                arrow = "auto" if change else "off"
                color = "inverse" if label in RISE_IS_BAD else "normal"
                if not change or label in NEUTRAL:
                    color = "off"
            column.metric(
                label,
                model.chiffre_texte(s, label),
                delta=delta,
                delta_color=color,  # type: ignore[arg-type]
                delta_arrow=arrow,  # type: ignore[arg-type]
                help=str(row[col.COL_PRECISION]),
                border=True,
            )


def meteo_badges(s: model.Synthese) -> None:
    """One line per axis: its label, its météo as a coloured badge with an icon, the facts; all
    in one element (three columns per axis were some twenty elements for the browser to draw)."""
    lines = []
    for _, row in s.axes.iterrows():
        niveau = str(row[col.COL_METEO])
        color, icon = METEO_BADGES[niveau]
        lines.append(
            f"- **Axe {row[col.COL_AXE_NO]} · {_md(row[col.COL_AXE])}** "
            f":{color}-badge[{icon} {_md(niveau)}] — {_md(row[col.COL_POURQUOI])}"
        )
    st.markdown("\n".join(lines))


AXES_COLUMNS = {
    col.COL_AXE_NO: st.column_config.NumberColumn(col.COL_ACTION_NO, width="small"),
    col.COL_AXE: st.column_config.TextColumn(col.COL_AXE),
    col.COL_PART_REALISEE: st.column_config.ProgressColumn(
        "Part réalisée", format="%.0f %%", min_value=0, max_value=100
    ),
    col.COL_AVANCEMENT_INDICATEURS: st.column_config.NumberColumn(
        "Avancement des indicateurs", format="%.0f %%"
    ),
    col.COL_POURQUOI: st.column_config.TextColumn(col.COL_POURQUOI, width="large"),
}
ACTIONS_COLUMNS = {
    col.COL_AXE: st.column_config.TextColumn(col.COL_AXE, width="small"),
    col.COL_ACTION_NO: st.column_config.NumberColumn(col.COL_ACTION_NO, width="small"),
    col.COL_ACTION: st.column_config.TextColumn(col.COL_ACTION, width="large"),
    col.COL_REALISEE_LE: st.column_config.DateColumn(col.COL_REALISEE_LE, format=DATE_FMT),
    col.COL_COMMENCEE_LE: st.column_config.DateColumn(col.COL_COMMENCEE_LE, format=DATE_FMT),
    col.COL_GLISSEMENT_DEBUT: st.column_config.NumberColumn(
        "Glissement du début", format=MONTHS_FMT
    ),
    col.COL_GLISSEMENT_FIN: st.column_config.NumberColumn(
        "Glissement de la fin", format=MONTHS_FMT
    ),
}
# What a reader needs first, left to right (the porteur and planned calendar come last).
REALISEES_ORDER = [
    col.COL_AXE,
    col.COL_ACTION_NO,
    col.COL_ACTION,
    col.COL_REALISEE_LE,
    col.COL_GLISSEMENT_FIN,
    col.COL_CALENDRIER,
    col.COL_PORTEUR,
]
COMMENCEES_ORDER = [
    col.COL_AXE,
    col.COL_ACTION_NO,
    col.COL_ACTION,
    col.COL_COMMENCEE_LE,
    col.COL_GLISSEMENT_DEBUT,
    col.COL_STATUT,
    col.COL_CALENDRIER,
    col.COL_PORTEUR,
]
RETARDS_ORDER = [
    col.COL_AXE,
    col.COL_ACTION_NO,
    col.COL_ACTION,
    col.COL_STATUT,
    col.COL_POURQUOI_RETARD,
    col.COL_GLISSEMENT_DEBUT,
    col.COL_GLISSEMENT_FIN,
    col.COL_CALENDRIER,
    col.COL_PORTEUR,
]
COMMENTS_COLUMNS = {
    col.COL_DATE: st.column_config.DateColumn(col.COL_DATE, format=DATE_FMT),
    col.COL_ACTION_NO: st.column_config.NumberColumn(col.COL_ACTION_NO, width="small"),
    col.COL_COMMENTAIRE: st.column_config.TextColumn(col.COL_COMMENTAIRE, width="large"),
}
DECISIONS_COLUMNS = {
    sd.COL_NO: st.column_config.NumberColumn(sd.COL_NO, width="small"),
    sd.COL_SEANCE: st.column_config.DateColumn(sd.COL_SEANCE, format=DATE_FMT),
    sd.COL_DECISION: st.column_config.TextColumn(sd.COL_DECISION, width="large"),
    sd.COL_ECHEANCE: st.column_config.DateColumn(sd.COL_ECHEANCE, format=DATE_FMT),
}


def indicateurs_display(ind: pd.DataFrame) -> pd.DataFrame:
    """Key indicators in words: values with their unit and year, progress as a number."""

    def with_year(value: object, year: object, unite: str) -> str:
        if value is None or pd.isna(value):
            return "—"
        return f"{format_value(float(value), unite)} ({int(year)})"  # type: ignore[arg-type, call-overload]

    return pd.DataFrame(
        {
            col.COL_AXE: ind[col.COL_AXE_NO].astype(str) + ". " + ind[col.COL_AXE],
            col.COL_CODE: ind[col.COL_CODE],
            col.COL_INDICATEUR: ind[col.COL_INDICATEUR],
            col.COL_TERRITOIRE_REFERENCE: ind[col.COL_TERRITOIRE_REFERENCE].fillna("—"),
            col.COL_DERNIERE_VALEUR: [
                with_year(v, y, u)
                for v, y, u in zip(
                    ind[col.COL_DERNIERE_VALEUR],
                    ind[col.COL_DERNIERE_ANNEE],
                    ind[col.COL_UNITE],
                    strict=True,
                )
            ],
            col.COL_CIBLE: [
                with_year(v, y, u)
                for v, y, u in zip(
                    ind[col.COL_CIBLE], ind[col.COL_ANNEE_CIBLE], ind[col.COL_UNITE], strict=True
                )
            ],
            "À la cible": ind["À la cible"],
            "Avancement": ind[col.COL_AVANCEMENT],
            col.COL_TENDANCE: ind[col.COL_TENDANCE],
            col.COL_TERRITOIRES_SUIVIS: ind[col.COL_TERRITOIRES_SUIVIS],
            col.COL_TERRITOIRES_A_LA_CIBLE: ind[col.COL_TERRITOIRES_A_LA_CIBLE],
        }
    )


INDICATEURS_COLUMNS = {
    col.COL_INDICATEUR: st.column_config.TextColumn(col.COL_INDICATEUR, width="large"),
    "Avancement": st.column_config.ProgressColumn(
        "Avancement vers la cible", format="%.0f %%", min_value=0, max_value=100
    ),
}


def statuts_figure(annee: int, as_of: date) -> tuple[go.Figure, str]:
    """The statuses of each axis at the year's observation date, and its sentence (for
    `data.derived`: built once per revision)."""
    statuts = model.statuts_long(data.query(model.synthese_annuelle, annee, as_of))
    return charts_suivi.statuts_axes_bar(statuts), descriptions.statuts_par_axe_texte(statuts)


def downloads(s: model.Synthese) -> None:
    """PDF and XLSX buttons; each file is built only when its button is clicked."""
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        "Télécharger le PDF",
        data=lambda: report.render(s, "pdf"),
        file_name=report.file_name(s, "pdf"),
        mime=report.MIME_TYPES["pdf"],
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="synthese_pdf",
        type="primary",
    )
    c2.download_button(
        "Télécharger le classeur (XLSX)",
        data=lambda: report.render(s, "xlsx"),
        file_name=report.file_name(s, "xlsx"),
        mime=report.MIME_TYPES["xlsx"],
        icon=":material/table_view:",
        on_click="ignore",
        key="synthese_xlsx",
    )


def _md(text: object) -> str:
    from ui.widgets import escape_md

    return escape_md(text)
