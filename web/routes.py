"""Every route the server adds beside Streamlit's, and its middleware (serve.py)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from ptlcd_data.access import tickets
from web import api, health, opendata, session
from web.guard import PathGuard

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET", "HEAD"]),
    Route(tickets.ROUTE, session.cookie, methods=["POST"]),
    Route("/r/{token}", session.reply_link, methods=["GET"]),
    *api.ROUTES,
    *opendata.ROUTES,
    # Last: French 404s for any other address under /api/ and /opendata.
    *api.CATCH_ALL,
    *opendata.CATCH_ALL,
]
MIDDLEWARE: list[Middleware] = [Middleware(PathGuard)]
