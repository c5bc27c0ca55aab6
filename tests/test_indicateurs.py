"""Indicator values against real DuckDB files: history, time travel, summaries, demo, export."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ptlcd_data import demo, store
from ptlcd_data.access import journal
from ptlcd_data.build import build
from ptlcd_data.cli import main
from ptlcd_data.demo import indicateurs as demo_indicateurs
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.indicateurs.valeurs import ValueRow
from tests.helpers import DATA_DIR
from tests.helpers.values import LECTURE, SAISIE, at, rate_series


def test_a_value_shows_from_the_day_it_was_recorded(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    seen = {
        d: valeurs.current_values(conn, date.fromisoformat(d), indicateurs=["I4.1.b"])
        for d in ("2018-03-14", "2018-03-15", "2019-12-31", "2030-01-01")
    }
    assert seen["2018-03-14"].empty
    assert seen["2018-03-15"]["annee"].tolist() == [2017]
    assert seen["2019-12-31"]["valeur"].tolist() == [20.0, 25.0]
    assert seen["2030-01-01"]["valeur"].tolist() == [20.0, 25.0, 24.0]


def test_a_replaced_value_stays_in_history_and_the_latest_is_current(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    valeurs.record_values(
        conn,
        SAISIE,
        [ValueRow("I4.1.b", "NM", 2018, 27.5, 26.0, "Rectorat", "chiffre révisé",
                  enregistre_le=at("2019-06-01 09:00"))],
    )  # fmt: skip
    before = valeurs.current_values(conn, date(2019, 5, 31), indicateurs=["I4.1.b"])
    after = valeurs.current_values(conn, date(2019, 6, 1), indicateurs=["I4.1.b"])
    assert before.loc[before["annee"] == 2018, "valeur"].item() == 25.0
    assert after.loc[after["annee"] == 2018, "valeur"].item() == 27.5
    assert after.loc[after["annee"] == 2018, "commentaire"].item() == "chiffre révisé"
    history = valeurs.value_history(conn, date(2030, 1, 1), "I4.1.b")
    of_2018 = history[history["annee"] == 2018]
    assert of_2018["valeur"].tolist() == [25.0, 27.5]
    assert of_2018["actuelle"].tolist() == [False, True]
    assert conn.execute("SELECT count(*) FROM indicateur_valeur").fetchone()[0] == 4


def test_same_timestamp_the_later_record_wins(conn):
    same = at("2019-03-15 10:00")
    valeurs.record_values(conn, SAISIE, [ValueRow("I4.1.b", "NM", 2018, 1.0, enregistre_le=same)])
    valeurs.record_values(conn, SAISIE, [ValueRow("I4.1.b", "NM", 2018, 2.0, enregistre_le=same)])
    assert valeurs.current_values(conn, date(2020, 1, 1))["valeur"].tolist() == [2.0]


def test_a_withdrawn_value_disappears_from_then_on(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    valeurs.record_values(
        conn,
        SAISIE,
        [ValueRow("I4.1.b", "NM", 2019, supprime=True, enregistre_le=at("2021-01-10 12:00"))],
    )
    assert 2019 in valeurs.current_values(conn, date(2021, 1, 9))["annee"].tolist()
    assert 2019 not in valeurs.current_values(conn, date(2021, 1, 10))["annee"].tolist()
    history = valeurs.value_history(conn, date(2030, 1, 1), "I4.1.b")
    assert history["supprime"].sum() == 1


def test_values_carry_their_provenance(conn):
    conn.execute(
        "INSERT INTO import_batch (id, fichier, sha256, auteur, cree_le, statut) "
        "VALUES (7, 'valeurs_2019.xlsx', 'abc', 'mme.a', TIMESTAMP '2020-03-01', 'publié')"
    )
    valeurs.record_values(conn, SAISIE, rate_series()[:1])
    valeurs.record_values(conn, SAISIE, rate_series()[1:2], import_id=7)
    values = valeurs.current_values(conn, date(2030, 1, 1))
    assert values["provenance"].tolist() == ["Saisie", "Import n° 7 (valeurs_2019.xlsx)"]
    assert values["auteur"].tolist() == ["mme.a", "mme.a"]
    assert values["enregistre_le"].tolist()[0] == pd.Timestamp("2018-03-15 10:00")


def test_recording_needs_the_saisie_role_and_is_journaled(conn):
    with pytest.raises(PermissionDenied):
        valeurs.record_values(conn, LECTURE, rate_series())
    assert conn.execute("SELECT count(*) FROM indicateur_valeur").fetchone()[0] == 0
    valeurs.record_values(conn, SAISIE, rate_series())
    entry = journal.entries(conn, operation="valeurs_indicateurs").iloc[0]
    assert entry["auteur"] == "mme.a"
    assert json.loads(entry["nouveau"])["nb"] == 3


def test_journal_keeps_the_old_value_of_a_replacement(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    valeurs.record_values(conn, SAISIE, [ValueRow("I4.1.b", "NM", 2019, 26.0)])
    ancien = json.loads(journal.entries(conn).iloc[0]["ancien"])
    assert ancien == [
        {"indicateur_code": "I4.1.b", "territoire_code": "NM", "annee": 2019, "valeur": 24.0,
         "cible": 30.0}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ValueRow("I9.9.z", "NM", 2019, 1.0), "indicateur « I9.9.z » absent du plan"),
        (ValueRow("I4.1.b", "PARIS", 2019, 1.0), "territoire « PARIS » absent du plan"),
        (ValueRow("I4.1.b", "NM", 2019, 1.0, periode="S1"), "période « S1 » inconnue"),
        (ValueRow("I4.1.b", "NM", 19, 1.0), "année « 19 » invalide"),
        (ValueRow("I4.1.b", "NM", 2019, float("inf")), "n'est pas un nombre"),
        (ValueRow("I4.1.b", "NM", 2019), "ni valeur ni cible"),
    ],
)
def test_refused_values_write_nothing(conn, row, message):
    with pytest.raises(InputError, match=message):
        valeurs.record_values(conn, SAISIE, [rate_series()[0], row])
    assert conn.execute("SELECT count(*) FROM indicateur_valeur").fetchone()[0] == 0


def test_a_target_alone_is_a_value_row(conn):
    valeurs.record_values(conn, SAISIE, [ValueRow("I4.1.b", "NM", 2024, cible=40.0)])
    values = valeurs.current_values(conn, date.today())
    assert values["cible"].tolist() == [40.0]
    assert values["valeur"].isna().all()


def test_summary_gives_initial_current_target_progress_trend_and_alerts(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    s = valeurs.series_summary(conn, date(2026, 1, 1), indicateurs=["I4.1.b"]).iloc[0]
    assert (s["annee_initiale"], s["valeur_initiale"]) == (2017, 20.0)
    assert (s["annee_actuelle"], s["valeur_actuelle"]) == (2019, 24.0)
    assert (s["annee_cible"], s["cible_finale"], s["cible_annee_actuelle"]) == (2019, 30.0, 30.0)
    assert s["avancement"] == pytest.approx(40.0)  # 100 × (24 − 20) / (30 − 20)
    assert s["derniers"] == [20.0, 25.0, 24.0]
    assert s["tendance"].startswith("en hausse")
    assert [a.split(" :")[0].split(",")[0] for a in s["alertes"]] == [
        "Pas de valeur pour 2025",
        "En retard sur la cible 2019",
    ]


def test_summary_as_of_an_earlier_date(conn):
    valeurs.record_values(conn, SAISIE, rate_series())
    s = valeurs.series_summary(conn, date(2019, 6, 30), indicateurs=["I4.1.b"]).iloc[0]
    assert s["valeur_actuelle"] == 25.0
    assert s["avancement"] == pytest.approx(100 * 5 / 6)
    assert len(s["alertes"]) == 1 and s["alertes"][0].startswith("En retard sur la cible 2018")


def test_summary_mirrors_a_decreasing_indicator(mini_conn):
    rows = [
        ValueRow("E2", "VN", 2020, 40.0, 35.0, enregistre_le=at("2021-02-01")),
        ValueRow("E2", "VN", 2021, 30.0, 20.0, enregistre_le=at("2022-02-01")),
    ]
    valeurs.record_values(mini_conn, SAISIE, rows)
    s = valeurs.series_summary(mini_conn, date(2022, 6, 1)).iloc[0]
    assert s["territoire"] == "Villeneuve"
    assert s["avancement"] == pytest.approx(50.0)  # (40 − 30) / (40 − 20)
    assert s["alertes"][0].startswith("En retard sur la cible 2021 : 30 réalisé")


def test_summary_by_objective_covers_its_indicators_only(conn):
    valeurs.record_values(conn, SAISIE, rate_series("I4.1.a") + rate_series("I2.1.a"))
    s = valeurs.series_summary(conn, date(2026, 1, 1), objectif_code="4.1")
    assert s["indicateur_code"].tolist() == ["I4.1.a"]


def test_small_multiples_keep_indicators_without_values(conn):
    valeurs.record_values(conn, SAISIE, rate_series("I4.1.b"))
    sm = valeurs.small_multiples(conn, date(2026, 1, 1), 4, "NM")
    axis_4 = conn.execute(
        "SELECT count(*) FROM indicateur i JOIN objectif o ON o.code = i.objectif_code "
        "WHERE o.axe_no = 4"
    ).fetchone()[0]
    assert sm["indicateur_code"].nunique() == axis_4
    assert sm.loc[sm["indicateur_code"] == "I4.1.b", "valeur"].tolist() == [20.0, 25.0, 24.0]
    assert sm.loc[sm["indicateur_code"] == "I4.1.a", "annee"].isna().all()
    assert valeurs.small_multiples(conn, date(2026, 1, 1), 4, "REZE")["annee"].isna().all()


def test_chart_queries_are_capped(conn):
    rows = [ValueRow("I4.1.b", "NM", y, 1.0) for y in range(2000, 2036)]
    valeurs.record_values(conn, SAISIE, rows)
    assert len(valeurs.small_multiples(conn, date.today(), 4, "NM", limit=10)) == 10
    assert len(valeurs.current_values(conn, date.today(), limit=7)) == 7


# -- demonstration values -----------------------------------------------------------------------


def test_demo_values_cover_every_indicator_2017_to_2022(demo_conn):
    n_ind = demo_conn.execute("SELECT count(*) FROM indicateur").fetchone()[0]
    got = demo_conn.execute(
        "SELECT count(DISTINCT indicateur_code), min(annee), max(annee), bool_and(demo), "
        "count(DISTINCT territoire_code) FROM indicateur_valeur"
    ).fetchone()
    assert got == (n_ind, 2017, 2022, True, 5)
    # every indicator is measured in the aggregate territory, every year
    per_ind = demo_conn.execute(
        "SELECT count(DISTINCT annee) FROM indicateur_valeur WHERE territoire_code = 'NM' "
        "GROUP BY indicateur_code"
    ).fetchall()
    assert {r[0] for r in per_ind} == {6}


def test_demo_values_are_recorded_early_the_following_year(demo_conn):
    offsets = demo_conn.execute(
        "SELECT DISTINCT year(enregistre_le) - annee, month(enregistre_le) <= 3 "
        "FROM indicateur_valeur"
    ).fetchall()
    assert offsets == [(1, True)]
    # so time travel shows them arriving: 2019 values are unknown on 31/12/2019
    early = valeurs.current_values(demo_conn, date(2019, 12, 31))
    assert early["annee"].max() == 2018


def test_demo_values_are_deterministic_and_not_duplicated(tmp_path, demo_conn):
    query = (
        "SELECT indicateur_code, territoire_code, annee, valeur, cible, enregistre_le "
        "FROM indicateur_valeur ORDER BY ALL"
    )
    first = demo_conn.execute(query).fetchall()
    with store.connect(tmp_path / "other.duckdb") as other:
        build(other, DATA_DIR, demo=True)
        assert other.execute(query).fetchall() == first
    build(demo_conn, DATA_DIR, demo=True)  # `init` again
    assert demo_conn.execute(query).fetchall() == first


def test_demo_values_include_corrections_and_plausible_rates(demo_conn):
    replaced = demo_conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM indicateur_valeur "
        "GROUP BY indicateur_code, territoire_code, annee HAVING count(*) > 1)"
    ).fetchone()[0]
    assert replaced > 0
    lo, hi = demo_conn.execute(
        "SELECT min(valeur), max(valeur) FROM indicateur_valeur v "
        "JOIN indicateur i ON i.code = v.indicateur_code WHERE i.unite = '%'"
    ).fetchone()
    assert 0 <= lo and hi <= 100


def test_demo_values_are_removed_with_the_other_demo_records(demo_conn):
    assert demo.demo_counts(demo_conn)["indicateur_valeur"] > 0
    valeurs.record_values(demo_conn, SAISIE, [ValueRow("I4.1.b", "NM", 2023, 30.0)])
    demo.remove_demo(demo_conn)
    assert demo_conn.execute("SELECT count(*) FROM indicateur_valeur").fetchone()[0] == 1


def test_demo_works_on_another_plan(mini_conn):
    with store.transaction(mini_conn):
        n = demo_indicateurs.generate(mini_conn)
    assert n > 0
    terr = {
        r[0]
        for r in mini_conn.execute(
            "SELECT DISTINCT territoire_code FROM indicateur_valeur"
        ).fetchall()
    }
    assert "AGGLO" in terr and terr <= {"AGGLO", "VN", "BOURG"}
    codes = mini_conn.execute("SELECT DISTINCT indicateur_code FROM indicateur_valeur").fetchall()
    assert {c[0] for c in codes} == {"M1", "E1", "E2"}


# -- command line -------------------------------------------------------------------------------


def test_cli_export_indicators_csv_with_as_of(db_path, tmp_path, capsys):
    with store.connect(db_path) as c:
        valeurs.record_values(c, SAISIE, rate_series())
    out = tmp_path / "ind.csv"
    argv = ["--db", str(db_path), "export", "indicators", "--format", "csv", "-o", str(out)]
    assert main([*argv, "--as-of", "2019-12-31"]) == 0
    assert "2 ligne(s)" in capsys.readouterr().out
    df = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert df.columns.tolist() == valeurs.EXPORT_COLUMNS
    assert df["annee"].tolist() == [2017, 2018]
    assert df["valeur"].tolist() == [20.0, 25.0]
    assert main(argv) == 0  # default: today
    assert len(pd.read_csv(out, sep=";", encoding="utf-8-sig")) == 3


def test_cli_export_indicators_xlsx_and_parquet(db_path, tmp_path):
    with store.connect(db_path) as c:
        c.execute(
            "INSERT INTO import_batch (id, fichier, sha256, auteur, cree_le, statut) "
            "VALUES (3, 'f.xlsx', 'x', 'a', TIMESTAMP '2020-01-01', 'publié')"
        )
        valeurs.record_values(c, SAISIE, rate_series(), import_id=3)
    xlsx, parquet = tmp_path / "i.xlsx", tmp_path / "i.parquet"
    assert main(["--db", str(db_path), "export", "indicators", "-o", str(xlsx)]) == 0
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("Indicateurs").to_python()
    assert sheet[0] == valeurs.EXPORT_COLUMNS
    assert sheet[1][:5] == ["I4.1.b", "NM", 2017, 20, 22]
    base = ["--db", str(db_path), "export", "indicators", "--format", "parquet"]
    assert main([*base, "-o", str(parquet), "--as-of", "31/12/2018"]) == 0
    df = pd.read_parquet(parquet)
    assert df.columns.tolist() == valeurs.EXPORT_COLUMNS
    assert df["import_id"].tolist() == [3]
