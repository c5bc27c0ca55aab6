"""Concurrent use: two imports at once, readers during an import, the command line beside the app."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.request

import pytest

from ptlcd_data import store
from tests.helpers import ROOT
from tests.helpers import import_files as f
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    open_tab,
    streamlit_server,
    wait_for_app,
)


def _sheet(tmp_path, name: str, code: str, value: float):
    path = tmp_path / name
    rows = [
        [code, "", terr, year, value + i, value * 2]
        for i, (terr, year) in enumerate(
            (t, y)
            for t in ("Nantes", "Rezé", "Orvault", "Saint-Herblain")
            for y in range(2017, 2023)
        )
    ]
    path.write_bytes(f.indicateurs(*rows))
    return path


def _cli(db, *args) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_imports_at_once_both_land(db_path, tmp_path):
    a = _sheet(tmp_path, "a.xlsx", "I1.1.a", 10)
    b = _sheet(tmp_path, "b.xlsx", "I3.1.a", 50)
    procs = [
        _cli(db_path, "import", str(a), "--user", "agent-a"),
        _cli(db_path, "import", str(b), "--user", "agent-b"),
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with store.connect(db_path) as conn:
        per_code = dict(
            conn.execute(
                "SELECT indicateur_code, count(*) FROM indicateur_valeur WHERE import_id IS NOT NULL "
                "GROUP BY 1"
            ).fetchall()
        )
        assert per_code == {"I1.1.a": 24, "I3.1.a": 24}  # no write lost
        assert conn.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 2


def test_readers_during_an_import_get_no_error(db_path, tmp_path):
    sheet = _sheet(tmp_path, "a.xlsx", "I1.1.a", 10)
    reader_code = textwrap.dedent(
        f"""
        import sys, time
        from ptlcd_data import store
        from ptlcd_data.plan import queries
        errors = 0
        reads = 0
        end = time.monotonic() + 6
        while time.monotonic() < end:
            try:
                with store.connect({str(db_path)!r}) as conn:
                    assert len(queries.action_numbers(conn)) == 34
                    conn.execute("SELECT count(*) FROM indicateur_valeur").fetchall()
                reads += 1
            except Exception as exc:
                errors += 1
                print(type(exc).__name__, exc, file=sys.stderr)
        print(reads, errors)
        """
    )
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", reader_code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    importer = _cli(db_path, "import", str(sheet))
    assert importer.wait(timeout=120) == 0, importer.stderr.read()
    for r in readers:
        out, err = r.communicate(timeout=120)
        reads, errors = map(int, out.split())
        assert errors == 0, err
        assert reads > 0


@pytest.mark.browser
def test_a_command_line_import_while_the_app_runs_shows_without_restart(db_path, tmp_path):
    from playwright.sync_api import sync_playwright

    sheet = tmp_path / "releve.xlsx"
    sheet.write_bytes(f.indicateurs(["I1.1.a", "", "Nantes", 2019, 4321, 5000, "relevé CLI"]))
    with streamlit_server(db_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
        page.goto(f"{url}/indicateurs?indicateur=I1.1.a")
        wait_for_app(page)
        if page.get_by_role("tab", name="Valeurs et provenance").count():  # values already
            open_tab(page, "Valeurs et provenance")
        assert page.get_by_text("4\u202f321").count() == 0
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:  # app is up
            assert resp.status == 200
        importer = _cli(db_path, "import", str(sheet), "--user", "agent")
        out, err = importer.communicate(timeout=120)
        assert importer.returncode == 0, err
        page.reload()
        wait_for_app(page)
        open_tab(page, "Valeurs et provenance")  # the values, one by one
        page.get_by_text("4\u202f321").first.wait_for(state="attached", timeout=30_000)
        browser.close()
