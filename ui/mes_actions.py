"""Streamlit glue of the page "Mes actions": whose actions are shown, the value form.

A porteur account sees its own porteurs' actions and indicators. Staff (saisie, admin) choose a
porteur and see what that porteur sees; what they record is theirs, with their own rights.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access import liens
from ptlcd_data.access.auth import User
from ptlcd_data.depots import drafts, forms
from ptlcd_data.depots import records as depot_records
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.indicateurs.rules import year_range
from ptlcd_data.plan import porteurs, queries
from ui import data, decision, session, widgets

PORTEUR_KEY = "mes_actions_porteur"
OPEN_KEY = "mes_action_ouverte_{}"  # the expander of one action, computed while it is open
DRAWN_KEY = "_mes_actions_drawn"  # the actions whose forms the last run drew
LOST_KEY = "_mes_actions_lost"  # (why, what was typed) of a form sent for an action gone away


def porteur_codes(user: User) -> tuple[str, ...]:
    """The porteurs whose actions the page shows: the account's own, or the one staff choose."""
    labels = data.query(porteurs.porteur_labels)
    if user.is_porteur:
        names = ", ".join(labels.get(c, c) for c in user.porteurs)
        whose = "de ce lien" if user.lien else "de ce compte"
        st.caption(widgets.escape_md(f"Porteur(s) {whose} : {names or 'aucun'}."))
        return user.porteurs
    if not labels:
        return ()
    chosen = st.selectbox(
        "Porteur",
        options=list(labels),
        format_func=lambda c: f"{labels[c]} ({c})",
        key=PORTEUR_KEY,
        help="Vous voyez ce que voit ce porteur ; vos enregistrements se font avec votre rôle.",
    )
    return (str(chosen),) if chosen else ()


def link_banner(user: User) -> None:
    """For a session opened by a reply link: its campaign, until when it works, and a button
    that ends it on this device (the cookie is cleared, the link itself stays valid)."""
    if user.lien is None:
        return
    st.info(widgets.escape_md(data.query(liens.describe, user.lien)), icon=":material/link:")
    if st.button(
        "Fermer la session de ce lien",
        key="mes_lien_fermer",
        icon=":material/logout:",
        help="Sur un ordinateur partagé : le lien reçu par courriel rouvre la page ensuite.",
    ):
        session.log_out()


def is_open(action_no: int) -> bool:
    return bool(st.session_state.get(OPEN_KEY.format(action_no)))


def action_expander(label: str, action_no: int) -> Any:
    """The expander of one action (`label` already escaped), whose text, pièces and form are
    computed and drawn only while it is open: closed, each drew a dozen fields all the same.
    The container to write into, or None while it is closed."""
    return widgets.lazy_expander(label, key=OPEN_KEY.format(action_no))


def value_form(
    user: User, indicators: dict[str, str], expected_year: int, gen: int, today: date
) -> str | None:
    """A form recording one value of one of `indicators` (code → wording), through
    `valeurs.record_values` (which checks the account's scope). The confirmation, or None."""
    territories = data.query(queries.territoire_labels)
    first, last = year_range(today)
    with st.form(f"mes_valeur_form_{gen}", border=True):
        c1, c2 = st.columns([3, 2])
        code = c1.selectbox(
            "Indicateur",
            options=list(indicators),
            format_func=lambda c: f"{c} — {indicators[c][:70]}",
            key=f"mes_valeur_code_{gen}",
        )
        territoire = c2.selectbox(
            "Territoire",
            options=list(territories),
            format_func=lambda c: territories[c],
            key=f"mes_valeur_territoire_{gen}",
        )
        c3, c4 = st.columns(2)
        annee = c3.number_input(
            "Année",
            min_value=first,
            max_value=last,
            value=min(max(expected_year, first), last),
            step=1,
            key=f"mes_valeur_annee_{gen}",
        )
        valeur = c4.number_input("Valeur", value=None, format="%g", key=f"mes_valeur_valeur_{gen}")
        source = st.text_input("Source (facultatif)", key=f"mes_valeur_source_{gen}")
        commentaire = st.text_input("Commentaire (facultatif)", key=f"mes_valeur_commentaire_{gen}")
        submitted = st.form_submit_button("Enregistrer la valeur", key="mes_valeur_submit")
    if not submitted:
        return None
    if code is None or territoire is None or valeur is None:
        st.error("Choisissez l'indicateur et le territoire, et écrivez la valeur.")
        return None
    row = valeurs.ValueRow(
        str(code),
        str(territoire),
        int(annee),
        float(valeur),
        source=source.strip() or None,
        commentaire=commentaire.strip() or None,
    )
    shown = formats.number(float(valeur), 0 if float(valeur).is_integer() else 2)
    with widgets.guard():
        if depot_records.applies(data.settings(), user):
            line = forms.value_line(
                row.indicateur_code,
                row.territoire_code,
                row.annee,
                float(valeur),
                row.source,
                row.commentaire,
            )
            depot = data.write(drafts.add_lines, user, None, [line])
            return (
                f"Valeur ajoutée au dépôt n° {depot} : {code}, {territories[str(territoire)]}, "
                f"{int(annee)} : {shown}. Envoyez le dépôt pour validation quand il est complet."
            )
        data.write(valeurs.record_values, user, [row])
        return (
            f"Valeur enregistrée : {code}, {territories[str(territoire)]}, {int(annee)} : {shown}."
        )
    return None


def keep_lost_input(codes: tuple[str, ...], drawn: list[int], gen: int, today: date) -> None:
    """Keep what was typed in a form the last run drew and this run does not (`drawn`: the
    actions whose forms it draws), when that form was sent: its action went to another porteur
    in between. Nothing is recorded (the form is not drawn, its decision is never written); the
    page says why and shows the input with `show_lost_input`, instead of losing it silently."""
    for action_no in st.session_state.get(DRAWN_KEY, ()):
        if action_no in drawn:
            continue
        sent = decision.sent_without_form(action_no, f"mes_{action_no}", gen, today)
        if sent is None:
            continue
        labels = data.query(porteurs.porteur_labels)
        names = ", ".join(labels.get(c, c) for c in codes)
        st.session_state[LOST_KEY] = (
            f"L'action n° {action_no} n'est plus portée par {names} : rien n'a été enregistré. "
            "Vos saisies sont reprises ci-dessous.",
            decision.as_text(action_no, sent, today),
        )
    st.session_state[DRAWN_KEY] = drawn


def show_lost_input() -> None:
    """The input kept by `keep_lost_input`, read-only (a copyable block), until dismissed."""
    lost = st.session_state.get(LOST_KEY)
    if lost is None:
        return
    why, typed = lost
    st.error(widgets.escape_md(why))  # names porteurs: plan text, never Markdown
    st.code(typed, language=None)  # shown as typed, with a copy button
    st.button(
        "Masquer les saisies reprises",
        on_click=st.session_state.pop,
        args=(LOST_KEY, None),
        key="mes_lost_dismiss",
    )
