"""Client adapter for cron jobs: any service's action (ServiceCaller)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .client import IpcClient


class IpcServiceCaller:
    """Implements ServiceCaller: `{run_dir}/sogoms-{service}.1.sock`, one pooled client per service."""

    def __init__(self, run_dir: Path | str, *, pool_size: int = 1) -> None:
        self._run_dir = Path(run_dir)
        self._pool_size = pool_size
        self._clients: dict[str, IpcClient] = {}

    def _client(self, service: str) -> IpcClient:
        client = self._clients.get(service)
        if client is None:
            client = self._clients[service] = IpcClient(
                self._run_dir / f"sogoms-{service}.1.sock", service=f"sogoms-{service}", pool_size=self._pool_size
            )
        return client

    async def call(self, service: str, action: str, params: dict[str, Any], timeout: float) -> Any:
        return await self._client(service).call(action, params, timeout=timeout)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
