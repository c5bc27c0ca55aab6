"""The first middleware of the server, for the addresses under `/api/` and `/opendata`:

- one that tries to climb out of its folder (`..`, `%2e%2e`, a backslash, a NUL byte, an encoded
  slash) is answered 404 in French JSON here, before Streamlit's own path check would answer an
  English 400, and before any route sees it (such an address names no file anyway: the routes
  serve fixed names only, `web/opendata.py`);
- any method but GET and HEAD is answered here too, whatever its name (405 on an address of a
  route, 404 elsewhere): these addresses are read only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import ModuleType

from starlette.requests import Request
from starlette.routing import BaseRoute, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from ptlcd_data.errors import NotFound, PtlcdError

PREFIXES = ("/api", "/opendata")


@dataclass(frozen=True)
class Served:
    router: Router  # every route under /api and /opendata, then their French 404s
    named: list[BaseRoute]  # the routes that exist (a wrong method on them is a 405)
    api: ModuleType
    api_auth: ModuleType


_served: Served | None = None
_lock = threading.Lock()


def served() -> Served:
    """The router of /api and /opendata, with `web.api` and `web.api_auth`, imported at the
    first such request: they bring pandas and the API's queries, which the server's start (and
    so the first page, the cold start) need not wait for."""
    global _served
    with _lock:
        if _served is None:
            from web import api, api_auth, opendata

            async def unknown(scope: Scope, receive: Receive, send: Send) -> None:
                path = str(scope.get("path", ""))[:80]
                refusal = NotFound(f"Rien à l'adresse « {path} ».")
                await api_auth.error_response(refusal)(scope, receive, send)

            named = [*api.ROUTES, *opendata.ROUTES]
            router = Router(
                routes=[*named, *api.CATCH_ALL, *opendata.CATCH_ALL],
                default=unknown,
                redirect_slashes=False,
            )
            _served = Served(router, named, api, api_auth)
        return _served


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
            if ours(path):
                found = served()
                refusal: PtlcdError | None = None
                if climbs(path, raw):
                    refusal = NotFound("Adresse refusée : elle sort du dossier qu'elle nomme.")
                elif scope.get("method") not in ("GET", "HEAD"):
                    try:
                        found.api.refuse_other_method(Request(scope), found.named)
                        refusal = NotFound(f"Rien à l'adresse « {path[:80]} ».")
                    except PtlcdError as exc:
                        refusal = exc
                if refusal is not None:
                    await found.api_auth.error_response(refusal)(scope, receive, send)
                else:
                    await found.router(scope, receive, send)
                return
        await self.app(scope, receive, send)
