"""Connexion: log in (local account or the city's OpenID Connect provider) and out."""

from __future__ import annotations

import streamlit as st

from ptlcd_data.access import accounts
from ptlcd_data.access.auth import ROLE_LABELS
from ptlcd_data.errors import PtlcdError
from ui import data, navigation, session, widgets

st.title("Connexion", anchor=False)
user = session.current_user()

if user is not None:
    st.success(f"Connecté(e) : {widgets.escape_md(user.nom)} — rôle {ROLE_LABELS[user.role]}.")
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
