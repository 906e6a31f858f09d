"""Security headers on every response, the session behind the cookie, and the CSRF check on every unsafe request."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from litestar import Request, Response
from litestar.response import Template
from litestar.types import Message, Scope

from domain.errors import BadRequest

from .web import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, CSRF_PURPOSE, SESSION_PURPOSE, client_ip, page, web

log = logging.getLogger("sogoms.admin")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: CSP, framing, sniffing and referrer headers on every response, 404s and errors included."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    headers += HEADERS
    if not scope["app"].state.web.urls.is_static(scope["path"]):
        headers.append((b"cache-control", b"no-store"))
    message["headers"] = headers


async def load_session(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """before_request: find the session, then refuse an unsafe request whose CSRF token does not match."""
    if sum(1 for name, _ in request.scope["headers"] if name == b"host") > 1:
        raise BadRequest("The request has more than one Host header")
    w = web(request)
    if w.urls.is_static(request.url.path) or request.url.path in ("/health", "/metrics"):
        return None
    sid = w.signer.unsign(SESSION_PURPOSE, request.cookies.get(w.settings.session.cookie_key))
    request.state.signed_in = await w.sessions.resolve(sid) if sid else None
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER) or (await request.form()).get(CSRF_FIELD)
    if request.url.path.rstrip("/") == w.urls.login:
        expected = w.signer.unsign(CSRF_PURPOSE, request.cookies.get(CSRF_COOKIE))
    else:
        expected = request.state.signed_in.session.csrf_token if request.state.signed_in else None
        if expected is None:
            return None  # the handler sends the visitor to the login page; nothing is done
    if isinstance(sent, str) and expected and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    who = request.state.signed_in.user.username if request.state.signed_in else ""
    await w.auditor.record(who, client_ip(request), "csrf_check", outcome="refused", path=request.url.path[:200])
    template: Template = page(
        request,
        "error.html",
        status_code=403,
        title="Request refused",
        message="The form's security token is missing or out of date. Reload the page and try again.",
    )
    return template
