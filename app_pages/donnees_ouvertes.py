"""Données ouvertes (administrators): the plan and its follow-up as a zipped Frictionless package."""

from __future__ import annotations

import streamlit as st

from ptlcd_data import formats
from ptlcd_data.opendata import package
from ptlcd_data.opendata.schema import LICENCE
from ui import data, session, widgets

user = session.page_requires("admin")

as_of = widgets.as_of()
st.title("Données ouvertes", anchor=False)
st.markdown(
    "Le plan et son suivi, prêts à publier sur un portail de données ouvertes : un paquet de "
    "données au format Frictionless (le fichier `datapackage.json` décrit chaque tableau et "
    "chaque colonne en français), avec un fichier CSV par tableau (UTF-8, séparateur virgule, "
    f"dates AAAA-MM-JJ, point décimal), sous {LICENCE['title']}. Le même paquet en ligne de "
    "commande : `python -m ptlcd_data export opendata -o DOSSIER`."
)
# No code span in a caption: its grey on the code background reads below 4.5:1 (axe-core).
st.caption(
    f"Données telles que connues le {formats.day(as_of)} (date d'observation de la barre latérale)."
)
avec_demo = st.checkbox(
    "Inclure les données de démonstration",
    key="opendata_avec_demo",
    help="Les données de démonstration sont fictives : ne les publiez pas. Incluses, chaque "
    "ligne qui en vient est marquée demo = true.",
)
st.dataframe(
    data.query(package.contents, as_of, avec_demo),
    hide_index=True,
    column_config={"Lignes": st.column_config.NumberColumn("Lignes", format="localized")},
)
st.download_button(
    "Télécharger le paquet (.zip)",
    data=data.deferred(package.package_zip, user, as_of, avec_demo),  # built on click
    file_name=f"donnees-ouvertes-{as_of.isoformat()}.zip",
    mime="application/zip",
    icon=":material/download:",
    key="opendata_zip",
)
