"""Frame and router of the PTLCD dashboard: page config, login state, shared sidebar, navigation."""

from __future__ import annotations

import logging

import streamlit as st

from ptlcd_data import demo
from ptlcd_data.access.auth import User
from ptlcd_data.errors import PtlcdError
from ui import data, document, heap, navigation, session, widgets

log = logging.getLogger("ptlcd")

st.set_page_config(
    page_title=document.APP_NAME,
    page_icon=":material/balance:",
    layout="wide",
    initial_sidebar_state="expanded",
)


def navigation_for(
    user: User | None, read_requires_login: bool
) -> tuple[dict[str, list[st.Page]], dict[str, navigation.PageSpec]]:
    """The pages of this user's navigation by section, and the refused ones by URL path.

    A page this user may not use is still registered, hidden from the menu: its address then
    shows a French message pointing to « Connexion » (app.py never runs its file), not
    Streamlit's English "Page not found".
    """
    sections: dict[str, list[st.Page]] = {}
    refused: dict[str, navigation.PageSpec] = {}
    for spec in navigation.PAGES:
        ok = navigation.allowed(spec, user, read_requires_login)
        page = st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.default,
            visibility="visible" if ok else "hidden",
        )
        sections.setdefault(spec.section, []).append(page)
        if not ok:
            refused[page.url_path] = spec
    return sections, refused


def show_refusal(spec: navigation.PageSpec, user: User | None) -> None:
    """What a visitor sees at the address of a page their role cannot use."""
    st.title(spec.title, anchor=False)
    st.warning(navigation.refusal_text(spec, user))
    if user is not None and user.lien is not None:  # a reply link: back to its one page
        st.page_link(
            "app_pages/mes_actions.py", label="Mes actions", icon=":material/assignment_ind:"
        )
        return
    # After the login, Connexion opens this page again (the « retour » parameter).
    st.page_link(
        "app_pages/connexion.py",
        label="Connexion",
        icon=":material/login:",
        query_params={"retour": spec.key},
    )


def show_error(exc: PtlcdError) -> None:
    st.error(f"**{widgets.escape_md(exc.title)}** — {widgets.escape_md(exc.message)}")


def main() -> None:
    # Once opened, the database stays open while this run lasts. Each query opens and closes its
    # own connection: opening the file costs 20 to 50 ms, but while one connection is open DuckDB
    # hands the same open database to the next ones in about a millisecond. Closed at the end of
    # the run, so a command-line import can still write between two runs; a run whose answers
    # are all cached (a page seen before, nothing written since) does not open it at all.
    try:
        with data.held_open():
            run_page()
    finally:
        heap.freeze_loaded_modules()


def run_page() -> None:
    try:
        data.ensure_store()
        data.refresh_revision()
        user = session.current_user()
    except Exception as exc:
        error = data.user_error(exc)  # a damaged base is said in French, as on the command line
        if error is None:
            raise
        show_error(error)
        st.stop()
    sections, refused = navigation_for(user, data.settings().read_requires_login)
    # Always unfolded: beyond 12 pages Streamlit folds the list behind an English "View more".
    page = st.navigation(sections, expanded=True)
    document.frame(page.title)
    session.write_cookie()
    # The app's name above the sidebar's fields, in bold: a heading here came before the page's h1.
    st.sidebar.markdown(f"**{document.APP_NAME}**")
    st.sidebar.caption(
        "Lecture publique"
        if user is None
        else f"Connecté(e) : {widgets.escape_md(user.nom)}"
        + ("" if user.lien else f" ({user.role})")  # a link's name says its porteur
    )
    widgets.observation_date_input()
    widgets.demo_banner(data.query(demo.has_demo))
    try:
        if page.url_path in refused:
            show_refusal(refused[page.url_path], user)
        else:
            page.run()
    except Exception as exc:  # never a traceback in front of a user; the log keeps it
        error = data.user_error(exc)
        if error is not None:
            show_error(error)
            return
        log.exception("Erreur inattendue sur la page %s", page.title)
        st.error(
            "Une erreur inattendue est survenue sur cette page. Elle a été consignée dans le "
            "journal du serveur ; les autres pages restent utilisables."
        )


main()
