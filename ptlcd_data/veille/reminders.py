"""The scheduled reminders of the open campaign: which step is due on a day, to whom, and sending it.

On a day D, the step to send is the latest one whose day (échéance − N) is at most D
(`campagnes.etapes.due_step`); it goes to each porteur that still owes something and has not had
that step yet (`campagnes.relances_envoi.due_step`). So a run on the step's day sends it, a run
on a day without a step sends nothing new, and a run after missed days sends only the latest step
due. Sending and recording are those of `campaign remind`, one message at a time, each recorded
with its step as soon as the server has answered, the base never held meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptlcd_data import formats
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, etapes, mail, notices, relances_envoi
from ptlcd_data.campagnes.campaigns import Campaign
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection


@dataclass(frozen=True)
class Due:
    """The reminders due on a day, read before any message leaves."""

    campaign: Campaign | None
    step: int | None  # the step due (days before the deadline); None: none yet
    todo: list[mail.Relance]  # the porteurs still to be sent that step

    def status_line(self, today: date) -> str:
        """Why there is nothing to send, or which step is due to how many porteurs."""
        c = self.campaign
        if c is None:
            return "Aucune campagne ouverte : aucune relance."
        if self.step is None:
            coming = etapes.next_step(c.echeance, c.reminder_days, today)
            if coming is None:
                return f"Campagne « {c.nom} » : aucune relance automatique réglée."
            return (
                f"Campagne « {c.nom} » : aucune relance due ; la prochaine, "
                f"{etapes.step_words(coming)}, le {formats.day(etapes.step_day(c.echeance, coming))}."
            )
        words = etapes.step_words(self.step)
        if not self.todo:
            return (
                f"Campagne « {c.nom} », relance « {words} » : rien à envoyer, chaque porteur qui "
                "doit encore répondre l'a déjà reçue."
            )
        return (
            f"Campagne « {c.nom} », relance « {words} » : "
            f"{formats.count(len(self.todo), 'porteur')} à relancer."
        )


def due(conn: Connection, settings: Settings, today: date, *, attach: bool = True) -> Due:
    """The reminders of the open campaign due on `today` (with their workbooks if `attach`)."""
    campaign = campaigns.current(conn)
    if campaign is None:
        return Due(None, None, [])
    step = etapes.due_step(campaign.echeance, campaign.reminder_days, today)
    if step is None:
        return Due(campaign, None, [])
    todo = relances_envoi.due_step(conn, campaign.id, settings, step, attach=attach)
    return Due(campaign, step, todo)


def outbox(settings: Settings, campaign_id: int, today: date) -> Path:
    """Where the reminders of a day go as .eml files with no server set: beside the notices."""
    return notices.outbox_dir(settings) / f"relances-campagne-{campaign_id}-{today.isoformat()}"


def dry_lines(todo: Due) -> list[str]:
    """What would be sent, one line per porteur."""
    return [
        f"Simulation : relance à {r.porteur_libelle} ({r.porteur_code}, "
        f"{r.email or 'sans adresse'})."
        for r in todo.todo
    ]


def send(settings: Settings, user: User, todo: Due, today: date) -> tuple[list[str], bool]:
    """Send the reminders `todo` (read on a connection closed since): French lines, one per
    porteur and a summary, and whether everything that could leave did. Raises SmtpError when
    the server cannot be reached (nothing sent, nothing recorded)."""
    assert todo.campaign is not None and todo.step is not None
    folder = outbox(settings, todo.campaign.id, today)
    envois = relances_envoi.send_step(
        settings, user, todo.campaign.id, todo.todo, etape=todo.step, outbox=folder
    )
    lines = [f"Relance à {e.porteur_code} : {e.detail}" for e in envois]
    sent = sum(e.statut == "envoye" for e in envois)
    saved = sum(e.statut == "fichier_eml" for e in envois)
    failed = sum(e.statut == "echec" for e in envois)
    if saved:
        lines.append(
            f"Aucun serveur d'envoi (PTLCD_SMTP_HOST) : {saved} relance(s) "
            f"écrite(s) en .eml dans {folder}, à envoyer depuis une messagerie."
        )
    else:
        lines.append(f"{sent} relance(s) envoyée(s) sur {len(envois)}.")
    return lines, failed == 0
