"""Normalisation of the plan's calendar texts ("Dès 2017", "Fin 2018", "annuelle"...).

Each text gives a planned start, a planned end, a recurring flag and an "already started" flag.
The rules are the ones users read on screen (see `RULES`), so they are written once, here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ptlcd_data.errors import PlanDataError


@dataclass(frozen=True)
class Calendrier:
    """What a calendar text means. `forme` names the rule that matched."""

    debut_prevu: date | None
    fin_prevue: date | None
    recurrente: bool
    deja_engagee: bool
    forme: str


# (forme, explanation shown to users). Order is the order of matching in `parse_calendrier`.
RULES: list[tuple[str, str]] = [
    ("non planifiée", "Calendrier vide : action non planifiée (jamais en retard par la date)."),
    ("annuelle", "« annuelle » : action récurrente, à mener chaque année."),
    ("déjà engagée", "« Engagé… » : action déjà commencée à la date du plan, sans échéance."),
    ("dès", "« Dès 2017 » : commence en 2017, sans échéance."),
    ("fin", "« Fin 2018 » : à terminer au plus tard le 31/12/2018."),
    ("période", "« 2017-2019 » : commence en 2017, à terminer au plus tard le 31/12/2019."),
    ("année", "« 2019 » : à mener en 2019, à terminer au plus tard le 31/12/2019."),
]

_YEAR = r"(20\d{2})"


def _fold(text: str) -> str:
    """Lower case without accents, single spaces: 'Dès  2017' -> 'des 2017'."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", no_accents).strip().lower()


def parse_calendrier(text: str | None) -> Calendrier:
    """Read one calendar text. Raises PlanDataError (in French) when no rule matches."""
    folded = _fold(text or "")
    if folded in {"", "a preciser", "a definir"}:
        return Calendrier(None, None, False, False, "non planifiée")
    if re.fullmatch(r"(action )?annuelle|chaque annee|tous les ans", folded):
        return Calendrier(None, None, True, False, "annuelle")
    if folded.startswith("engage"):
        return Calendrier(None, None, False, True, "déjà engagée")
    if m := re.fullmatch(rf"(?:des|a partir de) {_YEAR}", folded):
        return Calendrier(date(int(m[1]), 1, 1), None, False, False, "dès")
    if m := re.fullmatch(rf"(?:fin|d'ici fin|avant fin) {_YEAR}", folded):
        return Calendrier(None, date(int(m[1]), 12, 31), False, False, "fin")
    if m := re.fullmatch(rf"{_YEAR} ?(?:-|a|/) ?{_YEAR}", folded):
        start, end = int(m[1]), int(m[2])
        if end < start:
            raise PlanDataError(f"Calendrier « {text} » : l'année de fin précède l'année de début.")
        return Calendrier(date(start, 1, 1), date(end, 12, 31), False, False, "période")
    if m := re.fullmatch(_YEAR, folded):
        year = int(m[1])
        return Calendrier(date(year, 1, 1), date(year, 12, 31), False, False, "année")
    raise PlanDataError(
        f"Calendrier « {text} » non reconnu. Formes acceptées : vide, « annuelle », "
        "« Engagé… », « Dès 2017 », « Fin 2018 », « 2017-2019 », « 2019 »."
    )
