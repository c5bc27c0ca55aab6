"""The open-data package served at stable addresses (`/opendata/…`): written on disk beside the
base, once per revision and day, then served as files.

The package is the one `export opendata` writes (today's date, without demonstration data). It
lives in `NAME.duckdb.opendata/REVISION-AAAA-MM-JJ/`: a write to the base changes the revision,
a new day changes the date (lateness, « created »), and either gives a new folder, written by
`package.write_package` in a hidden folder then renamed (never half a package). One writer at
a time: an exclusive lock on a file of the cache folder (between the threads of the server and
between processes); whoever gets it second finds the package written. The revision and the
rows are read in one snapshot (a read-only transaction), so a package is exactly its revision.
The two newest packages stay (a download under way keeps its files), older ones are removed.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptlcd_data import store
from ptlcd_data.opendata.package import DESCRIPTOR, package_files, write_package

SUFFIX = ".opendata"
LOCK = ".verrou"
# Packages kept: the current one, and the one before it (a harvester may be downloading it).
KEPT = 2
_NAME = re.compile(r"([0-9]+)-([0-9]{4}-[0-9]{2}-[0-9]{2})")


@dataclass(frozen=True)
class Published:
    """A package on disk: its folder, and the revision and day it shows."""

    directory: Path
    revision: int
    day: date

    @property
    def key(self) -> str:
        """What names it, and what its ETag says: « 57-2026-12-07 »."""
        return f"{self.revision}-{self.day.isoformat()}"

    def file(self, name: str) -> Path | None:
        """The path of one file of the package; None for any name that is not one of its files
        (only the fixed names of `package_files` are ever joined to the folder)."""
        return self.directory / name if name in package_files() else None


def cache_dir(db_path: Path) -> Path:
    """The folder of the served packages, beside the base: `NAME.duckdb.opendata`."""
    return db_path.with_name(db_path.name + SUFFIX)


def _published(folder: Path, revision: int, day: date) -> Published | None:
    found = Published(folder / f"{revision}-{day.isoformat()}", revision, day)
    return found if (found.directory / DESCRIPTOR).is_file() else None


def _revision(db_path: Path) -> int:
    conn = store.connect(db_path, wait=store.READ_WAIT_SECONDS)
    try:
        return store.revision(conn)
    finally:
        conn.close()


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(db_path: Path, today: date | None = None) -> Published:
    """The package of the base's current revision and of today, written first if needed."""
    day = today or date.today()
    folder = cache_dir(db_path)
    found = _published(folder, _revision(db_path), day)
    if found is not None:
        return found
    with _locked(folder):
        conn = store.connect(db_path, wait=store.READ_WAIT_SECONDS)
        try:
            conn.execute("BEGIN TRANSACTION")  # one snapshot: the revision and its rows
            try:
                revision = store.revision(conn)
                found = _published(folder, revision, day)
                if found is None:
                    target = folder / f"{revision}-{day.isoformat()}"
                    write_package(conn, target, day)
                    found = Published(target, revision, day)
            finally:
                conn.execute("ROLLBACK")  # nothing was written to the base
        finally:
            conn.close()
        _prune(folder, keep=found.directory)
    return found


def _prune(folder: Path, keep: Path) -> None:
    """Remove the packages older than the KEPT newest (by revision, then day), and what a
    writer killed on its way left (its hidden folder: no writer runs while the lock is held)."""
    for left in folder.glob(".*"):
        if left.is_dir() and left.name.endswith((".partiel", ".ancien")):
            shutil.rmtree(left, ignore_errors=True)
    packages = sorted(
        (p for p in folder.iterdir() if p.is_dir() and _NAME.fullmatch(p.name)),
        key=lambda p: (int(p.name.split("-", 1)[0]), p.name),
        reverse=True,
    )
    for old in packages[KEPT:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
