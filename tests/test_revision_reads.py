"""A page switch whose answers are all cached opens no database file, and sees every write."""

from __future__ import annotations

from ptlcd_data import store
from tests.helpers.apptest import assert_clean, run_page

PAGE = "app_pages/decisions.py"


def test_a_page_seen_before_opens_nothing_until_the_base_changes(app_env, monkeypatch):
    monkeypatch.setattr(store, "STAMP_SETTLE_SECONDS", 0.0)
    at = run_page(PAGE)
    assert_clean(at)
    real_connect = store.connect
    opened = _counting(monkeypatch)
    at.run()
    assert_clean(at)
    assert opened == []  # the revision from the files' stamp, every answer from the cache
    # Another program (the command line) writes: the next run reads the new revision.
    with real_connect(app_env) as conn, store.transaction(conn):
        conn.execute("UPDATE action SET porteur = porteur")
        written = store.revision(conn) + 1
    at.run()
    assert_clean(at)
    assert opened and at.session_state["_ptlcd_revision"] == written


def test_without_a_stamp_to_trust_every_run_reads_the_revision(app_env, monkeypatch):
    """A file changed less than STAMP_SETTLE_SECONDS ago (or that cannot be looked at) vouches
    for nothing: the base is opened at each run to read the revision."""
    monkeypatch.setattr(store, "change_stamp", lambda path: None)
    at = run_page(PAGE)
    for _ in range(2):
        opened = _counting(monkeypatch)
        at.run()
        assert_clean(at)
        assert opened


def _counting(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    """The openings of the base from now on."""
    opened: list[object] = []
    real_connect = store.connect

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(store, "connect", counted)
    return opened


def test_a_write_landing_between_the_stamp_and_the_first_read_is_caught(app_env, monkeypatch):
    """The command line may commit after the run trusted the files' stamp and before its first
    question reaches the base: the run then takes the base's new revision, so that answers read
    from the new base are never kept under the old revision."""
    monkeypatch.setattr(store, "STAMP_SETTLE_SECONDS", 0.0)
    at = run_page(PAGE)
    seen = store.change_stamp(app_env)
    monkeypatch.setattr(store, "change_stamp", lambda path: seen)  # the write lands just after
    with store.connect(app_env) as conn, store.transaction(conn):
        conn.execute("UPDATE action SET porteur = porteur")
        written = store.revision(conn) + 1
    at.switch_page("app_pages/avancement.py").run()  # questions not asked yet: read from the base
    assert_clean(at)
    assert at.session_state["_ptlcd_revision"] == written


def test_a_stamp_is_trusted_for_a_while_only(app_env, monkeypatch):
    """However still the files, the revision is read again after STAMP_TRUST_SECONDS (a network
    share may show stamps late)."""
    from ui import data

    monkeypatch.setattr(store, "STAMP_SETTLE_SECONDS", 0.0)
    monkeypatch.setattr(data, "STAMP_TRUST_SECONDS", 0.0)
    at = run_page(PAGE)
    opened = _counting(monkeypatch)
    at.run()
    assert_clean(at)
    assert opened
