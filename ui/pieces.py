"""The pièces justificatives of an action or a dépôt: their list, a download each, and an upload.

Used by the Fiche action and, for a dépôt, by « Mes actions » and « Dépôts à valider ». The
caller decides whether the section is shown (`may_see`); the data layer checks the rights again
at every list, download and upload. A file's name is user text: shown as plain text, escaped in
a button's label. A pièce is always downloaded as an attachment (`application/octet-stream`),
never shown in the page.
"""

from __future__ import annotations

import streamlit as st

from ptlcd_data.access.auth import User
from ptlcd_data.pieces import content, records
from ui import data, widgets

# What the browser sends for a download: an attachment, never a document the browser would open.
DOWNLOAD_MIME = "application/octet-stream"


def may_see(
    user: User | None, *, action_no: int | None = None, depot_id: int | None = None
) -> bool:
    """True when `user` may see the pièces of that action or dépôt: staff, or its porteur."""
    if user is None:
        return False
    return data.query(records.may_see, user, action_no=action_no, depot_id=depot_id)


def _attach(user: User | None, action_no: int | None, depot_id: int | None, key: str) -> None:
    """The upload and its button « Joindre »; a refusal is shown in French, nothing written."""
    nonce = st.session_state.get(f"{key}_nonce", 0)
    uploaded = st.file_uploader(
        "Joindre un fichier",
        key=f"{key}_upload_{nonce}",
        help=f"Accepté : {content.ACCEPTED} ; {data.settings().max_piece_mb} Mo au plus.",
    )
    if st.button("Joindre", key=f"{key}_joindre", disabled=uploaded is None) and uploaded:
        with widgets.guard():
            piece_id = data.write(
                records.add_piece,
                data.settings(),
                user,
                uploaded.getvalue(),
                uploaded.name,
                action_no=action_no,
                depot_id=depot_id,
            )
            shown = widgets.escape_md(uploaded.name)
            st.session_state[f"{key}_flash"] = f"Pièce n° {piece_id} jointe : {shown}."
            st.session_state[f"{key}_nonce"] = nonce + 1  # an empty upload box again
            st.rerun()


def pieces_section(
    user: User | None,
    *,
    action_no: int | None = None,
    depot_id: int | None = None,
    key: str,
    can_add: bool = True,
) -> None:
    """The pièces of action `action_no` or dépôt `depot_id` (one of the two), each with its
    download button; with `can_add`, an upload and « Joindre ». `key` keeps the widgets of two
    sections of one page apart. No heading: the page gives its own."""
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(flash)  # its file name escaped when it was written
    with widgets.guard():
        table = data.query(records.list_pieces, user, action_no=action_no, depot_id=depot_id)
        if table.empty:
            st.caption("Aucune pièce jointe pour l'instant.")
        settings = data.settings()
        for row in table.itertuples(index=False):
            text, button = st.columns([3, 1], vertical_alignment="center")
            text.text(
                records.describe(row.nom, row.type, row.taille, row.ajoute_le, row.ajoute_par)
            )
            button.download_button(
                f"Télécharger {widgets.escape_md(row.nom)}",
                data=data.deferred(records.piece_bytes, settings, user, int(row.id)),
                file_name=str(row.nom),
                mime=DOWNLOAD_MIME,
                key=f"{key}_piece_{row.id}",
                on_click="ignore",
                width="stretch",
            )
        if can_add:
            _attach(user, action_no, depot_id, key)
