"""Streamlit glue of the dépôts: the coordinator's view of one dépôt, a porteur's dépôt being
prepared and its sent dépôts (pages « Dépôts à valider » and « Mes actions »)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.depots import drafts, notify, queries, records
from ptlcd_data.depots.forms import Line
from ptlcd_data.plan import queries as plan_queries
from ui import data, widgets
from ui import messages as ui_messages
from ui import pieces as ui_pieces

FLASH_KEY = "_depots_flash"
CHANGES_SHOWN = 2_000  # cells of a before → after drawn on the page (a file may hold more)


def flash() -> None:
    """The confirmation of the last decision, once."""
    if said := st.session_state.pop(FLASH_KEY, None):
        st.success(widgets.escape_md(said))


def queue_table(queue: pd.DataFrame) -> None:
    """The dépôts waiting, oldest first: porteur, campaign, when, age, rows, pièces."""
    shown = queue.assign(
        depose=[formats.timestamp(v.to_pydatetime()) for v in queue["depose_le"]],
        age=[
            "aujourd'hui" if int(n) == 0 else formats.count(int(n), "jour", "jours")
            for n in queue["age_jours"]
        ],
    )
    widgets.table(
        shown,
        key="depots_queue",
        column_order=[
            "id",
            "porteur_libelle",
            "campagne_nom",
            "depose",
            "age",
            "lignes",
            "pieces",
            "depose_par",
        ],
        column_config={
            "id": st.column_config.NumberColumn("N°", width="small"),
            "porteur_libelle": st.column_config.TextColumn("Porteur", width="medium"),
            "campagne_nom": st.column_config.TextColumn("Campagne"),
            "depose": st.column_config.TextColumn("Déposé le"),
            "age": st.column_config.TextColumn("Attend depuis"),
            "lignes": st.column_config.NumberColumn("Lignes", width="small"),
            "pieces": st.column_config.NumberColumn("Pièces", width="small"),
            "depose_par": st.column_config.TextColumn("Par"),
        },
    )


def depot_changes(user: User, depot_id: int, limit: int) -> pd.DataFrame:
    """The first `limit` changes of a dépôt, before → after, in French (for `data.derived`: the
    comparison took the page's every display a tenth of a second)."""
    return data.query(queries.view, user, depot_id).changes(limit)


def details(user: User, view: queries.DepotView) -> None:
    """One dépôt as the coordinator reads it: who, when, the porteur's word, its before →
    after, its pièces and the conversation of its actions."""
    meta = view.meta
    depot_id = int(meta["id"])
    left, right = st.columns(2)
    with left:
        widgets.fields(
            [
                (
                    "Porteur",
                    f"{meta.get('porteur_libelle') or ''} ({meta['porteur_code']})".strip(),
                ),
                ("Déposé par", f"{meta['depose_par']}, le {formats.timestamp(meta['depose_le'])}"),
                ("Origine", records.ORIGINES.get(str(meta["origine"]), meta["origine"])),
            ]
        )
    with right:
        widgets.fields(
            [
                ("Fichier", meta["fichier"]),
                ("Campagne", meta.get("campagne_nom"), "hors campagne"),
                *(
                    [("Expéditeur du courriel", meta["expediteur"])]
                    if meta.get("expediteur")
                    else []
                ),
            ]
        )
    if meta.get("expediteur_inconnu"):
        st.warning(
            widgets.escape_md(  # the address is the sender's text
                f"Reçu par courriel de {meta['expediteur']}, qui n'est pas l'adresse connue du "
                f"porteur {meta['porteur_code']} : vérifiez que ce classeur vient bien de lui "
                "avant de le publier. Il ne remplace pas le dépôt en attente du porteur."
            )
        )
    widgets.field("Commentaire du porteur", meta.get("commentaire"), empty="aucun commentaire")
    st.subheader("Avant → après", anchor=False)
    changes = data.derived(depot_changes, user, depot_id, CHANGES_SHOWN + 1)
    if changes.empty:
        st.info("Ce dépôt ne change aucune valeur publiée (confirmations ou décisions seulement).")
    else:
        if len(changes) > CHANGES_SHOWN:
            st.caption(
                f"Les {formats.number(CHANGES_SHOWN)} premiers changements ; la commande "
                f"« depots show {depot_id} » les liste tous."
            )
        widgets.table(
            changes.head(CHANGES_SHOWN),
            key=f"depot_changes_{depot_id}",
            column_config={
                "feuille": st.column_config.TextColumn("Feuille"),
                "ligne": st.column_config.NumberColumn("Ligne", width="small"),
                "objet": st.column_config.TextColumn("Objet", width="medium"),
                "champ": st.column_config.TextColumn("Champ"),
                "ancien": st.column_config.TextColumn("Avant"),
                "nouveau": st.column_config.TextColumn("Après"),
            },
        )
    if not view.decisions.empty:
        st.markdown("**Décisions du GOLD dites faites**")
        for d in view.decisions.itertuples(index=False):
            st.text(f"Décision n° {d.decision_id} : faite. {d.commentaire}".rstrip())
    if view.check is not None:
        remarks = view.check.problems
        if not remarks.empty and (
            box := widgets.lazy_expander(
                f"Remarques de la vérification ({len(remarks)})", key=f"depot_remarques_{depot_id}"
            )
        ):
            with box:
                widgets.table(remarks, key=f"depot_remarks_{depot_id}")
    st.subheader("Pièces justificatives", anchor=False)
    ui_pieces.pieces_section(user, depot_id=depot_id, key=f"depot_pieces_{depot_id}", can_add=False)
    # Each conversation (its messages and its form) is computed and drawn when opened: a dépôt
    # of a porteur's every action drew as many forms.
    for action_no in view.actions:
        key = f"depot_msg_{depot_id}_{action_no}"
        if box := widgets.lazy_expander(
            f"Échanges sur l'action n° {action_no}", key=f"{key}_ouvert"
        ):
            with box:
                ui_messages.conversation_section(user, action_no, key=key, depot_id=depot_id)


def decide(user: User, depot_id: int) -> None:
    """Publier, or Renvoyer au porteur with a reason: each journaled, the page says what
    became of it."""
    publish, send_back = st.columns(2)
    with publish:
        st.markdown("**Publier**")
        st.caption("Les valeurs deviennent visibles partout, en un lot d'import annulable.")
        if st.button(
            "Publier", type="primary", key=f"depot_publish_{depot_id}", icon=":material/publish:"
        ):
            with widgets.guard():
                batch = data.write(
                    records.publish, user, depot_id, backup_keep=data.settings().backups_kept
                )
                lot = f"lot n° {batch}" if batch is not None else "aucune valeur à écrire"
                st.session_state[FLASH_KEY] = f"Dépôt n° {depot_id} publié ({lot})."
                st.rerun()
    with send_back, st.form(f"depot_return_{depot_id}", border=False):
        st.markdown("**Renvoyer au porteur**")
        motif = st.text_area(
            "Motif du renvoi (obligatoire)",
            key=f"depot_motif_{depot_id}",
            help="Le porteur le lit sur « Mes actions » et le reçoit par courriel.",
            max_chars=records.TEXT_MAX_CHARS,
        )
        if st.form_submit_button("Renvoyer au porteur", icon=":material/undo:"):
            with widgets.guard():
                data.write(records.return_to_porteur, user, depot_id, motif)
                envoi = notify.notify_return(data.settings(), user, depot_id)
                st.session_state[FLASH_KEY] = (
                    f"Dépôt n° {depot_id} renvoyé au porteur. Courriel : {envoi.detail}"
                )
                st.rerun()


# --- « Mes actions » ------------------------------------------------------------------------------


def line_label(line: Line, territories: dict[str, str]) -> str:
    """A line of a dépôt being prepared, in words (`territories`: code → name)."""
    v = line.valeurs
    if "territoire" in v:
        v = {**v, "territoire": territories.get(str(v["territoire"]), v["territoire"])}
    if line.genre == "avancement":
        avancement = "" if v.get("avancement") is None else f", {v['avancement']} %"
        return f"Action n° {v['action']} au {formats.day(date.fromisoformat(str(v['date'])))} : {v['statut']}{avancement}"
    if line.genre == "engagement":
        return f"Action n° {v['action']}, {v['territoire']} : {v['niveau']}"
    if line.genre == "indicateurs":
        value = float(v["valeur"])
        shown = formats.number(value, 0 if value.is_integer() else 2)
        return f"Indicateur {v['code']}, {v['territoire']}, {v['annee']} : {shown}"
    return f"Décision n° {v['decision_id']} : faite"


def draft_panel(user: User, porteur_code: str) -> None:
    """The dépôt being prepared: its lines (each can be taken out), its pièces, a word to the
    team, and « Envoyer pour validation »."""
    depot_id, lines = data.query(queries.draft, user, porteur_code)
    st.header("Dépôt en préparation", anchor=False)
    if depot_id is None or not lines:
        st.info(
            "Rien en préparation. Ce que vous enregistrez ci-dessous s'ajoute à un dépôt, que "
            "vous envoyez ensuite à l'équipe pour validation : rien n'est publié avant."
        )
        return
    st.caption(
        "Ces mises à jour ne sont pas encore envoyées. Envoyez-les quand elles sont complètes : "
        "l'équipe les vérifie, puis les publie ou vous les renvoie avec un motif."
    )
    territories = data.query(plan_queries.territoire_labels)
    for n, line in enumerate(lines):
        text_col, button_col = st.columns([6, 1], vertical_alignment="center")
        text_col.text(line_label(line, territories))
        if button_col.button("Retirer", key=f"draft_remove_{depot_id}_{n}"):
            with widgets.guard():
                data.write(drafts.remove_line, user, depot_id, line.genre, line.cle)
                st.rerun()
    st.subheader("Pièces jointes au dépôt", anchor=False)
    ui_pieces.pieces_section(user, depot_id=depot_id, key=f"draft_pieces_{depot_id}")
    with st.form(f"draft_send_{depot_id}", border=True):
        note = st.text_area(
            "Un mot pour l'équipe (facultatif)",
            key=f"draft_note_{depot_id}",
            max_chars=records.TEXT_MAX_CHARS,
        )
        sent = st.form_submit_button(
            "Envoyer pour validation", type="primary", icon=":material/send:"
        )
    if sent:
        with widgets.guard():
            try:
                data.write(drafts.send_draft, user, depot_id, note)
            except drafts.DraftRefused as exc:
                st.error(widgets.escape_md(exc.message))
                widgets.table(exc.check.errors, key=f"draft_errors_{depot_id}")
                return
            st.session_state[FLASH_KEY] = (
                f"Dépôt n° {depot_id} envoyé : l'équipe le valide avant toute publication."
            )
            st.rerun()


def my_depots(user: User, codes: tuple[str, ...], *, reopen_allowed: bool = False) -> None:
    """The porteur's sent dépôts and their state: à valider, renvoyé (with its reason), publié.
    With `reopen_allowed` (the porteur's own account), a returned dépôt of the forms can be
    taken up again into a new dépôt being prepared."""
    mine = data.query(queries.porteur_depots, user, codes)
    st.header("Mes dépôts", anchor=False)
    if mine.empty:
        st.info("Aucun dépôt envoyé pour l'instant.")
        return
    last = mine.iloc[0]  # newest first: a return matters while nothing was sent after it
    if last["etat"] == records.ETAT_LABELS[records.RENVOYE]:
        st.warning(
            widgets.escape_md(
                f"Votre dépôt n° {last['id']} vous a été renvoyé. Motif : {last['motif']} — "
                "Corrigez-le puis envoyez-le de nouveau."
            ),
            icon=":material/undo:",
        )
        if last["origine"] == "formulaire" and reopen_allowed:
            if st.button(f"Reprendre le dépôt n° {last['id']}", key=f"depot_reopen_{last['id']}"):
                with widgets.guard():
                    data.write(drafts.reopen, user, int(last["id"]))
                    st.rerun()
    widgets.table(
        mine,
        key="mes_depots",
        column_order=["id", "depose_le", "etat", "lignes", "fichier", "motif"],
        column_config={
            "id": st.column_config.NumberColumn("N°", width="small"),
            "depose_le": st.column_config.TextColumn("Envoyé le"),
            "etat": st.column_config.TextColumn("État"),
            "lignes": st.column_config.NumberColumn("Lignes", width="small"),
            "fichier": st.column_config.TextColumn("Contenu"),
            "motif": st.column_config.TextColumn("Motif du renvoi", width="large"),
        },
    )
