"""Campagne de suivi (saisie, admin): who has replied, the rate over time; admins open, close and
download every porteur's workbook."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ptlcd_data import exports, formats
from ptlcd_data.campagnes import campaigns, completion, etapes, mail, relances_envoi, workbooks
from ptlcd_data.errors import PtlcdError
from ptlcd_data.imports import template
from ui import campagnes as campaign_charts
from ui import charts, data, session, widgets

session.page_requires("saisie")
user = session.current_user()
is_admin = user is not None and user.can("admin")

st.title("Campagne de suivi", anchor=False)
st.caption(
    "Chaque porteur reçoit son classeur (le modèle d'import, pré-rempli avec ses actions et ses "
    "indicateurs) et le renvoie par la page « Import de données » ou en réponse à sa relance "
    "(boîte aux lettres relevée par notify run) ; ce qu'il envoie attend sur « Dépôts à valider ». "
    "Une ligne laissée telle quelle compte comme une réponse : « confirmé sans changement »."
)

FLASH_KEY = "campagne_flash"
DAYS_HELP = (
    "Nombres de jours avant l'échéance, séparés par des virgules : 7,1,-3 relance 7 jours "
    "avant, la veille et 3 jours après. La tâche planifiée « notify run » envoie chaque relance "
    "une fois à chaque porteur qui doit encore répondre."
)
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    getattr(st, flash[0])(flash[1])

found = data.query(campaigns.campaigns)
ongoing = next((c for c in found if c.is_open), None)


def _open() -> None:
    try:
        c = data.write(
            campaigns.open_campaign,
            session.current_user(),
            st.session_state.get("campagne_nom", ""),
            st.session_state["campagne_echeance"],
            int(st.session_state["campagne_annee"]),
            relances=st.session_state.get("campagne_jours", etapes.DEFAULT),
        )
        st.session_state[FLASH_KEY] = ("success", f"Campagne « {c.label} » ouverte.")
        st.session_state["campagne_choix"] = c.id
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")


def _close(campaign_id: int) -> None:
    try:
        c = data.write(campaigns.close_campaign, session.current_user(), campaign_id)
        st.session_state[FLASH_KEY] = ("success", f"Campagne « {c.label} » close.")
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")


def _set_days(campaign_id: int) -> None:
    try:
        c = data.write(
            campaigns.set_reminder_days,
            session.current_user(),
            campaign_id,
            st.session_state.get("campagne_jours_modif", ""),
        )
        st.session_state[FLASH_KEY] = (
            "success",
            f"Relances automatiques : {etapes.describe(c.echeance, c.reminder_days)}.",
        )
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")


def _remind(campaign_id: int) -> None:
    again = list(st.session_state.get("campagne_renvoyer") or [])
    try:
        # Not `data.write`: the data layer opens the base only to read and to record each
        # message, never while the mail server talks (other sessions and programs go on).
        sent = relances_envoi.send(
            data.settings(), session.current_user(), campaign_id, renvoyer=again
        )
    except PtlcdError as exc:
        st.session_state[FLASH_KEY] = ("error", f"{exc.title} — {exc.message}")
        return
    finally:
        data.refresh_revision()  # what was recorded shows, even when the run stopped early
    st.session_state["campagne_renvoyer"] = []
    others = [f"{e.porteur_code} : {e.detail}" for e in sent.envois if e.statut != "envoye"]
    if sent.deja:
        others.append(
            f"{sent.deja} : pas de nouvel envoi (choisissez-les dans « Relancer à nouveau » pour "
            "les relancer)."
        )
    text = sent.summary() + "".join(f"\n\n{line}" for line in others)
    st.session_state[FLASH_KEY] = ("success" if not others else "warning", text)


if is_admin and ongoing is None:
    with st.expander("Ouvrir une campagne", expanded=not found):
        st.text_input("Nom de la campagne", key="campagne_nom", placeholder="Suivi 2025")
        st.date_input(
            "Échéance",
            value=date.today() + timedelta(days=30),
            min_value=date.today(),
            format="DD/MM/YYYY",
            key="campagne_echeance",
        )
        st.number_input(
            "Année des indicateurs",
            value=template.default_year(),
            step=1,
            format="%d",
            key="campagne_annee",
        )
        st.text_input(
            "Jours des relances automatiques",
            value=etapes.DEFAULT,
            key="campagne_jours",
            help=DAYS_HELP,
        )
        st.button("Ouvrir la campagne", on_click=_open, type="primary", key="campagne_ouvrir")

if not found:
    st.info(
        "Aucune campagne pour l'instant. Une personne ayant le rôle « admin » en ouvre une ici "
        "ou avec la commande « campaign open »."
    )
    st.stop()

by_id = {c.id: c for c in found}
chosen_id = st.selectbox(
    "Campagne",
    options=list(by_id),
    format_func=lambda i: f"{by_id[i].label} — {by_id[i].etat}",
    key="campagne_choix",
)
campaign = by_id[chosen_id]

table = data.query(completion.completion_view, campaign.id)
rate = data.query(completion.overall_rate, campaign.id)
m = st.columns(4)
m[0].metric("Taux de réponse", formats.percent(rate))
m[1].metric("Échéance", formats.day(campaign.echeance))
m[2].metric("Année des indicateurs", str(campaign.annee))
m[3].metric("État", "ouverte" if campaign.is_open else "close")

if campaign.is_open:
    st.markdown(
        "**Relances automatiques** : "
        + widgets.escape_md(etapes.describe(campaign.echeance, campaign.reminder_days))
        + "."
    )
    if is_admin:
        with st.expander("Changer les jours des relances automatiques"):
            st.text_input(
                "Jours des relances automatiques",
                value=campaign.relances,
                key="campagne_jours_modif",
                help=DAYS_HELP,
            )
            st.button(
                "Enregistrer les jours de relance",
                on_click=_set_days,
                args=(campaign.id,),
                key="campagne_jours_enregistrer",
            )

if is_admin and campaign.is_open:
    c1, c2 = st.columns(2)
    c1.download_button(
        "Télécharger les classeurs des porteurs (zip)",
        data=data.deferred(workbooks.workbooks_zip, campaign.id),
        file_name=exports.safe_filename(f"campagne-{campaign.id}-classeurs") + ".zip",
        mime="application/zip",
        icon=":material/download:",
        key="campagne_zip",
    )
    c2.button(
        "Fermer la campagne",
        on_click=_close,
        args=(campaign.id,),
        icon=":material/lock:",
        key="campagne_fermer",
    )

st.header("Réponses par porteur", anchor=False)
if table.empty:
    st.info("Aucun porteur n'a d'action ni d'indicateur dans le plan : rien n'est demandé.")
else:
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="campagne_table",
        column_config={
            "porteur": None,  # the code: the download (CSV) keeps it
            "libelle": st.column_config.TextColumn("Porteur", width="medium"),
            "actions_dues": st.column_config.NumberColumn("Actions dues", width="small"),
            "actions_a_jour": st.column_config.NumberColumn("Actions à jour", width="small"),
            "indicateurs_dus": st.column_config.NumberColumn("Indicateurs dus", width="small"),
            "indicateurs_fournis": st.column_config.NumberColumn("Indicateurs fournis"),
            "taux_reponse": st.column_config.ProgressColumn(
                "Taux de réponse", min_value=0, max_value=100, format="%d %%", width="small"
            ),
            "derniere_reponse": st.column_config.TextColumn("Dernière réponse"),
            "relance_le": st.column_config.TextColumn("Relancé le"),
            "depots_a_valider": st.column_config.NumberColumn(
                "Dépôts à valider",
                width="small",
                help="Envoyés par le porteur, en attente de validation (page « Dépôts à valider »).",
            ),
        },
    )
    st.download_button(
        "Télécharger (CSV)",
        data=data.deferred(completion.status_csv, campaign.id),
        file_name=f"campagne-{campaign.id}.csv",
        mime="text/csv",
        key="campagne_csv",
    )

if is_admin and campaign.is_open:
    owed = data.query(relances_envoi.pending, campaign.id)
    with st.expander(f"Relancer les porteurs qui n'ont pas répondu ({len(owed)})"):
        if not owed:
            st.info("Tous les porteurs ont répondu : aucune relance à envoyer.")
        else:
            st.caption(
                "Chaque porteur reçoit un courriel en français qui liste ses actions et "
                "indicateurs manquants, l'échéance et la façon de répondre, avec son classeur "
                "en pièce jointe. Un porteur sans adresse est signalé : complétez-la avec "
                "« porteurs set CODE --email ADRESSE »."
            )
            st.dataframe(
                owed,
                hide_index=True,
                width="stretch",
                key="campagne_relances",
                column_config={
                    "porteur": st.column_config.TextColumn("Porteur"),
                    "adresse": st.column_config.TextColumn("Adresse"),
                    "actions": st.column_config.NumberColumn("Actions manquantes"),
                    "indicateurs": st.column_config.NumberColumn("Indicateurs manquants"),
                    "relance_le": st.column_config.TextColumn("Déjà relancé le"),
                },
            )
            if mail.smtp_configured(data.settings()):
                choices = data.query(relances_envoi.resend_choices, campaign.id)
                if choices:
                    st.multiselect(
                        "Relancer à nouveau",
                        options=list(choices),
                        format_func=lambda code: choices[code],
                        key="campagne_renvoyer",
                        help="Un porteur déjà relancé pour cette campagne ne l'est pas de "
                        "nouveau, sauf si vous le choisissez ici.",
                    )
                st.button(
                    "Envoyer les relances",
                    on_click=_remind,
                    args=(campaign.id,),
                    icon=":material/send:",
                    key="campagne_relancer",
                )
            else:
                st.info(
                    "Aucun serveur d'envoi n'est réglé (PTLCD_SMTP_HOST) : rien n'est envoyé. "
                    "Téléchargez les messages (.eml) et envoyez-les depuis votre messagerie."
                )
                st.download_button(
                    "Télécharger les relances (.eml, zip)",
                    data=data.deferred(
                        relances_envoi.eml_zip, session.current_user(), campaign.id, data.settings()
                    ),
                    file_name=f"campagne-{campaign.id}-relances.zip",
                    mime="application/zip",
                    icon=":material/download:",
                    key="campagne_eml",
                )

st.header("Réponses jour par jour", anchor=False)
by_day = data.query(completion.replies_by_day, campaign.id)
charts.show(
    campaign_charts.replies_chart(by_day, campaign.echeance),
    key="campagne_chart",
    alt=completion.describe_replies(by_day, campaign),
)
