"""The load harness (benchmarks/load.py) stays working: it counts page runs and finds errors.

The load itself is a benchmark (`python -m benchmarks`); these runs are small: a few Streamlit
websocket clients for a few seconds against a real `streamlit run`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import run_load
from ui.navigation import PAGES, allowed

# A load test saturates the machine: it runs alone, after the parallel run (scripts/test.sh).
pytestmark = [pytest.mark.browser, pytest.mark.serial]

# Every way a page can fail in front of a visitor, one page each; the page list is the app's.
FAILING_APP = """
import time

import streamlit as st


def bonne():
    st.title("Bonne page")


def exception():
    raise ValueError("panne voulue")


def erreur():
    st.error("Erreur affichée")


def lente():
    time.sleep(4)


st.navigation(
    [
        st.Page(bonne, title="Bonne", default=True),
        st.Page(exception, title="Exception", url_path="exception"),
        st.Page(erreur, title="Erreur", url_path="erreur"),
        st.Page(lente, title="Lente", url_path="lente"),
    ]
).run()
"""


@pytest.fixture
def demo_db(demo_db_path: Path) -> Path:
    return demo_db_path


def test_load_harness_serves_every_public_page_to_every_session_without_error(demo_db):
    sessions = 3
    result = run_load(demo_db, sessions=sessions, seconds=10)

    public = {spec.title for spec in PAGES if allowed(spec, None, read_requires_login=False)}
    assert result["errors"] == 0, result["error_samples"]
    assert result["server_tracebacks"] == 0
    # Each session walks every page an anonymous visitor may open, at least once.
    assert set(result["per_page"]) == public
    assert all(p["count"] >= sessions for p in result["per_page"].values()), result["per_page"]
    assert result["pages_served"] == sum(p["count"] for p in result["per_page"].values())
    assert 0 < result["p50"] <= result["p95"] <= result["max"]
    assert result["duration"] >= 10
    assert result["server_peak_mb"] > 0


def test_load_harness_counts_exceptions_errors_and_timeouts(tmp_path, demo_db):
    app = tmp_path / "panne.py"
    app.write_text(FAILING_APP, encoding="utf-8")

    result = run_load(demo_db, sessions=1, seconds=0.5, app=app, page_timeout=1.5)

    kinds = sorted(sample.split(" — ")[1].split(" ")[0] for sample in result["error_samples"])
    assert kinds == ["délai", "exception", "st.error"], result["error_samples"]
    assert result["errors"] == 3
    # Only the good page counts as served: once on opening the site, once on the walk.
    assert set(result["per_page"]) == {"Bonne"}
    assert result["pages_served"] == result["per_page"]["Bonne"]["count"] == 2
