"""Progress toward a target, trend and alerts of an indicator series: pure rules, no database.

The progress is computed the PILOTE way (the State's steering tool), and the text of
`PROGRESS_FORMULA` is what users read under every progress figure, so the rule is written once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ptlcd_data import formats

PROGRESS_FORMULA = (
    "Avancement = 100 × (valeur actuelle − valeur initiale) ÷ (cible − valeur initiale), "
    "inversé pour un indicateur à faire baisser, borné entre 0 et 100 %. "
    "Valeur initiale : la première année renseignée ; valeur actuelle : la dernière ; "
    "cible : celle de la dernière année pour laquelle une cible est fixée. "
    "Une cible déjà atteinte au départ compte pour 100 % tant qu'elle reste atteinte."
)
# Trend = direction of the least-squares line through the last values (years, or periods later).
TREND_PERIODS = 3
# A change smaller than this share of the series' level over the trend window reads as "stable":
# counts of a few units move by one or two without meaning anything.
STABLE_SHARE = 0.05

SENS_LABELS = {"hausse": "à faire augmenter", "baisse": "à faire baisser"}
TREND_LABELS = {"hausse": "en hausse", "baisse": "en baisse", "stable": "stable"}


@dataclass(frozen=True)
class Progress:
    """`percent` in 0–100, or None with `note` saying why it cannot be computed."""

    percent: float | None
    note: str = ""


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def meets(value: float, target: float, sens: str) -> bool:
    """True when `value` is at or beyond `target` in the indicator's desired direction."""
    return value <= target if sens == "baisse" else value >= target


def progress(
    initial: float | None, current: float | None, target: float | None, sens: str
) -> Progress:
    """100 × (current − initial) / (target − initial), mirrored for `sens = baisse`, in 0–100."""
    if _missing(initial):
        return Progress(None, "pas de valeur initiale")
    if _missing(target):
        return Progress(None, "pas de cible")
    if _missing(current):
        return Progress(None, "pas de valeur actuelle")
    assert initial is not None and target is not None and current is not None
    if sens == "baisse":
        gap, done = initial - target, initial - current
    else:
        gap, done = target - initial, current - initial
    if gap <= 0:
        # The target asks for no move at all: it was met at the start.
        reached = meets(current, target, sens)
        return Progress(100.0 if reached else 0.0, "cible déjà atteinte au départ")
    raw = 100.0 * done / gap
    note = "cible atteinte" if raw >= 100 else ""
    return Progress(min(100.0, max(0.0, raw)), note)


def trend(values: Sequence[float]) -> str | None:
    """'hausse', 'baisse' or 'stable' over the last TREND_PERIODS values; None if fewer than 2."""
    points = [v for v in values if not _missing(v)][-TREND_PERIODS:]
    n = len(points)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(points) / n
    slope = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(points)) / sum(
        (i - mean_x) ** 2 for i in range(n)
    )
    change = slope * (n - 1)
    if abs(change) <= STABLE_SHARE * abs(mean_y) or change == 0:
        return "stable"
    return "hausse" if change > 0 else "baisse"


def format_value(value: float | None, unite: str) -> str:
    """A value in French, with its unit: '12 345', '45,5 %', '—' when missing."""
    if _missing(value):
        return "—"
    assert value is not None
    decimals = 0 if float(value).is_integer() else 1
    if unite.strip() == "%":
        return formats.percent(value, decimals)
    text = formats.number(value, decimals)
    return text if unite in ("", "nombre") else f"{text} {unite}"


@dataclass(frozen=True)
class Series:
    """What the rules need to know about one indicator in one territory, as of a date."""

    sens: str
    unite: str = "nombre"
    annee_initiale: int | None = None
    valeur_initiale: float | None = None
    annee_actuelle: int | None = None
    valeur_actuelle: float | None = None
    cible_finale: float | None = None
    annee_cible: int | None = None
    # Target set for the same year as the current value (None if that year has none).
    cible_annee_actuelle: float | None = None
    derniers: tuple[float, ...] = field(default_factory=tuple)


def alerts(s: Series, last_complete_year: int) -> list[str]:
    """The alerts of one series, in words: missing fresh data, trend against `sens`, behind target."""
    found: list[str] = []
    if s.annee_actuelle is None:
        found.append("Aucune valeur enregistrée.")
        return found
    if s.annee_actuelle < last_complete_year:
        found.append(
            f"Pas de valeur pour {last_complete_year}, dernière année complète "
            f"(dernière valeur : {s.annee_actuelle})."
        )
    direction = trend(s.derniers)
    if direction in ("hausse", "baisse") and direction != s.sens:
        found.append(
            f"Tendance {TREND_LABELS[direction]} sur les {len(s.derniers[-TREND_PERIODS:])} "
            f"dernières valeurs, alors que l'indicateur est {SENS_LABELS.get(s.sens, s.sens)}."
        )
    if (
        not _missing(s.cible_annee_actuelle)
        and not _missing(s.valeur_actuelle)
        and not meets(s.valeur_actuelle, s.cible_annee_actuelle, s.sens)  # type: ignore[arg-type]
    ):
        found.append(
            f"En retard sur la cible {s.annee_actuelle} : "
            f"{format_value(s.valeur_actuelle, s.unite)} réalisé pour une cible de "
            f"{format_value(s.cible_annee_actuelle, s.unite)}."
        )
    return found


def series_progress(s: Series) -> Progress:
    return progress(s.valeur_initiale, s.valeur_actuelle, s.cible_finale, s.sens)


def trend_text(s: Series) -> str:
    """'en hausse (30 → 42)': direction, then first and last of the trend window; '—' if < 2."""
    direction = trend(s.derniers)
    if direction is None:
        return "—"
    last = [v for v in s.derniers if not _missing(v)][-TREND_PERIODS:]
    return (
        f"{TREND_LABELS[direction]} ({format_value(last[0], s.unite)} → "
        f"{format_value(last[-1], s.unite)})"
    )
