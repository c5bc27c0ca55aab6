"""Every route the server adds beside Streamlit's, and its middleware (serve.py)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from ptlcd_data.access import tickets
from web import health, session
from web.guard import PathGuard

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET", "HEAD"]),
    Route(tickets.ROUTE, session.cookie, methods=["POST"]),
    Route("/r/{token}", session.reply_link, methods=["GET"]),
]
# /api/ and /opendata are served by PathGuard's own router (web/guard.py), imported at their
# first request: their modules bring pandas, which the first page must not wait for.
MIDDLEWARE: list[Middleware] = [Middleware(PathGuard)]
