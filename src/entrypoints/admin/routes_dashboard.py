"""The dashboard: apps, and the services' health from sogoctl (a partial htmx refreshes every few seconds); the
seed's `api/apps` and `api/services/health` answer in JSON, or with the same partials when htmx asks."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.errors import DomainError

from .web import actor, is_htmx, page, web


@get("/")
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    who = actor(request)
    apps = await web(request).apps.overview(who)
    return page(request, "dashboard.html", apps=apps)


async def _services(request: Request[Any, Any, Any]) -> Template:
    who = actor(request)
    try:
        services, error = await web(request).services.status(who), ""
    except DomainError as exc:
        services, error = [], f"sogoctl: {exc.message}"
    return page(request, "partials/services.html", services=services, error=error)


async def _apps(request: Request[Any, Any, Any]) -> Template:
    return page(request, "partials/apps.html", apps=await web(request).apps.overview(actor(request)))


@get("/partials/services")
async def services_partial(request: Request[Any, Any, Any]) -> Template:
    return await _services(request)


@get("/partials/apps")
async def apps_partial(request: Request[Any, Any, Any]) -> Template:
    return await _apps(request)


@get("/api/apps")
async def apps_api(request: Request[Any, Any, Any]) -> Response[Any]:
    """The apps this operator may see: name, hosts, base path, database (or why the app does not load)."""
    if is_htmx(request):
        return await _apps(request)
    apps = await web(request).apps.overview(actor(request))
    return Response({"success": True, "data": {"apps": [asdict(a) for a in apps]}})


@get("/api/services/health")
async def services_api(request: Request[Any, Any, Any]) -> Response[Any]:
    """Every supervised service's state, pid, uptime, restarts and last health from sogoctl (503 when it is down)."""
    if is_htmx(request):
        return await _services(request)
    services = await web(request).services.status(actor(request))
    return Response({"success": True, "data": {"services": [asdict(s) for s in services]}})


@post("/services/{service:str}/restart")
async def restart_service(request: Request[Any, Any, Any], service: FromPath[str]) -> Response[Any]:
    await web(request).services.restart(actor(request), service)
    return Redirect(web(request).urls.home, status_code=303)
