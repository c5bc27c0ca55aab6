"""Cached access to the data layer.

`query(fn, *args)` runs a question of `ptlcd_data` on a short-lived connection and caches the
result under a key that includes the store's revision: a write anywhere (this app, another
session, the command line) changes the revision, so every page shows new data at once, without
holding the database file between reruns.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st

from ptlcd_data import build, store
from ptlcd_data.errors import PtlcdError
from ptlcd_data.settings import Settings

log = logging.getLogger("ptlcd")
T = TypeVar("T")
# Results kept per process; each is a small query result, the data itself stays in DuckDB.
CACHE_ENTRIES = 512
# What pages build from those results (a chart, a table in words), kept per process: a few dozen
# pages × their choices; older revisions' entries go first.
DERIVED_ENTRIES = 256


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _ensure_store(db_path: str) -> bool:
    """Build the database on first start (migrations, plan from data/)."""
    conn = build.open_store(settings())
    conn.close()
    return True


def ensure_store() -> None:
    _ensure_store(str(settings().db_path))


def user_error(exc: BaseException) -> PtlcdError | None:
    """What to tell the user about `exc`: itself when it is a French error, the damaged-base
    diagnosis when DuckDB could not read the database file; None for anything else (a bug)."""
    if isinstance(exc, PtlcdError):
        return exc
    return store.diagnosis(exc, settings().db_path)


def connect() -> store.Connection:
    _hold()
    return store.connect(settings().db_path)


class _Held(threading.local):
    """The database held open by this thread's script run (see `held_open`). `check`: the run's
    revision was not read on the open base (it came from the files' stamp, or from the run
    before, in a fragment), so the first opening compares it with the base's."""

    depth = 0
    conn: store.Connection | None = None
    check = False


_held = _Held()


@contextmanager
def held_open() -> Iterator[None]:
    """While the block runs, the database is held open from its first opening on, so that the
    queries that follow reuse it (about a millisecond each instead of 20 to 50 ms to open the
    file, and as much to close it). app.py does this for a whole run, a fragment (`st.fragment`),
    which reruns without app.py, for its own part. A run whose every answer is in the cache
    never opens the file."""
    if _held.depth == 0:
        _held.check = True
    _held.depth += 1
    try:
        yield
    finally:
        _held.depth -= 1
        if _held.depth == 0 and _held.conn is not None:
            conn, _held.conn = _held.conn, None
            conn.close()


class _StaleRevision(Exception):
    """The base changed between the run's reading of its revision and its first opening."""


def _hold(*, verify: bool = False) -> None:
    """At the first opening inside `held_open`, open the database once more and keep it open.

    Another program (the command line) may have written since the run took its revision (from
    the files' stamp, or in a fragment from the run before): the run goes on with the base's
    revision, and with `verify` (a cached question being answered) `_StaleRevision` says that
    the question must be asked again under it, so that new answers are never kept under the
    old revision."""
    if _held.depth and _held.conn is None:
        _held.conn = store.connect(settings().db_path)
        if _held.check:
            _held.check = False
            seen = st.session_state.get(REVISION_KEY)
            rev = store.revision(_held.conn)
            if seen is not None and rev != seen:
                _last_read.pop(str(settings().db_path), None)
                st.session_state[REVISION_KEY] = rev
                if verify:
                    raise _StaleRevision


REVISION_KEY = "_ptlcd_revision"
# The revision last read in this process, by database: the files' stamp at that moment, the
# revision, and when it was read.
_last_read: dict[str, tuple[tuple[object, ...], int, float]] = {}
# However still the files, the revision is read again at least this often: a file system whose
# stamps lag (a network share caches them) delays a page's news by this much at most.
STAMP_TRUST_SECONDS = 30.0


def refresh_revision() -> int:
    """Read the store's revision once per script run (app.py calls this before the page).

    The file is opened only when the database's files changed since the revision was last read
    by this process (`store.change_stamp`): a run whose answers are all cached opens nothing."""
    path = settings().db_path
    stamp = store.change_stamp(path)  # before reading: a write after it changes the next stamp
    last = _last_read.get(str(path))
    now = time.monotonic()
    if (
        stamp is not None
        and last is not None
        and last[0] == stamp
        and now - last[2] < STAMP_TRUST_SECONDS
    ):
        rev = last[1]
    else:
        _held.check = False  # read on the base this run holds open from here on
        with connect() as conn:
            rev = store.revision(conn)
        if stamp is not None:
            _last_read[str(path)] = (stamp, rev, now)
    st.session_state[REVISION_KEY] = rev
    return rev


def _revision() -> int:
    rev = st.session_state.get(REVISION_KEY)
    return int(rev) if rev is not None else refresh_revision()


def revision() -> int:
    """The store's revision as this run read it: any committed write since changes it."""
    return _revision()


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _run(
    module: str,
    name: str,
    db_path: str,
    revision: int,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
) -> Any:
    fn = getattr(importlib.import_module(module), name)
    _hold(verify=True)
    with store.connect(db_path) as conn:
        return fn(conn, *args, **dict(kwargs))


def query(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(conn, *args, **kwargs)` through the cache. Arguments must be hashable values."""
    key = (fn.__module__, fn.__name__, str(settings().db_path))
    try:
        result: T = _run(*key, _revision(), args, tuple(sorted(kwargs.items())))
    except _StaleRevision:  # asked again under the base's new revision, the base held open
        result = _run(*key, _revision(), args, tuple(sorted(kwargs.items())))
    return result


@st.cache_resource(show_spinner=False, max_entries=DERIVED_ENTRIES)
def _derived(module: str, name: str, db_path: str, revision: int, args: tuple[Any, ...]) -> Any:
    return getattr(importlib.import_module(module), name)(*args)


def derived(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)`: what a page builds from the data layer's answers (a Plotly figure, a table
    in words), once per revision of the store and per arguments, then shared by every session
    without a copy (a figure took longer to build than to draw). `fn` reads its data through
    `query`; its result must never be modified. Arguments must be hashable values."""
    result: T = _derived(fn.__module__, fn.__name__, str(settings().db_path), _revision(), args)
    return result


def uncached(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn(conn, ...)` on its own connection, without caching (e.g. checking an upload)."""
    with connect() as conn:
        return fn(conn, *args, **kwargs)


def write(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a writing function of the data layer on its own connection, then refresh the revision."""
    with connect() as conn:
        result = fn(conn, *args, **kwargs)
    refresh_revision()
    return result


def deferred(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[[], T]:
    """A zero-argument callable running `fn(conn, *args)` on its own connection.

    For `st.download_button(data=...)`: the file is built only when the user clicks, on
    Streamlit's download thread (no script context there, hence no cache and no session state).
    """
    db_path = settings().db_path

    def run() -> T:
        with store.connect(db_path) as conn:
            return fn(conn, *args, **kwargs)

    return run
