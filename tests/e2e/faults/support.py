"""What the fault experiments share: signing in, timed requests, waiting for recovery."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.supervisor.conftest import Sogoctl
from tests.support.api import DEMO_PASSWORDS


@dataclass
class Timed:
    status: int
    code: str
    seconds: float
    body: Any = None


def token(ctl: Sogoctl, email: str = "ana@prokov.test", host: str = "prokov.localhost") -> str:
    r = httpx.post(
        ctl.url("/api/auth/login"),
        json={"email": email, "password": DEMO_PASSWORDS[email]},
        headers={"Host": host},
        timeout=15,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["data"]["token"])


def timed(client: httpx.Client, method: str, url: str, **kw: Any) -> Timed:
    started = time.monotonic()
    try:
        r = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        return Timed(0, type(exc).__name__, time.monotonic() - started)
    took = time.monotonic() - started
    try:
        body = r.json()
    except ValueError:
        body = r.text
    code = body.get("error", {}).get("code", "") if isinstance(body, dict) and not body.get("success", True) else ""
    return Timed(r.status_code, code, took, body)


def until_ok(probe: Any, timeout: float = 30.0, every: float = 0.02) -> float:
    """Seconds until `probe()` is truthy (AssertionError past `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"not recovered within {timeout} s")
