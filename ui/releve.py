"""The GOLD's décisions on the pages: counts, lists, the open décisions of an action (late ones
highlighted), the forms that open a séance, record a décision and change its state, and the
relevé's downloads. Shared by « Décisions », « Revue GOLD » and « Mes actions ».

Every write goes through `ptlcd_data.decisions.records`, which checks the role (and for a
porteur, that the décision is its own) at the moment of writing. User text is shown as text.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.decisions import queries, records
from ptlcd_data.depots import drafts, forms
from ptlcd_data.plan import porteurs
from ptlcd_data.releve import content, report
from ui import data, widgets

if TYPE_CHECKING:
    import pandas as pd

DATE_FMT = "DD/MM/YYYY"
SEANCE_KEY = "decisions_seance"  # the séance the review records into, kept across pages
NEW_SEANCE = 0  # the séance choice that opens a new one
OPENED_KEY = "_decisions_seance_opened"
# The échéance a new décision's form proposes: until the next meeting, about a month away (an
# empty date field would show an English placeholder).
DEFAULT_DELAY_DAYS = 30  # the séance just opened: chosen on the next run
COLUMN_CONFIG = {
    "id": st.column_config.NumberColumn("N°", width="small"),
    "seance_date": st.column_config.DateColumn("Séance du", format=DATE_FMT),
    "action_no": st.column_config.NumberColumn("Action", width="small"),
    "indicateur": st.column_config.TextColumn("Indicateur", width="small"),
    "texte": st.column_config.TextColumn("Décision", width="large"),
    "responsable_libelle": st.column_config.TextColumn("Responsable"),
    "echeance": st.column_config.DateColumn("Échéance", format=DATE_FMT),
    "etat_libelle": st.column_config.TextColumn("État"),
    "en_retard": st.column_config.CheckboxColumn("En retard"),
    "commentaire": st.column_config.TextColumn("Dernier commentaire", width="medium"),
    "modifie_le": st.column_config.DatetimeColumn("Modifiée le", format="DD/MM/YYYY HH:mm"),
}


def counts(table: pd.DataFrame) -> None:
    """The counts on top of a list of décisions."""
    n = queries.counts(table)
    cols = st.columns(5)
    cols[0].metric("Décisions", formats.number(n["total"]))
    cols[1].metric("Ouvertes", formats.number(n["ouvertes"]))
    cols[2].metric("En retard", formats.number(n["en_retard"]))
    cols[3].metric("Faites", formats.number(n["faites"]))
    cols[4].metric("Abandonnées", formats.number(n["abandonnees"]))


def decision_table(table: pd.DataFrame, key: str) -> None:
    """A list of décisions, as `queries.decision_table` orders it (late ones first)."""
    widgets.table(table, key=key, column_config=COLUMN_CONFIG, column_order=list(COLUMN_CONFIG))


def _label(row: object) -> str:
    texte = " ".join(str(getattr(row, "texte", "")).split())
    return f"n° {getattr(row, 'id', '')} · {texte[:70]}"


def cards(table: pd.DataFrame, empty: str) -> None:
    """Each décision of `table` as a short card, late ones highlighted (open ones first: the
    order of `queries.decision_table`)."""
    if table.empty:
        st.caption(empty)
        return
    for row in table.itertuples(index=False):
        line = (
            f"Décision n° {int(row.id)} · responsable : {row.responsable_libelle} · échéance : "
            f"{formats.day(row.echeance)} · {content.state_text(row.etat, row.en_retard)}"
        )
        if row.en_retard:
            st.warning(f"**En retard** — {widgets.escape_md(line)}", icon=":material/alarm:")
        else:
            st.markdown(widgets.escape_md(line))
        st.text(str(row.texte))


def action_cards(action_no: int | None, as_of: date, empty: str) -> None:
    """The décisions on one action (None: the décisions générales), open ones first."""
    # Every décision of the date, once per revision; an action's are picked from it (the review
    # steps through 34 actions).
    on = {"generales": True} if action_no is None else {}
    table = data.query(queries.decision_table, as_of, **on)
    if action_no is not None:
        table = table[table["action_no"] == action_no]
    cards(table[table["etat"] == records.OUVERTE], empty)
    closed = table[table["etat"].isin((records.FAITE, records.ABANDONNEE))]
    if not closed.empty:
        key = f"decisions_closes_{'generales' if action_no is None else 'action'}"
        if box := widgets.lazy_expander(f"Décisions closes ({len(closed)})", key=key):
            with box:
                cards(closed, "")


def seance_picker(user: User, today: date) -> int | None:
    """Choose the séance the décisions are recorded in, or open a new one; its number."""
    table = data.query(queries.seances, today)
    labels = {
        int(r.id): f"n° {int(r.id)} · {formats.day(r.date_seance)} · {r.titre}"
        for r in table.itertuples(index=False)
    }
    options = [*labels, NEW_SEANCE]
    if (opened := st.session_state.pop(OPENED_KEY, None)) is not None:
        st.session_state[SEANCE_KEY] = opened
    if st.session_state.get(SEANCE_KEY) not in options:
        st.session_state[SEANCE_KEY] = options[0]
    chosen = st.selectbox(
        "Séance",
        options=options,
        format_func=lambda n: labels.get(n, "Ouvrir une nouvelle séance…"),
        key=SEANCE_KEY,
    )
    if chosen != NEW_SEANCE:
        return int(chosen)
    with st.form("seance_form", border=True):
        day = st.date_input("Date de la séance", value=today, max_value=today, format=DATE_FMT)
        titre = st.text_input("Titre", max_chars=records.TITLE_MAX_CHARS, placeholder="GOLD")
        participants = st.text_area(
            "Participants", max_chars=records.PARTICIPANTS_MAX_CHARS, height=80
        )
        if st.form_submit_button("Ouvrir la séance", type="primary", key="seance_submit"):
            with widgets.guard():
                seance_id = data.write(
                    records.open_seance,
                    user,
                    day if isinstance(day, date) else today,
                    titre=titre,
                    participants=participants,
                )
                st.session_state[OPENED_KEY] = seance_id
                st.rerun()
    return None


def decision_form(
    user: User, seance_id: int, key: str, gen: int, action_no: int | None = None
) -> str | None:
    """Record a décision of `seance_id` (on `action_no`, or a décision générale); the
    confirmation to show once recorded, else None."""
    labels = data.query(porteurs.porteur_labels)
    suffix = f"{key}_{gen}"
    with st.form(f"decision_form_{suffix}", border=True):
        texte = st.text_area(
            "Décision", max_chars=records.TEXT_MAX_CHARS, height=80, key=f"dec_texte_{suffix}"
        )
        r1, r2 = st.columns(2)
        code = r1.selectbox(
            "Responsable (porteur)",
            options=list(labels),
            format_func=lambda c: labels[c],
            index=None,
            placeholder="Choisir un porteur",
            key=f"dec_porteur_{suffix}",
        )
        person = r2.text_input(
            "ou personne nommée",
            max_chars=records.RESPONSABLE_MAX_CHARS,
            key=f"dec_personne_{suffix}",
        )
        echeance = st.date_input(
            "Échéance",
            value=date.today() + timedelta(days=DEFAULT_DELAY_DAYS),
            format=DATE_FMT,
            key=f"dec_ech_{suffix}",
            help=f"Par défaut, dans {DEFAULT_DELAY_DAYS} jours.",
        )
        submitted = st.form_submit_button("Enregistrer la décision", key=f"dec_submit_{key}")
    if not submitted:
        return None
    if not isinstance(echeance, date):
        st.error("Choisissez l'échéance de la décision.")
        return None
    with widgets.guard():
        decision_id = data.write(
            records.add_decision,
            user,
            seance_id,
            texte=texte,
            responsable=person.strip() or code or "",
            echeance=echeance,
            action_no=action_no,
        )
        return f"Décision n° {decision_id} enregistrée."
    return None


def reset_decision_form(key: str, gen: int) -> None:
    """Empty the fields of `decision_form(..., key, gen)` from a callback (the review moves to
    another action: a décision half written for one action must not be recorded on the next)."""
    suffix = f"{key}_{gen}"
    defaults: dict[str, object] = {
        f"dec_texte_{suffix}": "",
        f"dec_porteur_{suffix}": None,
        f"dec_personne_{suffix}": "",
        f"dec_ech_{suffix}": date.today() + timedelta(days=DEFAULT_DELAY_DAYS),
    }
    for name, value in defaults.items():
        if name in st.session_state:
            st.session_state[name] = value


def state_form(
    user: User, table: pd.DataFrame, key: str, *, staff: bool, to_depot: bool = False
) -> str | None:
    """Change the state of one décision of `table`: a porteur says « faite », staff choose any
    state. With `to_depot` (a porteur account, validation on) it is added to the porteur's
    dépôt being prepared instead, published once validated. The confirmation, else None."""
    if table.empty:
        return None
    labels = {int(r.id): _label(r) for r in table.itertuples(index=False)}
    with st.form(f"etat_form_{key}", border=True):
        decision_id = st.selectbox(
            "Décision", options=list(labels), format_func=labels.__getitem__, key=f"etat_id_{key}"
        )
        etats = list(records.ETATS) if staff else [records.FAITE]
        etat = st.selectbox(
            "Nouvel état",
            options=etats,
            index=etats.index(records.FAITE),
            format_func=queries.etat_label,
            key=f"etat_etat_{key}",
        )
        commentaire = st.text_area(
            "Commentaire (ce qui a été fait)",
            max_chars=records.TEXT_MAX_CHARS,
            height=80,
            key=f"etat_commentaire_{key}",
        )
        submitted = st.form_submit_button("Enregistrer", type="primary", key=f"etat_submit_{key}")
    if not submitted:
        return None
    with widgets.guard():
        if to_depot:
            line = forms.decision_line(int(decision_id), commentaire)
            depot = data.write(drafts.add_lines, user, None, [line])
            return (
                f"Décision n° {decision_id} « faite » ajoutée au dépôt n° {depot}, en "
                "préparation : envoyez-le pour validation."
            )
        data.write(records.set_etat, user, int(decision_id), etat, commentaire=commentaire)
        return f"Décision n° {decision_id} : {queries.etat_label(etat)}."
    return None


def downloads(seance_id: int, day: date, key: str) -> None:
    """The relevé of one séance, in DOCX and PDF (built when clicked)."""
    d1, d2 = st.columns(2)
    for col, fmt, label, mime in (
        (
            d1,
            "docx",
            "Relevé (Word, DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (d2, "pdf", "Relevé (PDF)", "application/pdf"),
    ):
        col.download_button(
            label,
            data=data.deferred(report.build, seance_id, fmt),
            file_name=content.file_name(seance_id, day, fmt),
            mime=mime,
            key=f"{key}_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )
