"""Vue d'ensemble: the plan's shape and a filterable, searchable table of its actions."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import queries
from ui import data, session, widgets

session.page_requires("lecture")

meta = data.query(queries.plan_meta)
st.title("Vue d'ensemble du plan")
st.caption(
    f"{widgets.escape_md(meta.get('nom', 'Plan'))} — {widgets.escape_md(meta.get('territoire', ''))} · "
    f"{widgets.escape_md(meta.get('statut_document', ''))}"
)

shape = data.query(queries.plan_shape)
axes = data.query(queries.axes)
territoires = data.query(queries.territoires)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Axes", len(axes))
c2.metric("Objectifs opérationnels", len(shape))
c3.metric("Actions", int(shape["nb_actions"].sum()))
c4.metric("Indicateurs", int(shape["nb_indicateurs"].sum()))

st.subheader("Actions par axe et par objectif")
# A table with bars rather than a Plotly chart: the home page is the first one a projector
# shows, and Plotly's script alone added about a second to the cold start (docs/benchmarks.md).
st.dataframe(
    shape.assign(objectif=shape["objectif_code"] + " " + shape["objectif"]),
    column_order=["axe", "objectif", "domaine", "nb_actions", "nb_indicateurs"],
    hide_index=True,
    width="stretch",
    height=35 * (len(shape) + 1) + 3,  # every objective visible, no inner scroll
    placeholder="—",
    key="home_shape",
    column_config={
        "axe": st.column_config.TextColumn("Axe"),
        "objectif": st.column_config.TextColumn("Objectif opérationnel", width="large"),
        "domaine": st.column_config.TextColumn("Domaine"),
        "nb_actions": st.column_config.ProgressColumn(
            "Actions", format="%d", min_value=0, max_value=int(shape["nb_actions"].max() or 1)
        ),
        "nb_indicateurs": st.column_config.NumberColumn("Indicateurs"),
    },
)

st.subheader("Les actions")
f1, f2, f3, f4 = st.columns([2, 2, 2, 3])
axe_labels = dict(zip(axes["axe_no"], axes["libelle"], strict=True))
chosen_axes = f1.multiselect(
    "Axe",
    options=list(axe_labels),
    format_func=lambda n: f"{n}. {axe_labels[n]}",
    key="home_axes",
    placeholder="Tous les axes",
)
objectifs = shape if not chosen_axes else shape[shape["axe_no"].isin(chosen_axes)]
obj_labels = dict(zip(objectifs["objectif_code"], objectifs["objectif"], strict=True))
chosen_obj = f2.multiselect(
    "Objectif",
    options=list(obj_labels),
    format_func=lambda c: f"{c} {obj_labels[c]}",
    key="home_objectifs",
    placeholder="Tous les objectifs",
)
terr_labels = dict(zip(territoires["code"], territoires["libelle"], strict=True))
chosen_terr = f3.selectbox(
    "Territoire",
    options=[None, *terr_labels],
    format_func=lambda c: "Tous" if c is None else terr_labels[c],
    key="home_territoire",
)
search = f4.text_input("Rechercher", key="home_search", placeholder="mot du libellé, porteur, n°…")
chosen_porteurs = st.multiselect(
    "Porteur",
    options=data.query(queries.porteurs),
    key="home_porteurs",
    placeholder="Tous les porteurs",
)

table = data.query(
    queries.actions_table,
    axes=tuple(chosen_axes),
    objectifs=tuple(chosen_obj),
    porteurs=tuple(chosen_porteurs),
    territoire=chosen_terr,
    search=search,
)
if table.empty:
    st.info("Aucune action ne correspond à ces filtres. Retirez un filtre ou changez la recherche.")
else:
    st.caption(f"{len(table)} action(s). Cliquez sur une ligne pour ouvrir sa fiche.")
    event = st.dataframe(
        table[
            ["action_no", "axe", "objectif_code", "action", "porteur", "calendrier", "territoires"]
        ],
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="home_table",
        column_config={
            "action_no": st.column_config.NumberColumn("N°", width="small"),
            "axe": st.column_config.TextColumn("Axe"),
            "objectif_code": st.column_config.TextColumn("Objectif", width="small"),
            "action": st.column_config.TextColumn("Action", width="large"),
            "porteur": st.column_config.TextColumn("Porteur"),
            "calendrier": st.column_config.TextColumn("Calendrier"),
            "territoires": st.column_config.TextColumn("Territoires (document)"),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        action_no = int(table.iloc[rows[0]]["action_no"])
        st.session_state["action_no"] = action_no
        st.switch_page("app_pages/fiche_action.py", query_params={"action": str(action_no)})
