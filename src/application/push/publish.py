"""The sogoms-push use cases: check the app and the topic, then hand the message to the broker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.errors import Forbidden, UnknownApp, field_error
from domain.push import PushMessage, PushSettings, app_topic, broadcast_topic, user_topic

from .ports import MessageBroker

PUSH_ACTIONS = ("publish", "notify_user", "broadcast", "health")  # sogoms-push's, on the wire


class PushService:
    """Implements EventPublisher over a MessageBroker, for the apps whose `push.enabled` is true."""

    def __init__(self, broker: MessageBroker, apps: Mapping[str, PushSettings]) -> None:
        self._broker = broker
        self._apps = dict(apps)

    def configure(self, apps: Mapping[str, PushSettings]) -> None:
        """Swap the apps' settings at once (on reload)."""
        self._apps = dict(apps)

    def _settings(self, app_id: str) -> PushSettings:
        settings = self._apps.get(app_id)
        if settings is None:
            raise UnknownApp(f"Unknown app {app_id!r}")
        if not settings.enabled:
            raise Forbidden(f"Push is not enabled for app {app_id!r} (set push.enabled: true in its app.yaml)")
        return settings

    def _channel(self, app_id: str, channel: str) -> None:
        settings = self._settings(app_id)
        if isinstance(channel, str) and not settings.allows(channel):
            allowed = ", ".join(settings.topics)
            raise field_error("channel", f"{channel!r} is not one of the app's push topics ({allowed})")

    async def _send(self, app_id: str, message: PushMessage) -> dict[str, Any]:
        await self._broker.deliver(app_id, message)
        return {"topic": message.topic, "qos": message.qos, "retain": message.retain}

    async def publish(
        self, app_id: str, topic: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        """Publish `payload` (a JSON object) on `topic`, which must lie under `{app_id}/`."""
        self._settings(app_id)
        return await self._send(app_id, PushMessage(app_topic(app_id, topic), payload, qos, retain))

    async def notify_user(
        self, app_id: str, user_id: int | str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        """Publish to `{app_id}/user/{user_id}/{channel}`."""
        self._channel(app_id, channel)
        return await self._send(app_id, PushMessage(user_topic(app_id, user_id, channel), payload, qos, retain))

    async def broadcast(
        self, app_id: str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        """Publish to `{app_id}/broadcast/{channel}`."""
        self._channel(app_id, channel)
        return await self._send(app_id, PushMessage(broadcast_topic(app_id, channel), payload, qos, retain))

    async def health(self) -> dict[str, Any]:
        return await self._broker.health()
