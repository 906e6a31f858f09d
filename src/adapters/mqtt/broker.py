"""MessageBroker over MQTT: the default broker of config/push.yaml, plus any app's own `push.broker`."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from adapters.config.secrets import read_secret
from domain.errors import ConfigError, field_error
from domain.push import BrokerSettings, PushMessage

from .connection import MqttConnection

_encode = msgspec.json.Encoder().encode
_Key = tuple[BrokerSettings, str | None]  # the settings and the password read from password_file


class MqttBroker:
    """Implements MessageBroker: one MqttConnection per distinct broker, apps routed to theirs."""

    def __init__(self, secrets_dir: Path) -> None:
        self._secrets_dir = Path(secrets_dir)
        self._default: _Key | None = None
        self._routes: dict[str, _Key] = {}
        self._connections: dict[_Key, MqttConnection] = {}

    def _password(self, settings: BrokerSettings) -> str | None:
        if not settings.password_file:
            return None
        raw = read_secret(self._secrets_dir, settings.password_file, f"MQTT broker {settings.address}")
        return raw.decode("utf-8", "replace")

    def _connect(self, settings: BrokerSettings, password: str | None) -> MqttConnection:
        try:
            return MqttConnection(settings, password)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"MQTT broker {settings.address}: cannot load the TLS files: {exc}") from None

    async def configure(self, default: BrokerSettings, overrides: Mapping[str, BrokerSettings]) -> None:
        """Connect to every broker now named (reusing unchanged ones, password included), then drop the others.

        ConfigError (a missing secret or TLS file) leaves the previous configuration untouched.
        """
        keys = {s: (s, self._password(s)) for s in {default, *overrides.values()}}
        wanted = set(keys.values())
        fresh = {k: self._connect(*k) for k in wanted if k not in self._connections}
        stale = [c for k, c in self._connections.items() if k not in wanted]
        self._connections = {k: self._connections.get(k) or fresh[k] for k in wanted}
        self._default = keys[default]
        self._routes = {app: keys[s] for app, s in overrides.items()}
        for connection in fresh.values():
            connection.start()
        for connection in stale:
            await connection.close()

    def connection(self, app_id: str) -> MqttConnection:
        if self._default is None:
            raise RuntimeError("MqttBroker.configure() was not called")
        return self._connections[self._routes.get(app_id, self._default)]

    async def deliver(self, app_id: str, message: PushMessage) -> None:
        try:
            payload = _encode(message.payload)
        except (TypeError, msgspec.EncodeError) as exc:
            raise field_error("payload", f"cannot be encoded as JSON: {exc}") from None
        await self.connection(app_id).publish(message.topic, payload, message.qos, message.retain)

    async def wait_connected(self, timeout: float) -> bool:
        """True once every broker is connected (or False after `timeout` seconds)."""
        results = [await c.wait_connected(timeout) for c in self._connections.values()]
        return all(results)

    async def health(self) -> dict[str, Any]:
        default = self._connections.get(self._default) if self._default is not None else None
        report: dict[str, Any] = {
            "ok": bool(self._connections) and all(c.connected for c in self._connections.values()),
            "broker": default.status() if default is not None else {"connected": False, "error": "not configured"},
        }
        if self._routes:
            report["apps"] = {app: self._connections[s].status() for app, s in sorted(self._routes.items())}
        return report

    async def close(self) -> None:
        connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            await connection.close()
