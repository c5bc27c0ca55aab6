"""French number and date formats: 12 345,6 ; 45 % ; 31/12/2019 ; 1 action, 3 actions.

Pure functions, used by pages, charts, exports and the PDF alike.
"""

from __future__ import annotations

import math
from datetime import date, datetime

NARROW_NBSP = "\u202f"  # thin non-breaking space: French thousands separator, and before "%"
NBSP = "\u00a0"


def number(value: float | int | None, decimals: int = 0, empty: str = "—") -> str:
    """12345.6 -> '12 345,6' (thin non-breaking spaces); None or NaN -> '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def count(n: int, singular: str, plural: str | None = None) -> str:
    """A count and its noun, agreed: (1, 'créé') -> '1 créé', (2, 'créé') -> '2 créés'.

    French takes the singular below 2 (« 0 action », « 1 action »). Without `plural`, every
    word of `singular` takes an « s » unless it ends in s, x or z (« autre indicateur » ->
    « autres indicateurs », « mois » stays): give `plural` for anything else (« action est »
    -> « actions sont »). The number is French-formatted (`number`: 12 345).
    """
    if abs(n) < 2:
        word = singular
    else:
        word = plural or " ".join(
            w if w.endswith(("s", "x", "z")) else w + "s" for w in singular.split(" ")
        )
    return f"{number(n)} {word}"


def percent(value: float | int | None, decimals: int = 0, empty: str = "—") -> str:
    """45 -> '45 %' (the value is already a percentage)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    return f"{number(value, decimals)}{NARROW_NBSP}%"


def day(value: date | datetime | None, empty: str = "—") -> str:
    """date(2019, 12, 31) -> '31/12/2019'."""
    if value is None:
        return empty
    try:
        return value.strftime("%d/%m/%Y")
    except ValueError:  # NaT
        return empty


def timestamp(value: datetime | None, empty: str = "—") -> str:
    """datetime -> '31/12/2019 à 14:05'."""
    if value is None:
        return empty
    try:
        return value.strftime("%d/%m/%Y à %H:%M")
    except ValueError:
        return empty


def months(value: float | int | None, empty: str = "—") -> str:
    """Slippage in months: 3 -> '+3 mois', -2 -> '−2 mois', 0 -> '0 mois'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    n = int(round(value))
    sign = "+" if n > 0 else ("−" if n < 0 else "")
    return f"{sign}{abs(n)}{NBSP}mois"
