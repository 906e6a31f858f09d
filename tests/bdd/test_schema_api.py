"""Steps of features/schema/: the schema-driven API of prokov as its users see it, over the gateway in-process."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import pytest
from litestar.testing import TestClient
from pytest_bdd import given, parsers, scenarios, then, when

from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.support.api import AppClient

scenarios("schema")
# requested here rather than from a step, so the `backend` parameters (SQLite, MariaDB) apply to every scenario
pytestmark = pytest.mark.usefixtures("platform")

EMAILS = {"ana": "ana@prokov.test", "ben": "ben@prokov.test", "admin": "admin@prokov.test"}


class World:
    def __init__(self, platform: Any, stack: ExitStack) -> None:
        self.platform, self._stack = platform, stack
        self.app_name = ""
        self._client: AppClient | None = None
        self._tokens: dict[str, str] = {}
        self.response: Any = None
        self.last_read: Any = None

    @property
    def client(self) -> AppClient:
        """The gateway is built on first use, after the Given steps have shaped the app's files."""
        if self._client is None:
            settings = GatewaySettings(transport=Transports(db="inproc", logs="inproc"))
            http = self._stack.enter_context(
                TestClient(create_app(self.platform.paths, settings), base_url="http://testserver.local")
            )
            self._client = AppClient(http, f"{self.app_name}.localhost")
        return self._client

    def token(self, user: str) -> str:
        if user not in self._tokens:
            self._tokens[user] = self.client.token(EMAILS[user])
        return self._tokens[user]

    def send(self, user: str, method: str, path: str, body: Any = None) -> Any:
        self.response = self.client.request(method, path, self.token(user), json=body)
        if method == "GET":
            self.last_read = self.response
        return self.response

    @property
    def data(self) -> Any:
        return self.response.json()["data"]


@pytest.fixture
def world(platform):
    with ExitStack() as stack:
        yield World(platform, stack)


def label(row: dict[str, Any]) -> str:
    return str(row.get("name", row.get("title")))


def walk(value: Any):
    """Every object in an answer, nested includes too."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


@given(parsers.parse('the app "{app}"'))
def the_app(world, app):
    world.app_name = app


@given(parsers.parse('the app "{app}" where "{field}" of "{table}" is hidden'))
def app_with_hidden_field(world, app, field, table):
    path = world.platform.paths.config / "apps" / app / "schema.yaml"
    lines = path.read_text().splitlines(keepends=True)
    current, changed = "", 0
    for i, line in enumerate(lines):
        if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":"):
            current = line.strip().rstrip(":")
        if current == table and line.startswith(f"      {field}: {{"):
            lines[i] = line.rstrip().removesuffix("}") + ", hidden: true}\n"
            changed += 1
    assert changed == 1, f"{table}.{field} not found in {path}"
    path.write_text("".join(lines))
    world.app_name = app


@given(parsers.parse('"{user}" created the status "{name}" at position {position:d}'))
def created_status(world, user, name, position):
    r = world.send(user, "POST", "statuses", {"name": name, "position": position})
    assert r.status_code == 201, r.text


@given(parsers.parse('"{user}" created the task "{title}" in project {project:d}'))
def created_task(world, user, title, project):
    r = world.send(user, "POST", "tasks", {"title": title, "project_id": project})
    assert r.status_code == 201, r.text


@when(parsers.parse('"{user}" asks for "{path}"'))
def asks_for(world, user, path):
    world.send(user, "GET", path)


@when(parsers.parse('"{user}" sends {method} "{path}" with {body}'))
def sends(world, user, method, path, body):
    world.send(user, method, path, None if method in ("GET", "DELETE") else json.loads(body))


@then(parsers.parse("the answer is {status:d}"))
def answer_is(world, status):
    assert world.response.status_code == status, world.response.text


@then(parsers.parse('the answer is {status:d} "{code}"'))
def answer_is_code(world, status, code):
    assert world.response.status_code == status, world.response.text
    body = world.response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code


@then(parsers.parse('the names are "{names}"'))
def names_are(world, names):
    assert world.response.status_code == 200, world.response.text
    assert ", ".join(label(r) for r in world.data) == names


@then("no rows are returned")
def no_rows(world):
    assert world.response.status_code == 200, world.response.text
    assert world.data == []


@then(parsers.parse("meta says total {total:d}, limit {limit:d}, offset {offset:d}"))
def meta_says(world, total, limit, offset):
    meta = world.response.json()["meta"]
    assert (meta["total"], meta["count"], meta["limit"], meta["offset"]) == (total, "exact", limit, offset)


@then(parsers.parse("meta has no total and {more} rows follow"))
def meta_more(world, more):
    meta = world.response.json()["meta"]
    assert "total" not in meta and meta["has_more"] is (more == "more"), meta


def _link(response: Any, rel: str) -> str | None:
    """The URL of one relation of the Link header, checked against the cursor in meta."""
    for part in response.headers.get("link", "").split(", "):
        url, _, kind = part.partition("; ")
        if kind == f'rel="{rel}"':
            cursor = response.json()["meta"]["next" if rel == "next" else "prev"]
            assert cursor and cursor in url.replace("%3D", "="), (cursor, url)
            return url.strip("<>")
    assert response.json()["meta"]["next" if rel == "next" else "prev"] is None
    return None


@when(parsers.parse('"{user}" follows the "{rel}" link'))
def follows(world, user, rel):
    url = _link(world.last_read, rel)
    assert url is not None, world.last_read.headers
    world.send(user, "GET", url)


@then(parsers.parse('there is no "{rel}" link'))
def no_link(world, rel):
    assert _link(world.response, rel) is None


@when(parsers.parse('"{user}" reuses the "next" cursor with "{change}"'))
def reuses_cursor(world, user, change):
    cursor = world.response.json()["meta"]["next"]
    assert cursor
    if change == "a flipped character":
        flipped = cursor[:3] + ("A" if cursor[3] != "A" else "B") + cursor[4:]
        query = f"limit=2&sort=-position&after={flipped}"
    elif change == "before and after":
        query = f"limit=2&sort=-position&after={cursor}&before={cursor}"
    elif change.startswith("sort="):
        query = f"limit=2&{change}&after={cursor}"
    else:
        query = f"limit=2&sort=-position&{change}&after={cursor}"
    world.send(user, "GET", f"statuses?{query}")


@then(parsers.parse('no returned row has "{field}"'))
def no_row_has(world, field):
    rows = list(walk(world.data))
    assert rows
    assert not [r for r in rows if field in r]


@then(parsers.parse('no returned row has "{field}" inside "{relation}"'))
def no_included_row_has(world, field, relation):
    included = world.data[relation]
    assert isinstance(included, dict) and included["name"]
    assert field not in included
    assert field in world.data  # the task's own description is not hidden


@then(parsers.parse('no returned row has the title "{title}"'))
def no_row_titled(world, title):
    assert world.response.status_code == 200, world.response.text
    titles = [r.get("title") for r in walk(world.data)]
    assert "Order tiles" in titles
    assert title not in titles


@then(parsers.parse('its "{relation}" is named "{name}"'))
def its_relation(world, relation, name):
    assert world.data[relation]["name"] == name


@then(parsers.parse('the "{relation}" of "{name}" are "{labels}"'))
def relation_of(world, relation, name, labels):
    row = next(r for r in world.data if label(r) == name)
    assert ", ".join(label(c) for c in row[relation]) == labels


@then(parsers.parse('the error lists the fields "{fields}"'))
def error_fields(world, fields):
    listed = [f["field"] for f in world.response.json()["error"]["fields"]]
    assert sorted(listed) == sorted(f.strip() for f in fields.split(","))
    assert all(f["message"] for f in world.response.json()["error"]["fields"])


@then(parsers.parse('the answer has "{a}" {va}, "{b}" {vb} and "{c}" {vc}'))
def answer_has_three(world, a, va, b, vb, c, vc):
    for key, value in ((a, va), (b, vb), (c, vc)):
        assert world.data[key] == json.loads(value), (key, world.data)


@then(parsers.parse('the answer has "{a}" {va} and "{b}" {vb}'))
def answer_has_two(world, a, va, b, vb):
    for key, value in ((a, va), (b, vb)):
        assert world.data[key] == json.loads(value), (key, world.data)


@then(parsers.parse('"{user}" still sees project {key:d} named "{name}"'))
def still_sees(world, user, key, name):
    r = world.client.get(f"projects/{key}", world.token(user))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"] == name
