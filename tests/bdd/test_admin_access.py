"""Steps for features/admin/access.feature: the admin UI over HTTP (Litestar TestClient) on a real platform."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import argon2
import pytest
from litestar.testing import TestClient
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.config.admin_users import YamlAdminUsers
from domain.admin import AdminSettings, AdminUser, Role
from entrypoints.admin.app import create_app
from entrypoints.admin.urls import AdminUrls
from tests.support.platform import build_platform

scenarios("admin/access.feature")
PASSWORD = "a-long-password-1"
BASE = "https://admin.bdd.local"
URL = AdminUrls()  # the default base path, /admin, as the seed
_hash = argon2.PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)


@pytest.fixture
def world() -> dict:
    return {"clients": {}}


@given(parsers.parse('the admin UI with the apps "{first}" and "{second}"'), target_fixture="site")
def admin_ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str):
    platform = build_platform(tmp_path, "sqlite", apps=(first, second))
    platform.apply_env(monkeypatch)
    users = YamlAdminUsers(platform.paths.secrets / "admin_users.yaml")
    asyncio.run(users.save(AdminUser("boss", _hash, Role.SUPER_ADMIN)))
    app = create_app(platform.paths, AdminSettings(logs_transport="inproc"))
    yield {"platform": platform, "app": app, "users": users}


@given(parsers.parse('the app admin "{name}" on "{app}" with "{permissions}"'))
def app_admin(site, name: str, app: str, permissions: str):
    perms = tuple(p.strip() for p in permissions.split(","))
    asyncio.run(site["users"].save(AdminUser(name, _hash, Role.APP_ADMIN, apps=(app,), permissions=perms)))


def _client(site, world, name: str) -> TestClient:
    client = world["clients"].get(name)
    if client is None:
        client = world["clients"][name] = TestClient(site["app"], base_url=BASE).__enter__()
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@when(parsers.parse('"{name}" signs in'))
def signs_in(site, world, name: str):
    client = _client(site, world, name)
    token = _csrf(client.get(URL.login).text)
    r = client.post(URL.login, data={"_csrf": token, "username": name, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    world["cookie"] = client.cookies.get("__Host-sogoms_admin_sid")
    world["page"] = client.get(URL.home)


@when(parsers.parse('"{name}" opens "{path}"'))
def opens(site, world, name: str, path: str):
    world["answer"] = _client(site, world, name).get(URL(path))  # a page of the admin, under its base path


def _file(site, app: str, relative: str) -> Path:
    return site["platform"].paths.config / "apps" / app / relative


@when(parsers.parse('"{name}" saves "{file}" of "{app}" with a valid query'))
def saves_valid(site, world, name: str, file: str, app: str):
    world["before"] = _file(site, app, f"{file}.yaml").read_text()
    client = _client(site, world, name)
    text = "list:\n  query: SELECT id, title FROM tasks\n  filters: {default: 'user_id = :user_id'}\n"
    world["answer"] = client.post(URL.app(app, "files", file), data={"_csrf": _csrf(world["page"].text), "text": text})


@when(parsers.parse('"{name}" saves "{file}" of "{app}" with the unknown key "{key}"'))
def saves_broken(site, world, name: str, file: str, app: str, key: str):
    world["before"] = _file(site, app, f"{file}.yaml").read_text()
    client = _client(site, world, name)
    text = world["before"].replace("list:", f"{key}:", 1)
    world["answer"] = client.post(URL.app(app, "files", file), data={"_csrf": _csrf(world["page"].text), "text": text})


@when(parsers.parse('"{name}" signs out'))
def signs_out(site, world, name: str):
    client = _client(site, world, name)
    client.post(URL("/logout"), data={"_csrf": _csrf(world["page"].text)})


@when(parsers.parse('the old session cookie of "{name}" is sent again'))
def replay(site, world, name: str):
    client = _client(site, world, name)
    client.cookies.set("__Host-sogoms_admin_sid", world["cookie"], domain="admin.bdd.local")
    world["answer"] = client.get(URL.home, follow_redirects=False)


@then(parsers.parse('the dashboard lists "{app}"'))
def lists(world, app: str):
    assert f'href="{URL.app(app)}"' in world["page"].text


@then(parsers.parse('the dashboard does not list "{app}"'))
def does_not_list(world, app: str):
    assert app not in world["page"].text


@then(parsers.parse('the answer is {status:d} saying "{text}"'))
def answer_is(world, status: int, text: str):
    assert world["answer"].status_code == status
    assert text.replace("'", "&#39;") in world["answer"].text


@then(parsers.parse('the file "{relative}" of "{app}" is unchanged'))
def unchanged(site, world, relative: str, app: str):
    assert _file(site, app, relative).read_text() == world["before"]


@then("the visitor is sent to the sign-in page")
def to_login(world):
    assert world["answer"].status_code == 303 and world["answer"].headers["location"] == URL.login


@pytest.fixture(autouse=True)
def _close_clients(world):
    yield
    for client in world["clients"].values():
        client.__exit__(None, None, None)
