"""Build the admin's Litestar application from its container."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, Router, get
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from adapters.logs.reader import entry_details, entry_text, entry_time
from domain.admin import AdminSettings
from domain.errors import HTTP_STATUS, DomainError, RateLimited
from entrypoints.paths import Paths
from entrypoints.wiring.admin_settings import state_url, users_path

from . import routes_apps, routes_auth, routes_dashboard, routes_files, routes_mail, routes_ops
from .container import AdminContainer
from .metrics import AdminMetrics
from .security import load_session, security_headers
from .urls import AdminUrls
from .web import AdminWeb, NotSignedIn, is_htmx, page

log = logging.getLogger("sogoms.admin")
HERE = Path(__file__).parent
STATUS = {**HTTP_STATUS, "CONFIG_ERROR": 422}  # the admin edits configuration: a bad one is the user's input
TITLES = {403: "Not allowed", 404: "Not found", 422: "Invalid", 429: "Too many requests", 503: "Unavailable"}
PURGE_EVERY = 300.0


def build_container(paths: Paths, settings: AdminSettings) -> AdminContainer:
    container = AdminContainer(settings=settings)
    container.config.from_dict(
        {
            "paths": {
                "config": paths.config,
                "apps": paths.config / "apps",
                "secrets": paths.secrets,
                "logs": paths.logs,
                "data": paths.data,
            },
            "sockets": {name: paths.socket(name) for name in ("logs", "cron", "sogoctl", "imap", "mailproc")},
            "session_secret_file": settings.session.secret_file,
            "users_file": users_path(settings, paths),
            "state_url": state_url(settings, paths),
            "logs_transport": settings.logs_transport,
            "ipc_timeout": settings.ipc_timeout_seconds,
        }
    )
    return container


def templates(urls: AdminUrls) -> TemplateConfig[JinjaTemplateEngine]:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["entry_text"] = entry_text
    env.filters["entry_details"] = entry_details
    env.filters["entry_time"] = entry_time
    env.globals["url"] = urls
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


def create_app(paths: Paths, settings: AdminSettings) -> Litestar:
    container = build_container(paths, settings)
    urls = AdminUrls(settings.base)
    web = AdminWeb(
        settings=settings,
        urls=urls,
        signer=container.signer(),
        sessions=container.sessions(),
        accounts=container.accounts(),
        auditor=container.auditor(),
        apps=container.apps(),
        create_app=container.create_app(),
        editor=container.editor(),
        cron=container.cron_admin(),
        mail=container.mail_admin(),
        logs=container.log_viewer(),
        services=container.services(),
    )

    async def purge_sessions() -> None:
        while True:
            with contextlib.suppress(DomainError):
                await web.sessions.purge()
            await asyncio.sleep(PURGE_EVERY)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await container.state().engine()  # a state database that cannot be reached stops the start, with the reason
        task = asyncio.ensure_future(purge_sessions())
        try:
            yield
        finally:
            task.cancel()
            for closable in (
                container.state(),
                container.database(),
                container.control(),
                container.cron(),
                container.inbound(),
            ):
                await closable.close()
            container.file_logs().close()
            container.hasher().close()

    metrics = AdminMetrics()

    @get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": "sogoms-admin"}

    @get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response[bytes]:
        return metrics.endpoint()

    @get("/", include_in_schema=False)
    async def root() -> Redirect:
        return Redirect(urls.home, status_code=302)  # the UI lives under its base path; "/" leads there

    def not_signed_in(request: Request[Any, Any, Any], _exc: NotSignedIn) -> Response[Any]:
        if urls.is_api(request.url.path) and not is_htmx(request):
            error = {"code": "UNAUTHORIZED", "message": f"not signed in: sign in at {urls.login}"}
            return Response(content={"success": False, "error": error}, status_code=401)
        if is_htmx(request):
            return Response(content="", status_code=401, headers={"HX-Redirect": urls.login})
        return Redirect(urls.login, status_code=303)

    def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
        status = STATUS.get(exc.code, 500)
        message = exc.message if status != 500 else "Internal error"
        if status == 500:
            log.error("admin: %s: %s", exc.code, exc.message)
        if urls.is_api(request.url.path) and not is_htmx(request):
            body = {
                "success": False,
                "error": {"code": exc.code if status != 500 else "INTERNAL_ERROR", "message": message},
            }
            response: Response[Any] = Response(content=body, status_code=status)
        else:
            response = page(
                request, "error.html", status_code=status, title=TITLES.get(status, "Error"), message=message
            )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        status = exc.status_code
        message = "No page here" if status == 404 else (exc.detail if status < 500 else "Internal error")
        return page(request, "error.html", status_code=status, title=TITLES.get(status, "Error"), message=message)

    def crash(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        log.exception("admin: unhandled error", exc_info=exc)
        return page(request, "error.html", status_code=500, title="Error", message="Internal error")

    static = create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False)
    pages: list[ControllerRouterHandler] = [
        static,
        routes_auth.login_form,
        routes_auth.login,
        routes_auth.logout,
        routes_dashboard.dashboard,
        routes_dashboard.services_partial,
        routes_dashboard.apps_partial,
        routes_dashboard.apps_api,
        routes_dashboard.services_api,
        routes_dashboard.restart_service,
        routes_apps.new_app_form,
        routes_apps.create_app,
        routes_apps.app_detail,
        routes_apps.scan,
        routes_files.file_list,
        routes_files.file_view,
        routes_files.file_save,
        routes_files.schema_upload,
        routes_ops.cron_page,
        routes_ops.cron_trigger,
        routes_mail.mail_page,
        routes_mail.mail_retry,
        routes_ops.logs_page,
    ]
    handlers: list[Any] = [health, metrics_endpoint, Router(path=urls.base or "/", route_handlers=pages)]
    if urls.base:
        handlers.append(root)
    app = Litestar(
        route_handlers=handlers,
        before_request=load_session,
        before_send=[security_headers],
        middleware=[metrics.middleware],
        template_config=templates(urls),
        lifespan=[lifespan],
        exception_handlers={
            NotSignedIn: not_signed_in,
            DomainError: domain_error,
            HTTPException: http_error,
            Exception: crash,
        },
        request_max_body_size=1024 * 1024,
        openapi_config=None,
        debug=False,
        logging_config=None,  # logging is set up once per process (entrypoints/logs_setup.py), not per app
    )
    app.state.web = web
    app.state.container = container
    return app
