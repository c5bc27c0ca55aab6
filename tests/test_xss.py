"""Hostile user text (comments, sources, file names, names) is shown as text on every page.

The payloads go in through the real writing paths (review, import, accounts); then every page
is run with AppTest (nothing Markdown/HTML-bearing may carry a payload unescaped) and opened in
Chromium (no payload may execute or become an element).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ptlcd_data import store
from ptlcd_data.access import accounts
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.decisions import records
from ptlcd_data.depots import records as depot_records
from ptlcd_data.imports import batches, verify
from ptlcd_data.indicateurs import valeurs
from ptlcd_data.suivi import saisie
from tests.helpers import ROOT
from tests.helpers import import_files as f
from tests.helpers.apptest import logged_in
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    go_to,
    log_in,
    screenshot,
    streamlit_server,
)
from ui import document
from ui.navigation import PAGES

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=2</script>"
LINK = "[cliquez ici](javascript:window.__xss=3)"
PAYLOAD = f"{IMG} {SCRIPT} {LINK}"
# What must never appear unescaped where Streamlit parses Markdown or HTML ("\\<img" is inert).
DANGEROUS = re.compile(r"(?<!\\)<(img|script)|(?<!\\)\]\(javascript", re.IGNORECASE)
ADMIN_PASSWORD = "mot-de-passe-admin-xss"


@pytest.fixture
def hostile_db(db_path):
    with store.connect(db_path) as conn:
        accounts.add_user(conn, SYSTEM, "admin", PAYLOAD, "admin", ADMIN_PASSWORD)
        saisie.enregistrer_revue(
            conn, SYSTEM, 1, statut="En cours", commentaire=PAYLOAD, date_effet=date(2019, 3, 1)
        )
        valeurs.record_values(
            conn,
            SYSTEM,
            [
                valeurs.ValueRow(
                    "I1.1.a", "NANTES", 2019, valeur=3, cible=5, source=PAYLOAD, commentaire=PAYLOAD
                )
            ],
        )
        data = f.indicateurs(["I1.1.b", "", "Nantes", 2019, 7, 9, PAYLOAD, PAYLOAD])
        check = verify.check_file(conn, data, f"{IMG}.xlsx")
        assert check.ok
        batches.publish(conn, SYSTEM, check)
        seance = records.open_seance(
            conn, SYSTEM, date(2019, 3, 1), titre=PAYLOAD, participants=PAYLOAD
        )
        for action_no in (1, None):  # on the action « Revue GOLD » opens first, and a general one
            records.add_decision(
                conn, SYSTEM, seance, texte=PAYLOAD, responsable=IMG, echeance=date(2019, 4, 1),
                action_no=action_no,
            )  # fmt: skip
        # A porteur's dépôt (issue 23): its comment, a file name and, once returned, a reason;
        # another one waits in the queue (the page opens on it).
        accounts.add_user(conn, SYSTEM, "mde", PAYLOAD, "porteur", ADMIN_PASSWORD,
                          porteurs=("MDE",))  # fmt: skip
        mde = accounts.get_user(conn, "mde")
        assert mde is not None
        data = f.indicateurs(["I4.2.b", "", "Nantes", 2019, 7, 9, PAYLOAD, PAYLOAD])
        returned = depot_records.submit_check(
            conn, mde, verify.check_file(conn, data, f"{IMG}.xlsx", user=mde), commentaire=PAYLOAD
        )
        depot_records.return_to_porteur(conn, SYSTEM, returned, PAYLOAD)
        data = f.indicateurs(["I4.2.c", "", "Nantes", 2019, 3, 4, PAYLOAD, PAYLOAD])
        depot_records.submit_check(
            conn,
            mde,
            verify.check_file(conn, data, f"{SCRIPT}.xlsx", user=mde),
            commentaire=PAYLOAD,
        )
        # Another contrat de ville's data files are not trusted either: its plan text too.
        conn.execute(
            "UPDATE action SET libelle = ? || ' ' || libelle, porteur = ? WHERE action_no = 2",
            [PAYLOAD, PAYLOAD],
        )
        conn.execute(
            "UPDATE objectif SET libelle = libelle || ' ' || ? WHERE code = '1.1'", [PAYLOAD]
        )
    return db_path


def _markdown_bearing_values(at: AppTest) -> list[str]:
    kinds = (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "info",
        "warning",
        "error",
        "success",
    )
    values: list[str] = []
    for kind in kinds:
        values += [str(e.value) for e in getattr(at, kind)]
    values += [str(e.label) for e in at.expander]
    values += [str(e.proto.label) for e in at.get("page_link")]
    return values


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.title)
def test_no_page_renders_a_payload_as_markdown(app_env, hostile_db, spec):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    logged_in(at, "admin")
    at.run()
    at.switch_page(spec.path).run()
    assert not at.exception
    if spec.path.endswith("fiche_action.py"):
        at.selectbox(key="action_no").select(1).run()
    for value in _markdown_bearing_values(at):
        assert not DANGEROUS.search(value), f"{spec.title} : non échappé dans {value[:160]!r}"
    # The only HTML is the app's own style and script (ui/document.py), constants without user text.
    bodies = [e.proto.body for e in at.get("html")]
    assert bodies and all(b in document.STATIC_BLOCKS for b in bodies), f"{spec.title} : HTML brut"


@pytest.mark.browser
def test_payloads_never_execute_in_the_browser(hostile_db):
    from playwright.sync_api import sync_playwright

    with streamlit_server(hostile_db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="fr-FR")
        log_in(page, url, "admin", ADMIN_PASSWORD)
        visited = 0
        for spec in PAGES:
            go_to(page, spec.title)
            hits = page.evaluate(
                """() => ({
                    flag: window.__xss === undefined ? null : window.__xss,
                    img: document.querySelectorAll('img[src="x"]').length,
                    js: document.querySelectorAll('a[href^="javascript:"]').length,
                })"""
            )
            assert hits == {"flag": None, "img": 0, "js": 0}, spec.title
            visited += 1
        go_to(page, "Journal")
        page.get_by_text("window.__xss").first.wait_for(timeout=30_000)  # shown, as text
        screenshot(page, "xss_journal")
        browser.close()
    assert visited == len(PAGES)
