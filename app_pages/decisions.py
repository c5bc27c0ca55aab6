"""Décisions: every décision of the GOLD at the date d'observation, late ones first, with the
relevé of each séance to download."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.decisions import queries, records
from ptlcd_data.plan import queries as plan_queries
from ui import data, releve, session, widgets

session.page_requires("lecture")

FLASH_KEY = "_decisions_flash"

as_of = widgets.as_of()
st.title("Décisions", anchor=False)
st.caption(
    "Ce que le GOLD a décidé, par qui et pour quand, et ce qui en est fait. État au "
    f"{formats.day(as_of)} (date d'observation) ; une décision est en retard quand elle est "
    "encore ouverte après son échéance."
)
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)

every = data.query(queries.decision_table, as_of)
if every.empty:
    st.info(
        "Aucune décision enregistrée à cette date. Les décisions s'enregistrent en séance, "
        "depuis la page « Revue GOLD »."
    )
    st.stop()
releve.counts(every)

f1, f2, f3 = st.columns([2, 2, 1])
etats = widgets.choice_filter(
    f1, "États", {e: queries.etat_label(e) for e in records.ETATS}, "dec_etats", "Tous les états"
)
names = data.query(queries.responsables, as_of)
chosen = widgets.choice_filter(
    f2, "Responsables", names, "dec_responsables", "Tous les responsables"
)
late = f3.toggle("Seulement en retard", key="dec_retard")
g1, g2 = st.columns(2)
axes = widgets.axes_filter(g1, data.query(plan_queries.axe_labels, as_of=as_of), "dec_axes")
seances = data.query(queries.seances, as_of)
seance_days = {int(r.id): r.date_seance for r in seances.itertuples(index=False)}
seance_labels = {
    int(r.id): f"n° {int(r.id)} · {formats.day(r.date_seance)} · {r.titre}"
    for r in seances.itertuples(index=False)
}
chosen_seances = widgets.choice_filter(
    g2, "Séances", seance_labels, "dec_seances", "Toutes les séances"
)
table = data.query(
    queries.decision_table,
    as_of,
    etats=tuple(etats),
    en_retard=True if late else None,
    responsables=tuple(chosen),
    axes=tuple(axes),
    seances=tuple(chosen_seances),
)
st.header(f"{formats.number(len(table))} décision(s)", anchor=False)
if table.empty:
    st.info("Aucune décision ne répond à ces filtres à cette date.")
else:
    releve.decision_table(table, key="dec_table")

st.header("Relevé d'une séance", anchor=False)
st.caption(
    "Le document envoyé après la séance : ses décisions, et celles des séances précédentes "
    "encore ouvertes, en retard signalées."
)
seance_id = st.selectbox(
    "Séance du relevé",
    options=list(seance_labels),
    format_func=seance_labels.__getitem__,
    key="dec_releve_seance",
)
if seance_id is not None:
    releve.downloads(int(seance_id), seance_days[seance_id], key="dec_releve")

user = session.current_user()
if user is not None and user.can("saisie") and data.settings().allow_recording:
    st.header("Changer l'état d'une décision", anchor=False)
    done = releve.state_form(user, every, "dec_page", staff=True)
    if done is not None:
        st.session_state[FLASH_KEY] = done
        st.rerun()
elif user is not None and user.is_porteur:
    st.caption("Vos décisions se marquent faites depuis la page « Mes actions ».")
