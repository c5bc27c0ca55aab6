"""Helpers of the HTTP API's tests: tokens and a campaign made in a base before (or while) the
real server reads it, and a raw request that keeps its path exactly as written."""

from __future__ import annotations

import http.client
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ptlcd_data import store
from ptlcd_data.access import tokens
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.campagnes import campaigns


def new_token(
    db: Path,
    nom: str,
    role: str = "lecture",
    *,
    expire: date | None = None,
    today: date | None = None,
) -> str:
    """A token created in `db` (as the command line would), returned in clear."""
    with store.connect(db) as conn:
        return tokens.add_token(conn, SYSTEM, nom, role, expire, today=today)


def expired_token(db: Path, nom: str) -> str:
    """A token whose last valid day was yesterday (created, as it were, last year)."""
    yesterday = date.today() - timedelta(days=1)
    return new_token(db, nom, expire=yesterday, today=yesterday - timedelta(days=365))


def revoke(db: Path, nom: str) -> None:
    with store.connect(db) as conn:
        tokens.revoke_token(conn, SYSTEM, nom)


def open_campaign(db: Path) -> int:
    """Open a campaign (deadline in a month) and return its number."""
    with store.connect(db) as conn:
        return campaigns.open_campaign(conn, SYSTEM, "Suivi", date.today() + timedelta(days=30)).id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def raw_get(url: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET `path` sent byte for byte (no client normalises `..` or `%2e%2e` away)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def french_error(body: bytes | str, code: str) -> dict[str, Any]:
    """The JSON error body, checked: its code, a French title and message."""
    found = json.loads(body)
    assert set(found) == {"code", "titre", "message"}, found
    assert found["code"] == code, found
    assert found["titre"] and found["message"], found
    return dict(found)
