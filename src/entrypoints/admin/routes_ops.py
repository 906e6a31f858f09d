"""Cron jobs (list, history, trigger) and the log viewer."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from application.admin.audit import ADMIN_LOG
from application.admin.operations import LogQuery
from domain.errors import DomainError

from .web import actor, page, web

LOG_TYPES = ("events", "errors", "audit")


@get("/apps/{name:str}/cron")
async def cron_page(request: Request[Any, Any, Any], name: FromPath[str]) -> Template:
    return await _cron(request, name)


async def _cron(request: Request[Any, Any, Any], name: str, **extra: Any) -> Template:
    who = actor(request)
    w = web(request)
    jobs: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    error = ""
    try:
        jobs = await w.cron.jobs(who, name)
        runs = await w.cron.history(who, name, limit=20)
    except DomainError as exc:
        if exc.code == "FORBIDDEN" or exc.code == "NOT_FOUND":
            raise
        error = f"sogoms-cron: {exc.message}"
    can_trigger = who.user.can("cron:trigger", name)
    return page(request, "cron.html", name=name, jobs=jobs, runs=runs, error=error, can_trigger=can_trigger, **extra)


@post("/apps/{name:str}/cron/{job:str}/trigger")
async def cron_trigger(request: Request[Any, Any, Any], name: FromPath[str], job: FromPath[str]) -> Template:
    who = actor(request)
    try:
        result = await web(request).cron.trigger(who, name, job)
    except DomainError as exc:
        if exc.code == "FORBIDDEN":
            raise
        return await _cron(request, name, triggered={"job": job, "status": "not run", "error": exc.message})
    return await _cron(request, name, triggered={"job": job, **result})


@get("/apps/{name:str}/logs")
async def logs_page(request: Request[Any, Any, Any], name: FromPath[str]) -> Template:
    q = request.query_params
    types = tuple(t for t in q.getall("type", []) if t)
    page_no = q.get("page", "1")
    query = LogQuery(
        app=name,
        day=q.get("day", ""),
        types=types,
        text=q.get("q", ""),
        page=int(page_no) if page_no.isascii() and page_no.isdigit() and len(page_no) < 7 else 0,
    )
    result = await web(request).logs.read(actor(request), query)
    return page(
        request,
        "logs.html",
        name=name,
        query=query,
        result=result,
        log_types=LOG_TYPES,
        day=query.day or (result.days[0] if result.days else ""),
        admin_log=name == ADMIN_LOG,
    )
