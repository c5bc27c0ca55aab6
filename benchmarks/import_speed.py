"""Import speed: Vérifier + Publier of a 100,000-row Indicateurs sheet, against reading it alone.

The target (issue 5): in one process, checking and publishing the sheet takes at most 1.5 times
the time python-calamine takes only to read it. The plan is data, so the benchmark builds a plan
with 1,000 indicators (5 territories × 20 years × 1,000 = 100,000 distinct rows) from data/.
The section also checks a sheet full of duplicate rows against as many distinct rows
(`import_duplicates`: its own target, 1.5 too).

    python -m benchmarks.import_speed [--rows 100000] [--repeat 7] [--duplicate-rows 150000]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from benchmarks.common import machine
from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.build import build
from ptlcd_data.classeurs import reader
from ptlcd_data.imports import batches, verify
from ptlcd_data.imports.sheets import SPECS
from ptlcd_data.settings import PROJECT_DIR, Settings

TERRITOIRES = ["Nantes Métropole", "Nantes", "Reze", "St-Herblain", "ORVAULT"]
YEARS = 20


def make_plan(target: Path, indicators: int) -> None:
    """data/ with `indicators` generated indicators spread over the plan's objectives."""
    shutil.copytree(PROJECT_DIR / "data", target)
    with (target / "objectifs.csv").open(encoding="utf-8") as fh:
        objectifs = [row["code"] for row in csv.DictReader(fh)]
    with (target / "indicateurs.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "objectif_code", "libelle", "unite", "sens", "fournisseur"])
        for i in range(indicators):
            unite = "%" if i % 10 == 0 else "nombre"
            writer.writerow(
                [f"B{i:04d}", objectifs[i % len(objectifs)], f"Indicateur {i}", unite, "hausse", ""]
            )


def make_sheet(rows: int, indicators: int, keys: int | None = None) -> bytes:
    """The Indicateurs sheet as people fill it: text numbers with commas, blanks, n.c., '45 %'."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Indicateurs")
    for row in sheet_rows(rows, indicators, keys):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_rows(rows: int, indicators: int, keys: int | None = None) -> Iterator[list[object]]:
    """The header, then `rows` rows of `make_sheet`. With `keys`, the rows repeat `keys` distinct
    (indicator, territory, year) over and over, each with its own values; key k is row k of the
    distinct sheet (k × 101: indicator k, so one in ten is in %, as in the distinct sheet)."""
    rng = random.Random(5)
    yield [column.label for column in SPECS["indicateurs"].columns]
    first_year = date.today().year - YEARS
    for n in range(rows):
        key = n if keys is None else (n % keys) * 101
        i, rest = divmod(key, len(TERRITOIRES) * YEARS)
        t, y = divmod(rest, YEARS)
        i %= indicators
        if i % 10 == 0:
            value: object = f"{rng.randint(0, 100)} %"
        elif n % 7 == 0:
            value = f"{rng.randint(1000, 99999) / 10:.1f}".replace(".", ",")
        elif n % 13 == 0:
            value = "n.c."
        else:
            value = rng.randint(0, 5000)
        target = rng.randint(0, 100) if (n % 3 == 0 and i % 10 == 0) else None
        comment = "relevé annuel" if n % 11 == 0 else None
        yield [
            f"B{i:04d}",
            f"Indicateur {i}",
            TERRITOIRES[t],
            first_year + y,
            value,
            target,
            "Observatoire",
            comment,
        ]


def read_only(data: bytes) -> float:
    started = time.perf_counter()
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(data))
        .get_sheet_by_name("Indicateurs")
        .to_python()
    )
    elapsed = time.perf_counter() - started
    assert len(rows) > 1
    return elapsed


def child_read(data: bytes, settings: Settings) -> float:
    """The same read as Vérifier does it: in a child process under limits, cells as Arrow text."""
    started = time.perf_counter()
    reader.read_file(data, "x.xlsx", max_bytes=2**30, max_rows=settings.max_rows)
    return time.perf_counter() - started


def check_and_publish(
    db: Path, data_dir: Path, data: bytes, settings: Settings
) -> tuple[float, float, int]:
    if db.exists():
        db.unlink()
    with store.connect(db) as conn:
        build(conn, data_dir, demo=False)
        started = time.perf_counter()
        check = verify.check_file(conn, data, "indicateurs.xlsx", settings)
        checked = time.perf_counter()
        assert check.ok, check.errors.head().to_dict("records")
        batch = batches.publish(conn, SYSTEM, check)
        done = time.perf_counter()
        assert batch is not None
        created = int(conn.execute("SELECT count(*) FROM indicateur_valeur").fetchall()[0][0])
    return checked - started, done - checked, created


def _comma(line: str) -> str:
    """French decimal comma in the table's figures."""
    import re

    return re.sub(r"(\d)\.(\d)", r"\1,\2", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--duplicate-rows", type=int, default=150_000, help="rows of the sheet over 30 keys"
    )
    args = parser.parse_args(argv)
    text, ratio = section(args)
    print(text)
    return 0 if ratio <= 1.5 else 1


def section(args: argparse.Namespace | None = None) -> tuple[str, float]:
    """The "Import" section of docs/benchmarks.md, and the highest of its ratios (each of them
    has the target 1.5: import ÷ read, duplicate rows ÷ distinct rows)."""
    # Here, not at the top: import_duplicates builds its sheets with this module's functions.
    from benchmarks import import_duplicates

    args = args or argparse.Namespace(rows=100_000, repeat=7, duplicate_rows=150_000)
    indicators = -(-args.rows // (len(TERRITOIRES) * YEARS))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_plan(work / "data", indicators)
        data = make_sheet(args.rows, indicators)
        settings = Settings(max_rows=max(args.rows, Settings().max_rows))
        # Warm-up, as in a running server: the reading fork server starts once per process.
        check_and_publish(
            work / "warm.duckdb", work / "data", make_sheet(200, indicators), settings
        )
        reads, checks, publishes, totals, childs = [], [], [], [], []
        created = 0
        for _ in range(args.repeat):
            reads.append(read_only(data))
            childs.append(child_read(data, settings))
            c, p, created = check_and_publish(work / "bench.duckdb", work / "data", data, settings)
            checks.append(c)
            publishes.append(p)
            totals.append(c + p)
    read, check, publish, total, child = (
        statistics.median(x) for x in (reads, checks, publishes, totals, childs)
    )
    ratio = total / read
    lines = [
        f"- date : {date.today():%d/%m/%Y}",
        f"- machine : {machine()}",
        f"- fichier : {args.rows:,} lignes".replace(",", " ")
        + f" de la feuille Indicateurs, {len(data) / 2**20:.1f} Mo".replace(".", ",")
        + " (.xlsx écrit par openpyxl)",
        f"- {created:,} valeurs publiées (les lignes « n.c. » sans cible sont ignorées)".replace(
            ",", " "
        ),
        f"- médiane de {args.repeat} mesures alternées (lecture seule, puis import), dans un même processus",
        "",
        "| étape | secondes |",
        "|---|---|",
        f"| lecture seule (python-calamine, `to_python`) | {read:.2f} |",
        f"| lecture bornée seule, dans le processus fils, en colonnes Arrow (une partie de Vérifier) | {child:.2f} |",
        f"| Vérifier (lecture bornée + contrôles + comparaison) | {check:.2f} |",
        f"| Publier (une transaction) | {publish:.2f} |",
        f"| **Vérifier + Publier** | **{total:.2f}** |",
        f"| **rapport à la lecture seule** | **{ratio:.2f}** (cible ≤ 1,5) |",
    ]
    report = "\n".join(line if not line.startswith("| ") else _comma(line) for line in lines)
    duplicates = import_duplicates.measure(args.duplicate_rows)
    report += "\n\n" + "\n".join(import_duplicates.lines(duplicates, args.duplicate_rows))
    return SECTION_HEAD + report + "\n" + DOC_TAIL, max(ratio, import_duplicates.worst(duplicates))


SECTION_HEAD = """## Import d'une feuille Indicateurs de 100 000 lignes

Objectif : Vérifier + Publier, dans un même processus, en au plus 1,5 fois le temps de la seule
lecture de la feuille par python-calamine ; et Vérifier un fichier plein de doublons en au plus
1,5 fois le temps d'autant de lignes distinctes (second tableau).

"""

DOC_TAIL = """
Ce que comprend « Vérifier » : la lecture du classeur par calamine dans un processus fils limité
en mémoire et en temps (un classeur piégé de quelques kilo-octets peut demander des centaines de
gigaoctets : seul le fils tombe, test `test_the_server_process_survives_a_far_cell_bomb`) ; le
fils passe par fastexcel, qui remet les cellules en colonnes Arrow de texte construites en Rust,
sans objet Python par cellule ; il relit aussi le XML de chaque feuille, ce que calamine ne dit
pas (cellules au format pourcentage, formules sans valeur calculée : une décompression et une
recherche quand il n'y en a pas). Puis, dans DuckDB, pour tout le tableau d'un coup et en une passe :
nettoyage des textes, nombres à la française, années, correspondance des codes et des
territoires (une fois par valeur distincte), chaque règle de contrôle (une requête compte les
règles enfreintes, seules celles-là listent leurs lignes), doublons, et la comparaison avec les
valeurs en base. Les résultats intermédiaires restent des tables Arrow enregistrées sur la
connexion, sans copie dans le stockage de DuckDB. « Publier » écrit le lot, les valeurs et la
ligne du journal dans une transaction ; la comparaison n'est refaite que si la base a changé
depuis « Vérifier ».

La lecture de référence (`to_python` de python-calamine) crée un objet Python par cellule ; la
lecture de l'import ne le fait pas : c'est ce qui laisse la place aux contrôles et à l'écriture.
"""

MEMORY_PROBE = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, {root!r})
from benchmarks import import_speed as b
from ptlcd_data.settings import Settings
data = Path({sheet!r}).read_bytes()
if {mode!r} == "read":
    b.read_only(data)
elif {mode!r} == "child":
    from ptlcd_data.classeurs import reader
    reader.read_and_pack(data, "sheet.xlsx", "xlsx", max({rows}, Settings().max_rows))
else:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(max_rows=max({rows}, Settings().max_rows))
        b.check_and_publish(Path(tmp) / "m.duckdb", Path({data_dir!r}), data, settings)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a process started by a large one
# would report its parent's peak.
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(own, 0)
"""


def peak_memory(rows: int = 100_000) -> tuple[float, float, float]:
    """Peak resident memory (MB) of a fresh process that only reads the sheet with calamine, and
    of one that checks and publishes it: (bare read, import process, import's reading child)."""
    import subprocess
    import sys

    indicators = -(-rows // (len(TERRITOIRES) * YEARS))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_plan(work / "data", indicators)
        sheet = work / "sheet.xlsx"
        sheet.write_bytes(make_sheet(rows, indicators))
        peaks = {}
        for mode in ("read", "import", "child"):
            code = MEMORY_PROBE.format(
                root=str(PROJECT_DIR),
                sheet=str(sheet),
                mode=mode,
                rows=rows,
                data_dir=str(work / "data"),
            )
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                cwd=PROJECT_DIR,
            ).stdout.split()
            peaks[mode] = (int(out[0]) / 1024, int(out[1]) / 1024)
    return peaks["read"][0], peaks["import"][0], peaks["child"][0]


def memory_section() -> str:
    read, parent, child = peak_memory()
    ratio = max(parent, child) / read
    both = (parent + child) / read
    return "\n".join(
        [
            "### Mémoire de pointe de l'import (100 000 lignes)",
            "",
            "Chaque mesure dans un processus neuf (`VmHWM`, modules du projet compris). Le "
            "travail du processus fils de lecture (lecture et sérialisation Arrow) est mesuré à "
            "part, dans un processus neuf, car le fils d'un serveur de processus (`forkserver`) "
            "n'est pas compté dans `RUSAGE_CHILDREN`.",
            "",
            "| lecture seule (python-calamine) | import : processus principal | import : travail du fils de lecture | pointe de l'import ÷ lecture | somme des deux ÷ lecture |",
            "|---|---|---|---|---|",
            f"| {read:.0f} Mo | {parent:.0f} Mo | {child:.0f} Mo | {ratio:.2f} (cible ≤ 3) | {both:.2f} |".replace(
                ".", ","
            ),
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
