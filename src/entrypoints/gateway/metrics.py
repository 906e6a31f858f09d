"""The gateway's metrics: requests by route template (never raw ids), IPC and login recording, pool readings,
/metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from litestar import Response

from adapters.metrics.prometheus import PrometheusMetrics
from application.api.routes import AUTH
from domain.app import App

log = logging.getLogger("sogoms.metrics")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
LOGIN = AUTH["login"].template
POOL_EVERY = 10.0  # seconds between two readings of the pools by each worker


class GatewayMetrics:
    def __init__(self, metrics: PrometheusMetrics, database: Any = None) -> None:
        self.metrics = metrics
        self.database = database  # set once the container has built it (its IPC client reports here)

    def ipc_call(self, service: str, action: str, seconds: float, outcome: str) -> None:
        self.metrics.ipc_call(service, action, seconds, outcome)

    def request(self, app: App | None, route: str, method: str, status: int, seconds: float) -> None:
        """Called once per answered API request (the hook in GatewayApi.handle), with the template of the route
        the request matched in its app's route table (never a raw value: bounded label cardinality)."""
        name = app.name if app is not None else "_unknown"
        if method not in METHODS:
            method = "other"
        self.metrics.request(name, route, method, status, seconds)
        if route == LOGIN and status in (401, 429):
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
