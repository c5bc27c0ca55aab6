"""Shared fixtures: real DuckDB files in tmp_path, copies of bases built from the plan's data files
once per test process (`tests/helpers/databases.Templates`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ptlcd_data import store
from tests.helpers import DATA_DIR
from tests.helpers.databases import Templates, app_on


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """The template bases of this test process (each built once, on first use)."""
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module")
def served_plan(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """(URL, base) of `streamlit run serve.py` on a copy of the plan's base, shared by the tests
    of one module that talk to the server over HTTP."""
    from tests.helpers.browser import streamlit_server

    db = templates.copy("plan", tmp_path_factory.mktemp("serveur") / "ptlcd.duckdb")
    with streamlit_server(db) as url:
        yield url, db


@pytest.fixture
def db_path(tmp_path: Path, templates: Templates) -> Path:
    """A database built from the real plan (data/), without demonstration data."""
    return templates.copy("plan", tmp_path / "ptlcd.duckdb")


@pytest.fixture
def conn(db_path: Path) -> Iterator[store.Connection]:
    with store.connect(db_path) as c:
        yield c


@pytest.fixture
def demo_db_path(tmp_path: Path, templates: Templates) -> Path:
    """A database built from the real plan with its demonstration history (2017–2022)."""
    return templates.copy("demo", tmp_path / "demo.duckdb")


@pytest.fixture
def demo_conn(demo_db_path: Path) -> Iterator[store.Connection]:
    """An open connection to the demonstration database."""
    with store.connect(demo_db_path) as c:
        yield c


@pytest.fixture
def mini_conn(tmp_path: Path, templates: Templates) -> Iterator[store.Connection]:
    """Another contrat de ville's plan: proves nothing about Nantes is hard-coded."""
    with store.connect(templates.copy("mini", tmp_path / "mini.duckdb")) as c:
        yield c


@pytest.fixture
def app_env(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the app at a fresh database and clear Streamlit's caches around the test."""
    yield from app_on(db_path, monkeypatch)


@pytest.fixture
def demo_app_env(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app on the demonstration database (2017–2022), with clean Streamlit caches."""
    yield from app_on(demo_db_path, monkeypatch)


@pytest.fixture
def sixty_territories_env(app_env: Path) -> Path:
    """The app's database with 60 synthetic territories and their demonstration values: beyond
    the 30 that a matrix or an indicators panel shows at once."""
    from ptlcd_data import store
    from ptlcd_data.demo import large as demo_large

    with store.connect(app_env) as conn:
        with store.transaction(conn):
            demo_large.generate_large(
                conn, demo_large.Scale(territoires=60, indicateurs=21, years=2)
            )
    return app_env


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright, shared by the tests of one module."""
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PTLCD_DATA", str(DATA_DIR))
