"""The words of the mailbox: the automatic reply to a message, and a line of the report per message.

Pure text, French. Each attachment's outcome (`Outcome`) is said once: received and waiting
(its dépôt number), refused with each problem (sheet, row, column, what to do), set aside for
the team, or not a campaign workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ptlcd_data import formats
from ptlcd_data.courriels.incoming import Incoming

# The problems listed in a reply: past this, the porteur is told how many more there are.
PROBLEMS_LISTED = 30
DEPOT, REFUSE, A_EXAMINER, AUTRE = "depot", "refuse", "a_examiner", "autre"


@dataclass(frozen=True)
class Outcome:
    """What became of one attachment."""

    filename: str
    kind: str  # depot, refuse, a_examiner, autre
    porteur: str = ""  # « Maison de l'emploi (MDE) »
    depot_id: int | None = None
    problems: list[str] = field(default_factory=list)  # `format_problem` lines
    note: str = ""  # why (refused, set aside, ignored)
    unknown_sender: bool = False


def attachment_text(o: Outcome) -> str:
    """What became of one attachment, as the reply and the record say it."""
    who = f" ({o.porteur})" if o.porteur else ""
    if o.kind == DEPOT:
        return (
            f"- « {o.filename} »{who} : reçu, à valider. Il est enregistré comme dépôt "
            f"n° {o.depot_id} ; l'équipe du PTLCD le vérifie puis le publie. Inutile de le "
            "renvoyer."
        )
    if o.kind == REFUSE:
        if not o.problems:
            return f"- « {o.filename} »{who} : non enregistré. {o.note}"
        shown = o.problems[:PROBLEMS_LISTED]
        lines = [
            f"- « {o.filename} »{who} : non enregistré, "
            f"{formats.count(len(o.problems), 'erreur à corriger', 'erreurs à corriger')} :"
        ]
        lines += [f"    {p}" for p in shown]
        if len(o.problems) > len(shown):
            lines.append(f"    … et {len(o.problems) - len(shown)} autre(s).")
        lines.append(
            "  Corrigez ces cellules dans le classeur, puis renvoyez-le en réponse à ce message."
        )
        return "\n".join(lines)
    if o.kind == A_EXAMINER:
        return f"- « {o.filename} »{who} : pas lu automatiquement. {o.note}"
    return f"- « {o.filename} » : ignoré ({o.note})."


NO_WORKBOOK = (
    "Aucun classeur de campagne reconnu dans votre message. Joignez le classeur reçu avec la "
    "relance de la campagne, complété (vous pouvez le renommer, mais gardez toutes ses "
    "feuilles), et renvoyez-le en réponse à ce message."
)


def subject(incoming: Incoming) -> str:
    original = incoming.subject.strip()
    if not original:
        return "PTLCD – votre message"
    return original if original.lower().startswith(("re:", "re :")) else f"Re: {original}"


def body(incoming: Incoming, outcomes: list[Outcome], aside: str | None) -> str:
    """The reply: each attachment's fate, or why the message was set aside, or that no
    campaign workbook was found."""
    when = f" du {formats.timestamp(incoming.sent_at)}" if incoming.sent_at else ""
    about = f" « {incoming.subject} »" if incoming.subject else ""
    parts = [
        "Bonjour,",
        f"Votre message{about}{when} a bien été reçu par l'équipe du PTLCD.",
    ]
    if aside:
        parts.append(
            f"Il n'a pas pu être traité automatiquement : {aside}. Il est mis de côté pour "
            "l'équipe du PTLCD, qui l'examinera et reviendra vers vous si besoin."
        )
    if outcomes:
        parts.append("\n".join(attachment_text(o) for o in outcomes))
    if not aside and any(o.kind == A_EXAMINER for o in outcomes):
        parts.append(
            "Votre message est mis de côté pour l'équipe du PTLCD, qui examinera ce fichier et "
            "reviendra vers vous si besoin."
        )
    if not aside and not any(o.kind != AUTRE for o in outcomes):
        parts.append(NO_WORKBOOK)
    parts.append("Ce message est envoyé automatiquement.")
    return "\n\n".join(parts) + "\n"


def line(incoming: Incoming, outcomes: list[Outcome], aside: str | None, folder: str) -> str:
    """The report's line for one message: from whom, what became of it, where it went."""
    who = incoming.sender or "expéditeur inconnu"
    about = f" « {incoming.subject} »" if incoming.subject else ""
    said = []
    for o in outcomes:
        if o.kind == DEPOT:
            flag = (
                " ; expéditeur différent de l'adresse connue du porteur" if o.unknown_sender else ""
            )
            said.append(f"dépôt n° {o.depot_id} à valider ({o.porteur}{flag})")
        elif o.kind == REFUSE:
            count = formats.count(len(o.problems), "erreur", "erreurs")
            said.append(f"« {o.filename} » refusé ({count if o.problems else o.note})")
        elif o.kind == A_EXAMINER:
            said.append(f"« {o.filename} » illisible ({o.note})")
    if aside and not any(o.kind == A_EXAMINER for o in outcomes):
        said.append(f"mis de côté : {aside}")
    if not said:
        said.append("aucun classeur de campagne reconnu")
    return f"Message de {who}{about} : {' ; '.join(said)} → {folder}."
