"""Layering rules that the code review alone would not keep."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_data_layer_never_imports_streamlit():
    code = (
        "import sys, pkgutil, importlib, ptlcd_data\n"
        "for m in pkgutil.walk_packages(ptlcd_data.__path__, 'ptlcd_data.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(any(n == 'streamlit' or n.startswith('streamlit.') for n in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_pages_hold_no_sql():
    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s", re.IGNORECASE)
    for page in (ROOT / "app_pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert not sql.search(text.replace("st.selectbox", "")), f"SQL dans {page.name}"
        assert ".execute(" not in text, f"requête directe dans {page.name}"


def test_no_page_renders_raw_html():
    for path in [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path.name


def test_no_pages_folder_beside_app_py():
    """A `pages/` folder next to app.py switches Streamlit to its old multipage mode: the first
    visitor of a fresh server who lands on a page URL runs that file alone, without app.py (no
    login state, no observation date) until someone opens the home page. Page files live in
    `app_pages/` instead."""
    assert not (ROOT / "pages").exists()


def test_every_page_file_is_listed_and_guarded():
    from ui.navigation import PAGES

    files = {p.name for p in (ROOT / "app_pages").glob("*.py")}
    assert files == {spec.path.split("/")[-1] for spec in PAGES}
    for spec in PAGES:
        text = (ROOT / spec.path).read_text(encoding="utf-8")
        if spec.role != "anonyme":
            assert f'session.page_requires("{spec.role}")' in text, spec.path
