"""Fixtures of the real-browser tests: one server per module where the tests only read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.browser import streamlit_server
from tests.helpers.databases import Templates


@pytest.fixture(scope="module")
def plan_site(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run serve.py` on a copy of the plan's base, shared by the tests of one module.

    For tests that write nothing: each test that writes starts its own server on its own base.
    """
    db = templates.copy("plan", tmp_path_factory.mktemp("site") / "ptlcd.duckdb")
    with streamlit_server(db) as url:
        yield url
