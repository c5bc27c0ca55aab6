"""Engagement des communes: the actions × territories matrix, its totals, and a download."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import queries
from ptlcd_data.suivi import engagements
from ptlcd_data.vocabulary import NIVEAUX_AFFICHES
from ui import charts, charts_suivi, data, session, widgets

session.page_requires("lecture")

# Territories drawn in the matrix at once: 34 actions × 30 territories is about a thousand cells,
# readable on a projector and light to send; a larger agglomeration chooses which to show.
MAX_MATRIX_TERRITORIES = 30
VIEW_KEY = "eng_vue"
MATRICE, PAR_TERRITOIRE, PAR_AXE, TABLEAU = (
    "Matrice",
    "Totaux par territoire",
    "Totaux par axe",
    "Le tableau",
)

as_of = widgets.as_of()
st.title("Engagement des communes", anchor=False)
st.caption(
    f"Qui est engagé dans quoi, au {formats.day(as_of)} (date d'observation). Niveaux : "
    + " · ".join(NIVEAUX_AFFICHES)
    + " (« Non renseignée » : rien n'a été enregistré pour ce territoire)."
)

axe_labels = data.query(queries.axe_labels, as_of=as_of)
chosen_axes = widgets.axes_filter(st, axe_labels, "eng_axes")
axes_filter = tuple(chosen_axes)
all_territories = data.query(queries.territoire_labels, as_of=as_of)
shown = widgets.bounded_territories(
    all_territories,
    limit=MAX_MATRIX_TERRITORIES,
    key="eng_territoires",
    label="Territoires de la matrice",
)
if shown:
    st.caption(
        f"Le plan compte {len(all_territories)} territoires : la matrice et le tableau en montrent "
        f"{len(shown)} (au plus {MAX_MATRIX_TERRITORIES}) ; les totaux couvrent tous les "
        "territoires et le téléchargement contient le tableau complet."
    )
grid = data.query(engagements.matrix_grid, as_of, axes=axes_filter, territoires=shown)
if not grid.actions:
    st.info("Aucune action dans ces axes.")
    st.stop()

# Each view is computed and drawn only while its tab is open (a click on another tab reruns
# the page); the downloads below always hold the full table.


def matrice() -> None:
    """Actions × territories, each cell's level in its colour (and in words when wide)."""
    st.header("Matrice actions × territoires", anchor=False)
    figure, alt = data.derived(charts_suivi.engagement_figure, as_of, axes_filter, shown)
    charts.show_vega(figure, key="eng_heatmap", alt=alt, width="stretch")
    st.caption(f"Les mêmes niveaux, en texte, sont dans l'onglet « {TABLEAU} ».")


def par_territoire() -> None:
    """How many actions each territory is engaged in, by level."""
    widgets.table_section(
        "Totaux par territoire",
        data.query(engagements.engagement_by_territory, as_of, axes=axes_filter),
        key="eng_par_territoire",
        column_config={
            "territoire": st.column_config.TextColumn("Territoire"),
            "engagees": st.column_config.NumberColumn(
                "Engagée ou réalisée",
                help="Actions où le territoire est « Engagée » ou « Réalisée ».",
            ),
            "nb_actions": st.column_config.NumberColumn("Actions"),
        },
    )


def par_axe() -> None:
    """How many actions of each axis each territory is engaged in."""
    widgets.table_section(
        "Totaux par axe",
        data.query(engagements.engagement_by_axis, as_of, axes=axes_filter),
        key="eng_par_axe",
        column_config={
            "axe_no": st.column_config.NumberColumn("N°", width="small"),
            "axe": st.column_config.TextColumn("Axe"),
            "nb_actions": st.column_config.NumberColumn("Actions de l'axe"),
        },
        caption="Nombre d'actions de l'axe où chaque territoire est « Engagée » ou « Réalisée ».",
    )


def tableau() -> None:
    """The matrix in words, one row per action."""
    widgets.table_section(
        "Le tableau",
        data.query(engagements.engagement_matrix, as_of, axes=axes_filter, territoires=shown),
        key="eng_matrice",
        column_config={
            "action_no": st.column_config.NumberColumn("N°", width="small"),
            "axe": st.column_config.TextColumn("Axe"),
            "action": st.column_config.TextColumn("Action", width="large"),
        },
    )


VIEWS = {MATRICE: matrice, PAR_TERRITOIRE: par_territoire, PAR_AXE: par_axe, TABLEAU: tableau}
widgets.lazy_tabs(VIEWS, key=VIEW_KEY)

# The downloads hold every territory, whatever the matrix shows; built when clicked.
stem = f"engagement_communes_{as_of:%Y-%m-%d}"
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button(
    "Télécharger (CSV)",
    data=data.deferred(engagements.engagement_matrix_file, as_of, "csv", axes=axes_filter),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="eng_csv",
)
d2.download_button(
    "Télécharger (Excel)",
    data=data.deferred(engagements.engagement_matrix_file, as_of, "xlsx", axes=axes_filter),
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="eng_xlsx",
)
