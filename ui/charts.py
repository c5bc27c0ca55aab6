"""Plotly chart builders in French formats (decimal comma, thin space for thousands)."""

from __future__ import annotations

import plotly.graph_objects as go

# Plotly's `separators`: decimal mark then thousands separator (a narrow no-break space).
FRENCH_SEPARATORS = ",\u202f"
FONT = {"size": 16}  # readable on a meeting-room projector


def base_layout(fig: go.Figure, *, height: int = 420) -> go.Figure:
    fig.update_layout(
        separators=FRENCH_SEPARATORS,
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig


# One colour per status, the same on every page. Okabe–Ito palette (readable with every common
# colour-vision deficiency); every legend and hover also names the status, never colour alone.
STATUT_COLORS: dict[str, str] = {
    "À venir": "#56B4E9",
    "En cours": "#0072B2",
    "Réalisé": "#009E73",
    "En pause": "#F0E442",
    "Bloqué": "#D55E00",
    "Abandonné": "#CC79A7",
    "À discuter": "#E69F00",
    "Sans statut": "#BBBBBB",
}
# Engagement levels, from "nothing known" to "done"; the level's word is written in each cell.
NIVEAU_COLORS: dict[str, str] = {
    "Non renseignée": "#F4F4F4",
    "Non concernée": "#BBBBBB",
    "À engager": "#E69F00",
    "Engagée": "#56B4E9",
    "Réalisée": "#009E73",
}
PLANNED_COLOR = "#8C8C8C"


def plotly_text(value: object) -> str:
    """Plan or user text made inert in Plotly labels and hovers (which read `<br>`, `<b>`…)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
