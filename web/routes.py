"""Every route the server adds beside Streamlit's, and its middleware (serve.py)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from web import api, health, opendata
from web.guard import PathGuard

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET", "HEAD"]),
    *api.ROUTES,
    *opendata.ROUTES,
    # Last: French 404s for any other address under /api/ and /opendata.
    *api.CATCH_ALL,
    *opendata.CATCH_ALL,
]
MIDDLEWARE: list[Middleware] = [Middleware(PathGuard)]
