"""A campaign's reminder steps: days relative to its deadline, when a scheduled reminder is due.

Pure rules, no database: `campaigns` stores the days as text (« 7,1,-3 »: 7 days before the
deadline, the day before, 3 days after) and `veille` asks which step is due on a given day.

A step N is due on échéance − N days. On a day D, the step to send is the latest one whose day is
at most D (`due_step`): a run on the step's day sends it; a run after missed days sends only that
latest step, never the older ones it replaces (a porteur is not sent three reminders at once).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ptlcd_data import formats
from ptlcd_data.errors import InputError

DEFAULT = "7,1,-3"
# A few reminders are a nudge; more would be noise, and each step is one more e-mail per porteur.
MAX_STEPS = 10
# A reminder a year ahead or three months late no longer concerns this campaign.
EARLIEST_DAYS_BEFORE = 365
LATEST_DAYS_AFTER = 90
_EXAMPLE = "7,1,-3 (7 jours avant l'échéance, la veille, 3 jours après)"


def parse(text: str | None) -> tuple[int, ...]:
    """The reminder days of `text` (« 7, 1, -3 »), without repeats, earliest step first (the most
    days before the deadline); () for an empty text. InputError (French) otherwise."""
    raw = (text or "").replace("−", "-").replace(";", ",")
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    bad = [p for p in parts if not re.fullmatch(r"[+-]?\d{1,4}", p)]
    if bad:
        raise InputError(
            f"Jours de relance « {text} » invalides ({', '.join(bad)} n'est pas un nombre entier "
            f"de jours) : attendu des nombres entiers séparés par des virgules, comme {_EXAMPLE}."
        )
    days = sorted({int(p) for p in parts}, reverse=True)
    if len(days) > MAX_STEPS:
        raise InputError(f"Trop de jours de relance ({len(days)}) : {MAX_STEPS} au plus.")
    out = [d for d in days if not -LATEST_DAYS_AFTER <= d <= EARLIEST_DAYS_BEFORE]
    if out:
        raise InputError(
            f"Jour de relance {out[0]} impossible : de {EARLIEST_DAYS_BEFORE} jours avant "
            f"l'échéance ({EARLIEST_DAYS_BEFORE}) à {LATEST_DAYS_AFTER} jours après "
            f"(-{LATEST_DAYS_AFTER})."
        )
    return tuple(days)


def as_text(days: tuple[int, ...]) -> str:
    """The stored form: « 7,1,-3 »."""
    return ",".join(str(d) for d in days)


def step_day(echeance: date, step: int) -> date:
    """The day step `step` is due: échéance − `step` days."""
    return echeance - timedelta(days=step)


def due_step(echeance: date, days: tuple[int, ...], today: date) -> int | None:
    """The step to send on `today`: the latest one whose day is at most `today`; None before the
    first step (or with no step)."""
    passed = [d for d in days if step_day(echeance, d) <= today]
    return min(passed) if passed else None


def next_step(echeance: date, days: tuple[int, ...], today: date) -> int | None:
    """The first step whose day is after `today`; None when none is left."""
    coming = [d for d in days if step_day(echeance, d) > today]
    return max(coming) if coming else None


def step_words(step: int) -> str:
    """« 7 jours avant l'échéance », « la veille de l'échéance », « 3 jours après l'échéance »."""
    if step == 1:
        return "la veille de l'échéance"
    if step == 0:
        return "le jour de l'échéance"
    if step == -1:
        return "le lendemain de l'échéance"
    if step > 0:
        return f"{step} jours avant l'échéance"
    return f"{-step} jours après l'échéance"


def describe(echeance: date, days: tuple[int, ...]) -> str:
    """Every step in words with its day: « 7 jours avant l'échéance (le 24/05/2026), la veille
    de l'échéance (le 30/05/2026), 3 jours après l'échéance (le 03/06/2026) »."""
    if not days:
        return "aucune relance automatique"
    return ", ".join(f"{step_words(d)} (le {formats.day(step_day(echeance, d))})" for d in days)
