"""A small client of one app's API at one address (nginx or one host), as a user's program would call it."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import httpx

from tests.cluster.findings import FINDINGS

PASSWORD = "cluster-pass-1234"


def client_address() -> str:
    """A client address of its own, as nginx would pass it on (the hosts trust 127.0.0.1 as a proxy)."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class Api:
    def __init__(self, base: str, host: str) -> None:
        self.base, self.host = base, host
        self.http = httpx.Client(base_url=base, headers={"Host": host}, timeout=15)

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kw.pop("headers", {}))
        return self.http.request(method, f"/api{path}", headers=headers, **kw)

    def login(self, email: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
        return self.call("POST", "/auth/login", json={"email": email, "password": password}, **kw)

    def session(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Log in (the answer must be 200): {token, refresh_token, user}. A 503 (the cluster settling after a test
        that moved a node) is retried as a client would, at most 3 times, and reported in the findings."""
        r = self.login(email, password)
        for attempt in range(1, 4):
            if r.status_code != 503:
                break
            FINDINGS.append(f"login answered 503 ({r.json()['error']['message']}), retried (attempt {attempt})")
            time.sleep(1)
            r = self.login(email, password)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    def register(self, email: str | None = None, password: str = PASSWORD) -> tuple[str, httpx.Response]:
        """A new user (a fresh email unless given): (email, answer)."""
        email = email or f"u{uuid.uuid4().hex[:12]}@cluster.test"
        r = self.call(
            "POST",
            "/auth/register",
            json={"email": email, "password": password, "name": "Cluster user"},
            headers={"X-Forwarded-For": client_address()},  # sign-ups are limited per client address
        )
        return email, r

    def new_user(self) -> str:
        email, r = self.register()
        assert r.status_code == 201, r.text
        return email

    def me(self, token: str) -> int:
        return self.call("GET", "/auth/me", token).status_code
