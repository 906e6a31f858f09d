"""An app's SQL reaches its own database only, and only admins trusted with SQL may write it.

The attack this closes: a prokov-only admin with cron permissions adds a `service: db` job that attaches koprogo's
SQLite file (or, on MariaDB, names koprogo's database) and makes a koprogo owner a superadmin.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

from adapters.config.admin_users import YamlAdminUsers
from adapters.ipc.client import IpcClient
from adapters.sql.database import SqlAlchemyDatabase
from application.admin.create_app import NewApp
from application.admin.ports import DbTarget
from domain.admin import AdminSettings, AdminUser, Role, SessionSettings
from domain.app import DatabaseSettings
from domain.errors import Forbidden, InvalidInput
from entrypoints.admin.app import create_app
from entrypoints.admin.urls import AdminUrls
from tests.integration.admin.conftest import BOSS, admin  # noqa: F401 - the admin's use cases on this platform
from tests.support.cron import running_cron
from tests.support.databases import MARIADB_URL, _admin, create_mariadb, drop_mariadb
from tests.support.platform import Platform, build_platform
from tests.support.processes import BIN, start, stop, wait_for_socket

URL = AdminUrls()
PASSWORD = "cron-admin-password-1"
HASH = __import__("argon2").PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD)
CRON_ONLY = ("cron:read", "cron:write", "cron:trigger")


def _own_account(platform: Platform, app: str) -> tuple[str, str]:
    """A MariaDB account that may use `app`'s database only (the documented isolation boundary); its URL."""
    url = make_url(platform.urls[app])
    user, password = f"t_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    asyncio.run(_admin(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"))
    asyncio.run(_admin(f"GRANT ALL ON `{url.database}`.* TO '{user}'@'%'"))
    platform.urls[app] = url.set(username=user, password=password).render_as_string(hide_password=False)
    return user, str(url.database)


@pytest.fixture
def world(
    tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Platform, TestClient, subprocess.Popen[bytes]]]:
    """Both demo apps; sogoms-logs, sogoms-db and sogoms-cron as processes (cron over IPC); the admin over HTTP."""
    platform = build_platform(tmp_path, backend)
    account = _own_account(platform, "prokov") if backend == "mariadb" else None
    platform.apply_env(monkeypatch)
    users = YamlAdminUsers(platform.paths.secrets / "admin_users.yaml")
    for name, perms in (("cronny", CRON_ONLY), ("sqlann", (*CRON_ONLY, "queries:write"))):
        asyncio.run(users.save(AdminUser(name, HASH, Role.APP_ADMIN, apps=("prokov",), permissions=perms)))
    procs = []
    try:
        for name in ("logs", "db"):
            procs.append(start(f"sogoms-{name}", env=platform.env, log=platform.paths.logs / f"sogoms-{name}.out"))
            wait_for_socket(platform.paths.socket(name), proc=procs[-1])
        with running_cron(platform, "--db", "ipc", "--logs", "ipc") as (cron, _):
            procs.append(cron)
            settings = AdminSettings(logs_transport="inproc", session=SessionSettings(secure=True))
            with TestClient(create_app(platform.paths, settings), base_url="https://admin.testserver.local") as c:
                yield platform, c, cron
    finally:
        for proc in procs:
            stop(proc)
        if account:
            asyncio.run(_admin(f"DROP USER IF EXISTS '{account[0]}'@'%'"))
        platform.cleanup()


def _csrf(html: str) -> str:
    m = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def _sign_in(client: TestClient, user: str) -> None:
    client.cookies.clear()
    r = client.post(
        URL.login,
        data={"_csrf": _csrf(client.get(URL.login).text), "username": user, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _save_cron(client: TestClient, text: str):
    page = URL.app("prokov", "files", "cron", "cron")
    return client.post(page, data={"_csrf": _csrf(client.get(page).text), "text": text})


def _trigger(client: TestClient, job: str) -> str:
    page = URL.app("prokov", "cron")
    r = client.post(URL.app("prokov", "cron", job, "trigger"), data={"_csrf": _csrf(client.get(page).text)})
    assert r.status_code == 200, r.text
    return r.text


def _attack_jobs(platform: Platform) -> str:
    """Jobs that would make koprogo's owner a superadmin from prokov's connection."""
    koprogo = make_url(platform.urls["koprogo"])
    if platform.backend == "sqlite":
        steps = [
            ("attach_koprogo", "query", f"ATTACH DATABASE '{koprogo.database}' AS k"),
            ("escalate", "update", "UPDATE k.users SET role = 'superadmin' WHERE email = 'owner@jardins.test'"),
        ]
    else:
        steps = [
            (
                "escalate",
                "update",
                f"UPDATE `{koprogo.database}`.users SET role = 'superadmin' WHERE email = 'owner@jardins.test'",
            )
        ]
    return "".join(
        f'\n  {name}:\n    schedule: "0 3 1 1 *"\n    type: service\n    service: db\n    action: {action}\n'
        f'    enabled: false\n    params:\n      query: "{sql}"\n'
        for name, action, sql in steps
    )


def _koprogo_owner_role(platform: Platform) -> str:
    async def read() -> str:
        db = SqlAlchemyDatabase(platform.paths.secrets, {"koprogo": DatabaseSettings(url=platform.urls["koprogo"])})
        try:
            row = await db.query_one("koprogo", "SELECT role FROM users WHERE email = 'owner@jardins.test'", {})
            assert row is not None
            return str(row["role"])
        finally:
            await db.close()

    return asyncio.run(read())


def _wait_for_jobs(platform: Platform, names: set[str]) -> None:
    async def listed() -> set[str]:
        client = IpcClient(platform.paths.socket("cron"), service="sogoms-cron", timeout=10)
        try:
            return {j["name"] for j in await client.call("list", {"app_id": "prokov"})}
        finally:
            await client.close()

    deadline = time.monotonic() + 15
    while not names <= asyncio.run(listed()):
        assert time.monotonic() < deadline, "sogoms-cron did not load the new jobs"
        time.sleep(0.1)


def test_the_cron_attach_chain_is_closed_end_to_end(world) -> None:
    platform, client, cron = world
    path = platform.paths.config / "apps" / "prokov" / "cron.yaml"
    before = path.read_text()
    text = before + _attack_jobs(platform)

    # a prokov admin with every cron permission but not the SQL one cannot add SQL to run
    _sign_in(client, "cronny")
    r = _save_cron(client, text)
    assert r.status_code == 403, r.text
    assert "queries:write" in r.text and "SQL" in r.text
    assert path.read_text() == before
    # ...but may still change what is not SQL (the schedule of a job already there)
    r = _save_cron(client, before.replace('"0 8 * * 1-5"', '"0 9 * * 1-5"'))
    assert r.status_code == 200, r.text

    # an admin trusted with prokov's SQL may add the jobs: the database itself keeps them inside prokov
    _sign_in(client, "sqlann")
    r = _save_cron(client, text)
    assert r.status_code == 200, r.text
    os.kill(cron.pid, signal.SIGHUP)  # sogoctl's part: not running in this test
    names = {"escalate", "attach_koprogo"} if platform.backend == "sqlite" else {"escalate"}
    _wait_for_jobs(platform, names)
    for job in sorted(names):  # attach_koprogo first
        page = _trigger(client, job)
        assert "FORBIDDEN" in page or "refused" in page or "may not" in page, page
    assert _koprogo_owner_role(platform) == "owner"


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_connections_refuse_attach_extensions_and_setting_pragmas(platform) -> None:
    koprogo = make_url(platform.urls["koprogo"]).database
    db = SqlAlchemyDatabase(platform.paths.secrets, {"prokov": DatabaseSettings(url=platform.urls["prokov"])})
    copy = platform.root / "copy.db"
    try:
        for sql in (
            f"ATTACH DATABASE '{koprogo}' AS k",
            "DETACH DATABASE main",
            f"VACUUM INTO '{copy}'",  # writes a copy of the database anywhere the process may write
            "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')",
            "PRAGMA foreign_keys = OFF",
            "PRAGMA writable_schema = ON",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA main.synchronous = OFF",
        ):
            with pytest.raises(Forbidden, match="may not attach another database"):
                await db.query("prokov", sql, {})
        assert not copy.exists()
        # what the platform itself needs still works: reading settings and the catalog
        assert (await db.query_one("prokov", "PRAGMA foreign_keys", {})) == {"foreign_keys": 1}
        assert [c["name"] for c in await db.query("prokov", "PRAGMA table_info(projects)", {})][:2] == ["id", "user_id"]
        schema = await db.introspect("prokov")
        assert "projects" in schema.tables
    finally:
        await db.close()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_db_service_answers_attach_with_an_error_frame_and_lives_on(platform, services) -> None:
    koprogo = make_url(platform.urls["koprogo"]).database
    client = IpcClient(platform.paths.socket("db"), service="sogoms-db", timeout=10)
    try:
        for _ in range(3):  # every pooled connection, not only the first
            with pytest.raises(Forbidden):
                await client.call("query", {"app_id": "prokov", "query": f"ATTACH DATABASE '{koprogo}' AS k"})
        rows = await client.call("query", {"app_id": "prokov", "query": "SELECT COUNT(*) AS n FROM projects"})
        assert rows[0]["n"] > 0
    finally:
        await client.close()
    assert services["db"].poll() is None


def test_sogoms_check_warns_when_two_apps_share_a_database(platform) -> None:
    """SQLite: both demo apps pointed at one file. MariaDB: the test platform's apps share the root account."""
    env = dict(platform.env)
    if platform.backend == "sqlite":
        env["KOPROGO_DATABASE_URL"] = env["PROKOV_DATABASE_URL"]
    out = subprocess.run([str(BIN / "sogoms"), "check"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stdout.splitlines() if line.startswith("warning:")]
    what = "the SQLite file" if platform.backend == "sqlite" else "the MariaDB account"
    assert any("koprogo, prokov" in w and what in w for w in warnings), out.stdout
    # apps with their own databases: no warning
    if platform.backend == "sqlite":
        out = subprocess.run([str(BIN / "sogoms"), "check"], env=platform.env, capture_output=True, text=True)
        assert "warning:" not in out.stdout, out.stdout


def test_sogoms_check_names_a_shared_mariadb_database(tmp_path) -> None:
    if not MARIADB_URL:
        pytest.skip("SOGOMS_TEST_MARIADB_URL not set")
    platform = build_platform(tmp_path, "sqlite", migrate=False)
    env = {**platform.env, "PROKOV_DATABASE_URL": MARIADB_URL, "KOPROGO_DATABASE_URL": MARIADB_URL}
    out = subprocess.run([str(BIN / "sogoms"), "check"], env=env, capture_output=True, text=True, timeout=60)
    assert "share the MariaDB database" in out.stdout, out.stdout + out.stderr


async def test_a_new_app_cannot_take_another_apps_database(admin, monkeypatch) -> None:  # noqa: F811
    """The create-app form refuses the SQLite file or MariaDB database of an existing app, before connecting."""
    platform = admin.platform
    if platform.backend == "sqlite":
        # prokov's file as the form names files: in the data folder (where the shipped app.yaml puts it)
        monkeypatch.setenv("PROKOV_DATABASE_URL", f"sqlite+aiosqlite:///{platform.paths.data}/./prokov.db")
        target, field = DbTarget(kind="sqlite", sqlite_file="prokov.db"), "sqlite_file"
    else:
        prokov = make_url(platform.urls["prokov"])
        assert prokov.database is not None
        target = DbTarget(kind="mariadb", host="localhost", port=prokov.port or 3306, user="x", name=prokov.database)
        field = "db_name"
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, NewApp(name="thief", hosts=("thief.localhost",), database=target))
    errors = {e.field: e.message for e in err.value.field_errors}
    assert "already the database of app 'prokov'" in errors[field], errors
    assert not (platform.paths.config / "apps" / "thief").exists()
    assert admin.control.reloaded == []


@pytest.mark.mariadb
async def test_a_new_app_sharing_a_mariadb_account_is_created_with_a_warning(admin) -> None:  # noqa: F811
    if admin.platform.backend != "mariadb":
        pytest.skip("MariaDB only")
    url = await asyncio.to_thread(create_mariadb, "sogoms_t_shared")
    try:
        u = make_url(url)
        target = DbTarget(
            kind="mariadb", host="127.0.0.1", user=u.username or "root", password=u.password or "", name=str(u.database)
        )
        created = await admin.create(BOSS, NewApp(name="sharer", hosts=("sharer.localhost",), database=target))
        assert any("also used by app 'koprogo'" in w for w in created.warnings), created.warnings
        assert any("also used by app 'prokov'" in w for w in created.warnings), created.warnings
    finally:
        await asyncio.to_thread(drop_mariadb, url)


def test_every_engine_the_code_creates_guards_its_sqlite_connections() -> None:
    """The authorizer is installed where engines are made: a new `create_async_engine` must guard SQLite too."""
    src = Path(__file__).resolve().parents[3] / "src"
    makers = [p for p in src.rglob("*.py") if "create_async_engine(" in p.read_text(encoding="utf-8")]
    assert makers, "no engine is created anywhere?"
    unguarded = [str(p.relative_to(src)) for p in makers if "sqlite_guard.guard(" not in p.read_text(encoding="utf-8")]
    assert unguarded == []
