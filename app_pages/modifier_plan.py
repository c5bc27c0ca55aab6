"""Modifier le plan (administrators): edit, add or retire one item, or import the plan workbook;
each change is previewed (before → after), then published as a dated version with its motif."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ptlcd_data.classeurs import problems as import_problems
from ptlcd_data.errors import PtlcdError
from ptlcd_data.plan import edits, versions, workbook_write
from ui import data, plan_edit, session, widgets

session.page_requires("admin")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TASKS = (
    "Modifier une action",
    "Ajouter une action",
    "Ajouter ou modifier un objectif",
    "Ajouter ou modifier un indicateur",
    "Retirer un élément",
    "Importer le plan (classeur)",
)


st.title("Modifier le plan", anchor=False)
st.caption(
    "Chaque changement est daté (date d'effet), signé et motivé ; rien n'est effacé : la date "
    "d'observation montre le plan tel qu'il était. Un aperçu (avant → après) précède toujours "
    "la publication."
)
plan_edit.show_flash()

c1, c2 = st.columns([1, 3])
date_effet: date = c1.date_input(
    "Date d'effet", value=date.today(), format="DD/MM/YYYY", key="planedit_date"
)
motif = c2.text_input("Motif (obligatoire)", key="planedit_motif", max_chars=500)
task = st.radio("Que voulez-vous faire ?", TASKS, horizontal=True, key="planedit_task")
if st.session_state.get("planedit_last_task") != task:  # another task: the old preview goes
    st.session_state.pop(plan_edit.PREVIEW_KEY, None)
    st.session_state["planedit_last_task"] = task

plan = data.query(versions.snapshot, date_effet, demo=False)

if task == "Modifier une action":
    if not plan.actions:
        st.info("Aucune action dans le plan à cette date.")
    else:
        no = st.selectbox(
            "Action",
            sorted(plan.actions),
            format_func=lambda n: f"{n} — {plan.actions[n]['libelle']}",
            key="planedit_action",
        )
        values = plan_edit.action_fields(plan, f"edit{no}", plan.actions[no])
        st.button(
            "Prévisualiser",
            on_click=plan_edit.prepare,
            args=(f"Action {no} modifiée", date_effet, "action", no, values),
            key="planedit_prepare_edit",
        )
elif task == "Ajouter une action":
    no = data.query(versions.next_action_no)
    if not plan.objectifs:
        st.info("Ajoutez d'abord un objectif : une action appartient à un objectif.")
    else:
        st.markdown(f"Nouvelle action n° **{no}** (jamais le numéro d'une action retirée).")
        values = plan_edit.action_fields(plan, "new", {})
        st.button(
            "Prévisualiser",
            on_click=plan_edit.prepare,
            args=(f"Action {no} ajoutée", date_effet, "action", no, values),
            key="planedit_prepare_add",
        )
elif task == "Ajouter ou modifier un objectif":
    if not plan.axes:
        st.info("Le plan n'a aucun axe à cette date.")
    else:
        plan_edit.item_form(plan, "objectif", date_effet)
elif task == "Ajouter ou modifier un indicateur":
    if not plan.objectifs:
        st.info("Le plan n'a aucun objectif à cette date.")
    else:
        plan_edit.item_form(plan, "indicateur", date_effet)
elif task == "Retirer un élément":
    entity: str = st.selectbox(
        "Élément",
        ["action", "objectif", "indicateur"],
        format_func=lambda e: edits.ENTITY_LABELS[e],
        key="planedit_retire_entity",
    )
    items = plan.of(entity)
    if not items:
        st.info("Rien à retirer à cette date.")
    else:
        key = st.selectbox(
            "Lequel",
            sorted(items),
            format_func=lambda k: f"{k} — {items[k]['libelle']}",
            key=f"planedit_retire_{entity}",
        )
        st.caption(
            "Le retrait prend effet à la date d'effet ; l'élément garde tout son historique et "
            "reste visible à une date d'observation antérieure. Le motif dit pourquoi."
        )
        st.button(
            "Prévisualiser le retrait",
            on_click=plan_edit.prepare,
            args=(f"{edits.ENTITY_LABELS[entity]} {key} retiré(e)", date_effet, entity, key, None),
            key="planedit_prepare_retire",
        )
else:
    st.download_button(
        "Télécharger le plan actuel (.xlsx)",
        data=data.deferred(workbook_write.export),
        file_name="plan.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="planedit_export",
    )
    st.caption(
        "Modifiez le classeur (feuille Plan : une ligne par action ; une action absente du "
        "classeur est retirée), déposez-le, vérifiez, puis publiez."
    )
    upload = st.file_uploader(
        f"Classeur du plan (au plus {data.settings().max_upload_mb} Mo)",
        type=["xlsx", "xlsm", "ods", "xls"],
        key="planedit_file",
    )
    stored = st.session_state.get(plan_edit.IMPORT_KEY)
    if stored and (upload is None or stored[0] != upload.file_id):
        st.session_state.pop(plan_edit.IMPORT_KEY, None)
        stored = None
    if st.button("Vérifier", disabled=upload is None, key="planedit_verify") and upload:
        try:
            check = data.uncached(
                edits.check_workbook,
                upload.getvalue(),
                upload.name,
                data.settings(),
                date_effet,
            )
            stored = (upload.file_id, check)
        except PtlcdError as exc:
            stored = (upload.file_id, exc.message)
        st.session_state[plan_edit.IMPORT_KEY] = stored
    if upload is not None and stored is None:
        st.caption("Cliquez sur « Vérifier » : rien n'est publié à cette étape.")
    if stored and isinstance(stored[1], str):
        st.error(f"**Fichier refusé** — {widgets.escape_md(stored[1])}")
    elif stored:
        check = stored[1]
        if not check.ok:
            st.error(
                f"{len(check.errors)} erreur(s) : rien ne peut être publié. Corrigez le "
                "classeur, déposez-le de nouveau et vérifiez."
            )
            st.dataframe(
                widgets.with_dashes(import_problems.problems_frame(check.problems), "ligne"),
                hide_index=True,
                width="stretch",
                key="planedit_problems",
            )
        elif not check.changes:
            st.info("Rien à publier : le classeur ne change rien au plan.")
        else:
            st.session_state[plan_edit.PREVIEW_KEY] = (
                f"Classeur « {check.fichier} »",
                check.date_effet,
                check.changes,
            )

plan_edit.show_preview(motif)
