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
