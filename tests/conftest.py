"""Shared fixtures: real DuckDB files built in tmp_path from the plan's data files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ptlcd_data import store
from ptlcd_data.build import build
from tests.helpers import DATA_DIR, MINI_PLAN
from tests.helpers.databases import app_on, built


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database built from the real plan (data/), without demonstration data."""
    return built(tmp_path / "ptlcd.duckdb", DATA_DIR)


@pytest.fixture
def conn(db_path: Path) -> Iterator[store.Connection]:
    with store.connect(db_path) as c:
        yield c


@pytest.fixture
def demo_db_path(tmp_path: Path) -> Path:
    """A database built from the real plan with its demonstration history (2017–2022)."""
    return built(tmp_path / "demo.duckdb", DATA_DIR, demo=True)


@pytest.fixture
def demo_conn(demo_db_path: Path) -> Iterator[store.Connection]:
    """An open connection to the demonstration database."""
    with store.connect(demo_db_path) as c:
        yield c


@pytest.fixture
def mini_conn(tmp_path: Path) -> Iterator[store.Connection]:
    """Another contrat de ville's plan: proves nothing about Nantes is hard-coded."""
    with store.connect(tmp_path / "mini.duckdb") as c:
        build(c, MINI_PLAN, demo=False)
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
