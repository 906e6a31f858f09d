"""Health checks: IPC `health` on a service's socket (answering = healthy), or HTTP GET (2xx = healthy)."""

from __future__ import annotations

import logging
from typing import Any

from adapters.ipc.client import IpcClient
from domain.errors import DomainError
from domain.supervision import HealthReport, ServiceSpec

from .http_probe import ProbeAnswer, ProbeError, http_get

log = logging.getLogger("sogoms.sogoctl")


class ServiceHealthProbe:
    """The HealthProbe port: one IPC client per socket (it reconnects after a restart), or an HTTP GET."""

    def __init__(self) -> None:
        self._ipc: dict[str, IpcClient] = {}

    async def check(self, name: str, spec: ServiceSpec, timeout: float) -> HealthReport:
        try:
            if spec.health_socket:
                return await self._ipc_check(name, spec.health_socket, timeout)
            if spec.health_url:
                return await self._http_check(spec.health_url, timeout)
        except Exception as exc:  # a probe never raises: a failure is a report
            log.exception("%s: health check failed unexpectedly", name)
            return HealthReport(False, error=f"health check failed: {type(exc).__name__}")
        return HealthReport(True)

    async def _ipc_check(self, name: str, socket: str, timeout: float) -> HealthReport:
        client = self._ipc.get(socket)
        if client is None:
            client = IpcClient(socket, service=name, pool_size=1, timeout=timeout, connect_wait=0)
            self._ipc[socket] = client
        try:
            result = await client.call("health", {}, timeout=timeout)
        except DomainError as exc:
            return HealthReport(False, error=exc.message)
        return HealthReport(True, result if isinstance(result, dict) else {"result": result})

    async def _http_check(self, url: str, timeout: float) -> HealthReport:
        try:  # a new connection each time: a restarted server must not meet a stale one
            resp = await http_get(url, timeout)
        except TimeoutError:
            return HealthReport(False, error=f"no answer from {url} within {timeout:g} s")
        except ProbeError as exc:
            return HealthReport(False, error=str(exc))
        detail = _body(resp)
        if 200 <= resp.status < 300:
            return HealthReport(True, detail)
        return HealthReport(False, detail, f"{url} answered HTTP {resp.status}")

    async def close(self) -> None:
        for client in self._ipc.values():
            await client.close()


def _body(resp: ProbeAnswer) -> dict[str, Any]:
    """The JSON body (the `data` of the platform's envelope), else the start of the text."""
    try:
        body = resp.json()
    except ValueError:
        text = resp.body.decode("utf-8", "replace")
        return {"body": text[:200]} if text else {}
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "success" in body:
        return dict(body["data"])
    return body if isinstance(body, dict) else {"body": body}
