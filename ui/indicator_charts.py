"""Indicator charts: one panel per territory, or per indicator of an axis (small multiples).

The target is a dashed line with open diamonds and the word "cible" at its last point, so it reads
without colour (printed in black and white, or by a colour-blind reader). Hover shows value,
target and source, in French formats; plan and user text is escaped for Plotly's pseudo-HTML.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ptlcd_data.formats import NARROW_NBSP
from ptlcd_data.indicateurs.rules import format_value
from ui.charts import base_layout

VALUE_COLOR = "#1f4e79"
TARGET_COLOR = "#b35900"
PANEL_COLUMNS = 3
PANEL_HEIGHT = 270  # pixels per row of panels: readable on a projector, three rows per screen
TITLE_CHARS = 42  # small-multiple titles are cut here; the full wording is in the hover
HOVER = (
    "<b>%{customdata[0]}</b> · %{customdata[1]}<br>Réalisé : %{customdata[2]}<br>"
    "Cible : %{customdata[3]}<br>Source : %{customdata[4]}<extra></extra>"
)


def escape(text: object) -> str:
    """Plotly reads labels as pseudo-HTML: '<', '>' and '&' must be entities."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=False)


def _customdata(d: pd.DataFrame, name_col: str, unite: str) -> list[list[str]]:
    return [
        [
            escape(name),
            str(int(annee)),
            format_value(valeur, unite),
            format_value(cible, unite),
            escape(source) or "non renseignée",
        ]
        for name, annee, valeur, cible, source in zip(
            d[name_col], d["annee"], d["valeur"], d["cible"], d["source"], strict=True
        )
    ]


def _grid(n: int) -> tuple[int, int, float]:
    cols = max(1, min(PANEL_COLUMNS, n))
    rows = max(1, math.ceil(n / cols))
    # About 70 pixels between rows, for the panel titles.
    spacing = min(0.25, 70 / (rows * PANEL_HEIGHT)) if rows > 1 else 0.0
    return rows, cols, spacing


def _add_series(
    fig: go.Figure, d: pd.DataFrame, name_col: str, unite: str, row: int, col: int, first: bool
) -> None:
    data = _customdata(d, name_col, unite)
    measured = d["valeur"].notna().to_numpy()
    fig.add_trace(
        go.Scatter(
            x=d["annee"][measured],
            y=d["valeur"][measured],
            mode="lines+markers",
            name="Réalisé (trait plein)",
            legendgroup="valeur",
            showlegend=first,
            line={"color": VALUE_COLOR, "width": 3},
            marker={"symbol": "circle", "size": 9},
            customdata=[c for c, m in zip(data, measured, strict=True) if m],
            hovertemplate=HOVER,
        ),
        row=row,
        col=col,
    )
    targeted = d["cible"].notna().to_numpy()
    n_targets = int(targeted.sum())
    if n_targets:
        fig.add_trace(
            go.Scatter(
                x=d["annee"][targeted],
                y=d["cible"][targeted],
                mode="lines+markers+text",
                name="Cible (tirets)",
                legendgroup="cible",
                showlegend=first,
                line={"color": TARGET_COLOR, "width": 2, "dash": "dash"},
                marker={"symbol": "diamond-open", "size": 10},
                text=[""] * (n_targets - 1) + ["cible"],
                textposition="top left",
                textfont={"color": TARGET_COLOR, "size": 13},
                cliponaxis=False,
                customdata=[c for c, t in zip(data, targeted, strict=True) if t],
                hovertemplate=HOVER,
            ),
            row=row,
            col=col,
        )


def _layout(fig: go.Figure, rows: int) -> go.Figure:
    """French formats, then room at the top for the legend above the first panel titles."""
    base_layout(fig, height=max(360, rows * PANEL_HEIGHT + 90))
    fig.update_layout(
        margin={"t": 80},
        legend={"yref": "container", "y": 0.995, "yanchor": "top", "x": 0},
    )
    return fig


def _axes(fig: go.Figure, unite: str | None) -> None:
    # Same years on every panel, so territories compare at a glance.
    fig.update_xaxes(tickformat="d", dtick=1, showgrid=False, matches="x")
    fig.update_yaxes(tickformat=",~f", rangemode="tozero", gridcolor="#e5e5e5")
    if unite is not None and unite.strip() == "%":
        fig.update_yaxes(ticksuffix=f"{NARROW_NBSP}%")


def territory_panels(values: pd.DataFrame, unite: str) -> go.Figure:
    """One panel per territory (in the order of `values`), the value and its target per year.

    `values` has columns territoire, annee, valeur, cible, source.
    """
    territories = list(dict.fromkeys(values["territoire"]))
    rows, cols, spacing = _grid(len(territories))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[escape(t) for t in territories],
        vertical_spacing=spacing,
        horizontal_spacing=0.06,
    )
    for k, terr in enumerate(territories):
        d = values[values["territoire"] == terr]
        _add_series(fig, d, "territoire", unite, k // cols + 1, k % cols + 1, k == 0)
    _axes(fig, unite)
    return _layout(fig, rows)


def small_multiples(series: pd.DataFrame) -> go.Figure:
    """One panel per indicator of `series` (columns indicateur_code, libelle, unite, annee, valeur,
    cible, source); an indicator without values gets a panel saying so in words."""
    codes = list(dict.fromkeys(series["indicateur_code"]))
    rows, cols, spacing = _grid(len(codes))
    titles = []
    for code in codes:
        label = str(series.loc[series["indicateur_code"] == code, "libelle"].iloc[0])
        short = label if len(label) <= TITLE_CHARS else label[: TITLE_CHARS - 1] + "…"
        titles.append(f"<b>{escape(code)}</b> {escape(short)}")
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        vertical_spacing=spacing,
        horizontal_spacing=0.06,
    )
    fig.update_annotations(font_size=13)
    first = True
    for k, code in enumerate(codes):
        d = series[(series["indicateur_code"] == code) & series["annee"].notna()]
        row, col = k // cols + 1, k % cols + 1
        unite = str(series.loc[series["indicateur_code"] == code, "unite"].iloc[0])
        if d.empty:
            fig.add_annotation(
                text="Aucune valeur",
                x=0.5,
                y=0.5,
                xref="x domain",
                yref="y domain",
                showarrow=False,
                font={"size": 15, "color": "#555555"},
                row=row,
                col=col,
            )
            fig.update_xaxes(visible=False, row=row, col=col)
            fig.update_yaxes(visible=False, row=row, col=col)
            continue
        d = d.assign(libelle_court=code)
        _add_series(fig, d, "libelle_court", unite, row, col, first)
        first = False
        if unite.strip() == "%":
            fig.update_yaxes(ticksuffix=f"{NARROW_NBSP}%", row=row, col=col)
    _axes(fig, None)
    return _layout(fig, rows)
