"""Calendrier et retards: planned against actual on a Gantt view, and the late actions."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import queries
from ptlcd_data.suivi import descriptions, status_queries
from ptlcd_data.suivi.retards import RULES_GLISSEMENT, RULES_RETARD, TRIS
from ptlcd_data.vocabulary import STATUTS_AFFICHES
from ui import charts, charts_suivi, data, session, suivi, widgets

session.page_requires("lecture")

VIEW_KEY = "cal_vue"
RETARDS, GANTT, TABLEAU = "Actions en retard", "Prévu et réel", "Le calendrier en tableau"

as_of = widgets.as_of()
st.title("Calendrier et retards", anchor=False)
st.caption(
    f"Calendrier prévu par le plan et calendrier réel, au {formats.day(as_of)} (date "
    "d'observation). Le retard et le glissement sont calculés, jamais saisis."
)
if box := widgets.lazy_expander(
    "Comment le retard et le glissement sont calculés", key="cal_regles"
):
    box.markdown("**Retard**\n\n" + "\n".join(f"- {widgets.escape_md(r)}" for r in RULES_RETARD))
    box.markdown(
        "**Glissement**\n\n" + "\n".join(f"- {widgets.escape_md(r)}" for r in RULES_GLISSEMENT)
    )

axe_labels = data.query(queries.axe_labels, as_of=as_of)
terr_labels = data.query(queries.territoire_labels, as_of=as_of)

f1, f2, f3, f4 = st.columns(4)
chosen_axes = widgets.axes_filter(f1, axe_labels, "cal_axes")
chosen_porteurs = widgets.porteurs_filter(
    f2, data.query(queries.porteurs, as_of=as_of), "cal_porteurs"
)
chosen_terr = widgets.territory_filter(
    f3,
    terr_labels,
    "cal_territoire",
    help="Garde les actions où ce territoire est à engager, engagé ou a réalisé l'action.",
)
chosen_statuts = f4.multiselect(
    "Statut",
    options=list(STATUTS_AFFICHES),
    key="cal_statuts",
    placeholder="Tous les statuts",
    select_all=False,
)
g1, g2 = st.columns([2, 1])
tri = g1.selectbox("Trier par", options=list(TRIS), format_func=TRIS.__getitem__, key="cal_tri")
only_late = g2.toggle("Seulement les actions en retard", key="cal_retard")

filters = {
    "axes": tuple(chosen_axes),
    "porteurs": tuple(chosen_porteurs),
    "territoire": chosen_terr,
    "statuts": tuple(chosen_statuts),
}
etat = data.query(
    status_queries.calendar_actions, as_of, tri=tri, seulement_retard=only_late, **filters
)
if etat.empty:
    st.info("Aucune action ne correspond à ces filtres à cette date. Retirez un filtre.")
    st.stop()

late = data.query(
    status_queries.calendar_actions, as_of, tri=tri, grouper=False, seulement_retard=True, **filters
)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Actions affichées", len(etat))
m2.metric("En retard", len(late))
m3.metric(
    "Plus grand glissement de fin",
    suivi.months(etat["glissement_fin_mois"].max()),
)
m4.metric(
    "Plus grand glissement de début",
    suivi.months(etat["glissement_debut_mois"].max()),
)

# Each view is computed and drawn only while its tab is open (a click on another tab reruns
# the page). The late actions first: the list the meeting acts on, and the lightest to draw
# (the Gantt chart alone took the browser longer than the rest of the page).


def retards() -> None:
    """The late actions, each row opening its fiche."""
    st.header("Actions en retard", anchor=False)
    if late.empty:
        st.success(f"Aucune action en retard au {formats.day(as_of)} avec ces filtres.")
    else:
        st.caption(f"{len(late)} action(s) en retard. Cliquez sur une ligne pour ouvrir sa fiche.")
        suivi.actions_table(
            late,
            [
                "action_no",
                "axe",
                "action",
                "porteur",
                "calendrier",
                "statut",
                "motif_retard",
                "glissement_debut_mois",
                "glissement_fin_mois",
                "date_dernier",
            ],
            key="cal_late",
        )


def prevu_et_reel() -> None:
    """Planned and actual bars per action, grouped by axis."""
    st.header("Prévu et réel, par axe", anchor=False)
    built = data.derived(
        charts_suivi.gantt_figure, as_of, tri, only_late, tuple(sorted(filters.items()))
    )
    if built is None:
        st.info("Ces actions n'ont ni calendrier prévu ni début enregistré.")
    else:
        charts.show(built[0], key="cal_gantt", alt=built[1])
        st.caption(
            "Barre grise : calendrier du plan ; barre colorée : réalisation, couleur du statut. "
            "Hachures : sans échéance prévue, ou pas encore terminée. Trait rouge : date "
            "d'observation. Chaque action, ses dates et son statut sont aussi dans l'onglet "
            f"« {TABLEAU} »."
        )


def tableau() -> None:
    """The calendar of the actions shown, in a table."""
    st.header("Le calendrier en tableau", anchor=False)
    st.caption("Toutes les actions affichées, leurs dates prévues et réelles.")
    st.dataframe(
        descriptions.calendrier_table(etat),
        hide_index=True,
        width="stretch",
        key="cal_table",
        column_config={"Action": st.column_config.TextColumn("Action", width="large")},
    )


VIEWS = {RETARDS: retards, GANTT: prevu_et_reel, TABLEAU: tableau}
widgets.lazy_tabs(VIEWS, key=VIEW_KEY)
