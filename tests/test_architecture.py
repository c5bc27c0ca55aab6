"""Layering rules that the code review alone would not keep.

app_pages → ui → ptlcd_data, never upward; the packages of the data layer in layers, without a
cycle (import-linter's contracts in pyproject.toml, run here too); the data layer never imports
Streamlit; pages and the UI glue hold no SQL and reshape no data (display-ready frames come from
the data layer). No module grows
past 600 lines, and repeated code stays within a budget of pairs of places.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.helpers.repeated_code import MIN_LINES, repeated_pairs

PAGES = sorted((ROOT / "app_pages").glob("*.py"))
UI = sorted((ROOT / "ui").glob("*.py"))
DATA_LAYER = sorted((ROOT / "ptlcd_data").rglob("*.py"))
ROUTES = sorted((ROOT / "web").rglob("*.py"))
FRONT = [ROOT / "app.py", *PAGES, *UI]

# What a layer may import from the project: nothing above itself.
ALLOWED = {
    "app_pages": {"ui", "ptlcd_data"},
    "ui": {"ui", "ptlcd_data"},
    "ptlcd_data": {"ptlcd_data"},
    "web": {"web", "ptlcd_data"},
}
PROJECT_PACKAGES = {"app_pages", "ui", "ptlcd_data", "web", "tests", "benchmarks", "app"}
# pandas methods that change a table's shape: their place is the data layer.
RESHAPING = {
    "melt", "pivot", "pivot_table", "groupby", "merge", "stack", "unstack", "explode",
    "drop_duplicates", "set_index", "crosstab", "concat",
}  # fmt: skip
SQL_CALLS = {"sql", "execute", "executemany", "query_df"}
SQL_TEXT = re.compile(r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)")


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT_PACKAGES


def _method_calls(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]


@pytest.mark.parametrize(
    "path", [*PAGES, *UI, *DATA_LAYER, *ROUTES], ids=lambda p: str(p.relative_to(ROOT))
)
def test_imports_only_go_down_the_layers(path):
    layer = path.relative_to(ROOT).parts[0]
    upward = _imported_packages(path) - ALLOWED[layer]
    assert not upward, f"{path.relative_to(ROOT)} importe {sorted(upward)}"


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


@pytest.mark.parametrize("path", FRONT, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_ui_hold_no_sql(path):
    text = path.read_text(encoding="utf-8")
    assert not SQL_TEXT.search(text), f"SQL dans {path.name}"
    calls = [(line, name) for line, name in _method_calls(path) if name in SQL_CALLS]
    assert not calls, f"requête directe dans {path.name} : {calls}"


@pytest.mark.parametrize("path", FRONT, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_ui_reshape_no_data(path):
    calls = [(line, name) for line, name in _method_calls(path) if name in RESHAPING]
    assert not calls, f"{path.name} remodèle des données (à faire dans ptlcd_data) : {calls}"


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The detectors themselves: a page with SQL, a reshape and an upward import is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from app_pages import accueil\ndf = conn.sql('SELECT 1')\nlong = df.melt(id_vars=['a'])\n",
        encoding="utf-8",
    )
    assert _imported_packages(bad) - ALLOWED["ui"] == {"app_pages"}
    names = {name for _, name in _method_calls(bad)}
    assert names & SQL_CALLS == {"sql"}
    assert names & RESHAPING == {"melt"}
    assert SQL_TEXT.search(bad.read_text(encoding="utf-8"))


def test_no_page_renders_raw_html():
    for path in FRONT:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path.name


def test_every_data_package_states_its_rule():
    """Each domain package says in one line, in its docstring, what lives there."""
    for init in (ROOT / "ptlcd_data").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{init.parent.name}/__init__.py sans docstring"


def test_no_pages_folder_beside_app_py():
    """A `pages/` folder next to app.py switches Streamlit to its old multipage mode: the first
    visitor of a fresh server who lands on a page URL runs that file alone, without app.py (no
    login state, no observation date) until someone opens the home page. Page files live in
    `app_pages/` instead."""
    assert not (ROOT / "pages").exists()


def test_every_page_file_is_listed_and_guarded():
    """Each page checks its role itself; only the reply link's page lets a link's session in."""
    from ui.navigation import LINK_PAGE
    from ui.navigation import PAGES as SPECS

    files = {p.name for p in PAGES}
    assert files == {spec.path.split("/")[-1] for spec in SPECS}
    for spec in SPECS:
        text = (ROOT / spec.path).read_text(encoding="utf-8")
        if spec.role != "anonyme":
            guard = f'session.page_requires("{spec.role}"'
            if spec.url_path == LINK_PAGE:
                guard += ", link_ok=True)"
            else:
                guard += ")"
            assert guard in text, spec.path


def test_test_modules_never_import_one_another():
    """Shared helpers live in tests/helpers; a test module imports no other test module."""
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                assert not any(p.startswith("test_") for p in parts), (path.name, node.module)
                assert node.module != "tests.conftest", path.name


# A read of a plan table outside the plan_<table>(d) macros would see every version of the plan.
PLAN_TABLE_READ = re.compile(
    r"\b(FROM|JOIN)\s+(action|objectif|axe|indicateur|territoire|porteur|action_territoire"
    r"|action_porteur)\b(?!\s*\()",
    re.IGNORECASE,
)
# The modules that read every version themselves (an item's history, the highest action number
# ever used, "is the store built?").
PLAN_VERSION_MODULES = {"ptlcd_data/plan/versions.py", "ptlcd_data/store/__init__.py"}


def _plan_reads(text: str) -> list[str]:
    return [m.group(0) for m in PLAN_TABLE_READ.finditer(text)]


@pytest.mark.parametrize("path", DATA_LAYER, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_plan_is_only_read_through_its_as_of_macros(path):
    if str(path.relative_to(ROOT)) in PLAN_VERSION_MODULES:
        return
    assert _plan_reads(path.read_text(encoding="utf-8")) == []


def test_the_plan_read_rule_catches_a_raw_read():
    assert _plan_reads("SELECT code FROM territoire ORDER BY ordre") == ["FROM territoire"]
    assert _plan_reads("SELECT 1 FROM plan_action(?) x JOIN axe a ON TRUE") == ["JOIN axe"]
    assert _plan_reads("SELECT 1 FROM plan_territoire(current_date)") == []


# --- size and repetition -------------------------------------------------------------------------

# Every Python module of the project: the product, its tests and its benchmarks. Migrations are
# SQL files; a Python file in a migrations folder would be one frozen step, left out too.
PYTHON_MODULES = sorted(
    path
    for folder in ("ptlcd_data", "ui", "app_pages", "web", "tests", "benchmarks")
    for path in (ROOT / folder).rglob("*.py")
    if "migrations" not in path.parts
) + [ROOT / "app.py", ROOT / "serve.py"]
# A module longer than this does several things: split it along them.
MAX_MODULE_LINES = 600
# Pairs of places sharing a run of MIN_LINES lines or more (pylint's duplicate-code, counted in
# pairs: see tests/helpers/repeated_code.py). A budget, not a goal: 30 when the check came in,
# with 2 pairs found; lower it as repetition goes, never raise it to let a new copy in.
REPEATED_CODE_BUDGET = 30


def _oversized(paths: list[Path], limit: int) -> dict[str, int]:
    """Path (from the project's folder) -> line count, for the modules over `limit` lines."""
    counts = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in paths}
    return {
        p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else str(p): n
        for p, n in counts.items()
        if n > limit
    }


def test_no_module_is_longer_than_600_lines():
    over = _oversized(PYTHON_MODULES, MAX_MODULE_LINES)
    listed = "\n".join(f"  {path} : {n} lignes" for path, n in sorted(over.items()))
    assert not over, f"Modules de plus de {MAX_MODULE_LINES} lignes, à découper :\n{listed}"


def test_repeated_code_stays_within_its_budget():
    pairs = repeated_pairs(PYTHON_MODULES, ROOT)
    listed = "\n".join(pair.describe() for pair in pairs)
    assert len(pairs) <= REPEATED_CODE_BUDGET, (
        f"{len(pairs)} paires de passages répétés ({MIN_LINES} lignes ou plus), "
        f"au plus {REPEATED_CODE_BUDGET} : mettez le code commun en un seul endroit.\n{listed}"
    )


def test_the_size_and_repetition_rules_catch_what_they_forbid(tmp_path):
    """A 601-line module is flagged (600 is not); a run of lines standing in three files is
    three pairs, and a run shorter than MIN_LINES is none."""
    long, limit = tmp_path / "long.py", tmp_path / "limit.py"
    long.write_text("x = 1\n" * (MAX_MODULE_LINES + 1), encoding="utf-8")
    limit.write_text("x = 1\n" * MAX_MODULE_LINES, encoding="utf-8")
    assert _oversized([long, limit], MAX_MODULE_LINES) == {str(long): MAX_MODULE_LINES + 1}

    def module(name: str, repeated: int) -> Path:
        body = "".join(f"    total = total + {i} * value\n" for i in range(repeated))
        path = tmp_path / f"{name}.py"
        text = f"def {name}(value):\n    total = 0\n{body}    return total\n"
        path.write_text(text, encoding="utf-8")
        return path

    copies = [module(name, MIN_LINES) for name in ("a", "b", "c")]
    pairs = repeated_pairs(copies, tmp_path)
    assert [(p.first, p.second) for p in pairs] == [
        ("a.py:2-9", "b.py:2-9"),
        ("a.py:2-9", "c.py:2-9"),
        ("b.py:2-9", "c.py:2-9"),
    ]
    assert "total = total + 0 * value" in pairs[0].describe()
    short = [module(name, MIN_LINES - 3) for name in ("d", "e")]
    assert repeated_pairs(short, tmp_path) == []


# --- the import contracts (import-linter, pyproject.toml) ---------------------------------------

# Installed beside the interpreter that runs the tests (requirements-dev.txt).
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the code under `cwd` (it imports the packages found there)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_import_contracts_hold():
    """The layers hold when pytest runs alone too, not only in scripts/test.sh."""
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "ptlcd_data/access/auth.py",
            "from ptlcd_data.plan import porteurs",
            "ptlcd_data.access is not allowed to import ptlcd_data.plan",
        ),
        (
            "ptlcd_data/imports/verify.py",
            "from ptlcd_data.campagnes import returns",
            "ptlcd_data.imports is not allowed to import ptlcd_data.campagnes",
        ),
        (
            "ptlcd_data/suivi/saisie.py",
            "from ptlcd_data.imports import batches",
            "ptlcd_data.suivi is not allowed to import ptlcd_data.imports",
        ),
        ("ui/widgets.py", "import app_pages.accueil", "ui is not allowed to import app_pages"),
        ("web/health.py", "import ui.data", "web is not allowed to import ui"),
        ("ui/widgets.py", "import web.health", "ui is not allowed to import web"),
    ],
)
def test_the_import_contracts_catch_an_upward_import(tmp_path, module, line, broken):
    """A copy of the code with one upward import, made inside a function (where a lazy import
    hides), breaks a contract: the contracts exist and see such imports."""
    for package in ("ptlcd_data", "ui", "app_pages", "web"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as f:
        f.write(f"\n\ndef _upward() -> None:\n    {line}  # noqa: F401\n")
    out = _lint_imports(tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert broken in out.stdout


def test_the_readme_lists_the_layers_of_the_contract_in_order():
    """README.md, « Architecture »: its table of layers is the contract's, top to bottom."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [
        c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "data-layers"
    ]
    layers = [name.strip() for layer in contract["layers"] for name in layer.split("|")]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| couche | ce qui y vit | peut importer |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines()[2:]]
    named = [
        m.rstrip("/").removesuffix(".py") for row in rows for m in re.findall(r"`([^`]+)`", row)
    ]
    assert named == layers
