"""Cron unit-test helpers: jobs built in code, a FakeClock, an in-memory run store, recording runners."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.schedule.croniter_schedule import CroniterSchedule
from application.cron.actions import CronActions
from application.cron.catalog import CronCatalog
from application.cron.ports import JobRunner, RunContext
from application.cron.runs import RunExecutor
from application.cron.scheduler import Scheduler
from domain.cron import AppCron, CronFile, JobSpec, JobType, RetryPolicy
from tests.fakes.clock import FakeClock
from tests.fakes.cron import FakeRunStore
from tests.fakes.logs import FakeLogSink

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    """Epoch seconds of a Paris wall time (first occurrence when repeated)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS).timestamp()


def spec(schedule: str = "* * * * *", type: str = "service", **kw: Any) -> JobSpec:
    if type == "service":
        kw.setdefault("service", "smtp")
        kw.setdefault("action", "health")
    return JobSpec(schedule=schedule, type=type, **kw)


def app_cron(
    jobs: dict[str, JobSpec],
    app: str = "prokov",
    timezone: str = "Europe/Paris",
    retry: RetryPolicy | None = None,
    grace: str = "1h",
    history_days: int = 7,
) -> AppCron:
    file = CronFile(timezone=timezone, retry=retry or RetryPolicy(), history_days=history_days, grace=grace)
    return AppCron.from_file(app, file, jobs)


class RecordingRunner:
    """A JobRunner that records each call's context and fails with the queued errors first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[str, float, float | None, int]] = []
        self.block: Any = None

    async def run(self, ctx: RunContext) -> dict[str, Any]:
        self.calls.append((ctx.job.name, ctx.fire_time, ctx.scheduled_for, ctx.attempt))
        if self.block is not None:
            await self.block.wait()
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True, "attempt": ctx.attempt}


class Cron:
    """A scheduler, its executor and actions on fakes, for one test."""

    def __init__(
        self,
        start: float,
        crons: dict[str, AppCron],
        runner: JobRunner | None = None,
        store: FakeRunStore | None = None,
        clock: FakeClock | None = None,
        owner: str = "test",
    ) -> None:
        self.clock = clock or FakeClock(start)
        self.store = store or FakeRunStore()
        self.logs = FakeLogSink()
        self.runner = runner or RecordingRunner()
        self.catalog = CronCatalog(crons)
        self.schedule = CroniterSchedule()
        runners = {t: self.runner for t in JobType}
        self.executor = RunExecutor(self.store, runners, self.clock, self.clock, self.logs, owner)
        self.scheduler = Scheduler(self.catalog, self.executor, self.schedule, self.clock, self.clock, self.store)
        self.actions = CronActions(self.catalog, self.executor, self.store, self.schedule, self.clock, self.scheduler)

    @property
    def recorded(self) -> RecordingRunner:
        """The runner, when it is the default RecordingRunner (or one given)."""
        assert isinstance(self.runner, RecordingRunner)
        return self.runner

    async def step(self) -> float:
        """One tick, then wait for the runs it started."""
        wake = await self.scheduler.tick()
        await self.scheduler.idle()
        return wake

    async def run_until(self, end: float) -> None:
        """Jump from one wake-up time to the next until `end` (as the real loop would, without waiting)."""
        while True:
            wake = await self.step()
            if wake > end:
                return
            self.clock.set(wake)


@pytest.fixture
def cron_factory():
    return Cron
