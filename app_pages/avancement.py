"""Avancement par axe: statuses per axis and objective, their evolution, and the actions behind."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import queries
from ptlcd_data.suivi import descriptions, status_queries
from ptlcd_data.vocabulary import STATUTS_AFFICHES
from ui import charts, charts_suivi, data, session, suivi, widgets

session.page_requires("lecture")

CHART_KEY = "avancement_chart"
AXE_KEY = "avancement_axe"
STATUTS_KEY = "avancement_statuts"
VIEW_KEY = "avancement_vue"
PAR_AXE, PAR_OBJECTIF, EVOLUTION, ACTIONS = (
    "Statuts par axe",
    "Par axe et par objectif",
    "Évolution",
    "Les actions",
)


def _chart_selected() -> None:
    """A click on a bar segment chooses that axis and status, and opens the list of actions."""
    choice = suivi.segment_choice(st.session_state.get(CHART_KEY))
    if choice:
        st.session_state[AXE_KEY], statut = choice
        st.session_state[STATUTS_KEY] = [statut]
        st.session_state[VIEW_KEY] = ACTIONS


as_of = widgets.as_of()
st.title("Avancement par axe", anchor=False)
st.caption(f"Le plan tel qu'il était au {formats.day(as_of)} (date d'observation).")

synthese = data.query(status_queries.progress_by_axis, as_of)
plan = synthese[synthese["echelle"] == "plan"].iloc[0]
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Actions", int(plan["nb_actions"]))
c2.metric("Réalisées", int(plan["Réalisé"]))
c3.metric(
    "Part réalisée",
    formats.percent(plan["part_realise"]),
    help="Part des actions au statut « Réalisé », comme dans Territoires en Transitions.",
)
c4.metric("En retard", int(plan["nb_en_retard"]))
c5.metric(
    "Avancement moyen",
    formats.percent(plan["avancement_moyen"]),
    help="Moyenne des avancements renseignés (une action « Réalisé » compte 100 %).",
)

# Each view is computed and drawn only while its tab is open (a click on another tab reruns
# the page): the four together took the browser about four times as long as the first.


def par_axe() -> None:
    """The statuses of each axis, a bar chart whose segments open their actions."""
    st.header("Statuts des actions, par axe", anchor=False)
    figure, alt = data.derived(charts_suivi.statuts_figure, as_of)
    charts.show(
        figure,
        key=CHART_KEY,
        alt=alt,
        on_select=_chart_selected,
        selection_mode="points",
    )
    st.caption(
        f"Cliquez sur un segment pour afficher ses actions (onglet « {ACTIONS} », où l'axe et le "
        f"statut se choisissent aussi). Les mêmes chiffres sont dans l'onglet « {PAR_OBJECTIF} »."
    )


def par_objectif() -> None:
    """The same counts by axis and objective, with progress."""
    st.header("Par axe et par objectif", anchor=False)
    table = synthese[synthese["echelle"] != "plan"]
    widgets.table(
        table[
            [
                "libelle",
                "nb_actions",
                *STATUTS_AFFICHES,
                "part_realise",
                "avancement_moyen",
                "nb_en_retard",
            ]
        ],
        height="content",
        key="avancement_table",
        column_config={
            "libelle": st.column_config.TextColumn("Axe / objectif", width="large"),
            "nb_actions": st.column_config.NumberColumn("Actions"),
            "part_realise": st.column_config.ProgressColumn(
                "Part réalisée", format="%.0f %%", min_value=0, max_value=100
            ),
            "avancement_moyen": st.column_config.NumberColumn("Avancement moyen", format="%.0f %%"),
            "nb_en_retard": st.column_config.NumberColumn("En retard"),
        },
    )


def evolution() -> None:
    """The statuses at each year end, and its table."""
    st.header("Évolution : statuts à chaque fin d'année", anchor=False)
    built = data.derived(charts_suivi.evolution_figure, as_of)
    if built is None:
        st.info("Aucune fin d'année entre la date du plan et la date d'observation.")
    else:
        charts.show(built[0], key="avancement_evolution", alt=built[1])
        # Dates, counts and status names only (no plan text): a plain HTML table, read cell by
        # cell by screen readers and without a tab stop; computed and drawn when opened.
        if box := widgets.lazy_expander("Les mêmes chiffres en tableau", key="avancement_tableau"):
            counts = data.query(status_queries.status_counts_by_year_end, as_of)
            box.table(descriptions.evolution_table(counts, as_of), hide_index=True)


def actions() -> None:
    """The actions of an axis and statuses, each row opening its fiche."""
    st.header("Les actions", anchor=False)
    axe_labels = data.query(queries.axe_labels, as_of=as_of)
    f1, f2 = st.columns([1, 2])
    if st.session_state.get(AXE_KEY) not in (None, *axe_labels):
        st.session_state[AXE_KEY] = None
    axe = f1.selectbox(
        "Axe",
        options=[None, *axe_labels],
        format_func=lambda n: "Tous les axes" if n is None else f"{n}. {axe_labels[n]}",
        key=AXE_KEY,
    )
    statuts = f2.multiselect(
        "Statut",
        options=list(STATUTS_AFFICHES),
        key=STATUTS_KEY,
        placeholder="Tous les statuts",
        select_all=False,
    )
    etat = data.query(
        status_queries.action_states,
        as_of,
        axes=() if axe is None else (axe,),
        statuts=tuple(statuts),
    )
    if etat.empty:
        st.info("Aucune action avec ce statut dans cet axe à cette date.")
    else:
        st.caption(f"{len(etat)} action(s). Cliquez sur une ligne pour ouvrir sa fiche.")
        suivi.actions_table(
            etat,
            ["action_no", "axe", "action", "porteur", "statut", "avancement", "date_dernier"],
            key="avancement_actions",
        )


VIEWS = {PAR_AXE: par_axe, PAR_OBJECTIF: par_objectif, EVOLUTION: evolution, ACTIONS: actions}
widgets.lazy_tabs(VIEWS, key=VIEW_KEY)
