"""Streamlit's own floor for the browser timings of benchmarks/gold.py: three pages of one line
each under `st.navigation`, one of them with one Plotly chart. Served beside the app, on the same
machine and with the same settings (.streamlit/config.toml), in the same run."""

import plotly.graph_objects as go
import streamlit as st


def first() -> None:
    st.title("Première page")


def second() -> None:
    st.title("Deuxième page")


def chart() -> None:
    st.title("Graphique")
    st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))


st.navigation(
    [
        st.Page(first, title="Première page", url_path="premiere"),
        st.Page(second, title="Deuxième page", url_path="deuxieme"),
        st.Page(chart, title="Graphique", url_path="graphique"),
    ]
).run()
