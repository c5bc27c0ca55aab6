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

REPEATS = 3


def _patch_apptest_like_server() -> None:
    """See tests/conftest.py: AppTest must rerun app.py like the server does."""
    from streamlit.runtime import pages_manager

    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init  # type: ignore[method-assign]


def page_times(db: Path) -> dict[str, float]:
    """Median seconds of a full run of each page with cold caches (worst case for a visitor)."""
    _patch_apptest_like_server()
    os.environ["PTLCD_DB"] = str(db)
    results: dict[str, float] = {}
    for spec in PAGES:
        samples = []
        for _ in range(REPEATS):
            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.session_state["ptlcd_login"] = BENCH_ADMIN
            at.run()
            at.switch_page(spec.path)
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{spec.title}: {at.exception[0].value}")
        results[spec.title] = statistics.median(samples)
    return results
