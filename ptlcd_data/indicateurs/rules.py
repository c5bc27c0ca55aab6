"""Progress toward a target, trend and alerts of an indicator series: pure rules, no database.

The progress is computed the PILOTE way (the State's steering tool), and the text of
`PROGRESS_FORMULA` is what users read under every progress figure, so the rule is written once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ptlcd_data import dates, formats

PROGRESS_FORMULA = (
    "Avancement = 100 × (valeur actuelle − valeur initiale) ÷ (cible − valeur initiale), "
    "inversé pour un indicateur à faire baisser, borné entre 0 et 100 %. "
    "Valeur initiale : la première année renseignée ; valeur actuelle : la dernière ; "
    "cible : celle de la dernière année pour laquelle une cible est fixée. "
    "Une cible déjà atteinte au départ compte pour 100 % tant qu'elle reste atteinte."
)
# The same rule in one line, under the small panels of a Fiche action.
PROGRESS_FORMULA_SHORT = (
    "Avancement = 100 × (actuelle − initiale) ÷ (cible − initiale), inversé pour un indicateur "
    "à faire baisser, borné à 0–100 %."
)
# Trend = direction of the least-squares line through the last values (years, or periods later).
TREND_PERIODS = 3
# A change smaller than this share of the series' level over the trend window reads as "stable":
# counts of a few units move by one or two without meaning anything.
STABLE_SHARE = 0.05

# Years an indicator value may have: the PTLCD's reference data start around 2010, and targets
# may be set up to ten years ahead. The import, the template and every write read this rule.
FIRST_YEAR = 2000
YEARS_AHEAD = 10

SENS_LABELS = {"hausse": "à faire augmenter", "baisse": "à faire baisser"}
TREND_LABELS = {"hausse": "en hausse", "baisse": "en baisse", "stable": "stable"}


def year_range(today: date | None = None) -> tuple[int, int]:
    """The first and last year an indicator value may have, as of `today`."""
    return FIRST_YEAR, dates.or_today(today).year + YEARS_AHEAD


def years_expected(today: date | None = None) -> str:
    first, last = year_range(today)
    return f"une année entre {first} et {last}"


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


def trend_window(values: Sequence[float]) -> list[float]:
    """The last TREND_PERIODS known values of a series, oldest first."""
    # v == v is False for NaN only: the test of `_missing`, without a call per value.
    return [v for v in values if v is not None and v == v][-TREND_PERIODS:]


def trend(values: Sequence[float]) -> str | None:
    """'hausse', 'baisse' or 'stable' over the last TREND_PERIODS values; None if fewer than 2."""
    points = trend_window(values)
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
        found.append(NO_VALUE_ALERT)
        return found
    if s.annee_actuelle < last_complete_year:
        found.append(stale_alert(last_complete_year, s.annee_actuelle))
    direction = trend(s.derniers)
    if direction in ("hausse", "baisse") and direction != s.sens:
        found.append(trend_alert(direction, len(s.derniers[-TREND_PERIODS:]), s.sens))
    if (
        not _missing(s.cible_annee_actuelle)
        and not _missing(s.valeur_actuelle)
        and not meets(s.valeur_actuelle, s.cible_annee_actuelle, s.sens)  # type: ignore[arg-type]
    ):
        found.append(
            behind_alert(s.annee_actuelle, s.valeur_actuelle, s.cible_annee_actuelle, s.unite)  # type: ignore[arg-type]
        )
    return found


# The alerts' sentences, shared by `alerts` and the column-wise `indicateurs.apply_rules`.
NO_VALUE_ALERT = "Aucune valeur enregistrée."


def stale_alert(last_complete_year: int, annee_actuelle: int) -> str:
    return (
        f"Pas de valeur pour {last_complete_year}, dernière année complète "
        f"(dernière valeur : {annee_actuelle})."
    )


def trend_alert(direction: str, count: int, sens: str) -> str:
    return (
        f"Tendance {TREND_LABELS[direction]} sur les {count} dernières valeurs, alors que "
        f"l'indicateur est {SENS_LABELS.get(sens, sens)}."
    )


def behind_alert(annee: int, value: float, target: float, unite: str) -> str:
    return (
        f"En retard sur la cible {annee} : {format_value(value, unite)} réalisé pour une cible "
        f"de {format_value(target, unite)}."
    )


def series_progress(s: Series) -> Progress:
    return progress(s.valeur_initiale, s.valeur_actuelle, s.cible_finale, s.sens)


def trend_text(s: Series) -> str:
    """'en hausse (30 → 42)': direction, then first and last of the trend window; '—' if < 2."""
    return trend_words(trend(s.derniers), trend_window(s.derniers), s.unite)


def trend_words(direction: str | None, window: Sequence[float], unite: str) -> str:
    """The text of `trend_text` from a direction and its trend window."""
    if direction is None:
        return "—"
    return (
        f"{TREND_LABELS[direction]} ({format_value(window[0], unite)} → "
        f"{format_value(window[-1], unite)})"
    )


# --- the same rules, column by column --------------------------------------------------------
# A large plan's synthesis has tens of thousands of series: `indicateurs.apply_rules` uses these
# instead of calling the functions above once per series. They repeat the arithmetic above in the
# same order, so that every figure is the same to the last bit (tests/test_indicateur_rules.py checks
# them against the functions above).


def progress_columns(
    initial: np.ndarray, current: np.ndarray, target: np.ndarray, baisse: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """`progress` over arrays (NaN for missing): (percent with NaN when not computable, notes)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(baisse, initial - target, target - initial)
        done = np.where(baisse, initial - current, current - initial)
        raw = 100.0 * done / gap
        reached = np.where(baisse, current <= target, current >= target)
        no_move = gap <= 0
        percent = np.where(
            no_move, np.where(reached, 100.0, 0.0), np.minimum(100.0, np.maximum(0.0, raw))
        )
        notes = np.where(
            no_move, "cible déjà atteinte au départ", np.where(raw >= 100, "cible atteinte", "")
        )
    missing_i, missing_t, missing_c = np.isnan(initial), np.isnan(target), np.isnan(current)
    notes = np.where(missing_c, "pas de valeur actuelle", notes)
    notes = np.where(missing_t, "pas de cible", notes)
    notes = np.where(missing_i, "pas de valeur initiale", notes)
    percent = np.where(missing_i | missing_t | missing_c, np.nan, percent)
    return percent, [str(n) for n in notes]


def trend_columns(windows: Sequence[Sequence[float]]) -> list[str | None]:
    """`trend` of each window of `trend_window` (None when fewer than 2 values)."""
    out: list[str | None] = [None] * len(windows)
    for n in range(2, TREND_PERIODS + 1):
        rows = [i for i, w in enumerate(windows) if len(w) == n]
        if not rows:
            continue
        points = np.array([windows[i] for i in rows], dtype=float)
        mean_x = (n - 1) / 2
        total = np.zeros(len(rows))
        for i in range(n):
            total = total + points[:, i]
        mean_y = total / n
        num = np.zeros(len(rows))
        for i in range(n):
            num = num + (i - mean_x) * (points[:, i] - mean_y)
        slope = num / sum((i - mean_x) ** 2 for i in range(n))
        change = slope * (n - 1)
        stable = (np.abs(change) <= STABLE_SHARE * np.abs(mean_y)) | (change == 0)
        labels = np.where(stable, "stable", np.where(change > 0, "hausse", "baisse"))
        for row, label in zip(rows, labels, strict=True):
            out[row] = str(label)
    return out
