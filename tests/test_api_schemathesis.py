"""The API against its own OpenAPI document, fuzzed by schemathesis (its command line, against
the real server): every generated request, valid or not, must get an answer the document
describes (status, headers, content type, body schema), never a 500; invalid input must be
refused, valid input accepted; an undeclared method must be refused. Reading requires a token
on this server, and schemathesis sends a `saisie` token: the staff's routes are fuzzed too, and
it checks that a request without the token is refused.

The number of generated requests is printed and written to test-artifacts/schemathesis.txt.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.api import new_token, open_campaign
from tests.helpers.browser import ARTIFACTS, streamlit_server
from tests.helpers.databases import Templates

# Bounds of the run: examples per operation and phase, and a budget for the whole run.
MAX_EXAMPLES = 10
MAX_SECONDS = 40
SEED = 20261207


@pytest.fixture(scope="module")
def site(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    db = templates.copy("demo", tmp_path_factory.mktemp("fuzz") / "ptlcd.duckdb")
    open_campaign(db)  # n° 1: its completion has rows
    token = new_token(db, "fuzz", "saisie")
    env = {"PTLCD_API_PAR_MINUTE": "0", "PTLCD_READ_REQUIRES_LOGIN": "true"}
    with streamlit_server(db, env=env) as url:
        yield {"url": url, "token": token}


def run_schemathesis(url: str, token: str, folder: Path) -> subprocess.CompletedProcess[str]:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{url}/api/v1/openapi.json",
            "--url",
            url,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            str(MAX_SECONDS),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--warnings",
            "off",
        ],
        cwd=folder,  # its .hypothesis cache stays there
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS * 4,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(folder)},
    )


def test_every_answer_conforms_to_the_openapi_document(site, tmp_path):
    done = run_schemathesis(site["url"], site["token"], tmp_path)
    output = done.stdout + done.stderr
    found = re.search(r"Test cases:\s*([0-9]+) generated", output)
    assert found, output[-3000:]
    generated = int(found[1])
    summary = f"schemathesis : {generated} requêtes générées, code de sortie {done.returncode}"
    print(summary)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "schemathesis.txt").write_text(summary + "\n\n" + output, encoding="utf-8")
    assert done.returncode == 0, output[-6000:]
    assert generated >= 100, output[-3000:]
    assert "[500]" not in output and "Server error" not in output
