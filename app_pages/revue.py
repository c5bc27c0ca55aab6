"""Revue GOLD: go through the actions one by one and record the decisions as they are taken."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.plan import queries
from ptlcd_data.suivi import status_queries
from ptlcd_data.suivi.retards import RULES_RETARD
from ui import data, decision, releve, session, suivi, widgets
from ui import indicateurs as ui_indicateurs

session.page_requires("lecture")

ACTION_KEY = "revue_action"
FORM_GEN_KEY = "_revue_form_gen"  # bumped after each record: the form starts empty again
FLASH_KEY = "_revue_flash"
DEC_GEN_KEY = "_revue_decision_gen"  # bumped after each décision: its form starts empty again


def _forms_emptied() -> None:
    """Another action: its forms start empty (they keep their fields from one action to the
    next, which the browser updates faster than it draws new ones)."""
    decision.reset_form("revue", st.session_state.get(FORM_GEN_KEY, 0), date.today())
    for key in ("revue_action", "revue_generale"):
        releve.reset_decision_form(key, st.session_state.get(DEC_GEN_KEY, 0))


def _step(numbers: list[int], delta: int) -> None:
    current = st.session_state.get(ACTION_KEY, numbers[0])
    index = numbers.index(current) if current in numbers else 0
    st.session_state[ACTION_KEY] = numbers[(index + delta) % len(numbers)]
    _forms_emptied()


as_of = widgets.as_of()
st.title("Revue GOLD", anchor=False)
st.caption(
    "Passez les actions une à une, voyez leur fiche et leur historique, et enregistrez les "
    f"décisions du groupe. État affiché au {formats.day(as_of)} (date d'observation)."
)
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)

axe_labels = data.query(queries.axe_labels, as_of=as_of)
f1, f2 = st.columns([3, 1])
chosen_axes = widgets.axes_filter(f1, axe_labels, "revue_axes", label="Axes à revoir")
only_late = f2.toggle("Seulement les actions en retard", key="revue_retard")
etat = data.query(
    status_queries.calendar_actions,
    as_of,
    grouper=False,
    seulement_retard=only_late,
    axes=tuple(chosen_axes),
)
numbers = [int(n) for n in etat["action_no"]]
if not numbers:
    st.info("Aucune action à revoir avec ces filtres à cette date.")
    st.stop()
if st.session_state.get(ACTION_KEY) not in numbers:
    st.session_state[ACTION_KEY] = numbers[0]
wording = dict(zip(etat["action_no"], etat["action"], strict=True))


# « Suivante ▶ », « ◀ Précédente » and the choice of an action rerun this part only: the filters,
# the title and the app's frame above stay as they are (34 steps per meeting).
@st.fragment
def review(numbers: list[int], wording: dict[int, str]) -> None:
    with data.held_open():
        _review(numbers, wording)


def _review(numbers: list[int], wording: dict[int, str]) -> None:
    """Navigation, the action's fiche, its follow-up and décisions, and the recording forms."""
    n1, n2, n3, n4 = st.columns([1, 3, 1, 2])
    n1.button("◀ Précédente", key="revue_prev", on_click=_step, args=(numbers, -1), width="stretch")
    action_no = n2.selectbox(
        "Aller à l'action",
        options=numbers,
        format_func=lambda n: f"n° {n} · {wording[n][:80]}",
        key=ACTION_KEY,
        label_visibility="collapsed",
        on_change=_forms_emptied,
    )
    n3.button("Suivante ▶", key="revue_next", on_click=_step, args=(numbers, 1), width="stretch")
    n4.markdown(f"**Action {numbers.index(action_no) + 1} sur {len(numbers)}**")

    detail = suivi.action_detail(action_no, as_of)
    if detail is None:
        st.warning(f"L'action n° {action_no} n'existe pas dans le plan.")
        st.stop()

    st.header(f"Action n° {action_no}", anchor=False)
    st.text(detail["libelle"])
    left, right = st.columns([2, 1])
    with left:
        widgets.fields(
            [
                (
                    "Axe · objectif",
                    f"{detail['axe_no']}. {detail['axe']} · {detail['objectif_code']} "
                    f"{detail['objectif']}",
                ),
                ("Opérateurs / porteurs", detail["porteur"]),
                ("Observations du plan", detail["observations"]),
            ]
        )
    with right:
        catalogue = data.query(valeurs.catalogue, as_of)
        indicateurs = catalogue[catalogue["objectif_code"] == detail["objectif_code"]]
        widgets.fields(
            [
                ("Calendrier (texte du plan)", detail["calendrier"], "non planifiée"),
                (
                    "Indicateurs de l'objectif",
                    "\n".join(
                        f"{c} — {lib}"
                        for c, lib in zip(indicateurs["code"], indicateurs["libelle"], strict=True)
                    ),
                    "aucun indicateur fixé par le plan",
                ),
            ]
        )

    # Computed when opened (and kept open from one action to the next).
    if box := widgets.lazy_expander(
        "Indicateurs de l'objectif (valeurs, cibles, alertes)",
        key=ui_indicateurs.PANEL_KEY.format("revue"),
    ):
        with box:
            ui_indicateurs.objective_panel(detail["objectif_code"], key="revue", as_of=as_of)

    st.subheader(f"Suivi au {formats.day(as_of)}", anchor=False)
    suivi.follow_up(action_no, as_of, key="revue_suivi")
    if box := widgets.lazy_expander("Règles du retard", key="revue_regles"):
        box.markdown("\n".join(f"- {widgets.escape_md(r)}" for r in RULES_RETARD))

    st.subheader("Décisions du GOLD sur cette action", anchor=False)
    releve.action_cards(action_no, as_of, "Aucune décision ouverte sur cette action.")
    if box := widgets.lazy_expander("Décisions générales (sans action)", key="revue_generales"):
        with box:
            releve.action_cards(None, as_of, "Aucune décision générale ouverte.")

    st.subheader("Enregistrer le suivi et les décisions", anchor=False)
    user = session.current_user()
    if not data.settings().allow_recording:
        st.info(
            "L'enregistrement est désactivé sur ce serveur (réglage PTLCD_ALLOW_RECORDING) : "
            "la revue se fait en lecture seule."
        )
        st.stop()
    if user is not None and user.is_porteur:
        st.info(
            "Un compte porteur enregistre l'avancement de ses propres actions depuis la page "
            "« Mes actions ». La revue reste consultable en lecture."
        )
        st.stop()
    if user is None or not user.can("saisie"):
        st.info(
            "Pour enregistrer une décision, connectez-vous (page « Connexion ») avec un compte "
            "ayant le rôle « saisie » ou « admin ». La revue reste consultable en lecture."
        )
        st.stop()

    today = date.today()
    if as_of < today:
        st.caption(
            f"La page montre le plan au {formats.day(as_of)}. Une décision datée d'aujourd'hui "
            "n'apparaîtra qu'avec une date d'observation égale ou postérieure."
        )
    seance_id = releve.seance_picker(user, today)
    gen = st.session_state.setdefault(FORM_GEN_KEY, 0)
    dec_gen = st.session_state.setdefault(DEC_GEN_KEY, 0)
    status_column, decision_column = st.columns([3, 2])
    with status_column:
        st.markdown("**Statut, avancement, engagement**")
        submitted = decision.decision_form(action_no, "revue", gen, today, stable=True)
        if submitted is not None:
            done = decision.record(user, action_no, submitted)
            if done is not None:
                st.session_state[FLASH_KEY] = done
                st.session_state[FORM_GEN_KEY] = gen + 1
                st.rerun()
    with decision_column:
        if seance_id is None:
            st.info("Ouvrez la séance pour enregistrer les décisions du groupe.")
            st.stop()
        st.markdown(f"**Décision sur l'action n° {action_no}**")
        noted = releve.decision_form(user, seance_id, "revue_action", dec_gen, action_no)
        if box := widgets.lazy_expander(
            "Décision générale (sans action)", key="revue_decision_generale"
        ):
            with box:
                noted = releve.decision_form(user, seance_id, "revue_generale", dec_gen) or noted
        if noted is not None:
            st.session_state[FLASH_KEY] = noted
            st.session_state[DEC_GEN_KEY] = dec_gen + 1
            st.rerun()


review(numbers, wording)
