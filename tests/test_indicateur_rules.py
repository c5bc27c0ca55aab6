"""Progress toward target (PILOTE), trend and alerts: pure rules on tables of cases."""

from __future__ import annotations

import pytest

from ptlcd_data.indicateurs.rules import Series, alerts, format_value, progress, trend

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("initial", "current", "target", "sens", "percent", "note"),
    [
        # increasing indicator: a quarter, half, all of the way
        (10, 15, 30, "hausse", 25.0, ""),
        (10, 20, 30, "hausse", 50.0, ""),
        (10, 30, 30, "hausse", 100.0, "cible atteinte"),
        # beyond the target is capped at 100, going backwards at 0
        (10, 45, 30, "hausse", 100.0, "cible atteinte"),
        (10, 5, 30, "hausse", 0.0, ""),
        # decreasing indicator (e.g. a delay in days): mirrored
        (40, 30, 20, "baisse", 50.0, ""),
        (40, 35, 20, "baisse", 25.0, ""),
        (40, 50, 20, "baisse", 0.0, ""),
        (40, 10, 20, "baisse", 100.0, "cible atteinte"),
        # target already met at the start: 100 while it stays met, 0 once lost
        (50, 55, 40, "hausse", 100.0, "cible déjà atteinte au départ"),
        (50, 35, 40, "hausse", 0.0, "cible déjà atteinte au départ"),
        (10, 12, 30, "baisse", 100.0, "cible déjà atteinte au départ"),
        (30, 30, 30, "hausse", 100.0, "cible déjà atteinte au départ"),
        # no target, no initial value: no progress, and the reason in words
        (10, 20, None, "hausse", None, "pas de cible"),
        (None, 20, 30, "hausse", None, "pas de valeur initiale"),
        (float("nan"), 20, 30, "hausse", None, "pas de valeur initiale"),
        (10, None, 30, "hausse", None, "pas de valeur actuelle"),
    ],
)
def test_progress_is_computed_the_pilote_way(initial, current, target, sens, percent, note):
    p = progress(initial, current, target, sens)
    assert p.percent == (None if percent is None else pytest.approx(percent))
    assert p.note == note


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10, 12, 15], "hausse"),
        ([15, 12, 10], "baisse"),
        ([100, 101, 100], "stable"),
        ([0, 0, 0], "stable"),
        # only the last three values count: an old fall does not hide a recent rise
        ([50, 10, 12, 15], "hausse"),
        ([10, 12], "hausse"),
        ([10], None),
        ([], None),
    ],
)
def test_trend_over_the_last_periods(values, expected):
    assert trend(values) == expected


def _series(**kw) -> Series:
    base = {
        "sens": "hausse",
        "unite": "nombre",
        "annee_initiale": 2017,
        "valeur_initiale": 10.0,
        "annee_actuelle": 2022,
        "valeur_actuelle": 30.0,
        "cible_finale": 30.0,
        "annee_cible": 2022,
        "cible_annee_actuelle": 30.0,
        "derniers": (20.0, 25.0, 30.0),
    }
    return Series(**(base | kw))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"annee_actuelle": None, "valeur_actuelle": None, "derniers": ()}, ["Aucune valeur"]),
        ({"annee_actuelle": 2021}, ["Pas de valeur pour 2022"]),
        (
            {"derniers": (30.0, 25.0, 20.0), "valeur_actuelle": 20.0, "cible_annee_actuelle": 15.0},
            ["Tendance en baisse"],
        ),
        ({"sens": "baisse", "cible_annee_actuelle": 40.0}, ["Tendance en hausse"]),
        ({"cible_annee_actuelle": 35.0}, ["En retard sur la cible 2022 : 30 réalisé"]),
        (
            {"sens": "baisse", "derniers": (40.0, 35.0, 30.0), "cible_annee_actuelle": 25.0},
            ["En retard"],
        ),
        # a value beyond a "baisse" target is not late; no target that year, no lateness alert
        ({"sens": "baisse", "derniers": (40.0, 35.0, 30.0), "cible_annee_actuelle": 35.0}, []),
        ({"cible_annee_actuelle": None}, []),
        (
            {"annee_actuelle": 2020, "derniers": (30.0, 25.0, 20.0), "valeur_actuelle": 20.0},
            ["Pas de valeur pour 2022", "Tendance en baisse", "En retard sur la cible 2020"],
        ),
    ],
)
def test_alert_rules(changes, expected):
    found = alerts(_series(**changes), last_complete_year=2022)
    assert len(found) == len(expected), found
    for sentence, start in zip(found, expected, strict=True):
        assert sentence.startswith(start), sentence


def test_lateness_alert_names_values_in_french_format():
    s = _series(unite="%", valeur_actuelle=12.5, cible_annee_actuelle=20.0)
    (sentence,) = alerts(s, last_complete_year=2022)
    assert f"12,5{NNBSP}% réalisé pour une cible de 20{NNBSP}%" in sentence


@pytest.mark.parametrize(
    ("value", "unite", "text"),
    [
        (12345, "nombre", f"12{NNBSP}345"),
        (45.5, "%", f"45,5{NNBSP}%"),
        (45.0, "%", f"45{NNBSP}%"),
        (3.75, "jours", "3,8 jours"),
        (None, "nombre", "—"),
        (float("nan"), "%", "—"),
    ],
)
def test_values_are_written_in_french(value, unite, text):
    assert format_value(value, unite) == text


# --- the column-wise rules give the same table as the rules stated one series at a time ----------


def _reference_apply_rules(df, last_year):  # type: ignore[no-untyped-def]
    """The per-series loop `indicateurs.apply_rules` replaced: the rules as they are stated."""
    import math

    import pandas as pd

    from ptlcd_data.indicateurs.rules import series_progress, trend_text

    def opt(value):  # type: ignore[no-untyped-def]
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        return value

    rows = []
    for row in df.itertuples(index=False):
        listed = row.derniers_desc
        listed = [] if listed is None or isinstance(listed, float) else list(listed)
        recent = tuple(float(v) for v in reversed(listed))
        years = {
            k: opt(getattr(row, k)) for k in ("annee_initiale", "annee_actuelle", "annee_cible")
        }
        s = Series(
            sens=str(row.sens),
            unite=str(row.unite),
            annee_initiale=None
            if years["annee_initiale"] is None
            else int(years["annee_initiale"]),
            valeur_initiale=opt(row.valeur_initiale),
            annee_actuelle=None
            if years["annee_actuelle"] is None
            else int(years["annee_actuelle"]),
            valeur_actuelle=opt(row.valeur_actuelle),
            cible_finale=opt(row.cible_finale),
            annee_cible=None if years["annee_cible"] is None else int(years["annee_cible"]),
            cible_annee_actuelle=opt(row.cible_annee_actuelle),
            derniers=recent,
        )
        p = series_progress(s)
        rows.append(
            {
                "derniers": list(recent),
                "avancement": math.nan if p.percent is None else p.percent,
                "avancement_note": p.note,
                "tendance": trend_text(s),
                "alertes": alerts(s, last_year),
            }
        )
    return rows


def _random_summary(n: int, seed: int):  # type: ignore[no-untyped-def]
    """Summary rows as DuckDB returns them, drawn so that ties and limits come up often:
    equal values, a target met at the start, exactly 100 %, a change of exactly 5 %."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    levels = [None, 0.0, 1.0, 19.0, 20.0, 21.0, 40.0, 100.0, 12.5, 0.45, 1234.5]
    rows = []
    for _ in range(n):
        k = rng.choice([0, 1, 2, 3, 3, 3])
        last = [rng.choice([20.0, 21.0, 19.0, 40.0, 0.0, 105.0, 12.5]) for _ in range(k)]
        year = None if k == 0 else rng.choice([2017, 2020, 2024, 2025])
        rows.append(
            {
                "sens": rng.choice(["hausse", "baisse"]),
                "unite": rng.choice(["%", "nombre", "jours"]),
                "annee_initiale": None if year is None else 2015,
                "valeur_initiale": None if k == 0 else rng.choice(levels),
                "annee_actuelle": year,
                "valeur_actuelle": None if k == 0 else rng.choice(levels),
                "annee_cible": rng.choice([None, 2026]),
                "cible_finale": rng.choice(levels),
                "cible_annee_actuelle": rng.choice(levels),
                "derniers_desc": None if k == 0 else last,
            }
        )
    df = pd.DataFrame(rows)
    for col in ("annee_initiale", "annee_actuelle", "annee_cible"):
        df[col] = df[col].astype("Int32")  # DuckDB's INTEGER with NULLs
    for col in ("valeur_initiale", "valeur_actuelle", "cible_finale", "cible_annee_actuelle"):
        df[col] = df[col].astype("float64")
    return df


@pytest.mark.parametrize("seed", range(5))
def test_column_wise_rules_give_the_same_table_as_the_stated_rules(seed):
    import math

    from ptlcd_data.indicateurs.valeurs import apply_rules

    df = _random_summary(2_000, seed)
    got = apply_rules(df, 2025)
    expected = _reference_apply_rules(df, 2025)
    assert len(got) == len(expected)
    for i, want in enumerate(expected):
        row = got.iloc[i]
        assert row["derniers"] == want["derniers"], i
        assert row["avancement_note"] == want["avancement_note"], i
        if math.isnan(want["avancement"]):
            assert math.isnan(row["avancement"]), i
        else:
            assert row["avancement"] == want["avancement"], i
        assert row["tendance"] == want["tendance"], i
        assert row["alertes"] == want["alertes"], i
    # The draw does reach every rule.
    notes = {w["avancement_note"] for w in expected}
    assert {"cible atteinte", "cible déjà atteinte au départ", "pas de cible"} <= notes
    texts = " ".join(a for w in expected for a in w["alertes"])
    assert "Tendance" in texts and "En retard" in texts and "Aucune valeur" in texts
    assert {"stable", "en hausse", "en baisse"} <= {w["tendance"].split(" (")[0] for w in expected}


def test_words_added_to_some_rows_are_those_of_the_whole_table():
    """The synthèse asks for the words of its reference rows only (`with_words`): the same
    trend and alerts as when every row gets them."""
    from ptlcd_data.indicateurs.valeurs import apply_rules, with_words

    df = _random_summary(500, 7)
    whole = apply_rules(df, 2025)
    bare = apply_rules(df, 2025, words=False)
    assert "tendance" not in bare.columns and "alertes" not in bare.columns
    some = with_words(bare.iloc[::7], 2025)
    assert some["tendance"].tolist() == whole.iloc[::7]["tendance"].tolist()
    assert some["alertes"].tolist() == whole.iloc[::7]["alertes"].tolist()
