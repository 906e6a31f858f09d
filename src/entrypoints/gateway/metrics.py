"""The gateway's metrics: route templates (never raw ids), request/IPC/login recording, pool readings, /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from litestar import Response

from adapters.metrics.prometheus import PrometheusMetrics
from domain.app import App

log = logging.getLogger("sogoms.metrics")
AUTH_ACTIONS = frozenset({"login", "register", "refresh", "logout", "me"})
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
SPECIAL = frozenset({"_schema", "_openapi.json", "_docs"})
POOL_EVERY = 10.0  # seconds between two readings of the pools by each worker


def route_template(path: str, base_path: str) -> str:
    """The route a path matched, as a template: `/auth/login`, `/{resource}`, `/{resource}/{id}`..."""
    if base_path != "/":
        if not path.startswith(base_path) or (len(path) > len(base_path) and path[len(base_path)] != "/"):
            return "other"
        path = path[len(base_path) :]
    parts = [p for p in path.split("/") if p]
    n = len(parts)
    if n == 0:
        return "/"
    if n > 2:
        return "other"
    first = parts[0]
    if first == "auth" and n == 2:
        return f"/auth/{parts[1]}" if parts[1] in AUTH_ACTIONS else "/auth/{action}"
    if first in SPECIAL:
        return f"/{first}" if n == 1 else f"/{first}/{{name}}"
    return "/{resource}" if n == 1 else "/{resource}/{id}"


class GatewayMetrics:
    def __init__(self, metrics: PrometheusMetrics, database: Any = None) -> None:
        self.metrics = metrics
        self.database = database  # set once the container has built it (its IPC client reports here)
        self._routes: dict[tuple[str, str, str], str] = {}

    def ipc_call(self, service: str, action: str, seconds: float, outcome: str) -> None:
        self.metrics.ipc_call(service, action, seconds, outcome)

    def request(self, app: App | None, path: str, method: str, status: int, seconds: float) -> None:
        """Called once per answered API request (the hook in GatewayApi.handle)."""
        if app is None:
            name, route = "_unknown", "other"
        else:
            name = app.name
            key = (name, app.settings.base_path, path)
            route = self._routes.get(key)  # paths repeat (lists, logins): skip re-parsing them
            if route is None:
                route = route_template(path, app.settings.base_path)
                if len(self._routes) < 10_000:
                    self._routes[key] = route
        if method not in METHODS:
            method = "other"
        self.metrics.request(name, route, method, status, seconds)
        if route == "/auth/login" and status in (401, 429):
            self.metrics.login_failure(name, "invalid_credentials" if status == 401 else "rate_limited")

    async def read_pools(self) -> None:
        """Pool usage of every app's database, from the database port's health report."""
        if self.database is None:
            return
        try:
            report = await asyncio.wait_for(self.database.health(), timeout=2)
        except Exception as exc:  # noqa: BLE001 - a down database is a reading too
            log.debug("pool reading failed: %s", exc)
            return
        for app, entry in (report.get("apps") or {}).items():
            pool = entry.get("pool") or {}
            self.metrics.pool_usage(app, bool(entry.get("ok")), pool.get("size"), pool.get("checked_out"))

    async def keep_reading_pools(self) -> None:
        # first reading after one period: a worker that starts and stops at once opens no pool just for a gauge
        while True:
            await asyncio.sleep(POOL_EVERY)
            await self.read_pools()

    async def endpoint(self) -> Response[bytes]:
        with contextlib.suppress(Exception):
            await self.read_pools()
        body, content_type = self.metrics.render()
        return Response(content=body, media_type=content_type, status_code=200)
