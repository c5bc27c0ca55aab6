"""Vérifier on a sheet full of duplicate rows, against the same number of distinct rows.

The target: 150,000 rows over 30 keys (indicator, territory, year) are checked in at most 1.5
times the time of 150,000 distinct rows with the same values, both as the import page runs
Vérifier (`verify.check_file`) and as the command line's dry run does it (`import --dry-run`,
its output thrown away). An outside test found 6 min 30 s against 64 s for the dry run: the
command line tested the whole problem table again for each problem it printed (quadratic in
the number of problems), and each duplicate row was its own problem.

    python -m benchmarks.import_duplicates [--rows 150000] [--keys 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.import_speed import TERRITOIRES, YEARS, make_plan, make_sheet, sheet_rows
from ptlcd_data import formats, store
from ptlcd_data.build import build
from ptlcd_data.cli.donnees import cmd_import
from ptlcd_data.imports import verify
from ptlcd_data.settings import Settings

TARGET = 1.5
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Times:
    """Median seconds of one format: Vérifier and the dry run, distinct rows then duplicates."""

    fmt: str
    check: tuple[float, float]
    dry_run: tuple[float, float]
    problems: int  # problems of the duplicate sheet (one per group of duplicates)

    def ratios(self) -> tuple[float, float]:
        return self.check[1] / self.check[0], self.dry_run[1] / self.dry_run[0]


def sheet(fmt: str, rows: int, indicators: int, keys: int | None) -> bytes:
    """The benchmark's Indicateurs sheet, as .xlsx or as the .csv people export (;, UTF-8)."""
    if fmt == "xlsx":
        return make_sheet(rows, indicators, keys)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerows(
        ["" if v is None else v for v in row] for row in sheet_rows(rows, indicators, keys)
    )
    return buf.getvalue().encode("utf-8-sig")


def dry_run(path: Path, settings: Settings) -> float:
    """`python -m ptlcd_data import FILE --dry-run`, in this process, its output thrown away."""
    args = argparse.Namespace(file=path, dry_run=True, user=None)
    with open(os.devnull, "w", encoding="utf-8") as sink:
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            cmd_import(args, settings)
        return time.perf_counter() - started


def measure(rows: int = 150_000, keys: int = 30, repeat: int = 3) -> list[Times]:
    """Each format's medians, the distinct sheet and the duplicate one measured in turn."""
    indicators = -(-rows // (len(TERRITOIRES) * YEARS))
    out = []
    with tempfile.TemporaryDirectory(prefix="ptlcd-dups-") as tmp:
        work = Path(tmp)
        make_plan(work / "data", indicators)
        db = work / "bench.duckdb"
        with store.connect(db) as conn:
            build(conn, work / "data", demo=False)
        settings = Settings(db_path=db, data_dir=work / "data", max_rows=max(rows, 200_000))
        for fmt in FORMATS:
            files = []
            for name, k in (("distinctes", None), ("doublons", keys)):
                files.append(work / f"{name}.{fmt}")
                files[-1].write_bytes(sheet(fmt, rows, indicators, k))
            # Warm-up, as in a running server: the reading fork server starts once per process.
            dry_run(files[0], settings)
            checks: tuple[list[float], list[float]] = ([], [])
            runs: tuple[list[float], list[float]] = ([], [])
            problems = 0
            for _ in range(repeat):
                for n, path in enumerate(files):
                    with store.connect(db) as conn:
                        started = time.perf_counter()
                        result = verify.check_file(conn, path.read_bytes(), path.name, settings)
                        checks[n].append(time.perf_counter() - started)
                    problems = len(result.problems)
                    runs[n].append(dry_run(path, settings))
            out.append(
                Times(
                    fmt,
                    (statistics.median(checks[0]), statistics.median(checks[1])),
                    (statistics.median(runs[0]), statistics.median(runs[1])),
                    problems,
                )
            )
    return out


def lines(times: list[Times], rows: int = 150_000, keys: int = 30, repeat: int = 3) -> list[str]:
    """The duplicates' table of the import section of docs/benchmarks.md."""

    def sec(seconds: float) -> str:
        return formats.number(seconds, 2)

    out = [
        f"Un fichier plein de doublons : {formats.number(rows)} lignes sur {keys} clés "
        "(indicateur, territoire, année), contre autant de lignes distinctes aux mêmes valeurs. "
        "Objectif : au plus 1,5 fois le temps des lignes distinctes, pour Vérifier tel que la "
        "page le lance et pour la simulation de la ligne de commande (`import --dry-run`, "
        "sorties écartées, qui affiche aussi chaque changement des lignes distinctes). "
        + (f"Médiane de {repeat} mesures alternées." if repeat > 1 else "Une mesure de chaque.")
        + " Problèmes des doublons : ce que la page et la ligne de commande en montrent.",
        "",
        "| format | étape | lignes distinctes (s) | doublons (s) | problèmes des doublons | rapport |",
        "|---|---|---|---|---|---|",
    ]
    for t in times:
        r_check, r_run = t.ratios()
        for label, (plain, dups), r in (
            ("Vérifier", t.check, r_check),
            ("`import --dry-run`", t.dry_run, r_run),
        ):
            out.append(
                f"| .{t.fmt} | {label} | {sec(plain)} | {sec(dups)} | "
                f"{formats.number(t.problems)} | **{sec(r)}** (cible ≤ 1,5) |"
            )
    return out


def worst(times: list[Times]) -> float:
    return max(r for t in times for r in t.ratios())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--keys", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    times = measure(args.rows, args.keys, args.repeat)
    print("\n".join(lines(times, args.rows, args.keys, args.repeat)))
    return 0 if worst(times) <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
