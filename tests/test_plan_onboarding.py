"""Another contrat de ville starts from one workbook written by LibreOffice: init --plan, then
the pages, a follow-up recorded without any campaign, and the annual report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.cli import main
from ptlcd_data.plan import versions
from ptlcd_data.suivi import saisie, status_queries
from ptlcd_data.synthese import report
from tests.helpers import MINI_PLAN
from tests.helpers.apptest import add_account, assert_clean, run_page
from tests.helpers.databases import app_on, built
from tests.helpers.import_files import SOFFICE, soffice_convert
from tests.helpers.plan_workbooks import exported
from ui.navigation import PAGES

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice absent")


@pytest.fixture(scope="module")
def libreoffice_plans(tmp_path_factory) -> dict[str, Path]:
    """The mini plan's workbook saved by LibreOffice itself, as .ods and as .xlsx."""
    folder = tmp_path_factory.mktemp("lo")
    reference = built(folder / "mini.duckdb", MINI_PLAN)
    source = folder / "plan_mini.xlsx"
    source.write_bytes(exported(reference))
    soffice_convert([source], "ods", folder)
    (folder / "xlsx").mkdir()
    soffice_convert([folder / "plan_mini.ods"], "xlsx", folder / "xlsx")
    return {
        "reference": reference,
        "ods": folder / "plan_mini.ods",
        "xlsx": folder / "xlsx" / "plan_mini.xlsx",
    }


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_init_plan_from_a_libreoffice_workbook_gives_the_same_plan(
    libreoffice_plans, kind, tmp_path
):
    db = tmp_path / "nouvelle.duckdb"
    assert main(["--db", str(db), "init", "--plan", str(libreoffice_plans[kind]), "--no-demo"]) == 0
    with store.connect(db) as new, store.connect(libreoffice_plans["reference"]) as ref:
        assert versions.snapshot(new) == versions.snapshot(ref)
        meta = dict(new.execute("SELECT cle, valeur FROM plan_meta").fetchall())
    assert meta["date_plan"] == "2020-03-01"


@pytest.fixture
def onboarded(libreoffice_plans, tmp_path, monkeypatch):
    db = tmp_path / "villeneuve.duckdb"
    assert (
        main(["--db", str(db), "init", "--plan", str(libreoffice_plans["ods"]), "--no-demo"]) == 0
    )
    yield from app_on(db, monkeypatch)


def test_the_onboarded_instance_runs_end_to_end(onboarded):
    # Every page, as an administrator.
    login = add_account(onboarded, "chef", "admin")
    at = run_page(login=login)
    for spec in PAGES:
        at.switch_page(spec.path).run()
        assert_clean(at)
    # Follow-up without any campaign: a status recorded in review.
    with store.connect(onboarded) as conn:
        saisie.enregistrer_revue(
            conn, SYSTEM, 3, statut="Réalisé", avancement=100, date_effet=date(2021, 6, 1)
        )
        status = status_queries.export_status(conn, date(2021, 12, 31))
        assert status.set_index("action_no").loc[3, "statut"] == "Réalisé"
        # The annual report of that year, both formats.
        pdf = report.build(conn, 2021, "pdf", as_of=date(2021, 12, 31))
        xlsx = report.build(conn, 2021, "xlsx", as_of=date(2021, 12, 31))
    assert pdf.startswith(b"%PDF") and xlsx.startswith(b"PK")
