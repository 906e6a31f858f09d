"""Every decoder of outside input is bounded: deep or huge JSON bodies, query strings, IPC frames (both ways) and
YAML (the admin's editors and uploads) get a clear 400/413/414/422 or an error frame, never a 500, a dead task or
seconds of CPU, and the connection or service goes on serving."""

from __future__ import annotations

import asyncio
import json
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from adapters.config.yaml_limits import MAX_NODES
from adapters.ipc.client import IpcClient
from domain.errors import DomainError, PayloadTooLarge
from tests.integration.admin.test_web import URL, csrf_of
from tests.integration.ipc.wire import Wire

from .conftest import refused

DEEP = [b"[" * 1000 + b"]" * 1000, b"[" * 100_000, b'{"a":' * 1000 + b"1" + b"}" * 1000]


def deep_field(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def post_raw(client: Any, path: str, body: bytes, token: str | None = None, method: str = "POST") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.request(method, path, content=body, headers=headers)


def test_deep_json_without_a_token_is_a_400_on_every_auth_route(prokov) -> None:
    for route in ("auth/login", "auth/register", "auth/refresh"):
        for body in DEEP:
            message = refused(post_raw(prokov, route, body), "BAD_REQUEST", 400)
            assert "nested more than 64 levels" in message, message
    # the service is fine afterwards: a real sign-in works
    assert prokov.login("ana@prokov.test")["token"]


def test_deep_json_is_a_400_on_every_resource_write_and_on_logout(prokov) -> None:
    token = prokov.token("ana@prokov.test")
    created = prokov.post("projects", {"name": "Roof"}, token=token)
    assert created.status_code == 201, created.text
    key = created.json()["data"]["insert_id"]
    nested_value = f'{{"name": {deep_field(200)}}}'.encode()
    for method, path in (("POST", "projects"), ("PUT", f"projects/{key}"), ("PATCH", f"projects/{key}")):
        for body in (*DEEP, nested_value):
            message = refused(post_raw(prokov, path, body, token, method), "BAD_REQUEST", 400)
            assert "nested more than 64 levels" in message
    refused(post_raw(prokov, "auth/logout", DEEP[0], token), "BAD_REQUEST", 400)
    assert prokov.get(f"projects/{key}", token=token).json()["data"]["name"] == "Roof"


def test_nesting_within_the_limit_and_brackets_inside_strings_are_not_refused(prokov) -> None:
    r = prokov.post("auth/login", {"email": "ana@prokov.test", "password": "[" * 1000})
    refused(r, "UNAUTHORIZED", 401)  # a wrong password, not a nesting problem
    token = prokov.token("ana@prokov.test")
    r = post_raw(prokov, "projects", f'{{"name": "x", "extra": {deep_field(60)}}}'.encode(), token)
    assert r.status_code in (201, 400, 422) and "nested" not in r.text, r.text


def test_query_strings_are_bounded_in_size_and_in_conditions(prokov) -> None:
    token = prokov.token("ana@prokov.test")
    refused(prokov.get("projects?" + "name=x&" * 3000, token=token), "URI_TOO_LONG", 414)
    message = refused(prokov.get("projects?" + "&".join(["id[ne]=0"] * 150), token=token), "BAD_REQUEST", 400)
    assert "at most" in message
    within = prokov.get("projects?" + "&".join(["name[ne]=x"] * 50), token=token)
    assert within.status_code == 200, within.text
    # before a token is even looked at
    refused(prokov.get("projects?" + "a" * 20_000), "URI_TOO_LONG", 414)


@pytest.mark.parametrize("service", ["db", "logs"])
def test_a_nested_frame_to_a_live_service_gets_an_error_frame_and_the_connection_serves_on(
    platform, services, service
) -> None:
    path = platform.paths.socket(service)
    with Wire(path, timeout=10) as wire:
        for depth in (1000, 100_000):
            payload = b'{"id":"deep","action":"health","params":{"v":' + b"[" * depth + b"]" * depth + b"}}"
            wire.send_raw(struct.pack(">I", len(payload)) + payload)
            answer = wire.recv()
            assert answer is not None and answer["id"] == "deep", answer
            assert answer["status"] == "error" and answer["error"]["code"] == "BAD_REQUEST", answer
            assert "nested more than" in answer["error"]["message"]
        # the same connection is still served
        after = wire.call({"id": "after", "action": "health"})
        assert after is not None and after["status"] == "success"
    for name, proc in services.items():
        assert proc.poll() is None, f"sogoms-{name} died"
    log = (platform.paths.logs / f"sogoms-{service}.out").read_text()
    assert "RecursionError" not in log and "Traceback" not in log, log[-2000:]


async def _deep_answering_service(path: Path) -> asyncio.AbstractServer:
    """A service that answers `deep` with a result nested 100,000 levels, anything else with its params."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = struct.unpack(">I", await reader.readexactly(4))[0]
                req = json.loads(await reader.readexactly(size))
                if req["action"] == "deep":
                    result = b"[" * 100_000 + b"]" * 100_000
                else:
                    result = json.dumps(req["params"]).encode()
                body = b'{"id":' + json.dumps(req["id"]).encode() + b',"status":"success","result":' + result + b"}"
                writer.write(struct.pack(">I", len(body)) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    return await asyncio.start_unix_server(serve, str(path))


def test_the_ipc_client_fails_one_call_on_a_too_deep_answer_and_refuses_oversized_requests(tmp_path) -> None:
    async def scenario() -> None:
        server = await _deep_answering_service(tmp_path / "deep.sock")
        client = IpcClient(tmp_path / "deep.sock", service="deep", pool_size=1, timeout=5, max_frame=256 * 1024)
        try:
            started = time.monotonic()
            with pytest.raises(DomainError) as err:
                await client.call("deep")
            assert time.monotonic() - started < 4  # answered, not left to time out
            assert "nested too deeply" in err.value.message
            with pytest.raises(PayloadTooLarge):
                await client.call("echo", {"blob": "x" * 300_000})
            assert await client.call("echo", {"v": 1}) == {"v": 1}  # the one connection is still good
        finally:
            await client.close()
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())


BOMB = (
    "a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
)


def test_yaml_bombs_and_deep_yaml_in_the_admin_editors_are_refused_quickly(admin_site) -> None:
    platform, client = admin_site
    token = csrf_of(client.get(URL.home).text)
    schema = platform.paths.config / "apps" / "prokov" / "schema.yaml"
    before = schema.read_text()
    for text, says in (
        (BOMB, f"expands to more than {MAX_NODES}"),
        ("tables:\n  x: " + "[" * 200 + "]" * 200 + "\n", "nested more than 64 levels"),
        ("a: &x\n  b: *x\n", "refers to a value that contains it"),
    ):
        for url in (URL("/apps/prokov/files/schema/schema"), URL("/apps/prokov/files/mail/mailrules")):
            started = time.monotonic()
            r = client.post(url, data={"_csrf": token, "text": text})
            assert r.status_code == 422, (url, r.status_code, r.text[-500:])
            assert says in r.text, r.text[-2000:]
            assert time.monotonic() - started < 5
        r = client.post(
            URL("/apps/prokov/schema/upload"),
            data={"_csrf": token},
            files={"file": ("schema.yaml", text.encode(), "application/x-yaml")},
        )
        assert r.status_code == 422 and says in r.text
    assert schema.read_text() == before


def test_an_admin_form_too_large_is_a_413(admin_site) -> None:
    _, client = admin_site
    token = csrf_of(client.get(URL.home).text)
    r = client.post(URL("/apps/prokov/files/schema/schema"), data={"_csrf": token, "text": "#" * (2 * 1024 * 1024)})
    assert r.status_code == 413
