"""Accessibilité: the accessibility statement (RGAA), open to everyone, linked from every page."""

from __future__ import annotations

import streamlit as st

from ptlcd_data.plan import queries
from ui import accessibilite, data

st.title("Accessibilité", anchor=False)
meta = data.query(queries.plan_meta)
accessibilite.statement(meta.get("territoire", ""), data.settings().accessibility_contact)
