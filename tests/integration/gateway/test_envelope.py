"""The gateway over HTTP: /health, Host resolution, and a database failure answered as a bare 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.platform import Platform

pytestmark = pytest.mark.parametrize("transport", ["inproc"], indirect=True)


@pytest.fixture
def client(platform: Platform, gateway_app: Any) -> Iterator[TestClient[Any]]:
    """The gateway on the demo platform, prokov having one query file whose SQL names a missing table."""
    broken = platform.paths.config / "apps" / "prokov" / "queries" / "broken.yaml"
    broken.write_text("list: {query: 'SELECT id, secret_column FROM no_such_table'}\n")
    with TestClient(gateway_app, base_url="http://testserver.local") as c:
        yield c


def test_health(client: TestClient[Any]) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert (body["success"], body["message"], body["data"]["status"]) == (True, "OK", "ok")
    assert body["data"]["config"]["apps"] == ["koprogo", "prokov"]


@pytest.mark.parametrize(
    "host", ["PROKOV.Localhost", "prokov.localhost:8080", "prokov.localhost.", "Prokov.Example.com:443"]
)
def test_the_app_is_found_by_host_whatever_its_case_port_or_trailing_dot(client: TestClient[Any], host: str) -> None:
    r = client.get("/api/auth/me", headers={"Host": host})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("host", ["unknown.test", "testserver.local", "prokov.localhost.evil.test", "localhost"])
def test_an_unknown_host_is_404_unknown_app(client: TestClient[Any], host: str) -> None:
    r = client.post(
        "/api/auth/login", headers={"Host": host}, json={"email": "ana@prokov.test", "password": "demo1234"}
    )
    assert r.status_code == 404
    body = r.json()
    assert body["success"] is False
    assert body["error"]["code"] == "UNKNOWN_APP"
    assert "token" not in r.text


def test_a_database_error_is_a_500_that_shows_no_sql_path_or_stack(client: TestClient[Any]) -> None:
    token = client.post(
        "/api/auth/login",
        headers={"Host": "prokov.localhost"},
        json={"email": "ana@prokov.test", "password": "demo1234"},
    ).json()["data"]["token"]
    r = client.get("/api/broken", headers={"Host": "prokov.localhost", "Authorization": f"Bearer {token}"})
    assert r.status_code == 500
    assert r.json() == {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Internal error"}}
    for leak in ("SELECT", "no_such_table", "secret_column", "Traceback", "sqlite", ".py", "/"):
        assert leak not in r.text
