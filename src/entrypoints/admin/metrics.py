"""The admin's /metrics: requests by route template and status, latency, refused sign-ins (Prometheus text)."""

from __future__ import annotations

import time
from typing import Any

from litestar import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metrics.prometheus import PrometheusMetrics

APP_LABEL = "_admin"


class AdminMetrics:
    def __init__(self) -> None:
        self.metrics = PrometheusMetrics()

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Times every routed request and counts it under its route template (never a raw app or file name)."""

        async def measure(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = [500]

            async def remember(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = int(message["status"])
                await send(message)

            try:
                await app(scope, receive, remember)
            finally:
                handler: Any = scope.get("route_handler")
                route = next(iter(sorted(handler.paths)), "other") if handler is not None else "other"
                method = str(scope.get("method", "GET"))
                self.metrics.request(APP_LABEL, route, method, status[0], time.perf_counter() - started)
                if route == "/login" and method == "POST" and status[0] in (401, 429):
                    reason = "invalid_credentials" if status[0] == 401 else "rate_limited"
                    self.metrics.login_failure(APP_LABEL, reason)

        return measure

    def endpoint(self) -> Response[bytes]:
        body, content_type = self.metrics.render()
        return Response(content=body, media_type=content_type)
