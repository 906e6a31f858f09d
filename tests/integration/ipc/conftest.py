"""A live generic IpcServer (echo port) and a live sogoms-logs process, shared by the IPC tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from tests.integration.ipc.wire import ECHO_ACTIONS, EchoPort, ThreadedServer
from tests.support.platform import Platform, build_platform
from tests.support.processes import start, stop, wait_for_socket

SMALL_FRAME = 64 * 1024


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    path = tmp_path_factory.mktemp("ipc") / "sogoms-echo.1.sock"
    live = ThreadedServer(IpcServer(path, actions_of(EchoPort(), ECHO_ACTIONS), max_frame=SMALL_FRAME, name="echo"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def logs_platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    return build_platform(tmp_path_factory.mktemp("logs"), "sqlite", migrate=False)


@pytest.fixture(scope="module")
def logs_socket(logs_platform: Platform) -> Iterator[Path]:
    proc = start("sogoms-logs", env=logs_platform.env, log=logs_platform.paths.run / "sogoms-logs.out")
    try:
        wait_for_socket(logs_platform.paths.socket("logs"), proc=proc)
        yield logs_platform.paths.socket("logs")
        assert proc.poll() is None, "sogoms-logs died during the tests"
    finally:
        stop(proc)
