"""The login cookie, set and cleared by the server: `/session/cookie` and the reply links `/r/TOKEN`.

`ptlcd_session` is `HttpOnly; SameSite=Strict; Path=/`, with `Secure` behind https: no script
of the page can read it. Streamlit's pages read it on the server (`st.context.cookies`, from
the websocket's handshake), and cannot set it; these routes do.

- `POST /session/cookie`, body: a ticket (`ptlcd_data/access/tickets.py`) that a page issued
  after a login, a log-out or a refused cookie, and POSTs with a tiny script. The answer (204)
  sets the cookie to the session's token, or ends the session the cookie names and clears it,
  or clears a refused cookie. A ticket serves once, within 60 s; the request must come from a
  page of this same host (`Origin`), against cross-site request forgery.
- `GET /r/TOKEN`, a campaign's reply link (`ptlcd_data/access/liens.py`): opens a session
  limited to its porteur's « Mes actions », then answers 303 towards that page with the cookie,
  so the token leaves the address bar at once. An unknown link answers 404, a revoked or
  expired one (or of a closed campaign) 410, each a static French page; nothing is opened. The
  token is never logged (uvicorn's access log is off under `streamlit run`; nothing here logs).

`Secure` is decided from the server's own TLS (Streamlit's `server.sslCertFile`) or, behind a
reverse proxy, from `X-Forwarded-Proto: https` read only with PTLCD_TRUSTED_PROXY. Not from
`request.url.scheme`: uvicorn rewrites it from `X-Forwarded-Proto` for any request from the
loopback address, whatever PTLCD_TRUSTED_PROXY says.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from streamlit import config

from ptlcd_data import store
from ptlcd_data.access import liens, sessions, tickets
from ptlcd_data.settings import Settings

log = logging.getLogger("ptlcd")

# « Mes actions »'s address (ui/navigation.py's LINK_PAGE: web never imports ui).
LINK_PAGE = "mes-actions"
# A ticket is 43 characters: a body longer than this is not one, and is not read further.
BODY_MAX_BYTES = 256
# Nothing about a login, a log-out or a link is to be kept by a browser's or a proxy's cache,
# nor sent on as a Referer.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Suivi du PTLCD</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem;">
<h1>{title}</h1>
<p>{text}</p>
<p><a href="/">Ouvrir le tableau de bord</a></p>
</body>
</html>
"""
# Static texts: nothing from the request or the base ever goes into these pages.
UNKNOWN_PAGE = _PAGE.format(
    title="Lien inconnu",
    text="Ce lien n'ouvre rien : il est incomplet ou n'a jamais existé. Vérifiez qu'il est "
    "recopié en entier depuis le courriel reçu, ou demandez un nouveau lien à l'équipe du PTLCD.",
)
GONE_PAGE = _PAGE.format(
    title="Lien expiré",
    text="Ce lien n'est plus valable : la campagne est close, son délai est passé, ou il a été "
    "révoqué. Rien n'a été ouvert. Demandez un nouveau lien à l'équipe du PTLCD, ou "
    "connectez-vous avec votre compte.",
)
UNAVAILABLE_PAGE = _PAGE.format(
    title="Tableau de bord indisponible",
    text="Le tableau de bord ne peut pas ouvrir ce lien pour l'instant (base de données occupée "
    "ou en maintenance). Réessayez dans quelques minutes.",
)


def secure(request: Request, settings: Settings) -> bool:
    """Whether the browser reached us over https: the server's own TLS, or a trusted reverse
    proxy saying so."""
    if config.get_option("server.sslCertFile"):
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return settings.trusted_proxy and forwarded == "https"


def same_origin(request: Request, settings: Settings) -> bool:
    """True when `Origin` names the host the browser addressed: a page of another site cannot
    make a browser redeem a ticket, nor log it out.

    Host names are compared, not ports: a reverse proxy often forwards `Host` without the port
    (nginx's `$host`), and cookies are not kept apart by port anyway. Behind a trusted proxy,
    `X-Forwarded-Host` names the host too.
    """
    try:
        origin = urlsplit(request.headers.get("origin") or "")
        if origin.scheme not in ("http", "https") or not origin.hostname:
            return False
        hosts = [request.headers.get("host") or ""]
        if settings.trusted_proxy:
            hosts.append((request.headers.get("x-forwarded-host") or "").split(",")[0].strip())
        return any(h and urlsplit(f"//{h}").hostname == origin.hostname for h in hosts)
    except ValueError:  # a malformed Origin or Host (« http://[ »): not this site
        return False


def _set_cookie(
    response: Response, value: str, max_age: int, request: Request, settings: Settings
) -> None:
    response.set_cookie(
        sessions.COOKIE_NAME,
        value,
        max_age=max_age,
        path="/",
        secure=secure(request, settings),
        httponly=True,
        samesite="strict",
    )


def _clear_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        sessions.COOKIE_NAME,
        path="/",
        secure=secure(request, settings),
        httponly=True,
        samesite="strict",
    )


def _refused(text: str, status: int) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status, headers=PRIVATE)


async def cookie(request: Request) -> Response:
    """`POST /session/cookie`: redeem a page's ticket; the answer sets or clears the cookie."""
    settings = Settings.from_env()
    if not same_origin(request, settings):
        return _refused("Requête refusée : elle ne vient pas d'une page de ce site.", 403)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_MAX_BYTES:
            return _refused("Requête refusée : ce n'est pas un ticket.", 400)
    ticket = tickets.redeem(body.decode("ascii", "replace").strip())
    if ticket is None:
        return _refused("Ticket inconnu, déjà utilisé ou expiré : reconnectez-vous.", 403)
    response = Response(status_code=204, headers=PRIVATE)
    held = request.cookies.get(sessions.COOKIE_NAME)
    if ticket.action == tickets.OPEN:
        assert ticket.token is not None
        _set_cookie(response, ticket.token, ticket.max_age, request, settings)
    elif ticket.action == tickets.CLOSE:
        if held:
            await run_in_threadpool(_close, settings, held)
        _clear_cookie(response, request, settings)
    elif held == ticket.token:  # FORGET: only the cookie that was refused, never a newer one
        _clear_cookie(response, request, settings)
    return response


def _close(settings: Settings, token: str) -> None:
    with store.connect(settings.db_path) as conn:
        sessions.close_session(conn, token)


def reply_link(request: Request) -> Response:
    """`GET /r/TOKEN`: a session for the link's porteur, then 303 to « Mes actions ».

    A HEAD (a mail scanner checking the address) opens nothing. A login this browser held is
    closed on the server: the link's session replaces its cookie, and it must not live on unseen.
    """
    if request.method == "HEAD":
        return Response(status_code=200, headers=PRIVATE)
    settings = Settings.from_env()
    held = request.cookies.get(sessions.COOKIE_NAME)
    try:
        with store.connect(settings.db_path) as conn:
            token, _ = sessions.open_link_session(
                conn,
                str(request.path_params["token"]),
                sessions.secret_key(settings),
                settings.session_hours,
            )
            if held and sessions.is_token_shaped(held):  # only once the link opened
                sessions.close_session(conn, held)
    except liens.LinkRefused as exc:
        page, status = (GONE_PAGE, 410) if exc.gone else (UNKNOWN_PAGE, 404)
        return HTMLResponse(page, status_code=status, headers=PRIVATE)
    except Exception:  # never a traceback: the log keeps the cause (never the token)
        log.exception("Lien de campagne : la base ne répond pas")
        return HTMLResponse(UNAVAILABLE_PAGE, status_code=503, headers=PRIVATE)
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    target = f"/{base}/{LINK_PAGE}" if base else f"/{LINK_PAGE}"
    response = RedirectResponse(target, status_code=303, headers=PRIVATE)
    _set_cookie(response, token.value, token.max_age, request, settings)
    return response
