"""The gateway's one controller: pick the app by Host, match its route table, authenticate, call the use case, wrap
the answer in the envelope."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from adapters.context import request_id
from application.api.routes import NOWHERE, OTHER, Endpoint, RouteTables
from application.auth.authenticate import Authenticator
from application.auth.login import Login, LoginHandler
from application.auth.logout import Logout, LogoutHandler
from application.auth.me import MeHandler
from application.auth.refresh import Refresh, RefreshHandler
from application.auth.register import Register, RegisterHandler
from application.crud.commands import CreateResource, DeleteResource, ListResource, ShowResource, UpdateResource
from application.crud.resources import Resources
from application.ports.logs import LogSink
from application.registry import LiveRegistry
from domain.app import App
from domain.errors import (
    BadRequest,
    DomainError,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    UriTooLong,
)
from domain.principal import Principal
from domain.query.listing import parse_list_params
from entrypoints.wiring.gateway_settings import GatewaySettings

from .client_address import ClientAddress
from .envelope import error_response, ok
from .links import page_links
from .meta_docs import MetaDocs
from .request_input import MAX_QUERY_BYTES, RequestBody, query_items
from .schema_admin import HEADER as ADMIN_HEADER
from .schema_admin import SchemaAdmin

log = logging.getLogger("sogoms.gateway")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_DOCS_CSP = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
ALL_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"


def _not_allowed(allow: str) -> MethodNotAllowed:
    exc = MethodNotAllowed(f"Method not allowed here (allowed: {allow})")
    exc.allow = allow  # type: ignore[attr-defined]
    return exc


@dataclass(slots=True)
class UseCases:
    authenticate: Authenticator
    login: LoginHandler
    register: RegisterHandler
    refresh: RefreshHandler
    logout: LogoutHandler
    me: MeHandler
    resources: Resources


# (app or None, route template, method, status, seconds): called once per answered request (metrics)
RequestObserver = Callable[[App | None, str, str, int, float], None]
Req = Request[Any, Any, Any]
Handler = Callable[[App, Req, tuple[str, ...], str], Awaitable[Response[bytes]]]


class GatewayApi:
    def __init__(
        self,
        registry: LiveRegistry,
        use_cases: UseCases,
        logs: LogSink,
        settings: GatewaySettings,
        meta: MetaDocs,
        routes: RouteTables,
        observe: RequestObserver | None = None,
        schema_admin: SchemaAdmin | None = None,
    ) -> None:
        self._observe = observe
        self._registry = registry
        self._routes = routes
        self._meta_docs = meta
        self._uc = use_cases
        self._logs = logs
        self._client_ip = ClientAddress(settings.trusted_proxies)
        self._body = RequestBody(settings.max_body_bytes, _seconds(settings.body_timeout))
        # what serves each endpoint of the route table, by its handler's name
        self._handlers: dict[str, Handler] = {
            "collection": self._collection,
            "item": self._item,
            "login": self._login,
            "register": self._register,
            "refresh": self._refresh,
            "logout": self._logout,
            "me": self._me,
            "schema": self._schema,
            "openapi": self._openapi,
            "docs": self._docs,
        }
        self._schema_admin = schema_admin
        if schema_admin is not None:  # without it, its endpoints answer 404
            self._handlers.update(introspect=self._introspect, generate=self._generate)

    async def handle(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        started = time.perf_counter()
        rid = request.headers.get("x-request-id", "")
        if not _REQUEST_ID.match(rid):
            rid = os.urandom(16).hex()  # the 32 hex digits of a uuid4, without building a UUID
        token = request_id.set(rid)
        app: App | None = None
        endpoint = OTHER
        try:
            if sum(1 for name, _ in request.scope["headers"] if name == b"host") > 1:
                raise BadRequest("The request has more than one Host header")
            app = self._registry.current.for_host(request.headers.get("host"))
            endpoint, parts = self._routes.match(app, request.scope["path"])
            response = await self._route(app, request, endpoint, parts)
        except DomainError as exc:
            response = error_response(exc)
            if (response.status_code or 500) >= 500:
                await self._report(app, request, exc.message, exc.code)
        except HTTPException as exc:
            response = error_response(_from_http(exc))
        except Exception as exc:
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = error_response(InternalError())
            await self._report(app, request, f"{type(exc).__name__}: {exc}", "INTERNAL_ERROR")
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = rid
        if self._observe is not None:
            status = response.status_code or 200
            self._observe(app, endpoint.template, request.method, status, time.perf_counter() - started)
        return response

    def allow_header(self, request: Request[Any, Any, Any]) -> str:
        """The Allow header for a request whose method no route takes (e.g. QUERY, CONNECT)."""
        try:
            app = self._registry.current.for_host(request.headers.get("host"))
        except DomainError:
            return ALL_METHODS
        return self._routes.match(app, request.scope["path"])[0].options

    async def _report(self, app: App | None, request: Request[Any, Any, Any], detail: str, code: str) -> None:
        """Every 5xx goes to sogoms-logs (best effort: a logs outage must not turn into another error)."""
        try:
            await self._logs.log_error(
                app.name if app else "_gateway",
                detail,
                "error",
                {"code": code, "method": request.method, "path": request.url.path},
            )
        except Exception as exc:  # noqa: BLE001
            log.warning("could not report a 5xx to sogoms-logs: %s", exc)

    async def _route(
        self, app: App, request: Request[Any, Any, Any], endpoint: Endpoint, parts: tuple[str, ...]
    ) -> Response[bytes]:
        if len(request.scope["query_string"]) > MAX_QUERY_BYTES:
            raise UriTooLong(f"The query string is over {MAX_QUERY_BYTES} bytes")
        if endpoint.handler == NOWHERE:
            raise NotFound(f"No route {request.scope['path']}")
        method = "GET" if request.method == "HEAD" else request.method
        if method not in endpoint.methods:
            if method == "OPTIONS":
                return Response(content=b"", status_code=204, headers={"Allow": endpoint.options})
            raise _not_allowed(endpoint.allow)
        handler = self._handlers.get(endpoint.handler)
        if handler is None:  # a path of the grammar's shape that names nothing
            raise NotFound(f"No route {request.scope['path']}")
        return await handler(app, request, parts, method)

    async def _collection(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        principal = await self._principal(app, request)
        resource = parts[0]
        if method == "GET":
            query = query_items(request)
            page = await self._uc.resources.page(ListResource(app, principal, resource, parse_list_params(query)))
            return ok(page.rows, meta=page.meta(), headers=page_links(request.scope["path"], query, page))
        body = await self._body.json_object(request)
        key, row = await self._uc.resources.create(CreateResource(app, principal, resource, body, request_id.get()))
        return ok({"insert_id": key, **row}, "Created", 201)

    async def _item(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        principal = await self._principal(app, request)
        resource, key = parts
        if method == "GET":
            params = parse_list_params(query_items(request))
            return ok(await self._uc.resources.show(ShowResource(app, principal, resource, key, params)))
        if method == "DELETE":
            deleted = await self._uc.resources.delete(DeleteResource(app, principal, resource, key, request_id.get()))
            return ok({"id": deleted}, "Deleted")
        body = await self._body.json_object(request)
        cmd = UpdateResource(app, principal, resource, key, body, method == "PATCH", request_id.get())
        _key, row = await self._uc.resources.update(cmd)
        return ok(row, "Updated")

    async def _schema(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        """The data dictionary, or one table of it (a token is required)."""
        await self._principal(app, request)
        dictionary = await self._meta_docs.dictionary(app)
        if len(parts) == 1:
            return ok(dictionary)
        table = dictionary["tables"].get(parts[1])
        if table is None:
            raise NotFound(f"Unknown table '{parts[1]}'")
        return ok(table)

    async def _openapi(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        content = await self._meta_docs.openapi_bytes(app)
        return Response(content=content, media_type="application/json", status_code=200)

    async def _docs(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        html = await self._meta_docs.docs_html(app)
        return Response(content=html, media_type="text/html; charset=utf-8", status_code=200, headers=_DOCS_CSP)

    async def _introspect(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        admin = self._schema_admin
        assert admin is not None
        admin.check(app, request.headers.get(ADMIN_HEADER))
        return ok(await admin.introspect(app))

    async def _generate(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        admin = self._schema_admin
        assert admin is not None
        admin.check(app, request.headers.get(ADMIN_HEADER))
        return ok(await admin.generate(app), "Generated")

    async def _me(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        principal = await self._principal(app, request)
        return ok({"user": await self._uc.me(app, principal)})

    async def _logout(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        principal = await self._principal(app, request)
        body = await self._body.json_object(request, allow_empty=True)
        await self._uc.logout(Logout(app, principal, body.get("refresh_token"), self._client_ip(request)))
        return ok(None, "Logged out")

    async def _login(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        body = await self._body.json_object(request)
        result = await self._uc.login(Login(app, body.get("email"), body.get("password"), self._client_ip(request)))
        return ok(result.as_dict(), "Logged in")

    async def _register(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        body = await self._body.json_object(request)
        session = await self._uc.register(Register(app, body, self._client_ip(request)))
        return ok(session.as_dict(), "Registered", 201)

    async def _refresh(self, app: App, request: Req, parts: tuple[str, ...], method: str) -> Response[bytes]:
        body = await self._body.json_object(request)
        session = await self._uc.refresh(Refresh(app, body.get("refresh_token")))
        return ok(session.as_dict(), "Token refreshed")

    async def _principal(self, app: App, request: Request[Any, Any, Any]) -> Principal:
        return await self._uc.authenticate(app, request.headers.get("authorization"))


def _from_http(exc: HTTPException) -> DomainError:
    if exc.status_code == 413:
        return PayloadTooLarge()
    if exc.status_code == 404:
        return NotFound(str(exc.detail))
    if exc.status_code == 405:
        return MethodNotAllowed(str(exc.detail))
    if exc.status_code < 500:
        return BadRequest(str(exc.detail))
    return InternalError()


def _seconds(text: str) -> float:
    from domain.durations import parse_duration

    return parse_duration(text)
