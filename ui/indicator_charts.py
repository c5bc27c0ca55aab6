"""Indicator charts: one panel per territory, or per indicator of an axis (small multiples).

The target is a dashed line with open diamonds and the word "cible" at its last point, so it reads
without colour (printed in black and white, or by a colour-blind reader). Hover shows value,
target and source, in French formats.

One indicator's panels by territory are a Vega-Lite chart (`territory_panels`, drawn with
`charts.show_vega`): Plotly drew a dozen panels in 0,6 to 0,8 s of the browser's time, a panel
costing it about as much as a whole chart; Vega-Lite draws them as one view in about a tenth of
that. Its tooltips show text as text (plan and user text needs no escaping there). The axis view
(`small_multiples`) stays a Plotly figure, whose labels are escaped for Plotly's pseudo-HTML.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ptlcd_data.formats import NARROW_NBSP
from ptlcd_data.indicateurs import descriptions
from ptlcd_data.indicateurs.rules import format_value
from ui.charts import VegaChart, base_layout
from ui.document import TEXT_COLOR

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


VALUE_LABEL = descriptions.VALUE_LABEL
TARGET_LABEL = descriptions.TARGET_LABEL
# Panels of `territory_panels`: three by row at this width fill a wide page beside the sidebar
# (Vega-Lite sizes the panels of a faceted chart itself, not to the page's width).
PANEL_WIDTH = 300
VEGA_PANEL_HEIGHT = 190
TOOLTIP = descriptions.POINT_WORDS
# Vega's number format is English ("1,234.5"): its labels are rewritten in French, a narrow
# no-break space between thousands and a decimal comma (the same text as formats.number).
FRENCH_NUMBER = (
    "replace(replace(replace(format(datum.value, ',~f'), ',', 'T'), '.', ','), /T/g, '"
    + NARROW_NBSP
    + "')"
)


def territory_panels(values: pd.DataFrame, unite: str) -> VegaChart:
    """One panel per territory (in the order of `values`), the value and its target per year:
    the same years on every panel, each its own scale of values.

    `values` has columns territoire, annee, valeur, cible, source.
    """
    series = {"field": "serie", "type": "nominal"}
    domain = [VALUE_LABEL, TARGET_LABEL]
    suffix = f" + '{NARROW_NBSP}%'" if unite.strip() == "%" else ""
    axis = {"labelFontSize": 14, "labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR}
    spec = {
        "facet": {
            "field": "panel",
            "type": "nominal",
            "sort": list(dict.fromkeys(str(t) for t in values["territoire"])),
            "header": {
                "title": None,
                "labelFontSize": 15,
                "labelColor": TEXT_COLOR,
                "labelLimit": PANEL_WIDTH,
            },
        },
        "columns": PANEL_COLUMNS,
        "spacing": {"row": 24, "column": 28},
        # Panels in line whatever a label overhangs (the word « cible » above a last point).
        "bounds": "flush",
        "resolve": {"scale": {"y": "independent"}, "axis": {"x": "independent"}},
        "spec": {
            "width": PANEL_WIDTH,
            "height": VEGA_PANEL_HEIGHT,
            "encoding": {
                "x": {
                    "field": "annee",
                    "type": "quantitative",
                    "title": None,
                    # Room for the first and last points; every label under its year.
                    "scale": {"zero": False, "nice": False, "padding": 14},
                    "axis": {
                        **axis,
                        "format": "d",
                        "tickMinStep": 1,
                        "grid": False,
                        "labelFlush": False,
                    },
                },
                "y": {
                    "field": "v",
                    "type": "quantitative",
                    "title": None,
                    "scale": {"zero": True},
                    "axis": {
                        **axis,
                        "labelExpr": FRENCH_NUMBER + suffix,
                        "gridColor": "#e5e5e5",
                        "tickCount": 4,
                    },
                },
                "color": {
                    **series,
                    "scale": {"domain": domain, "range": [VALUE_COLOR, TARGET_COLOR]},
                    "legend": {
                        "title": None,
                        "orient": "top",
                        "direction": "horizontal",
                        "labelFontSize": 15,
                        "labelColor": TEXT_COLOR,
                        "labelLimit": 0,
                        "symbolType": "stroke",
                        "symbolStrokeWidth": 3,
                        "symbolSize": 400,
                    },
                },
                "strokeDash": {
                    **series,
                    "scale": {"domain": domain, "range": [[1, 0], [7, 4]]},
                    "legend": None,
                },
                "tooltip": [{"field": name, "type": "nominal"} for name in TOOLTIP],
            },
            "layer": [
                {"mark": {"type": "line", "strokeWidth": 3}},
                {
                    "mark": {"type": "point", "shape": "circle", "filled": True, "size": 70},
                    "transform": [{"filter": {"field": "serie", "equal": VALUE_LABEL}}],
                },
                {
                    "mark": {
                        "type": "point",
                        "shape": "diamond",
                        "filled": False,
                        "size": 90,
                        "strokeWidth": 2,
                    },
                    "transform": [{"filter": {"field": "serie", "equal": TARGET_LABEL}}],
                },
                {
                    "mark": {
                        "type": "text",
                        "align": "right",
                        "dx": -8,
                        "dy": -12,
                        "fontSize": 13,
                        "color": TARGET_COLOR,
                    },
                    "transform": [{"filter": "datum.last"}],
                    "encoding": {"text": {"value": "cible"}},
                },
            ],
        },
        # Vega's own ARIA labels are English ("X-axis for a linear scale…", "line mark
        # container"): left out, the chart is named by its sentence (`alt`) alone.
        "config": {
            "aria": False,
            "font": "sans-serif",
            "view": {"stroke": None},
            "text": {"font": "sans-serif"},
        },
    }
    return VegaChart(descriptions.territory_points(values, unite), spec)


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
