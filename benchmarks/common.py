"""Shared pieces of the benchmarks: building databases at both scales, the machine's description."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
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
    add_depots(db)
    print(f"  base {scale} construite en {time.monotonic() - start:.1f} s", flush=True)
    return db


def add_depots(db: Path) -> int:
    """One dépôt à valider per porteur of the plan (the queue a coordinator meets after a
    campaign): a status for each of its actions and, for each indicator it supplies, a value in
    every territory. Returns how many."""
    from ptlcd_data import store
    from ptlcd_data.access import accounts
    from ptlcd_data.access.auth import SYSTEM
    from ptlcd_data.depots import drafts, forms
    from ptlcd_data.plan import porteurs

    today = date.today()
    with store.connect(db) as conn:
        territories = [
            r[0] for r in conn.execute("SELECT code FROM plan_territoire(current_date)").fetchall()
        ]
        codes = list(porteurs.porteurs_with_items(conn)["porteur"])
        for n, code in enumerate(codes):
            login = f"porteur-{n}"
            accounts.add_user(conn, SYSTEM, login, f"Porteur {code}", "porteur", BENCH_PASSWORD,
                              porteurs=(code,))  # fmt: skip
            user = accounts.get_user(conn, login)
            assert user is not None
            lines = [
                forms.status_line(int(a), today, "En cours", 50, "Point de la campagne")
                for a in porteurs.actions_of(conn, (code,))
            ]
            lines += [
                forms.value_line(ind, t, today.year - 1, float(10 + i % 80), "Bilan", None)
                for ind in porteurs.indicateurs_of(conn, (code,))
                for i, t in enumerate(territories)
            ]
            if lines:
                drafts.submit_lines(conn, user, lines, "Réponse à la campagne")
    return len(codes)


def chromium() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")
