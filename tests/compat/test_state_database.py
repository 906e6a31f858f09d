"""`state_database:` (issue 13, item 7): the platform's own tables (sogoms_*) live there, and the app's database
(an adopted legacy one) gets none, whatever is used: sign-in, refresh, logout, rate limits, mail outbox, cron runs,
inbound mail, migrations; over IPC (sogoms-db, -smtp, -cron, -mailproc as real processes) and in-process."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from adapters.sql.engines import create_engine
from adapters.sql.platform_tables import metadata as platform_metadata
from domain.app import DatabaseSettings
from entrypoints.cli.secrets_cmd import init_secrets
from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.integration.mail.smtpd import Recorder, SmtpServer
from tests.support.api import AppClient
from tests.support.databases import drop_mariadb, new_database
from tests.support.ipc import ipc_call
from tests.support.mail import mail
from tests.support.platform import Platform, _migrate, build_platform
from tests.support.processes import start, stop, wait_for_socket

PLATFORM_TABLES = set(platform_metadata.tables)


def tables(url: str, count: bool = False) -> dict[str, int]:
    """The tables of the database at `url` (with their row counts when `count`), read without creating anything."""

    async def run() -> dict[str, int]:
        engine = create_engine(DatabaseSettings(url=url), Path("/nonexistent"), "test")
        try:
            async with engine.connect() as conn:
                sql = (
                    "SELECT name FROM sqlite_master WHERE type = 'table'" if url.startswith("sqlite") else "SHOW TABLES"
                )
                names = [str(r[0]) for r in await conn.exec_driver_sql(sql)]
                found = {}
                for name in names:
                    rows = await conn.exec_driver_sql(f"SELECT COUNT(*) FROM {name}") if count else None
                    found[name] = int(rows.scalar_one()) if rows is not None else 0
                return found
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def stated(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Platform, str]]:
    """prokov with `state_database:` set before anything ran, then migrated (as an adopted database would be)."""
    platform = build_platform(tmp_path, backend, migrate=False)
    state_url = new_database(backend, platform.root, "prokov_state")
    app_yaml = platform.paths.config / "apps" / "prokov" / "app.yaml"
    app_yaml.write_text(app_yaml.read_text() + f"state_database:\n  url: {state_url}\n")
    platform.apply_env(monkeypatch)
    for key, value in platform.env.items():
        if key.startswith("SOGOMS_") or key.endswith("_DATABASE_URL"):
            monkeypatch.setenv(key, value)
    asyncio.run(_migrate(platform.paths, ("prokov", "koprogo")))
    try:
        yield platform, state_url
    finally:
        platform.cleanup()
        if backend == "mariadb":
            drop_mariadb(state_url)


def test_an_app_with_a_state_database_keeps_its_own_database_free_of_platform_tables(
    stated: tuple[Platform, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    platform, state_url = stated
    init_secrets(argparse.Namespace(app=["prokov"]), platform.paths)
    recorder = Recorder()
    smtp = SmtpServer(recorder).start()
    monkeypatch.setenv("PROKOV_SMTP_PORT", str(smtp.port))
    env = {**platform.env, "PROKOV_SMTP_PORT": str(smtp.port), "PROKOV_SMTP_HOST": "127.0.0.1"}
    procs = []
    try:
        for service, args in (
            ("logs", ()),
            ("db", ()),
            ("smtp", ("--db", "ipc", "--logs", "ipc", "--poll", "0.2s")),
            ("cron", ("--db", "ipc", "--logs", "ipc")),
            ("mailproc", ("--db", "ipc", "--logs", "ipc")),
        ):
            proc = start(f"sogoms-{service}", *args, env=env, log=platform.paths.logs / f"sogoms-{service}.out")
            procs.append(proc)
            wait_for_socket(platform.paths.socket(service), proc=proc, timeout=60)
        for transport in ("ipc", "inproc"):
            settings = GatewaySettings(transport=Transports(db=transport, logs=transport, smtp=transport))
            with TestClient(create_app(platform.paths, settings), base_url="http://testserver.local") as http:
                prokov = AppClient(http, "prokov.localhost")
                email = f"state-{transport}@prokov.test"
                r = prokov.post("auth/register", {"email": email, "name": "S", "password": "long enough"})
                assert r.status_code == 201, r.text
                assert prokov.post("auth/login", {"email": email, "password": "wrong password"}).status_code == 401
                session = prokov.login(email, "long enough")
                refreshed = prokov.post("auth/refresh", {"refresh_token": session["refresh_token"]})
                assert refreshed.status_code == 200, refreshed.text
                token = refreshed.json()["data"]["token"]
                assert prokov.post("projects", {"name": "p"}, token).status_code == 201
                assert prokov.post("auth/logout", {}, token).status_code in (200, 204)
                assert prokov.get("auth/me", token).status_code == 401  # the revocation is seen
        recorder.wait_for(2)  # the welcome mails went through the outbox
        run = ipc_call(platform.paths.socket("cron"), "trigger", {"app_id": "prokov", "job": "tasks_today"})
        assert run["status"] in ("success", "done", "ok"), run
        raw = base64.b64encode(mail(subject="state mail", body="x")).decode()
        applied = ipc_call(platform.paths.socket("mailproc"), "apply_rules", {"app_id": "prokov", "raw": raw})
        assert applied["status"] == "done", applied
        params = {"app_id": "prokov", "mailbox": "tasks", "folder": "INBOX", "uidvalidity": 1}
        ipc_call(
            platform.paths.socket("mailproc"), "settle", {**params, "uid": 1, "message_key": applied["message_key"]}
        )
    finally:
        for proc in reversed(procs):
            stop(proc)
        smtp.stop()
    own = tables(os.environ["PROKOV_DATABASE_URL"])
    assert {"users", "projects", "tasks"} <= set(own)
    assert not {t for t in own if t.startswith("sogoms_")}, own
    state = tables(state_url, count=True)
    assert set(state) >= PLATFORM_TABLES and not {"users", "projects"} & set(state)
    used = ("sogoms_revoked_tokens", "sogoms_refresh_tokens", "sogoms_outbox", "sogoms_cron_runs", "sogoms_migrations")
    assert all(state[t] > 0 for t in (*used, "sogoms_mail_messages", "sogoms_mail_uids")), state
    # koprogo, without state_database, keeps them in its own database as before
    assert set(tables(os.environ["KOPROGO_DATABASE_URL"])) >= PLATFORM_TABLES


def test_only_statements_naming_a_platform_table_are_routed() -> None:
    from adapters.sql.database import platform_statement

    assert platform_statement("SELECT jti FROM sogoms_revoked_tokens WHERE revoked_at >= :since")
    assert platform_statement("insert into SOGOMS_OUTBOX (id) values (1)")
    assert not platform_statement("SELECT sogoms_flag, 'sogoms_x' FROM projects")  # an app's own names
    assert not platform_statement("SELECT * FROM sogoms_outbox_archive")  # not one of the platform's tables
