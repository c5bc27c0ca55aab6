"""Server-side run time of every page (AppTest), at the demo scale and at the large scale."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.common import BENCH_ADMIN, ROOT
from tests.helpers.apptest import logged_in
from ui.navigation import PAGES

REPEATS = 3


def _one_run(db: Path, path: str) -> float:
    os.environ["PTLCD_DB"] = str(db)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    logged_in(at, BENCH_ADMIN)
    at.run()
    at.switch_page(path)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{path}: {at.exception[0].value}")
    # A refused or failed page is fast: never let it pass for a measure.
    problems = [e.value for e in at.error] + [
        w.value for w in at.warning if "réservée" in str(w.value)
    ]
    if problems or not at.title:
        raise RuntimeError(f"{path}: la page n'a pas été servie normalement : {problems[:1]}")
    return elapsed


def _run_in_fresh_process(db: Path, path: str) -> float:
    """One cold measure: a new Python process, so no cache of any earlier run can help."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.pages", str(db), path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{path}: {out.stderr.strip().splitlines()[-1:]}")
    return float(out.stdout.strip().splitlines()[-1])


def page_times_side_by_side(small: Path, large: Path) -> dict[str, tuple[float, float]]:
    """Per page, median seconds of a full run with cold caches at both scales.

    Each measure runs in a fresh process (Streamlit's caches outlive `st.cache_data.clear()`
    between AppTest runs), and the two scales alternate, so both see the same machine load.
    """
    results: dict[str, tuple[float, float]] = {}
    for spec in PAGES:
        a: list[float] = []
        b: list[float] = []
        for _ in range(REPEATS):
            a.append(_run_in_fresh_process(small, spec.path))
            b.append(_run_in_fresh_process(large, spec.path))
        results[spec.title] = (statistics.median(a), statistics.median(b))
    return results


if __name__ == "__main__":
    import sys

    print(_one_run(Path(sys.argv[1]), sys.argv[2]))
