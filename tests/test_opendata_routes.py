"""Open data at stable addresses, `/opendata/datapackage.json` and each CSV, read from the real
server: the same package as `export opendata` (no demonstration rows), written again when the
base changes, with its ETag; and no address, however encoded, reaches another file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.opendata import cache
from ptlcd_data.opendata.package import DESCRIPTOR, package_files, write_package
from ptlcd_data.suivi import saisie
from tests.helpers.api import french_error, raw_get
from tests.helpers.browser import streamlit_server
from tests.helpers.databases import Templates


@pytest.fixture(scope="module")
def site(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demonstration base: its demonstration rows must stay out of the served package."""
    db = templates.copy("demo", tmp_path_factory.mktemp("opendata") / "ptlcd.duckdb")
    with streamlit_server(db, env={"PTLCD_API_PAR_MINUTE": "0"}) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield {"db": db, "url": url, "client": client}


def exported(db: Path, folder: Path) -> Path:
    """`export opendata` of the same base, today, by default (without demonstration)."""
    with store.connect(db) as conn:
        return write_package(conn, folder, date.today()).directory


def test_the_descriptor_and_every_csv_are_the_exported_package(site, tmp_path):
    descriptor = site["client"].get(f"/opendata/{DESCRIPTOR}")
    assert descriptor.status_code == 200
    assert descriptor.headers["content-type"] == "application/json"
    served = descriptor.json()
    expected_dir = exported(site["db"], tmp_path / "paquet")
    expected = json.loads((expected_dir / DESCRIPTOR).read_text(encoding="utf-8"))
    served.pop("created"), expected.pop("created")
    assert served == expected
    assert "aucune donnée de démonstration" in served["description"]
    for resource in served["resources"]:
        answer = site["client"].get(f"/opendata/{resource['path']}")
        assert answer.status_code == 200, resource["path"]
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert answer.headers["etag"] == descriptor.headers["etag"]
        assert answer.content == (expected_dir / resource["path"]).read_bytes(), resource["path"]


def test_no_demonstration_row_is_served(site):
    text = site["client"].get("/opendata/historique_statuts.csv").text
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    assert header[-1] == "demo" and len(lines) > 1
    assert all(line.endswith(",false") for line in lines[1:])


def test_etag_304_and_a_new_package_when_the_base_changes(site):
    first = site["client"].get("/opendata/historique_statuts.csv")
    tag = first.headers["etag"]
    with store.connect(site["db"]) as conn:
        revision = store.revision(conn)
    assert tag == f'"{revision}-{date.today().isoformat()}"'
    same = site["client"].get("/opendata/historique_statuts.csv", headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.content == b""
    with store.connect(site["db"]) as conn:
        saisie.enregistrer_revue(conn, SYSTEM, 2, statut="Bloqué", commentaire="Attente du budget")
    changed = site["client"].get("/opendata/historique_statuts.csv", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "Attente du budget" in changed.text and "Attente du budget" not in first.text
    folders = [p for p in cache.cache_dir(site["db"]).iterdir() if p.is_dir()]
    assert 1 <= len(folders) <= cache.KEPT


TRAVERSALS = [
    "/opendata/../pyproject.toml",
    "/opendata/..%2fpyproject.toml",
    "/opendata/%2e%2e/%2e%2e/etc/passwd",
    "/opendata/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/opendata/..%5cserve.py",
    "/opendata/%2fetc%2fpasswd",
    "/opendata//etc/passwd",
    "/opendata/serve.py",
    "/opendata/ptlcd.duckdb",
    "/opendata/.verrou",
    "/opendata/datapackage.json%00.csv",
    "/opendata/./datapackage.json",
    "/opendata/axes.csv/..",
    "/opendata",
    "/opendata/",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_never_reaches_another_file(site, path):
    # The package exists (a first request wrote it), so a name of the cache could be reached.
    assert site["client"].get("/opendata/axes.csv").status_code == 200
    status, headers, body = raw_get(site["url"], path)
    assert status == 404, (path, status, body[:200])
    assert headers["content-type"] == "application/json"
    french_error(body, "introuvable")
    for secret in (b"[project]", b"root:", b"import streamlit", b"DUCK"):
        assert secret not in body


def test_the_cache_folder_names_are_not_addresses(site):
    site["client"].get("/opendata/axes.csv")
    (folder,) = [
        p for p in cache.cache_dir(site["db"]).iterdir() if p.is_dir() and p.name[0] != "."
    ][:1]
    status, _, body = raw_get(site["url"], f"/opendata/{folder.name}/axes.csv")
    assert status == 404
    french_error(body, "introuvable")
    assert set(package_files()) == {p.name for p in folder.iterdir()}


def test_the_address_is_read_from_x_forwarded_for_only_behind_a_trusted_proxy(tmp_path, templates):
    """Without PTLCD_TRUSTED_PROXY the header is ignored: every request from here is one
    address, limited whatever the header claims."""
    db = templates.copy("plan", tmp_path / "ptlcd.duckdb")
    with streamlit_server(db, env={"PTLCD_API_PAR_MINUTE": "3"}) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            answers = [
                client.get("/opendata/axes.csv", headers={"X-Forwarded-For": f"198.51.100.{i}"})
                for i in range(4)
            ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    french_error(answers[-1].content, "trop_de_requetes")
