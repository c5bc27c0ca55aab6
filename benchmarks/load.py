"""Load: concurrent Streamlit clients navigating every page against one `streamlit run` server.

Each client is a real Streamlit session over the websocket `/_stcore/stream`, speaking Streamlit's
own protocol as the browser does: the `streamlit` subprotocol, `BackMsg.rerun_script` to open a
page (the page's hash, taken from the `navigation` message the server sends), `ForwardMsg`s back
until `script_finished`. A browser would add rendering on the visitor's machine, not work on the
server, and twenty Chromium pages would not fit beside the server on a small machine.

A page run is an error when the script does not finish successfully, when it shows an exception
or an `st.error`, when the server answers "page not found", when the run takes longer than
`PAGE_TIMEOUT`, or when the connection drops. Clients do not pause between pages (a visitor
reads; these do not): the server is kept as busy as 20 sessions can make it.

    python -m benchmarks.load --db PATH --sessions 20 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.browser import _peak_rss_mb
from benchmarks.common import ROOT
from tests.helpers.browser import start_streamlit, stop_streamlit

# The benchmark's load: as many visitors at once as a métropole's staff meeting, for a minute.
SESSIONS = 20
SECONDS = 60.0
# A page run slower than this under load counts as an error (a visitor would have given up).
PAGE_TIMEOUT = 120.0
# Starting the server (imports, opening the store) is bounded too.
# Error descriptions kept in the result; the count is always complete.
ERROR_SAMPLES = 20
# Streamlit's own default message limit is 200 MB; the client accepts what the server may send.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class AppPage:
    """A page as the server lists it in its `navigation` message."""

    script_hash: str
    title: str
    url_path: str


@dataclass
class PageRun:
    title: str
    seconds: float
    error: str | None = None
    received: int = 0  # bytes the server sent for this run


class PageFailed(Exception):
    """A page run took longer than the timeout: the session reconnects, as a visitor reloads."""


@dataclass
class Tally:
    runs: list[PageRun] = field(default_factory=list)
    titles: dict[str, None] = field(default_factory=dict)  # in the server's navigation order

    def record(self, title: str, seconds: float, error: str | None = None) -> None:
        self.runs.append(PageRun(title, seconds, error))


def _back_rerun(page: AppPage | None) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    if page is not None:  # None: the first request of a visitor, the default page
        msg.rerun_script.page_script_hash = page.script_hash
        msg.rerun_script.page_name = page.url_path
    return msg.SerializeToString()


def _problem_in(msg: Any) -> str | None:
    """What makes this ForwardMsg an error for a visitor, if anything."""
    from streamlit.proto.Alert_pb2 import Alert

    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page introuvable"
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            return f"exception : {element.exception.type} {element.exception.message[:200]}"
        if which == "alert" and element.alert.format == Alert.ERROR:
            return f"st.error : {element.alert.body[:200]}"
    return None


async def _run_page(
    ws: Any, title: str, page: AppPage | None, timeout: float
) -> tuple[PageRun, list[AppPage]]:
    """Request one page and read until its run ends: the run, and the pages the server lists."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished = ForwardMsg.ScriptFinishedStatus
    pages: list[AppPage] = []
    problem: str | None = None
    received = 0
    start = time.perf_counter()
    await ws.send(_back_rerun(page))
    while True:
        left = timeout - (time.perf_counter() - start)
        try:
            raw = await asyncio.wait_for(ws.recv(), max(left, 0.001))
        except TimeoutError as exc:
            raise PageFailed(f"délai dépassé ({timeout:g} s)") from exc
        received += len(raw)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        problem = problem or _problem_in(msg)
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            pages = [
                AppPage(p.page_script_hash, p.page_name, p.url_pathname)
                for p in msg.navigation.app_pages
                if not p.is_hidden  # refused pages: registered, hidden, they say why in French
            ]
        elif kind == "script_finished":
            status = msg.script_finished
            if status == finished.FINISHED_EARLY_FOR_RERUN:
                continue  # st.rerun() or st.switch_page(): the next run follows
            if status != finished.FINISHED_SUCCESSFULLY:
                problem = problem or f"exécution interrompue ({finished.Name(status)})"
            return PageRun(title, time.perf_counter() - start, problem, received), pages


async def _session(url: str, index: int, deadline: float, timeout: float, tally: Tally) -> None:
    """One visitor: opens the site, then walks the pages in turn until the deadline.

    Every page is visited at least once even past the deadline, so each one is measured.
    Visitors start their walk at different pages, as real visitors would.
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake
    from websockets.typing import Subprotocol

    visited: set[str] = set()
    listed: list[AppPage] = []
    step = index

    def done() -> bool:
        return time.monotonic() >= deadline and visited >= {p.title for p in listed}

    while True:
        try:
            ws = await connect(
                url,
                subprotocols=[Subprotocol("streamlit")],
                max_size=MAX_MESSAGE_BYTES,
                open_timeout=timeout,
            )
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            tally.record("(connexion)", 0.0, f"connexion refusée : {exc}")
            return
        title = "(page par défaut)"
        try:
            run, listed = await _run_page(ws, title, None, timeout)
            run.title = title = next((p.title for p in listed if p.url_path == ""), title)
            tally.titles.update(dict.fromkeys(p.title for p in listed))
            tally.runs.append(run)
            visited.add(title)
            while listed and not done():
                page = listed[step % len(listed)]
                step += 1
                title = page.title
                visited.add(title)
                run, _ = await _run_page(ws, title, page, timeout)
                tally.runs.append(run)
            return
        except PageFailed as exc:
            tally.record(title, timeout, str(exc))
        except ConnectionClosed as exc:
            tally.record(title, 0.0, f"déconnexion : {exc}")
        finally:
            await ws.close()
        if done():
            return
        # A visitor whose page broke reloads the site: a new session on a new connection.


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    p95 = (
        statistics.quantiles(seconds, n=20, method="inclusive")[-1]
        if len(seconds) > 1
        else seconds[0]
    )
    return {"p50": statistics.median(seconds), "p95": p95, "max": max(seconds)}


@contextmanager
def _server(
    app: Path, db_path: Path, log_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`streamlit run` on a free loopback port; waits for health (bounded), always stops it."""
    with log_path.open("wb") as log:
        proc, port = start_streamlit(app, {"PTLCD_DB": str(db_path)}, log=log)
        try:
            yield proc, f"ws://127.0.0.1:{port}/_stcore/stream"
        finally:
            stop_streamlit(proc)


async def _all_sessions(url: str, sessions: int, seconds: float, timeout: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_session(url, i, deadline, timeout, tally) for i in range(sessions)))
    return tally


def run_load(
    db_path: Path,
    sessions: int = SESSIONS,
    seconds: float = SECONDS,
    *,
    app: Path = ROOT / "app.py",
    page_timeout: float = PAGE_TIMEOUT,
) -> dict[str, Any]:
    """Run `sessions` concurrent visitors for about `seconds` against one server; the numbers.

    Keys: sessions, seconds (asked), duration (measured), pages_served (runs without error),
    errors, error_samples, p50 / p95 / max (seconds, over runs without error), per_page
    ({title: {count, p50, p95, max, kb (median size of what the server sent)}}), server_peak_mb, server_cpu_seconds (used during the
    run), server_tracebacks (in the server's log).
    """
    with tempfile.TemporaryDirectory(prefix="ptlcd-load-") as tmp:
        log_path = Path(tmp) / "streamlit.log"
        with _server(app, db_path, log_path) as (proc, url):
            cpu_before = _cpu_seconds(proc.pid)
            start = time.perf_counter()
            tally = asyncio.run(_all_sessions(url, sessions, seconds, page_timeout))
            duration = time.perf_counter() - start
            server_cpu = _cpu_seconds(proc.pid) - cpu_before
            peak_mb = _peak_rss_mb(proc.pid)
        tracebacks = log_path.read_text(errors="replace").count("Traceback")
    good = [r for r in tally.runs if r.error is None]
    bad = [r for r in tally.runs if r.error is not None]
    per_page = {
        title: {
            "count": len(runs),
            **_stats([r.seconds for r in runs]),
            "kb": statistics.median(r.received for r in runs) / 1024,
        }
        for title in {**tally.titles, **dict.fromkeys(r.title for r in good)}
        for runs in [[r for r in good if r.title == title]]
        if runs
    }
    return {
        "sessions": sessions,
        "seconds": seconds,
        "duration": duration,
        "pages_served": len(good),
        "errors": len(bad),
        "error_samples": [f"{r.title} — {r.error}" for r in bad[:ERROR_SAMPLES]],
        **_stats([r.seconds for r in good]),
        "per_page": per_page,
        "server_peak_mb": peak_mb,
        "server_cpu_seconds": server_cpu,
        "server_tracebacks": tracebacks,
    }


def summary(result: dict[str, Any]) -> list[str]:
    """The result in French, one line each."""
    from ptlcd_data import formats

    def s(x: float) -> str:
        return formats.number(x, 2) + " s"

    lines = [
        f"{result['sessions']} session(s) pendant {formats.number(result['duration'], 0)} s : "
        f"{result['pages_served']} pages servies, {result['errors']} erreur(s).",
        f"Temps de page : médiane {s(result['p50'])}, 95e centile {s(result['p95'])}, "
        f"maximum {s(result['max'])}.",
        f"Mémoire de pointe du serveur : {formats.number(result['server_peak_mb'])} Mo ; "
        f"traces d'erreur dans le journal du serveur : {result['server_tracebacks']}.",
    ]
    lines += [f"  erreur : {e}" for e in result["error_samples"]]
    return lines


def markdown_section(result: dict[str, Any]) -> list[str]:
    """The "Charge" section of docs/benchmarks.md."""
    from ptlcd_data import formats

    def s(x: float) -> str:
        return formats.number(x, 2) + " s"

    lines = [
        "",
        f"## Charge ({result['sessions']} sessions simultanées, grande échelle)",
        "",
        f"{result['sessions']} clients Streamlit (websocket `/_stcore/stream`, protocole du "
        "navigateur) parcourent en boucle toutes les pages ouvertes au public, sans pause entre "
        "deux pages, contre un seul serveur `streamlit run`. Temps de page : de la demande de la "
        "page à la fin de son exécution (`script_finished`). Erreur : exécution qui échoue, "
        "exception ou `st.error` affichés, page introuvable, déconnexion, ou plus de "
        f"{formats.number(PAGE_TIMEOUT)} s (`python -m benchmarks.load`).",
        "",
        "| sessions | durée | pages servies | erreurs | médiane | 95e centile | maximum "
        "| mémoire de pointe du serveur |",
        "|---|---|---|---|---|---|---|---|",
        f"| {result['sessions']} | {formats.number(result['duration'])} s "
        f"| {result['pages_served']} | {result['errors']} | {s(result['p50'])} "
        f"| {s(result['p95'])} | {s(result['max'])} "
        f"| {formats.number(result['server_peak_mb'])} Mo |",
        "",
        f"Débit : {formats.number(result['pages_served'] / result['duration'], 1)} pages par "
        f"seconde ; temps de calcul du serveur : {formats.number(result['server_cpu_seconds'])} s "
        f"pendant la charge ; traces d'erreur dans son journal : {result['server_tracebacks']}.",
        "",
        "| page | pages servies | médiane | 95e centile | volume envoyé (médiane) |",
        "|---|---|---|---|---|",
    ]
    for title, page in result["per_page"].items():
        lines.append(
            f"| {title} | {page['count']} | {s(page['p50'])} | {s(page['p95'])} "
            f"| {formats.number(page['kb'])} Ko |"
        )
    lines += [f"- erreur : {e}" for e in result["error_samples"]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Charge : des sessions Streamlit simultanées parcourent toutes les pages.",
    )
    parser.add_argument("--db", type=Path, required=True, help="base DuckDB à servir")
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="sessions simultanées")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="durée du parcours (s)")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"Base introuvable : {args.db}", file=sys.stderr)
        return 1
    result = run_load(args.db, args.sessions, args.seconds)
    print("\n".join(summary(result)))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
