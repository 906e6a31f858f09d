"""The one IPC service lifecycle (entrypoints/wiring/service.py), on a real socket in this process: start before
serving, a refused SIGHUP reload kept and shown in `health`, and on SIGTERM the background work stopped, the server
drained, the stop hooks run, then what the service opened closed, last opened first."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from adapters.ipc.client import IpcClient
from domain.errors import ConfigError
from entrypoints.wiring.service import Service, run_service, service_args, service_main

pytestmark = pytest.mark.timeout(60)


class Port:
    async def health(self) -> dict[str, Any]:
        return {"ok": True}


class Opened:
    def __init__(self, name: str, events: list[str], sync: bool = False) -> None:
        self.name, self.events, self.sync = name, events, sync

    def close(self) -> Any:
        self.events.append(f"close {self.name}")
        if self.sync:
            return None

        async def done() -> None:
            return None

        return done()


async def until(check: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_start_reload_stop_and_close_in_order(tmp_path: Path) -> None:
    events: list[str] = []
    refuse = {"now": True}

    async def start() -> None:
        events.append("start")

    async def reload() -> None:
        if refuse["now"]:
            raise ConfigError("config/apps/x/app.yaml: database.url: expected a string")
        events.append("reload")

    async def background() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            events.append("background cancelled")
            raise

    async def stop() -> None:
        events.append("stop")

    service = Service(
        "test",
        Port(),
        ("health",),
        start=start,
        reload=reload,
        background=[background],
        stop=[stop],
        closing=[Opened("first", events), Opened("second", events, sync=True)],
    )
    socket = tmp_path / "test.sock"
    running = asyncio.ensure_future(run_service(service, socket, drain=1.0))
    client = IpcClient(socket, service="sogoms-test", pool_size=1, timeout=5.0)
    try:
        await until(lambda: asyncio.sleep(0, socket.exists()))
        assert events == ["start"]
        assert (await client.call("health", {}))["ok"] is True

        os.kill(os.getpid(), signal.SIGHUP)

        async def refused() -> bool:
            return "reload_error" in await client.call("health", {})

        await until(refused)
        health = await client.call("health", {})
        assert health["reload_error"] == "config/apps/x/app.yaml: database.url: expected a string"

        refuse["now"] = False
        os.kill(os.getpid(), signal.SIGHUP)

        async def accepted() -> bool:
            answer = await client.call("health", {})
            return "reload_error" not in answer and answer["reload"]["count"] == 2

        await until(accepted)
        assert events == ["start", "reload"]
    finally:
        await client.close()
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(running, 20)
    assert events == ["start", "reload", "background cancelled", "stop", "close second", "close first"]
    assert not socket.exists()


def test_a_bad_configuration_at_start_exits_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("RUN", "LOG", "SECRETS", "DATA"):
        monkeypatch.setenv(f"SOGOMS_{name}_DIR", str(tmp_path / name.lower()))

    def build(_args: Any, _paths: Any) -> Service:
        raise ConfigError("config/apps/x/app.yaml: hosts: expected a list")

    argv = ["--config", str(tmp_path), "--socket", str(tmp_path / "never.sock")]
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        assert service_main(service_args("test", "test service"), "test", build, argv) == 2
    finally:
        os.umask(umask)  # a service makes its files private (umask 077); this test process stays as it was
    assert "sogoms-test: config/apps/x/app.yaml: hosts: expected a list" in capsys.readouterr().err
    assert not (tmp_path / "never.sock").exists()
