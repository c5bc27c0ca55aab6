"""Databases for tests: built from a plan's data files, and the app pointed at one.

Building a base from the plan's files takes about half a second; about four hundred tests need
one. Each kind of base (the real plan, with or without its demonstration history, the mini plan)
is built once per test process into a template (`Templates`), then copied file by file for each
test: a copy takes a few milliseconds and is the same file a build writes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ptlcd_data import store
from ptlcd_data.build import build
from tests.helpers import DATA_DIR, MINI_PLAN, ROOT


def built(path: Path, plan_dir: Path, *, demo: bool = False) -> Path:
    """A real DuckDB file at `path`, built from the plan in `plan_dir` (with demo history)."""
    with store.connect(path) as conn:
        build(conn, plan_dir, demo=demo)
    return path


# The kinds of template base: name -> (plan folder, with demonstration history).
KINDS = {
    "plan": (DATA_DIR, False),
    "demo": (DATA_DIR, True),
    "mini": (MINI_PLAN, False),
    "mini_demo": (MINI_PLAN, True),
}


class Templates:
    """Template bases of one test process, each built on first use, then copied for each test."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._built: dict[str, Path] = {}

    def copy(self, kind: str, target: Path) -> Path:
        """A fresh base of `kind` at `target` (a copy of the template; the template is closed,
        so the copy is a whole database file with nothing pending in a write-ahead log)."""
        template = self._built.get(kind)
        if template is None:
            plan_dir, demo = KINDS[kind]
            template = built(self._folder / f"{kind}.duckdb", plan_dir, demo=demo)
            assert not template.with_suffix(".duckdb.wal").exists(), "template not checkpointed"
            self._built[kind] = template
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return target


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
