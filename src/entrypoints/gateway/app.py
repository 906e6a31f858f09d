"""Build the gateway's Litestar application from its container."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from litestar import Litestar, Request, Response, asgi, get
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException
from litestar.types import Receive, Scope, Send

from adapters.ipc.client import IpcClient
from adapters.logs.retention import keep_retention
from application.api.routes import RouteTables
from application.registry import AppRegistry
from domain.durations import parse_duration
from domain.errors import DomainError, MethodNotAllowed
from entrypoints.paths import Paths
from entrypoints.wiring.closing import aclose
from entrypoints.wiring.gateway_settings import GatewaySettings
from entrypoints.wiring.mail_settings import mail_config
from entrypoints.wiring.transports import configure_database

from .api import GatewayApi, UseCases
from .container import Gateway
from .envelope import encode, error_response, ok, plain_error, send_response
from .meta_docs import MetaDocs
from .metrics import GatewayMetrics
from .ops_access import OpsAccess
from .schema_admin import SchemaAdmin

log = logging.getLogger("sogoms.gateway")


def build_container(paths: Paths, settings: GatewaySettings) -> Gateway:
    container = Gateway()
    container.config.from_dict(
        {
            "paths": {
                "config": str(paths.config),
                "secrets": str(paths.secrets),
                "logs": str(paths.logs),
                "run": str(paths.run),
            },
            "transport": {
                "db": settings.transport.db,
                "logs": settings.transport.logs,
                "push": settings.transport.push,
                "smtp": settings.transport.smtp,
                "crypt": settings.transport.crypt,
            },
            "sockets": {s: str(paths.socket(s)) for s in ("db", "logs", "push", "smtp", "crypt")},
            "mail": mail_config(secrets=str(paths.secrets)),
            "ipc_timeout": parse_duration(settings.ipc_timeout),
            "argon2_workers": settings.hashing_threads,
        }
    )
    return container


def create_app(paths: Paths, settings: GatewaySettings, *, handle_signals: bool = False) -> Litestar:
    container = build_container(paths, settings)
    from adapters.metrics.prometheus import PrometheusMetrics  # after main() has set the multiprocess folder

    metrics = GatewayMetrics(PrometheusMetrics(shared_pool=settings.transport.db == "ipc"))
    container.adapters.ipc_observer.override(metrics.ipc_call)
    uc = container.use_cases
    registry = uc.registry()
    database = container.adapters.database()
    metrics.database = database
    logs = container.adapters.logs()
    audit = container.adapters.audit()
    catalog = uc.catalog()
    events = container.adapters.events()
    # transport.smtp inproc: the mail stack (outbox, templates, delivery loop) runs in each gateway worker
    mail = container.adapters.mail_stack().runtime() if settings.transport.smtp == "inproc" else None

    async def apps_changed(new: AppRegistry) -> None:
        await configure_database(database, {a.name: a.settings.database for a in new.apps})
        if mail is not None:
            from entrypoints.wiring.mail_runtime import MailApp

            mail.configure([MailApp.of(a) for a in new.apps])
        for app in new.apps:
            catalog.forget(app.name)

    registry.on_change(apps_changed)
    routes = RouteTables()  # one route table per loaded app: dispatch, metrics labels and meta documents
    api = GatewayApi(
        registry,
        UseCases(
            authenticate=uc.authenticate(),
            login=uc.login(),
            register=uc.register(),
            refresh=uc.refresh(),
            logout=uc.logout(),
            me=uc.me(),
            resources=uc.resources(),
        ),
        logs,
        settings,
        MetaDocs(catalog, routes),
        routes,
        observe=metrics.request,
        schema_admin=SchemaAdmin(database, paths.secrets),
    )

    async def reload() -> None:
        error = await registry.reload()
        if error is None:
            log.info("SIGHUP: configuration reloaded (%d apps)", len(registry.current))
        else:
            log.error("SIGHUP: reload refused, still serving the previous configuration: %s", error)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await registry.load()
        background = [asyncio.ensure_future(metrics.keep_reading_pools())]
        files = container.adapters.file_logs()
        if settings.transport.logs == "inproc":  # in-process logs: the gateway applies retention itself
            files.set_retention({a.name: a.settings.logs.retention_days for a in registry.current.apps})
            background.append(asyncio.ensure_future(keep_retention(files, lambda: datetime.now(UTC))))
        audit.watch([a.name for a in registry.current.apps])  # entries a previous run left in the spool
        background.append(asyncio.ensure_future(audit.keep_shipping()))
        if handle_signals:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
        if mail is not None:
            await mail.start()
        try:
            yield
        finally:
            if mail is not None:
                await mail.stop()
            await events.close()
            if settings.transport.push == "ipc":
                await container.adapters.push().close()
            for task in background:
                task.cancel()
            # a task stuck in a driver call that ignores cancellation must not hold the shutdown
            await asyncio.wait(background, timeout=2)
            for port in (database, logs, container.adapters.mailer(), supervisor):
                await aclose(port)
            container.adapters.hasher().close()

    @asgi("/", is_mount=True, copy_scope=False)
    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        """Every app route: one raw ASGI handler (no per-request signature model or response conversion)."""
        # the mount rewrote `path` relative to "/": put back the request's own, as the server decoded it (some
        # clients, httpx's ASGI transport among them, leave the query string in raw_path)
        raw = scope.get("raw_path")
        scope["path"] = unquote(raw.partition(b"?")[0].decode("latin-1")) if raw else "/" + scope["path"].strip("/")
        response = await api.handle(Request(scope, receive, send))
        await send_response(scope, send, response)

    @get("/health", include_in_schema=False)
    async def health() -> Response[bytes]:
        return ok({"status": "ok", "config": registry.status()})

    ops = OpsAccess(registry, settings.ops_allow, settings.trusted_proxies)

    @get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
        if not ops.allowed(request):
            return plain_error(404, "NOT_FOUND", "No route here")
        return await metrics.endpoint()

    supervisor_socket = paths.socket("sogoctl")
    supervisor = IpcClient(supervisor_socket, service="sogoctl", pool_size=1, timeout=1.0, connect_wait=0.0)

    async def services_check() -> dict[str, Any]:
        try:
            health = await supervisor.call("health")
        except DomainError as exc:  # sogoctl itself not answering is not this gateway's readiness
            return {"ok": True, "note": f"sogoctl not answering: {exc.message}"}
        fatal, looping = health.get("fatal") or {}, health.get("crash_looping") or {}
        if not fatal and not looping:
            return {"ok": True}
        # a critical service crash-looping: not ready; a FATAL one the API does without (push, cron, mail...): an
        # alert in the answer, while this gateway still serves (it stays in its load balancer's rotation)
        return {"ok": not looping, "alert": True, "fatal": fatal, "crash_looping": looping}

    @get("/ready", include_in_schema=False)
    async def ready(request: Request[Any, Any, Any]) -> Response[bytes]:
        if not ops.allowed(request):
            return plain_error(404, "NOT_FOUND", "No route here")
        checks: dict[str, Any] = {}
        for name, port in (("db", database), ("logs", logs)):
            try:
                report = await asyncio.wait_for(port.health(), timeout=2)
                checks[name] = {
                    "ok": bool(report.get("ok")),
                    **({"detail": report} if not report.get("ok") else {}),
                }
            except Exception as exc:  # noqa: BLE001
                checks[name] = {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}
        checks["audit"] = audit.health()
        if supervisor_socket.exists():  # under sogoctl: a service given up on (or crash-looping) is an alert
            checks["services"] = await services_check()
        ready_now = all(c["ok"] for c in checks.values())
        body = {
            "success": ready_now,
            "message": "ready" if ready_now else "not ready",
            "data": {"ready": ready_now, "checks": checks},
        }
        return Response(content=encode(body), status_code=200 if ready_now else 503, media_type="application/json")

    def http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
        from .api import _from_http

        if exc.status_code == 404:
            return plain_error(404, "NOT_FOUND", "No route here")
        if exc.status_code == 405:
            return error_response(
                MethodNotAllowed(f"Method {_request.method} not allowed here"), {"Allow": api.allow_header(_request)}
            )
        return error_response(_from_http(exc))

    def crash(_request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
        log.exception("unhandled error", exc_info=exc)
        return plain_error(500, "INTERNAL_ERROR", "Internal error")

    cors = CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None
    app = Litestar(
        route_handlers=[handle, health, ready, metrics_endpoint],
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={HTTPException: http_error, Exception: crash},
        cors_config=cors,
        openapi_config=None,
        debug=False,
        logging_config=None,  # logging is set up once per process (entrypoints/logs_setup.py), not per app
    )
    app.state.container = container
    app.state.registry = registry
    app.state.metrics = metrics
    return app
