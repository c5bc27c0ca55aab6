"""Vue d'ensemble: the plan's shape, then its actions, filterable and searchable, each a link
to its fiche.

No table widget and no pandas on this page: it is the first one a projector opens, and
Streamlit's table (pandas on the server, about 1,2 Mo of scripts in the browser) was most of the
cold start (docs/benchmarks.md). tests/test_pages.py checks that it runs without pandas.
"""

from __future__ import annotations

import textwrap

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import queries
from ui import data, document, session, widgets

# Actions listed at once; beyond, the list is paged (a plan has a few dozen actions, but nothing
# in the data files bounds it).
MAX_LISTED_ACTIONS = 40
# A link stays on one line: longer wordings are cut at a word (100 characters fit a 1280-pixel
# projector beside the sidebar); the fiche gives them whole.
LINK_LABEL_CHARS = 100
FICHE = "app_pages/fiche_action.py"

session.page_requires("lecture")

as_of = widgets.as_of()
meta = data.query(queries.plan_meta)
st.title("Vue d'ensemble du plan", anchor=False)
st.caption(
    f"{widgets.escape_md(meta.get('nom', 'Plan'))} — {widgets.escape_md(meta.get('territoire', ''))} · "
    f"{widgets.escape_md(meta.get('statut_document', ''))}"
)

shape = data.query(queries.plan_shape, as_of=as_of)
axe_labels = data.query(queries.axe_labels, as_of=as_of)
terr_labels = data.query(queries.territoire_labels, as_of=as_of)

# One line of counts rather than four st.metric: their script cost the cold start 0,3 s. Not a
# heading: it titles nothing (it was an h4 right under the h1); ui/document.py keeps its large size.
counts = {
    "axes": len(axe_labels),
    "objectifs opérationnels": len(shape),
    "actions": sum(row["nb_actions"] for row in shape),
    "indicateurs": sum(row["nb_indicateurs"] for row in shape),
}
st.container(key=document.HOME_COUNTS_KEY).markdown(
    "**" + " · ".join(f"{formats.number(n)} {name}" for name, n in counts.items()) + "**"
)

st.header("Actions par axe et par objectif", anchor=False)
st.markdown(
    widgets.markdown_table(
        ["Axe", "Objectif opérationnel", "Domaine", "Actions", "Indicateurs"],
        [
            [
                f"{row['axe_no']}. {row['axe']}",
                f"{row['objectif_code']} {row['objectif']}",
                row["domaine"],
                formats.number(row["nb_actions"]),
                formats.number(row["nb_indicateurs"]),
            ]
            for row in shape
        ],
        align_right=(3, 4),
    )
)

st.header("Les actions", anchor=False)
# The filters wait in a popover: its fields are drawn only when it opens, and drawing them at
# once cost the cold start 0,6 s (five fields and their scripts).
searched, filters = st.columns([4, 1], vertical_alignment="bottom")
search = searched.text_input(
    "Rechercher", key="home_search", placeholder="mot du libellé, porteur, n°…"
)
panel = filters.popover("Filtrer", icon=":material/filter_list:", width="stretch")
chosen_axes = widgets.axes_filter(panel, axe_labels, "home_axes")
obj_labels = {
    row["objectif_code"]: row["objectif"]
    for row in shape
    if not chosen_axes or row["axe_no"] in chosen_axes
}
chosen_obj = panel.multiselect(
    "Objectif",
    select_all=False,
    options=list(obj_labels),
    format_func=lambda c: f"{c} {obj_labels[c]}",
    key="home_objectifs",
    placeholder="Tous les objectifs",
)
chosen_terr = widgets.territory_filter(panel, terr_labels, "home_territoire")
chosen_porteurs = widgets.porteurs_filter(
    panel, data.query(queries.porteurs, as_of=as_of), "home_porteurs"
)
active = [
    *(f"axe {n}" for n in chosen_axes),
    *(f"objectif {code}" for code in chosen_obj),
    *([terr_labels[chosen_terr]] if chosen_terr else []),
    *(f"porteur {p}" for p in chosen_porteurs),
]
if active:
    st.caption("Filtré par : " + " · ".join(widgets.escape_md(a) for a in active))

actions = data.query(
    queries.actions_list,
    axes=tuple(chosen_axes),
    objectifs=tuple(chosen_obj),
    porteurs=tuple(chosen_porteurs),
    territoire=chosen_terr,
    search=search,
    as_of=as_of,
)
if not actions:
    st.info("Aucune action ne correspond à ces filtres. Retirez un filtre ou changez la recherche.")
    st.stop()

shown = actions
if len(actions) > MAX_LISTED_ACTIONS:
    starts = list(range(0, len(actions), MAX_LISTED_ACTIONS))
    start = st.selectbox(
        "Page",
        options=starts,
        format_func=lambda i: f"Actions {i + 1} à {min(i + MAX_LISTED_ACTIONS, len(actions))}",
        key="home_page",
    )
    shown = actions[start : start + MAX_LISTED_ACTIONS]
    st.caption(
        f"{formats.number(len(actions))} actions correspondent ; elles sont listées par "
        f"{MAX_LISTED_ACTIONS}. Choisissez la page ci-dessus, ou affinez avec les filtres."
    )
else:
    st.caption(
        f"{len(actions)} action(s). Cliquez sur une action pour ouvrir sa fiche "
        "(porteur, calendrier, territoires, suivi)."
    )

for action in shown:
    # Only the link, without icon: a caption under each link (porteur, calendrier) cost the cold
    # start 0,4 s in the browser, a tooltip 0,7 s, an icon 0,2 s (34 actions, 30/11/2026). The
    # fiche shows every field.
    label = textwrap.shorten(action["action"], LINK_LABEL_CHARS, placeholder=" …")
    st.page_link(
        FICHE,
        label=f"N° {action['action_no']} — {widgets.escape_md(label)}",
        query_params={"action": str(action["action_no"])},
    )
