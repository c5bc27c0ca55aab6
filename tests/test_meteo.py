"""The météo of an axis: a table of cases for the rule, and its on-screen wording."""

from __future__ import annotations

import pytest

from ptlcd_data.synthese import meteo
from ptlcd_data.synthese.meteo import APPUIS, ATTEIGNABLES, COMPROMIS, SECURISES, AxeEtat


@pytest.mark.parametrize(
    ("etat", "expected"),
    [
        # half the actions in difficulty: compromised, whatever the indicators say
        (AxeEtat(4, 2, 2, 100.0), COMPROMIS),
        (AxeEtat(10, 0, 6, None), COMPROMIS),
        # a quarter in difficulty: support needed
        (AxeEtat(8, 6, 2, 90.0), APPUIS),
        # indicators below half-way call for support, but never make it "compromis" alone
        (AxeEtat(10, 10, 0, 49.9), APPUIS),
        (AxeEtat(10, 10, 0, 0.0), APPUIS),
        # nothing in difficulty, half done or under way, indicators well on the way: secured
        (AxeEtat(6, 3, 0, 75.0), SECURISES),
        (AxeEtat(6, 6, 0, None), SECURISES),
        # nothing in difficulty but little under way yet: reachable
        (AxeEtat(6, 2, 0, None), ATTEIGNABLES),
        # under way, nothing late, indicators between half and three quarters: reachable
        (AxeEtat(6, 6, 0, 60.0), ATTEIGNABLES),
        # one action in difficulty out of ten: reachable, not secured
        (AxeEtat(10, 9, 1, 80.0), ATTEIGNABLES),
        # an axis with no action has nothing to judge
        (AxeEtat(0, 0, 0, None), ATTEIGNABLES),
    ],
)
def test_meteo_rule(etat, expected):
    assert meteo.meteo(etat).label == expected


def test_meteo_reason_states_the_facts_in_words():
    m = meteo.meteo(AxeEtat(7, 3, 2, 38.0))
    assert m.raison == (
        "2 actions sur 7 en difficulté ; 3 réalisées ou en cours ; indicateurs à 38\u202f% du "
        "chemin vers leur cible."
    )
    single = meteo.meteo(AxeEtat(5, 1, 1, None)).raison
    assert single.startswith("1 action sur 5 en difficulté ; 1 réalisée ou en cours")
    assert "aucun indicateur suivi" in single


def test_rules_text_is_written_from_the_thresholds():
    text = " ".join(meteo.RULES_METEO)
    for level in meteo.METEOS:
        assert level in text
    assert "50\u202f%" in text and "25\u202f%" in text and "75\u202f%" in text
    assert "en retard, en pause, bloquée ou abandonnée" in text


def test_every_level_has_a_colour_and_a_pictogram():
    assert set(meteo.METEO_COLORS) == set(meteo.METEOS) == set(meteo.METEO_SYMBOLS)
