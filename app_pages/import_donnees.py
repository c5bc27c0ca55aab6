"""Import de données: download the template, Vérifier a file, preview, Publier, history and undo."""

from __future__ import annotations

import streamlit as st

import ptlcd_data.campagnes.returns  # noqa: F401 - plugs the campaign checks into imports
from ptlcd_data import exports, formats
from ptlcd_data.depots import records as depot_records
from ptlcd_data.errors import PtlcdError
from ptlcd_data.imports import batches, preview, template, verify
from ui import data, session, widgets

session.page_requires("porteur")

CHECK_KEY = "import_check"  # (file id, Check) or (file id, refusal message)
FLASH_KEY = "import_flash"  # (kind, message) shown once after a publish or an undo
# Rows of the cell-level preview drawn in the page; the download has them all.
PREVIEW_SHOWN = 20_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_LABELS = {
    "gravite": "Niveau",
    "feuille": "Feuille",
    "ligne": "Ligne",
    "colonne": "Colonne",
    "entete": "En-tête",
    "valeur": "Valeur trouvée",
    "message": "Problème",
    "attendu": "Attendu",
}


def _verify() -> None:
    upload = st.session_state.get("import_file")
    if upload is None:
        return
    try:
        check = data.uncached(
            verify.check_file,
            upload.getvalue(),
            upload.name,
            data.settings(),
            user=session.current_user(),
        )
        st.session_state[CHECK_KEY] = (upload.file_id, check)
    except PtlcdError as exc:
        st.session_state[CHECK_KEY] = (upload.file_id, exc.message)


def _publish() -> None:
    stored = st.session_state.get(CHECK_KEY)
    if not stored or isinstance(stored[1], str):
        return
    check = stored[1]
    # Used once, published or refused: a refused check no longer holds (the scope, the campaign
    # or the base changed since Vérifier), so the page says the refusal, never « Aucune
    # erreur » again, and asks for Vérifier again.
    st.session_state.pop(CHECK_KEY, None)
    user = session.current_user()
    deposit = depot_records.applies(data.settings(), user)
    try:
        if deposit:  # a porteur account, validation on: a dépôt, nothing published
            depot = data.write(
                depot_records.submit_check,
                user,
                check,
                commentaire=st.session_state.get("import_depot_note"),
            )
        else:
            batch_id = data.write(
                batches.publish, user, check, backup_keep=data.settings().backups_kept
            )
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")
        return
    if deposit:
        st.session_state[FLASH_KEY] = (
            "success",
            f"Dépôt n° {depot} enregistré, à valider : l'équipe le vérifie avant toute "
            "publication. Vous suivez son état sur la page « Mes actions ».",
        )
        return
    if batch_id is None:
        st.session_state[FLASH_KEY] = (
            "info",
            "Rien à publier : le fichier ne change aucune valeur.",
        )
    else:
        c = check.counts()
        st.session_state[FLASH_KEY] = (
            "success",
            f"Lot n° {batch_id} publié : {c['créés']} créé(s), {c['modifiés']} modifié(s), "
            f"{c['inchangés']} inchangé(s), {c['ignorés']} ignoré(s)."
            + (
                f" Campagne n° {check.campagne_id} ({check.porteur_code}) : "
                f"{check.confirmations_count()} confirmation(s) sans changement."
                if check.campagne_id is not None
                else ""
            ),
        )


def _undo() -> None:
    batch_id = st.session_state.get("import_undo_batch")
    if batch_id is None:
        return
    try:
        undo_id = data.write(
            batches.undo,
            session.current_user(),
            int(batch_id),
            backup_keep=data.settings().backups_kept,
        )
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")
        return
    st.session_state[FLASH_KEY] = (
        "success",
        f"Lot n° {batch_id} annulé : les valeurs d'avant sont rétablies (lot d'annulation "
        f"n° {undo_id}).",
    )


st.title("Import de données", anchor=False)
st.caption(
    "Téléchargez le modèle, remplissez-le, déposez-le : l'application dit précisément ce qui ne va "
    "pas (feuille, ligne, colonne), montre chaque valeur qui changera, puis publie tout d'un coup. "
    "Un import publié peut être annulé."
)
if (importer := session.current_user()) is not None and importer.is_porteur:
    st.info(
        "Compte porteur : le fichier ne peut porter que sur vos actions et les indicateurs que "
        "vous fournissez (page « Mes actions ») ; une ligne sur ceux d'un autre porteur fait "
        "refuser tout le fichier. Pendant une campagne de suivi, déposez le classeur reçu pour "
        "la campagne : il ne contient que vos lignes. Le modèle ci-dessous liste tout le plan, "
        "avec les valeurs déjà connues : ne gardez que vos lignes."
    )

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    kind, message = flash
    if kind == "error":  # an error may quote a file name: never Markdown
        st.error(widgets.escape_md(message))
    else:  # our own words and numbers
        {"success": st.success, "info": st.info}[kind](message)

st.header("1. Le modèle à remplir", anchor=False)
c1, c2 = st.columns(2)
c1.download_button(
    "Télécharger le modèle Excel (.xlsx)",
    data=data.deferred(template.template_bytes, "xlsx"),  # built on click: large plans are slow
    file_name="modele_import_ptlcd.xlsx",
    mime=XLSX_MIME,
    icon=":material/download:",
    key="import_template_xlsx",
)
c2.download_button(
    "Indicateurs seuls (.csv)",
    data=data.deferred(template.template_bytes, "csv"),
    file_name="modele_indicateurs_ptlcd.csv",
    mime="text/csv",
    icon=":material/download:",
    key="import_template_csv",
)
st.caption(
    "Feuilles : Indicateurs (une ligne par indicateur, territoire et année), Avancement, "
    "Engagement, Référentiel (codes et listes valides) et Mode d'emploi. Formats acceptés : "
    ".xlsx, .xlsm, .ods, .xls et .csv (séparateur ; et virgule décimale)."
)

st.header("2. Vérifier le fichier", anchor=False)
limit_mb = data.settings().max_upload_mb
upload = st.file_uploader(
    f"Fichier à importer (au plus {limit_mb} Mo)",
    type=["xlsx", "xlsm", "ods", "xls", "csv", "txt"],
    key="import_file",
)
stored = st.session_state.get(CHECK_KEY)
if stored and (upload is None or stored[0] != upload.file_id):
    st.session_state.pop(CHECK_KEY, None)
    stored = None
st.button(
    "Vérifier",
    type="primary" if stored is None else "secondary",
    disabled=upload is None,
    on_click=_verify,
    icon=":material/fact_check:",
    key="import_verify",
)
if upload is None:
    st.info("Déposez un fichier, puis cliquez sur « Vérifier ». Rien n'est publié à cette étape.")
elif stored is None:
    st.caption("Cliquez sur « Vérifier » : rien n'est publié à cette étape.")
elif isinstance(stored[1], str):
    st.error(f"**Fichier refusé** — {widgets.escape_md(stored[1])}")
else:
    check: verify.Check = stored[1]
    problems = check.problems.rename(columns=PROBLEM_LABELS)
    n_errors = len(check.errors)
    if n_errors:
        st.error(
            f"{n_errors} erreur(s) : rien ne peut être publié. Corrigez le fichier, déposez-le de "
            "nouveau et vérifiez."
        )
    else:
        st.success("Aucune erreur : le fichier peut être publié.")
    if not problems.empty:
        st.dataframe(
            widgets.with_dashes(problems, "Ligne"),
            hide_index=True,
            width="stretch",
            key="import_problems",
        )
        st.download_button(
            "Télécharger le rapport (.csv)",
            data=exports.to_csv_bytes(problems),
            file_name="rapport_" + exports.safe_filename(check.fichier.rsplit(".", 1)[0]) + ".csv",
            mime="text/csv",
            icon=":material/download:",
            key="import_report",
        )

    if check.ok:
        st.header("3. Ce que la publication changera", anchor=False)
        counts = check.counts()
        m = st.columns(4)
        for col, (label, value) in zip(m, counts.items(), strict=True):
            col.metric(label.capitalize(), formats.number(value))
        summary = check.summary()
        st.dataframe(
            summary.rename(columns={c: c.capitalize() for c in summary.columns}),
            hide_index=True,
            key="import_summary",
        )
        changes = preview.changes(check, limit=PREVIEW_SHOWN)
        if check.campagne_id is not None:
            st.info(
                f"Classeur de la campagne n° {check.campagne_id}, porteur {check.porteur_code} : "
                f"{check.confirmations_count()} ligne(s) inchangée(s) seront enregistrées comme "
                "« confirmé sans changement » (elles comptent comme des réponses)."
            )
        if changes.empty and not check.confirmations_count():
            st.info(
                "Rien à publier : le fichier ne change aucune valeur "
                f"({counts['inchangés']} inchangée(s), {counts['ignorés']} ignorée(s))."
            )
        else:
            total = check.changes_count()
            st.caption(
                f"Chaque cellule qui change (ancienne valeur → nouvelle), {total} ligne(s) créée(s) "
                "ou modifiée(s)."
                + (
                    f" Les {PREVIEW_SHOWN} premières sont montrées."
                    if len(changes) >= PREVIEW_SHOWN
                    else ""
                )
            )
            st.dataframe(
                changes.fillna({"ancien": "—"}).rename(
                    columns={
                        "feuille": "Feuille",
                        "ligne": "Ligne",
                        "objet": "Objet",
                        "champ": "Champ",
                        "ancien": "Avant",
                        "nouveau": "Après",
                    }
                ),
                hide_index=True,
                width="stretch",
                key="import_preview",
            )
            if depot_records.applies(data.settings(), session.current_user()):
                st.text_area(
                    "Un mot pour l'équipe (facultatif)",
                    key="import_depot_note",
                    max_chars=depot_records.TEXT_MAX_CHARS,
                )
                st.button(
                    "Envoyer pour validation",
                    type="primary",
                    on_click=_publish,
                    icon=":material/send:",
                    key="import_publish",
                    help="Rien n'est publié avant que l'équipe valide votre dépôt.",
                )
            else:
                st.button(
                    "Publier",
                    type="primary",
                    on_click=_publish,
                    icon=":material/publish:",
                    key="import_publish",
                )

st.header("Historique des imports", anchor=False)
viewer = session.current_user()
# A porteur account sees its own batches only, and cannot undo (an administrator can).
own_only = viewer is not None and viewer.is_porteur
history = data.query(batches.history_view, 200, viewer.login if own_only and viewer else None)
if history.table.empty:
    st.info("Aucun import n'a encore été publié" + (" par ce compte." if own_only else "."))
else:
    st.dataframe(history.table, hide_index=True, width="stretch", key="import_history")
    undoable = history.undoable
    if undoable and not own_only:
        u1, u2 = st.columns([2, 1], vertical_alignment="bottom")
        u1.selectbox(
            "Lot à annuler",
            options=undoable,
            format_func=lambda n: f"Lot n° {n}",
            key="import_undo_batch",
        )
        u2.button("Annuler ce lot", on_click=_undo, icon=":material/undo:", key="import_undo")
        user = session.current_user()
        if user is None or not user.can("admin"):
            st.caption("L'annulation d'un import demande le rôle « administration ».")
