"""sogoms-crypt as a real process on its socket: batches, the seed's one-value forms, bad input, reload."""

from __future__ import annotations

import os
import signal
import time

import pytest

from adapters.crypt.keyring import Keyring, new_key_bytes, read_keyring, write_atomically
from adapters.ipc.client import IpcClient
from adapters.ipc.crypt import IpcCipher
from application.ports.crypt import CipherItem
from domain.errors import BadRequest, NotFound, Unreadable
from tests.integration.ipc.wire import Wire
from tests.support.platform import build_platform
from tests.support.processes import start, stop, wait_for_socket


@pytest.fixture
def crypt_platform(tmp_path):
    return build_platform(tmp_path, "sqlite", migrate=False)


@pytest.fixture
def crypt_process(crypt_platform):
    proc = start("sogoms-crypt", env=crypt_platform.env, log=crypt_platform.paths.run / "sogoms-crypt.out")
    try:
        wait_for_socket(crypt_platform.paths.socket("crypt"), proc=proc)
        yield proc
    finally:
        stop(proc)


@pytest.fixture
async def client(crypt_platform, crypt_process):
    c = IpcClient(crypt_platform.paths.socket("crypt"), service="sogoms-crypt")
    yield c
    await c.close()


async def test_batches_round_trip_through_the_service(client) -> None:
    cipher = IpcCipher(client)
    items = [CipherItem("tasks", "description", str(i), f"secret {i}") for i in range(50)]
    sealed = await cipher.encrypt("prokov", items)
    assert all(s.startswith("v1:k1:") for s in sealed)
    opened = await cipher.decrypt(
        "prokov", [CipherItem(i.table, i.column, i.row, s) for i, s in zip(items, sealed, strict=True)]
    )
    assert opened.values == [i.value for i in items] and opened.errors == {}
    # moved one row down: every value fails, each with its reason, none crashes the call
    moved = await cipher.decrypt(
        "prokov", [CipherItem(i.table, i.column, str(int(i.row) + 1), s) for i, s in zip(items, sealed, strict=True)]
    )
    assert moved.values == [None] * 50 and len(moved.errors) == 50
    hashed = await cipher.hash("prokov", [CipherItem("owners", "email", "", "ana@x.test")] * 2)
    assert hashed[0] == hashed[1] and len(hashed[0]) == 64
    assert (await cipher.health())["ok"] is True


async def test_the_seeds_one_value_forms(client) -> None:
    sealed = (await client.call("encrypt", {"app_id": "prokov", "value": "hello"}))["value"]
    assert sealed.startswith("v1p:k1:")  # no row given: bound to app, table and column only
    assert await client.call("decrypt", {"app_id": "prokov", "value": sealed}) == {"value": "hello"}
    bound = await client.call("encrypt", {"app_id": "prokov", "value": "x", "table": "t", "column": "c", "row": "1"})
    with pytest.raises(Unreadable, match="cannot be decrypted"):
        await client.call(
            "decrypt", {"app_id": "prokov", "value": bound["value"], "table": "t", "column": "c", "row": "2"}
        )
    assert len((await client.call("hash", {"app_id": "prokov", "value": "ana@x.test"}))["hash"]) == 64


async def test_bad_requests_get_clear_errors_and_the_service_keeps_serving(client, crypt_platform) -> None:
    with pytest.raises(BadRequest, match="needs `items`"):
        await client.call("encrypt", {"app_id": "prokov"})
    with pytest.raises(BadRequest, match="not both"):
        await client.call("encrypt", {"app_id": "prokov", "value": "a", "items": []})
    with pytest.raises(BadRequest, match="invalid params"):
        await client.call("encrypt", {"app_id": "prokov", "items": [{"table": 1}]})
    with pytest.raises(NotFound, match="Unknown app"):
        await client.call("encrypt", {"app_id": "nope", "value": "a"})
    with Wire(crypt_platform.paths.socket("crypt")) as wire:
        wire.send({"id": "x", "action": "decrypt", "params": {"app_id": "prokov", "items": "zzz"}})
        answer = wire.recv()
        assert answer is not None and answer["error"]["code"] == "BAD_REQUEST"
    assert (await client.call("health", {}))["ok"] is True


async def test_a_rotated_keyring_is_picked_up_live(client, crypt_platform, crypt_process) -> None:
    path = crypt_platform.paths.secrets / "prokov_crypt_key"
    ring = read_keyring(path)
    write_atomically(path, Keyring({**ring.keys, "k2": new_key_bytes()}, "k2").text("prokov"))
    time.sleep(1.1)  # the service looks at the file at most once a second
    sealed = (await client.call("encrypt", {"app_id": "prokov", "value": "after"}))["value"]
    assert sealed.startswith("v1p:k2:")
    os.kill(crypt_process.pid, signal.SIGHUP)  # a reload keeps serving
    assert (await client.call("decrypt", {"app_id": "prokov", "value": sealed}))["value"] == "after"


async def test_rotate_status_follows_the_keyring_file(crypt_platform, client) -> None:
    assert await client.call("rotate_status", {"app_id": "prokov"}) == {
        "active": "k1",
        "keys": ["k1"],
        "retiring": [],
        "rotating": False,
    }
    from adapters.config.apps import YamlAppRepository
    from adapters.crypt.keyring import FileKeyrings

    settings = YamlAppRepository(crypt_platform.paths.config, crypt_platform.paths.secrets).load_settings(
        crypt_platform.paths.config / "apps" / "prokov"
    )
    FileKeyrings(crypt_platform.paths.secrets, {"prokov": settings}).add_key("prokov")
    status = await client.call("rotate_status", {"app_id": "prokov"})
    assert status == {"active": "k2", "keys": ["k1", "k2"], "retiring": ["k1"], "rotating": True}
    with pytest.raises(NotFound):
        await client.call("rotate_status", {"app_id": "nope"})
