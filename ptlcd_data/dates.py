"""The day a question is asked about: the date d'observation given, or today when none is."""

from __future__ import annotations

from datetime import date


def or_today(day: date | None) -> date:
    """`day`, or today when it is None (every question's default date d'observation)."""
    return day or date.today()


def last_complete_year() -> int:
    """The year staff usually report on: the last complete one."""
    return date.today().year - 1
