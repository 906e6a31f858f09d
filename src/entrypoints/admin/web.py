"""What every admin page needs: the use cases, who is signed in, the client address, and rendering."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Template

from adapters.security.signing import CookieSigner
from application.admin.accounts import AdminAccounts
from application.admin.apps import AppsAdmin
from application.admin.audit import Actor, Auditor
from application.admin.create_app import CreateApp
from application.admin.files import AppFileEditor
from application.admin.mail import MailAdmin
from application.admin.operations import CronAdmin, LogViewer, ServicesView
from application.admin.sessions import AdminSessions, SignedIn
from domain.admin import AdminSettings

from .urls import AdminUrls

SESSION_PURPOSE = "session"
CSRF_PURPOSE = "login-csrf"
CSRF_COOKIE = "sogoms_admin_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"


class NotSignedIn(Exception):
    """No valid session: the browser is sent to the login page."""


@dataclass
class AdminWeb:
    settings: AdminSettings
    urls: AdminUrls
    signer: CookieSigner
    sessions: AdminSessions
    accounts: AdminAccounts
    auditor: Auditor
    apps: AppsAdmin
    create_app: CreateApp
    editor: AppFileEditor
    cron: CronAdmin
    mail: MailAdmin
    logs: LogViewer
    services: ServicesView


def web(request: Request[Any, Any, Any]) -> AdminWeb:
    w: AdminWeb = request.app.state.web
    return w


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The peer address; X-Forwarded-For is believed only when the peer is a trusted proxy (rightmost untrusted hop)."""
    peer = request.client.host if request.client else ""
    proxies = web(request).settings.proxies
    if not proxies.entries or not proxies.allows_ip(peer):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not proxies.allows_ip(hop):
            return hop
    return hops[0] if hops else peer


def urls(request: Request[Any, Any, Any]) -> AdminUrls:
    return web(request).urls


def signed_in(request: Request[Any, Any, Any]) -> SignedIn:
    current: SignedIn | None = request.state.get("signed_in")
    if current is None:
        raise NotSignedIn()
    return current


def actor(request: Request[Any, Any, Any]) -> Actor:
    return Actor(signed_in(request).user, client_ip(request))


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render `template` with the signed-in user and their CSRF token (autoescaped Jinja2)."""
    current: SignedIn | None = request.state.get("signed_in")
    base = {
        "me": current.user if current else None,
        "csrf": current.session.csrf_token if current else "",
        "path": request.url.path,
    }
    return Template(template_name=template, context={**base, **context}, status_code=status_code)


async def form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The posted form as plain strings (first value of each field; files are read elsewhere)."""
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}
