"""Indicator values written by tests: a recording account and a dated series."""

from __future__ import annotations

from datetime import datetime

from ptlcd_data.access.auth import User
from ptlcd_data.indicateurs.valeurs import ValueRow

SAISIE = User("mme.a", "Mme A", "saisie")
LECTURE = User("m.b", "M. B", "lecture")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day)


def rate_series(code: str = "I4.1.b", terr: str = "NM") -> list[ValueRow]:
    """A rate to raise: 20 → 25 → 24 for targets 22, 26, 30; each year registered in March."""
    return [
        ValueRow(code, terr, 2017, 20.0, 22.0, "Rectorat", enregistre_le=at("2018-03-15 10:00")),
        ValueRow(code, terr, 2018, 25.0, 26.0, "Rectorat", enregistre_le=at("2019-03-15 10:00")),
        ValueRow(code, terr, 2019, 24.0, 30.0, "Rectorat", enregistre_le=at("2020-03-15 10:00")),
    ]
