"""The conversation of an action, as the Fiche action and a dépôt show it: each message as plain
text (never Markdown nor HTML), and a form to write to the other side, who is told by e-mail.

Writing goes through `messages.conversation.add_message`, which checks the role and, for a
porteur account, the action's porteurs at the moment of writing; the e-mail leaves afterwards,
with no transaction open and the base let go (`messages.notifications.notify`).
"""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.errors import PtlcdError
from ptlcd_data.messages import conversation, notifications
from ui import data, widgets

# The newest messages shown; an action's conversation is short, this only bounds a page.
MESSAGES_SHOWN = 100


def allowed(user: User | None, action_no: int) -> bool:
    """True when `user` may read and write the conversation of `action_no` (staff, or a porteur
    account carrying it): what a page asks before drawing the section."""
    return user is not None and bool(data.query(conversation.may_converse, user, action_no))


def _messages(user: User, action_no: int) -> None:
    table = data.query(conversation.conversation, user, action_no)
    if table.empty:
        st.caption("Aucun message sur cette action pour l'instant.")
        return
    if len(table) > MESSAGES_SHOWN:
        st.caption(
            f"Les {MESSAGES_SHOWN} messages les plus récents, sur {len(table)} "
            "(la commande « messages list » les donne tous)."
        )
        table = table.tail(MESSAGES_SHOWN)
    for row in table.itertuples(index=False):
        side = conversation.COTE_LABELS[str(row.cote)]
        where = "" if row.depot_id is None else f", dans le dépôt n° {row.depot_id}"
        with st.container(border=True):
            st.caption(
                f"{widgets.escape_md(row.auteur_nom)} ({side}), le "
                f"{formats.timestamp(row.envoye_le)}{where}"
            )
            st.text(str(row.texte))


def conversation_section(
    user: User | None, action_no: int, *, key: str, depot_id: int | None = None
) -> None:
    """The messages of `action_no`, oldest first, and the form « Écrire à l'équipe » (a porteur
    account) or « Écrire au porteur » (staff). `key` starts every widget key (one section per
    page place); with `depot_id`, what is written is marked as written inside that dépôt.
    Draws nothing for a user who may not see this conversation."""
    if user is None or not allowed(user, action_no):
        return
    flash_key, gen_key = f"_{key}_msg_flash", f"_{key}_msg_gen"
    if flash := st.session_state.pop(flash_key, None):
        (st.success if flash[0] else st.warning)(flash[1])
    _messages(user, action_no)
    gen = int(st.session_state.get(gen_key, 0))
    label = "Écrire à l'équipe" if user.is_porteur else "Écrire au porteur"
    with st.form(f"{key}_msg_form_{gen}", border=True):
        texte = st.text_area(
            label,
            max_chars=conversation.MESSAGE_MAX_CHARS,
            key=f"{key}_msg_texte_{gen}",
            help="Un texte court, montré tel quel ; l'autre partie est avertie par courriel.",
        )
        sent = st.form_submit_button("Envoyer le message", key=f"{key}_msg_submit")
    if not sent:
        return
    message_id = None
    with widgets.guard():
        message_id = data.write(conversation.add_message, user, action_no, texte, depot_id=depot_id)
    if message_id is None:
        return  # refused: the error is shown, the form keeps what was typed
    st.session_state[gen_key] = gen + 1  # recorded: whatever the e-mail does, a fresh form
    st.session_state[flash_key] = _notified(user, message_id)
    st.rerun()


def _notified(user: User, message_id: int) -> tuple[bool, str]:
    """E-mail the other side of a message just recorded (the base let go meanwhile); whether
    it was told, and what to say, in French, escaped for Markdown."""
    try:
        envois = notifications.notify(data.settings(), message_id)
    except PtlcdError as exc:  # the message is recorded: only its e-mail is missing
        return False, (
            f"Message n° {message_id} enregistré, mais l'avis par courriel n'a pas pu être noté "
            f"ou envoyé : {widgets.escape_md(exc.message)}"
        )
    told = all(e.statut in ("envoye", "fichier_eml") for e in envois)
    summary = notifications.summary(envois, staff=not user.is_porteur)
    return told, f"Message n° {message_id} enregistré. {widgets.escape_md(summary)}"
