"""Follow-up blocks shared by the Fiche action and the Revue GOLD pages."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from ptlcd_data import formats
from ptlcd_data.plan import queries
from ptlcd_data.suivi import engagements, status_queries
from ui import data, widgets

DATE_FMT = "DD/MM/YYYY"
STATUS_HISTORY_COLUMNS = {
    "date_effet": st.column_config.DateColumn("Date d'effet", format=DATE_FMT),
    "statut": st.column_config.TextColumn("Statut"),
    "avancement": st.column_config.NumberColumn("Avancement", format="%d %%"),
    "commentaire": st.column_config.TextColumn("Commentaire", width="large"),
    "auteur": st.column_config.TextColumn("Auteur"),
    "source": st.column_config.TextColumn("Source"),
    "enregistre_le": st.column_config.DatetimeColumn("Enregistré le", format="DD/MM/YYYY HH:mm"),
    "demo": st.column_config.CheckboxColumn("Démonstration"),
}


def segment_choice(event: Any) -> tuple[int, str] | None:
    """(axe_no, statut) of the clicked segment of a status bar chart, if any."""
    points = (event or {}).get("selection", {}).get("points", [])
    if points and points[0].get("customdata"):
        axe_no, statut = points[0]["customdata"][:2]
        return int(axe_no), str(statut)
    return None


def months(value: Any) -> str:
    """'+3 mois', or '—' for a missing value (None, NaN or pandas' NA)."""
    return formats.months(None if value is None or pd.isna(value) else float(value))


def status_summary(row: dict[str, Any]) -> None:
    """The action's status, avancement, lateness and slippage, as metrics."""
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("Statut", row["statut"])
    c2.metric("Avancement", formats.percent(row["avancement"]))
    c3.metric("En retard", "oui" if row["en_retard"] else "non")
    c4.metric("Glissement du début", months(row["glissement_debut_mois"]))
    c5.metric("Glissement de la fin", months(row["glissement_fin_mois"]))
    details = [f"Dernière mise à jour : {formats.day(row['date_dernier'])}"]
    if row["en_retard"] and row["motif_retard"]:
        details.insert(0, f"En retard : {row['motif_retard']}")
    if row["source"]:
        details.append(f"source : {row['source']}")
    st.caption(widgets.escape_md(" · ".join(details)))
    if row["commentaire"]:
        widgets.field("Dernier commentaire", row["commentaire"])


def _history(hist: pd.DataFrame, empty: str, columns: dict[str, Any], key: str) -> None:
    """A history of follow-up records, newest first; `empty` when there is none yet."""
    if hist.empty:
        st.info(empty)
        return
    widgets.table(hist, column_config=columns, key=key)


def action_detail(action_no: int, as_of: date) -> dict[str, Any] | None:
    """`queries.action_detail`, read from every action's (one question per revision and date:
    the review steps through 34 actions)."""
    details: dict[int, dict[str, Any]] = data.query(queries.action_details, as_of)
    return details.get(action_no)


def action_cells(action_no: int, day: date) -> pd.DataFrame:
    """`engagements.engagement_cells` of one action, read from the whole plan's cells (one
    question per revision and date), in the same order."""
    cells = data.query(engagements.engagement_cells, day)
    return cells[cells["action_no"] == action_no].reset_index(drop=True)


def status_history(action_no: int, as_of: date) -> None:
    _history(
        status_queries.history_of(data.query(status_queries.status_histories, as_of), action_no),
        f"Aucun statut enregistré pour cette action au {formats.day(as_of)}.",
        STATUS_HISTORY_COLUMNS,
        "hist_statuts",
    )


def engagement_now(action_no: int, as_of: date) -> None:
    cells = action_cells(action_no, as_of)
    widgets.table(
        cells[["territoire", "niveau", "date_effet", "source", "commentaire"]],
        column_config={
            "territoire": st.column_config.TextColumn("Territoire"),
            "niveau": st.column_config.TextColumn("Engagement"),
            "date_effet": st.column_config.DateColumn("Depuis le", format=DATE_FMT),
            "source": st.column_config.TextColumn("Source"),
            "commentaire": st.column_config.TextColumn("Commentaire", width="large"),
        },
        key="engagement_now",
    )


def engagement_history(action_no: int, as_of: date) -> None:
    _history(
        data.query(engagements.engagement_history, action_no, as_of),
        f"Aucun engagement enregistré pour cette action au {formats.day(as_of)}.",
        {
            **STATUS_HISTORY_COLUMNS,
            "territoire": st.column_config.TextColumn("Territoire"),
            "niveau": st.column_config.TextColumn("Engagement"),
        },
        "hist_engagements",
    )


FOLLOW_UP_TABS = {
    "Historique des statuts": status_history,
    "Engagement des territoires": engagement_now,
    "Historique des engagements": engagement_history,
}


def action_state(action_no: int, as_of: date) -> dict[str, Any] | None:
    """`status_queries.action_state`, read from the whole plan's table: computed once per
    revision and date, a step of the review to another action costs no query."""
    return status_queries.state_of(data.query(status_queries.action_states, as_of), action_no)


def follow_up(action_no: int, as_of: date, *, key: str) -> None:
    """The whole follow-up block of one action at `as_of`. Only the open tab's table is computed
    and sent (a click on another tab reruns the page); `key` keeps the chosen tab."""
    row = action_state(action_no, as_of)
    if row is None:
        st.warning(f"L'action n° {action_no} n'existe pas dans le plan.")
        return
    status_summary(row)
    widgets.lazy_tabs(
        {label: partial(show, action_no, as_of) for label, show in FOLLOW_UP_TABS.items()},
        key=key,
    )


ACTION_COLUMNS = {
    "action_no": st.column_config.NumberColumn("N°", width="small"),
    "axe": st.column_config.TextColumn("Axe"),
    "action": st.column_config.TextColumn("Action", width="large"),
    "porteur": st.column_config.TextColumn("Porteur"),
    "calendrier": st.column_config.TextColumn("Calendrier"),
    "statut": st.column_config.TextColumn("Statut"),
    "avancement": st.column_config.NumberColumn("Avancement", format="%d %%"),
    "motif_retard": st.column_config.TextColumn("Pourquoi en retard"),
    "glissement_debut_mois": st.column_config.NumberColumn("Glissement début", format="%+d mois"),
    "glissement_fin_mois": st.column_config.NumberColumn("Glissement fin", format="%+d mois"),
    "date_dernier": st.column_config.DateColumn("Dernière mise à jour", format=DATE_FMT),
}


def actions_table(etat: Any, columns: list[str], key: str) -> None:
    """Actions as a table; clicking a row opens its fiche."""
    event = widgets.table(
        etat[columns],
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        column_config={c: ACTION_COLUMNS[c] for c in columns if c in ACTION_COLUMNS},
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        action_no = int(etat.iloc[rows[0]]["action_no"])
        st.session_state["action_no"] = action_no
        st.switch_page("app_pages/fiche_action.py", query_params={"action": str(action_no)})
