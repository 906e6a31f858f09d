"""sogoms-push as a process: its IPC actions reach a subscriber, bad topics are refused, broker outages fail fast."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest

from domain.errors import BadRequest, Forbidden, InvalidInput, Timeout, Unavailable, UnknownApp
from tests.support.mqtt import SHARED_BROKER, Subscriber
from tests.support.platform import build_platform
from tests.support.processes import BIN, stop

from .service import push_client, start_push, wait_health, write_push_yaml


@pytest.fixture
def platform(tmp_path, monkeypatch):
    """prokov (push enabled, topics listed) and koprogo (push off); no database needed."""
    p = build_platform(tmp_path, "sqlite", migrate=False)
    p.apply_env(monkeypatch)
    return p


@pytest.fixture
def push_process(platform):
    procs = []

    def run(port: int):
        write_push_yaml(platform, port)
        procs.append(start_push(platform))
        return procs[-1]

    yield run
    for proc in procs:
        stop(proc)


async def test_publish_notify_and_broadcast_reach_subscribers(platform, push_process, tag):
    push_process(SHARED_BROKER[1])
    client = push_client(platform)
    try:
        await wait_health(client, True)
        with Subscriber(
            SHARED_BROKER[1], f"prokov/{tag}/#", f"prokov/user/{tag}/#", f"prokov/broadcast/+/{tag}"
        ) as sub:
            assert await client.publish("prokov", f"prokov/{tag}/projects", {"name": "Roof"}) == {
                "topic": f"prokov/{tag}/projects",
                "qos": 1,
                "retain": False,
            }
            await client.notify_user("prokov", tag, "tasks", {"event": "created", "id": 42})
            await client.broadcast("prokov", f"notifications/{tag}", {"text": "maintenance"}, qos=0)
            got = [await asyncio.to_thread(sub.get) for _ in range(3)]
        assert {(m.topic, str(m.payload)) for m in got} == {
            (f"prokov/{tag}/projects", str({"name": "Roof"})),
            (f"prokov/user/{tag}/tasks", str({"event": "created", "id": 42})),
            (f"prokov/broadcast/notifications/{tag}", str({"text": "maintenance"})),
        }
    finally:
        await client.close()


async def test_topic_injection_and_bad_requests_are_refused(platform, push_process, tag):
    push_process(SHARED_BROKER[1])
    client = push_client(platform)
    try:
        await wait_health(client, True)
        with Subscriber(SHARED_BROKER[1], f"prokov/{tag}/#", f"prokov/{tag}", "koprogo/#") as sub:
            refusals = [
                (InvalidInput, client.publish("prokov", "koprogo/user/1/tasks", {})),
                (InvalidInput, client.publish("prokov", f"prokov/{tag}/+", {})),
                (InvalidInput, client.publish("prokov", f"prokov/{tag}/#", {})),
                (InvalidInput, client.publish("prokov", f"prokov//{tag}", {})),
                (InvalidInput, client.notify_user("prokov", "1/../../koprogo", "tasks", {})),
                (InvalidInput, client.notify_user("prokov", tag, "tags-not-listed", {})),
                (InvalidInput, client.broadcast("prokov", "tasks/#", {})),
                (InvalidInput, client.publish("prokov", f"prokov/{tag}", {}, qos=5)),
                (BadRequest, client.publish("prokov", f"prokov/{tag}", [1, 2])),  # type: ignore[arg-type]
                (Forbidden, client.broadcast("koprogo", "news", {})),
                (UnknownApp, client.publish("nope", "nope/x", {})),
            ]
            for expected, call in refusals:
                with pytest.raises(expected):
                    await call
            assert await asyncio.to_thread(sub.empty_after, 0.3)  # nothing was published
    finally:
        await client.close()


async def test_broker_down_answers_fast_and_the_service_recovers(platform, push_process, private_broker):
    push_process(private_broker.port)  # nothing listens there yet
    client = push_client(platform, timeout=3.0)
    try:
        report = await wait_health(client, False)
        assert report["broker"]["address"] == f"127.0.0.1:{private_broker.port}"
        with pytest.raises(Unavailable, match="not connected") as info:
            await client.notify_user("prokov", 1, "tasks", {"n": 1})
        assert not isinstance(info.value, Timeout)  # the service answered; the client did not time out

        private_broker.start()
        await wait_health(client, True)
        with Subscriber(private_broker.port, "prokov/#") as sub:
            await client.notify_user("prokov", 1, "tasks", {"n": 2})
            assert (await asyncio.to_thread(sub.get)).payload == {"n": 2}

        private_broker.stop()
        await wait_health(client, False)
        with pytest.raises(Unavailable, match="not connected"):
            await client.notify_user("prokov", 1, "tasks", {"n": 3})

        private_broker.start()
        await wait_health(client, True)
        with Subscriber(private_broker.port, "prokov/#") as sub:
            await client.notify_user("prokov", 1, "tasks", {"n": 4})
            assert (await asyncio.to_thread(sub.get)).payload == {"n": 4}
    finally:
        await client.close()


async def test_sighup_reloads_the_broker_settings_and_keeps_them_on_a_bad_file(platform, push_process, private_broker):
    private_broker.start()
    proc = push_process(SHARED_BROKER[1])
    client = push_client(platform)
    try:
        await wait_health(client, True)
        write_push_yaml(platform, private_broker.port)
        os.kill(proc.pid, signal.SIGHUP)
        for _ in range(200):
            report = await client.health()
            if report["broker"]["address"] == f"127.0.0.1:{private_broker.port}" and report["ok"]:
                break
            await asyncio.sleep(0.05)
        assert report["broker"]["address"] == f"127.0.0.1:{private_broker.port}"
        (platform.paths.config / "push.yaml").write_text("host: 127.0.0.1\nprot: 1883\n")
        os.kill(proc.pid, signal.SIGHUP)
        await asyncio.sleep(0.3)
        assert (await wait_health(client, True))["broker"]["address"] == f"127.0.0.1:{private_broker.port}"
        log = (platform.paths.logs / "sogoms-push.out").read_text()
        assert "reload refused" in log and "prot" in log
    finally:
        await client.close()


def test_a_bad_push_yaml_stops_the_service_with_the_reason(platform):
    (platform.paths.config / "push.yaml").write_text("host: 127.0.0.1\nport: 99999\n")
    done = subprocess.run([str(BIN / "sogoms-push")], env=platform.env, capture_output=True, timeout=30, check=False)
    assert done.returncode == 2
    assert "push.yaml" in done.stderr.decode() and "port" in done.stderr.decode()
