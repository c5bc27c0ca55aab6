"""Shared pieces of the benchmarks: building databases at both scales, the machine's description."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BENCH_ADMIN = "banc-essai"
BENCH_PASSWORD = "banc-essai-mot-de-passe"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} Gio"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.node() or 'machine'} — {os.cpu_count()} cœurs ({cpu}), {mem} de mémoire, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def now_label() -> str:
    return datetime.now().strftime("%d/%m/%Y %H:%M")


def cli(db: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ptlcd_data", "--db", str(db), *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        input=BENCH_PASSWORD + "\n",
        text=True,
    )


def build_db(folder: Path, scale: str) -> Path:
    """A database at 'demo' (the standard demonstration) or 'large' scale, with an admin account."""
    db = folder / f"{scale}.duckdb"
    if db.exists():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    cli(db, "init")
    if scale == "large":
        cli(db, "demo", "--scale", "large")
    cli(db, "user", "add", BENCH_ADMIN, "--role", "admin", "--password-stdin")
    print(f"  base {scale} construite en {time.monotonic() - start:.1f} s", flush=True)
    return db


def chromium() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")
