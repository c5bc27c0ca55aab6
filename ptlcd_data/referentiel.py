"""The fixed vocabularies of the follow-up: action statuses and engagement levels.

Defined once here; the import, the template and the pages read them from this module.
"""

from __future__ import annotations

# The statuses of Territoires en Transitions, which the staff already know.
STATUTS: tuple[str, ...] = (
    "À venir",
    "En cours",
    "Réalisé",
    "En pause",
    "Bloqué",
    "Abandonné",
    "À discuter",
)

# How far a territory is engaged in an action (the engagement matrix).
NIVEAUX_ENGAGEMENT: tuple[str, ...] = (
    "Non concernée",
    "À engager",
    "Engagée",
    "Réalisée",
)


# One colour per status, the same in the app and in the PDF. Okabe–Ito palette (readable with
# every common colour-vision deficiency); every legend and hover also names the status.
STATUT_COLORS: dict[str, str] = {
    "À venir": "#56B4E9",
    "En cours": "#0072B2",
    "Réalisé": "#009E73",
    "En pause": "#F0E442",
    "Bloqué": "#D55E00",
    "Abandonné": "#CC79A7",
    "À discuter": "#E69F00",
    "Sans statut": "#BBBBBB",
}
# Engagement levels, from "nothing known" to "done"; the level's word is written in each cell.
NIVEAU_COLORS: dict[str, str] = {
    "Non renseignée": "#F4F4F4",
    "Non concernée": "#BBBBBB",
    "À engager": "#E69F00",
    "Engagée": "#56B4E9",
    "Réalisée": "#009E73",
}
