"""Lateness and slippage rules, for every calendar form, without a database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ptlcd_data.plan.calendar import parse_calendrier
from ptlcd_data.suivi.retards import (
    BARRE_PREVUE,
    BARRE_REELLE,
    annees_de_suivi,
    compute_retards,
    gantt_rows,
    months_between,
)
from ptlcd_data.vocabulary import source_plan

D = date
NA = None


def _row(calendrier, statut, debut_reel=None, fin_reelle=None, dernier=None):
    cal = parse_calendrier(calendrier)
    return {
        "action_no": 1,
        "calendrier_forme": cal.forme,
        "debut_prevu": cal.debut_prevu,
        "fin_prevue": cal.fin_prevue,
        "recurrente": cal.recurrente,
        "statut": statut,
        "debut_reel": debut_reel,
        "fin_reelle": fin_reelle,
        "date_dernier": dernier,
    }


def _rules(row, as_of):
    return compute_retards(pd.DataFrame([row]), as_of).iloc[0]


def _value(v):
    return None if pd.isna(v) else int(v)


# (calendrier, statut, debut_reel, fin_reelle, date_dernier, as_of,
#  en_retard, motif (part of), glissement_debut_mois, glissement_fin_mois)
CASES = [
    # « Fin 2018 »: an end, no start.
    ("Fin 2018", "En cours", D(2017, 9, 1), NA, D(2018, 1, 1), D(2018, 6, 30), False, NA, NA, NA),
    ("Fin 2018", "En cours", D(2017, 9, 1), NA, D(2018, 1, 1), D(2019, 3, 31), True, "31/12/2018 dépassée", NA, 3),
    ("Fin 2018", "Sans statut", NA, NA, NA, D(2019, 1, 1), True, "dépassée", NA, 0),
    ("Fin 2018", "Réalisé", D(2017, 9, 1), D(2019, 2, 28), D(2019, 2, 28), D(2020, 1, 1), False, NA, NA, 2),
    ("Fin 2018", "Réalisé", D(2017, 9, 1), D(2018, 6, 30), D(2018, 6, 30), D(2020, 1, 1), False, NA, NA, -6),
    ("Fin 2018", "Abandonné", NA, NA, D(2018, 3, 1), D(2020, 1, 1), False, NA, NA, NA),
    # « 2017-2019 »: a start year and an end.
    ("2017-2019", "À venir", NA, NA, D(2017, 7, 1), D(2017, 12, 31), False, NA, 12, NA),
    ("2017-2019", "À venir", NA, NA, D(2017, 7, 1), D(2018, 1, 1), True, "Toujours « À venir » après 2017", 12, NA),
    ("2017-2019", "Sans statut", NA, NA, NA, D(2018, 6, 1), True, "Sans statut après 2017", 17, NA),
    ("2017-2019", "À discuter", NA, NA, D(2017, 7, 1), D(2018, 6, 1), False, NA, 17, NA),
    ("2017-2019", "En cours", D(2018, 3, 1), NA, D(2018, 3, 1), D(2018, 6, 1), False, NA, 14, NA),
    ("2017-2019", "En pause", D(2017, 3, 1), NA, D(2018, 3, 1), D(2018, 6, 1), False, NA, 2, NA),
    ("2017-2019", "En cours", D(2017, 3, 1), NA, D(2018, 3, 1), D(2020, 1, 1), True, "31/12/2019 dépassée", 2, 0),
    ("2017-2019", "Réalisé", D(2017, 3, 1), D(2019, 11, 30), D(2019, 11, 30), D(2021, 1, 1), False, NA, 2, -1),
    # « 2019 »: one year.
    ("2019", "À venir", NA, NA, D(2017, 7, 1), D(2019, 6, 30), False, NA, 6, NA),
    ("2019", "À venir", NA, NA, D(2017, 7, 1), D(2020, 1, 15), True, "31/12/2019 dépassée", 12, 0),
    ("2019", "En cours", D(2019, 3, 1), NA, D(2019, 3, 1), D(2019, 12, 31), False, NA, 2, NA),
    ("2019", "Bloqué", D(2019, 3, 1), NA, D(2019, 9, 1), D(2020, 3, 1), True, "dépassée", 2, 2),
    # « Dès 2017 »: a start year, no end.
    ("Dès 2017", "À venir", NA, NA, D(2017, 7, 1), D(2017, 11, 30), False, NA, 11, NA),
    ("Dès 2017", "À venir", NA, NA, D(2017, 7, 1), D(2018, 1, 1), True, "Toujours « À venir » après 2017", 12, NA),
    ("Dès 2017", "Sans statut", NA, NA, NA, D(2025, 1, 1), True, "Sans statut après 2017", 96, NA),
    ("Dès 2017", "En cours", D(2017, 7, 1), NA, D(2017, 7, 1), D(2030, 1, 1), False, NA, 6, NA),
    ("Dès 2017", "Abandonné", NA, NA, D(2018, 1, 1), D(2019, 1, 1), False, NA, NA, NA),
    # « annuelle »: a record is expected every year; never late by a date.
    ("annuelle", "En cours", D(2017, 8, 1), NA, D(2019, 5, 1), D(2019, 12, 31), False, NA, NA, NA),
    ("annuelle", "En cours", D(2017, 8, 1), NA, D(2019, 5, 1), D(2020, 1, 10), True, "Aucun enregistrement en 2020", NA, NA),
    ("annuelle", "Sans statut", NA, NA, NA, D(2018, 1, 1), True, "Aucun enregistrement en 2018", NA, NA),
    ("annuelle", "Réalisé", D(2017, 8, 1), D(2019, 12, 1), D(2019, 12, 1), D(2020, 2, 1), True, "en 2020", NA, NA),
    ("annuelle", "Abandonné", NA, NA, D(2018, 1, 1), D(2020, 1, 1), False, NA, NA, NA),
    # « Engagé… » (already started when the plan was written): never late by a date.
    ("Engagé", "En cours", D(2017, 7, 1), NA, D(2017, 7, 1), D(2030, 1, 1), False, NA, NA, NA),
    ("Engagé et à renforcer", "Sans statut", NA, NA, NA, D(2030, 1, 1), False, NA, NA, NA),
    # No calendar: never late by a date.
    ("", "Sans statut", NA, NA, NA, D(2030, 1, 1), False, NA, NA, NA),
    ("", "À venir", NA, NA, D(2017, 7, 1), D(2030, 1, 1), False, NA, NA, NA),
]  # fmt: skip


@pytest.mark.parametrize(
    ("calendrier", "statut", "debut_reel", "fin_reelle", "dernier", "as_of", "late", "motif", "g_debut", "g_fin"),
    CASES,
)  # fmt: skip
def test_lateness_and_slippage_rules(
    calendrier, statut, debut_reel, fin_reelle, dernier, as_of, late, motif, g_debut, g_fin
):
    out = _rules(_row(calendrier, statut, debut_reel, fin_reelle, dernier), as_of)
    assert bool(out["en_retard"]) is late
    if motif:
        assert motif in out["motif_retard"]
    else:
        assert out["motif_retard"] is None
    assert _value(out["glissement_debut_mois"]) == g_debut
    assert _value(out["glissement_fin_mois"]) == g_fin


def test_rules_work_on_many_rows_at_once():
    rows = [_row("Fin 2018", "En cours"), _row("annuelle", "En cours", dernier=D(2019, 1, 1))]
    out = compute_retards(pd.DataFrame(rows), D(2019, 6, 1))
    assert out["en_retard"].tolist() == [True, False]


def test_nothing_is_late_before_the_plan_date():
    rows = [_row("annuelle", "Sans statut"), _row("Fin 2018", "Sans statut")]
    df = pd.DataFrame(rows)
    assert compute_retards(df, D(2019, 1, 1), D(2017, 7, 1))["en_retard"].all()
    assert not compute_retards(df, D(2017, 6, 30), D(2017, 7, 1))["en_retard"].any()


def test_closed_action_is_never_late_even_past_every_date():
    for statut in ("Réalisé", "Abandonné"):
        out = _rules(_row("2017", statut, D(2017, 1, 1)), D(2030, 1, 1))
        assert not out["en_retard"]


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2018, 12, 31), D(2019, 3, 31), 3),
        (D(2017, 1, 1), D(2017, 7, 1), 6),
        (D(2019, 1, 1), D(2018, 1, 1), -12),
        (D(2019, 1, 1), D(2019, 1, 10), 0),
        (None, D(2019, 1, 10), None),
    ],
)
def test_months_between_rounds_to_the_nearest_month(start, end, months):
    out = months_between(pd.Series([start]), pd.Series([end]))
    assert _value(out.iloc[0]) == months


def test_source_label_is_built_from_the_plan_date():
    assert source_plan(D(2017, 7, 1)) == "plan 2017 (document de travail)"
    assert source_plan(D(2021, 3, 1)) == "plan 2021 (document de travail)"


def test_years_of_follow_up_end_with_the_observation_date():
    assert annees_de_suivi(D(2017, 7, 1), D(2019, 5, 1)) == [
        D(2017, 12, 31),
        D(2018, 12, 31),
        D(2019, 5, 1),
    ]
    assert annees_de_suivi(D(2017, 7, 1), D(2018, 12, 31)) == [D(2017, 12, 31), D(2018, 12, 31)]


GANTT_AS_OF = D(2020, 1, 1)


def _gantt(calendrier, statut, debut_reel=None, fin_reelle=None, dernier=None, as_of=GANTT_AS_OF):
    row = {
        **_row(calendrier, statut, debut_reel, fin_reelle, dernier),
        "axe_no": 1,
        "axe": "Axe",
        "action": "Action",
        "calendrier": calendrier,
    }
    etat = compute_retards(pd.DataFrame([row]), as_of)
    rows = gantt_rows(etat, as_of, D(2017, 7, 1))
    return {r["barre"]: r for r in rows.to_dict("records")}


def test_gantt_planned_bar_of_an_end_only_action_starts_at_the_plan_date():
    bars = _gantt("Fin 2018", "En cours", D(2018, 2, 1))
    assert bars[BARRE_PREVUE]["debut"] == pd.Timestamp(2017, 7, 1)
    assert bars[BARRE_PREVUE]["fin"] == pd.Timestamp(2018, 12, 31)
    assert not bars[BARRE_PREVUE]["ouvert"]
    assert bars[BARRE_REELLE]["debut"] == pd.Timestamp(2018, 2, 1)
    assert bars[BARRE_REELLE]["fin"] == pd.Timestamp(2020, 1, 1)  # still running
    assert bars[BARRE_REELLE]["ouvert"]


def test_gantt_open_ended_and_unplanned_actions():
    assert _gantt("Dès 2017", "À venir")[BARRE_PREVUE]["ouvert"]
    assert BARRE_REELLE not in _gantt("Dès 2017", "À venir")
    assert BARRE_PREVUE not in _gantt("", "En cours", D(2018, 1, 1))
    done = _gantt("2018", "Réalisé", D(2018, 1, 1), D(2018, 9, 1))[BARRE_REELLE]
    assert done["fin"] == pd.Timestamp(2018, 9, 1) and not done["ouvert"]
    dropped = _gantt("2018", "Abandonné", D(2018, 1, 1), None, D(2018, 5, 1))[BARRE_REELLE]
    assert dropped["fin"] == pd.Timestamp(2018, 5, 1) and not dropped["ouvert"]


def test_every_status_and_level_has_one_colour():
    from ptlcd_data.vocabulary import NIVEAUX_AFFICHES, STATUTS_AFFICHES
    from ui.charts import NIVEAU_COLORS, STATUT_COLORS

    assert list(STATUT_COLORS) == list(STATUTS_AFFICHES)
    assert list(NIVEAU_COLORS) == list(NIVEAUX_AFFICHES)
    assert len(set(STATUT_COLORS.values())) == len(STATUT_COLORS)
