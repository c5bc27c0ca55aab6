"""Frame and router of the PTLCD dashboard: page config, shared sidebar, navigation."""

from __future__ import annotations

import logging

import streamlit as st

from ptlcd_data import demo
from ptlcd_data.errors import PtlcdError
from ui import data, widgets

log = logging.getLogger("ptlcd")

st.set_page_config(
    page_title="Suivi du PTLCD",
    page_icon=":material/balance:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Le plan": [
        st.Page(
            "pages/accueil.py", title="Vue d'ensemble", icon=":material/dashboard:", default=True
        ),
        st.Page(
            "pages/fiche_action.py",
            title="Fiche action",
            icon=":material/description:",
            url_path="fiche",
        ),
    ],
    "Saisie": [
        st.Page(
            "pages/import_donnees.py",
            title="Import de données",
            icon=":material/upload_file:",
            url_path="import",
        ),
    ],
}


def main() -> None:
    try:
        data.ensure_store()
        data.refresh_revision()
    except PtlcdError as exc:
        st.error(f"**{widgets.escape_md(exc.title)}** — {widgets.escape_md(exc.message)}")
        st.stop()
    page = st.navigation(PAGES)
    st.sidebar.markdown("### Suivi du PTLCD")
    widgets.observation_date_input()
    widgets.demo_banner(data.query(demo.has_demo))
    try:
        page.run()
    except PtlcdError as exc:
        st.error(f"**{widgets.escape_md(exc.title)}** — {widgets.escape_md(exc.message)}")
    except Exception:  # never a traceback in front of a user; the log keeps it
        log.exception("Erreur inattendue sur la page %s", page.title)
        st.error(
            "Une erreur inattendue est survenue sur cette page. Elle a été consignée dans le "
            "journal du serveur ; les autres pages restent utilisables."
        )


main()
