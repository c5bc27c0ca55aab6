"""The read-only JSON API, `/api/v1/`: one route per listing of `ptlcd_data.api.listings`.

Thin: check who asks (`api_auth`), check the parameters (`ptlcd_data.api.params`, before
anything is computed), read the revision, answer 304 when the client has it already, else read
one page (`listings.fetch`) and wrap it: `{"total", "page", "page_size", "pages", "next",
"previous", "as_of", "revision", "data"}`, `next`/`previous` the address of the neighbouring
page (path and query) or null. The revision and the page are read in one snapshot (a read-only
transaction that ends before the answer is sent), so the ETag is exactly the data's.

The ETag is the base's revision, followed by the date of observation for a dated listing (a
listing read « as of today » changes at midnight without a write): `"57-2026-12-07"`.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ptlcd_data import store
from ptlcd_data.api import listings, params
from ptlcd_data.api.listings import Listing
from ptlcd_data.errors import NotFound, PtlcdError
from ptlcd_data.settings import Settings
from web import api_auth, openapi

PREFIX = "/api/v1"


def etag(revision: int, *parts: object) -> str:
    return '"' + "-".join(str(p) for p in (revision, *parts)) + '"'


def not_modified(request: Request, tag: str) -> bool:
    """True when If-None-Match names `tag` (or `*`); weak tags compare equal (RFC 9110)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags


def _headers(request: Request, tag: str) -> dict[str, str]:
    private = "authorization" in request.headers
    return {
        "ETag": tag,
        "Cache-Control": "private, no-cache" if private else "no-cache",
        "Vary": "Authorization",
    }


def _link(request: Request, page: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return f"{request.url.path}?{urlencode([*query, ('page', str(page))])}"


def _envelope(
    request: Request, listing: Listing, args: params.Args, page: listings.Page, revision: int
) -> dict[str, Any]:
    pages = math.ceil(page.total / args.page_size)
    out: dict[str, Any] = {
        "total": page.total,
        "page": args.page,
        "page_size": args.page_size,
        "pages": pages,
        "next": _link(request, args.page + 1) if args.page < pages else None,
        "previous": _link(request, max(1, min(args.page - 1, pages))) if args.page > 1 else None,
    }
    if listing.dated:
        out["as_of"] = args.as_of.isoformat()
    return out | {"revision": revision, "data": page.rows}


def answer(
    request: Request,
    settings: Settings,
    *,
    staff: bool,
    check: Callable[[], params.Args | None],
    tag_parts: Callable[[params.Args | None], tuple[object, ...]],
    body: Callable[[store.Connection, params.Args | None, int], Any],
) -> Response:
    """The frame of every route: who asks, the parameters, the revision and If-None-Match,
    then `body`, on one short connection; a token's use is written after the read."""
    api_auth.screen(request, settings)
    with_token = api_auth.needs_token(request, settings, staff=staff)
    conn = store.connect(settings.db_path, wait=store.READ_WAIT_SECONDS)
    try:
        if with_token:
            api_auth.admit(conn, request, settings, staff=staff)
        args = check()
        conn.execute("BEGIN TRANSACTION")  # one snapshot: the revision and the rows
        try:
            revision = store.revision(conn)
            tag = etag(revision, *tag_parts(args))
            if not_modified(request, tag):
                response: Response = Response(status_code=304, headers=_headers(request, tag))
            else:
                content = body(conn, args, revision)
                response = JSONResponse(content, headers=_headers(request, tag))
        finally:
            conn.execute("ROLLBACK")  # a read: nothing to keep
        if with_token:
            api_auth.USES.flush(conn)
    finally:
        conn.close()
    return response


class Totals:
    """The totals of the listings read lately, by revision, listing and parameters but the
    page: a client paging through a listing has it counted once, not at every page."""

    SIZE = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple[object, ...], int] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> int | None:
        with self._lock:
            return self._known.get(key)

    def put(self, key: tuple[object, ...], total: int) -> None:
        with self._lock:
            self._known[key] = total
            self._known.move_to_end(key)
            while len(self._known) > self.SIZE:
                self._known.popitem(last=False)


TOTALS = Totals()


def guarded(run: Callable[[Request, Settings], Response]) -> Callable[[Request], Response]:
    """A route that answers every error in French JSON, never a traceback."""

    def endpoint(request: Request) -> Response:
        settings: Settings | None = None
        try:
            settings = Settings.from_env()
            return run(request, settings)
        except PtlcdError as exc:
            return api_auth.error_response(exc)
        except Exception as exc:  # a setting that does not parse lands here too, never a 500 page
            return api_auth.unexpected(exc, settings.db_path if settings else None)

    return endpoint


def listing_route(listing: Listing) -> Route:
    def run(request: Request, settings: Settings) -> Response:
        def check() -> params.Args:
            return params.parse(
                listing.params, request.query_params.multi_items(), request.path_params
            )

        def body(conn: store.Connection, args: params.Args | None, revision: int) -> Any:
            assert args is not None
            key = (revision, listing.path, args.as_of, args.avec_demo, repr(args.filters),
                   repr(args.path))  # fmt: skip
            page = listings.fetch(conn, listing, args, TOTALS.get(key))
            TOTALS.put(key, page.total)
            return _envelope(request, listing, args, page, revision)

        return answer(
            request,
            settings,
            staff=listing.staff,
            check=check,
            tag_parts=lambda args: (args.as_of.isoformat(),) if args and listing.dated else (),
            body=body,
        )

    return Route(f"{PREFIX}/{listing.path}", guarded(run), methods=["GET", "HEAD"])


def _no_params(request: Request) -> Callable[[], None]:
    def check() -> None:
        params.parse((), request.query_params.multi_items())

    return check


def _index(request: Request, settings: Settings) -> Response:
    def body(conn: store.Connection, args: params.Args | None, revision: int) -> Any:
        return {
            "version": "1",
            "revision": revision,
            "openapi": f"{PREFIX}/openapi.json",
            "donnees_ouvertes": "/opendata/datapackage.json",
            "routes": [
                {
                    "adresse": f"{PREFIX}/{listing.path}",
                    "titre": listing.title,
                    "equipe": listing.staff,
                }
                for listing in listings.LISTINGS
            ],
        }

    return answer(
        request, settings, staff=False, check=_no_params(request), tag_parts=lambda a: (), body=body
    )


def _openapi(request: Request, settings: Settings) -> Response:
    """The OpenAPI document: public whatever the reading setting (it describes, holds no data)."""
    api_auth.screen(request, settings)
    params.parse((), request.query_params.multi_items())
    document = openapi.document(settings)
    conn = store.connect(settings.db_path, wait=store.READ_WAIT_SECONDS)
    try:
        tag = etag(store.revision(conn), openapi.digest(document))
    finally:
        conn.close()
    if not_modified(request, tag):
        return Response(status_code=304, headers=_headers(request, tag))
    return JSONResponse(document, headers=_headers(request, tag))


def refuse_other_method(request: Request, routes: list[BaseRoute]) -> None:
    """For a method other than GET and HEAD (`guard.PathGuard`): raise `api_auth.MethodRefused`
    (405) when one of `routes` has this address (the API and the open data are read only)."""
    path = request.url.path
    if any(isinstance(r, Route) and r.path_regex.match(path) for r in routes):
        raise api_auth.MethodRefused(
            f"Ces adresses se lisent seulement : {request.method[:10]} n'est pas permis, GET l'est."
        )


def _unknown(request: Request, settings: Settings) -> Response:
    """Any other address under /api/: 404 in French (other methods: `guard.PathGuard`)."""
    raise NotFound(
        f"Aucune route « {request.url.path[:80]} » : la liste est à {PREFIX}/ et sa description "
        f"à {PREFIX}/openapi.json."
    )


ROUTES: list[BaseRoute] = [
    Route(f"{PREFIX}/", guarded(_index), methods=["GET", "HEAD"]),
    Route(f"{PREFIX}", guarded(_index), methods=["GET", "HEAD"]),
    Route(f"{PREFIX}/openapi.json", guarded(_openapi), methods=["GET", "HEAD"]),
    *(listing_route(listing) for listing in listings.LISTINGS),
]
# After every route of the API, so that it only catches what none of them matched.
CATCH_ALL: list[BaseRoute] = [Route("/api/{rest:path}", guarded(_unknown), methods=["GET", "HEAD"])]
