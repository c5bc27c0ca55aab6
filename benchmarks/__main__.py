"""`python -m benchmarks` (`make bench`): every benchmark side by side, written to docs/benchmarks.md.

`python -m benchmarks import` runs only the import section (and prints it).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks import browser, import_speed, load, pages, report
from benchmarks.common import ROOT, build_db, machine, now_label, ratio
from ptlcd_data import formats

PAGE_RATIO_TARGET = 2.0
COLD_START_TARGET = 1.5
MEMORY_TARGET = 1.5
DOC = ROOT / "docs" / "benchmarks.md"


def fmt(seconds: float) -> str:
    return formats.number(seconds, 2) + "\u202fs"


def kept(r: float, target: float) -> str:
    return f"{formats.number(r, 2)} ({'tenue' if r <= target else 'manquée'}, cible ≤ {formats.number(target, 1)})"


def pages_section(demo_db: Path, large_db: Path) -> str:
    times = pages.page_times_side_by_side(demo_db, large_db)
    lines = [
        f"## Temps serveur de chaque page (AppTest, caches vides, médiane de {pages.REPEATS})",
        "",
        "| page | démonstration | grande échelle | ratio |",
        "|---|---|---|---|",
    ]
    for title, (t_small, t_large) in times.items():
        r = kept(ratio(t_large, t_small), PAGE_RATIO_TARGET)
        lines.append(f"| {title} | {fmt(t_small)} | {fmt(t_large)} | {r} |")
    return "\n".join(lines)


def cold_start_section(demo_db: Path, folder: Path) -> str:
    one_line = folder / "une_ligne.py"
    one_line.write_text('import streamlit as st\nst.title("Bonjour")\n', encoding="utf-8")
    # Not the target's reference: what Streamlit's own table costs (pandas, pyarrow, the table's
    # scripts in the browser), which the home page pays too.
    with_table = folder / "une_ligne_tableau.py"
    with_table.write_text(
        'import streamlit as st\nst.title("Bonjour")\nst.dataframe({"a": [1, 2]})\n',
        encoding="utf-8",
    )
    t = browser.cold_start(
        demo_db, {"ref": (one_line, "Bonjour"), "table": (with_table, "Bonjour")}
    )
    return "\n".join(
        [
            "## Démarrage à froid (lancement du processus → page d'accueil affichée dans Chromium)",
            "",
            f"Médiane de {browser.COLD_START_PAIRS} démarrages de chaque application, tour à tour. "
            "La dernière colonne, pour comprendre l'écart : une application d'une ligne qui affiche "
            "aussi un tableau Streamlit (`st.dataframe`), ce que fait la page d'accueil.",
            "",
            "| application | application d'une ligne | ratio | une ligne + un tableau | ratio à celle-ci |",
            "|---|---|---|---|---|",
            f"| {fmt(t['app'])} | {fmt(t['ref'])} | "
            f"{kept(ratio(t['app'], t['ref']), COLD_START_TARGET)} | {fmt(t['table'])} | "
            f"{formats.number(ratio(t['app'], t['table']), 2)} |",
            COLD_START_ANALYSIS,
        ]
    )


COLD_START_ANALYSIS = """
Où passe le temps (profil du 30/11/2026 sur cette machine : pyinstrument dans le premier passage du
script, et requêtes du navigateur relevées par Playwright) :

- côté serveur, le premier passage du script dure environ 1,4 s, dont 0,8 s pour importer pandas
  et 0,1 s pour DuckDB ; `st.dataframe` importe pandas de toute façon, même pour une table Arrow
  (vérifié) : l'application d'une ligne avec un tableau le paie aussi. Le travail propre de la page
  (ouverture de la base, 8 requêtes, navigation) prend environ 0,4 s ;
- côté navigateur, après le script, les scripts du tableau (`arrowFormatUtils`, 726 Ko, et
  `DataFrame`, 475 Ko) puis ceux des champs de saisie (date, listes, recherche) sont chargés et
  exécutés : environ 1 s, sur les mêmes 2 cœurs que le serveur ;
- essayé et non retenu : importer pandas et DuckDB dans un fil dès le démarrage du serveur
  (`st.App` et son `lifespan`) : le fil retarde d'autant l'envoi des scripts au navigateur, car les
  2 cœurs sont déjà pris par Chromium et le serveur pendant ce temps ; aucun gain mesuré ;
- retenu : pas de graphique Plotly sur l'accueil (≈ 1 s de moins, 28/11), la base gardée ouverte
  le temps d'un passage du script (chaque requête l'ouvrait : 20 à 50 ms).
"""


def memory_section(demo_db: Path, large_db: Path) -> str:
    mem_small = browser.server_peak_memory(demo_db)
    mem_large = browser.server_peak_memory(large_db)
    return "\n".join(
        [
            "## Mémoire de pointe du serveur après la visite de toutes les pages (administrateur)",
            "",
            "| démonstration | grande échelle | ratio |",
            "|---|---|---|",
            f"| {formats.number(mem_small)}\u202fMo | {formats.number(mem_large)}\u202fMo | {kept(ratio(mem_large, mem_small), MEMORY_TARGET)} |",
        ]
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["import"]:
        return import_speed.main(argv[1:])
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        folder = Path(tmp)
        print("Construction des bases…", flush=True)
        demo_db = build_db(folder, "demo")
        large_db = build_db(folder, "large")
        sections: list[tuple[str, Callable[[], str]]] = [
            ("pages", lambda: pages_section(demo_db, large_db)),
            ("démarrage à froid", lambda: cold_start_section(demo_db, folder)),
            ("mémoire", lambda: memory_section(demo_db, large_db)),
            ("synthèse annuelle", lambda: "\n".join(report.section(demo_db, large_db))),
            ("import", lambda: import_speed.section()[0]),
            ("mémoire de l'import", import_speed.memory_section),
            ("charge", lambda: "\n".join(load.markdown_section(load.run_load(large_db)))),
        ]
        texts = []
        for name, run in sections:
            print(f"Mesure : {name}…", flush=True)
            try:
                texts.append(run())
            except Exception as exc:  # one broken measure must not hide the others
                texts.append(f"## {name}\n\nÉchec de la mesure : {type(exc).__name__} : {exc}")
                print(f"  échec : {exc}", flush=True)
    head = [
        "# Mesures de performance",
        "",
        f"Mesuré le {now_label()} sur : {machine()}.",
        "",
        "Relancer : `make bench` (`python -m benchmarks`). Chaque ratio compare deux mesures faites "
        "côte à côte dans la même exécution ; ces mesures ne font pas partie des tests.",
        "",
    ]
    DOC.write_text("\n".join(head) + "\n" + "\n\n".join(texts) + "\n", encoding="utf-8")
    print(f"Écrit : {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
