"""Client adapter: the LogSink port implemented over IPC (the other side of sogoms-logs)."""

from __future__ import annotations

from typing import Any

from .client import IpcClient


class IpcLogSink:
    """Implements LogSink by calling sogoms-logs."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        params: dict[str, Any] = {"app_id": app_id, "event": event, "type": type}
        if data:
            params["data"] = data
        await self._client.call("log_event", params)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        params: dict[str, Any] = {"app_id": app_id, "message": message, "level": level}
        if data:
            params["data"] = data
        await self._client.call("log_error", params)

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call("health", {})
        return result

    async def close(self) -> None:
        await self._client.close()
