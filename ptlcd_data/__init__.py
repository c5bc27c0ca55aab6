"""Data layer of the PTLCD dashboard: the plan, its follow-up and its indicators in DuckDB.

This package never imports Streamlit: the command line, the tests and the app all use it alike.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
