"""Server-side run time of every page (AppTest), at the demo scale and at the large scale."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.common import BENCH_ADMIN, ROOT
from ui.navigation import PAGES

REPEATS = 5


def _patch_apptest_like_server() -> None:
    """See tests/conftest.py: AppTest must rerun app.py like the server does."""
    from streamlit.runtime import pages_manager

    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init  # type: ignore[method-assign]


def _one_run(db: Path, path: str) -> float:
    os.environ["PTLCD_DB"] = str(db)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["ptlcd_login"] = BENCH_ADMIN
    at.run()
    at.switch_page(path)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{path}: {at.exception[0].value}")
    return elapsed


def page_times_side_by_side(small: Path, large: Path) -> dict[str, tuple[float, float]]:
    """Per page, median seconds of a full run with cold caches at both scales.

    The two scales alternate run by run, so both see the same machine load.
    """
    _patch_apptest_like_server()
    results: dict[str, tuple[float, float]] = {}
    for spec in PAGES:
        a: list[float] = []
        b: list[float] = []
        for _ in range(REPEATS):
            a.append(_one_run(small, spec.path))
            b.append(_one_run(large, spec.path))
        results[spec.title] = (statistics.median(a), statistics.median(b))
    return results
