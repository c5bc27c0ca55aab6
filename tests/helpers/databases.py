"""Databases for tests: built from a plan's data files, and the app pointed at one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.build import build
from tests.helpers import ROOT


def built(path: Path, plan_dir: Path, *, demo: bool = False) -> Path:
    """A real DuckDB file at `path`, built from the plan in `plan_dir` (with demo history)."""
    with store.connect(path) as conn:
        build(conn, plan_dir, demo=demo)
    return path


def app_on(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the app at `db` and clear Streamlit's caches around the test (a fixture's body)."""
    import streamlit as st

    monkeypatch.setenv("PTLCD_DB", str(db))
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_data.clear()
    st.cache_resource.clear()
