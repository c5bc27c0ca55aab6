"""The HTTP API's latency at large scale, side by side with reading the same rows from DuckDB.

One `streamlit run serve.py` server (as scripts/run.sh starts it) on the large base (300
territories, 100 indicators, 15 years of quarterly values: 2,25 million values); a client with
a `lecture` token reads, over HTTP with one kept-alive connection, the plan (the actions, one
page), one indicator's series in one territory (one page) and one indicator's series in every
territory (page after page of 500, following `next`). Beside it, the same rows read straight
from the file: a connection opened, the open-data query that the API itself runs (filtered the
same way), every row fetched, the connection closed. Each read is timed ROUNDS times after one
unmeasured round; medians, and their ratio (API ÷ DuckDB).

    python -m benchmarks sections API
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import ratio
from ptlcd_data import formats, store
from ptlcd_data.access import tokens
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.opendata.package import QUERIES
from tests.helpers.browser import start_streamlit, stop_streamlit

ROUNDS = 7
INDICATOR = "DEMO_I050"
TERRITORY = "DEMO_T150"
PAGE_SIZE = 500


@dataclass(frozen=True)
class Read:
    """One read: what it is, its API address and query, and the same rows' filter in SQL."""

    title: str
    path: str
    query: dict[str, str]
    resource: str
    where: dict[str, Any]


READS = (
    Read("le plan (actions)", "/api/v1/plan/actions", {}, "actions", {}),
    Read(
        "un indicateur, un territoire",
        "/api/v1/indicateurs/valeurs",
        {"indicateur": INDICATOR, "territoire": TERRITORY, "avec_demo": "true"},
        "valeurs_indicateurs",
        {"indicateur_code": INDICATOR, "territoire_code": TERRITORY},
    ),
    Read(
        "un indicateur, tous les territoires",
        "/api/v1/indicateurs/valeurs",
        {"indicateur": INDICATOR, "avec_demo": "true"},
        "valeurs_indicateurs",
        {"indicateur_code": INDICATOR},
    ),
)


def through_api(client: httpx.Client, read: Read) -> tuple[int, int]:
    """Every row of `read`, page after page: (rows, requests)."""
    link: str | None = read.path
    params: dict[str, str] | None = read.query | {"page_size": str(PAGE_SIZE)}
    rows = requests = 0
    while link:
        answer = client.get(link, params=params)
        answer.raise_for_status()
        body = answer.json()
        rows += len(body["data"])
        requests += 1
        link, params = body["next"], None
    return rows, requests


def straight_from_duckdb(db: Path, read: Read) -> int:
    """The same rows: the open-data query, filtered like the API's, on a fresh connection."""
    sql = QUERIES[read.resource]
    conditions = " AND ".join(f"q.{column} = ${column}" for column in read.where) or "TRUE"
    values = {"as_of": date.today(), "avec_demo": True, **read.where}
    wrapped = f"SELECT * FROM ({sql}) q WHERE {conditions}"  # noqa: S608 - fixed text
    conn = store.connect(db)
    try:
        used = {k: v for k, v in values.items() if f"${k}" in wrapped}
        return len(conn.execute(wrapped, used).fetchall())
    finally:
        conn.close()


def _median_seconds(run: Callable[[], object]) -> tuple[float, object]:
    result = run()  # one unmeasured round: caches and connections warm
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(large_db: Path, folder: Path) -> list[tuple[Read, int, int, float, float]]:
    """(read, rows, requests, API seconds, DuckDB seconds) for each read."""
    with store.connect(large_db) as conn:
        token = tokens.add_token(conn, SYSTEM, f"banc-api-{time.time_ns()}", "lecture")
    env = {"PTLCD_DB": str(large_db), "PTLCD_API_PAR_MINUTE": "0"}
    with (folder / "serveur-api.log").open("wb") as log:
        proc, port = start_streamlit("serve.py", env, log=log)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as c:
            out = []
            for read in READS:
                api_s, counted = _median_seconds(lambda r=read: through_api(c, r))
                db_s, db_rows = _median_seconds(lambda r=read: straight_from_duckdb(large_db, r))
                rows, requests = counted  # type: ignore[misc]
                if rows != db_rows:
                    raise RuntimeError(f"{read.title} : {rows} lignes par l'API, {db_rows} en SQL")
                out.append((read, rows, requests, api_s, db_s))
    finally:
        stop_streamlit(proc)
    return out


def _ms(seconds: float) -> str:
    return formats.number(seconds * 1000, 0) + "\u202fms"


def section(large_db: Path, folder: Path) -> list[str]:
    results = measure(large_db, folder)
    lines = [
        "## Latence de l'API à grande échelle, côte à côte avec DuckDB",
        "",
        "Un serveur `streamlit run serve.py` sur la base à grande échelle (300 territoires, 100 "
        "indicateurs, 15 ans de valeurs trimestrielles : 2,25 millions de valeurs) ; un client "
        "muni d'un jeton `lecture` lit par HTTP (une connexion gardée ouverte) chaque lecture en "
        f"entier, page après page de {PAGE_SIZE} lignes en suivant `next`. À côté, les mêmes "
        "lignes lues directement dans le fichier : une connexion ouverte, la requête des données "
        "ouvertes que l'API exécute elle-même (même filtre), toutes les lignes lues, la "
        f"connexion fermée. Médianes de {ROUNDS} tours après un tour non mesuré ; ratio : API ÷ "
        "DuckDB.",
        "",
        "| lecture | lignes | requêtes HTTP | API (HTTP) | DuckDB direct | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for read, rows, requests, api_s, db_s in results:
        lines.append(
            f"| {read.title} | {formats.number(rows)} | {requests} | {_ms(api_s)} | "
            f"{_ms(db_s)} | {formats.number(ratio(api_s, db_s), 1)} |"
        )
    per_request = [api_s / requests for _, _, requests, api_s, _ in results]
    lines += [
        "",
        "Par requête HTTP : "
        + " ; ".join(
            f"{read.title} {_ms(t)}" for (read, *_), t in zip(results, per_request, strict=True)
        )
        + ". Ce que paie chaque requête en plus de la lecture : la vérification du jeton et le "
        "compte de ses usages, la limite de débit, l'ouverture d'une connexion à la base, le "
        "total de la liste (compté une fois par révision et par filtre, à la première page "
        "pleine), la mise en JSON, HTTP ; la machine est partagée, ses deux cœurs souvent occupés "
        "par d'autres travaux pendant la mesure.",
    ]
    return lines
