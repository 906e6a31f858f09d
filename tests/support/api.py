"""A thin HTTP client for one app on the gateway (sets Host, remembers tokens)."""

from __future__ import annotations

from typing import Any

import httpx

DEMO_PASSWORDS = {
    "ana@prokov.test": "demo1234",
    "ben@prokov.test": "demo1234",
    "admin@prokov.test": "admin1234",
    "admin@koprogo.com": "admin123",
    "syndic@jardins.test": "demo1234",
    "accountant@jardins.test": "demo1234",
    "owner@jardins.test": "demo1234",
    "syndic@horizon.test": "demo1234",
}


class AppClient:
    def __init__(self, http: Any, host: str, base: str = "/api") -> None:
        self.http = http
        self.host = host
        self.base = base

    def request(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Host": self.host, **kw.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("/") else f"{self.base}/{path}"
        return self.http.request(method, url, headers=headers, **kw)

    def get(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("GET", path, token, **kw)

    def post(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("POST", path, token, json=json, **kw)

    def put(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, token, json=json, **kw)

    def patch(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, token, json=json, **kw)

    def delete(self, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, token, **kw)

    def login(self, email: str, password: str | None = None) -> dict[str, Any]:
        r = self.post("auth/login", {"email": email, "password": password or DEMO_PASSWORDS[email]})
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    def token(self, email: str, password: str | None = None) -> str:
        return str(self.login(email, password)["token"])
