"""MqttBroker against a real Mosquitto: delivery, a broker that goes away and comes back, acks, per-app brokers."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import TypedDict

import pytest

from adapters.mqtt.broker import MqttBroker
from domain.errors import ConfigError, Timeout, Unavailable
from domain.push import BrokerSettings, PushMessage
from tests.support.mqtt import MOSQUITTO, SHARED_BROKER, Subscriber


class Fast(TypedDict):
    reconnect_min: str
    reconnect_max: str
    connect_timeout: str


FAST: Fast = {"reconnect_min": "0.05s", "reconnect_max": "0.3s", "connect_timeout": "2s"}
needs_mosquitto = pytest.mark.skipif(MOSQUITTO is None, reason="needs the mosquitto binary for a private broker")


async def connected(broker: MqttBroker, want: bool = True, within: float = 10.0) -> dict:
    """Poll health until the connection state is `want` (bounded)."""
    for _ in range(int(within / 0.05)):
        report = await broker.health()
        if report["ok"] is want:
            return report
        await asyncio.sleep(0.05)
    raise AssertionError(f"broker connected={not want} after {within}s: {report}")


@pytest.fixture
async def mqtt(tmp_path: Path):
    broker = MqttBroker(tmp_path / "secrets")
    yield broker
    await broker.close()


async def test_messages_arrive_on_the_shared_mosquitto(mqtt, tag):
    await mqtt.configure(BrokerSettings(host=SHARED_BROKER[0], port=SHARED_BROKER[1]), {})
    assert await mqtt.wait_connected(10)
    with Subscriber(SHARED_BROKER[1], f"prokov/{tag}/#") as sub:
        for qos in (0, 1, 2):
            await mqtt.deliver("prokov", PushMessage(f"prokov/{tag}/q{qos}", {"qos": qos, "text": "héllo"}, qos))
        got = [await asyncio.to_thread(sub.get) for _ in range(3)]
    assert sorted((m.topic, m.payload["qos"], m.payload["text"]) for m in got) == [
        (f"prokov/{tag}/q{q}", q, "héllo") for q in (0, 1, 2)
    ]
    health = await mqtt.health()
    assert health["ok"] is True and health["broker"]["address"] == "127.0.0.1:1883"


async def test_a_retained_message_reaches_a_later_subscriber(mqtt, tag):
    await mqtt.configure(BrokerSettings(), {})
    assert await mqtt.wait_connected(10)
    topic = f"prokov/{tag}/status"
    await mqtt.deliver("prokov", PushMessage(topic, {"state": "maintenance"}, 1, retain=True))
    try:
        with Subscriber(SHARED_BROKER[1], topic) as sub:
            got = await asyncio.to_thread(sub.get)
        assert (got.payload, got.retain) == ({"state": "maintenance"}, True)
    finally:  # an empty retained message clears it from the shared broker
        await asyncio.to_thread(
            subprocess.run, ["mosquitto_pub", "-p", "1883", "-t", topic, "-r", "-n"], check=False, timeout=10
        )


async def test_broker_down_fails_fast_and_reconnects_when_it_is_back(mqtt, private_broker):
    await mqtt.configure(BrokerSettings(port=private_broker.port, **FAST), {})
    message = PushMessage("prokov/user/1/tasks", {"event": "created", "id": 1})
    with pytest.raises(Unavailable, match="not connected") as info:
        await mqtt.deliver("prokov", message)
    assert not isinstance(info.value, Timeout)  # refused at once, not after waiting
    report = await mqtt.health()
    assert report["ok"] is False and report["broker"]["connected"] is False and report["broker"]["error"]

    private_broker.start()
    await connected(mqtt, True)
    with Subscriber(private_broker.port, "prokov/#") as sub:
        await mqtt.deliver("prokov", message)
        assert (await asyncio.to_thread(sub.get)).payload == {"event": "created", "id": 1}

    private_broker.stop()
    await connected(mqtt, False)
    with pytest.raises(Unavailable, match="not connected"):
        await mqtt.deliver("prokov", message)

    private_broker.start()
    await connected(mqtt, True)
    with Subscriber(private_broker.port, "prokov/#") as sub:
        await mqtt.deliver("prokov", PushMessage("prokov/user/1/tasks", {"again": True}))
        assert (await asyncio.to_thread(sub.get)).payload == {"again": True}


@needs_mosquitto
async def test_a_publish_the_broker_never_acknowledged_is_not_reported_as_sent(mqtt, private_broker):
    await mqtt.configure(BrokerSettings(port=private_broker.port, publish_timeout="0.3s", **FAST), {})
    private_broker.start()
    await connected(mqtt, True)
    private_broker.pause()  # the socket stays open, no PUBACK ever comes
    try:
        with pytest.raises(Timeout, match="did not acknowledge"):
            await mqtt.deliver("prokov", PushMessage("prokov/user/1/tasks", {"n": 1}, qos=1))
    finally:
        private_broker.resume()
    with Subscriber(private_broker.port, "prokov/#") as sub:
        await mqtt.deliver("prokov", PushMessage("prokov/user/1/tasks", {"n": 2}, qos=1))
        assert (await asyncio.to_thread(sub.get)).payload["n"] in (1, 2)  # n=1 may come late: at least once


@needs_mosquitto
async def test_a_connection_lost_while_waiting_for_the_ack_fails_the_publish(mqtt, private_broker):
    await mqtt.configure(BrokerSettings(port=private_broker.port, publish_timeout="60s", **FAST), {})
    private_broker.start()
    await connected(mqtt, True)
    private_broker.pause()
    sending = asyncio.ensure_future(mqtt.deliver("prokov", PushMessage("prokov/user/1/tasks", {"n": 1}, qos=1)))
    await asyncio.sleep(0.2)
    assert not sending.done()
    private_broker.stop()  # the kernel closes the broker's sockets: the client sees the connection drop
    with pytest.raises(Unavailable, match="connection lost before it acknowledged"):
        await asyncio.wait_for(sending, 10)


async def test_an_app_with_its_own_broker(mqtt, private_broker, tag):
    private_broker.start()
    await mqtt.configure(BrokerSettings(), {"koprogo": BrokerSettings(port=private_broker.port, **FAST)})
    assert await mqtt.wait_connected(10)
    with Subscriber(private_broker.port, "#") as own, Subscriber(SHARED_BROKER[1], f"prokov/{tag}/#") as shared:
        await mqtt.deliver("koprogo", PushMessage("koprogo/broadcast/news", {"n": 1}))
        await mqtt.deliver("prokov", PushMessage(f"prokov/{tag}/x", {"n": 2}))
        assert (await asyncio.to_thread(own.get)).topic == "koprogo/broadcast/news"
        assert (await asyncio.to_thread(shared.get)).topic == f"prokov/{tag}/x"
        assert await asyncio.to_thread(own.empty_after, 0.3)
    health = await mqtt.health()
    assert health["apps"]["koprogo"]["address"] == f"127.0.0.1:{private_broker.port}"
    # dropping the override on reload closes that connection and routes koprogo to the default broker
    await mqtt.configure(BrokerSettings(), {})
    assert "apps" not in await mqtt.health()


@needs_mosquitto
async def test_username_and_password_file(tmp_path, private_broker):
    passwords = tmp_path / "mosquitto" / "passwd"
    passwords.parent.mkdir(parents=True)
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), "sogoms", "s3cret-pw"], check=True, timeout=10)
    private_broker.config = f"allow_anonymous false\npassword_file {passwords}\n"
    private_broker.start()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "mqtt_password").write_text("s3cret-pw\n")
    (secrets / "wrong_password").write_text("nope\n")
    good, bad = MqttBroker(secrets), MqttBroker(secrets)
    try:
        s = {"port": private_broker.port, "username": "sogoms", **FAST}
        await good.configure(BrokerSettings(password_file="mqtt_password", **s), {})
        await bad.configure(BrokerSettings(password_file="wrong_password", **s), {})
        assert await good.wait_connected(10)
        await good.deliver("prokov", PushMessage("prokov/user/1/tasks", {"ok": True}))
        assert not await bad.wait_connected(0.5)
        assert "authori" in (await bad.health())["broker"]["error"].lower()
        with pytest.raises(ConfigError, match="missing_password"):
            await good.configure(BrokerSettings(password_file="missing_password", **s), {})
        assert (await good.health())["ok"] is True  # the refused configuration left the previous one running
    finally:
        await good.close()
        await bad.close()
