"""Plotly chart builders in French formats (decimal comma, thin space for thousands)."""

from __future__ import annotations

import plotly.graph_objects as go

from ptlcd_data import vocabulary

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


# The palettes are data-layer constants, shared with the PDF.
STATUT_COLORS = vocabulary.STATUT_COLORS
NIVEAU_COLORS = vocabulary.NIVEAU_COLORS
PLANNED_COLOR = "#8C8C8C"


def plotly_text(value: object) -> str:
    """Plan or user text made inert in Plotly labels and hovers (which read `<br>`, `<b>`…)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
