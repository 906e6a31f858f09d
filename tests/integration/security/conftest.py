"""Helpers of the security tests: JWT secrets, forged tokens, the error envelope, a two-worker gateway, bursts."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from litestar.testing import TestClient

from adapters.config.admin_users import YamlAdminUsers
from domain.admin import AdminSettings, AdminUser, Role, SessionSettings
from entrypoints.admin.app import create_app as create_admin
from tests.integration.admin.test_web import HASHES, login
from tests.support.platform import Platform, build_platform
from tests.support.processes import free_port, start, stop, wait_for_port


@pytest.fixture
def prokov_secret(platform) -> bytes:
    return (platform.paths.secrets / "prokov_jwt_secret").read_bytes().rstrip(b"\r\n")


@pytest.fixture
def koprogo_secret(platform) -> bytes:
    return (platform.paths.secrets / "koprogo_jwt_secret").read_bytes().rstrip(b"\r\n")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a real token (not verified): the base every forgery starts from."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


def hand_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A JWT put together by hand: HMAC-SHA256 over it with `secret`, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def refused(response: Any, code: str = "UNAUTHORIZED", status: int = 401) -> str:
    """Asserts the error envelope with that status and code; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error"}, body
    assert body["error"]["code"] == code, body
    return str(body["error"]["message"])


@dataclass
class Workers:
    """A real `sogoway` with two worker processes on this platform (database and logs in-process in each)."""

    url: str
    platform: Platform

    def client(self, **kw: Any) -> httpx.Client:
        kw.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.url, **kw)


@pytest.fixture
def two_workers(platform: Platform) -> Iterator[Workers]:
    port = free_port()
    env = {
        **platform.env,
        "SOGOWAY_DB_TRANSPORT": "inproc",
        "SOGOWAY_LOGS_TRANSPORT": "inproc",
        "SOGOWAY_SMTP_TRANSPORT": "off",
    }
    proc = start("sogoway", "--port", str(port), "--workers", "2", env=env, log=platform.paths.logs / "sogoway.out")
    try:
        wait_for_port(port, proc=proc, timeout=30)
        workers = Workers(f"http://127.0.0.1:{port}", platform)
        deadline = time.monotonic() + 30
        answered = 0
        while answered < 4:  # a new connection each time, to reach both workers
            assert proc.poll() is None and time.monotonic() < deadline, "sogoway did not start"
            try:
                with workers.client(timeout=2) as c:
                    answered += c.get("/health").status_code == 200
            except httpx.HTTPError:
                time.sleep(0.1)
        yield workers
        assert proc.poll() is None, "sogoway died during the test"
    finally:
        stop(proc)


def in_parallel(count: int, attempt: Callable[[int, Callable[[], object]], int]) -> list[int]:
    """`attempt(n, go)` for n in 0..count-1 in threads, each on its own connection: `go()` waits until every
    attempt is ready, so the racing requests leave at the same instant."""
    barrier = threading.Barrier(count)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: attempt(n, barrier.wait), range(count)))


@pytest.fixture
def admin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Platform, TestClient]]:
    """sogoms-admin (Litestar TestClient) over a SQLite platform, signed in as a super admin."""
    platform = build_platform(tmp_path, "sqlite")
    platform.apply_env(monkeypatch)
    asyncio.run(
        YamlAdminUsers(platform.paths.secrets / "admin_users.yaml").save(
            AdminUser("boss", HASHES["boss"], Role.SUPER_ADMIN)
        )
    )
    app = create_admin(platform.paths, AdminSettings(logs_transport="inproc", session=SessionSettings(secure=True)))
    with TestClient(app, base_url="https://admin.testserver.local") as client:
        login(client, "boss")
        yield platform, client
