"""The dashboard: apps, and the services' health from sogoctl (a partial htmx refreshes every few seconds)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.errors import DomainError

from .web import actor, page, web


@get("/")
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    who = actor(request)
    apps = await web(request).apps.overview(who)
    return page(request, "dashboard.html", apps=apps)


@get("/partials/services")
async def services_partial(request: Request[Any, Any, Any]) -> Template:
    who = actor(request)
    try:
        services, error = await web(request).services.status(who), ""
    except DomainError as exc:
        services, error = [], f"sogoctl: {exc.message}"
    return page(request, "partials/services.html", services=services, error=error)


@get("/partials/apps")
async def apps_partial(request: Request[Any, Any, Any]) -> Template:
    return page(request, "partials/apps.html", apps=await web(request).apps.overview(actor(request)))


@post("/services/{service:str}/restart")
async def restart_service(request: Request[Any, Any, Any], service: FromPath[str]) -> Response[Any]:
    await web(request).services.restart(actor(request), service)
    return Redirect("/", status_code=303)
