"""Client adapter: the EventPublisher port implemented over IPC (the other side of sogoms-push)."""

from __future__ import annotations

from typing import Any

from .client import IpcClient


class IpcPublisher:
    """Implements EventPublisher by calling sogoms-push."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def _call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call(action, params)
        return result

    async def publish(
        self, app_id: str, topic: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        params = {"app_id": app_id, "topic": topic, "payload": payload, "qos": qos, "retain": retain}
        return await self._call("publish", params)

    async def notify_user(
        self, app_id: str, user_id: int | str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        params = {
            "app_id": app_id,
            "user_id": user_id,
            "channel": channel,
            "payload": payload,
            "qos": qos,
            "retain": retain,
        }
        return await self._call("notify_user", params)

    async def broadcast(
        self, app_id: str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        params = {"app_id": app_id, "channel": channel, "payload": payload, "qos": qos, "retain": retain}
        return await self._call("broadcast", params)

    async def health(self) -> dict[str, Any]:
        return await self._call("health", {})

    async def close(self) -> None:
        await self._client.close()
