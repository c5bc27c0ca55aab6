"""The words of the follow-up, defined once: statuses, engagement levels, record sources, colours.

The import, the template, the rules, the pages and the PDF read them from this module.
"""

from __future__ import annotations

from datetime import date

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

SANS_STATUT = "Sans statut"
STATUTS_AFFICHES: tuple[str, ...] = (*STATUTS, SANS_STATUT)
# Closed actions are never late.
STATUTS_CLOS = frozenset({"Réalisé", "Abandonné"})
# A record with one of these statuses (or an avancement above 0) means the work has begun.
STATUTS_COMMENCES: tuple[str, ...] = ("En cours", "En pause", "Réalisé")
# Not started: still "À venir", or nothing recorded yet.
STATUTS_NON_COMMENCES = frozenset({"À venir", SANS_STATUT})

# How far a territory is engaged in an action (the engagement matrix), from least to most.
NIVEAUX: tuple[str, ...] = (
    "Non concernée",
    "À engager",
    "Engagée",
    "Réalisée",
)
NIVEAU_AUCUN = "Non renseignée"
NIVEAUX_AFFICHES: tuple[str, ...] = (NIVEAU_AUCUN, *NIVEAUX)
NIVEAUX_ENGAGES: tuple[str, ...] = ("Engagée", "Réalisée")

# Where a record comes from.
SOURCE_REVUE = "revue GOLD"
SOURCE_DEMO = "démonstration"
# The initial state read from the plan's remarks: "plan 2017 (document de travail)".
SOURCE_PLAN_MODELE = "plan {annee} (document de travail)"
AUTEUR_PLAN = "document du plan"


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


def source_plan(date_plan: date) -> str:
    """'plan 2017 (document de travail)' for a plan dated 2017."""
    return SOURCE_PLAN_MODELE.format(annee=date_plan.year)
