"""Every route the server adds beside Streamlit's, and its middleware (serve.py)."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from web import health

ROUTES: list[BaseRoute] = [
    Route("/healthz", health.healthz, methods=["GET", "HEAD"]),
]
MIDDLEWARE: list[Middleware] = []
