"""Plotly chart builders in French formats (decimal comma, thin space for thousands), and the one
way a page shows a chart (`show`): without Plotly's toolbar, in French, with its text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ptlcd_data import vocabulary
from ui.document import TEXT_COLOR

# Plotly's `separators`: decimal mark then thousands separator (a narrow no-break space).
FRENCH_SEPARATORS = ",\u202f"
FONT = {"size": 16, "color": TEXT_COLOR}  # readable on a meeting-room projector

# Plotly's own words in French: dates (month and day names) and the few messages it shows
# without its toolbar ("Double-click to zoom back out" after a drag-zoom). Plotly's French
# locale is not in Streamlit's bundle, so it is given here (Plotly's `locales` option).
FRENCH_LOCALE: dict[str, Any] = {
    "dictionary": {
        "Double-click to zoom back out": "Double-cliquez pour revenir à la vue initiale",
        "Autoscale": "Échelle automatique",
        "Reset axes": "Réinitialiser les axes",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "Download plot as a PNG": "Télécharger le graphique en PNG",
        "Download plot": "Télécharger le graphique",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": "\u202f",
    },
}
# No toolbar: its 8 buttons per chart (English, "Download plot as a PNG"…) came before the page's
# own filters in the tab order; the data of every chart is in a table beside it instead.
PLOTLY_CONFIG: dict[str, Any] = {
    "displayModeBar": False,
    "displaylogo": False,
    "locale": "fr",
    "locales": {"fr": FRENCH_LOCALE},
}


def show(fig: go.Figure, *, key: str, alt: str, **kwargs: Any) -> Any:
    """The chart, full width, with `alt` as its accessible name (a sentence with its key
    figures, from the data layer) and PLOTLY_CONFIG. Extra arguments go to st.plotly_chart."""
    return st.plotly_chart(fig, width="stretch", key=key, alt=alt, config=PLOTLY_CONFIG, **kwargs)


@dataclass(frozen=True)
class VegaChart:
    """A Vega-Lite chart: its data (a table) and its specification (a dict, without data)."""

    data: pd.DataFrame
    spec: dict[str, Any]


def show_vega(
    chart: VegaChart, *, key: str, alt: str, width: Literal["content", "stretch"] = "content"
) -> Any:
    """A Vega-Lite chart with `alt` as its accessible name (its description); no menu (Streamlit
    shows none). `width`: "content" (a faceted chart sizes its panels itself) or "stretch"."""
    return st.vega_lite_chart(chart.data, chart.spec, width=width, key=key, alt=alt)


def base_layout(fig: go.Figure, *, height: int = 420) -> go.Figure:
    """French formats, and every text of the chart in the page's text colour (axis labels were
    Streamlit's light grey, 3,7:1 on white); hover boxes white with dark text."""
    fig.update_layout(
        separators=FRENCH_SEPARATORS,
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"bgcolor": "#ffffff", "font": {"color": TEXT_COLOR}},
    )
    fig.update_layout(legend_font_color=TEXT_COLOR)
    fig.update_xaxes(tickfont_color=TEXT_COLOR, title_font_color=TEXT_COLOR)
    fig.update_yaxes(tickfont_color=TEXT_COLOR, title_font_color=TEXT_COLOR)
    for note in fig.layout.annotations:  # subplot titles; a colour already chosen is kept
        if note.font.color is None:
            note.font.color = TEXT_COLOR
    return fig


# The palettes are data-layer constants, shared with the PDF.
STATUT_COLORS = vocabulary.STATUT_COLORS
NIVEAU_COLORS = vocabulary.NIVEAU_COLORS
STATUT_TEXT_COLORS = vocabulary.STATUT_TEXT_COLORS
PLANNED_COLOR = "#8C8C8C"


def plotly_text(value: object) -> str:
    """Plan or user text made inert in Plotly labels and hovers (which read `<br>`, `<b>`…)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
