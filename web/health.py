"""`/healthz`: is the base usable? For the reverse proxy and monitoring.

200 when the base opens, its migrations are all applied and the plan is loaded; 503 with the
French reason otherwise. Nothing is created, migrated or written: a missing file stays missing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ptlcd_data import store
from ptlcd_data.errors import PtlcdError
from ptlcd_data.settings import Settings


def diagnosis(settings: Settings) -> str | None:
    """None when the base is usable, else why not (French)."""
    path = settings.db_path
    if not path.is_file():
        return f"La base « {path.name} » n'existe pas : lancez « python -m ptlcd_data init »."
    try:
        conn = store.connect(path, wait=store.READ_WAIT_SECONDS)
    except PtlcdError as exc:
        return exc.message
    try:
        pending = store.pending_migrations(conn)
        if pending:
            return (
                f"La base « {path.name} » attend {len(pending)} migration(s) (n° "
                f"{', '.join(str(n) for n in pending)}) : lancez « python -m ptlcd_data init »."
            )
        if not store.is_built(conn):
            return f"Le plan n'est pas chargé dans la base « {path.name} »."
    except Exception as exc:  # a damaged file answers with its diagnosis, anything else as is
        found = store.diagnosis(exc, path)
        return found.message if found else f"La base « {path.name} » ne répond pas ({exc})."
    finally:
        conn.close()
    return None


def healthz(request: Request) -> JSONResponse:
    reason = diagnosis(Settings.from_env())
    if reason is None:
        return JSONResponse({"etat": "ok"})
    return JSONResponse({"etat": "indisponible", "raison": reason}, status_code=503)
