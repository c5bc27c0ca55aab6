"""The charts of the annual summary PDF, drawn by matplotlib (no browser, no network).

Each function takes tables of a `Synthese` and returns a matplotlib figure; `ReportPDF.figure`
rasterises and closes it. French formats on every axis; every colour is also named in a legend
or a label, never colour alone.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd

from ptlcd_data import formats, vocabulary
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese.pdf_document import french_axis, new_figure
from ptlcd_data.vocabulary import NIVEAUX_ENGAGES, STATUTS_AFFICHES

# The palettes are data-layer constants, shared with the PDF.
STATUT_COLORS = vocabulary.STATUT_COLORS
NIVEAU_COLORS = vocabulary.NIVEAU_COLORS
VALUE_COLOR = "#1F4E79"
TARGET_COLOR = "#555555"
# Dark text on every fill: readable on the light and the dark colours alike.
INK = "#1A1A1A"
# Beyond these, a printed chart stops being readable; the tables (and the XLSX) have the rest.
MAX_ENGAGEMENT_BARS = 20
MAX_INDICATOR_PANELS = 12
PANEL_COLUMNS = 4
FULL_WIDTH_IN = 7.5  # a figure this wide fills the text width of the page
LABEL_CHARS = 38


def ink_on(fill: str) -> str:
    """Dark text on light fills, white on dark ones (WCAG relative luminance)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(fill.lstrip("#")[i : i + 2], 16) / 255) for i in (0, 2, 4))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.2 else INK


def integer_ticks(ax: Any, axis: str = "x") -> None:
    """Counts of actions: whole numbers only on the axis, in French format."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    french_axis(ax, axis)


def short(text: object, limit: int = LABEL_CHARS) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def status_counts_by_axis(axes: pd.DataFrame) -> Any:
    """Stacked horizontal bars: the actions of each axis by status, counts written inside."""
    fig, ax = new_figure(7.5, 0.4 * len(axes) + 1.0)
    labels = [
        f"{n}. {short(a, 30)}" for n, a in zip(axes[col.COL_AXE_NO], axes[col.COL_AXE], strict=True)
    ]
    present = [s for s in STATUTS_AFFICHES if axes[s].astype(float).any()]
    _stacked_bars(ax, labels, axes, present, STATUT_COLORS, height=0.6, ncol=4)
    return fig


def _stacked_bars(
    ax: Any,
    labels: list[str],
    table: pd.DataFrame,
    columns: list[str],
    colors: dict[str, str],
    *,
    ncol: int,
    height: float = 0.8,
) -> None:
    """Horizontal bars stacked column by column, each count written inside its segment."""
    left = pd.Series(0.0, index=table.index)
    for column in columns:
        counts = table[column].astype(float)
        bars = ax.barh(labels, counts, left=left, color=colors[column], label=column, height=height)
        for bar, n in zip(bars, counts, strict=True):
            if n > 0:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    formats.number(n),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=ink_on(colors[column]),
                )
        left = left + counts
    ax.invert_yaxis()
    ax.set_xlabel("Nombre d'actions")
    integer_ticks(ax)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=ncol, frameon=False, fontsize=7)


def engagement_by_territory(engagement: pd.DataFrame) -> Any | None:
    """Stacked horizontal bars per territory: actions Réalisée, Engagée, À engager. The
    territories with the most engaged actions first, MAX_ENGAGEMENT_BARS at most, and only
    those with at least one such action; None when there is none."""
    levels = [*reversed(NIVEAUX_ENGAGES), "À engager"]  # Réalisée, Engagée, À engager
    some = engagement[engagement[levels].sum(axis=1) > 0]
    if some.empty:
        return None
    top = some.sort_values(col.COL_ENGAGES, ascending=False, kind="stable").head(
        MAX_ENGAGEMENT_BARS
    )
    fig, ax = new_figure(7.5, 0.42 * len(top) + 1.2)
    labels = [short(t, 30) for t in top[col.COL_TERRITOIRE]]
    _stacked_bars(ax, labels, top, levels, NIVEAU_COLORS, ncol=3)
    return fig


def indicateurs_axe(indicateurs: pd.DataFrame, series: pd.DataFrame) -> Any | None:
    """Small multiples: each indicator of an axis in its reference territory, values (line)
    against yearly targets (dashes). None when no indicator has a value."""
    codes = [c for c in indicateurs[col.COL_CODE] if c in set(series[col.COL_CODE])][
        :MAX_INDICATOR_PANELS
    ]
    if not codes:
        return None
    columns = min(PANEL_COLUMNS, len(codes))
    rows = math.ceil(len(codes) / columns)
    # A panel keeps its size whatever the number of panels: the figure is as wide as its columns.
    fig, axes = new_figure(FULL_WIDTH_IN * columns / PANEL_COLUMNS, 1.6 * rows)
    fig.clf()
    info = indicateurs.set_index(col.COL_CODE)
    handles: list[Any] = []
    for i, code in enumerate(codes, start=1):
        ax = fig.add_subplot(rows, columns, i)
        ax.spines[["top", "right"]].set_visible(False)
        data = series[series[col.COL_CODE] == code].sort_values(col.COL_ANNEE)
        unite = str(info.loc[code, col.COL_UNITE])
        pct = unite.strip() == "%"
        known = data.dropna(subset=[col.COL_VALEUR])
        ax.plot(
            known[col.COL_ANNEE],
            known[col.COL_VALEUR],
            marker="o",
            ms=3,
            color=VALUE_COLOR,
            label="Réalisé",
        )
        targets = data.dropna(subset=[col.COL_CIBLE])
        ax.plot(
            targets[col.COL_ANNEE],
            targets[col.COL_CIBLE],
            ls="--",
            marker="D",
            ms=2.5,
            color=TARGET_COLOR,
            label=col.COL_CIBLE,
        )
        title = textwrap.fill(f"{code} · {short(info.loc[code, 'Indicateur'], 56)}", 28)
        ax.set_title(title, fontsize=6.5, loc="left")
        ax.tick_params(labelsize=6)
        years = sorted(set(data[col.COL_ANNEE]))
        ax.set_xticks(years if len(years) <= 6 else years[:: math.ceil(len(years) / 6)])
        ax.xaxis.set_major_formatter(_year_formatter())
        _value_axis(ax, pct)
        if i == 1:
            handles, names = ax.get_legend_handles_labels()
    # A fixed grid rather than tight_layout: one layout pass less per figure (the PDF of a
    # large plan draws dozens of panels), and the titles' three lines fit in this spacing.
    fig.subplots_adjust(
        left=0.06,
        right=0.98,
        top=1 - 0.42 / fig.get_figheight(),
        bottom=0.12 / rows,
        wspace=0.38,
        hspace=0.85,
    )
    fig.legend(
        handles,
        ["Réalisé (trait plein)", "Cible de l'année (tirets)"],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2 if columns > 1 else 1,
        frameon=False,
        fontsize=7,
    )
    return fig


def _value_axis(ax: Any, pct: bool) -> None:
    """Four ticks at most: whole numbers for counts, a decimal for a rate moving by a few
    points (never '26 %, 26 %')."""
    from matplotlib.ticker import MaxNLocator

    low, high = ax.get_ylim()
    decimal = pct and high - low < 4
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=not decimal))
    french_axis(ax, "y", 1 if decimal else 0, f"{formats.NARROW_NBSP}%" if pct else "")


def _year_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{int(v)}")
