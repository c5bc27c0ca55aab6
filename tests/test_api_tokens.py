"""API tokens: `token add|list|revoke` on the command line, only a hash stored, every change
journaled; then, against the real server with PTLCD_READ_REQUIRES_LOGIN on, behind a trusted
proxy (X-Forwarded-For read), with a limit of 5 requests a minute: no token, a forged, expired
or revoked one are refused with nothing read; each use counted; 429 with Retry-After per token
and per address."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

import duckdb
import httpx
import pytest

from ptlcd_data import store
from ptlcd_data.access import journal, tokens
from ptlcd_data.access.auth import SYSTEM, User
from ptlcd_data.cli import main
from ptlcd_data.errors import AuthenticationError, InputError, PermissionDenied
from tests.helpers import run_cli
from tests.helpers.api import bearer, expired_token, french_error, new_token, revoke
from tests.helpers.browser import streamlit_server
from tests.helpers.databases import Templates

PER_MINUTE = 5
_addresses = count(1)


def address() -> dict[str, str]:
    """A client address of its own (documentation range), as the trusted proxy would say it."""
    return {"X-Forwarded-For": f"198.51.100.{next(_addresses)}"}


# --- the command line and the data layer --------------------------------------------------------


def test_token_add_prints_the_token_once_and_stores_only_its_hash(db_path):
    db = str(db_path)
    added = run_cli("--db", db, "token", "add", "Portail", "--role", "lecture")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert token.startswith("ptlcd_") and len(token) == 49 and "\n" not in token
    assert "plus jamais affiché" in added.stderr
    with duckdb.connect(db) as conn:
        rows = conn.execute("SELECT * FROM api_jeton").fetchall()
        (stored,) = conn.execute("SELECT nom, empreinte FROM api_jeton").fetchall()
    assert stored == ("portail", hashlib.sha256(token.encode()).hexdigest())
    assert not any(token in str(value) for row in rows for value in row)
    listed = run_cli("--db", db, "token", "list")
    assert listed.returncode == 0
    assert token not in listed.stdout and stored[1] not in listed.stdout
    line = next(x for x in listed.stdout.splitlines() if x.startswith("portail\t"))
    assert line.split("\t")[1] == "lecture" and line.endswith("\t—\t0\tactif")


def _cli(db_path, capsys, *argv: str) -> tuple[int, str, str]:
    """The command in this process (`cli.main`): its exit code, stdout and stderr."""
    try:
        code = main(["--db", str(db_path), *argv])
    except SystemExit as usage:  # argparse's usage errors
        code = int(usage.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_token_revoke_and_the_journal(db_path, capsys):
    until = f"{date.today() + timedelta(days=30)}"
    assert (
        _cli(db_path, capsys, "token", "add", "bi", "--role", "saisie", "--expire", until)[0] == 0
    )
    code, out, _ = _cli(db_path, capsys, "token", "revoke", "bi")
    assert code == 0 and "révoqué" in out
    code, _, err = _cli(db_path, capsys, "token", "revoke", "bi")
    assert code == 1 and "déjà révoqué" in err
    assert _cli(db_path, capsys, "token", "revoke", "inconnu")[0] == 1
    listed = _cli(db_path, capsys, "token", "list")[1]
    line = next(x for x in listed.splitlines() if x.startswith("bi\t"))
    assert "\trévoqué le " in line and f"{date.today() + timedelta(days=30):%d/%m/%Y}" in line
    with store.connect(db_path) as conn:
        entries = journal.entries(conn)
    operations = list(zip(entries["operation"], entries["objet"], strict=True))
    assert ("jeton d'API révoqué", "bi") in operations
    assert ("jeton d'API créé", "bi") in operations
    created = entries[entries["operation"] == "jeton d'API créé"].iloc[0]
    assert '"role": "saisie"' in created["nouveau"] and "ptlcd_" not in created["nouveau"]


def test_a_restored_backup_revives_no_token_revoked_since(db_path, tmp_path, capsys):
    """Revoked after the backup (it leaked): still revoked once the backup is restored; a token
    still valid stays valid (an integration keeps working)."""
    with store.connect(db_path) as conn:
        leaked = tokens.add_token(conn, SYSTEM, "fuite2", "lecture")
        kept = tokens.add_token(conn, SYSTEM, "garde", "lecture")
    copy = tmp_path / "copie.duckdb"
    assert _cli(db_path, capsys, "backup", "-o", str(copy))[0] == 0
    assert _cli(db_path, capsys, "token", "revoke", "fuite2")[0] == 0
    code, out, _ = _cli(db_path, capsys, "restore", str(copy))
    assert code == 0
    assert "révoqué(s) de nouveau : fuite2." in out
    with store.connect(db_path) as conn:
        with pytest.raises(AuthenticationError):
            tokens.authenticate(conn, leaked)
        assert tokens.authenticate(conn, kept).nom == "garde"


def test_an_unreadable_replaced_base_revokes_every_token(db_path, tmp_path, capsys):
    """When the replaced base cannot be read, nobody knows what it had revoked: all tokens are."""
    with store.connect(db_path) as conn:
        token = tokens.add_token(conn, SYSTEM, "portail", "lecture")
    copy = tmp_path / "copie.duckdb"
    assert _cli(db_path, capsys, "backup", "-o", str(copy))[0] == 0
    db_path.write_bytes(db_path.read_bytes()[:4096])  # damaged
    code, out, _ = _cli(db_path, capsys, "restore", str(copy))
    assert code == 0, out
    assert "tous les jetons d'API sont révoqués par prudence (portail)" in out
    with store.connect(db_path) as conn, pytest.raises(AuthenticationError):
        tokens.authenticate(conn, token)


@pytest.mark.parametrize(
    ("argv", "code", "said"),
    [
        (["token", "add", "x1", "--role", "admin"], 2, "choix invalide"),
        (["token", "add", "x2"], 1, "Indiquez le rôle"),
        (["token", "add", "x3", "--role", "lecture", "--expire", "2020-01-01"], 1, "déjà passée"),
        (["token", "add", "x4", "--role", "lecture", "--expire", "demain"], 2, "invalide"),
        (["token", "add", "Pas un nom!", "--role", "lecture"], 1, "invalide"),
        (["token", "revoke"], 1, "Indiquez le nom"),
    ],
)
def test_token_command_refusals(db_path, capsys, argv, code, said):
    assert _cli(db_path, capsys, "token", "list")[0] == 0
    done, _, err = _cli(db_path, capsys, *argv)
    assert done == code
    assert said in err
    with duckdb.connect(str(db_path)) as conn:
        assert conn.execute("SELECT count(*) FROM api_jeton").fetchone() == (0,)


def test_a_name_is_never_given_twice(conn):
    tokens.add_token(conn, SYSTEM, "portail", "lecture")
    tokens.revoke_token(conn, SYSTEM, "portail")
    with pytest.raises(InputError, match="existe déjà"):
        tokens.add_token(conn, SYSTEM, "portail", "lecture")


def test_only_an_administrator_creates_or_revokes(conn):
    staff = User("coord", "Coordination", "saisie")
    with pytest.raises(PermissionDenied):
        tokens.add_token(conn, staff, "portail", "lecture")
    tokens.add_token(conn, SYSTEM, "portail", "lecture")
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(conn, staff, "portail")


def test_authenticate_refuses_forged_expired_and_revoked_alike(conn):
    good = tokens.add_token(conn, SYSTEM, "bon", "saisie", date.today())
    assert tokens.authenticate(conn, good) == tokens.TokenHolder("bon", "saisie")
    expired = tokens.add_token(
        conn, SYSTEM, "vieux", "lecture", date(2020, 1, 31), today=date(2020, 1, 1)
    )
    revoked = tokens.add_token(conn, SYSTEM, "parti", "lecture")
    tokens.revoke_token(conn, SYSTEM, "parti")
    messages = set()
    for token in (expired, revoked, good[:-1] + ("A" if good[-1] != "A" else "B"), "", "x" * 5000):
        with pytest.raises(AuthenticationError) as refused:
            tokens.authenticate(conn, token)
        messages.add(refused.value.message)
    assert len(messages) == 1  # nothing tells which tokens exist
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(AuthenticationError):  # valid through its day, not after
        tokens.authenticate(conn, good, today=tomorrow)


def test_uses_are_added_without_bumping_the_revision(conn):
    tokens.add_token(conn, SYSTEM, "portail", "lecture")
    before = store.revision(conn)
    tokens.record_uses(conn, {"portail": (3, datetime(2026, 1, 2, 3, 4, 5))})
    tokens.record_uses(conn, {"portail": (2, datetime(2026, 1, 1))})
    (row,) = tokens.list_tokens(conn)
    assert (row.usages, row.dernier_usage) == (5, datetime(2026, 1, 2, 3, 4, 5))
    assert store.revision(conn) == before


# --- against the real server: reading requires a token -------------------------------------------


@pytest.fixture(scope="module")
def site(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    db = templates.copy("plan", tmp_path_factory.mktemp("jetons") / "ptlcd.duckdb")
    env = {
        "PTLCD_READ_REQUIRES_LOGIN": "true",
        "PTLCD_TRUSTED_PROXY": "true",
        "PTLCD_API_PAR_MINUTE": str(PER_MINUTE),
    }
    with streamlit_server(db, env=env) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield {"db": db, "url": url, "client": client}


def get(site: dict[str, Any], path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    answer: httpx.Response = site["client"].get(path, headers=address() | (headers or {}))
    return answer


@pytest.mark.parametrize("path", ["/api/v1/plan/actions", "/api/v1/", "/opendata/datapackage.json"])
def test_reading_requires_a_token_when_the_setting_says_so(site, path):
    refused = get(site, path)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="ptlcd"'
    assert (
        "Authorization: Bearer"
        in french_error(refused.content, "authentification_refusee")["message"]
    )
    token = new_token(site["db"], f"lecteur-{path.count('/')}{len(path)}")
    assert get(site, path, bearer(token)).status_code == 200


def test_the_openapi_document_stays_public_and_says_a_token_is_needed(site):
    spec = get(site, "/api/v1/openapi.json").json()
    assert spec["paths"]["/api/v1/plan/actions"]["get"]["security"] == [{"jeton": []}]


def test_forged_expired_and_revoked_tokens_read_nothing(site):
    expired = expired_token(site["db"], "perime")
    revoked = new_token(site["db"], "revoque")
    assert get(site, "/api/v1/plan/axes", bearer(revoked)).status_code == 200
    revoke(site["db"], "revoque")  # while the server runs: refused at the next request
    forged = "ptlcd_" + "x" * 43
    for token in (forged, expired, revoked):
        for path in ("/api/v1/plan/axes", "/opendata/axes.csv", "/api/v1/campagnes"):
            answer = get(site, path, bearer(token))
            assert answer.status_code == 401, (path, answer.text)
            body = french_error(answer.content, "authentification_refusee")
            assert "inconnu, expiré ou révoqué" in body["message"]
            assert "data" not in answer.text


def test_each_use_is_counted(site):
    token = new_token(site["db"], "compte")
    for _ in range(3):
        assert get(site, "/api/v1/plan/axes", bearer(token)).status_code == 200
    first = get(site, "/api/v1/plan/axes", bearer(token))
    assert (
        get(
            site, "/api/v1/plan/axes", bearer(token) | {"If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )
    with store.connect(site["db"]) as conn:
        row = next(r for r in tokens.list_tokens(conn) if r.nom == "compte")
    assert row.usages == 5 and row.dernier_usage is not None
    assert row.dernier_usage.date() == date.today()


def test_a_token_has_its_own_rate_limit(site):
    """PER_MINUTE requests, each from another address, then 429 with Retry-After."""
    token = new_token(site["db"], "rapide")
    for _ in range(PER_MINUTE):
        assert get(site, "/api/v1/plan/axes", bearer(token)).status_code == 200
    limited = get(site, "/api/v1/plan/axes", bearer(token))
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60 // PER_MINUTE
    assert "avec ce jeton" in french_error(limited.content, "trop_de_requetes")["message"]
    other = new_token(site["db"], "patient")
    assert get(site, "/api/v1/plan/axes", bearer(other)).status_code == 200


def test_an_address_has_its_rate_limit_before_any_token_is_checked(site):
    """From one address (as the trusted proxy reports it): PER_MINUTE answers, then 429, even
    for a token nobody has seen; the next address is served."""
    one = address()
    for _ in range(PER_MINUTE):
        assert site["client"].get("/api/v1/plan/axes", headers=one).status_code == 401
    for headers in (one, one | bearer("ptlcd_" + "z" * 43)):
        limited = site["client"].get("/api/v1/plan/axes", headers=headers)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert (
            "depuis cette adresse" in french_error(limited.content, "trop_de_requetes")["message"]
        )
    # The proxy appends the real address last; what the client put before it is not trusted.
    spoofed = {"X-Forwarded-For": "192.0.2.99, " + one["X-Forwarded-For"]}
    assert site["client"].get("/api/v1/plan/axes", headers=spoofed).status_code == 429
    assert get(site, "/api/v1/plan/axes").status_code == 401  # another address: not limited
