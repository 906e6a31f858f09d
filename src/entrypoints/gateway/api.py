"""The gateway's one controller: pick the app by Host, authenticate, route to a use case, wrap in the envelope."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException

from adapters.context import request_id
from application.auth.authenticate import Authenticator
from application.auth.login import Login, LoginHandler
from application.auth.logout import Logout, LogoutHandler
from application.auth.me import MeHandler
from application.auth.refresh import Refresh, RefreshHandler
from application.auth.register import Register, RegisterHandler
from application.crud.catalog import TableCatalog
from application.crud.commands import (
    CreateResource,
    DeleteResource,
    ListResource,
    ShowResource,
    UpdateResource,
)
from application.crud.resources import Resources
from application.ports.logs import LogSink
from application.push.ports import ResourceEvents
from application.push.resource_events import NoResourceEvents
from application.registry import LiveRegistry
from application.schema.dictionary import data_dictionary
from domain.app import App
from domain.errors import BadRequest, DomainError, InternalError, MethodNotAllowed, NotFound, PayloadTooLarge
from domain.listing import parse_list_params
from domain.principal import Principal
from domain.push import EventKind

from .docs_page import render_docs
from .envelope import encode, error_response, ok
from .openapi import openapi_document
from .settings import GatewaySettings

log = logging.getLogger("sogoms.gateway")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_decoder = msgspec.json.Decoder()


class RequestTimeout(DomainError):
    code = "REQUEST_TIMEOUT"
    default_message = "The request body was not received in time"


def _allowed(parts: list[str]) -> tuple[str, ...]:
    """The methods a path answers (HEAD goes with GET; OPTIONS lists them)."""
    if parts[0] == "auth" and len(parts) == 2:
        return ("GET", "HEAD") if parts[1] == "me" else ("POST",)
    if parts[0].startswith("_"):
        return ("GET", "HEAD")
    return ("GET", "HEAD", "POST") if len(parts) == 1 else ("GET", "HEAD", "PUT", "PATCH", "DELETE")


def _not_allowed(allow: str) -> MethodNotAllowed:
    exc = MethodNotAllowed(f"Method not allowed here (allowed: {allow})")
    exc.allow = allow  # type: ignore[attr-defined]
    return exc


class MetaDocs:
    """The data dictionary, OpenAPI document and docs page of each app, built once per loaded app."""

    def __init__(self, catalog: TableCatalog) -> None:
        self._catalog = catalog
        self._cache: dict[str, tuple[App, dict[str, Any], bytes, str]] = {}

    async def _entry(self, app: App) -> tuple[App, dict[str, Any], bytes, str]:
        found = self._cache.get(app.name)
        if found is None or found[0] is not app:
            schema = await self._catalog.schema(app)
            doc = openapi_document(app, schema)
            found = (app, data_dictionary(app, schema), encode(doc), render_docs(doc))
            self._cache[app.name] = found
        return found

    async def dictionary(self, app: App) -> dict[str, Any]:
        return (await self._entry(app))[1]

    async def openapi_bytes(self, app: App) -> bytes:
        return (await self._entry(app))[2]

    async def docs_html(self, app: App) -> str:
        return (await self._entry(app))[3]


@dataclass(slots=True)
class UseCases:
    authenticate: Authenticator
    login: LoginHandler
    register: RegisterHandler
    refresh: RefreshHandler
    logout: LogoutHandler
    me: MeHandler
    resources: Resources
    events: ResourceEvents = field(default_factory=NoResourceEvents)


class ClientAddress:
    """The caller's IP: the socket peer, or X-Forwarded-For when the peer is a trusted proxy."""

    def __init__(self, trusted: tuple[str, ...]) -> None:
        self._nets = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def _trusted(self, ip: str) -> bool:
        if not self._nets:
            return False
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in n for n in self._nets)

    def __call__(self, request: Request[Any, Any, Any]) -> str:
        peer = request.client.host if request.client else ""
        if not self._trusted(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else peer


# (app or None, path, method, status, seconds): called once per answered request (metrics)
RequestObserver = Callable[[App | None, str, str, int, float], None]


class GatewayApi:
    def __init__(
        self,
        registry: LiveRegistry,
        use_cases: UseCases,
        logs: LogSink,
        settings: GatewaySettings,
        meta: MetaDocs,
        observe: RequestObserver | None = None,
    ) -> None:
        self._observe = observe
        self._registry = registry
        self._meta_docs = meta
        self._uc = use_cases
        self._logs = logs
        self._settings = settings
        self._client_ip = ClientAddress(settings.trusted_proxies)
        self._body_timeout = _seconds(settings.body_timeout)
        self._max_body = settings.max_body_bytes  # parsed once, not on every request with a body

    async def handle(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        started = time.perf_counter()
        rid = request.headers.get("x-request-id", "")
        if not _REQUEST_ID.match(rid):
            rid = os.urandom(16).hex()  # the 32 hex digits of a uuid4, without building a UUID
        token = request_id.set(rid)
        app: App | None = None
        try:
            app = self._registry.current.for_host(request.headers.get("host"))
            response = await self._route(app, request)
        except DomainError as exc:
            response = error_response(exc)
            if response.status_code >= 500:
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
            self._observe(
                app, request.scope["path"], request.method, response.status_code, time.perf_counter() - started
            )
        return response

    def allow_header(self, request: Request[Any, Any, Any]) -> str:
        """The Allow header for a request whose method no route takes (e.g. QUERY, CONNECT)."""
        try:
            app = self._registry.current.for_host(request.headers.get("host"))
        except DomainError:
            return "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
        path: str = request.scope["path"]
        base = app.settings.base_path
        if base != "/" and path.startswith(base):
            path = path[len(base) :]
        parts = [p for p in path.split("/") if p] or ["_"]
        return ", ".join(("OPTIONS", *_allowed(parts)))

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

    async def _route(self, app: App, request: Request[Any, Any, Any]) -> Response[bytes]:
        path: str = request.scope["path"]
        base = app.settings.base_path
        if base != "/":
            if not path.startswith(base) or (len(path) > len(base) and path[len(base)] != "/"):
                raise NotFound(f"No route {path}")
            path = path[len(base) :]
        parts = [p for p in path.split("/") if p]
        if not parts or (len(parts) > 2 and not parts[0].startswith("_")):
            raise NotFound(f"No route {request.scope['path']}")
        allow = _allowed(parts)
        method = "GET" if request.method == "HEAD" else request.method
        if method not in allow:
            if method == "OPTIONS":
                return Response(content=b"", status_code=204, headers={"Allow": ", ".join(("OPTIONS", *allow))})
            raise _not_allowed(", ".join(allow))
        if parts[0] == "auth" and len(parts) == 2:
            return await self._auth(app, request, parts[1], method)
        if parts[0].startswith("_"):
            return await self._meta(app, request, parts, method)
        if len(parts) > 2:
            raise NotFound(f"No route {request.scope['path']}")
        resource = parts[0]
        if len(parts) == 1:
            if method == "GET":
                principal = await self._principal(app, request)
                params = parse_list_params(
                    parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
                )
                page = await self._uc.resources.page(ListResource(app, principal, resource, params))
                return ok(page.rows, meta=page.meta())
            if method == "POST":
                principal = await self._principal(app, request)
                body = await self._json_object(request)
                key, row = await self._uc.resources.create(
                    CreateResource(app, principal, resource, body, request_id.get())
                )
                self._uc.events.written(app, principal, resource, EventKind.CREATED, key, row)
                return ok({"insert_id": key, **row}, "Created", 201)
            raise _not_allowed("GET, POST")
        key = parts[1]
        if method == "GET":
            principal = await self._principal(app, request)
            params = parse_list_params(
                parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
            )
            row = await self._uc.resources.show(ShowResource(app, principal, resource, key, params))
            return ok(row)
        if method in ("PUT", "PATCH"):
            principal = await self._principal(app, request)
            body = await self._json_object(request)
            cmd = UpdateResource(app, principal, resource, key, body, method == "PATCH", request_id.get())
            updated, row = await self._uc.resources.update(cmd)
            self._uc.events.written(app, principal, resource, EventKind.UPDATED, updated, row)
            return ok(row, "Updated")
        if method == "DELETE":
            principal = await self._principal(app, request)
            deleted = await self._uc.resources.delete(DeleteResource(app, principal, resource, key, request_id.get()))
            self._uc.events.written(app, principal, resource, EventKind.DELETED, deleted)
            return ok({"id": deleted}, "Deleted")
        raise _not_allowed("GET, PUT, PATCH, DELETE")

    async def _meta(self, app: App, request: Request[Any, Any, Any], parts: list[str], method: str) -> Response[bytes]:
        """The data dictionary (token required), the OpenAPI document and its page (public)."""
        if method != "GET":
            raise _not_allowed("GET")
        name = parts[0]
        if name == "_openapi.json" and len(parts) == 1:
            return Response(
                content=await self._meta_docs.openapi_bytes(app), media_type="application/json", status_code=200
            )
        if name == "_docs" and len(parts) == 1:
            html = await self._meta_docs.docs_html(app)
            return Response(
                content=html,
                media_type="text/html; charset=utf-8",
                status_code=200,
                headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
            )
        if name == "_schema" and len(parts) <= 2:
            await self._principal(app, request)
            dictionary = await self._meta_docs.dictionary(app)
            if len(parts) == 1:
                return ok(dictionary)
            table = dictionary["tables"].get(parts[1])
            if table is None:
                raise NotFound(f"Unknown table '{parts[1]}'")
            return ok(table)
        raise NotFound(f"No route {request.scope['path']}")

    async def _auth(self, app: App, request: Request[Any, Any, Any], action: str, method: str) -> Response[bytes]:
        if action == "me":
            if method != "GET":
                raise _not_allowed("GET")
            principal = await self._principal(app, request)
            return ok({"user": await self._uc.me(app, principal)})
        if action not in ("login", "register", "refresh", "logout"):
            raise NotFound(f"No route {request.scope['path']}")
        if method != "POST":
            raise _not_allowed("POST")
        if action == "logout":
            principal = await self._principal(app, request)
            body = await self._json_object(request, allow_empty=True)
            await self._uc.logout(Logout(app, principal, body.get("refresh_token"), self._client_ip(request)))
            return ok(None, "Logged out")
        body = await self._json_object(request)
        if action == "login":
            result = await self._uc.login(Login(app, body.get("email"), body.get("password"), self._client_ip(request)))
            return ok(result.as_dict(), "Logged in")
        if action == "register":
            session = await self._uc.register(Register(app, body, self._client_ip(request)))
            return ok(session.as_dict(), "Registered", 201)
        session = await self._uc.refresh(Refresh(app, body.get("refresh_token")))
        return ok(session.as_dict(), "Token refreshed")

    async def _principal(self, app: App, request: Request[Any, Any, Any]) -> Principal:
        return await self._uc.authenticate(app, request.headers.get("authorization"))

    async def _body(self, request: Request[Any, Any, Any]) -> bytes:
        """The request body, refused (413) as soon as it is known to pass `max_body_bytes`: by its declared length,
        or while a chunked body streams in."""
        limit = self._max_body
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise BadRequest("Content-Length must be a number of bytes")
            if int(declared) > limit:
                raise PayloadTooLarge()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise BadRequest("The client went away before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _json_object(self, request: Request[Any, Any, Any], allow_empty: bool = False) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._body_timeout):
                raw = await self._body(request)
        except TimeoutError:
            raise RequestTimeout() from None
        if not raw.strip():
            if allow_empty:
                return {}
            raise BadRequest("The request body is empty; send a JSON object")
        try:
            body = _decoder.decode(raw)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"Malformed JSON body: {exc}") from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object")
        return body


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
