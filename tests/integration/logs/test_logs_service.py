"""sogoms-logs as a real process: 500 concurrent writers on one file, retention at start, forged usernames."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from adapters.ipc.client import IpcClient
from adapters.ipc.logs import IpcLogSink
from tests.support.platform import build_platform
from tests.support.processes import start, stop, wait_for_socket


def today() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


@pytest.fixture
def logs_platform(tmp_path):
    return build_platform(tmp_path, "sqlite", migrate=False)


@pytest.fixture
def logs_process(logs_platform):
    proc = start("sogoms-logs", env=logs_platform.env, log=logs_platform.paths.run / "sogoms-logs.out")
    try:
        wait_for_socket(logs_platform.paths.socket("logs"), proc=proc)
        yield proc
    finally:
        stop(proc)


async def test_500_concurrent_writers_get_whole_lines_all_acknowledged_written(logs_platform, logs_process):
    socket = logs_platform.paths.socket("logs")
    sinks = [IpcLogSink(IpcClient(socket, service="sogoms-logs", pool_size=1)) for _ in range(500)]
    blob = "é" * 3000

    async def writer(w: int, sink: IpcLogSink) -> None:
        for n in range(4):
            await sink.log_event("prokov", "bulk", {"w": w, "n": n, "blob": blob})

    try:
        async with asyncio.timeout(120):
            await asyncio.gather(*(writer(w, s) for w, s in enumerate(sinks)))
    finally:
        await asyncio.gather(*(s.close() for s in sinks))
    # every call has been acknowledged, so every entry is in the file now, whole
    raw = (logs_platform.paths.logs / f"prokov-{today()}-events.log").read_bytes()
    entries = [json.loads(line) for line in raw.split(b"\n")[:-1]]
    assert sorted((e["data"]["w"], e["data"]["n"]) for e in entries) == [(w, n) for w in range(500) for n in range(4)]
    assert all(e["data"]["blob"] == blob and e["app"] == "prokov" for e in entries)


def test_retention_runs_when_the_service_starts(logs_platform):
    logs = logs_platform.paths.logs
    now = datetime.now(UTC)
    old = (now - timedelta(days=31)).strftime("%Y%m%d")  # prokov keeps 30 days, koprogo 90
    recent = (now - timedelta(days=29)).strftime("%Y%m%d")
    ancient = (now - timedelta(days=91)).strftime("%Y%m%d")
    names = [f"prokov-{x}-events.log" for x in (old, recent)] + [f"koprogo-{x}-errors.log" for x in (old, ancient)]
    for name in names:
        (logs / name).write_text("{}\n")
    proc = start("sogoms-logs", env=logs_platform.env, log=logs_platform.paths.run / "sogoms-logs.out")
    try:
        wait_for_socket(logs_platform.paths.socket("logs"), proc=proc)
        deadline = time.monotonic() + 10
        while (logs / f"prokov-{old}-events.log").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not (logs / f"prokov-{old}-events.log").exists()
        assert not (logs / f"koprogo-{ancient}-errors.log").exists()
        assert (logs / f"prokov-{recent}-events.log").exists()
        assert (logs / f"koprogo-{old}-errors.log").exists()
    finally:
        stop(proc)


FORGED = 'evil\n{"event":"login","data":{"email":"admin@prokov.test"}}\r\x1b[2J\x1b[31mroot\x85\u2028x@prokov.test'


def test_a_forged_username_on_login_cannot_forge_a_log_line(platform, prokov, transport):
    r = prokov.post("auth/login", {"email": FORGED, "password": "wrong-password"})
    assert r.status_code == 401
    raw = (platform.paths.logs / f"prokov-{today()}-events.log").read_bytes()
    text = raw.decode()
    assert "\x1b" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert len(entries) == raw.count(b"\n")
    failed = [e for e in entries if e["event"] == "login_failed"]
    assert len(failed) == 1
    assert failed[0]["data"]["email"] == FORGED.strip().lower()
    assert [e["event"] for e in entries] == ["login_failed"]  # no forged "login" line
