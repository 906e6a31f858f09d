"""One aiomqtt client kept connected to one broker: reconnects with backoff, and fails publishes fast while down."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import socket
import ssl
import time
from typing import Any

import aiomqtt

from domain.errors import Timeout, Unavailable
from domain.push import BrokerSettings

log = logging.getLogger("sogoms.push.mqtt")


def tls_context(settings: BrokerSettings) -> ssl.SSLContext | None:
    if not settings.tls:
        return None
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    if settings.cert_file:
        context.load_cert_chain(settings.cert_file, settings.key_file)
    return context


_ids = itertools.count(1)


def default_client_id() -> str:
    """Unique per connection: two clients with one id would keep kicking each other off the broker."""
    return f"sogoms-push-{socket.gethostname()}-{os.getpid()}-{next(_ids)}"


class MqttConnection:
    """Keeps one aiomqtt client connected to `settings`' broker until `close()`."""

    def __init__(self, settings: BrokerSettings, password: str | None = None) -> None:
        """Raises OSError or ssl.SSLError when the TLS files cannot be loaded."""
        self.settings = settings
        self._password = password
        self._tls = tls_context(settings)
        self._client_id = settings.client_id or default_client_id()
        self._closing = False
        self._client: aiomqtt.Client | None = None
        self._lost: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self.connected_since: float | None = None
        self.last_error = ""
        self.connects = 0

    @property
    def connected(self) -> bool:
        return self._client is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def wait_connected(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._up.wait(), timeout)
        return self.connected

    def _new_client(self) -> aiomqtt.Client:
        s = self.settings
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username or None,
            password=self._password,
            identifier=self._client_id,
            keepalive=s.keepalive,
            timeout=s.seconds("connect_timeout"),
            tls_context=self._tls,
            max_inflight_messages=100,
            logger=log,
        )

    async def _run(self) -> None:
        delay = self.settings.seconds("reconnect_min")
        while True:
            try:
                client = self._new_client()
                async with client:
                    self._connected(client)
                    delay = self.settings.seconds("reconnect_min")
                    # no subscriptions: this only returns by raising MqttError when the connection drops
                    async for _ in client.messages:
                        pass
            except aiomqtt.MqttError as exc:
                self._disconnected(str(exc.__cause__ or exc) or type(exc).__name__)
            except (OSError, ValueError) as exc:
                self._disconnected(f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # a surprise must not end the reconnect loop for good
                log.exception("MQTT broker %s: unexpected error", self.settings.address)
                self._disconnected(f"{type(exc).__name__}: {exc}")
            finally:
                self._disconnected(self.last_error)
            await asyncio.sleep(delay * (0.8 + 0.4 * random.random()))
            delay = min(delay * 2, self.settings.seconds("reconnect_max"))

    def _connected(self, client: aiomqtt.Client) -> None:
        self._client = client
        self._lost = asyncio.get_running_loop().create_future()
        self.connected_since = time.time()
        self.connects += 1
        self._up.set()
        log.info("MQTT broker %s connected", self.settings.address)

    def _disconnected(self, reason: str) -> None:
        if self._closing:
            pass
        elif self._client is not None:
            log.warning("MQTT broker %s: connection lost (%s); reconnecting", self.settings.address, reason)
        elif reason and reason != self.last_error:
            log.warning("MQTT broker %s unreachable (%s); retrying", self.settings.address, reason)
        self.last_error = reason
        self._client = None
        self.connected_since = None
        self._up.clear()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    async def publish(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        """Returns once the broker has the message (PUBACK/PUBCOMP for QoS 1/2); Unavailable/Timeout otherwise."""
        client, lost = self._client, self._lost
        if client is None or lost is None:
            raise Unavailable(f"MQTT broker {self.settings.address} is not connected")
        timeout = self.settings.seconds("publish_timeout")
        sending = asyncio.ensure_future(client.publish(topic, payload, qos=qos, retain=retain, timeout=timeout))
        try:
            done, _ = await asyncio.wait({sending, lost}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            sending.cancel()
            raise
        if sending not in done:
            sending.cancel()
            raise Unavailable(
                f"MQTT broker {self.settings.address}: connection lost before it acknowledged the message"
            )
        try:
            sending.result()
        except aiomqtt.MqttError as exc:
            if "timed out" in str(exc):  # aiomqtt's only sign that the acknowledgement did not come in time
                raise Timeout(f"MQTT broker {self.settings.address} did not acknowledge in time") from None
            raise Unavailable(f"MQTT broker {self.settings.address}: publish failed ({exc})") from None

    def status(self) -> dict[str, Any]:
        report: dict[str, Any] = {"address": self.settings.address, "connected": self.connected}
        if self.connected_since is not None:
            report["connected_since"] = self.connected_since
        else:
            report["error"] = self.last_error or "not connected yet"
        return report

    async def close(self) -> None:
        self._closing = True
        was_connected = self.connected
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._disconnected("closed")
        if was_connected:
            log.info("MQTT broker %s: disconnected", self.settings.address)
