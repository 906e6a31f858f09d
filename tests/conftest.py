"""Fixtures shared by every test: databases (SQLite, MariaDB), platform folders, services, the gateway."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import MARIADB_URL
from tests.support.platform import Platform, build_platform
from tests.support.processes import start, stop, wait_for_socket

mariadb = pytest.mark.skipif(not MARIADB_URL, reason="SOGOMS_TEST_MARIADB_URL not set: MariaDB suite skipped")
BACKEND_PARAMS = ["sqlite", pytest.param("mariadb", marks=[mariadb, pytest.mark.mariadb])]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Whatever is marked `mariadb` (a whole test or one parameter) needs the server: skipped, and said so, without it."""
    if not MARIADB_URL and item.get_closest_marker("mariadb") is not None:
        pytest.skip("SOGOMS_TEST_MARIADB_URL not set: MariaDB suite skipped")


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def platform(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    """Both demo apps on a fresh database of `backend`, secrets created, migrations and seed data applied."""
    p = build_platform(tmp_path, backend)
    p.apply_env(monkeypatch)
    try:
        yield p
    finally:
        p.cleanup()


@pytest.fixture
def services(platform: Platform) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """sogoms-db and sogoms-logs as real processes on real sockets of this platform."""
    procs = {}
    try:
        for name in ("logs", "db"):
            proc = start(f"sogoms-{name}", env=platform.env, log=platform.paths.logs / f"sogoms-{name}.out")
            procs[name] = proc
            wait_for_socket(platform.paths.socket(name), proc=proc)
        yield procs
    finally:
        for proc in procs.values():
            stop(proc)


@pytest.fixture(params=["inproc", "ipc"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def gateway_app(platform: Platform, transport: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """The gateway's Litestar app on this platform, its ports in-process or over IPC to real services."""
    from entrypoints.gateway.app import create_app
    from entrypoints.wiring.gateway_settings import GatewaySettings, Transports

    if transport == "ipc":
        request.getfixturevalue("services")
    settings = GatewaySettings(transport=Transports(db=transport, logs=transport))
    return create_app(platform.paths, settings)


@pytest.fixture
def http(gateway_app) -> Iterator[object]:
    from litestar.testing import TestClient

    with TestClient(gateway_app, base_url="http://testserver.local", raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def prokov(http) -> object:
    from tests.support.api import AppClient

    return AppClient(http, "prokov.localhost")


@pytest.fixture
def koprogo(http) -> object:
    from tests.support.api import AppClient

    return AppClient(http, "koprogo.localhost")


def pytest_report_header(config: pytest.Config) -> str:
    return "MariaDB suite: " + ("ON " + MARIADB_URL if MARIADB_URL else "SKIPPED (SOGOMS_TEST_MARIADB_URL not set)")


os.environ.setdefault("SOGOMS_LOG_LEVEL", "WARNING")
