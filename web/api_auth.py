"""Who may read the API and the open-data files, and how a refusal is answered.

Every request, in this order, before anything is read from the base:

1. a token in the address (`?token=`, `?access_token=`…) is refused (400), never tried;
2. the client's address has its rate limit (429 with Retry-After): the connection's peer, or,
   with PTLCD_TRUSTED_PROXY, the address the proxy appended to X-Forwarded-For (without it,
   requests carrying that header share one address: `client_address`);
3. `Authorization: Bearer TOKEN`, when sent, must be a live token (401 otherwise, even where
   reading is open: a wrong token is a mistake to say, not to ignore); then the token has its
   own rate limit;
4. without a token, public data is read only when reading is open (PTLCD_READ_REQUIRES_LOGIN),
   and the staff's routes never (401); a `lecture` token on a staff route: 403.

Errors are JSON in French, `{"code", "titre", "message"}`, the code that of the error's class
(`ptlcd_data.errors`), the same vocabulary as the command line. Uses of a token are counted in
memory and written after the request has read what it needed (`Uses`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from ptlcd_data import store
from ptlcd_data.access import accounts, tokens
from ptlcd_data.api.params import refuse_token_in_query
from ptlcd_data.errors import (
    AuthenticationError,
    DatabaseBusyError,
    DatabaseDamagedError,
    InputError,
    NotFound,
    PermissionDenied,
    PtlcdError,
    RateLimited,
)
from ptlcd_data.settings import Settings
from web import limits

log = logging.getLogger("ptlcd")


class MethodRefused(PtlcdError):
    """Another method than GET on an address of the API or of the open data (read only)."""

    title = "Méthode refusée"
    code = "methode_refusee"


# The HTTP status of each kind of error (the first class of its MRO found here); others: 500.
STATUS: dict[type[PtlcdError], int] = {
    InputError: 400,
    AuthenticationError: 401,
    PermissionDenied: 403,
    NotFound: 404,
    MethodRefused: 405,
    RateLimited: 429,
    DatabaseBusyError: 503,
    DatabaseDamagedError: 503,
}
# How long a client should wait before asking a busy base again.
BUSY_RETRY_SECONDS = 5
REALM = 'Bearer realm="ptlcd"'


def status_of(exc: PtlcdError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def error_body(exc: PtlcdError) -> dict[str, str]:
    return {"code": exc.code, "titre": exc.title, "message": exc.message}


def error_response(exc: PtlcdError) -> JSONResponse:
    """The French answer to a refusal, with the headers its status calls for."""
    status = status_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = REALM
    elif isinstance(exc, DatabaseBusyError):
        headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    elif status == 405:
        headers["Allow"] = "GET, HEAD"
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


def unexpected(exc: Exception, db_path: Path | None) -> JSONResponse:
    """A failure nobody can fix from outside: logged; a damaged base said as such (503), any
    other error a French 500 without details."""
    damaged = store.diagnosis(exc, db_path) if db_path is not None else None
    if damaged is not None:
        return error_response(damaged)
    log.exception("Erreur inattendue sur l'API")
    return JSONResponse(
        {
            "code": "erreur_interne",
            "titre": "Erreur inattendue",
            "message": "Le serveur n'a pas pu répondre ; l'erreur est notée dans son journal. "
            "Réessayez plus tard.",
        },
        status_code=500,
    )


def client_address(request: Request, settings: Settings) -> str | None:
    """The address the rate limit counts: behind a trusted proxy, the one it appended to
    X-Forwarded-For (`accounts.source_address`); otherwise the peer, whatever the header says.
    uvicorn believes X-Forwarded-For only from the proxy PTLCD_TRUSTED_PROXY declares
    (FORWARDED_ALLOW_IPS, set by scripts/run.sh): without it the peer is the connection's own,
    and a client adding the header neither chooses its address nor spends a shared bucket."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for") if settings.trusted_proxy else None
    return accounts.source_address(peer, forwarded, trusted_proxy=settings.trusted_proxy)


def _wait(limiter: limits.RateLimiter, key: str, who: str) -> None:
    wait = limiter.take(key)
    if wait:
        raise RateLimited(
            f"Trop de requêtes {who} : au plus {limiter.per_minute} par minute. Réessayez dans "
            f"{wait} seconde(s).",
            wait,
        )


def screen(request: Request, settings: Settings) -> None:
    """Steps 1 and 2: no token in the address, the address's rate limit (nothing read)."""
    refuse_token_in_query(request.query_params.keys())
    address = client_address(request, settings)
    _wait(limits.limiter(settings.api_per_minute), f"adresse:{address}", "depuis cette adresse")


def bearer(request: Request) -> str | None:
    """The token of `Authorization: Bearer TOKEN`; None without the header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationError(
            "En-tête Authorization mal formé : « Authorization: Bearer JETON » est attendu."
        )
    return value.strip()


def needs_token(request: Request, settings: Settings, *, staff: bool) -> bool:
    """True when the request must go on to `admit` with a connection (a token was sent); raises
    AuthenticationError when one is needed and none was sent."""
    if bearer(request) is not None:
        return True
    if staff:
        raise AuthenticationError(
            "Cette adresse est réservée à l'équipe : envoyez un jeton de rôle saisie dans "
            "l'en-tête « Authorization: Bearer JETON »."
        )
    if settings.read_requires_login:
        raise AuthenticationError(
            "La lecture demande un jeton sur ce serveur : envoyez-le dans l'en-tête "
            "« Authorization: Bearer JETON » (un administrateur le crée : « token add »)."
        )
    return False


def admit(
    conn: store.Connection, request: Request, settings: Settings, *, staff: bool
) -> tokens.TokenHolder:
    """Step 3 and 4 for a request with a token: its holder, or the French refusal."""
    token = bearer(request)
    if token is None:  # needs_token said so first
        raise AuthenticationError("Jeton d'accès absent.")
    holder = tokens.authenticate(conn, token)
    _wait(limits.limiter(settings.api_per_minute), f"jeton:{holder.nom}", "avec ce jeton")
    if staff and not holder.can("saisie"):
        raise PermissionDenied(
            f"Le jeton « {holder.nom} » a le rôle « {holder.role} » : cette adresse demande un "
            "jeton de rôle saisie."
        )
    USES.add(holder.nom)
    return holder


class Uses:
    """Uses of tokens not written yet: name → (how many, last one). Written by whichever
    request finds the writer free (`flush`), in one statement; a failed write keeps them for
    the next."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writer = threading.Lock()
        self._pending: dict[str, tuple[int, datetime]] = {}

    def add(self, nom: str, when: datetime | None = None) -> None:
        when = when or datetime.now()
        with self._lock:
            n, _ = self._pending.get(nom, (0, when))
            self._pending[nom] = (n + 1, when)

    def _merge(self, uses: Iterable[tuple[str, tuple[int, datetime]]]) -> None:
        with self._lock:
            for nom, (n, when) in uses:
                m, last = self._pending.get(nom, (0, when))
                self._pending[nom] = (n + m, max(when, last))

    def flush(self, conn: store.Connection) -> None:
        if not self._writer.acquire(blocking=False):
            return  # another request is writing: these uses go with the next one
        try:
            with self._lock:
                taken, self._pending = self._pending, {}
            try:
                tokens.record_uses(conn, taken)
            except Exception:  # a busy base must not fail the read that already succeeded
                log.warning(
                    "Usages des jetons non enregistrés, gardés pour la suite", exc_info=True
                )
                self._merge(taken.items())
        finally:
            self._writer.release()


USES = Uses()
