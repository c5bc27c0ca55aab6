"""Shared test helpers, in one place: paths, AppTest and browser drivers, file builders.

Test modules import from here (and fixtures from conftest.py), never from one another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA_DIR = ROOT / "data"
MINI_PLAN = ROOT / "tests" / "fixtures" / "mini_plan"
# The command line as a user runs it: a fresh interpreter.
CLI = [sys.executable, "-m", "ptlcd_data"]


def run_cli(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`python -m ptlcd_data ARGV` from the project's folder; output captured as text."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*CLI, *argv], cwd=ROOT, capture_output=True, text=True, **kwargs
    )
