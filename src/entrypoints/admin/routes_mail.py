"""An app's inbound mail: its mailboxes, the last messages and their rule's outcome, and retrying a failed one."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from domain.errors import DomainError

from .web import actor, page, web


@get("/apps/{name:str}/mail")
async def mail_page(request: Request[Any, Any, Any], name: FromPath[str]) -> Template:
    return await _mail(request, name)


async def _mail(request: Request[Any, Any, Any], name: str, **extra: Any) -> Template:
    who = actor(request)
    overview = await web(request).mail.overview(who, name)
    return page(
        request,
        "mail.html",
        name=name,
        overview=overview,
        can_write=who.user.can("mail:write", name),
        **extra,
    )


@post("/apps/{name:str}/mail/{message:int}/retry")
async def mail_retry(request: Request[Any, Any, Any], name: FromPath[str], message: FromPath[int]) -> Template:
    try:
        await web(request).mail.retry(actor(request), name, message)
    except DomainError as exc:
        if exc.code == "FORBIDDEN":
            raise
        return await _mail(request, name, retried={"id": message, "error": exc.message})
    return await _mail(request, name, retried={"id": message})
