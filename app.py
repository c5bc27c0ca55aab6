"""Frame and router of the PTLCD dashboard: page config, login state, shared sidebar, navigation."""

from __future__ import annotations

import logging

import streamlit as st

from ptlcd_data import demo
from ptlcd_data.auth import User
from ptlcd_data.errors import PtlcdError
from ui import data, session, widgets

log = logging.getLogger("ptlcd")

st.set_page_config(
    page_title="Suivi du PTLCD",
    page_icon=":material/balance:",
    layout="wide",
    initial_sidebar_state="expanded",
)

ANONYMOUS = "anonyme"
# (section, page, minimal role). A page the user's role may not use is absent from the
# navigation, so its URL is refused too (Streamlit falls back to the home page).
PAGES: list[tuple[str, st.Page, str]] = [
    (
        "Le plan",
        st.Page(
            "pages/accueil.py", title="Vue d'ensemble", icon=":material/dashboard:", default=True
        ),
        "lecture",
    ),
    (
        "Le plan",
        st.Page(
            "pages/fiche_action.py",
            title="Fiche action",
            icon=":material/description:",
            url_path="fiche",
        ),
        "lecture",
    ),
    (
        "Administration",
        st.Page("pages/journal.py", title="Journal", icon=":material/history:", url_path="journal"),
        "admin",
    ),
    (
        "Compte",
        st.Page(
            "pages/connexion.py", title="Connexion", icon=":material/login:", url_path="connexion"
        ),
        ANONYMOUS,
    ),
]


def navigation_for(user: User | None, read_requires_login: bool) -> dict[str, list[st.Page]]:
    """The pages this user may open, by section."""
    sections: dict[str, list[st.Page]] = {}
    for section, page, role in PAGES:
        if role == ANONYMOUS:
            allowed = True
        elif user is None:
            allowed = role == "lecture" and not read_requires_login
        else:
            allowed = user.can(role)
        if allowed:
            sections.setdefault(section, []).append(page)
    return sections


def show_error(exc: PtlcdError) -> None:
    st.error(f"**{widgets.escape_md(exc.title)}** — {widgets.escape_md(exc.message)}")


def main() -> None:
    try:
        data.ensure_store()
        data.refresh_revision()
        user = session.current_user()
    except PtlcdError as exc:
        show_error(exc)
        st.stop()
    page = st.navigation(navigation_for(user, data.settings().read_requires_login))
    st.sidebar.markdown("### Suivi du PTLCD")
    st.sidebar.caption(
        f"Connecté(e) : {widgets.escape_md(user.nom)} ({user.role})" if user else "Lecture publique"
    )
    widgets.observation_date_input()
    widgets.demo_banner(data.query(demo.has_demo))
    try:
        page.run()
    except PtlcdError as exc:
        show_error(exc)
    except Exception:  # never a traceback in front of a user; the log keeps it
        log.exception("Erreur inattendue sur la page %s", page.title)
        st.error(
            "Une erreur inattendue est survenue sur cette page. Elle a été consignée dans le "
            "journal du serveur ; les autres pages restent utilisables."
        )


main()
