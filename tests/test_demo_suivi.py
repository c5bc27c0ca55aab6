"""Demonstration history: deterministic, marked, plausible, removable; status/engagement exports."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ptlcd_data import demo, store
from ptlcd_data.build import build
from ptlcd_data.cli import main
from ptlcd_data.demo.suivi import AUTEUR_DEMO, add_months
from ptlcd_data.suivi import status_queries
from ptlcd_data.vocabulary import NIVEAUX, STATUTS
from tests.helpers import DATA_DIR, MINI_PLAN
from tests.helpers.spec import EXPORT_STATUS_COLUMNS

COLUMNS = "action_no, date_effet, statut, avancement, commentaire, auteur, source, enregistre_le"


def _history(conn):
    statuts = conn.execute(
        f"SELECT {COLUMNS} FROM statut_record WHERE demo ORDER BY ALL"  # noqa: S608
    ).fetchall()
    engagements = conn.execute(
        "SELECT action_no, territoire_code, date_effet, niveau, enregistre_le "
        "FROM engagement_record WHERE demo ORDER BY ALL"
    ).fetchall()
    return statuts, engagements


def test_demo_history_is_deterministic(demo_conn, tmp_path):
    with store.connect(tmp_path / "again.duckdb") as other:
        build(other, DATA_DIR, demo=True)
        assert _history(other) == _history(demo_conn)


def test_regenerating_does_not_duplicate(demo_conn):
    before = _history(demo_conn)
    build(demo_conn, DATA_DIR, demo=True)
    assert _history(demo_conn) == before


def test_demo_records_are_marked_and_span_the_plan_s_first_six_years(demo_conn):
    df = demo_conn.execute(
        "SELECT date_effet, statut, auteur, source FROM statut_record WHERE demo"
    ).df()
    assert len(df) > 100
    assert set(df["auteur"]) == {AUTEUR_DEMO} and set(df["source"]) == {"démonstration"}
    assert df["date_effet"].min() >= pd.Timestamp(2017, 7, 1)
    assert df["date_effet"].max() <= pd.Timestamp(2022, 12, 31)
    assert set(df["statut"]) <= set(STATUTS)
    assert {"En cours", "Réalisé", "À venir"} <= set(df["statut"])
    eng = demo_conn.execute("SELECT DISTINCT niveau FROM engagement_record WHERE demo").df()
    assert set(eng["niveau"]) <= set(NIVEAUX)


def test_demo_history_shows_progress_and_lateness(demo_conn):
    start = status_queries.action_states(demo_conn, date(2017, 12, 31))
    end = status_queries.action_states(demo_conn, date(2022, 12, 31))
    assert (start["statut"] == "Réalisé").sum() < (end["statut"] == "Réalisé").sum()
    assert end["en_retard"].any()
    assert end["glissement_fin_mois"].dropna().gt(0).any()


def test_removing_demo_keeps_the_initial_state_from_the_plan(demo_conn):
    demo.remove_demo(demo_conn)
    assert not demo.has_demo(demo_conn)
    row = status_queries.action_state(demo_conn, 9, date(2030, 1, 1))
    assert row["statut"] == "En cours" and row["source"] == "plan 2017 (document de travail)"


def test_init_no_demo_builds_without_them(tmp_path):
    db = tmp_path / "x.duckdb"
    assert main(["--db", str(db), "init", "--no-demo"]) == 0
    with store.connect(db) as c:
        assert not demo.has_demo(c)
        assert c.execute("SELECT count(*) FROM statut_record").fetchone()[0] > 0


def test_demo_on_another_plan_starts_at_its_date(tmp_path):
    with store.connect(tmp_path / "mini.duckdb") as c:
        build(c, MINI_PLAN, demo=True)
        first, last = c.execute(
            "SELECT min(date_effet), max(date_effet) FROM statut_record WHERE demo"
        ).fetchone()
    assert first >= date(2020, 3, 1) and last <= date(2025, 12, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2017, 7, 1), 6, date(2018, 1, 1)),
        (date(2017, 1, 31), 1, date(2017, 2, 28)),
        (date(2018, 3, 15), -3, date(2017, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --- command line --------------------------------------------------------------------------


def test_cli_export_status_csv(db_path, tmp_path):
    out = tmp_path / "statuts.csv"
    argv = ["--db", str(db_path), "export", "status", "--as-of", "2019-01-01", "--format", "csv"]
    assert main([*argv, "-o", str(out)]) == 0
    df = pd.read_csv(out, sep=";", encoding="utf-8-sig")
    assert list(df.columns) == EXPORT_STATUS_COLUMNS
    assert len(df) == 34
    row = df.set_index("action_no").loc[10]  # planned for 2018, nothing recorded
    assert (row["statut"], bool(row["en_retard"])) == ("Sans statut", True)
    assert row["glissement_fin_mois"] == 0
    assert df.set_index("action_no").loc[9, "date_derniere_mise_a_jour"] == "2017-07-01"


def test_cli_export_status_respects_as_of(db_path, tmp_path):
    out = tmp_path / "statuts.csv"
    argv = ["--db", str(db_path), "export", "status", "--as-of", "31/12/2016", "-o", str(out)]
    assert main(argv) == 0
    df = pd.read_csv(out, sep=";", encoding="utf-8-sig")
    assert set(df["statut"]) == {"Sans statut"}


def test_cli_export_engagement_xlsx(db_path, tmp_path):
    out = tmp_path / "engagements.xlsx"
    argv = ["--db", str(db_path), "export", "engagement", "--as-of", "2018-01-01"]
    assert main([*argv, "--format", "xlsx", "-o", str(out)]) == 0
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Engagements").to_python()
    assert rows[0][:4] == ["action_no", "territoire_code", "territoire", "niveau"]
    assert len(rows) == 1 + 34 * 5
    nine = {r[1]: r[3] for r in rows[1:] if r[0] == 9}
    assert nine == {
        "NM": "Engagée",
        "NANTES": "Engagée",
        "REZE": "Engagée",
        "ST_HERBLAIN": "Engagée",
        "ORVAULT": "À engager",
    }
