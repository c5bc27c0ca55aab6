"""The campaign page's chart: the overall reply rate day by day, against the deadline."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from ptlcd_data import formats
from ui.charts import base_layout

RATE_COLOR = "#0072B2"
DEADLINE_COLOR = "#C00000"


def replies_chart(by_day: pd.DataFrame, echeance: date) -> go.Figure:
    """Cumulated reply rate (0–100 %) per day, new replies as bars, the deadline as a line."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=by_day["jour"],
            y=by_day["reponses"],
            name="Réponses du jour",
            marker_color="#56B4E9",
            opacity=0.6,
            yaxis="y2",
            hovertemplate="%{x|%d/%m/%Y} : %{y} réponse(s)<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=by_day["jour"],
            y=by_day["taux"],
            name="Taux de réponse cumulé (%)",
            mode="lines+markers",
            line={"color": RATE_COLOR, "width": 3, "shape": "hv"},
            hovertemplate="%{x|%d/%m/%Y} : %{y:.0f} %<extra></extra>",
        )
    )
    fig.add_vline(
        x=pd.Timestamp(echeance).timestamp() * 1000,
        line={"color": DEADLINE_COLOR, "width": 2, "dash": "dash"},
        annotation_text=f"Échéance : {formats.day(echeance)}",
        annotation_position="top",
    )
    most = int(by_day["reponses"].max()) if len(by_day) else 0
    fig.update_layout(
        yaxis={"title": "Taux de réponse (%)", "range": [0, 105]},
        yaxis2={
            "title": "Réponses",
            "overlaying": "y",
            "side": "right",
            "range": [0, max(most, 1) * 1.05],
            "dtick": max(1, math.ceil(most / 5)),  # whole numbers of replies
            "showgrid": False,
        },
    )
    fig.update_xaxes(type="date", tickformat="%d/%m", title=None)
    return base_layout(fig, height=380)
