"""Connexion: log in (local account or the city's OpenID Connect provider) and out."""

from __future__ import annotations

import streamlit as st

from ptlcd_data.access import accounts, contacts
from ptlcd_data.access.auth import ROLE_LABELS, User
from ptlcd_data.errors import PtlcdError
from ui import data, navigation, session, widgets


def _digest_changed(user: User) -> None:
    try:
        data.write(
            contacts.set_digest,
            user,
            user.login,
            bool(st.session_state["recap_choix"]),
            data.settings().roles_file,
        )
    except PtlcdError as exc:
        st.session_state["recap_erreur"] = exc.message


def digest_setting(user: User) -> None:
    """The account's own choice about the weekly digest (saisie, admin)."""
    address = data.query(contacts.address_of, user)
    st.checkbox(
        "Recevoir le récapitulatif hebdomadaire par courriel",
        value=data.query(contacts.digest_wanted, user.login),
        key="recap_choix",
        on_change=_digest_changed,
        args=(user,),
    )
    error = st.session_state.pop("recap_erreur", None)
    if error:
        st.error(widgets.escape_md(error))
    if address:
        st.caption(
            f"Chaque lundi, à {widgets.escape_md(address)} : réponses à la campagne, dépôts à "
            "valider, actions passées en retard, indicateurs en alerte, décisions à échéance."
        )
    else:
        st.caption(
            "Aucune adresse électronique pour ce compte : un administrateur la renseigne avec "
            "« user set LOGIN --email ADRESSE »."
        )


st.title("Connexion", anchor=False)
user = session.current_user()

if user is not None:
    st.success(f"Connecté(e) : {widgets.escape_md(user.nom)} — rôle {ROLE_LABELS[user.role]}.")
    if user.can("saisie"):
        digest_setting(user)
    if st.button("Se déconnecter", key="logout"):
        session.log_out()
    st.stop()

if session.oidc_configured():
    identity = session.oidc_identity()
    if identity is not None:
        # Authenticated by the provider, but the roles file gives this address no access.
        st.warning(
            "Ce compte n'a pas accès à ce tableau de bord. Demandez à l'administrateur de lui "
            "attribuer un rôle, ou déconnectez-vous pour utiliser un autre compte."
        )
        st.text(f"Compte : {identity[0] or identity[1] or '(aucune adresse transmise)'}")
        if st.button("Se déconnecter", key="logout"):
            session.log_out()
        st.stop()
    st.write("Connectez-vous avec votre compte de la collectivité.")
    if st.button("Se connecter", key="oidc_login", type="primary"):
        st.login()
    st.stop()

if data.query(accounts.count_users) == 0:
    st.info(
        "Aucun compte n'existe encore. L'administrateur crée le premier compte en ligne de "
        "commande : `python -m ptlcd_data user add LOGIN --role admin`."
    )

with st.form("login_form"):
    login = st.text_input("Identifiant", key="login_id")
    password = st.text_input("Mot de passe", type="password", key="login_password")
    submitted = st.form_submit_button("Se connecter", type="primary")

if submitted:
    try:
        found = data.write(accounts.authenticate, login, password, address=session.client_address())
    except PtlcdError as exc:
        st.error(widgets.escape_md(exc.message))
    else:
        session.log_in(found)
        # Coming from a page that asked for a login: back to it, if this account may open it.
        back = navigation.page_for(st.query_params.get("retour"))
        if back is not None and navigation.allowed(
            back, found, data.settings().read_requires_login
        ):
            st.switch_page(back.path)
        st.rerun()
