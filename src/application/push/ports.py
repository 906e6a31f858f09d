"""The push ports: what sogoms-push offers (EventPublisher), what it needs (MessageBroker), what the CRUD use cases
call (ResourceEvents)."""

from __future__ import annotations

from typing import Any, Protocol

from domain.app import App
from domain.principal import Principal
from domain.push import EventKind, PushMessage


class EventPublisher(Protocol):
    """The sogoms-push actions. A success means the broker accepted the message (QoS >= 1: acknowledged)."""

    async def publish(
        self, app_id: str, topic: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]: ...

    async def notify_user(
        self, app_id: str, user_id: int | str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]: ...

    async def broadcast(
        self, app_id: str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]: ...

    async def health(self) -> dict[str, Any]: ...


class MessageBroker(Protocol):
    """Delivers checked messages to the broker serving `app_id`; Unavailable (fast) when it is not connected."""

    async def deliver(self, app_id: str, message: PushMessage) -> None: ...

    async def health(self) -> dict[str, Any]: ...


class ResourceEvents(Protocol):
    """Told by the CRUD use cases after each successful write, whoever made it (REST, mail rules...). Never blocks
    the write and never raises."""

    def written(
        self, app: App, principal: Principal, resource: str, kind: EventKind, key: Any, row: Any = None
    ) -> None:
        """`row` is the written row when there is one (its `user_id` names the owner)."""
        ...
