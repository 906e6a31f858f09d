"""The log files themselves: names, JSON lines, one writer per file, acknowledgement, retention, forged lines."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.context import request_id
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.logs.retention import keep_retention
from domain.errors import BadRequest
from tests.fakes.clock import FakeClock

DAY1 = datetime(2025, 12, 16, 23, 59, 30, tzinfo=UTC)


def lines(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    return [json.loads(line) for line in raw.split(b"\n")[:-1]]


async def test_files_are_named_by_app_day_and_type_one_json_object_a_line(tmp_path):
    clock = FakeClock(DAY1.timestamp())
    sink = JsonLinesLogSink(tmp_path, clock=clock.utc)
    token = request_id.set("rid-1")
    try:
        await sink.log_event("prokov", "login", {"user_id": 1})
        await sink.log_error("prokov", "db down", "warn", {"code": "SERVICE_UNAVAILABLE"})
        await sink.log_event("prokov", "created", {"id": 3}, type="audit")
        clock.set((DAY1 + timedelta(minutes=1)).timestamp())  # midnight passed: the next day's file
        await sink.log_event("prokov", "logout")
    finally:
        request_id.reset(token)
        sink.close()
    assert sorted(os.listdir(tmp_path)) == [
        "prokov-20251216-audit.log",
        "prokov-20251216-errors.log",
        "prokov-20251216-events.log",
        "prokov-20251217-events.log",
    ]
    (event,) = lines(tmp_path / "prokov-20251216-events.log")
    assert event == {
        "ts": "2025-12-16T23:59:30.000+00:00",
        "app": "prokov",
        "type": "events",
        "event": "login",
        "request_id": "rid-1",
        "data": {"user_id": 1},
    }
    (error,) = lines(tmp_path / "prokov-20251216-errors.log")
    assert (error["level"], error["message"], error["data"]) == ("warn", "db down", {"code": "SERVICE_UNAVAILABLE"})
    assert lines(tmp_path / "prokov-20251217-events.log")[0]["event"] == "logout"


async def test_a_write_is_in_the_file_when_it_is_acknowledged(tmp_path):
    sink = JsonLinesLogSink(tmp_path)
    try:
        for n in range(20):
            await sink.log_event("prokov", "tick", {"n": n})
            # read through another handle, as a shipper would: the entry is there already
            assert lines(sink.path_for("prokov", "events"))[-1]["data"] == {"n": n}
    finally:
        sink.close()


@pytest.mark.parametrize(
    ("app", "type"), [("../etc", "events"), ("prokov", "../x"), ("Prokov", "events"), ("", "events"), ("p", "a/b")]
)
async def test_names_that_could_leave_the_folder_are_refused(tmp_path, app, type):
    sink = JsonLinesLogSink(tmp_path)
    with pytest.raises(BadRequest):
        await sink.log_event(app, "x", type=type)
    assert os.listdir(tmp_path) == []


async def test_500_concurrent_writers_never_break_a_line(tmp_path):
    sink = JsonLinesLogSink(tmp_path)
    blob = "x" * 5000  # several entries exceed any single small write

    async def writer(w: int) -> None:
        for n in range(3):
            await sink.log_event("prokov", "w", {"w": w, "n": n, "blob": blob})
            await asyncio.sleep(0)

    try:
        await asyncio.gather(*(writer(w) for w in range(500)))
    finally:
        sink.close()
    got = lines(sink.path_for("prokov", "events"))
    assert sorted((e["data"]["w"], e["data"]["n"]) for e in got) == [(w, n) for w in range(500) for n in range(3)]
    assert all(e["data"]["blob"] == blob for e in got)


def touch(folder, name: str) -> None:
    (folder / name).write_text('{"old": true}\n')


async def test_retention_deletes_files_older_than_each_apps_days_at_start_and_daily(tmp_path):
    today = datetime(2025, 12, 16, 22, 0, tzinfo=UTC)
    clock = FakeClock(today.timestamp())
    sink = JsonLinesLogSink(tmp_path, clock=clock.utc)
    sink.set_retention({"prokov": 30, "koprogo": 7})
    day = lambda n: (today - timedelta(days=n)).strftime("%Y%m%d")  # noqa: E731
    for n in (0, 29, 30, 31, 90):
        touch(tmp_path, f"prokov-{day(n)}-events.log")
    for n in (7, 8):
        touch(tmp_path, f"koprogo-{day(n)}-errors.log")
    touch(tmp_path, f"other-{day(40)}-events.log")  # not configured: the default 30 days
    touch(tmp_path, "notes-20000101.txt")  # not a log file of ours: never touched
    touch(tmp_path, "prokov-2000-events.log")

    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:  # time passes only when the schedule sleeps
        sleeps.append(seconds)
        clock.advance(seconds)
        if len(sleeps) == 3:  # 25 h passed: one day change
            raise asyncio.CancelledError

    async def run_until(hours: int) -> None:
        with pytest.raises(asyncio.CancelledError):
            await keep_retention(sink, clock.utc, sleep=sleep, check_every=hours * 3600)

    # at start
    with pytest.raises(asyncio.CancelledError):
        await keep_retention(sink, clock.utc, sleep=_cancel)
    assert sorted(os.listdir(tmp_path)) == sorted(
        [
            f"prokov-{day(0)}-events.log",
            f"prokov-{day(29)}-events.log",
            f"prokov-{day(30)}-events.log",
            f"koprogo-{day(7)}-errors.log",
            "notes-20000101.txt",
            "prokov-2000-events.log",
        ]
    )
    # later, as the days change, the next files age out
    clock.set(today.timestamp())
    await run_until(12)  # purges at 22:00 (start), 10:00 next day (day changed) -> day 30 and day 7 go
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f"prokov-{day(0)}-events.log", f"prokov-{day(29)}-events.log", "notes-20000101.txt", "prokov-2000-events.log"]
    )
    assert sleeps == [12 * 3600] * 3


async def _cancel(_seconds: float) -> None:
    raise asyncio.CancelledError


FORGERY = st.text(
    alphabet=st.sampled_from(list('ab@."\\{}:,\n\r\t\x1b[31m\x00\x0b\x0c\x1c\x1d\x1e\x85\x9b\u2028\u2029é🙂')),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(username=FORGERY)
def test_a_forged_username_cannot_forge_a_line(tmp_path_factory, username):
    folder = tmp_path_factory.mktemp("forge")
    sink = JsonLinesLogSink(folder)
    try:
        asyncio.run(sink.log_event("prokov", "login_failed", {"email": username, "ip": "127.0.0.1"}))
    finally:
        sink.close()
    raw = sink.path_for("prokov", "events").read_bytes()
    text = raw.decode()
    assert raw.count(b"\n") == 1 and len(text.splitlines()) == 1  # one line for bytes and for str readers
    assert "\x1b" not in text and "\x9b" not in text  # nothing a terminal would act on
    assert json.loads(text)["data"]["email"] == username
