"""Open data at stable addresses: `/opendata/datapackage.json` and each CSV of the package.

The same package as `python -m ptlcd_data export opendata` (today, without demonstration
data), written on disk once per revision and day (`ptlcd_data.opendata.cache`), then served as
files: what an open-data portal's harvester fetches. Public when reading is, else a Bearer
token (`api_auth`); the same rate limits as the API. ETag: the package's revision and day.
A name that is not one of the package's files is 404, before anything is read: only those fixed
names are ever joined to the cache folder, so no address reaches another file.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from ptlcd_data import store
from ptlcd_data.api import params
from ptlcd_data.errors import NotFound
from ptlcd_data.opendata import cache
from ptlcd_data.opendata.package import DESCRIPTOR, package_files
from ptlcd_data.settings import Settings
from web import api, api_auth

PREFIX = "/opendata"


def _missing(name: str) -> NotFound:
    return NotFound(
        f"Aucun fichier « {name[:80]} » dans les données ouvertes : leur description est à "
        f"{PREFIX}/{DESCRIPTOR}."
    )


def _serve(request: Request, settings: Settings) -> Response:
    name = str(request.path_params.get("name", ""))
    api_auth.screen(request, settings)
    if api_auth.needs_token(request, settings, staff=False):
        conn = store.connect(settings.db_path, wait=store.READ_WAIT_SECONDS)
        try:
            api_auth.admit(conn, request, settings, staff=False)
            api_auth.USES.flush(conn)
        finally:
            conn.close()
    params.parse((), request.query_params.multi_items())
    if name not in package_files():
        raise _missing(name)
    published = cache.current(settings.db_path)
    tag = f'"{published.key}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Authorization"}
    if api.not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    path = published.file(name)
    if path is None:  # the check above already refused it
        raise _missing(name)
    media = "application/json" if name == DESCRIPTOR else "text/csv"
    return FileResponse(path, media_type=media, headers=headers)


def _unknown(request: Request, settings: Settings) -> Response:
    raise _missing(request.url.path.removeprefix(PREFIX).lstrip("/"))


ROUTES: list[BaseRoute] = [
    Route(PREFIX + "/{name}", api.guarded(_serve), methods=["GET", "HEAD"]),
]
CATCH_ALL: list[BaseRoute] = [
    Route(PREFIX, api.guarded(_unknown), methods=["GET", "HEAD"]),
    Route(PREFIX + "/{rest:path}", api.guarded(_unknown), methods=["GET", "HEAD"]),
]
