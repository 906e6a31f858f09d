"""The smaller holes: an over-long login password is refused before argon2, the admin's session cookie is a
`__Host-` cookie, two Host headers are a 400, /metrics and /ready are not served through an app's host nor to
addresses outside `ops_allow`, and a YAML bomb in an app's config is refused by the loader at once."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.schedule.cron_file import load_cron_file
from domain.errors import ConfigError
from tests.support.platform import Platform
from tests.support.processes import free_port, start, stop, wait_for_port

from .conftest import refused
from .test_input_limits import BOMB

PROKOV = {"Host": "prokov.localhost"}


def test_a_login_password_longer_than_the_sign_up_limit_is_refused_before_hashing(prokov) -> None:
    started = time.monotonic()
    for size in (1025, 100_000, 900_000):
        r = prokov.post("auth/login", {"email": "ana@prokov.test", "password": "x" * size})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["fields"] == [{"field": "password", "message": "must be at most 1024 characters"}]
    assert time.monotonic() - started < 3  # nothing hashed (one argon2 of 900 kB alone is slower)
    for _ in range(6):  # and none of them counted as a failed sign-in of the account (limit 5)
        prokov.post("auth/login", {"email": "ana@prokov.test", "password": "y" * 5000})
    assert prokov.login("ana@prokov.test")["token"]
    r = prokov.post("auth/register", {"email": "long@prokov.test", "name": "L", "password": "z" * 1025})
    assert r.json()["error"]["fields"] == [{"field": "password", "message": "must be at most 1024 characters"}]


def test_the_admin_session_cookie_is_a_host_cookie_when_secure(admin_site) -> None:
    _, client = admin_site  # signed in over https with secure cookies (the default)
    assert "__Host-sogoms_admin_sid" in {c.name for c in client.cookies.jar}
    jar = next(c for c in client.cookies.jar if c.name == "__Host-sogoms_admin_sid")
    assert jar.secure and jar.path == "/" and not jar.domain_specified
    assert "sogoms_admin_sid" not in {c.name for c in client.cookies.jar}
    assert client.get("/admin/").status_code == 200  # the session is read back under that name


@pytest.fixture
def sogoway(platform: Platform) -> Iterator[str]:
    """A real sogoway (2 workers) whose gateway.yaml trusts 127.0.0.1 as a proxy and lets 10.9.9.0/24 read
    /metrics and /ready."""
    config = platform.paths.config / "gateway.yaml"
    config.write_text(
        'trusted_proxies: [127.0.0.1/32]\nops_allow: [10.9.9.0/24]\ntransport: {db: inproc, logs: inproc, smtp: "off"}\n'
    )
    port = free_port()
    proc = start("sogoway", "--port", str(port), "--workers", "2", env=platform.env, log=platform.paths.logs / "gw.out")
    try:
        wait_for_port(port, proc=proc, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def raw_request(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):  # Connection: close - the whole answer, then the end
            data += chunk
        return data


def test_two_host_headers_are_a_400(sogoway: str) -> None:
    for hosts in ((b"prokov.localhost", b"koprogo.localhost"), (b"prokov.localhost", b"prokov.localhost")):
        answer = raw_request(
            sogoway,
            b"GET /api/auth/me HTTP/1.1\r\nHost: "
            + hosts[0]
            + b"\r\nHost: "
            + hosts[1]
            + b"\r\nConnection: close\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert b"more than one Host header" in answer
    one = raw_request(sogoway, b"GET /api/auth/me HTTP/1.1\r\nHost: prokov.localhost\r\nConnection: close\r\n\r\n")
    assert one.startswith(b"HTTP/1.1 401"), one[:200]


def test_metrics_and_ready_only_for_ops_addresses_and_never_on_an_app_host(sogoway: str) -> None:
    with httpx.Client(base_url=sogoway, timeout=10) as c:
        for path in ("/metrics", "/ready"):
            allowed = {"X-Forwarded-For": "10.9.9.7"}
            assert c.get(path, headers=allowed).status_code == 200, path
            refused(c.get(path, headers={"X-Forwarded-For": "203.0.113.9"}), "NOT_FOUND", 404)
            refused(c.get(path), "NOT_FOUND", 404)  # 127.0.0.1 itself is not in this ops_allow
            for app_host in ("prokov.localhost", "koprogo.localhost", "PROKOV.localhost:8080"):
                refused(c.get(path, headers={**allowed, "Host": app_host}), "NOT_FOUND", 404)
        assert c.get("/health").status_code == 200  # liveness stays open for the supervisor
        metrics = c.get("/metrics", headers={"X-Forwarded-For": "10.9.9.7"}).text
        assert "sogoms_db_up" in metrics


def test_the_default_ops_allow_is_loopback(two_workers) -> None:
    with two_workers.client() as c:
        assert c.get("/metrics").status_code == 200
        assert c.get("/ready").status_code == 200
        refused(c.get("/metrics", headers=PROKOV), "NOT_FOUND", 404)
        refused(c.get("/ready", headers=PROKOV), "NOT_FOUND", 404)


def test_a_yaml_bomb_in_an_app_file_is_refused_by_the_loader_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cron.yaml"
    path.write_text(BOMB)
    started = time.monotonic()
    with pytest.raises(ConfigError) as err:
        load_cron_file(path, "prokov")
    assert "expands to more than" in str(err.value) and str(path) in str(err.value)
    assert time.monotonic() - started < 1


def test_two_host_headers_are_a_400_on_the_admin_too(admin_site) -> None:
    _, client = admin_site

    async def raw(headers: list[tuple[bytes, bytes]]) -> int:
        """The admin app called as the ASGI server would, with the headers exactly as they came on the wire."""
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "https",
            "path": "/admin/login",
            "raw_path": b"/admin/login",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 443),
        }
        await client.app(scope, receive, send)
        return int(sent[0]["status"])  # type: ignore[call-overload]

    host = (b"host", b"admin.testserver.local")
    assert asyncio.run(raw([host])) == 200
    assert asyncio.run(raw([host, (b"host", b"evil.example")])) == 400
    assert asyncio.run(raw([host, host])) == 400
