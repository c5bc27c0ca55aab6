"""Time to produce the annual summary (assembly, PDF, XLSX) at the demo and the large scale.

`python -m benchmarks` includes this section; `python -m benchmarks.report` measures only it and
rewrites only its section of docs/benchmarks.md.

The large scale (`demo --scale large`) records quarterly indicator values; the summary reads
yearly ones, so a third database copies each fourth quarter as the year's value: the worst case,
every indicator followed in every territory for fifteen years.
"""

from __future__ import annotations

import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from benchmarks.common import ROOT, build_db, machine, now_label, ratio
from ptlcd_data import formats, store
from ptlcd_data.synthese import model, render_pdf, render_xlsx

REPEATS = 3
# The last year of the demonstration history: statuses, engagements and indicators all move.
YEAR = 2022
HEADING = "## Synthèse annuelle (PDF et XLSX)"


def yearly_copy(large_db: Path) -> Path:
    """The large database with each T4 value also recorded as the year's value."""
    db = large_db.with_name("large_annuel.duckdb")
    if db.exists():
        return db
    shutil.copy(large_db, db)
    with store.connect(db) as conn:
        conn.execute(
            """
            INSERT INTO indicateur_valeur (indicateur_code, territoire_code, annee, periode,
                valeur, cible, source, commentaire, auteur, enregistre_le, demo)
            SELECT indicateur_code, territoire_code, annee, 'A', valeur, cible, source,
                   commentaire, auteur, enregistre_le, demo
            FROM indicateur_valeur WHERE periode = 'T4'
            """
        )
    return db


def _median(fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report_times(db: Path) -> dict[str, float]:
    """Median seconds of each step, and what the summary held (pages, rows)."""
    with store.connect(db) as conn:
        assembly = _median(lambda: model.synthese_annuelle(conn, YEAR, date.today()))
        s = model.synthese_annuelle(conn, YEAR, date.today())
    pdf = _median(lambda: render_pdf.render(s))
    xlsx = _median(lambda: render_xlsx.render(s))
    pages = len(PdfReader(io.BytesIO(render_pdf.render(s))).pages)
    return {
        "synthese": assembly,
        "pdf": pdf,
        "xlsx": xlsx,
        "pages": pages,
        "territoires": len(s.engagement),
        "indicateurs": len(s.indicateurs),
        "series": int(s.indicateurs["Territoires suivis"].sum()),
    }


def section(demo_db: Path, large_db: Path) -> list[str]:
    """The Markdown lines of this benchmark's section."""
    rows = {
        "démonstration": report_times(demo_db),
        "grande échelle": report_times(large_db),
        "grande échelle, valeurs annuelles": report_times(yearly_copy(large_db)),
    }
    base = rows["démonstration"]

    def s(x: float) -> str:
        return formats.number(x, 2) + " s"

    lines = [
        "",
        HEADING,
        "",
        f"Synthèse de {YEAR} : assemblage des tableaux (`synthese_annuelle`), rendu du PDF "
        f"(fpdf2 et matplotlib, sans navigateur) et du classeur XLSX ; médiane de {REPEATS}. "
        "La « grande échelle » est `demo --scale large` (valeurs trimestrielles, que la synthèse "
        "annuelle ne lit pas) ; la dernière ligne y recopie chaque 4e trimestre en valeur "
        "annuelle : tous les indicateurs suivis dans tous les territoires.",
        "",
        "| base | territoires | indicateurs (séries suivies) | assemblage | PDF (pages) | XLSX | "
        "total | ratio du total |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        total = r["synthese"] + r["pdf"] + r["xlsx"]
        base_total = base["synthese"] + base["pdf"] + base["xlsx"]
        lines.append(
            f"| {name} | {formats.number(r['territoires'])} | {formats.number(r['indicateurs'])} "
            f"({formats.number(r['series'])}) | {s(r['synthese'])} | {s(r['pdf'])} "
            f"({formats.number(r['pages'])}) | {s(r['xlsx'])} | {s(total)} | "
            f"{formats.number(ratio(total, base_total), 2)} |"
        )
    return lines


def write_section(lines: list[str], out: Path, heading: str = HEADING) -> None:
    """Replace the section `heading` in `out` (or append it), leaving the other sections as
    they are."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Mesures de performance\n"
    body = "\n".join([*lines, "", f"Section mesurée le {now_label()} sur : {machine()}."])
    body = body.strip("\n")
    start = text.find(heading)
    if start == -1:
        new = text.rstrip("\n") + "\n\n" + body + "\n"
    else:
        end = text.find("\n## ", start + len(heading))
        rest = text[end:] if end != -1 else ""
        new = text[:start].rstrip("\n") + "\n\n" + body + "\n" + rest
    out.write_text(new, encoding="utf-8")


def main() -> int:
    out = ROOT / "docs" / "benchmarks.md"
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        folder = Path(tmp)
        print("Construction des bases…", flush=True)
        demo_db = build_db(folder, "demo")
        large_db = build_db(folder, "large")
        print("Synthèse annuelle…", flush=True)
        write_section(section(demo_db, large_db), out)
    print(f"Écrit : {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
