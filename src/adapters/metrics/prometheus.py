"""Gateway metrics on prometheus-client: requests, latency, IPC calls, DB pool usage, login failures.

With `PROMETHEUS_MULTIPROC_DIR` set before prometheus-client is first imported (the gateway's main does it,
before forking its workers), every worker writes its values to files there and `render()` sums them all.
Label children are cached, so recording a request costs a dict lookup and a few increments.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PrometheusMetrics:
    """`shared_pool`: the pools live in one process (sogoms-db), so the latest reading wins; otherwise each
    worker has its own pools and the readings of live workers add up."""

    def __init__(self, *, shared_pool: bool = False) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        r = self.registry
        self._requests = Counter(
            "sogoms_http_requests", "HTTP requests answered", ["app", "route", "method", "status"], registry=r
        )
        self._latency = Histogram(
            "sogoms_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["app", "route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._ipc_calls = Counter("sogoms_ipc_calls", "IPC calls made", ["service", "action"], registry=r)
        self._ipc_errors = Counter(
            "sogoms_ipc_errors", "IPC calls that failed, by error code", ["service", "action", "code"], registry=r
        )
        self._ipc_latency = Histogram(
            "sogoms_ipc_call_duration_seconds",
            "Time for an IPC call to be answered",
            ["service", "action"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._logins_failed = Counter("sogoms_login_failures", "Refused logins", ["app", "reason"], registry=r)
        mode = "livemostrecent" if shared_pool else "livesum"
        self._pool = Gauge(
            "sogoms_db_pool_connections",
            "Database pool connections (state=size: pool size; state=checked_out: in use)",
            ["app", "state"],
            multiprocess_mode=mode,  # type: ignore[arg-type]
            registry=r,
        )
        self._db_up = Gauge(
            "sogoms_db_up", "1 when the app's database answers", ["app"], multiprocess_mode="livemax", registry=r
        )
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def request(self, app: str, route: str, method: str, status: int, seconds: float) -> None:
        self._child(self._requests, app, route, method, str(status)).inc()
        self._child(self._latency, app, route, method).observe(seconds)

    def ipc_call(self, service: str, action: str, seconds: float, outcome: str) -> None:
        self._child(self._ipc_calls, service, action).inc()
        self._child(self._ipc_latency, service, action).observe(seconds)
        if outcome:
            self._child(self._ipc_errors, service, action, outcome).inc()

    def login_failure(self, app: str, reason: str) -> None:
        self._child(self._logins_failed, app, reason).inc()

    def pool_usage(self, app: str, up: bool, size: int | None = None, checked_out: int | None = None) -> None:
        self._child(self._db_up, app).set(1 if up else 0)
        if size is not None:
            self._child(self._pool, app, "size").set(size)
        if checked_out is not None:
            self._child(self._pool, app, "checked_out").set(checked_out)

    def render(self) -> tuple[bytes, str]:
        """The text exposition of every worker's metrics (or this process's when not in multiprocess mode)."""
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
