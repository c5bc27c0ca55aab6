"""A restore under a running app: the app serves the restored base, and its logins, at once.

The outside test that found it: a porteur logs in; `backup`; an import writes the comment
MARQUEUR-42; `restore`. The restore closed every login session, yet a new visitor still saw
MARQUEUR-42 and the porteur's open tab stayed logged in: the restored base came back with the
revision of the import it undid, and the app's cache and login check are keyed on it.
"""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers import import_files as f
from tests.helpers import run_cli
from tests.helpers.browser import go_to, log_in, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser
PASSWORD = "mot-de-passe-maison-emploi"
MARKER = "MARQUEUR-42"
ACTION = 19  # carried by the Maison de l'emploi (MDE) in the plan


def _fiche(browser, url: str):  # type: ignore[no-untyped-def]
    """A new visitor (a fresh browser context) on the action's fiche, drawn."""
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{url}/fiche?action={ACTION}")
    wait_for_app(page)
    page.get_by_role("heading", name=f"Action n° {ACTION}").wait_for(timeout=30_000)
    return page


def test_after_a_restore_the_running_app_serves_the_restored_data_and_logins(
    db_path, browser, tmp_path
):
    with store.connect(db_path) as conn:
        accounts.add_user(
            conn, SYSTEM, "mde", "Maison de l'emploi", "porteur", PASSWORD, porteurs=("MDE",)
        )
    sheet = tmp_path / "avancement.xlsx"
    sheet.write_bytes(
        f.xlsx({"Avancement": [f.AV_HEADER, [ACTION, "15/03/2019", "En cours", 40, MARKER]]})
    )
    copy = tmp_path / "avant-import.duckdb"
    with streamlit_server(db_path) as url:
        porteur = browser.new_context(locale="fr-FR").new_page()
        log_in(porteur, url, "mde", PASSWORD)

        done = run_cli("--db", str(db_path), "backup", "-o", str(copy))
        assert done.returncode == 0, done.stderr
        done = run_cli("--db", str(db_path), "import", str(sheet))
        assert done.returncode == 0, done.stderr
        seen = _fiche(browser, url)  # the app reads, and caches, the imported comment
        seen.get_by_text(MARKER).first.wait_for(timeout=30_000)
        seen.context.close()
        go_to(porteur, "Mes actions")  # the tab checks its login at this revision
        assert "Connecté(e)" in porteur.locator("[data-testid='stSidebar']").inner_text()

        done = run_cli("--db", str(db_path), "restore", str(copy))
        assert done.returncode == 0, done.stderr
        assert "1 session(s) de connexion fermée(s)" in done.stdout

        after = _fiche(browser, url)
        assert after.get_by_text(MARKER).count() == 0
        after.context.close()
        # The porteur's open tab asks the base again at its next click: its session is closed.
        go_to(porteur, "Fiche action")
        porteur.get_by_text("Lecture publique").first.wait_for(timeout=30_000)
        assert "Connecté(e)" not in porteur.locator("[data-testid='stSidebar']").inner_text()
        porteur.context.close()
