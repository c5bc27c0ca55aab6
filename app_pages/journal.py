"""Journal (administrators): every write, who, when, old → new."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ptlcd_data import exports
from ptlcd_data.access import journal
from ui import data, session

session.page_requires("admin")

st.title("Journal des écritures", anchor=False)
st.caption("Chaque import, annulation, statut, engagement, commentaire et changement de compte.")

c1, c2, c3, c4 = st.columns(4)
auteur = c1.text_input("Auteur", key="journal_auteur").strip() or None
operation = c2.text_input("Opération", key="journal_operation").strip() or None
since = c3.date_input(
    "Depuis le", value=date.today() - timedelta(days=365), format="DD/MM/YYYY", key="journal_since"
)
until = c4.date_input("Jusqu'au", value=date.today(), format="DD/MM/YYYY", key="journal_until")

# Enough for a meeting's review; older entries are reached by narrowing the dates.
JOURNAL_ROWS_MAX = 1000
rows = data.query(
    journal.entries,
    auteur=auteur,
    operation=operation,
    since=since,
    until=until,
    limit=JOURNAL_ROWS_MAX,
)
if rows.empty:
    st.info("Aucune écriture pour ces filtres.")
else:
    if len(rows) == JOURNAL_ROWS_MAX:
        st.caption(
            f"Les {JOURNAL_ROWS_MAX} écritures les plus récentes ; resserrez les dates pour voir les autres."
        )
    st.dataframe(
        rows.fillna({"ancien": "—", "nouveau": "—"}),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("N°", width="small"),
            "horodatage": st.column_config.DatetimeColumn("Date", format="DD/MM/YYYY HH:mm:ss"),
            "auteur": "Auteur",
            "role": "Rôle",
            "operation": "Opération",
            "objet": "Objet",
            "ancien": "Avant",
            "nouveau": "Après",
        },
    )
    st.download_button(
        "Télécharger (CSV)",
        data=exports.to_csv_bytes(rows),
        file_name="journal.csv",
        mime="text/csv",
        key="journal_csv",
    )
