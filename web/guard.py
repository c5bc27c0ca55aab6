"""The first middleware of the server, for the addresses under `/api/` and `/opendata`:

- one that tries to climb out of its folder (`..`, `%2e%2e`, a backslash, a NUL byte, an encoded
  slash) is answered 404 in French JSON here, before Streamlit's own path check would answer an
  English 400, and before any route sees it (such an address names no file anyway: the routes
  serve fixed names only, `web/opendata.py`);
- any method but GET and HEAD is answered here too, whatever its name (405 on an address of a
  route, 404 elsewhere): these addresses are read only.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ptlcd_data.errors import NotFound, PtlcdError
from web import api, api_auth, opendata

PREFIXES = ("/api", "/opendata")


def ours(path: str) -> bool:
    """True for `/api`, `/opendata` and anything under them."""
    return any(path == p or path.startswith(p + "/") for p in PREFIXES)


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
            refusal: PtlcdError | None = None
            if ours(path) and climbs(path, raw):
                refusal = NotFound("Adresse refusée : elle sort du dossier qu'elle nomme.")
            elif ours(path) and scope.get("method") not in ("GET", "HEAD"):
                request = Request(scope)
                try:
                    api.refuse_other_method(request, [*api.ROUTES, *opendata.ROUTES])
                    refusal = NotFound(f"Rien à l'adresse « {path[:80]} ».")
                except PtlcdError as exc:
                    refusal = exc
            if refusal is not None:
                await api_auth.error_response(refusal)(scope, receive, send)
                return
        await self.app(scope, receive, send)
