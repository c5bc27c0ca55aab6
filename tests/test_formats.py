from __future__ import annotations

from datetime import date

import pytest

from ptlcd_data import formats


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345.6, 1, "12\u202f345,6"),
        (0, 0, "0"),
        (None, 0, "—"),
        (float("nan"), 0, "—"),
        (1234567, 0, "1\u202f234\u202f567"),
    ],
)
def test_number(value, decimals, expected):
    assert formats.number(value, decimals) == expected


def test_percent_and_date():
    assert formats.percent(45) == "45\u202f%"
    assert formats.day(date(2019, 12, 31)) == "31/12/2019"
    assert formats.months(3) == "+3\u00a0mois"
    assert formats.months(-2) == "−2\u00a0mois"


@pytest.mark.parametrize(
    ("n", "singular", "plural", "expected"),
    [
        (0, "créé", None, "0 créé"),  # French: zero takes the singular
        (1, "créé", None, "1 créé"),
        (2, "créé", None, "2 créés"),
        (1, "action", None, "1 action"),
        (12, "action", None, "12 actions"),
        (3, "autre indicateur", None, "3 autres indicateurs"),  # every word agrees
        (2, "mois", None, "2 mois"),  # already ends in s
        (2, "territoire de la liste", "territoires de la liste", "2 territoires de la liste"),
        (1, "action est", "actions sont", "1 action est"),
        (4, "action est", "actions sont", "4 actions sont"),
        (12345, "ligne", None, "12\u202f345 lignes"),  # French thousands separator
    ],
)
def test_count_agrees_the_noun(n, singular, plural, expected):
    assert formats.count(n, singular, plural) == expected
