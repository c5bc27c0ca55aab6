"""The import page in a real browser: upload a file, Vérifier, Publier, see it in the history."""

from __future__ import annotations

import pytest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from tests.helpers import import_files as f
from tests.helpers.browser import (
    go_to,
    log_in,
    press,
    screenshot,
    streamlit_server,
    upload,
)

pytestmark = pytest.mark.browser


def test_upload_verify_publish_in_the_browser(db_path, browser, tmp_path):
    bad = tmp_path / "releve_faux.xlsx"
    bad.write_bytes(
        f.indicateurs(["I1.1.a", "", "Paris", 2019, 3], ["I4.1.b", "", "Rezé", 2019, "145 %"])
    )
    good = tmp_path / "releve_2019.xlsx"
    good.write_bytes(
        f.xlsx(
            {
                "Indicateurs": [
                    f.IND_HEADER,
                    ["I1.1.a", "", "Nantes", 2019, "1 234", 1500, "Mission égalité"],
                    ["I4.1.b", "", "St-Herblain", 2019, "45 %", 60],
                    ["I1.1.b", "", "Reze", "2019", "n.c.", 10],
                ],
                "Avancement": [f.AV_HEADER, [3, "15/03/2019", "En cours", 40, "enquête lancée"]],
            }
        )
    )
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "agent", "Agent de saisie", "saisie", "mot-de-passe-agent")
    with streamlit_server(db_path) as url:
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="fr-FR")
        log_in(page, url, "agent", "mot-de-passe-agent")
        go_to(page, "Import de données")
        page.get_by_role("heading", name="Import de données").wait_for(timeout=30_000)
        screenshot(page, "import_vide")

        upload(page, bad)
        press(page, "Vérifier", "2 erreur(s)")
        screenshot(page, "import_erreurs")
        assert page.get_by_role("button", name="Publier").count() == 0

        upload(page, good)
        press(page, "Vérifier", "Aucune erreur")
        screenshot(page, "import_apercu")
        press(page, "Publier", "Lot n° 1 publié")
        # The history table is drawn on a canvas; its undo selector appears with the first batch.
        page.get_by_text("Lot à annuler").wait_for(timeout=30_000)
        screenshot(page, "import_publie")
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()
    with store.connect(db_path) as conn:
        assert conn.execute(
            "SELECT territoire_code, valeur FROM indicateur_valeur ORDER BY id"
        ).fetchall() == [("NANTES", 1234.0), ("ST_HERBLAIN", 45.0), ("REZE", None)]
        assert conn.execute(
            "SELECT statut FROM statut_record WHERE import_id IS NOT NULL"
        ).fetchall() == [("En cours",)]
