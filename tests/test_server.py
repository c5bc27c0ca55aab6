"""The server as scripts/run.sh starts it (`streamlit run serve.py`): Streamlit's pages and the
routes of web/ in one process, read with httpx."""

from __future__ import annotations

from pathlib import Path

import duckdb
import httpx
import pytest

from tests.helpers.browser import streamlit_server


@pytest.fixture(scope="module")
def site(served_plan: tuple[str, Path]) -> tuple[str, Path]:
    return served_plan


def test_the_pages_are_served_as_before(site):
    url, _ = site
    assert httpx.get(f"{url}/_stcore/health").text == "ok"
    home = httpx.get(f"{url}/")
    assert home.status_code == 200 and '<div id="root">' in home.text


def test_healthz_says_ok_when_the_base_is_current(site):
    url, _ = site
    answer = httpx.get(f"{url}/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"etat": "ok"}
    assert httpx.head(f"{url}/healthz").status_code == 200


def test_healthz_says_why_in_french_when_the_base_is_behind(site):
    """A base one migration behind (a new version deployed, `init` not run yet): 503 with the
    reason, and the base is left as it was (the probe migrates nothing)."""
    url, db = site
    with duckdb.connect(str(db)) as conn:
        last = conn.execute("SELECT max(version) FROM schema_migration").fetchone()[0]
        conn.execute("DELETE FROM schema_migration WHERE version = ?", [last])
    try:
        answer = httpx.get(f"{url}/healthz")
        assert answer.status_code == 503
        body = answer.json()
        assert body["etat"] == "indisponible"
        assert f"n° {last}" in body["raison"] and "python -m ptlcd_data init" in body["raison"]
        with duckdb.connect(str(db)) as conn:
            assert conn.execute("SELECT max(version) FROM schema_migration").fetchone()[0] < last
    finally:
        with duckdb.connect(str(db)) as conn:
            conn.execute(
                "INSERT INTO schema_migration VALUES (?, 'rendu', current_localtimestamp())", [last]
            )
    assert httpx.get(f"{url}/healthz").status_code == 200


def test_healthz_without_a_base(tmp_path):
    """A missing file is not created: 503 « n'existe pas »."""
    db = tmp_path / "absente.duckdb"
    with streamlit_server(db) as url:
        answer = httpx.get(f"{url}/healthz")
    assert answer.status_code == 503
    assert "n'existe pas" in answer.json()["raison"]
    assert not db.exists()


def test_the_servers_start_imports_neither_pandas_nor_the_api():
    """serve.py's routes load pandas and the API's queries at the first /api or /opendata
    request, not at the start, which the first page waits for (cold start, docs/benchmarks.md)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    code = "import sys, web.routes; print('pandas' in sys.modules, 'web.api' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_an_unknown_address_under_api_is_a_french_json_404(site):
    url, _ = site
    for path in ("/api", "/api/v2/plan", "/opendata"):
        answer = httpx.get(f"{url}{path}")
        assert answer.status_code == 404, path
        assert answer.json()["code"] == "introuvable", path
