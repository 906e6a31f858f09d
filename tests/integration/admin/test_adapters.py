"""The admin's adapters against the real thing: the users file, the SQL state, IPC clients, the log files."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import bcrypt
import pytest

from adapters.config.admin_users import YamlAdminUsers
from adapters.ipc.client import IpcClient
from adapters.ipc.controls import IpcCronControl, IpcServiceControl
from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.logs.reader import JsonLinesLogReader
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.security.signing import CookieSigner, session_key
from adapters.sql.admin_state import SqlAdminState
from application.ports.auth_store import Refusal, Slot
from domain.admin import AdminSession, AdminUser, Role
from domain.errors import ConfigError, NotFound, Unavailable
from tests.fakes.services import CRON_ACTIONS, SUPERVISOR_ACTIONS, FakeCronService, FakeSupervisor
from tests.support.databases import new_database


async def test_users_file_round_trip_mode_0600_and_seed_bcrypt_hashes(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "admin_users.yaml"
    legacy = bcrypt.hashpw(b"legacy-password", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2a$")
    path.parent.mkdir()
    path.write_text(
        "session: {secret_file: /secrets/admin_session_secret, max_age: 3600}\n"
        "rate_limit: {login_max: 5, login_window: 60}\n"
        f'users:\n  - username: pierre\n    password_hash: "{legacy}"\n    role: super_admin\n'
        "    email: pierre@example.com\n"
    )
    users = YamlAdminUsers(path)
    pierre = await users.get("pierre")
    assert pierre is not None and pierre.is_super
    hasher = Argon2Hasher(workers=1)
    try:
        check = await hasher.verify(pierre.password_hash, "legacy-password")
        assert check.valid and check.needs_rehash
        await users.save(pierre.with_hash(await hasher.hash("legacy-password")))
        await users.save(AdminUser("ann", "$argon2id$x", Role.APP_ADMIN, apps=("prokov",), permissions=("logs:read",)))
    finally:
        hasher.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = YamlAdminUsers(path)
    pierre, ann = await again.get("pierre"), await again.get("ann")
    assert pierre is not None and pierre.password_hash.startswith("$argon2id$")
    assert ann is not None and ann.apps == ("prokov",)


async def test_a_broken_users_file_names_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "admin_users.yaml"
    path.write_text("users:\n  - username: x\n    password_hash: h\n    role: emperor\n")
    with pytest.raises(ConfigError, match=r"admin_users\.yaml"):
        await YamlAdminUsers(path).all()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def test_sessions_and_failures_are_shared_through_the_state_database(tmp_path: Path, backend: str) -> None:
    from tests.support.databases import MARIADB_URL, drop_mariadb

    if backend == "mariadb" and not MARIADB_URL:
        pytest.skip("SOGOMS_TEST_MARIADB_URL not set")
    url = new_database(backend, tmp_path, "admin_state")

    async def two_hosts() -> None:
        one, two = SqlAdminState(url, tmp_path), SqlAdminState(url, tmp_path)
        try:
            await one.create(AdminSession("h1", "ann", "csrf", 100.0, 100.0, "10.0.0.1"))
            got = await two.get("h1")
            assert got is not None and got.username == "ann" and got.csrf_token == "csrf"
            await two.touch("h1", 150.5)
            touched = await one.get("h1")
            assert touched is not None and touched.last_seen == 150.5
            # sign-in attempts are reserved in the shared database: two hosts share one allowance
            assert isinstance(await one.reserve("_admin", "ip:10.0.0.9", 2, 60, 1000), Slot)
            assert isinstance(await two.reserve("_admin", "ip:10.0.0.9", 2, 60, 1001), Slot)
            refused = await one.reserve("_admin", "ip:10.0.0.9", 2, 60, 1002)
            assert isinstance(refused, Refusal) and refused.retry_after == 58
            assert isinstance(await two.reserve("_admin", "ip:other", 2, 60, 1002), Slot)
            assert await one.purge(idle_before=120, created_before=0) == 0
            assert await one.delete_user("ann") == 1
            assert await two.get("h1") is None
        finally:
            await one.close()
            await two.close()

    try:
        asyncio.run(two_hosts())
    finally:
        if backend == "mariadb":
            drop_mariadb(url)


def test_sogoctl_status_shapes_are_read() -> None:
    from adapters.ipc.controls import service_state

    fatal = service_state(
        {
            "name": "sogoms-db",
            "state": "FATAL",
            "pid": None,
            "uptime": None,
            "restarts": 5,
            "health": {"ok": False, "note": "socket refused", "detail": {}, "checked_ago": 1.0},
            "reason": "5 restarts in 5m",
        }
    )
    assert (fatal.state, fatal.pid, fatal.restarts) == ("FATAL", None, 5)
    assert fatal.last_health == "socket refused (5 restarts in 5m)"
    running = service_state({"name": "sogoway", "state": "running", "pid": 12, "uptime": 3.5, "health": {"ok": True}})
    assert (running.state, running.uptime, running.last_health) == ("RUNNING", 3.5, "ok")


def test_cookie_signature_refuses_tampering_and_other_purposes(tmp_path: Path) -> None:
    key = session_key(tmp_path, "admin_session_secret")
    assert stat.S_IMODE((tmp_path / "admin_session_secret").stat().st_mode) == 0o600
    assert session_key(tmp_path, "admin_session_secret") == key  # created once, then read
    signer = CookieSigner(key)
    signed = signer.sign("session", "abc")
    assert signer.unsign("session", signed) == "abc"
    assert signer.unsign("login-csrf", signed) is None
    assert signer.unsign("session", "abd" + signed[3:]) is None
    assert signer.unsign("session", signed[:-2]) is None
    assert signer.unsign("session", "abc") is None
    assert CookieSigner(b"k" * 32).unsign("session", signed) is None


async def test_sogoctl_and_cron_clients_speak_the_wire_actions(tmp_path: Path) -> None:
    supervisor, cron = FakeSupervisor(names=("sogoway", "sogoms-db")), FakeCronService({"prokov": ["digest"]})
    servers = [
        IpcServer(tmp_path / "sogoctl.sock", actions_of(supervisor, SUPERVISOR_ACTIONS), name="sogoctl"),
        IpcServer(tmp_path / "cron.sock", actions_of(cron, CRON_ACTIONS), name="cron"),
    ]
    for s in servers:
        await s.start()
    control = IpcServiceControl(IpcClient(tmp_path / "sogoctl.sock", service="sogoctl"))
    jobs = IpcCronControl(IpcClient(tmp_path / "cron.sock", service="sogoms-cron"))
    try:
        states = await control.status()
        assert [(s.name, s.state, s.last_health) for s in states] == [
            ("sogoway", "RUNNING", "ok"),
            ("sogoms-db", "RUNNING", "ok"),
        ]
        await control.reload("sogoway")
        assert supervisor.reloads == ["sogoway"]
        with pytest.raises(NotFound, match="nope"):
            await control.reload("nope")
        assert [j["name"] for j in await jobs.jobs("prokov")] == ["digest"]
        result = await jobs.trigger("prokov", "digest")
        assert result["status"] == "success"
        assert [r["job"] for r in await jobs.history("prokov")] == ["digest"]
    finally:
        await control.close()
        await jobs.close()
        for s in servers:
            await s.close()
    with pytest.raises(Unavailable):
        await IpcServiceControl(IpcClient(tmp_path / "sogoctl.sock", service="sogoctl", connect_wait=0.1)).status()


async def test_log_reader_newest_first_filtered_and_paged(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    t = [datetime(2030, 1, 2, 8, 0, tzinfo=UTC)]
    sink = JsonLinesLogSink(tmp_path, clock=lambda: t[0])
    for i in range(12):
        t[0] += timedelta(seconds=1)
        if i % 3 == 0:
            await sink.log_error("prokov", f"boom {i}")
        else:
            await sink.log_event("prokov", f"event {i}", {"n": i})
    await sink.log_event("prokov-two", "other app")
    sink.close()
    reader = JsonLinesLogReader(tmp_path)
    assert await reader.days("prokov") == ["20300102"]
    lines, more = await reader.read("prokov", "20300102", (), "", 0, 5)
    assert more
    assert [ln.entry.get("event") or ln.entry.get("message") for ln in lines] == [
        "event 11",
        "event 10",
        "boom 9",
        "event 8",
        "event 7",
    ]
    assert [ln.type for ln in lines[:3]] == ["events", "events", "errors"]
    errors, _ = await reader.read("prokov", "20300102", ("errors",), "", 0, 50)
    assert [ln.entry["message"] for ln in errors] == ["boom 9", "boom 6", "boom 3", "boom 0"]
    found, _ = await reader.read("prokov", "20300102", (), "BOOM 6", 0, 50)
    assert [ln.entry["message"] for ln in found] == ["boom 6"]
    page3, more3 = await reader.read("prokov", "20300102", (), "", 10, 5)
    assert len(page3) == 2 and not more3
    assert all(json.dumps(ln.entry) for ln in page3)
    with (tmp_path / "prokov-20300102-events.log").open("a") as fh:
        fh.write("not json <script>\n")
    newest, _ = await reader.read("prokov", "20300102", (), "", 0, 2)
    assert newest[0].entry == {"raw": "not json <script>"} and newest[1].entry["event"] == "event 11"
