"""The IPC client against a real server that goes away and comes back: bounded waits, reconnection, timeouts."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ipc.client import IpcClient
from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from domain.errors import NotFound, Timeout, Unavailable
from tests.integration.ipc.wire import ECHO_ACTIONS, EchoPort


def echo(path) -> IpcServer:
    return IpcServer(path, actions_of(EchoPort(), ECHO_ACTIONS), name="echo")


async def test_reconnects_after_the_service_restarts(tmp_path):
    path = tmp_path / "s.sock"
    server = echo(path)
    await server.start()
    client = IpcClient(path, service="echo", pool_size=2)
    try:
        assert await client.call("echo", {"value": 1}) == 1
        await server.close()
        with pytest.raises(Unavailable):
            await client.call("echo", {"value": 2})
        server = echo(path)
        await server.start()
        assert await client.call("echo", {"value": 3}) == 3
    finally:
        await client.close()
        await server.close()


async def test_calls_in_flight_when_the_service_dies_fail_with_unavailable(tmp_path):
    path = tmp_path / "s.sock"
    server = echo(path)
    await server.start()
    client = IpcClient(path, service="echo", timeout=5)
    try:
        slow = asyncio.ensure_future(client.call("echo", {"value": 1, "delay": 2}))
        await asyncio.sleep(0.1)
        await server.close(drain=0)
        with pytest.raises(Unavailable) as info:
            await slow
        assert info.value.code == "SERVICE_UNAVAILABLE"
    finally:
        await client.close()


class CountingClient(IpcClient):
    attempts = 0

    async def _connect(self, patient=True):
        self.attempts += 1
        return await super()._connect(patient)


async def test_many_callers_during_an_outage_fail_fast_together(tmp_path):
    client = CountingClient(tmp_path / "nothing.sock", service="echo", connect_wait=0.3, pool_size=4)
    results = await asyncio.gather(*(client.call("echo", {"value": i}) for i in range(200)), return_exceptions=True)
    assert all(isinstance(r, Unavailable) for r in results), {repr(r) for r in results}
    # those who waited on a failed attempt fail with it, rather than each trying for 0.3 s in turn
    assert client.attempts == 1
    with pytest.raises(Unavailable):  # a later call tries again
        await client.call("echo", {"value": 0})
    assert client.attempts == 2


async def test_a_slow_answer_times_out_and_the_connection_stays_usable(tmp_path):
    path = tmp_path / "s.sock"
    server = echo(path)
    await server.start()
    client = IpcClient(path, service="echo", pool_size=1)
    try:
        with pytest.raises(Timeout):
            await client.call("echo", {"value": 1, "delay": 1}, timeout=0.1)
        assert await client.call("echo", {"value": 2}) == 2
        with pytest.raises(NotFound):
            await client.call("missing", {"key": "k"})
    finally:
        await client.close()
        await server.close()


async def test_the_observer_sees_every_call_with_its_outcome(tmp_path):
    path = tmp_path / "s.sock"
    server = echo(path)
    await server.start()
    seen: list[tuple[str, str, str]] = []
    client = IpcClient(path, service="echo", observer=lambda s, a, secs, outcome: seen.append((s, a, outcome)))
    try:
        await client.call("echo", {"value": 1})
        with pytest.raises(NotFound):
            await client.call("missing", {"key": "k"})
        await server.close()
        with pytest.raises(Unavailable):
            await client.call("echo", {"value": 1})
    finally:
        await client.close()
    assert seen == [("echo", "echo", ""), ("echo", "missing", "NOT_FOUND"), ("echo", "echo", "SERVICE_UNAVAILABLE")]
