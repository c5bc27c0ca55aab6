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
# A campaign reply that repeats the current status (`campagnes.returns`).
SOURCE_CONFIRMATION = "confirmé sans changement"
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


# Text drawn on a coloured surface (a bar segment, a matrix cell) is black or white, whichever
# contrasts more with it: at least 4.5:1 on every colour above (WCAG 1.4.3, RGAA 3.2), which a
# test checks. Plotly's own choice put white on the "Réalisé" green (3.4:1).
BLACK = "#000000"
WHITE = "#ffffff"


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of a '#rrggbb' colour (0 for black, 1 for white)."""
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two '#rrggbb' colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    return max((BLACK, WHITE), key=lambda c: contrast_ratio(c, background))


STATUT_TEXT_COLORS: dict[str, str] = {s: text_color_on(c) for s, c in STATUT_COLORS.items()}
NIVEAU_TEXT_COLORS: dict[str, str] = {n: text_color_on(c) for n, c in NIVEAU_COLORS.items()}


def source_plan(date_plan: date) -> str:
    """'plan 2017 (document de travail)' for a plan dated 2017."""
    return SOURCE_PLAN_MODELE.format(annee=date_plan.year)
