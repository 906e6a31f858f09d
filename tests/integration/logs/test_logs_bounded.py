"""sogoms-logs stays bounded whatever it is sent, and says so when it cannot write (issue 11, item 4).

Against the real process: unknown app ids are refused without a file; many files of known apps never hold more
than MAX_OPEN descriptors; a file on a full disk (a link to /dev/full) answers SERVICE_UNAVAILABLE and turns
health to ok: false until a write succeeds again. The day rollover closes the previous day's files.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from adapters.logs.jsonlines import MAX_OPEN, JsonLinesLogSink
from domain.errors import Unavailable, UnknownApp
from tests.support.ipc import IpcError, ipc_call
from tests.support.platform import build_platform
from tests.support.processes import start, stop, wait_for_socket


def today() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


def open_files(pid: int) -> int:
    """Regular files the process holds open (sockets, pipes and /dev entries left out)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        count += target.endswith(".log")
    return count


@pytest.fixture
def logs_service(tmp_path):
    platform = build_platform(tmp_path, "sqlite", migrate=False)
    proc = start("sogoms-logs", env=platform.env, log=platform.paths.run / "sogoms-logs.out")
    try:
        wait_for_socket(platform.paths.socket("logs"), proc=proc)
        yield platform, proc
    finally:
        stop(proc)


def test_unknown_app_ids_are_refused_and_open_no_file(logs_service):
    platform, proc = logs_service
    socket = platform.paths.socket("logs")
    for n in range(2000):
        with pytest.raises(IpcError) as err:
            ipc_call(socket, "log_event", {"app_id": f"ghost{n}", "event": "x"})
        assert err.value.code == "UNKNOWN_APP"
        assert f"ghost{n}" in err.value.message
    assert open_files(proc.pid) == 0
    assert not list(platform.paths.logs.glob("ghost*"))
    ipc_call(socket, "log_event", {"app_id": "prokov", "event": "ok"})  # a configured app is written
    ipc_call(socket, "log_event", {"app_id": "_admin", "event": "admin.sign_in", "type": "audit"})  # platform log
    health = ipc_call(socket, "health")
    assert health["ok"] is True and health["refused_unknown_app"] == 2000 and health["open_files"] == 2
    assert proc.poll() is None


def test_open_files_are_bounded_least_recently_written_closed_first(logs_service):
    platform, proc = logs_service
    socket = platform.paths.socket("logs")
    for n in range(MAX_OPEN + 72):
        ipc_call(socket, "log_event", {"app_id": "prokov", "event": "e", "type": f"t{n}"})
    assert open_files(proc.pid) == MAX_OPEN
    assert ipc_call(socket, "health")["open_files"] == MAX_OPEN
    # a closed file is opened again and appended to, nothing lost
    ipc_call(socket, "log_event", {"app_id": "prokov", "event": "again", "type": "t0"})
    lines = (platform.paths.logs / f"prokov-{today()}-t0.log").read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["e", "again"]


def test_a_full_disk_answers_unavailable_and_health_says_so_until_writes_succeed(logs_service):
    platform, proc = logs_service
    socket = platform.paths.socket("logs")
    target = platform.paths.logs / f"prokov-{today()}-events.log"
    target.symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    with pytest.raises(IpcError) as err:
        ipc_call(socket, "log_event", {"app_id": "prokov", "event": "lost"})
    assert err.value.code == "SERVICE_UNAVAILABLE"
    assert "No space left on device" in err.value.message
    health = ipc_call(socket, "health")
    assert health["ok"] is False
    assert "writes failing" in health["error"] and "No space left" in health["error"]
    assert health["write_errors"] == 1
    target.unlink()  # space again
    ipc_call(socket, "log_event", {"app_id": "prokov", "event": "kept"})
    health = ipc_call(socket, "health")
    assert health["ok"] is True and health["written"] == 1
    assert "No space left" in health["last_write_error"]
    assert [json.loads(line)["event"] for line in target.read_text().splitlines()] == ["kept"]
    assert proc.poll() is None


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_a_new_day_closes_the_previous_days_files(tmp_path):
    clock = Clock(datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    sink = JsonLinesLogSink(tmp_path, clock=clock)
    for app in ("prokov", "koprogo"):
        for type in ("events", "audit", "mail"):
            await sink.log_event(app, "e", type=type)
    assert (await sink.health())["open_files"] == 6
    clock.now += timedelta(minutes=2)
    await sink.log_event("prokov", "e")  # one entry of the new day: the six of yesterday are closed
    assert (await sink.health())["open_files"] == 1
    clock.now += timedelta(days=1)
    assert sink.close_stale() == 1  # nothing written since midnight: the hourly check closes it
    assert (await sink.health())["open_files"] == 0
    sink.close()


async def test_the_known_check_refuses_before_anything_is_opened(tmp_path):
    sink = JsonLinesLogSink(tmp_path, known=lambda app: app == "prokov")
    with pytest.raises(UnknownApp):
        await sink.log_error("koprogo", "boom")
    await sink.log_error("prokov", "boom")
    assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["prokov"]
    (tmp_path / f"prokov-{today()}-events.log").symlink_to("/dev/full")
    with pytest.raises(Unavailable):
        await sink.log_event("prokov", "x")
    sink.close()
