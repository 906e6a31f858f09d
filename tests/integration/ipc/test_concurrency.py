"""Many clients and many calls at once: every caller gets its own answer, never another's."""

from __future__ import annotations

import asyncio
import os
import random

from adapters.ipc.client import IpcClient
from adapters.ipc.protocol import FrameBuffer, response_decoder
from tests.integration.ipc.wire import compact, framed

CLIENTS = 1000


async def one_client(path: str, n: int, results: dict[str, object]) -> None:
    reader, writer = await asyncio.open_unix_connection(path)
    try:
        sent = {}
        for j in range(3):
            rid = f"c{n}-{j}"
            value = {"client": n, "call": j, "nonce": os.urandom(8).hex()}
            sent[rid] = value
            delay = random.choice([0, 0, 0.001, 0.01])
            writer.write(framed(compact({"id": rid, "action": "echo", "params": {"value": value, "delay": delay}})))
        await writer.drain()
        buf = FrameBuffer()
        got: dict[str, object] = {}
        while len(got) < len(sent):
            data = await reader.read(65536)
            assert data, f"client {n}: connection closed early"
            for payload in buf.feed(data):
                resp = response_decoder.decode(payload)
                got[resp.id] = resp.result
        results[f"c{n}"] = got == sent
    finally:
        writer.close()


async def test_a_thousand_concurrent_clients_get_their_own_answers(echo_server):
    results: dict[str, object] = {}
    async with asyncio.timeout(60):
        await asyncio.gather(*(one_client(str(echo_server.path), n, results) for n in range(CLIENTS)))
    assert len(results) == CLIENTS
    assert all(results.values()), [k for k, ok in results.items() if not ok][:10]


async def test_one_client_many_calls_in_flight_answered_by_id(echo_server):
    client = IpcClient(echo_server.path, service="echo", pool_size=2)
    try:
        values = [{"n": i, "nonce": os.urandom(4).hex()} for i in range(2000)]
        async with asyncio.timeout(60):
            got = await asyncio.gather(
                *(client.call("echo", {"value": v, "delay": random.choice([0, 0.002])}) for v in values)
            )
        assert got == values
    finally:
        await client.close()


async def test_a_thousand_ipc_clients_never_cross_answers(echo_server):
    clients = [IpcClient(echo_server.path, service="echo", pool_size=1) for _ in range(CLIENTS)]
    try:
        values = [{"client": i, "nonce": os.urandom(4).hex()} for i in range(CLIENTS)]
        async with asyncio.timeout(60):
            got = await asyncio.gather(*(c.call("echo", {"value": v}) for c, v in zip(clients, values, strict=True)))
        assert got == values
    finally:
        await asyncio.gather(*(c.close() for c in clients))
