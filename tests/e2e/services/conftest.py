"""A real sogoway process in ipc mode on a platform whose sogoms-db and sogoms-logs are real processes too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.api import DEMO_PASSWORDS
from tests.support.processes import free_port, start, stop, wait_for_port


@dataclass
class Gateway:
    url: str
    env: dict[str, str]

    def client(self, **kw: object) -> httpx.Client:
        kw.setdefault("timeout", 15.0)
        return httpx.Client(base_url=self.url, **kw)  # type: ignore[arg-type]

    def token(self, email: str, host: str = "prokov.localhost") -> str:
        with self.client() as c:
            r = c.post(
                "/api/auth/login", headers={"Host": host}, json={"email": email, "password": DEMO_PASSWORDS[email]}
            )
            assert r.status_code == 200, r.text
            return str(r.json()["data"]["token"])


def wait_until_healthy(gateway: Gateway, workers: int, proc, timeout: float = 30.0) -> None:
    """The port opens before the workers have started their apps: wait until they answer."""
    deadline = time.monotonic() + timeout
    answered = 0
    while answered < workers * 2:
        assert proc.poll() is None, "sogoway exited while starting"
        assert time.monotonic() < deadline, "sogoway's workers did not answer /health in time"
        try:
            with gateway.client(timeout=2) as c:  # a new connection each time, to reach every worker
                answered += c.get("/health").status_code == 200
        except httpx.HTTPError:
            time.sleep(0.1)


@pytest.fixture
def sogoway(platform, services, request) -> Iterator[Gateway]:
    workers = getattr(request, "param", 2)
    port = free_port()
    env = {**platform.env, "SOGOWAY_DB_TRANSPORT": "ipc", "SOGOWAY_LOGS_TRANSPORT": "ipc"}
    proc = start(
        "sogoway", "--port", str(port), "--workers", str(workers), env=env, log=platform.paths.logs / "sogoway.out"
    )
    try:
        wait_for_port(port, proc=proc, timeout=20)
        gateway = Gateway(f"http://127.0.0.1:{port}", env)
        wait_until_healthy(gateway, workers, proc)
        yield gateway
        assert proc.poll() is None, "sogoway died during the test"
    finally:
        stop(proc)
