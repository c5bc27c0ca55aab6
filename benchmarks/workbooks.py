"""Writing every porteur's campaign workbook, against writing the import template, at large scale.

Target (issue 15): writing all the workbooks takes at most 1.5 × (number of workbooks × the
time to write one import template). Both are measured side by side in one run, alternating, on
the large database (`demo --scale large`, whose synthetic indicators are each supplied by a
porteur of the plan).

`python -m benchmarks workbooks` measures only this and rewrites only its section of
docs/benchmarks.md; `python -m benchmarks` includes it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks import report
from benchmarks.common import ROOT, build_db
from ptlcd_data import formats, store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns, workbooks
from ptlcd_data.imports import template

ROUNDS = 3
TARGET = 1.5
HEADING = "## Classeurs d'une campagne de suivi (grande échelle)"


def measure(large_db: Path, folder: Path) -> dict[str, float]:
    with store.connect(large_db) as conn:
        campaign = campaigns.current(conn) or campaigns.open_campaign(
            conn, SYSTEM, "Banc d'essai", date.today() + timedelta(days=30)
        )
        rows = conn.execute("SELECT count(*) FROM indicateur i CROSS JOIN territoire t").fetchone()
        one, every = [], []
        count = 0
        for n in range(ROUNDS):
            start = time.perf_counter()
            template.workbook(conn, campaign.annee)
            one.append(time.perf_counter() - start)
            start = time.perf_counter()
            count = len(workbooks.write_workbooks(conn, campaign.id, folder / f"tour{n}"))
            every.append(time.perf_counter() - start)
    return {
        "load": os.getloadavg()[0],
        "template": statistics.median(one),
        "all": statistics.median(every),
        "count": count,
        "rows": int(rows[0]) if rows else 0,
    }


def section(large_db: Path, folder: Path) -> list[str]:
    m = measure(large_db, folder)
    bound = TARGET * m["count"] * m["template"]
    r = m["all"] / (m["count"] * m["template"]) if m["count"] and m["template"] else float("inf")

    def s(x: float) -> str:
        return formats.number(x, 2) + "\u202fs"

    return [
        "",
        HEADING,
        "",
        "`campaign workbooks` : un classeur par porteur (le modèle d'import pré-rempli avec ses "
        "actions et ses indicateurs, protégé, avec sa feuille cachée « Campagne de suivi »), "
        f"comparé au modèle d'import complet ({formats.number(m['rows'])} lignes Indicateurs), "
        f"écrits l'un après l'autre à chaque tour ; médiane de {ROUNDS} tours. Les classeurs "
        "lisent une fois ce qu'ils partagent (référentiel, valeurs de l'année, derniers statuts) "
        "puis n'écrivent chacun que les lignes de leur porteur : tous ensemble coûtent "
        f"{formats.number(m['all'] / m['template'], 2)} fois un modèle. Charge moyenne de la "
        f"machine (partagée) à la fin de la mesure : {formats.number(m['load'], 1)}.",
        "",
        "| un modèle d'import | classeurs | tous les classeurs | borne (1,5 × n × modèle) | "
        "ratio à n × modèle |",
        "|---|---|---|---|---|",
        f"| {s(m['template'])} | {formats.number(m['count'])} | {s(m['all'])} | {s(bound)} | "
        f"{formats.number(r, 2)} ({'tenue' if r <= TARGET else 'manquée'}, cible ≤ "
        f"{formats.number(TARGET, 1)}) |",
    ]


def main() -> int:
    out = ROOT / "docs" / "benchmarks.md"
    with tempfile.TemporaryDirectory(prefix="ptlcd-bench-") as tmp:
        folder = Path(tmp)
        print("Construction de la base grande échelle…", flush=True)
        large_db = build_db(folder, "large")
        print("Classeurs de campagne…", flush=True)
        lines = section(large_db, folder)
        print("\n".join(lines))
        report.write_section(lines, out, HEADING)
    print(f"Écrit : {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
