"""Sending the relances (reminders) of a campaign: who still owes what, one e-mail each, recorded
(in `relances`).

`prepare` lists one `mail.Relance` per porteur with missing items (actions not updated and
indicators not supplied since the campaign opened), each with its own workbook attached. `send`
sends them through the configured SMTP server and records each attempt (campagne_relance and the
journal). With no server configured, nothing is sent and nothing is recorded: the reminders are
listed, and can be written as .eml files (`mail.write_eml`, `mail.eml_zip`) for staff to send.
A server that cannot be reached raises `SmtpError` before anything is sent or recorded: the
campaign stays as it was.
"""

from __future__ import annotations

from datetime import datetime

from ptlcd_data.access import auth
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, completion, mail, relances, workbooks
from ptlcd_data.errors import InputError
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

# What campagne_relance.statut says for each outcome of `mail.send_all`.
STATUTS = {
    "envoye": completion.RELANCE_ENVOYEE,
    "echec": "échec",
    "sans_adresse": "sans adresse",
    "fichier_eml": "fichier .eml",
}


def prepare(
    conn: Connection, campaign_id: int, settings: Settings, *, attach: bool = True
) -> list[mail.Relance]:
    """One reminder per porteur that still owes an action or an indicator, in the plan's order,
    each with its workbook attached (unless `attach` is false: a listing needs none).

    A closed campaign is refused (InputError): nothing is asked any more.
    """
    campaign = campaigns.get(conn, campaign_id)
    if not campaign.is_open:
        raise InputError(
            f"La campagne « {campaign.label} » est close : plus aucune relance n'est envoyée."
        )
    items = completion.items(conn, campaign)
    owed = items[items["premiere_reponse"].isna()]
    if owed.empty:
        return []
    shared = workbooks.shared(conn, campaign_id) if attach else None
    porteurs = plan_porteurs.porteurs_with_items(conn) if shared is None else shared.porteurs
    how = mail.reply_instructions(settings)
    found = []
    for row in porteurs.itertuples(index=False):
        mine = owed[owed["porteur"] == row.porteur]
        if mine.empty:
            continue
        actions = mine[mine["objet"] == "action"]
        indicateurs = mine[mine["objet"] == "indicateur"]
        found.append(
            mail.Relance(
                porteur_code=str(row.porteur),
                porteur_libelle=str(row.libelle),
                email=None if row.email is None or row.email != row.email else str(row.email),
                campagne_nom=campaign.nom,
                echeance=campaign.echeance,
                actions=[
                    (int(k), str(v))
                    for k, v in zip(actions["cle"], actions["libelle"], strict=True)
                ],
                indicateurs=[
                    (str(k), str(v))
                    for k, v in zip(indicateurs["cle"], indicateurs["libelle"], strict=True)
                ],
                piece_jointe=None
                if shared is None
                else (f"{row.porteur}.xlsx", workbooks.porteur_workbook(shared, str(row.porteur))),
                comment_repondre=how,
            )
        )
    return found


def send(
    conn: Connection, user: User | None, campaign_id: int, settings: Settings
) -> list[mail.Envoi]:
    """Send the reminders of an open campaign (admin) and record each attempt.

    Without a server (PTLCD_SMTP_HOST empty) nothing is sent or recorded: the listing says which
    .eml file each reminder would be. Raises SmtpError when the server cannot be reached (nothing
    sent, nothing recorded).
    """
    auth.require(user, "admin")
    found = prepare(conn, campaign_id, settings)
    if not mail.smtp_configured(settings):
        return mail.eml_envois(found, settings)
    envois = mail.send_all(found, settings)
    now = datetime.now()
    for envoi in envois:
        relances.record_reminder(
            conn,
            user,
            campaign_id,
            envoi.porteur_code,
            STATUTS[envoi.statut],
            envoi.detail,
            when=now,
        )
    return envois


def pending(conn: Connection, campaign_id: int) -> list[dict[str, object]]:
    """The reminders an open campaign would send now, as rows (see `listing`); [] when closed."""
    if not campaigns.get(conn, campaign_id).is_open:
        return []
    return listing(prepare(conn, campaign_id, Settings.from_env(), attach=False))


def eml_zip(conn: Connection, user: User | None, campaign_id: int, settings: Settings) -> bytes:
    """Every reminder as a .eml file in one zip (admin), to send by hand when no server is set."""
    auth.require(user, "admin")
    return mail.eml_zip(prepare(conn, campaign_id, settings), settings)


def listing(found: list[mail.Relance]) -> list[dict[str, object]]:
    """The reminders as rows to show before sending: porteur, adresse, actions, indicateurs."""
    return [
        {
            "porteur": r.porteur_libelle,
            "adresse": r.email or "sans adresse",
            "actions": len(r.actions),
            "indicateurs": len(r.indicateurs),
        }
        for r in found
    ]
