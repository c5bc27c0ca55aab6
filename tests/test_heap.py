"""ui.heap: the app's long-lived objects leave the garbage collector's walk once loaded."""

from __future__ import annotations

import gc
import sys
import types

import pytest

from ui import heap


def test_new_modules_are_frozen_once_and_a_run_without_new_module_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "_modules_at_freeze", 0)  # as in a new process (app.py ran before)
    gc.unfreeze()
    try:
        heap.freeze_loaded_modules()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        before = gc.get_freeze_count()
        heap.freeze_loaded_modules()  # nothing imported since: no collection, no freeze
        assert gc.get_freeze_count() == before
        sys.modules["_ptlcd_test_new_module"] = types.ModuleType("_ptlcd_test_new_module")
        kept = [[i] for i in range(1000)]  # lists, which the collector tracks
        heap.freeze_loaded_modules()
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        sys.modules.pop("_ptlcd_test_new_module", None)
        gc.unfreeze()
