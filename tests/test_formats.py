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
