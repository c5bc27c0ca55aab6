"""Kill a real writing process at random moments and check the database is before or after.

Used by tests/test_crash*.py. A write is a command line (`python -m ptlcd_data ...`); its
database is copied fresh for every kill so each run starts from the same state.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.helpers import ROOT

Fingerprint = tuple[object, ...]


def fingerprint(db: Path) -> Fingerprint:
    """Row counts and checksums of every user table: equal fingerprints, equal data."""
    with duckdb.connect(str(db)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_name <> 'connexion_echec' ORDER BY 1"
            ).fetchall()
        ]
        parts: list[object] = []
        for table in tables:
            # Wall-clock columns differ between two runs of the same write: leave them out.
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            row_expr = "row(" + ", ".join(f'"{c}"' for c in columns) + ")"
            row = conn.execute(
                f'SELECT count(*), coalesce(sum(hash({row_expr})), 0) FROM "{table}"'  # noqa: S608
            ).fetchone()
            parts.append((table, *row))
        return tuple(parts)


def run_to_completion(db: Path, argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), *argv],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    return time.monotonic() - start


def killed_copy(pristine: Path, db: Path, argv: list[str], delay: float) -> Fingerprint:
    """Run the command line's `argv` on a fresh copy of `pristine` at `db`, SIGKILL it after
    `delay` seconds, and return what the copy then holds."""
    shutil.copyfile(pristine, db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return fingerprint(db)


def kill_at_random_moments(
    pristine: Path,
    argv: list[str],
    workdir: Path,
    *,
    runs: int,
    seed: int,
    check_app: Callable[[Path], None] | None = None,
) -> dict[str, int]:
    """SIGKILL the write `runs` times at random moments; every outcome must be before or after."""
    before = fingerprint(pristine)
    done = workdir / "reference.duckdb"
    shutil.copyfile(pristine, done)
    duration = run_to_completion(done, argv)
    after = fingerprint(done)
    assert after != before, "the write changed nothing: the test would prove nothing"
    rng = random.Random(seed)
    outcomes = {"avant": 0, "après": 0}
    for i in range(runs):
        db = workdir / f"kill-{i}.duckdb"
        state = killed_copy(pristine, db, argv, rng.uniform(0.0, duration * 1.1))
        if state not in (before, after):
            differ = [
                (b[0], b[1:], s[1:], a[1:])
                for b, s, a in zip(before, state, after, strict=False)
                if s not in (b, a)
            ]
            raise AssertionError(f"run {i}: state between before and after: {differ}")
        outcomes["avant" if state == before else "après"] += 1
        if check_app is not None:
            check_app(db)
        for leftover in workdir.glob(f"kill-{i}.duckdb*"):
            leftover.unlink()
    return outcomes


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def wait_for_grandchild(proc: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    """The first grandchild of `proc`: for an import, the workbook reader the fork server starts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for child in _children(proc.pid):
            grandchildren = _children(child)
            if grandchildren:
                return grandchildren[0]
        time.sleep(0.005)
    raise AssertionError("no grandchild process appeared")


def wait_until_busy(pid: int, cpu_seconds: float, timeout: float = 60.0) -> None:
    """Wait until process `pid` has worked `cpu_seconds` of CPU time (it is busy at its task:
    for the workbook reader, past receiving the file and into reading it)."""
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            break
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu_seconds:  # utime + stime
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never worked {cpu_seconds} s")


def wait_until_gone(pid: int, timeout: float = 120.0) -> None:
    """Wait until process `pid` has ended (gone, or a zombie nobody reaped yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still running")


def kill_when_present(db: Path, argv: list[str], pattern: str, attempts: int = 5) -> list[Path]:
    """Run a command line on `db` and SIGKILL it as soon as a new file matching `pattern` (a
    glob beside the database) appears; the new files. Retried when the command finished first.
    """
    before = set(db.parent.glob(pattern))
    for _ in range(attempts):
        proc = subprocess.Popen(
            [sys.executable, "-m", "ptlcd_data", "--db", str(db), *argv],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while proc.poll() is None:
            if set(db.parent.glob(pattern)) - before:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return sorted(set(db.parent.glob(pattern)) - before)
            time.sleep(0.001)
    raise AssertionError(f"never saw {pattern} while `{' '.join(argv)}` ran")
