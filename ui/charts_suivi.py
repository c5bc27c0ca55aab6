"""Follow-up charts: statuses by axis, their evolution, the Gantt calendar, the engagement matrix.

Every chart uses the status / level colours of `ui.charts` and names them in its legend and hover.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ptlcd_data import formats
from ptlcd_data.suivi import descriptions, engagements, status_queries
from ptlcd_data.suivi.retards import BARRE_PREVUE
from ptlcd_data.vocabulary import NIVEAUX_AFFICHES, STATUTS_AFFICHES
from ui import data
from ui.charts import (
    NIVEAU_COLORS,
    PLANNED_COLOR,
    STATUT_COLORS,
    STATUT_TEXT_COLORS,
    VegaChart,
    base_layout,
    plotly_text,
)
from ui.document import TEXT_COLOR

# Long action wordings are cut on axis labels (the hover has the full text).
LABEL_CHARS = 48
ROW_PX = 40  # height of one action's row on the Gantt and the matrix
# Beyond this many territories the cells are too narrow for words: the hover and the legend
# still name the level, and the downloadable table has it in words.
HEATMAP_WORDS_MAX_COLUMNS = 12
# The level written in each matrix cell: black reads at 6:1 or more on every level's colour (a
# test checks each one); Plotly's own choice would vary from cell to cell.
CELL_TEXT_COLOR = "#000000"
# Streamlit's chart theme sets small tick and legend fonts; a projector needs these sizes.
TICK_FONT = {"size": 15}
TITLE_FONT = {"size": 16}


def readable(fig: go.Figure, *, height: int) -> go.Figure:
    """French formats (base_layout), then fonts readable from the back of a meeting room."""
    fig = base_layout(fig, height=height)
    fig.update_xaxes(tickfont=TICK_FONT, title_font=TITLE_FONT)
    fig.update_yaxes(tickfont=TICK_FONT, title_font=TITLE_FONT)
    fig.update_layout(
        legend={"font": TICK_FONT, "traceorder": "normal"},
        hoverlabel={"font_size": 15, "align": "left"},
        uniformtext={"minsize": 13, "mode": "hide"},
    )
    return fig


def _short(text: object, limit: int = LABEL_CHARS) -> str:
    s = str(text)
    return plotly_text(s if len(s) <= limit else s[: limit - 1].rstrip() + "…")


def statuts_axes_bar(counts: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: actions per status, one bar per axis (clickable segments)."""
    fig = go.Figure()
    counts = counts.assign(label=counts["axe_no"].astype(str) + ". " + counts["axe"].map(_short))
    for statut in STATUTS_AFFICHES:
        part = counts[counts["statut"] == statut]
        if not part["nb"].any():
            continue
        fig.add_trace(
            go.Bar(
                name=statut,
                y=part["label"],
                x=part["nb"],
                orientation="h",
                marker_color=STATUT_COLORS[statut],
                text=part["nb"].where(part["nb"] > 0, None),
                textposition="inside",
                textfont={"color": STATUT_TEXT_COLORS[statut]},  # 4,5:1 at least on its colour
                insidetextanchor="middle",
                customdata=np.column_stack([part["axe_no"], [statut] * len(part)]),
                hovertemplate="%{y}<br>" + statut + " : %{x} action(s)<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", clickmode="event+select")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="Nombre d'actions", dtick=2)
    return readable(fig, height=max(320, 70 * counts["axe_no"].nunique() + 120))


def evolution_bar(evolution: pd.DataFrame, as_of: date) -> go.Figure:
    """Stacked bars: the status mix at each year end, then at the observation date."""
    df = evolution.copy()
    jours = pd.to_datetime(df["jour"]).dt.date
    df["label"] = [
        f"Au {formats.day(j)}" if j == as_of and (j.month, j.day) != (12, 31) else formats.day(j)
        for j in jours
    ]
    fig = go.Figure()
    for statut in STATUTS_AFFICHES:
        part = df[df["statut"] == statut]
        if not part["nb"].any():
            continue
        fig.add_trace(
            go.Bar(
                name=statut,
                x=part["label"],
                y=part["nb"],
                marker_color=STATUT_COLORS[statut],
                text=part["nb"].where(part["nb"] > 0, None),
                textposition="inside",
                textfont={"color": STATUT_TEXT_COLORS[statut]},
                hovertemplate="%{x}<br>" + statut + " : %{y} action(s)<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=None, type="category")
    fig.update_yaxes(title="Nombre d'actions")
    return readable(fig, height=480)


def _gantt_hover(rows: pd.DataFrame) -> list[str]:
    texts = []
    for r in rows.itertuples(index=False):
        end = "sans échéance" if r.ouvert and r.barre == BARRE_PREVUE else formats.day(r.fin)
        if r.ouvert and r.barre != BARRE_PREVUE:
            end = "en cours"
        lines = [
            f"<b>Action n° {r.action_no}</b>",
            _wrapped(r.action),
            f"{r.barre} : {formats.day(r.debut)} → {end}",
            f"Calendrier du plan : {plotly_text(r.calendrier or 'non planifiée')}",
            f"Statut : {r.statut}",
            f"Glissement du début : {formats.months(_num(r.glissement_debut_mois))}",
            f"Glissement de la fin : {formats.months(_num(r.glissement_fin_mois))}",
        ]
        if r.en_retard:
            lines.append("<b>En retard</b>")
        texts.append("<br>".join(lines))
    return texts


def _wrapped(text: object, width: int = 70, lines: int = 3) -> str:
    """Plan text on a few short hover lines (escaped), cut with … when longer."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], parts[lines - 1][: width - 1] + "…"]
    return "<br>".join(plotly_text(p) for p in parts)


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def gantt(rows: pd.DataFrame, as_of: date) -> go.Figure:
    """Planned (grey) and actual (status colour) bars per action, grouped by axis.

    `rows` come from `suivi.gantt_rows`, already in display order. Bars without an end (no
    planned end, or still running) are hatched.
    """
    df = rows.copy()
    df["groupe"] = (
        "Axe " + df["axe_no"].astype(str) + "<br>" + df["axe"].map(lambda a: _short(a, 16))
    )
    df["ligne"] = "n° " + df["action_no"].astype(str) + " · " + df["action"].map(_short)
    df["duree"] = (pd.to_datetime(df["fin"]) - pd.to_datetime(df["debut"])).dt.total_seconds()
    df["duree"] = df["duree"] * 1000
    df["hover"] = _gantt_hover(df)
    order = list(dict.fromkeys(zip(df["groupe"], df["ligne"], strict=True)))
    fig = go.Figure()
    # An invisible first trace fixes the row order (multicategory axes keep first-seen order).
    fig.add_trace(
        go.Scatter(
            y=[[g for g, _ in order], [line for _, line in order]],
            x=[pd.Timestamp(as_of)] * len(order),
            mode="markers",
            marker={"opacity": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    series = [(BARRE_PREVUE, PLANNED_COLOR, df[df["barre"] == BARRE_PREVUE])] + [
        (s, STATUT_COLORS[s], df[(df["barre"] != BARRE_PREVUE) & (df["statut"] == s)])
        for s in STATUTS_AFFICHES
    ]
    for name, color, part in series:
        if part.empty:
            continue
        legend = "Prévu (calendrier du plan)" if name == BARRE_PREVUE else f"Réel : {name}"
        fig.add_trace(
            go.Bar(
                name=legend,
                y=[part["groupe"].tolist(), part["ligne"].tolist()],
                base=pd.to_datetime(part["debut"]).dt.strftime("%Y-%m-%d").tolist(),
                x=part["duree"].tolist(),
                orientation="h",
                offsetgroup="prevu" if name == BARRE_PREVUE else "reel",
                marker={
                    "color": color,
                    "line": {"color": "#333333", "width": 0.5},
                    "pattern": {
                        "shape": np.where(part["ouvert"], "/", "").tolist(),
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.7,
                        "fillmode": "overlay",
                    },
                },
                hovertext=part["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.add_vline(
        x=pd.Timestamp(as_of).timestamp() * 1000,
        line={"color": "#C00000", "width": 2, "dash": "dash"},
        annotation_text=f"Observation : {formats.day(as_of)}",
        annotation_position="top",
    )
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
    fig.update_xaxes(type="date", tickformat="%Y", dtick="M12", title=None, showgrid=True)
    fig.update_yaxes(autorange="reversed", title=None)
    height = ROW_PX * len(order) + 24 * len({g for g, _ in order}) + 160
    return readable(fig, height=max(360, height))


LABEL_LINE_PX = 18


def _most_words(matrix: engagements.Grid) -> int:
    """The most lines a territory's name takes, a word per line."""
    return max((len(str(t).split()) for t in matrix.territoires), default=1)


def engagement_heatmap(matrix: engagements.Grid) -> VegaChart:
    """Actions (rows) × territories (columns), each cell in its level's colour, with the level
    in words when the cells are wide enough; a legend names every level.

    A Vega-Lite chart: Plotly took the browser half as long again as the rest of the page to
    draw a thousand cells, Vega-Lite about as long as one small chart.
    """
    levels = list(NIVEAUX_AFFICHES)
    n_columns = len(matrix.territoires)
    points = descriptions.engagement_points(matrix)
    axis = {"labelFontSize": TICK_FONT["size"], "labelColor": TEXT_COLOR, "title": None}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2}}
    ]
    if n_columns <= HEATMAP_WORDS_MAX_COLUMNS:
        layers.append(
            {
                "mark": {"type": "text", "fontSize": 14},
                # Its own colour, not the cell's (which it would take from the chart's encoding).
                "encoding": {
                    "text": {"field": "niveau", "type": "nominal"},
                    "color": {"value": CELL_TEXT_COLOR},
                },
            }
        )
    spec: dict[str, Any] = {
        "height": {"step": ROW_PX},
        "encoding": {
            "y": {
                "field": "ligne",
                "type": "nominal",
                "sort": list(dict.fromkeys(points["ligne"])),
                "axis": {**axis, "labelLimit": 0},
            },
            "x": {
                "field": "territoire",
                "type": "nominal",
                "sort": list(matrix.territoires),
                "axis": {
                    **axis,
                    "orient": "top",
                    "labelLimit": 0,
                    "labelOverlap": False,  # every territory named, as in the table
                    # Upright, a word per line (« Nantes Métropole » beside « Nantes » would
                    # run into it), the lines above the cells; slanted beyond a dozen columns.
                    **(
                        {
                            "labelAngle": 0,
                            "labelExpr": "split(datum.label, ' ')",
                            "labelLineHeight": LABEL_LINE_PX,
                            "labelPadding": 4 + LABEL_LINE_PX * (_most_words(matrix) - 1),
                        }
                        if n_columns <= HEATMAP_WORDS_MAX_COLUMNS
                        else {"labelAngle": -60}
                    ),
                },
            },
            "color": {
                "field": "niveau",
                "type": "nominal",
                "scale": {"domain": levels, "range": [NIVEAU_COLORS[n] for n in levels]},
                "legend": {
                    "title": None,
                    "orient": "bottom",
                    "direction": "horizontal",
                    "labelFontSize": TICK_FONT["size"],
                    "labelColor": TEXT_COLOR,
                    "labelLimit": 0,
                    "symbolType": "square",
                    "symbolSize": 250,
                    "symbolStrokeColor": "#666666",
                    "symbolStrokeWidth": 1,
                },
            },
            "tooltip": [
                {"field": field, "type": "nominal", "title": title}
                for field, title in descriptions.CELL_WORDS
            ],
        },
        "layer": layers,
        # Vega's own ARIA labels are English: left out, the chart is named by its sentence.
        "config": {"aria": False, "font": "sans-serif", "view": {"stroke": None}},
        # Drawn on a canvas: a thousand cells as SVG elements cost the browser a fifth more
        # (styles, layout); the chart is one graphic named by its sentence either way.
        "usermeta": {"embedOptions": {"renderer": "canvas"}},
    }
    return VegaChart(points, spec)


# -- built once per revision and choice (`data.derived`), with their sentence -------------------
# Building a figure took the server longer than the rest of its page; each is shared by every
# session (never modified once built).


def statuts_figure(as_of: date) -> tuple[go.Figure, str]:
    """The statuses of each axis at `as_of` (Avancement par axe), and its sentence."""
    counts = data.query(status_queries.status_counts_by_axis, as_of)
    return statuts_axes_bar(counts), descriptions.statuts_par_axe_texte(counts)


def evolution_figure(as_of: date) -> tuple[go.Figure, str] | None:
    """The statuses at each year end up to `as_of`, and its sentence; None without a year end."""
    evolution = data.query(status_queries.status_counts_by_year_end, as_of)
    if evolution.empty:
        return None
    return evolution_bar(evolution, as_of), descriptions.evolution_texte(evolution, as_of)


def gantt_figure(
    as_of: date, tri: str, only_late: bool, filters: tuple[tuple[str, Any], ...]
) -> tuple[go.Figure, str] | None:
    """The Gantt chart of the actions the calendar's filters keep, and its sentence; None when
    none of them has a planned calendar or a start."""
    rows = data.query(
        status_queries.gantt_bars, as_of, tri=tri, seulement_retard=only_late, **dict(filters)
    )
    if rows.empty:
        return None
    etat = data.query(
        status_queries.calendar_actions, as_of, tri=tri, seulement_retard=only_late, **dict(filters)
    )
    return gantt(rows, as_of), descriptions.gantt_texte(etat, as_of)


def engagement_figure(
    as_of: date, axes: tuple[int, ...], territoires: tuple[str, ...]
) -> tuple[VegaChart, str]:
    """The engagement matrix of the axes and territories chosen, and its sentence."""
    grid = data.query(engagements.matrix_grid, as_of, axes=axes, territoires=territoires)
    return engagement_heatmap(grid), descriptions.engagement_texte(grid)
