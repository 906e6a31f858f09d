"""A running platform for browser tests: sogoms-logs, sogoway and sogoms-admin as processes, stand-ins for
sogoctl (its reload really sends SIGHUP to the gateway) and sogoms-cron, and headless Chromium."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import argon2
import pytest

from adapters.config.admin_users import YamlAdminUsers
from domain.admin import AdminUser, Role
from entrypoints.admin.urls import AdminUrls
from tests.fakes.services import SUPERVISOR_ACTIONS, FakeSupervisor, serving
from tests.support.platform import Platform, build_platform
from tests.support.processes import free_port, start, stop, wait_for_port, wait_for_socket

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORDS = {"boss": "boss-password-1", "ann": "ann-password-1"}
IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
ADMIN_YAML = """
trusted_proxies: [127.0.0.1/32]
session: {secure: false}
logs_transport: ipc
reload: {apps: [sogoway], schema: [sogoway], queries: [sogoway], emails: [sogoway], cron: [sogoms-cron]}
"""


def far_hour() -> int:
    """An hour 12 h away in prokov's timezone: no firing of the job falls within the catch-up grace period at start,
    so the test's manual run never meets a catch-up run of the same job (which it would rightly refuse to overlap)."""
    return (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(hours=12)).hour


PING_JOB = """
  ping_gateway:
    schedule: "0 {hour} * * *"
    type: http
    description: Is the gateway up?
    url: http://127.0.0.1:{port}/health
    allow_private: true
"""


@dataclass
class Stack:
    platform: Platform
    admin_url: str  # the admin's origin, http://127.0.0.1:{port}
    gateway_port: int
    supervisor: FakeSupervisor | None  # None: the real sogoctl runs the platform
    urls: AdminUrls = field(default_factory=AdminUrls)  # the pages, under the default base path /admin

    def url(self, path: str = "/", *segments: str) -> str:
        """The full address of an admin page: `stack.url("/apps", "prokov")`."""
        return self.admin_url + self.urls(path, *segments)


SOGOCTL_YAML = """
supervisor: {{health_interval: 1s, health_timeout: 2s, start_timeout: 30s, restart_delay: 1s, stop_timeout: 10s}}
services:
  sogoms-logs:
    binary: sogoms-logs
    health_socket: {run}/sogoms-logs.1.sock
  sogoms-cron:
    binary: sogoms-cron
    args: [--logs, ipc]
    health_socket: {run}/sogoms-cron.1.sock
    depends_on: [sogoms-logs]
  sogoway:
    binary: sogoway
    args: [--workers, "1", --port, "{gateway}"]
    health_url: http://127.0.0.1:{gateway}/health
    depends_on: [sogoms-logs]
  sogoms-admin:
    binary: sogoms-admin
    args: [--port, "{admin}"]
    health_url: http://127.0.0.1:{admin}/health
    depends_on: [sogoms-logs]
"""


def real_sogoctl() -> bool:
    """sogoctl is on this branch: the platform runs under it (else a stand-in answers its control socket)."""
    return importlib.util.find_spec("entrypoints.supervisor") is not None


def prepare(platform: Platform, gw_port: int) -> None:
    paths = platform.paths
    (paths.config / "admin.yaml").write_text(ADMIN_YAML)
    users = YamlAdminUsers(paths.secrets / "admin_users.yaml")
    fast = argon2.PasswordHasher(time_cost=1, memory_cost=1024)
    asyncio.run(users.save(AdminUser("boss", fast.hash(PASSWORDS["boss"]), Role.SUPER_ADMIN)))
    perms = ("schema:read", "queries:read", "queries:write", "logs:read", "cron:read")
    asyncio.run(
        users.save(AdminUser("ann", fast.hash(PASSWORDS["ann"]), Role.APP_ADMIN, apps=("prokov",), permissions=perms))
    )
    cron_yaml = paths.config / "apps" / "prokov" / "cron.yaml"
    cron_yaml.write_text(cron_yaml.read_text() + PING_JOB.format(port=gw_port, hour=far_hour()))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (.ci/run installs it)")
    platform = build_platform(tmp_path_factory.mktemp("admin_e2e"), "sqlite")
    paths = platform.paths
    gw_port, port = free_port(), free_port()
    prepare(platform, gw_port)
    env = {**platform.env, "SOGOMS_LOG_LEVEL": "WARNING"}
    procs = []
    try:
        if real_sogoctl():
            (paths.config / "sogoctl.yaml").write_text(SOGOCTL_YAML.format(run=paths.run, gateway=gw_port, admin=port))
            sogoctl = start("sogoctl", "--config", str(paths.config), env=env, log=paths.logs / "sogoctl.out")
            procs.append(sogoctl)
            wait_for_port(port, timeout=60, proc=sogoctl)
            wait_for_port(gw_port, timeout=30, proc=sogoctl)
            wait_for_socket(paths.socket("cron"), timeout=30, proc=sogoctl)
            yield Stack(platform, f"http://127.0.0.1:{port}", gw_port, None)
            return
        logs = start("sogoms-logs", env=env, log=paths.logs / "sogoms-logs.out")
        procs.append(logs)
        wait_for_socket(paths.socket("logs"), proc=logs)
        gateway = start("sogoway", "--workers", "1", "--port", str(gw_port), env=env, log=paths.logs / "sogoway.out")
        procs.append(gateway)
        wait_for_port(gw_port, proc=gateway)
        cron = start("sogoms-cron", "--logs", "ipc", env=env, log=paths.logs / "sogoms-cron.out")
        procs.append(cron)
        wait_for_socket(paths.socket("cron"), proc=cron)
        pids = {"sogoms-logs": logs.pid, "sogoway": gateway.pid, "sogoms-cron": cron.pid}
        supervisor = FakeSupervisor(pids, names=tuple(pids))
        with serving(supervisor, SUPERVISOR_ACTIONS, paths.socket("sogoctl"), "sogoctl"):
            admin = start("sogoms-admin", "--port", str(port), env=env, log=paths.logs / "sogoms-admin.out")
            procs.append(admin)
            wait_for_port(port, proc=admin)
            yield Stack(platform, f"http://127.0.0.1:{port}", gw_port, supervisor)
    finally:
        for proc in reversed(procs):
            stop(proc, timeout=30)
        for out in paths.logs.glob("*.out"):
            if "Traceback" in out.read_text(errors="replace"):
                print(out.name, out.read_text(errors="replace")[-4000:])  # shown by pytest when a test failed


@pytest.fixture(scope="module")
def browser(stack: Stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


_addresses = iter(range(1, 250))


@pytest.fixture
def context(browser):
    """A fresh browser profile seen by the admin as its own client address (the proxy header is trusted here)."""
    ctx = browser.new_context(
        extra_http_headers={"X-Forwarded-For": f"10.77.0.{next(_addresses)}"}, viewport={"width": 1280, "height": 900}
    )
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: p.console_errors.append(m.text) if m.type == "error" else None)
    p.on("dialog", lambda d: d.accept())
    return p


def sign_in(page, stack: Stack, user: str, password: str | None = None) -> None:
    page.goto(stack.url("/login"))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password or PASSWORDS[user])
    page.click("button[type=submit]")


def shot(page, name: str) -> None:
    """A screenshot of the page; saved under docs/images (shown in the README) when SOGOMS_SCREENSHOTS=1."""
    folder = IMAGES if os.environ.get("SOGOMS_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "sogoms-shots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
