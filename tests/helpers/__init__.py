"""Shared test helpers, in one place: paths, AppTest and browser drivers, file builders.

Test modules import from here (and fixtures from conftest.py), never from one another.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA_DIR = ROOT / "data"
MINI_PLAN = ROOT / "tests" / "fixtures" / "mini_plan"
