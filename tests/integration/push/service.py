"""Start sogoms-push as a real process on a test platform, pointed at a given broker port."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from adapters.ipc.client import IpcClient
from adapters.ipc.push import IpcPublisher
from tests.support.platform import Platform
from tests.support.processes import start, wait_for_socket

FAST = "reconnect_min: 0.05s\nreconnect_max: 0.3s\nconnect_timeout: 2s\n"


def write_push_yaml(platform: Platform, port: int, extra: str = FAST) -> Path:
    path = platform.paths.config / "push.yaml"
    path.write_text(f"host: 127.0.0.1\nport: {port}\n{extra}")
    return path


def start_push(platform: Platform) -> subprocess.Popen[bytes]:
    proc = start("sogoms-push", env=platform.env, log=platform.paths.logs / "sogoms-push.out")
    wait_for_socket(platform.paths.socket("push"), proc=proc)
    return proc


def push_client(platform: Platform, timeout: float = 5.0) -> IpcPublisher:
    return IpcPublisher(IpcClient(platform.paths.socket("push"), service="sogoms-push", timeout=timeout))


async def wait_health(client: IpcPublisher, ok: bool, within: float = 10.0) -> dict:
    import asyncio

    deadline = time.monotonic() + within
    while True:
        report = await client.health()
        if report["ok"] is ok or time.monotonic() > deadline:
            assert report["ok"] is ok, report
            return report
        await asyncio.sleep(0.05)
