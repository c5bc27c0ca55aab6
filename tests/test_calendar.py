from __future__ import annotations

from datetime import date

import pytest

from ptlcd_data.errors import PlanDataError
from ptlcd_data.plan.calendar import parse_calendrier


@pytest.mark.parametrize(
    ("text", "debut", "fin", "recurrente", "deja", "forme"),
    [
        ("Dès 2017", date(2017, 1, 1), None, False, False, "dès"),
        ("Des 2017", date(2017, 1, 1), None, False, False, "dès"),
        ("dès  2018", date(2018, 1, 1), None, False, False, "dès"),
        ("Fin 2018", None, date(2018, 12, 31), False, False, "fin"),
        ("2019", date(2019, 1, 1), date(2019, 12, 31), False, False, "année"),
        ("2017", date(2017, 1, 1), date(2017, 12, 31), False, False, "année"),
        ("2020", date(2020, 1, 1), date(2020, 12, 31), False, False, "année"),
        ("annuelle", None, None, True, False, "annuelle"),
        ("Annuelle", None, None, True, False, "annuelle"),
        ("Engagé et à renforcer", None, None, False, True, "déjà engagée"),
        ("Engage et a renforcer", None, None, False, True, "déjà engagée"),
        ("", None, None, False, False, "non planifiée"),
        (None, None, None, False, False, "non planifiée"),
        ("à préciser", None, None, False, False, "non planifiée"),
        ("2017-2019", date(2017, 1, 1), date(2019, 12, 31), False, False, "période"),
    ],
)
def test_calendar_forms(text, debut, fin, recurrente, deja, forme):
    cal = parse_calendrier(text)
    assert (cal.debut_prevu, cal.fin_prevue, cal.recurrente, cal.deja_engagee, cal.forme) == (
        debut,
        fin,
        recurrente,
        deja,
        forme,
    )


@pytest.mark.parametrize("text", ["bientôt", "2019-2017", "Fin 18"])
def test_unknown_calendar_is_refused_in_french(text):
    with pytest.raises(PlanDataError, match="Calendrier"):
        parse_calendrier(text)


def test_every_calendar_of_the_plan_is_understood(conn):
    forms = {r[0] for r in conn.execute("SELECT DISTINCT calendrier_forme FROM action").fetchall()}
    assert forms <= {"dès", "fin", "année", "annuelle", "déjà engagée", "non planifiée", "période"}
    # The seed uses at least these forms; the test fails if the transcription lost them.
    assert {"dès", "fin", "année", "annuelle", "déjà engagée"} <= forms
