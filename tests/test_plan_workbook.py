"""The plan as one workbook: plan export, plan import (Vérifier → Publier), init --plan."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.cli import main
from ptlcd_data.plan import edits, version_diff, versions
from ptlcd_data.settings import Settings
from ptlcd_data.store import backups
from tests.helpers import MINI_PLAN
from tests.helpers.databases import Templates
from tests.helpers.plan_workbooks import edited, exported, plan_row

TODAY = date.today()


@pytest.fixture
def mini_db(tmp_path: Path, templates: Templates) -> Path:
    return templates.copy("mini", tmp_path / "mini.duckdb")


def cli(db: Path, *argv: str) -> int:
    return main(["--db", str(db), *argv])


def check(db: Path, data: bytes, date_effet: date = TODAY) -> edits.PlanCheck:
    with store.connect(db) as conn:
        return edits.check_workbook(conn, data, "plan.xlsx", Settings(), date_effet)


def snapshot(db: Path, as_of: date | None = None) -> versions.PlanSnapshot:
    with store.connect(db) as conn:
        return versions.snapshot(conn, as_of, demo=False)


def revision(db: Path) -> int:
    with store.connect(db) as conn:
        return store.revision(conn)


@pytest.mark.parametrize("base", ["mini", "seed"])
def test_round_trip_changes_nothing_and_says_so(base, mini_db, db_path, tmp_path, capsys):
    db = mini_db if base == "mini" else db_path
    path = tmp_path / "plan.xlsx"
    assert cli(db, "plan", "export", str(path)) == 0
    before = revision(db)
    assert cli(db, "plan", "import", str(path), "--motif", "aller-retour") == 0
    assert "Rien à publier : le classeur ne change rien au plan." in capsys.readouterr().out
    assert revision(db) == before
    assert check(db, path.read_bytes()).changes == []


def test_export_writes_the_plan_table_then_one_column_per_territory(mini_db):
    wb = load_workbook(io.BytesIO(exported(mini_db)))
    header = [c.value for c in wb["Plan"][1]]
    assert header[:7] == [
        "Axe", "Objectif opérationnel", "N°", "Action", "Porteurs", "Calendrier", "Observations"
    ]  # fmt: skip
    assert header[7:10] == ["AGGLO", "VN", "BOURG"]
    assert wb["Plan"].cell(row=plan_row(wb, 3), column=4).value == "Former les recruteurs"
    assert {"Objectifs", "Axes", "Indicateurs", "Territoires", "Porteurs", "Informations"} <= set(
        wb.sheetnames
    )
    # Drop-downs where a value comes from a list: objective, sens, unit, territory type, axis.
    ranges = {
        (ws.title, str(dv.sqref).split(":")[0]): dv.formula1
        for ws in wb.worksheets
        for dv in ws.data_validations.dataValidation
    }
    assert ("Plan", "B2") in ranges
    assert ("Indicateurs", "E2") in ranges and ("Indicateurs", "B2") in ranges
    assert ("Indicateurs", "D2") in ranges and ("Territoires", "C2") in ranges
    assert ("Objectifs", "B2") in ranges


def test_import_publishes_field_by_field_and_retires_an_absent_action(mini_db, capsys):
    def edit(wb):
        ws = wb["Plan"]
        ws.cell(row=plan_row(wb, 2), column=4).value = "Réaliser une grande enquête"
        ws.delete_rows(plan_row(wb, 4))

    data = edited(exported(mini_db), edit)
    result = check(mini_db, data)
    assert result.ok and result.retired_actions() == [4]
    rows = edits.preview(result.changes)
    changed = rows[rows["objet"] == "Action 2"].iloc[0]
    assert (changed["champ"], changed["avant"], changed["apres"]) == (
        "Libellé", "Réaliser une enquête", "Réaliser une grande enquête"
    )  # fmt: skip
    path = mini_db.parent / "edit.xlsx"
    path.write_bytes(data)
    assert cli(mini_db, "plan", "import", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.startswith("ATTENTION : 1 action(s) absente(s) du classeur seront RETIRÉE(S)")
    assert snapshot(mini_db).actions[2]["libelle"] == "Réaliser une enquête"  # dry run

    effect = TODAY - timedelta(days=10)
    assert (
        cli(mini_db, "plan", "import", str(path), "--motif", "revue", "--date-effet", f"{effect}")
        == 0
    )
    assert list(backups.backup_dir(mini_db).glob("auto-*avant-modification-du-plan*"))
    now, before = snapshot(mini_db), snapshot(mini_db, effect - timedelta(days=1))
    assert now.actions[2]["libelle"] == "Réaliser une grande enquête"
    assert 4 not in now.actions
    assert before.actions[2]["libelle"] == "Réaliser une enquête" and 4 in before.actions
    # --as-of writes the plan as it stood: the retired action is back.
    old = mini_db.parent / "old.xlsx"
    assert cli(mini_db, "plan", "export", str(old), "--as-of", f"{effect - timedelta(days=1)}") == 0
    assert plan_row(load_workbook(old), 4)
    assert check(mini_db, old.read_bytes(), effect - timedelta(days=1)).changes == []


def _duplicate(wb):
    wb["Plan"].cell(row=plan_row(wb, 2), column=3).value = 1


def _unknown_objective(wb):
    wb["Plan"].cell(row=plan_row(wb, 2), column=2).value = "9.9"


def _empty_wording(wb):
    wb["Plan"].cell(row=plan_row(wb, 2), column=4).value = None


def _unknown_territory(wb):
    wb["Plan"].cell(row=1, column=9).value = "ATLANTIDE"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (_duplicate, "Plan, ligne 3, colonne C (N°)"),
        (_unknown_objective, "Plan, ligne 3, colonne B (Objectif opérationnel)"),
        (_empty_wording, "Plan, ligne 3, colonne D (Action)"),
        (_unknown_territory, "Plan, ligne 1, colonne I (ATLANTIDE)"),
    ],
)
def test_a_bad_workbook_is_refused_whole_naming_sheet_row_and_column(mini_db, edit, where, capsys):
    path = mini_db.parent / "bad.xlsx"
    path.write_bytes(edited(exported(mini_db), edit))
    before = revision(mini_db)
    assert cli(mini_db, "plan", "import", str(path), "--motif", "m") == 1
    err = capsys.readouterr().err
    assert f"Erreur — {where}" in err
    assert "rien n'est publié" in err
    assert revision(mini_db) == before


def test_a_merged_objective_cell_is_said_empty_or_merged_with_its_place(mini_db, capsys):
    def merge(wb):
        first, second = plan_row(wb, 2), plan_row(wb, 3)
        assert second == first + 1
        wb["Plan"].merge_cells(start_row=first, start_column=2, end_row=second, end_column=2)

    result = check(mini_db, edited(exported(mini_db), merge))
    assert not result.ok
    [err] = result.errors  # the top-left cell keeps its value: only the row below is wrong
    assert (err["feuille"], err["ligne"], err["colonne"]) == ("Plan", 4, "B")
    assert err["valeur"] is None
    assert err["message"].startswith("Objectif vide : la cellule B4 est vide ou fusionnée")
    assert "Objectif inconnu" not in err["message"]
    path = mini_db.parent / "fusion.xlsx"
    path.write_bytes(edited(exported(mini_db), merge))
    assert cli(mini_db, "plan", "import", str(path), "--motif", "m") == 1
    assert (
        "Erreur — Plan, ligne 4, colonne B (Objectif opérationnel) : Objectif vide : la cellule "
        "B4 est vide ou fusionnée"
    ) in capsys.readouterr().err


def test_a_retired_number_is_never_reused(mini_db):
    data = exported(mini_db)
    with store.connect(mini_db) as conn:
        changes = version_diff.diff(
            snapshot(mini_db), edits.with_item(snapshot(mini_db), "action", 4, None)
        )
        edits.publish(conn, changes, date_effet=TODAY, user=SYSTEM, motif="fusion")
    result = check(mini_db, data)  # the old workbook still has action 4
    assert not result.ok
    assert result.errors[0]["feuille"] == "Plan" and result.errors[0]["colonne"] == "C"
    assert "5 ou plus" in result.errors[0]["attendu"]


def test_publishing_needs_a_motif_and_the_admin_role(mini_db, tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(
        edited(exported(mini_db), lambda wb: wb["Plan"].cell(row=2, column=4, value="Nouveau"))
    )
    assert cli(mini_db, "plan", "import", str(path)) == 2
    with store.connect(mini_db) as conn:
        from ptlcd_data.access import accounts

        accounts.add_user(conn, SYSTEM, "agent", "Agent", "saisie", "mot-de-passe-agent")
    assert cli(mini_db, "plan", "import", str(path), "--motif", "m", "--user", "agent") == 1
    assert snapshot(mini_db).actions[1]["libelle"] == "Créer un observatoire"


def test_init_plan_builds_a_new_instance_and_refuses_an_existing_base(mini_db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(exported(mini_db))
    fresh = tmp_path / "nouvelle.duckdb"
    assert cli(fresh, "init", "--plan", str(path), "--no-demo") == 0
    assert snapshot(fresh) == snapshot(mini_db)
    with store.connect(fresh) as conn:
        assert dict(conn.execute("SELECT cle, valeur FROM plan_meta").fetchall())["nom"] == (
            "Plan de test de Villeneuve"
        )
    assert cli(fresh, "init", "--plan", str(path)) == 1
    # Nor is it refreshed from the data folder's (another) plan.
    assert main(["--db", str(fresh), "--data", str(MINI_PLAN), "init"]) == 1


def _territory_by_name(wb):
    wb["Plan"].cell(row=1, column=10).value = "Bourg-sur-Loire"  # was BOURG


def _objective_by_code_only(wb):
    for row in range(2, wb["Plan"].max_row + 1):
        cell = wb["Plan"].cell(row=row, column=2)
        cell.value = str(cell.value).split(" — ")[0]


def _title_above_the_header(wb):
    for ws in wb.worksheets:
        ws.insert_rows(1)
        ws.cell(row=1, column=1).value = "Plan de Villeneuve — version de travail"


@pytest.mark.parametrize(
    "edit", [_territory_by_name, _objective_by_code_only, _title_above_the_header]
)
def test_a_workbook_written_by_hand_is_read_the_same(mini_db, edit):
    result = check(mini_db, edited(exported(mini_db), edit))
    assert result.ok, result.errors
    assert result.changes == []


def test_import_says_which_changes_a_later_version_will_override_again(mini_db, capsys):
    later = TODAY + timedelta(days=30)
    with store.connect(mini_db) as conn:
        old = versions.snapshot(conn).actions[3]["libelle"]
        change = versions.PlanChange("action", 3, "modification", {"libelle": (old, "Plus tard")})
        edits.publish(conn, [change], date_effet=later, user=SYSTEM, motif="décidé")

    def edit(wb):
        wb["Plan"].cell(row=plan_row(wb, 3), column=4).value = "Former tous les recruteurs"
        wb["Plan"].cell(row=plan_row(wb, 2), column=4).value = "Réaliser une grande enquête"

    path = mini_db.parent / "edit.xlsx"
    path.write_bytes(edited(exported(mini_db), edit))
    warning = (
        f"Action 3 : une version datée du {later:%d/%m/%Y} existe déjà ; elle s'appliquera de "
        "nouveau à partir de cette date."
    )
    assert cli(mini_db, "plan", "import", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == warning and out.count("existe déjà") == 1  # not action 2
    # Publishing is still allowed; from the later date on, the later version applies again.
    assert cli(mini_db, "plan", "import", str(path), "--motif", "revue") == 0
    assert warning in capsys.readouterr().out
    assert snapshot(mini_db).actions[3]["libelle"] == "Former tous les recruteurs"
    assert snapshot(mini_db, later).actions[3]["libelle"] == "Plus tard"
