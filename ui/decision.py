"""The form that records a follow-up decision for one action, shared by "Revue GOLD" and
"Mes actions": status, avancement, date d'effet, comment and engagement per territory.

It records through `suivi.saisie.enregistrer_revue`, which checks the role, and for a porteur
account the action's porteur, at the moment of writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.depots import drafts
from ptlcd_data.depots import records as depot_records
from ptlcd_data.suivi import engagements, saisie
from ptlcd_data.vocabulary import NIVEAUX, STATUTS
from ui import data, suivi, widgets

# Up to this many territories, one field each; beyond, a list of territories and one level.
TERRITORY_FIELDS_MAX = 8


@dataclass(frozen=True)
class Decision:
    """What the form was submitted with (None: unchanged)."""

    date_effet: date
    statut: str | None = None
    avancement: int | None = None
    commentaire: str = ""
    engagements: dict[str, str] = field(default_factory=dict)
    # Territories chosen without a level (many-territories layout): refused before writing.
    codes_without_level: bool = False


def decision_form(
    action_no: int, key: str, gen: int, today: date, *, stable: bool = False
) -> Decision | None:
    """Draw the form of `action_no` (widget keys start with `key`; `gen` renews them after a
    record, so the form starts empty again); the decision when it was submitted, else None.

    With `stable`, the fields keep their identity from one action to the next, so that the
    browser updates them instead of drawing them anew (the review steps through 34 actions, and
    drawing a dozen fields again cost more than the rest of a step); the caller empties them
    with `reset_form` when the action changes."""
    current = suivi.action_state(action_no, today) or {}
    cells = suivi.action_cells(action_no, today)
    suffix = str(gen) if stable else f"{action_no}_{gen}"
    with st.form(f"{key}_form_{suffix}", border=True):
        s1, s2, s3 = st.columns(3)
        statut = s1.selectbox(
            "Statut",
            options=list(STATUTS),
            index=None,
            placeholder=f"Inchangé ({current.get('statut', '—')})",
            key=f"{key}_statut_{suffix}",
        )
        avancement = s2.number_input(
            "Avancement (%)",
            min_value=0,
            max_value=100,
            step=5,
            value=None,
            placeholder=f"Inchangé ({formats.percent(current.get('avancement'))})",
            key=f"{key}_avancement_{suffix}",
        )
        date_effet = s3.date_input(
            "Date d'effet",
            value=today,
            max_value=today,
            format="DD/MM/YYYY",
            key=f"{key}_date_{suffix}",
            help="Aujourd'hui par défaut ; une date passée pour consigner une décision antérieure.",
        )
        commentaire = st.text_area(
            "Commentaire (décision, point d'étape)",
            max_chars=saisie.COMMENT_MAX_CHARS,
            key=f"{key}_commentaire_{suffix}",
        )
        st.markdown("**Engagement des territoires**")
        chosen: dict[str, str] = {}
        codes_without_level = False
        if len(cells) <= TERRITORY_FIELDS_MAX:
            columns = st.columns(max(len(cells), 1))
            for i, cell in enumerate(cells.itertuples(index=False)):
                niveau = columns[i].selectbox(
                    widgets.escape_md(cell.territoire),
                    options=list(NIVEAUX),
                    index=None,
                    placeholder=f"Inchangé ({cell.niveau})",
                    key=f"{key}_eng_{cell.territoire_code}_{suffix}",
                )
                if niveau is not None:
                    chosen[str(cell.territoire_code)] = niveau
        else:  # many territories: one level applied to the territories chosen
            names = dict(zip(cells["territoire_code"], cells["territoire"], strict=True))
            levels = dict(zip(cells["territoire_code"], cells["niveau"], strict=True))
            e1, e2 = st.columns([3, 1])
            codes = e1.multiselect(
                "Territoires",
                select_all=False,
                options=list(names),
                format_func=lambda c: f"{names[c]} ({levels[c]})",
                key=f"{key}_eng_codes_{suffix}",
                placeholder="Aucun changement",
            )
            niveau = e2.selectbox(
                "Nouveau niveau",
                options=list(NIVEAUX),
                index=None,
                key=f"{key}_eng_niveau_{suffix}",
            )
            if codes and niveau is not None:
                chosen = {str(c): niveau for c in codes}
            codes_without_level = bool(codes) and niveau is None
        submitted = st.form_submit_button("Enregistrer", type="primary", key=f"{key}_submit")
    if not submitted:
        return None
    return _decision(
        date_effet, statut, avancement, commentaire, chosen, codes_without_level, today
    )


def reset_form(key: str, gen: int, today: date) -> None:
    """Empty the fields of a `stable` form (`decision_form(..., key, gen, today, stable=True)`),
    from a callback, before the form is drawn for another action."""
    state = st.session_state
    defaults: dict[str, object] = {
        f"{key}_statut_{gen}": None,
        f"{key}_avancement_{gen}": None,
        f"{key}_date_{gen}": today,
        f"{key}_commentaire_{gen}": "",
        f"{key}_eng_codes_{gen}": [],
        f"{key}_eng_niveau_{gen}": None,
    }
    territory = f"{key}_eng_"
    defaults |= {
        k: None
        for k in list(state.keys())
        if isinstance(k, str)
        and k.startswith(territory)
        and k.endswith(f"_{gen}")
        and k not in defaults
    }
    for name, value in defaults.items():
        if name in state:
            state[name] = value


def _decision(
    date_effet: object,
    statut: str | None,
    avancement: float | None,
    commentaire: str,
    chosen: dict[str, str],
    codes_without_level: bool,
    today: date,
) -> Decision:
    return Decision(
        date_effet=date_effet if isinstance(date_effet, date) else today,
        statut=statut,
        avancement=None if avancement is None else int(avancement),
        commentaire=commentaire,
        engagements=chosen,
        codes_without_level=codes_without_level,
    )


def sent_without_form(action_no: int, key: str, gen: int, today: date) -> Decision | None:
    """What the form of `action_no` (as `decision_form(action_no, key, gen, today)` drew it)
    was sent with in this run, read from the session state: for a page that no longer draws
    that form (the action went to another porteur meanwhile). None when it was not sent."""
    state = st.session_state
    if not state.get(f"{key}_submit"):
        return None
    suffix = f"{action_no}_{gen}"
    cells = data.query(engagements.engagement_cells, today, actions=(action_no,))
    if len(cells) <= TERRITORY_FIELDS_MAX:
        levels = {str(c): state.get(f"{key}_eng_{c}_{suffix}") for c in cells["territoire_code"]}
        chosen = {c: str(n) for c, n in levels.items() if n is not None}
    else:
        niveau = state.get(f"{key}_eng_niveau_{suffix}")
        codes = state.get(f"{key}_eng_codes_{suffix}") or []
        chosen = {str(c): str(niveau) for c in codes} if niveau is not None else {}
    return _decision(
        state.get(f"{key}_date_{suffix}"),
        state.get(f"{key}_statut_{suffix}"),
        state.get(f"{key}_avancement_{suffix}"),
        str(state.get(f"{key}_commentaire_{suffix}") or ""),
        chosen,
        False,
        today,
    )


def as_text(action_no: int, decision: Decision, today: date) -> str:
    """What a decision says, one field a line, for a person to copy it back into the form."""
    names = data.query(engagements.engagement_cells, today, actions=(action_no,))
    territory = dict(zip(names["territoire_code"], names["territoire"], strict=True))
    lines = [f"Action n° {action_no}"]
    if decision.statut is not None:
        lines.append(f"Statut : {decision.statut}")
    if decision.avancement is not None:
        lines.append(f"Avancement : {formats.percent(decision.avancement)}")
    lines.append(f"Date d'effet : {formats.day(decision.date_effet)}")
    if decision.commentaire.strip():
        lines.append(f"Commentaire : {decision.commentaire.strip()}")
    lines += [
        f"Engagement : {territory.get(code, code)} : {niveau}"
        for code, niveau in decision.engagements.items()
    ]
    return "\n".join(lines)


def record(user: User, action_no: int, decision: Decision) -> str | None:
    """Record a submitted decision; the confirmation to show, or None after showing in French
    why it was refused (nothing is written then)."""
    if decision.codes_without_level:
        st.error("Choisissez le nouveau niveau des territoires sélectionnés, ou retirez-les.")
        return None
    fields: dict[str, Any] = {
        "date_effet": decision.date_effet,
        "statut": decision.statut,
        "avancement": decision.avancement,
        "commentaire": decision.commentaire,
        "engagements": decision.engagements,
    }
    with widgets.guard():
        if depot_records.applies(data.settings(), user):
            depot = data.write(drafts.add_revue, user, action_no, **fields)
            return (
                f"Action n° {action_no} : mise à jour ajoutée au dépôt n° {depot}, en "
                "préparation. Envoyez-le pour validation quand il est complet."
            )
        written = data.write(saisie.enregistrer_revue, user, action_no, **fields)
        parts = []
        if written["statut"]:
            parts.append("statut / commentaire")
        if written["engagements"]:
            parts.append(f"{written['engagements']} engagement(s)")
        return (
            f"Action n° {action_no} : {' et '.join(parts)} enregistré(s) par "
            f"{widgets.escape_md(user.nom)} le {formats.timestamp(datetime.now())}."
        )
    return None
