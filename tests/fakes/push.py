"""The push ports: the MQTT broker and the event publisher."""

from __future__ import annotations

from typing import Any

from application.push.ports import EventPublisher, MessageBroker, ResourceEvents
from domain.app import App
from domain.errors import DomainError, Unavailable
from domain.principal import Principal
from domain.push import EventKind, PushMessage


class FakeMessageBroker:
    """Keeps delivered messages in `delivered` (app, message); `down=True` answers like a lost broker."""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, PushMessage]] = []
        self.down = False

    async def deliver(self, app_id: str, message: PushMessage) -> None:
        if self.down:
            raise Unavailable("MQTT broker 127.0.0.1:1883 is not connected")
        self.delivered.append((app_id, message))

    async def health(self) -> dict[str, Any]:
        return {"ok": not self.down, "broker": {"address": "127.0.0.1:1883", "connected": not self.down}}


class FakeEventPublisher:
    """Keeps each call in `calls` (action, params); `failure` is raised instead when set."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failure: DomainError | Exception | None = None

    async def _record(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        if self.failure is not None:
            raise self.failure
        self.calls.append((action, params))
        return {"ok": True}

    async def publish(
        self, app_id: str, topic: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        return await self._record("publish", {"app_id": app_id, "topic": topic, "payload": payload, "qos": qos})

    async def notify_user(
        self, app_id: str, user_id: int | str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        params = {"app_id": app_id, "user_id": user_id, "channel": channel, "payload": payload, "qos": qos}
        return await self._record("notify_user", params)

    async def broadcast(
        self, app_id: str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        return await self._record("broadcast", {"app_id": app_id, "channel": channel, "payload": payload, "qos": qos})

    async def health(self) -> dict[str, Any]:
        return {"ok": self.failure is None}


class FakeResourceEvents:
    """Keeps each write it is told of in `written_events` (app, user_id, resource, kind, key, row)."""

    def __init__(self) -> None:
        self.written_events: list[tuple[str, int | str, str, EventKind, Any, Any]] = []

    def written(
        self, app: App, principal: Principal, resource: str, kind: EventKind, key: Any, row: Any = None
    ) -> None:
        self.written_events.append((app.name, principal.user_id, resource, kind, key, row))


# the fakes fit their ports (mypy checks these)
_broker: MessageBroker = FakeMessageBroker()
_publisher: EventPublisher = FakeEventPublisher()
_events: ResourceEvents = FakeResourceEvents()
