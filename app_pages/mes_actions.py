"""Mes actions: a porteur's actions, each with a short form, and the indicators it supplies."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.decisions import queries as decisions
from ptlcd_data.depots import queries as depot_queries
from ptlcd_data.depots import records as depot_records
from ptlcd_data.suivi import porteur_actions
from ui import data, decision, depots, mes_actions, releve, session, widgets
from ui import pieces as ui_pieces

user = session.page_requires("porteur", link_ok=True)  # the one page of a reply link
assert user is not None  # the page is never open to anonymous visitors

FLASH_KEY = "_mes_actions_flash"
GEN_KEY = "_mes_actions_gen"  # bumped after each record: the forms start empty again
DATE_FMT = "DD/MM/YYYY"

as_of = widgets.as_of()
today = date.today()
st.title("Mes actions", anchor=False)
st.caption(
    "Les actions que vous portez et les indicateurs que vous fournissez : mettez à jour leur "
    f"statut, leur avancement et leurs valeurs. État affiché au {formats.day(as_of)} (date "
    "d'observation) ; ce que vous enregistrez prend effet à la date d'effet choisie."
)
mes_actions.link_banner(user)
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)
depots.flash()

codes = mes_actions.porteur_codes(user)
if not codes:
    st.info(
        "Aucun porteur n'est associé à ce compte : demandez-le à un administrateur."
        if user.is_porteur
        else "Le plan ne nomme encore aucun porteur (fichier data/porteurs.csv)."
    )
    st.stop()
recording = data.settings().allow_recording
to_depot = recording and depot_records.applies(data.settings(), user)
gen = st.session_state.setdefault(GEN_KEY, 0)

if (due := data.query(depot_queries.due, codes)) is not None:
    st.info(widgets.escape_md(due.sentence()), icon=":material/campaign:")
if to_depot:
    st.caption(
        "Ce que vous enregistrez ci-dessous s'ajoute à votre dépôt en préparation : l'équipe le "
        "valide avant toute publication."
    )
    for code in codes:
        depots.draft_panel(user, code)
depots.my_depots(user, codes, reopen_allowed=to_depot)

st.header("Actions", anchor=False)
actions = data.query(porteur_actions.porteur_actions, codes, as_of)
# Each action's form is drawn while its expander is open (`mes_actions.OPEN_KEY`).
drawn = [int(n) for n in actions["action_no"] if mes_actions.is_open(int(n))] if recording else []
mes_actions.keep_lost_input(codes, drawn, gen, today)
mes_actions.show_lost_input()
if actions.empty:
    st.info("Aucune action du plan n'est portée par ce porteur : rien à mettre à jour.")
else:
    widgets.table(
        actions[porteur_actions.STATE_COLUMNS],
        key="mes_actions_table",
        column_config={
            "action_no": st.column_config.NumberColumn("N°", width="small"),
            "action": st.column_config.TextColumn("Action", width="large"),
            "statut": st.column_config.TextColumn("Statut"),
            "avancement": st.column_config.NumberColumn("Avancement", format="%d %%"),
            "commentaire": st.column_config.TextColumn("Dernier commentaire", width="large"),
            "date_dernier": st.column_config.DateColumn("Mis à jour le", format=DATE_FMT),
            "calendrier": st.column_config.TextColumn("Calendrier"),
        },
    )
    if not recording:
        st.info(
            "L'enregistrement est désactivé sur ce serveur (réglage PTLCD_ALLOW_RECORDING) : "
            "la page se consulte en lecture seule."
        )
    for row in actions.itertuples(index=False):
        action_no = int(row.action_no)
        label = f"Action n° {action_no} · {str(row.action)[:90]} — {row.statut}"
        box = mes_actions.action_expander(widgets.escape_md(label), action_no)  # plan text
        if box is None:
            continue
        with box:
            st.text(str(row.action))
            widgets.field("Calendrier (texte du plan)", row.calendrier, empty="non planifiée")
            if row.en_retard:
                widgets.field("En retard", row.motif_retard)
            ui_pieces.pieces_section(
                user, action_no=action_no, key=f"mes_pieces_{action_no}", can_add=recording
            )
            if recording:
                submitted = decision.decision_form(action_no, f"mes_{action_no}", gen, today)
                if submitted is not None:
                    done = decision.record(user, action_no, submitted)
                    if done is not None:
                        st.session_state[FLASH_KEY] = done
                        st.session_state[GEN_KEY] = gen + 1
                        st.rerun()

st.header("Décisions du GOLD à votre charge", anchor=False)
mine = data.query(decisions.open_decisions_of, tuple(codes), as_of)
releve.cards(mine, "Aucune décision du GOLD ouverte à la charge de ce porteur.")
if recording and not mine.empty:
    st.caption("Une décision faite ? Dites-le, avec ce qui a été fait : le GOLD le verra.")
    done = releve.state_form(
        user, mine, "mes_decisions", staff=not user.is_porteur, to_depot=to_depot
    )
    if done is not None:
        st.session_state[FLASH_KEY] = done
        st.rerun()

st.header("Indicateurs à renseigner", anchor=False)
indicators = data.query(porteur_actions.porteur_indicators, codes, as_of)
if indicators.empty:
    st.info("Ce porteur ne fournit aucun indicateur du plan : aucune valeur à renseigner.")
    st.stop()
widgets.table(
    indicators[
        [
            "code",
            "libelle",
            "annee_attendue",
            "fourni",
            "derniere_valeur",
            "derniere_annee",
            "derniere_territoire",
        ]
    ],
    key="mes_indicateurs_table",
    column_config={
        "code": st.column_config.TextColumn("Code"),
        "libelle": st.column_config.TextColumn("Indicateur", width="large"),
        "annee_attendue": st.column_config.NumberColumn("Année attendue", format="%d"),
        "fourni": st.column_config.CheckboxColumn("Fournie"),
        "derniere_valeur": st.column_config.TextColumn("Dernière valeur"),
        "derniere_annee": st.column_config.NumberColumn("Année", format="%d"),
        "derniere_territoire": st.column_config.TextColumn("Territoire"),
    },
)
if recording:
    st.subheader("Enregistrer une valeur", anchor=False)
    wording = dict(zip(indicators["code"], indicators["libelle"], strict=True))
    expected = int(indicators["annee_attendue"].iloc[0])
    done = mes_actions.value_form(user, wording, expected, gen, today)
    if done is not None:
        st.session_state[FLASH_KEY] = done
        st.session_state[GEN_KEY] = gen + 1
        st.rerun()
