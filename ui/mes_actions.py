"""Streamlit glue of the page "Mes actions": whose actions are shown, the value form.

A porteur account sees its own porteurs' actions and indicators. Staff (saisie, admin) choose a
porteur and see what that porteur sees; what they record is theirs, with their own rights.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.indicateurs.rules import year_range
from ptlcd_data.plan import porteurs, queries
from ui import data, widgets

PORTEUR_KEY = "mes_actions_porteur"


def porteur_codes(user: User) -> tuple[str, ...]:
    """The porteurs whose actions the page shows: the account's own, or the one staff choose."""
    labels = data.query(porteurs.porteur_labels)
    if user.is_porteur:
        names = ", ".join(labels.get(c, c) for c in user.porteurs)
        st.caption(widgets.escape_md(f"Porteur(s) de ce compte : {names or 'aucun'}."))
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
    with widgets.guard():
        data.write(valeurs.record_values, user, [row])
        return (
            f"Valeur enregistrée : {code}, {territories[str(territoire)]}, {int(annee)} : "
            f"{formats.number(float(valeur), 0 if float(valeur).is_integer() else 2)}."
        )
    return None
