"""The first middleware of the server: an address under `/api/` or `/opendata` that tries to
climb out of its folder (`..`, `%2e%2e`, a backslash, a NUL byte, an encoded slash) is
answered 404 in French JSON here, before Streamlit's own path check would answer an English
400, and before any route sees it. Such an address names no file anyway: the routes serve fixed
names only (`web/opendata.py`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ptlcd_data.errors import NotFound
from web import api_auth

PREFIXES = ("/api/", "/api", "/opendata")


def climbs(path: str, raw_path: bytes) -> bool:
    """True for a path with a `..` segment (decoded or not), a backslash, a NUL byte or an
    encoded slash."""
    raw = raw_path.decode("latin-1").lower()
    segments = path.split("/")
    return (
        ".." in segments
        or "\\" in path
        or "\x00" in path
        or "%2f" in raw
        or "%5c" in raw
        or any(s.strip() in ("..", ".") for s in segments[1:])
    )


class PathGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = str(scope.get("path", ""))
            raw = bytes(scope.get("raw_path") or path.encode("utf-8", "replace"))
            if path.startswith(PREFIXES) and climbs(path, raw):
                response = api_auth.error_response(
                    NotFound("Adresse refusée : elle sort du dossier qu'elle nomme.")
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
