"""The sections of docs/fiabilite.md for the faults the second outside test found: a restore
under a running app, two bases in one folder (and, beside them, reminders and imports).

Each section runs the scenario a test asserts on (`tests/helpers/scenarios.py`), over more
rounds, and returns the lines it adds to the page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.databases import Templates
from tests.helpers.scenarios import restore_under_running_app, two_bases_in_one_folder


def _count(flags: list[bool]) -> str:
    return f"{sum(flags)} / {len(flags)}"


def restore_section(templates: Templates, work: Path, rounds: int) -> list[str]:
    """`restore` while `streamlit run` serves the base, `rounds` times (a server each)."""
    from playwright.sync_api import sync_playwright

    seen = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for i in range(rounds):
                folder = work / f"restauration-{i}"
                db = templates.copy("plan", folder / "ptlcd.duckdb")
                seen.append(restore_under_running_app(db, browser, folder))
        finally:
            browser.close()
    return [
        "## Restauration sous l'application en marche",
        "",
        f"{rounds} tour(s), un serveur `streamlit run` chacun : un porteur se connecte ; "
        "`backup` ; un import écrit le commentaire MARQUEUR-42 (qu'un visiteur voit) ; "
        "`restore`. Puis un nouveau visiteur ouvre la fiche de l'action, et l'onglet du porteur "
        "fait un clic.",
        "",
        "| | tours |",
        "|---|---|",
        f"| la restauration ferme la session du porteur | {_count(['1 session' in s.sessions_closed for s in seen])} |",
        f"| MARQUEUR-42 montré avant la restauration | {_count([s.marker_seen_before for s in seen])} |",
        f"| MARQUEUR-42 encore montré après (le défaut) | {_count([s.marker_shown_after for s in seen])} |",
        f"| l'onglet du porteur encore connecté après (le défaut) | {_count([s.tab_logged_in_after for s in seen])} |",
        "",
        "Avant la correction, le test extérieur voyait MARQUEUR-42 et l'onglet connecté : la base "
        "remise reprenait la révision de l'import qu'elle défaisait.",
        "",
    ]


def two_bases_section(templates: Templates, work: Path, publications: int) -> list[str]:
    """Two bases in one folder, PTLCD_BACKUPS_KEPT=2: a's two copies, then b's publications."""
    a = templates.copy("plan", work / "deux" / "a.duckdb")
    b = templates.copy("plan", work / "deux" / "b.duckdb")
    seen = two_bases_in_one_folder(a, b, work / "deux", publications)
    offered_b = (
        "b.duckdb" in seen.a_diagnosis or str(b.parent / "sauvegardes" / "b") in seen.a_diagnosis
    )
    named_a = all(str(p) in seen.a_diagnosis for p in seen.a_copies_made)
    return [
        "## Deux bases dans un même dossier",
        "",
        f"`PTLCD_BACKUPS_KEPT=2`. Deux `backup` de `a.duckdb`, puis {publications} publications "
        "dans `b.duckdb` (chacune précédée de sa copie automatique), puis `a.duckdb` tronquée.",
        "",
        f"- copies de a : {len(seen.a_copies_made)} faites, {len(seen.a_copies_left)} encore là "
        f"après les publications de b (avant la correction : 0) ;",
        f"- copies de b gardées : {len(seen.b_copies_left)} (sa propre rotation) ;",
        f"- le diagnostic de a nomme ses {len(seen.a_copies_made)} copies : {'oui' if named_a else 'non'} ; "
        f"il propose une copie de b : {'oui' if offered_b else 'non'}.",
        "",
    ]


def sections(work: Path, rounds: int) -> list[str]:
    """Every section of this module, in the page's order."""
    templates = Templates(Path(tempfile.mkdtemp(dir=work, prefix="modeles-")))
    lines = restore_section(templates, work, rounds)
    lines += two_bases_section(templates, work, publications=3)
    return lines
