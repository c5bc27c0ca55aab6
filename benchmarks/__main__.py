"""`python -m benchmarks`: run every benchmark side by side and write docs/benchmarks.md."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks import browser, pages, report
from benchmarks.common import ROOT, build_db, machine, now_label, ratio
from ptlcd_data import formats

PAGE_RATIO_TARGET = 2.0
COLD_START_TARGET = 1.5
MEMORY_TARGET = 1.5


def fmt(seconds: float) -> str:
    return formats.number(seconds, 2) + " s"


def main() -> int:
    out = ROOT / "docs" / "benchmarks.md"
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        folder = Path(tmp)
        print("Construction des bases…", flush=True)
        demo_db = build_db(folder, "demo")
        large_db = build_db(folder, "large")
        lines = [
            "# Mesures de performance",
            "",
            f"Mesuré le {now_label()} sur : {machine()}.",
            "",
            "Chaque ratio compare deux mesures faites côte à côte dans la même exécution "
            "(`make bench`, c'est-à-dire `python -m benchmarks`).",
            "",
        ]
        print("Pages (AppTest)…", flush=True)
        small = pages.page_times(demo_db)
        large = pages.page_times(large_db)
        lines += [
            f"## Temps serveur de chaque page (AppTest, caches vides, médiane de {pages.REPEATS})",
            "",
            f"Cible : grande échelle ÷ démonstration ≤ {formats.number(PAGE_RATIO_TARGET, 1)}.",
            "",
            "| page | démonstration | grande échelle | ratio | cible tenue |",
            "|---|---|---|---|---|",
        ]
        for title, t_small in small.items():
            r = ratio(large[title], t_small)
            lines.append(
                f"| {title} | {fmt(t_small)} | {fmt(large[title])} | {formats.number(r, 2)} | "
                f"{'oui' if r <= PAGE_RATIO_TARGET else 'non'} |"
            )
        print("Démarrage à froid…", flush=True)
        one_line = folder / "une_ligne.py"
        one_line.write_text('import streamlit as st\nst.title("Bonjour")\n', encoding="utf-8")
        app_t, ref_t = browser.cold_start(demo_db, one_line)
        r = ratio(app_t, ref_t)
        lines += [
            "",
            "## Démarrage à froid (lancement du processus → page d'accueil affichée dans Chromium)",
            "",
            f"| application | application d'une ligne | ratio | cible ≤ {formats.number(COLD_START_TARGET, 1)} |",
            "|---|---|---|---|",
            f"| {fmt(app_t)} | {fmt(ref_t)} | {formats.number(r, 2)} | {'tenue' if r <= COLD_START_TARGET else 'manquée'} |",
        ]
        print("Mémoire du serveur…", flush=True)
        mem_small = browser.server_peak_memory(demo_db)
        mem_large = browser.server_peak_memory(large_db)
        r = ratio(mem_large, mem_small)
        lines += [
            "",
            "## Mémoire de pointe du serveur après la visite de toutes les pages",
            "",
            f"| démonstration | grande échelle | ratio | cible ≤ {formats.number(MEMORY_TARGET, 1)} |",
            "|---|---|---|---|",
            f"| {formats.number(mem_small)} Mo | {formats.number(mem_large)} Mo | {formats.number(r, 2)} | {'tenue' if r <= MEMORY_TARGET else 'manquée'} |",
        ]
        print("Synthèse annuelle (PDF, XLSX)…", flush=True)
        lines += report.section(demo_db, large_db)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Écrit : {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
