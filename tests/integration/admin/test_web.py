"""The admin over HTTP (Litestar TestClient): sessions, cookies, CSRF, permissions, escaping, headers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from adapters.config.admin_users import YamlAdminUsers
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.sql.admin_state import SqlAdminState
from application.admin.sessions import session_hash
from domain.admin import AdminSettings, AdminUser, Role, SessionSettings
from entrypoints.admin.app import create_app
from entrypoints.admin.urls import AdminUrls
from entrypoints.wiring.admin_settings import state_url
from tests.support.platform import Platform, build_platform

URL = AdminUrls()  # the default base path, /admin, as the seed
PASSWORDS = {"boss": "boss-password-1", "ann": "ann-password-1"}
HASHES = {  # argon2id of PASSWORDS (made once: hashing is slow on purpose)
    name: __import__("argon2").PasswordHasher(time_cost=1, memory_cost=1024).hash(pw) for name, pw in PASSWORDS.items()
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Platform, TestClient]]:
    platform = build_platform(tmp_path, "sqlite")
    platform.apply_env(monkeypatch)
    users = YamlAdminUsers(platform.paths.secrets / "admin_users.yaml")
    asyncio.run(users.save(AdminUser("boss", HASHES["boss"], Role.SUPER_ADMIN)))
    asyncio.run(
        users.save(
            AdminUser("ann", HASHES["ann"], Role.APP_ADMIN, apps=("prokov",), permissions=("schema:read", "logs:read"))
        )
    )
    settings = AdminSettings(logs_transport="inproc", session=SessionSettings(secure=True))
    app = create_app(platform.paths, settings)
    with TestClient(app, base_url="https://admin.testserver.local") as client:
        yield platform, client


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(client: TestClient, user: str, password: str | None = None, **headers: str):
    page = client.get(URL.login)
    return client.post(
        URL.login,
        data={"_csrf": csrf_of(page.text), "username": user, "password": password or PASSWORDS[user]},
        headers=headers,
        follow_redirects=False,
    )


def set_cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_cookies_are_httponly_secure_samesite_strict(site) -> None:
    _, client = site
    first = client.get(URL.login)
    pre = set_cookie_headers(first)["sogoms_admin_csrf"]
    assert "HttpOnly" in pre and "Secure" in pre and "samesite=strict" in pre.lower() and f"Path={URL.login}" in pre
    r = client.post(
        URL.login,
        data={"_csrf": csrf_of(first.text), "username": "boss", "password": PASSWORDS["boss"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == URL.home
    sid = set_cookie_headers(r)["__Host-sogoms_admin_sid"]
    for attr in ("httponly", "secure", "samesite=strict", "path=/"):
        assert attr in sid.lower()
    assert client.get(URL.home).status_code == 200


def test_wrong_password_and_logout(site) -> None:
    _, client = site
    r = login(client, "boss", "not-the-password")
    assert r.status_code == 401 and "Invalid username or password" in r.text
    assert login(client, "boss").status_code == 303
    page = client.get(URL.home)
    assert "boss" in page.text
    r = client.post(URL("/logout"), data={"_csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == URL.login
    assert client.get(URL.home, follow_redirects=False).status_code == 303


def test_session_cookie_replayed_after_logout_is_dead(site) -> None:
    _, client = site
    login(client, "boss")
    stolen = client.cookies.get("__Host-sogoms_admin_sid")
    page = client.get(URL.home)
    client.post(URL("/logout"), data={"_csrf": csrf_of(page.text)})
    client.cookies.set("__Host-sogoms_admin_sid", stolen, domain="admin.testserver.local")
    r = client.get(URL.home, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == URL.login


def test_a_new_session_id_at_each_login(site) -> None:
    _, client = site
    login(client, "boss")
    first = client.cookies.get("__Host-sogoms_admin_sid")
    client.cookies.clear()
    login(client, "boss")
    assert client.cookies.get("__Host-sogoms_admin_sid") != first


@pytest.mark.parametrize(
    "mangle", [lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"), lambda c: "x" + c, lambda c: c.split(".")[0]]
)
def test_tampered_cookie_is_refused(site, mangle) -> None:
    _, client = site
    login(client, "boss")
    bad = mangle(client.cookies.get("__Host-sogoms_admin_sid"))
    client.cookies.clear()
    client.cookies.set("__Host-sogoms_admin_sid", bad, domain="admin.testserver.local")
    assert client.get(URL.home, follow_redirects=False).status_code == 303


def test_expired_session_is_refused_server_side(site) -> None:
    platform, client = site
    login(client, "boss")
    sid = client.cookies.get("__Host-sogoms_admin_sid").rsplit(".", 1)[0]

    async def age() -> None:
        state = SqlAdminState(state_url(AdminSettings(), platform.paths), platform.paths.secrets)
        await state.touch(session_hash(sid), 0.0)  # last seen long ago: idle timeout passed
        await state.close()

    asyncio.run(age())
    assert client.get(URL.home, follow_redirects=False).status_code == 303


def test_csrf_missing_wrong_or_from_another_session_is_refused(site) -> None:
    platform, client = site
    path = platform.paths.config / "apps" / "prokov" / "queries" / "tasks.yaml"
    before = path.read_text()
    login(client, "boss")
    own = csrf_of(client.get(URL.home).text)
    with TestClient(client.app, base_url="https://admin.testserver.local") as other:
        login(other, "boss")
        foreign = csrf_of(other.get(URL.home).text)
    assert foreign != own
    url = URL("/apps/prokov/files/queries/tasks")
    for data in (
        {"text": "list: {query: SELECT 1}\n"},
        {"text": "x", "_csrf": "wrong"},
        {"text": "x", "_csrf": foreign},
    ):
        r = client.post(url, data=data)
        assert r.status_code == 403 and "security token" in r.text
    assert path.read_text() == before
    r = client.post(URL.login, data={"username": "boss", "password": PASSWORDS["boss"]})
    assert r.status_code == 403  # the login form needs its pre-session token too
    assert client.post(url, data={"text": before, "_csrf": own}).status_code == 200
    assert client.post(url, data={"text": before}, headers={"X-CSRF-Token": own}).status_code == 200


def test_login_rate_limit_per_address_ignores_untrusted_forwarded_for(site) -> None:
    _, client = site
    for i in range(5):
        assert login(client, "boss", "bad", **{"X-Forwarded-For": f"10.9.9.{i}"}).status_code == 401
    r = login(client, "boss")
    assert r.status_code == 429 and "Too many" in r.text
    assert 55 <= int(r.headers["retry-after"]) <= 60  # the rest of the 60 s window that began at the first failure


def test_app_admin_sees_only_its_apps_and_is_refused_others(site) -> None:
    platform, client = site
    login(client, "ann")
    page = client.get(URL.home)
    assert "prokov" in page.text and "koprogo" not in page.text
    assert client.get(URL("/apps/koprogo")).status_code == 403
    assert client.get(URL("/apps/koprogo/logs")).status_code == 403
    assert client.get(URL("/apps/new")).status_code == 403
    token = csrf_of(page.text)
    assert client.post(URL("/apps/koprogo/scan"), data={"_csrf": token}).status_code == 403
    assert client.post(URL("/apps/prokov/scan"), data={"_csrf": token}).status_code == 403  # no db:introspect
    r = client.post(
        URL("/apps/new"),
        data={"_csrf": token, "name": "x", "hosts": "x.localhost", "db_kind": "sqlite", "sqlite_file": "x.db"},
    )
    assert r.status_code == 403 and not (platform.paths.config / "apps" / "x").exists()
    assert client.get(URL("/apps/prokov")).status_code == 200


def test_hostile_text_shows_as_text(site) -> None:
    platform, client = site
    hostile = '<script>alert(1)</script><div hx-get="/logout" hx-trigger="load">x</div>'
    sink = JsonLinesLogSink(platform.paths.logs)
    asyncio.run(sink.log_event("prokov", hostile, {"name": "<img src=x onerror=alert(1)>"}))
    sink.close()
    schema = platform.paths.config / "apps" / "prokov" / "schema.yaml"
    text = schema.read_text().replace("Things to do, in a project, with a status", f"'{hostile}'")
    assert hostile in text
    schema.write_text(text)
    login(client, "boss")
    for url in (URL("/apps/prokov/logs"), URL("/apps/prokov")):
        text = client.get(url).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<script>alert" not in text and 'hx-get="/logout"' not in text and "<img src=x" not in text


def test_security_headers_on_pages_errors_and_assets(site) -> None:
    _, client = site
    for url in (URL.login, URL("/nope"), URL("/static/admin.js")):
        r = client.get(url)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
    assert client.get(URL("/static/vendor/htmx-2.0.11.min.js")).status_code == 200


def test_health(site) -> None:
    _, client = site
    assert client.get("/health").json() == {"status": "ok", "service": "sogoms-admin"}


def test_every_post_route_refuses_a_request_without_the_token(site) -> None:
    _, client = site
    login(client, "boss")
    concrete = {
        "name": "prokov",
        "kind": "queries",
        "file": "tasks",
        "job": "tasks_today",
        "service": "sogoway",
        "message": "1",
    }
    posts = [r.path for r in client.app.routes if "POST" in getattr(r, "methods", set()) and r.path != URL.login]
    assert len(posts) >= 7
    for path in posts:
        url = re.sub(r"\{(\w+):\w+\}", lambda m: concrete[m.group(1)], path)
        r = client.post(url, data={"text": "x"})
        assert r.status_code == 403 and "security token" in r.text, url
    assert client.get(URL.home).status_code == 200  # the session itself is still fine


def test_services_panel_and_restart_through_sogoctl(site) -> None:
    from tests.fakes.services import SUPERVISOR_ACTIONS, FakeSupervisor, serving

    platform, client = site
    supervisor = FakeSupervisor(names=("sogoms-logs", "sogoway"))
    login(client, "boss")
    assert "sogoctl" in client.get(URL("/partials/services")).text  # not running yet: said so, no crash
    with serving(supervisor, SUPERVISOR_ACTIONS, platform.paths.socket("sogoctl"), "sogoctl"):
        panel = client.get(URL("/partials/services"), headers={"HX-Request": "true"})
        assert panel.status_code == 200 and "sogoway" in panel.text and "RUNNING" in panel.text
        token = csrf_of(client.get(URL.home).text)
        r = client.post(URL("/services/sogoway/restart"), data={"_csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and supervisor.restarts == ["sogoway"]
        client.cookies.clear()
        login(client, "ann")
        token = csrf_of(client.get(URL.home).text)
        assert client.post(URL("/services/sogoway/restart"), data={"_csrf": token}).status_code == 403
        assert supervisor.restarts == ["sogoway"]
        client.cookies.clear()
        expired = client.get(URL("/partials/services"), headers={"HX-Request": "true"})
        assert expired.status_code == 401 and expired.headers["hx-redirect"] == URL.login


def test_metrics_count_requests_by_route_and_refused_sign_ins(site) -> None:
    _, client = site
    login(client, "boss", "wrong-password")
    client.get(URL("/apps/prokov"))
    text = client.get("/metrics").text
    assert 'sogoms_login_failures_total{app="_admin",reason="invalid_credentials"} 1.0' in text
    # labelled by the route template under the base path, the same whatever the base path
    assert 'route="/apps/{name:str}"' in text and 'route="/login"' in text


def test_the_seeds_admin_paths_and_json_endpoints(site) -> None:
    from tests.fakes.services import SUPERVISOR_ACTIONS, FakeSupervisor, serving

    platform, client = site
    assert client.get("/", follow_redirects=False).headers["location"] == "/admin/"  # the root leads to the UI
    r = client.get("/admin/api/apps")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"  # JSON, not a redirect
    assert client.get("/admin/login").status_code == 200
    assert login(client, "ann").headers["location"] == "/admin/"
    apps = client.get("/admin/api/apps").json()["data"]["apps"]
    assert [a["name"] for a in apps] == ["prokov"] and apps[0]["hosts"] and apps[0]["base_path"] == "/api"
    assert client.get("/admin/api/services/health").json()["error"]["code"] == "SERVICE_UNAVAILABLE"  # no sogoctl
    with serving(FakeSupervisor(names=("sogoway",)), SUPERVISOR_ACTIONS, platform.paths.socket("sogoctl"), "sogoctl"):
        services = client.get("/admin/api/services/health").json()["data"]["services"]
        assert [(s["name"], s["state"]) for s in services] == [("sogoway", "RUNNING")]
        partial = client.get("/admin/api/services/health", headers={"HX-Request": "true"})
        assert partial.headers["content-type"].startswith("text/html") and "RUNNING" in partial.text
    assert 'href="/admin/apps/prokov"' in client.get("/admin/api/apps", headers={"HX-Request": "true"}).text


@pytest.mark.parametrize("base_path", ["/", "/ops/console"])
def test_another_base_path_moves_every_page_link_cookie_and_redirect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_path: str
) -> None:
    platform = build_platform(tmp_path, "sqlite")
    platform.apply_env(monkeypatch)
    asyncio.run(
        YamlAdminUsers(platform.paths.secrets / "admin_users.yaml").save(
            AdminUser("boss", HASHES["boss"], Role.SUPER_ADMIN)
        )
    )
    urls = AdminUrls(base_path)
    app = create_app(platform.paths, AdminSettings(logs_transport="inproc", base_path=base_path))
    with TestClient(app, base_url="https://admin.testserver.local") as client:
        first = client.get(urls.login)
        assert f"Path={urls.login}" in set_cookie_headers(first)["sogoms_admin_csrf"]
        assert f'action="{urls.login}"' in first.text and f'href="{urls.static}/admin.css"' in first.text
        assert client.get(f"{urls.static}/admin.js").status_code == 200
        r = client.post(
            urls.login,
            data={"_csrf": csrf_of(first.text), "username": "boss", "password": PASSWORDS["boss"]},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == urls.home
        home = client.get(urls.home)
        assert f'href="{urls.app("koprogo")}"' in home.text and f'hx-get="{urls("/partials/services")}"' in home.text
        assert f'action="{urls("/logout")}"' in home.text and f'href="{urls("/apps/new")}"' in home.text
        r = client.get(urls.app("prokov", "files", "cron"), follow_redirects=False)
        assert r.headers["location"] == urls.app("prokov", "files", "cron", "cron")
        r = client.post(urls("/logout"), data={"_csrf": csrf_of(home.text)}, follow_redirects=False)
        assert r.headers["location"] == urls.login
        if urls.base:
            assert client.get("/admin/login").status_code == 404  # moved: nothing left at the default place


def test_app_page_shows_encrypted_columns_and_the_rotation_state(site) -> None:
    platform, client = site
    login(client, "boss")
    page = client.get(URL("/apps/koprogo")).text
    assert 'data-testid="encrypted-owners-email"' in page and "email_bidx" in page
    assert 'data-testid="encryption"' in page and "active key <code>k1</code>" in page
    assert "owners.email" in page and "k1: 3" in page and 'data-testid="rotating"' not in page  # the seeded owners
    from adapters.config.apps import YamlAppRepository
    from adapters.crypt.keyring import FileKeyrings

    settings = YamlAppRepository(platform.paths.config, platform.paths.secrets).load_settings(
        platform.paths.config / "apps" / "koprogo"
    )
    FileKeyrings(platform.paths.secrets, {"koprogo": settings}).add_key("koprogo")
    page = client.get(URL("/apps/koprogo")).text
    assert 'data-testid="rotating"' in page and "active key <code>k2</code>" in page and "k1: 3" in page
