"""Dépôts à valider: what the porteurs sent, oldest first; each published or sent back."""

from __future__ import annotations

import streamlit as st

from ptlcd_data.courriels import recus
from ptlcd_data.depots import queries, records
from ui import data, depots, session, widgets

user = session.page_requires("saisie")
assert user is not None  # the page is never open to anonymous visitors

st.title("Dépôts à valider", anchor=False)
st.caption(
    "Ce que les porteurs envoient (formulaires de « Mes actions », fichiers, classeurs de "
    "campagne) attend ici, vérifié comme un import, sans être publié. Publiez-le, ou "
    "renvoyez-le au porteur avec le motif : il le lit sur « Mes actions » et par courriel."
)
if not data.settings().validation:
    st.info(
        "La validation est désactivée sur ce serveur (réglage PTLCD_VALIDATION=false) : ce "
        "que les porteurs envoient est publié tout de suite. Les dépôts déjà reçus restent "
        "listés ici."
    )
depots.flash()

queue = data.query(queries.queue, user)
st.header("En attente", anchor=False)
if queue.empty:
    st.success("Aucun dépôt n'attend de validation.")
else:
    depots.queue_table(queue)
    labels = {
        int(r.id): f"n° {r.id} · {r.porteur_libelle} · {r.lignes} ligne(s)"
        for r in queue.itertuples(index=False)
    }
    chosen = st.selectbox(
        "Dépôt à examiner",
        options=list(labels),
        format_func=lambda n: labels[n],
        key="depots_choice",
    )
    if chosen is not None:
        view = data.query(queries.view, user, int(chosen))
        st.header(f"Dépôt n° {chosen}", anchor=False)
        depots.details(user, view)
        depots.decide(user, int(chosen))

done = data.query(queries.depots, user)
done = done[done["etat"] != "a_valider"].sort_values("depose_le", ascending=False)
done = done.assign(etat=done["etat"].map(lambda e: records.ETAT_LABELS.get(e, e)))
widgets.table_section(
    "Déjà traités",
    done.head(50),
    key="depots_done",
    empty="Aucun dépôt traité pour l'instant.",
    column_order=["id", "porteur_libelle", "depose_le", "etat", "traite_par", "motif", "import_id"],
    column_config={
        "id": st.column_config.NumberColumn("N°", width="small"),
        "porteur_libelle": st.column_config.TextColumn("Porteur"),
        "depose_le": st.column_config.DatetimeColumn("Déposé le", format="DD/MM/YYYY HH:mm"),
        "etat": st.column_config.TextColumn("État"),
        "traite_par": st.column_config.TextColumn("Traité par"),
        "motif": st.column_config.TextColumn("Motif du renvoi", width="large"),
        "import_id": st.column_config.NumberColumn("Lot", width="small"),
    },
)

# Messages of the mailbox set aside (`courriels`): what could not be read, and why.
received = data.query(recus.received)
aside = received[received["statut"] == recus.A_EXAMINER]
widgets.table_section(
    "Courriels mis de côté",
    aside,
    key="depots_courriels",
    caption="Reçus dans la boîte aux lettres des retours et rangés dans PTLCD/a_examiner : "
    "lisez-les dans la messagerie, avec le motif ci-dessous.",
    empty="Aucun courriel mis de côté.",
    empty_is_good=True,
    column_order=["releve_le", "expediteur", "sujet", "motif"],
    column_config={
        "releve_le": st.column_config.DatetimeColumn("Relevé le", format="DD/MM/YYYY HH:mm"),
        "expediteur": st.column_config.TextColumn("Expéditeur"),
        "sujet": st.column_config.TextColumn("Objet", width="medium"),
        "motif": st.column_config.TextColumn("Motif", width="large"),
    },
)
