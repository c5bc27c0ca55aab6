"""The "météo" of an axis: four plain-words levels for elected officials, computed by one rule.

The levels are those of PILOTE, the State's steering tool: Objectifs sécurisés · Objectifs
atteignables · Appuis nécessaires · Objectifs compromis. The rule is a pure function of a few
counts (`AxeEtat`), and `RULES_METEO` — the text users read on screen and in the PDF — is
written from the same thresholds, so the rule and its explanation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptlcd_data import formats

SECURISES = "Objectifs sécurisés"
ATTEIGNABLES = "Objectifs atteignables"
APPUIS = "Appuis nécessaires"
COMPROMIS = "Objectifs compromis"
# From best to worst: the order of legends, colours and tables.
METEOS: tuple[str, ...] = (SECURISES, ATTEIGNABLES, APPUIS, COMPROMIS)
# Colours (Okabe–Ito, as the statuses) and pictograms (DejaVu has them); the word is always
# written beside them, never colour alone.
METEO_COLORS: dict[str, str] = {
    SECURISES: "#009E73",
    ATTEIGNABLES: "#56B4E9",
    APPUIS: "#E69F00",
    COMPROMIS: "#D55E00",
}
METEO_SYMBOLS: dict[str, str] = {SECURISES: "☀", ATTEIGNABLES: "☁", APPUIS: "☂", COMPROMIS: "⚡"}

# Statuses that put an action "en difficulté" (a late action is too, whatever its status).
STATUTS_DIFFICULTE: tuple[str, ...] = ("En pause", "Bloqué", "Abandonné")
# Statuses that count as "work done or under way" for the best level.
STATUTS_AVANCES: tuple[str, ...] = ("Réalisé", "En cours")

# Thresholds. Shares of the axis's actions in difficulty; indicator progress in % of the way
# from the initial value to the target (the PILOTE formula), averaged over the axis's series.
# Indicators alone never make an axis "compromis": they measure the whole territory, which the
# plan's actions move only in part; weak indicators call for support ("Appuis nécessaires").
COMPROMIS_PART_DIFFICULTE = 0.5
APPUIS_PART_DIFFICULTE = 0.25
APPUIS_INDICATEURS = 50.0
SECURISES_PART_AVANCEES = 0.5
SECURISES_INDICATEURS = 75.0
# An indicator's progress counts once it has values for two different years: with one value,
# initial and current are the same and the progress (0 %) says nothing yet.
MIN_ANNEES_INDICATEUR = 2


@dataclass(frozen=True)
class AxeEtat:
    """What the rule reads about one axis at the observation date."""

    nb_actions: int
    nb_avancees: int  # Réalisé or En cours
    nb_en_difficulte: int  # late, or En pause / Bloqué / Abandonné (each action counted once)
    avancement_indicateurs: float | None = None  # mean progress toward target, 0–100 %


@dataclass(frozen=True)
class Meteo:
    label: str  # one of METEOS
    raison: str  # the facts behind it, one short French sentence


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _pct(share: float) -> str:
    return formats.percent(100 * share)


def faits(e: AxeEtat) -> str:
    """'2 actions sur 7 en difficulté ; 3 réalisées ou en cours ; indicateurs à 38 % …'."""
    parts = [
        f"{formats.count(e.nb_en_difficulte, 'action')} sur {e.nb_actions} en difficulté",
        f"{formats.count(e.nb_avancees, 'réalisée')} ou en cours",
    ]
    if e.avancement_indicateurs is None:
        parts.append("aucun indicateur suivi sur deux années")
    else:
        parts.append(
            f"indicateurs à {formats.percent(e.avancement_indicateurs)} du chemin vers leur cible"
        )
    return " ; ".join(parts) + "."


def meteo(e: AxeEtat) -> Meteo:
    """The level of one axis: the first rule of RULES_METEO that applies."""
    if e.nb_actions == 0:
        return Meteo(ATTEIGNABLES, "Aucune action dans cet axe.")
    difficulte = _share(e.nb_en_difficulte, e.nb_actions)
    avancees = _share(e.nb_avancees, e.nb_actions)
    ind = e.avancement_indicateurs
    if difficulte >= COMPROMIS_PART_DIFFICULTE:
        label = COMPROMIS
    elif difficulte >= APPUIS_PART_DIFFICULTE or (ind is not None and ind < APPUIS_INDICATEURS):
        label = APPUIS
    elif (
        e.nb_en_difficulte == 0
        and avancees >= SECURISES_PART_AVANCEES
        and (ind is None or ind >= SECURISES_INDICATEURS)
    ):
        label = SECURISES
    else:
        label = ATTEIGNABLES
    return Meteo(label, faits(e))


RULES_METEO: list[str] = [
    "La météo de chaque axe se calcule à la date d'observation ; la première règle qui "
    "s'applique l'emporte.",
    f"{COMPROMIS} : au moins {_pct(COMPROMIS_PART_DIFFICULTE)} des actions de l'axe sont en "
    "difficulté.",
    f"{APPUIS} : au moins {_pct(APPUIS_PART_DIFFICULTE)} des actions sont en difficulté, ou les "
    f"indicateurs sont en moyenne à moins de {formats.percent(APPUIS_INDICATEURS)} du chemin vers "
    "leur cible (les indicateurs seuls ne rendent jamais un axe « compromis » : ils mesurent "
    "tout le territoire, que les actions du plan ne font bouger qu'en partie).",
    f"{SECURISES} : aucune action en difficulté, au moins {_pct(SECURISES_PART_AVANCEES)} des "
    f"actions réalisées ou en cours, et des indicateurs en moyenne à "
    f"{formats.percent(SECURISES_INDICATEURS)} du chemin au moins (ou aucun indicateur suivi).",
    f"{ATTEIGNABLES} : tous les autres cas.",
    "Une action est « en difficulté » quand elle est en retard, en pause, bloquée ou "
    "abandonnée (comptée une seule fois).",
    "Le chemin vers la cible d'un indicateur, dans un territoire, se mesure comme dans PILOTE : "
    "100 × (valeur actuelle − valeur initiale) ÷ (cible − valeur initiale), inversé pour un "
    "indicateur à faire baisser, borné entre 0 et 100 %. L'axe prend la moyenne de ses indicateurs, dans chaque territoire suivi sur au "
    f"moins {MIN_ANNEES_INDICATEUR} années ; sans eux, la météo repose sur les actions seules.",
]
