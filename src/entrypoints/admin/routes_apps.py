"""Create an app, look at one, and scan its database."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from application.admin.create_app import NewApp
from application.admin.ports import DbTarget
from domain.errors import InvalidInput

from .web import actor, form, page, web

FORM_DEFAULTS = {
    "name": "",
    "hosts": "",
    "base_path": "/api",
    "db_kind": "sqlite",
    "sqlite_file": "",
    "db_host": "127.0.0.1",
    "db_port": "3306",
    "db_user": "",
    "db_name": "",
    "jwt_expiry": "24h",
    "refresh_expiry": "30d",
}


def _hosts(text: str) -> tuple[str, ...]:
    return tuple(h for h in (p.strip() for p in text.replace(",", "\n").splitlines()) if h)


def new_app_command(data: dict[str, str]) -> NewApp:
    port = data.get("db_port", "").strip()
    target = DbTarget(
        kind=data.get("db_kind", ""),
        sqlite_file=data.get("sqlite_file", "").strip(),
        host=data.get("db_host", "").strip(),
        port=int(port) if port.isascii() and port.isdigit() and len(port) < 6 else 0,
        user=data.get("db_user", "").strip(),
        password=data.get("db_password", ""),
        name=data.get("db_name", "").strip(),
    )
    return NewApp(
        name=data.get("name", "").strip(),
        hosts=_hosts(data.get("hosts", "")),
        database=target,
        base_path=data.get("base_path", "").strip(),
        jwt_expiry=data.get("jwt_expiry", "").strip(),
        refresh_expiry=data.get("refresh_expiry", "").strip(),
    )


@get("/apps/new")
async def new_app_form(request: Request[Any, Any, Any]) -> Template:
    actor(request).user.require_super("create apps")
    return page(request, "app_new.html", values=FORM_DEFAULTS, errors={})


@post("/apps/new")
async def create_app(request: Request[Any, Any, Any]) -> Response[Any]:
    who = actor(request)
    data = await form(request)
    try:
        created = await web(request).create_app(who, new_app_command(data))
    except InvalidInput as exc:
        errors: dict[str, list[str]] = {}
        for e in exc.field_errors:
            errors.setdefault(e.field, []).append(e.message)
        values = {**FORM_DEFAULTS, **{k: v for k, v in data.items() if k in FORM_DEFAULTS}}
        return page(request, "app_new.html", status_code=422, values=values, errors=errors)
    return page(request, "app_created.html", created=created)


@get("/apps/{name:str}")
async def app_detail(request: Request[Any, Any, Any], name: FromPath[str]) -> Template:
    detail = await web(request).apps.detail(actor(request), name)
    return page(request, "app_detail.html", d=detail, app=detail.app, name=name)


@post("/apps/{name:str}/scan")
async def scan(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    result = await web(request).apps.scan(actor(request), name)
    detail = await web(request).apps.detail(actor(request), name)
    return page(request, "app_detail.html", d=detail, app=detail.app, name=name, scan=result)
