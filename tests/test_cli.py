"""The command line, as IT staff script it."""

from __future__ import annotations

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ptlcd_data.cli import main
from tests.helpers import MINI_PLAN, run_cli


def test_init_then_export_plan_csv(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "init", "--no-demo"]) == 0
    assert "actions : 34" in capsys.readouterr().out
    out = tmp_path / "plan.csv"
    assert main(["--db", str(db), "export", "plan", "--format", "csv", "-o", str(out)]) == 0
    df = pd.read_csv(out, sep=";", encoding="utf-8-sig")
    assert len(df) == 34
    assert {"action_no", "debut_prevu", "fin_prevue", "recurrente", "engagement_NANTES"} <= set(
        df.columns
    )
    fin_2018 = df[df["calendrier"] == "Fin 2018"]
    assert not fin_2018.empty and (fin_2018["fin_prevue"] == "2018-12-31").all()


def test_export_plan_xlsx_has_real_dates(tmp_path):
    db = tmp_path / "cli.duckdb"
    out = tmp_path / "plan.xlsx"
    assert main(["--db", str(db), "init", "--no-demo"]) == 0
    assert main(["--db", str(db), "export", "plan", "-o", str(out)]) == 0
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Plan").to_python()
    header = sheet[0]
    assert header[0] == "action_no"
    assert len(sheet) == 35
    fin = header.index("fin_prevue")
    assert any(type(row[fin]).__name__ in {"date", "datetime"} for row in sheet[1:])


def test_init_accepts_another_plan(tmp_path, capsys):
    db = tmp_path / "mini.duckdb"
    assert main(["--db", str(db), "--data", str(MINI_PLAN), "init"]) == 0
    assert "actions : 4" in capsys.readouterr().out


def test_refused_data_exits_1_with_french_message(tmp_path, capsys):
    empty = tmp_path / "vide"
    empty.mkdir()
    assert main(["--db", str(tmp_path / "x.duckdb"), "--data", str(empty), "init"]) == 1
    err = capsys.readouterr().err
    assert "Fichier du plan manquant" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["export"],
        ["export", "inconnu", "-o", "x.csv"],
        ["init", "--nimporte"],
        ["report", "-o", "x.pdf"],
        ["report", "--year", "deux-mille", "-o", "x.pdf"],
        ["report", "--year", "2019"],
    ],
)
def test_usage_errors_exit_2_in_french(argv):
    proc = run_cli(*argv)
    assert proc.returncode == 2
    assert "erreur" in proc.stderr


def test_unknown_format_exits_1(tmp_path, capsys):
    db = tmp_path / "x.duckdb"
    main(["--db", str(db), "init", "--no-demo"])
    assert main(["--db", str(db), "export", "plan", "-o", str(tmp_path / "plan.pdf")]) == 1
    assert "Format « pdf » inconnu" in capsys.readouterr().err
