"""Two cron instances (each its own thread, event loop and connection pool) on one database: each firing once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from adapters.schedule.croniter_schedule import CroniterSchedule
from adapters.sql.cron_store import SqlCronStore
from adapters.sql.database import SqlAlchemyDatabase
from application.cron.catalog import CronCatalog
from application.cron.runners import ServiceJobRunner
from application.cron.runs import RunExecutor
from application.cron.scheduler import Scheduler
from domain.app import DatabaseSettings
from domain.cron import JobType
from tests.fakes.clock import FakeClock
from tests.fakes.cron import FakeServiceCaller
from tests.fakes.logs import FakeLogSink
from tests.unit.cron.conftest import app_cron, paris, spec

OCCURRENCES = 60


class Instance:
    """One scheduler in a thread of its own, on its own engine, sharing only the database and the clock."""

    def __init__(self, name: str, url: str, secrets: Path, clock: FakeClock) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()
        self.services = FakeServiceCaller()
        self.db = SqlAlchemyDatabase(secrets, {"app": DatabaseSettings(url=url, pool_size=2)})
        store = SqlCronStore(self.db)
        runners = {t: ServiceJobRunner(self.services) for t in JobType}
        executor = RunExecutor(store, runners, clock, clock, FakeLogSink(), name)
        catalog = CronCatalog({"app": app_cron({"every_minute": spec("* * * * *")}, app="app")})
        self.scheduler = Scheduler(catalog, executor, CroniterSchedule(), clock, clock, store)
        self.store = store

    def submit(self, coro) -> Future:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def step(self) -> None:
        await self.scheduler.tick()
        await self.scheduler.idle()

    def close(self) -> None:
        self.submit(self.db.close()).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def instances(cron_db_url: str, tmp_path: Path) -> Iterator[tuple[FakeClock, list[Instance]]]:
    clock = FakeClock(paris(2026, 5, 4, 8, 0))
    pair = [Instance(f"cron-{n}", cron_db_url, tmp_path, clock) for n in ("a", "b")]
    try:
        yield clock, pair
    finally:
        for instance in pair:
            instance.close()


def test_each_firing_runs_once_across_two_instances(instances):
    clock, pair = instances
    start = clock.now()
    for minute in range(OCCURRENCES):
        clock.set(start + 60 * minute)
        for future in [i.submit(i.step()) for i in pair]:  # both tick at the same moment, in parallel
            future.result(60)
    calls = [len(i.services.calls) for i in pair]
    runs = pair[0].submit(pair[0].store.history("app", "every_minute", 500)).result(30)
    assert sum(calls) == OCCURRENCES
    assert sorted(r.scheduled_for for r in runs) == [start + 60 * m for m in range(OCCURRENCES)]
    assert {r.status for r in runs} == {"success"}
    assert {r.owner for r in runs} <= {"cron-a", "cron-b"}
