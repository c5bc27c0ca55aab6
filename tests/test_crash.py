"""Crash safety: a write killed (SIGKILL) at any moment leaves the database before or after."""

from __future__ import annotations

import shutil

from ptlcd_data import store
from ptlcd_data.build import open_store
from ptlcd_data.plan import queries
from ptlcd_data.settings import Settings
from tests.helpers import DATA_DIR
from tests.helpers.crash import kill_at_random_moments

RUNS = 12


def _app_opens(db) -> None:
    conn = open_store(Settings(db_path=db, data_dir=DATA_DIR))
    try:
        assert len(queries.action_numbers(conn)) == 34
        assert store.revision(conn) >= 1
    finally:
        conn.close()


def test_killed_large_demo_generation_is_all_or_nothing(db_path, tmp_path):
    pristine = tmp_path / "pristine.duckdb"
    shutil.copyfile(db_path, pristine)
    outcomes = kill_at_random_moments(
        pristine, ["demo", "--scale", "large"], tmp_path, runs=RUNS, seed=7, check_app=_app_opens
    )
    assert sum(outcomes.values()) == RUNS


def test_killed_import_is_all_or_nothing(db_path, tmp_path):
    from tests.helpers import import_files as f

    rows = [
        [code, "", terr, year, 10 + i, 20 + i]
        for i, (code, terr, year) in enumerate(
            (c, t, y)
            for c in ("I1.1.a", "I1.1.b", "I2.1.a", "I3.1.a", "I4.2.b")
            for t in ("Nantes", "Rezé", "Orvault", "Saint-Herblain", "Nantes Métropole")
            for y in range(2017, 2023)
        )
    ]
    sheet = tmp_path / "releve.xlsx"
    sheet.write_bytes(f.indicateurs(*rows))
    pristine = tmp_path / "pristine.duckdb"
    shutil.copyfile(db_path, pristine)
    outcomes = kill_at_random_moments(
        pristine,
        ["import", str(sheet), "--user", "agent"],
        tmp_path,
        runs=RUNS,
        seed=11,
        check_app=_app_opens,
    )
    assert sum(outcomes.values()) == RUNS
