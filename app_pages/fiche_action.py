"""Fiche action: every field of one action, as transcribed from the plan."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import edits, queries
from ui import data, pieces, session, suivi, widgets
from ui import indicateurs as ui_indicateurs
from ui import messages as ui_messages

user = session.page_requires("lecture")

# The plan as it stood at the observation date: wording, objective, territories.
as_of = widgets.as_of()
numbers = data.query(queries.action_numbers, as_of=as_of)
st.title("Fiche action", anchor=False)
if not numbers:
    st.info(
        f"Le plan ne contient aucune action au {formats.day(as_of)} (date d'observation). "
        "Changez la date d'observation, ou lancez « python -m ptlcd_data init »."
    )
    st.stop()

# A link (?action=12) chooses the action once; afterwards the selector rules and the URL follows it.
requested = st.query_params.get("action")
if requested != st.session_state.get("_fiche_link"):
    st.session_state["_fiche_link"] = requested
    if requested and requested.isdigit() and int(requested) in numbers:
        st.session_state["action_no"] = int(requested)
if st.session_state.get("action_no") not in numbers:
    st.session_state["action_no"] = numbers[0]

action_no = st.selectbox(
    "Action",
    options=numbers,
    key="action_no",
    format_func=lambda n: f"Action n° {n}",
)
st.query_params["action"] = str(action_no)
st.session_state["_fiche_link"] = str(action_no)
detail = suivi.action_detail(action_no, as_of)
if detail is None:
    st.warning(
        f"L'action n° {action_no} n'est pas dans le plan au {formats.day(as_of)} "
        "(date d'observation)."
    )
    st.stop()

st.header(f"Action n° {action_no}", anchor=False)
st.text(detail["libelle"])

st.subheader(f"Suivi au {formats.day(as_of)}", anchor=False)
suivi.follow_up(action_no, as_of, key="fiche_suivi")

left, right = st.columns(2)
with left:
    widgets.fields(
        [
            ("Axe", f"{detail['axe_no']}. {detail['axe']}"),
            ("Objectif opérationnel", f"{detail['objectif_code']} {detail['objectif']}"),
            *([("Domaine", detail["domaine"])] if detail.get("domaine") else []),
            ("Opérateurs / porteurs", detail["porteur"]),
            ("Porteurs référencés", detail["porteurs_libelles"]),
            ("Observations", detail["observations"]),
        ]
    )
with right:
    cal_lines = [
        f"Forme : {detail['calendrier_forme']}",
        f"Début prévu : {formats.day(detail['debut_prevu'])}",
        f"Fin prévue : {formats.day(detail['fin_prevue'])}",
        f"Récurrente : {'oui' if detail['recurrente'] else 'non'}",
        f"Déjà engagée à la date du plan : {'oui' if detail['deja_engagee'] else 'non'}",
    ]
    widgets.fields(
        [
            ("Calendrier (texte du plan)", detail["calendrier"]),
            ("Calendrier normalisé", "\n".join(cal_lines)),
        ]
    )

st.subheader("Territoires de mise en œuvre (document du plan)", anchor=False)
terr = data.query(queries.action_territoires_plan, action_no, as_of=as_of)
st.dataframe(
    terr.rename(columns={"territoire": "Territoire", "texte": "Mention du plan"})[
        ["Territoire", "Mention du plan"]
    ],
    hide_index=True,
    width="stretch",
)

st.subheader("Indicateurs de l'objectif", anchor=False)
# Computed and drawn when opened: by territory, they were half of the page's display time.
if box := widgets.lazy_expander(
    "Valeurs, cibles et alertes par territoire", key=ui_indicateurs.PANEL_KEY.format("fiche")
):
    with box:
        ui_indicateurs.objective_panel(detail["objectif_code"], key="fiche")

# Evidence is not public: only staff and a porteur carrying the action see that it exists.
if pieces.may_see(user, action_no=action_no):
    st.subheader("Pièces justificatives", anchor=False)
    pieces.pieces_section(user, action_no=action_no, key="fiche_pieces")

# Staff and the porteurs carrying the action only: the conversation is theirs.
if ui_messages.allowed(user, action_no):
    st.subheader("Échanges avec le porteur", anchor=False)
    st.caption(
        "Les messages entre le porteur de l'action et l'équipe du PTLCD, du plus ancien au plus "
        "récent ; chaque nouveau message est signalé par courriel à l'autre partie."
    )
    ui_messages.conversation_section(user, action_no, key="fiche")

# The action's whole history, whatever the observation date: when the plan changed it, and why.
history = data.query(edits.item_history, "action", action_no)
if box := widgets.lazy_expander(
    f"Versions de l'action dans le plan ({len(history)})", key="fiche_versions"
):
    box.caption(
        "Chaque modification du plan est datée (date d'effet), signée et motivée. Toutes les "
        "versions sont listées, y compris celles d'effet postérieur à la date d'observation."
    )
    box.dataframe(
        history,
        hide_index=True,
        width="stretch",
        column_config={
            "date_effet": st.column_config.TextColumn("Date d'effet"),
            "changement": st.column_config.TextColumn("Changement"),
            "detail": st.column_config.TextColumn("Champs modifiés (avant → après)", width="large"),
            "auteur": st.column_config.TextColumn("Auteur"),
            "motif": st.column_config.TextColumn("Motif"),
            "enregistre_le": st.column_config.TextColumn("Enregistré le"),
        },
    )

if box := widgets.lazy_expander("Texte lu par l'OCR (traçabilité)", key="fiche_ocr"):
    box.text(detail["source_ocr"] or "—")
