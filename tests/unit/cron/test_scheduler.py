"""The scheduler on a FakeClock: DST days, retries, history expiry, missed firings, overlaps, several instances."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime

from domain.cron import RetryPolicy
from domain.errors import Forbidden, Unavailable
from tests.fakes.clock import FakeClock
from tests.fakes.cron import FakeRunStore
from tests.unit.cron.conftest import PARIS, Cron, RecordingRunner, app_cron, paris, spec


def local(ts: float | None) -> str:
    assert ts is not None
    return datetime.fromtimestamp(ts, PARIS).isoformat()


def fired(cron: Cron, job: str) -> list[str]:
    return [local(r.scheduled_for) for r in cron.store.of("prokov", job) if r.status == "success"]


async def test_daily_0230_job_runs_once_on_both_dst_days():
    jobs = {"night": spec("30 2 * * *"), "quarter": spec("*/15 * * * *")}
    # spring forward: 2026-03-29 02:00 CET -> 03:00 CEST (02:30 does not exist)
    cron = Cron(paris(2026, 3, 28, 12, 0), {"prokov": app_cron(jobs)})
    await cron.run_until(paris(2026, 3, 30, 12, 0))
    assert fired(cron, "night") == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]
    quarter = fired(cron, "quarter")
    assert quarter[quarter.index("2026-03-29T01:45:00+01:00") + 1] == "2026-03-29T03:00:00+02:00"
    assert_every_quarter_hour(cron, 47)  # 47 real hours between the two noons

    # fall back: 2026-10-25 03:00 CEST -> 02:00 CET (02:30 happens twice)
    cron = Cron(paris(2026, 10, 24, 12, 0), {"prokov": app_cron(jobs)})
    await cron.run_until(paris(2026, 10, 26, 12, 0))
    assert fired(cron, "night") == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    quarter = fired(cron, "quarter")
    assert "2026-10-25T02:30:00+02:00" in quarter and "2026-10-25T02:30:00+01:00" in quarter
    assert_every_quarter_hour(cron, 49)  # an hour-wildcard job follows real time through the repeated hour


def assert_every_quarter_hour(cron: Cron, hours: int) -> None:
    times = [r.scheduled_for for r in cron.store.of("prokov", "quarter")]
    assert len(times) == hours * 4 + 1
    assert {b - a for a, b in itertools.pairwise(times)} == {900.0}  # type: ignore[operator]


async def test_weekday_job_fires_at_0800_paris_on_weekdays_only():
    cron = Cron(paris(2026, 5, 1, 10, 0), {"prokov": app_cron({"tasks_today": spec("0 8 * * 1-5")})})
    await cron.run_until(paris(2026, 5, 8, 9, 0))
    assert fired(cron, "tasks_today") == [f"2026-05-{d:02d}T08:00:00+02:00" for d in (4, 5, 6, 7, 8)]
    assert datetime.fromtimestamp(cron.store.of("prokov")[0].scheduled_for, UTC).hour == 6  # type: ignore[arg-type]


async def test_a_failure_is_retried_after_the_delay_then_succeeds():
    runner = RecordingRunner(Unavailable("smtp down"))
    crons = {"prokov": app_cron({"job": spec("0 8 * * *")}, retry=RetryPolicy(3, "5m"))}
    cron = Cron(paris(2026, 5, 4, 8, 0), crons, runner)
    await cron.step()
    [run] = cron.store.of("prokov")
    assert (run.status, run.attempts, run.error) == ("success", 2, None)
    assert [c[3] for c in runner.calls] == [1, 2]
    assert cron.clock.slept == [300.0]
    assert run.duration_ms == 300_000
    assert cron.store.locks[("prokov", "job")] == (None, 0.0)  # lease released


async def test_retries_stop_at_max_attempts_and_final_errors_are_not_retried():
    runner = RecordingRunner(Unavailable("a"), Unavailable("b"), Unavailable("c"))
    crons = {"prokov": app_cron({"job": spec("0 8 * * *")}, retry=RetryPolicy(3, "1m"))}
    cron = Cron(paris(2026, 5, 4, 8, 0), crons, runner)
    await cron.step()
    [run] = cron.store.of("prokov")
    assert (run.status, run.attempts, run.error) == ("failed", 3, "SERVICE_UNAVAILABLE: c")
    assert cron.logs.errors and "cron job job failed" in cron.logs.errors[0][1]

    runner = RecordingRunner(Forbidden("refused address"))
    cron = Cron(paris(2026, 5, 4, 8, 0), crons, runner)
    await cron.step()
    assert [(r.status, r.attempts) for r in cron.store.of("prokov")] == [("failed", 1)]


async def test_a_job_level_retry_overrides_the_apps():
    crons = {"prokov": app_cron({"job": spec("0 8 * * *", retry=RetryPolicy(1))}, retry=RetryPolicy(5, "1m"))}
    cron = Cron(paris(2026, 5, 4, 8, 0), crons, RecordingRunner(Unavailable("x")))
    await cron.step()
    assert cron.store.of("prokov")[0].attempts == 1


async def test_history_older_than_history_days_is_deleted():
    crons = {"prokov": app_cron({"job": spec("0 8 * * *")}, history_days=2)}
    cron = Cron(paris(2026, 5, 4, 7, 0), crons)
    await cron.run_until(paris(2026, 5, 7, 9, 0))
    # runs of the 4th, 5th, 6th and 7th; the hourly purge removed those older than 2 days
    assert [local(r.scheduled_for)[:10] for r in cron.store.of("prokov")] == ["2026-05-06", "2026-05-07"]
    assert len(cron.recorded.calls) == 4


async def test_a_firing_missed_while_down_runs_once_at_start_within_grace():
    crons = {"prokov": app_cron({"tasks_today": spec("0 8 * * 1-5")}, grace="1h")}
    cron = Cron(paris(2026, 5, 4, 8, 40), crons)  # started 40 min late on a Monday
    await cron.step()
    [run] = cron.store.of("prokov")
    assert (run.kind, run.status, local(run.scheduled_for)) == ("missed", "success", "2026-05-04T08:00:00+02:00")
    await cron.step()  # not again
    assert len(cron.store.of("prokov")) == 1
    assert local(cron.scheduler.next_due("prokov", "tasks_today")) == "2026-05-05T08:00:00+02:00"


async def test_a_firing_missed_beyond_grace_is_not_run():
    crons = {"prokov": app_cron({"tasks_today": spec("0 8 * * 1-5")}, grace="1h")}
    cron = Cron(paris(2026, 5, 4, 9, 30), crons)
    await cron.step()
    assert cron.store.of("prokov") == [] and cron.recorded.calls == []
    assert local(cron.scheduler.next_due("prokov", "tasks_today")) == "2026-05-05T08:00:00+02:00"


async def test_a_firing_already_run_before_a_restart_is_not_run_again():
    store = FakeRunStore()
    crons = {"prokov": app_cron({"tasks_today": spec("0 8 * * 1-5")})}
    first = Cron(paris(2026, 5, 4, 8, 0), crons, store=store)
    await first.step()
    restarted = Cron(paris(2026, 5, 4, 8, 20), crons, store=store)
    await restarted.step()
    assert [r.owner for r in store.of("prokov")] == ["test"] and restarted.recorded.calls == []


async def test_a_stalled_scheduler_records_the_firing_it_missed_beyond_grace():
    crons = {"prokov": app_cron({"job": spec("0 8 * * *")}, grace="30m")}
    cron = Cron(paris(2026, 5, 4, 7, 59), crons)
    await cron.step()
    cron.clock.set(paris(2026, 5, 4, 9, 0))  # the loop was stalled for an hour
    await cron.step()
    [run] = cron.store.of("prokov")
    assert (run.status, run.kind) == ("skipped", "missed") and "grace" in (run.error or "")
    assert cron.recorded.calls == []


async def test_a_job_never_overlaps_itself():
    runner = RecordingRunner()
    runner.block = asyncio.Event()
    cron = Cron(paris(2026, 5, 4, 8, 0), {"prokov": app_cron({"job": spec("* * * * *")})}, runner)
    await cron.scheduler.tick()  # 08:00 starts and hangs
    await asyncio.sleep(0)
    cron.clock.set(paris(2026, 5, 4, 8, 1))
    await cron.scheduler.tick()  # 08:01 finds 08:00 still running
    await asyncio.sleep(0)
    assert [r.status for r in cron.store.of("prokov")] == ["running", "skipped"]
    runner.block.set()
    await cron.scheduler.idle()
    cron.clock.set(paris(2026, 5, 4, 8, 2))
    await cron.step()
    assert [r.status for r in cron.store.of("prokov")] == ["success", "skipped", "success"]
    assert cron.store.of("prokov")[1].error == "the previous run is still running"


async def test_an_expired_lease_lets_the_next_run_start_and_marks_the_old_one_abandoned():
    store = FakeRunStore()
    crons = {"prokov": app_cron({"job": spec("0 * * * *", timeout="5m")})}
    crashed = await store.claim("prokov", "job", paris(2026, 5, 4, 7, 0), "schedule", "dead", paris(2026, 5, 4, 7, 0))
    assert crashed is not None
    await store.acquire("prokov", "job", crashed, "dead", paris(2026, 5, 4, 7, 0), paris(2026, 5, 4, 7, 6))
    cron = Cron(paris(2026, 5, 4, 8, 0), crons, store=store)
    await cron.step()
    assert [r.status for r in store.of("prokov")] == ["abandoned", "success"]


async def test_two_schedulers_on_one_store_run_each_firing_once():
    store, clock = FakeRunStore(), FakeClock(paris(2026, 5, 4, 8, 0))
    crons = {"prokov": app_cron({"job": spec("* * * * *")})}
    a = Cron(0, crons, store=store, clock=clock, owner="a")
    b = Cron(0, crons, store=store, clock=clock, owner="b")
    for minute in range(30):
        clock.set(paris(2026, 5, 4, 8, minute))
        await asyncio.gather(a.scheduler.tick(), b.scheduler.tick())
        await asyncio.gather(a.scheduler.idle(), b.scheduler.idle())
    runs = store.of("prokov")
    assert len(runs) == 30 == len({r.scheduled_for for r in runs})
    assert len(a.recorded.calls) + len(b.recorded.calls) == 30
    assert all(r.status == "success" for r in runs)


async def test_a_failed_claim_is_tried_again_soon():
    class FlakyStore(FakeRunStore):
        down = True

        async def claim(self, *args, **kw):
            if self.down:
                raise Unavailable("database down")
            return await super().claim(*args, **kw)

    store = FlakyStore()
    cron = Cron(paris(2026, 5, 4, 8, 0), {"prokov": app_cron({"job": spec("0 8 * * *")})}, store=store)
    wake = await cron.step()
    assert wake == paris(2026, 5, 4, 8, 0) + 5 and store.of("prokov") == []
    store.down = False
    cron.clock.set(wake)
    await cron.step()
    assert [r.kind for r in store.of("prokov")] == ["schedule"]


async def test_disabled_jobs_do_not_fire_and_reload_keeps_unchanged_jobs():
    jobs = {"on": spec("0 8 * * *"), "off": spec("0 8 * * *", enabled=False)}
    cron = Cron(paris(2026, 5, 4, 7, 0), {"prokov": app_cron(jobs)})
    await cron.run_until(paris(2026, 5, 4, 9, 0))
    assert [r.job for r in cron.store.of("prokov")] == ["on"]
    assert cron.scheduler.next_due("prokov", "off") is None
    due = cron.scheduler.next_due("prokov", "on")
    cron.catalog.replace({"prokov": app_cron({"on": spec("0 8 * * *"), "new": spec("0 12 * * *")})})
    cron.scheduler.configure()
    assert cron.scheduler.next_due("prokov", "on") == due
    assert local(cron.scheduler.next_due("prokov", "new")) == "2026-05-04T12:00:00+02:00"


async def test_every_run_is_logged_with_job_result_duration_and_error():
    cron = Cron(
        paris(2026, 5, 4, 8, 0), {"prokov": app_cron({"job": spec("0 8 * * *")})}, RecordingRunner(Forbidden("no"))
    )
    await cron.step()
    [(app, event, data, kind)] = cron.logs.events
    assert (app, event, kind) == ("prokov", "cron.run", "cron")
    assert data["job"] == "job" and data["result"] == "failed" and data["duration_ms"] == 0
    assert data["error"] == "FORBIDDEN: no" and data["scheduled_for"] == "2026-05-04T06:00:00Z"


async def test_a_run_longer_than_its_timeout_fails():
    class Slow:
        async def run(self, ctx):
            await asyncio.sleep(5)
            return {}

    cron = Cron(paris(2026, 5, 4, 8, 0), {"prokov": app_cron({"job": spec("0 8 * * *", timeout="50ms")})}, Slow())
    await cron.step()
    [run] = cron.store.of("prokov")
    assert (run.status, run.error) == ("failed", "timed out after 50ms")


async def test_stopping_interrupts_a_run_that_outlives_the_drain_and_records_it():
    runner = RecordingRunner()
    runner.block = asyncio.Event()
    cron = Cron(paris(2026, 5, 4, 8, 0), {"prokov": app_cron({"job": spec("0 8 * * *")})}, runner)
    await cron.scheduler.tick()
    await asyncio.sleep(0)
    assert cron.scheduler.running == 1
    await cron.scheduler.close(drain=0.01)
    [run] = cron.store.of("prokov")
    assert (run.status, run.error) == ("failed", "interrupted: sogoms-cron stopped")
    assert cron.store.locks[("prokov", "job")] == (None, 0.0)


async def test_the_run_loop_wakes_for_each_firing_on_its_clock():
    cron = Cron(paris(2026, 5, 4, 7, 58, 30), {"prokov": app_cron({"job": spec("* * * * *")})})
    loop = asyncio.ensure_future(cron.scheduler.run())
    try:
        for _ in range(10_000):
            await asyncio.sleep(0)
            if len(cron.store.of("prokov")) >= 4:
                break
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    await cron.scheduler.idle()
    runs = cron.store.of("prokov")[:4]
    assert [local(r.scheduled_for)[11:16] for r in runs] == ["07:58", "07:59", "08:00", "08:01"]
    assert {r.kind for r in runs} == {"schedule"}
