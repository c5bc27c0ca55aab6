"""Synthèse annuelle: the year in plain French for elected officials, with its PDF and XLSX."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.indicateurs.rules import PROGRESS_FORMULA
from ptlcd_data.synthese import columns as col
from ptlcd_data.synthese import meteo, model
from ui import charts, data, session, widgets
from ui import synthese as ui_syn

session.page_requires("lecture")

YEAR_KEY = "synthese_annee"
VIEW_KEY = "synthese_vue"

as_of = widgets.as_of()
st.title("Synthèse annuelle", anchor=False)
years = data.query(model.annees, as_of)
if not years:
    st.info(
        f"Le plan commence après le {formats.day(as_of)} (date d'observation) : il n'y a pas "
        "encore d'année à résumer."
    )
    st.stop()
if st.session_state.get(YEAR_KEY) not in years:
    default = data.query(model.annee_par_defaut, as_of)
    st.session_state[YEAR_KEY] = default if default in years else years[0]
annee = st.selectbox(
    col.COL_ANNEE,
    options=years,
    key=YEAR_KEY,
    help="La synthèse montre le plan au 31 décembre de l'année choisie, ou à la date "
    "d'observation pour l'année en cours.",
)
s = data.query(model.synthese_annuelle, annee, as_of)
st.caption(
    f"{model.situation(s)} · dernière information enregistrée : "
    f"{formats.day(s.derniere_donnee, empty='aucune')}. Les mêmes chiffres figurent dans le PDF "
    "et dans le classeur XLSX."
)
ui_syn.downloads(s)

st.header(f"L'année {annee} en bref", anchor=False)
st.markdown("\n".join(f"- {widgets.escape_md(line)}" for line in model.resume(s)))
ui_syn.key_figures(s)

st.header("La météo des axes", anchor=False)
if s.axes.empty:
    st.info("Le plan ne compte aucune action.")
else:
    ui_syn.meteo_badges(s)
with st.container(border=True):
    st.markdown(
        "**Comment la météo est calculée**\n\n"
        + "\n".join(f"- {widgets.escape_md(rule)}" for rule in meteo.RULES_METEO)
    )

# The year in detail, one tab at a time: only the open tab is computed and drawn (a click on
# another tab reruns the page); the eight together took the browser twice as long as the rest.


def statuts() -> None:
    """The statuses of each axis, a bar chart, and the table of the axes."""
    st.header("Statuts des actions, par axe", anchor=False)
    if s.axes.empty:
        st.info("Le plan ne compte aucune action.")
    else:
        figure, alt = data.derived(ui_syn.statuts_figure, annee, as_of)
        charts.show(figure, key="synthese_statuts", alt=alt)
        widgets.table(s.axes, key="synthese_axes", column_config=ui_syn.AXES_COLUMNS)


def realisees() -> None:
    """The actions completed in the year."""
    widgets.table_section(
        f"Actions réalisées en {annee}",
        s.realisees,
        key="synthese_realisees",
        column_config=ui_syn.ACTIONS_COLUMNS,
        column_order=ui_syn.REALISEES_ORDER,
        empty=f"Aucune action n'a été terminée en {annee}.",
    )


def lancees() -> None:
    """The actions started in the year."""
    widgets.table_section(
        f"Actions lancées en {annee}",
        s.commencees,
        key="synthese_commencees",
        column_config=ui_syn.ACTIONS_COLUMNS,
        column_order=ui_syn.COMMENCEES_ORDER,
        empty=f"Aucune action n'a commencé en {annee}.",
    )


def retards() -> None:
    """The late actions at the observation date, the largest slippage first."""
    widgets.table_section(
        f"Actions en retard au {formats.day(s.date_observation)}",
        s.retards,
        key="synthese_retards",
        column_config=ui_syn.ACTIONS_COLUMNS,
        column_order=ui_syn.RETARDS_ORDER,
        caption="Le glissement compte les mois entre la date prévue et la date réelle (ou la date de "
        "la situation, tant que l'action n'a pas commencé ou n'est pas finie). Le plus grand d'abord.",
        empty="Aucune action n'est en retard.",
        empty_is_good=True,
    )


def engagement() -> None:
    """How many actions each territory is engaged in, and what changed."""
    widgets.table_section(
        "L'engagement des territoires",
        s.engagement,
        key="synthese_engagement",
        column_config={
            col.COL_TERRITOIRE: st.column_config.TextColumn(col.COL_TERRITOIRE, pinned=True)
        },
        caption="Nombre d'actions du plan par niveau d'engagement de chaque territoire, et ce qui a "
        "changé pendant l'année.",
        placeholder=None,
    )


def indicateurs() -> None:
    """Each indicator in its reference territory, against its target."""
    widgets.table_section(
        "Les indicateurs face à leurs cibles",
        ui_syn.indicateurs_display(s.indicateurs),
        key="synthese_indicateurs",
        column_config=ui_syn.INDICATEURS_COLUMNS,
        caption="Chaque indicateur est lu dans son territoire de référence (le premier du plan qui a "
        "des valeurs). " + PROGRESS_FORMULA,
    )


def commentaires() -> None:
    """The comments recorded during the year."""
    shown_part = (
        f"Les {len(s.commentaires)} premiers des {s.nb_commentaires} commentaires de l'année."
        if s.nb_commentaires > len(s.commentaires)
        else ""
    )
    widgets.table_section(
        f"Les commentaires de {annee}",
        s.commentaires,
        key="synthese_commentaires",
        column_config=ui_syn.COMMENTS_COLUMNS,
        caption=shown_part,
        empty=f"Aucun commentaire n'a été enregistré en {annee}.",
    )


def decisions() -> None:
    """The GOLD's décisions of the year, late ones first."""
    widgets.table_section(
        f"Les décisions du GOLD en {annee}",
        s.decisions,
        key="synthese_decisions",
        column_config=ui_syn.DECISIONS_COLUMNS,
        caption=s.bilan_decisions + " Les décisions en retard d'abord.",
        empty=s.bilan_decisions,
    )


# The report's order; the statuses of each axis (a chart and a table) after the lists of actions:
# the météo above already says each axis's state in words, and the chart alone cost the browser
# as much as the rest of the page.
VIEWS = {
    "Réalisées": realisees,
    "Lancées": lancees,
    "En retard": retards,
    "Statuts par axe": statuts,
    "Engagement": engagement,
    "Indicateurs": indicateurs,
    "Commentaires": commentaires,
    "Décisions du GOLD": decisions,
}
widgets.lazy_tabs(VIEWS, key=VIEW_KEY)
