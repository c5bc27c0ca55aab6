"""Scenarios an outside tester ran, written once: the tests assert on them, and
`benchmarks/fiabilite.py` counts them over more rounds for docs/fiabilite.md."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.store import backups
from tests.helpers import import_files as f
from tests.helpers import run_cli
from tests.helpers.browser import go_to, log_in, streamlit_server, wait_for_app
from tests.helpers.damage import truncate

MARKER = "MARQUEUR-42"
RESTORE_ACTION = 19  # carried by the Maison de l'emploi (MDE) in the plan
PORTEUR = ("mde", "mot-de-passe-maison-emploi")


def _cli_ok(*argv: str, env: dict[str, str] | None = None) -> str:
    done = run_cli(*argv, env=env) if env else run_cli(*argv)
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def _fiche(browser: Any, url: str) -> Any:
    """A new visitor (a fresh browser context) on the action's fiche, drawn."""
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{url}/fiche?action={RESTORE_ACTION}")
    wait_for_app(page)
    page.get_by_role("heading", name=f"Action n° {RESTORE_ACTION}").wait_for(timeout=30_000)
    return page


def _logged_in(page: Any) -> bool:
    return "Connecté(e)" in page.locator("[data-testid='stSidebar']").inner_text()


@dataclass
class AfterRestore:
    """What the running app showed once `restore` had undone an import."""

    sessions_closed: str  # what the restore said of the login sessions
    marker_seen_before: bool  # the import's comment, shown before the restore (cache warm)
    marker_shown_after: bool  # ... still shown to a new visitor after it (the fault)
    tab_logged_in_after: bool  # the porteur's open tab still logged in after it (the fault)


def restore_under_running_app(db: Path, browser: Any, work: Path) -> AfterRestore:
    """A porteur logs in; `backup`; an import writes MARQUEUR-42; `restore` — all while one
    `streamlit run` serves the base. `db`: a base of the real plan."""
    with store.connect(db) as conn:
        accounts.add_user(
            conn, SYSTEM, PORTEUR[0], "Maison de l'emploi", "porteur", PORTEUR[1], porteurs=("MDE",)
        )
    sheet = work / "avancement.xlsx"
    sheet.write_bytes(
        f.xlsx(
            {"Avancement": [f.AV_HEADER, [RESTORE_ACTION, "15/03/2019", "En cours", 40, MARKER]]}
        )
    )
    copy = work / "avant-import.duckdb"
    with streamlit_server(db) as url:
        porteur = browser.new_context(locale="fr-FR").new_page()
        log_in(porteur, url, *PORTEUR)
        _cli_ok("--db", str(db), "backup", "-o", str(copy))
        _cli_ok("--db", str(db), "import", str(sheet))
        seen = _fiche(browser, url)  # the app reads, and caches, the imported comment
        seen_before = seen.get_by_text(MARKER).count() > 0
        seen.context.close()
        go_to(porteur, "Mes actions")  # the tab checks its login at this revision
        assert _logged_in(porteur)

        said = _cli_ok("--db", str(db), "restore", str(copy))
        after = _fiche(browser, url)
        shown_after = after.get_by_text(MARKER).count() > 0
        after.context.close()
        go_to(porteur, "Fiche action")  # the open tab's next click
        still = _logged_in(porteur)
        porteur.context.close()
    closed = next((line for line in said.splitlines() if "session(s)" in line), "")
    return AfterRestore(closed, seen_before, shown_after, still)


@dataclass
class TwoBases:
    """Two bases in one folder, each writing its automatic copies."""

    a_copies_made: list[Path]
    a_copies_left: list[Path]
    b_copies_left: list[Path]
    a_diagnosis: str  # what the command line says of `a`, damaged


def two_bases_in_one_folder(a: Path, b: Path, work: Path, publications: int = 3) -> TwoBases:
    """`backup` twice in a, then `publications` imports in b (each preceded by its automatic
    copy), all with PTLCD_BACKUPS_KEPT=2; then a is damaged and diagnosed."""
    env = {**os.environ, "PTLCD_BACKUPS_KEPT": "2"}
    for _ in range(2):
        _cli_ok("--db", str(a), "backup", env=env)
    made = sorted(backups.backup_dir(a).glob("*.duckdb"))
    sheet = work / "releve.xlsx"
    for value in range(publications):
        sheet.write_bytes(f.indicateurs(["I1.1.a", "", "Nantes", 2019, 11 + value]))
        _cli_ok("--db", str(b), "import", str(sheet), env=env)
    left_a = sorted(backups.backup_dir(a).glob("*.duckdb"))
    left_b = sorted(backups.backup_dir(b).glob("*.duckdb"))
    truncate(a, 0.5)
    diagnosis = run_cli("--db", str(a), "history", env=env).stderr
    return TwoBases(made, left_a, left_b, str(diagnosis))
