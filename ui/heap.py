"""Keeping Python's garbage collector off the app's long-lived objects.

After every script run Streamlit calls `gc.collect(2)` (its `runner.postScriptGC` option), which
walks every object the process holds. Once the app's modules are loaded (pandas, Plotly and its
validators, DuckDB, pyarrow: some 240 000 objects) that walk took 0,17 to 0,3 s on the benchmark
machine, and it holds the interpreter: the page's last messages, already queued, waited for it
before leaving for the browser. Objects that live as long as the process (modules, their classes
and constants) are moved out of the collector's sight (`gc.freeze`) once they are loaded: the walk
then covers what a run creates. Objects are still freed as soon as nothing refers to them; the
collector keeps finding the cycles among the newer ones.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_at_freeze = 0


def freeze_loaded_modules() -> None:
    """At the end of a run: when modules were imported since the last time (a page opened for the
    first time in this process), collect the young garbage and freeze what remains, the new
    modules with it."""
    global _modules_at_freeze
    if len(sys.modules) == _modules_at_freeze:
        return
    with _lock:
        if len(sys.modules) == _modules_at_freeze:
            return
        # The young generations only: the garbage of this run (a full walk cost a first visit of
        # a data page 25 to 40 ms, before everything was frozen).
        gc.collect(1)
        gc.freeze()
        _modules_at_freeze = len(sys.modules)
