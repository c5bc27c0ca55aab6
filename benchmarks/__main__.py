"""`python -m benchmarks` (`make bench`): every benchmark side by side, written to docs/benchmarks.md.

`python -m benchmarks import` runs only the import section, `python -m benchmarks cold` only the
cold start (each printed, docs/benchmarks.md left as it is); `python -m benchmarks workbooks`
only the campaign workbooks (its section of docs/benchmarks.md rewritten); `python -m benchmarks
versions` only the pages with 500 plan edits in the history (its section of docs/benchmarks.md
replaced); `python -m benchmarks sections pages import` measures the named sections again and
replaces them in docs/benchmarks.md (`python -m benchmarks sections "vitesse du GOLD"`: the
browser timings of benchmarks/gold.py; `python -m benchmarks sections API`: the HTTP API beside
DuckDB, benchmarks/api.py).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import api, browser, gold, import_speed, load, pages, plan_edits, report, workbooks
from benchmarks.common import ROOT, build_db, machine, now_label, ratio
from ptlcd_data import formats

PAGE_RATIO_TARGET = 2.0
COLD_START_TARGET = 1.5
MEMORY_TARGET = 1.5
# Issue 27, against the one-line app (benchmarks/reference_app.py) in the same run.
SWITCH_TARGET = 2.5
STEP_TARGET = 2.0
FULL_LOAD_TARGET = 1.3
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
    # scripts in the browser), which the home page used to pay and no longer does.
    with_table = folder / "une_ligne_tableau.py"
    with_table.write_text(
        'import streamlit as st\nst.title("Bonjour")\nst.dataframe({"a": [1, 2]})\n',
        encoding="utf-8",
    )
    starts = browser.cold_start(
        demo_db, {"ref": (one_line, "Bonjour"), "table": (with_table, "Bonjour")}
    )
    t = {key: statistics.median(values) for key, values in starts.items()}
    # Also the median of each round's own ratio: the starts of one round are close in time, so
    # it follows a machine whose speed drifts during the run better than the ratio of medians.
    per_round = statistics.median(a / r for a, r in zip(starts["app"], starts["ref"], strict=True))
    return "\n".join(
        [
            "## Démarrage à froid (lancement du processus → page d'accueil affichée dans Chromium)",
            "",
            f"{browser.COLD_START_ROUNDS} tours ; à chaque tour, chaque application démarre à son "
            "tour, dans un ordre qui tourne d'un tour à l'autre, après "
            f"{formats.number(browser.SETTLE_SECONDS, 0)}\u202fs de pause. Médianes des temps ; le "
            "ratio (l'objectif) est celui des médianes. « Ratio par tour » : médiane des ratios "
            "des deux démarrages d'un même tour. La dernière colonne, pour comprendre l'écart : "
            "une application d'une ligne qui affiche aussi un tableau Streamlit (`st.dataframe`).",
            "",
            "| application | application d'une ligne | ratio | ratio par tour | une ligne + un tableau |",
            "|---|---|---|---|---|",
            f"| {fmt(t['app'])} | {fmt(t['ref'])} | "
            f"{kept(ratio(t['app'], t['ref']), COLD_START_TARGET)} | "
            f"{formats.number(per_round, 2)} | {fmt(t['table'])} |",
            "",
            "Chaque démarrage (secondes, tour par tour) : "
            + " ; ".join(
                f"{name} {', '.join(formats.number(v, 2) for v in starts[key])}"
                for key, name in (
                    ("app", "application"),
                    ("ref", "une ligne"),
                    ("table", "tableau"),
                )
            )
            + ".",
            COLD_START_ANALYSIS,
        ]
    )


COLD_START_ANALYSIS = """
Ce qui a été fait le 30/11/2026 (mesures faites à part, 7 tours alternés chacune, sur cette
machine ; l'ordre de grandeur compte, pas le centième) :

- la page d'accueil n'utilise plus le tableau de Streamlit (`st.dataframe`) et n'importe plus
  pandas (un test le vérifie) : la forme du plan est un tableau Markdown, les actions des liens
  vers leur fiche. Le tableau coûtait ses scripts dans le navigateur (`arrowFormatUtils` 726 Ko,
  `DataFrame` 475 Ko) et pandas côté serveur (0,8 s d'import) : 1,67 → 1,42 fois l'application
  d'une ligne ;
- chaque élément de plus sur cette page se paie dans le navigateur : une légende sous chacun des
  34 liens coûtait 0,4 s, une infobulle 0,7 s, une icône 0,2 s (mesures d'un seul passage
  chacune) ; les quatre `st.metric` 0,3 s (remplacés par une ligne de texte) ; les cinq champs de
  filtre 0,6 s (rangés dans un menu « Filtrer », dessiné seulement à l'ouverture) ;
- plus de surveillance des fichiers sources par le serveur (`fileWatcherType = "none"`,
  `.streamlit/config.toml`) : 3,60 → 3,02 s dans le même passage ; le premier passage du script
  s'étalait sur 1,06 s côté navigateur, 0,55 s ensuite (0,36 s pour l'application d'une ligne) ;
- reste : le travail Python du script (import de DuckDB, navigation, 7 requêtes : environ 0,4 s
  seul, davantage quand Chromium occupe l'autre cœur), les scripts du champ de date de la barre
  latérale (environ 200 Ko), l'affichage des éléments de la page ;
- essayé et non retenu (28-30/11) : importer pandas et DuckDB dans un fil dès le démarrage du
  serveur (`st.App` et son `lifespan`) : aucun gain, le fil retarde l'envoi des scripts au
  navigateur ; retenu le 28/11 : pas de graphique Plotly sur l'accueil (≈ 1 s de moins).
"""


def gold_section(demo_db: Path, large_db: Path) -> str:
    started = time.monotonic()
    t = gold.measure(demo_db, large_db)
    med = statistics.median
    ref = med(v for values in t.reference_switch.values() for v in values)
    ref_load = med(t.reference_full_load)
    lines = [
        "## Vitesse du GOLD dans Chromium, côte à côte avec une application d'une ligne",
        "",
        "Trois serveurs tournent ensemble sur cette machine : l'application sur la base de "
        "démonstration, l'application sur la base à grande échelle (connectée avec un compte "
        "administrateur) et une application de référence de trois pages d'une ligne sous "
        "`st.navigation`, dont une avec un graphique Plotly (`benchmarks/reference_app.py`). Un "
        "onglet reste ouvert sur chacun ; un premier passage, non mesuré, visite chaque page "
        f"(données en cache, scripts chargés). Puis {gold.ROUNDS} tours : à chaque tour, chaque "
        "onglet passe à son tour, dans un ordre qui tourne d'un tour à l'autre. Une mesure va "
        "du clic (ou du début du chargement) jusqu'à la page dessinée : son titre affiché, le "
        "script au repos, plus aucun élément en cours de chargement, chaque graphique affiché "
        "(Plotly ou Vega-Lite) dessiné ; temps pris dans la page (`performance.now()`). Médianes ; ratio : "
        "application ÷ référence.",
        "",
        f"Référence : changement de page de l'application d'une ligne {fmt(ref)} (médiane de "
        f"{sum(len(v) for v in t.reference_switch.values())} changements ; vers la page du "
        f"graphique {fmt(med(t.reference_switch[gold.REFERENCE_CHART[0]]))}).",
        "",
        f"**Changement de page à chaud** (clic dans la barre latérale ; cible ≤ "
        f"{formats.number(SWITCH_TARGET, 1)} fois la référence, sur chaque page) :",
        "",
        "| page | démonstration | ratio | grande échelle | ratio |",
        "|---|---|---|---|---|",
    ]
    for title, small in t.switch["demo"].items():
        large = t.switch["large"].get(title, [])
        s, g = med(small), med(large)
        lines.append(
            f"| {title} | {fmt(s)} | {kept(ratio(s, ref), SWITCH_TARGET)} | "
            f"{fmt(g)} | {kept(ratio(g, ref), SWITCH_TARGET)} |"
        )
    step = {scale: med(values) for scale, values in t.step.items()}
    lines += [
        "",
        f"**Une étape de la Revue GOLD** (clic sur « {gold.NEXT_ACTION} », jusqu'à l'action "
        f"suivante dessinée ; {gold.STEPS} par tour ; cible ≤ {formats.number(STEP_TARGET, 1)} "
        "fois le changement de page de la référence) et **chargement complet** (un nouveau "
        "contexte du navigateur, sans cache, avec le cookie de session, ouvre l'adresse de la "
        "page, jusqu'au dernier graphique dessiné ; base à grande échelle ; cible ≤ "
        f"{formats.number(FULL_LOAD_TARGET, 1)} fois le chargement de la page du graphique de "
        "la référence) :",
        "",
        "| mesure | démonstration | grande échelle | référence | ratio à grande échelle |",
        "|---|---|---|---|---|",
        f"| Revue GOLD, une étape | {fmt(step['demo'])} | {fmt(step['large'])} | {fmt(ref)} | "
        f"{kept(ratio(step['large'], ref), STEP_TARGET)} |",
    ]
    for title, values in t.full_load.items():
        load_time = med(values)
        lines.append(
            f"| Chargement complet : {title} | — | {fmt(load_time)} | {fmt(ref_load)} | "
            f"{kept(ratio(load_time, ref_load), FULL_LOAD_TARGET)} |"
        )
    minutes = (time.monotonic() - started) / 60
    lines += ["", f"Durée de la mesure : {formats.number(minutes, 1)}\u202fmin."]
    return "\n".join(lines)


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


def measure(folder: Path, only: set[str] | None = None) -> list[tuple[str, str]]:
    """(name, markdown) of every section, or of those named in `only`, measured in order."""
    print("Construction des bases…", flush=True)
    demo_db = build_db(folder, "demo")
    large_db = build_db(folder, "large")
    sections: list[tuple[str, Callable[[], str]]] = [
        ("pages", lambda: pages_section(demo_db, large_db)),
        ("versions du plan", lambda: plan_edits.measure(large_db, folder)),
        ("démarrage à froid", lambda: cold_start_section(demo_db, folder)),
        ("mémoire", lambda: memory_section(demo_db, large_db)),
        ("vitesse du GOLD", lambda: gold_section(demo_db, large_db)),
        ("synthèse annuelle", lambda: "\n".join(report.section(demo_db, large_db))),
        ("classeurs de campagne", lambda: "\n".join(workbooks.section(large_db, folder))),
        ("import", lambda: import_speed.section()[0]),
        ("mémoire de l'import", import_speed.memory_section),
        ("charge", lambda: "\n".join(load.markdown_section(load.run_load(large_db)))),
        ("API", lambda: "\n".join(api.section(large_db, folder))),
    ]
    texts = []
    for name, run in sections:
        if only is not None and name not in only:
            continue
        print(f"Mesure : {name}…", flush=True)
        try:
            texts.append((name, run()))
        except Exception as exc:  # one broken measure must not hide the others
            texts.append((name, f"## {name}\n\nÉchec de la mesure : {type(exc).__name__} : {exc}"))
            print(f"  échec : {exc}", flush=True)
    return texts


def replace_section(blocks: list[str], name: str, text: str, when: str, where: str) -> list[str]:
    """The blocks of docs/benchmarks.md (split on "\\n## ") with the section `text` put in the
    place of the one of the same heading (or `name`), stamped with when and where it was
    measured. A subsection (### …) replaces its namesake inside its section, up to the next
    subsection; a section found nowhere is added at the end."""
    text = text.strip("\n")
    heading = text.split("\n", 1)[0]
    stamped = text + f"\n\nSection mesurée de nouveau le {when} sur : {where}.\n"
    blocks = list(blocks)
    if heading.startswith("### "):
        for i, block in enumerate(blocks):
            lines = block.split("\n")
            if heading in lines:
                start = lines.index(heading)
                end = next(
                    (j for j in range(start + 1, len(lines)) if lines[j].startswith("### ")),
                    len(lines),
                )
                rest = lines[end:] if end < len(lines) else [""]
                blocks[i] = "\n".join([*lines[:start], *stamped.split("\n"), *rest])
                return blocks
        blocks[-1] = blocks[-1].rstrip("\n") + "\n\n" + stamped
        return blocks
    title = heading.removeprefix("## ")
    for i, block in enumerate(blocks):
        if block.split("\n", 1)[0] in (title, name):
            # Its subsections, measured on their own, stay (unless the new text has its own).
            lines = block.split("\n")
            sub = next((j for j, line in enumerate(lines) if line.startswith("### ")), None)
            kept = "\n".join(lines[sub:]) if sub is not None and "\n### " not in text else ""
            blocks[i] = stamped.removeprefix("## ") + ("\n" + kept if kept else "\n")
            return blocks
    blocks.append(stamped.removeprefix("## "))
    return blocks


def rerun(names: list[str]) -> int:
    """`python -m benchmarks sections NAME…`: measure again the named sections (e.g. pages,
    import) and replace them in docs/benchmarks.md, each saying when it was measured."""
    doc = DOC.read_text(encoding="utf-8")
    blocks = doc.split("\n## ")
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        for name, text in measure(Path(tmp), set(names)):
            blocks = replace_section(blocks, name, text, now_label(), machine())
    DOC.write_text("\n## ".join(blocks), encoding="utf-8")
    print(f"Écrit : {DOC}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["import"]:
        return import_speed.main(argv[1:])
    if argv[:1] == ["workbooks"]:
        return workbooks.main()
    if argv[:1] == ["versions"]:
        return plan_edits.main()
    if argv[:1] == ["cold"]:
        with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
            print(cold_start_section(build_db(Path(tmp), "demo"), Path(tmp)))
        return 0
    if argv[:1] == ["sections"]:
        return rerun(argv[1:])
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        texts = [text for _, text in measure(Path(tmp))]
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
