"""The scheduler: fires each enabled job at its times, catches up a recently missed firing, purges old history.

Each firing is claimed in the app's database before it runs (see RunStore.claim), so any number of
scheduler instances on one database run it once. `tick()` does one pass and says when to wake next;
`run()` loops on it with the clock port, so tests drive time by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from application.ports.clock import Clock, Pause
from domain.cron import ON_TIME, Job, RunKind
from domain.errors import DomainError

from .catalog import CronCatalog
from .ports import RunRecord, RunStore, Schedule
from .runs import RunExecutor, iso_utc

log = logging.getLogger("sogoms.cron")

CLAIM_RETRY = 5.0  # a firing whose claim failed (database down) is tried again this much later
DAY = 86400.0


@dataclass(slots=True)
class _Slot:
    job: Job
    grace: float
    due: float | None  # the next firing to handle (epoch seconds); None when the job is disabled
    hold_until: float = 0.0  # after a failed claim, the firing is tried again from this time

    def wake(self) -> float | None:
        return None if self.due is None else max(self.due, self.hold_until)


class Scheduler:
    def __init__(
        self,
        catalog: CronCatalog,
        executor: RunExecutor,
        schedule: Schedule,
        clock: Clock,
        pause: Pause,
        store: RunStore,
        *,
        purge_every: float = 3600.0,
        max_sleep: float = 30.0,
    ) -> None:
        self._catalog, self._executor, self._schedule = catalog, executor, schedule
        self._clock, self._pause, self._store = clock, pause, store
        self._purge_every, self._max_sleep = purge_every, max_sleep
        self._slots: dict[tuple[str, str], _Slot] = {}
        self._tasks: set[asyncio.Task[RunRecord]] = set()
        self._purged: dict[str, float] = {}
        self._configured = False
        self._wake: asyncio.Event | None = None

    def configure(self) -> None:
        """Take the catalog's jobs. The first time, a firing missed less than `grace` ago is due at once;
        on a reload, unchanged jobs keep their next firing and new or changed ones start from now."""
        now = self._clock.now()
        slots: dict[tuple[str, str], _Slot] = {}
        for app, cron in self._catalog.apps.items():
            for name, job in cron.jobs.items():
                old = self._slots.get((app, name))
                if old is not None and old.job == job and old.grace == cron.grace_seconds:
                    slots[(app, name)] = old
                    continue
                due = self._first_due(job, cron.grace_seconds, now) if job.enabled else None
                slots[(app, name)] = _Slot(job, cron.grace_seconds, due)
        self._slots = slots
        self._configured = True
        if self._wake is not None:
            self._wake.set()

    def _first_due(self, job: Job, grace: float, now: float) -> float:
        if not self._configured:
            latest = self._schedule.latest_at_or_before(job.schedule, job.timezone, now)
            if latest is not None:
                if now - latest <= max(ON_TIME, grace):
                    return latest
                log.info(
                    "cron %s/%s: the firing of %s is %.0fs old, beyond the grace period: not caught up",
                    job.app,
                    job.name,
                    iso_utc(latest),
                    now - latest,
                )
        return self._schedule.next_after(job.schedule, job.timezone, now)

    async def tick(self) -> float:
        """Claim and start every due firing; purge expired history; the time of the next thing to do."""
        if not self._configured:
            self.configure()
        now = self._clock.now()
        wake = [now + self._max_sleep]
        for slot in list(self._slots.values()):
            at = slot.wake()
            if at is None or at > now:
                continue
            try:
                await self._fire(slot, now)
            except DomainError as exc:
                log.error("cron %s/%s: could not claim its firing: %s", slot.job.app, slot.job.name, exc.message)
                slot.hold_until = now + CLAIM_RETRY
        wake.append(await self._purge(now))
        wake.extend(at for s in self._slots.values() if (at := s.wake()) is not None)
        return min(wake)

    async def _fire(self, slot: _Slot, now: float) -> None:
        job, due = slot.job, slot.due
        assert due is not None
        latest = self._schedule.latest_at_or_before(job.schedule, job.timezone, now)
        fire = max(due, latest if latest is not None else due)
        if fire > due:
            log.warning(
                "cron %s/%s: firings from %s to %s were missed (the scheduler was stalled)",
                job.app,
                job.name,
                iso_utc(due),
                iso_utc(fire),
            )
        late = now - fire
        if late <= ON_TIME or late <= slot.grace:
            kind = RunKind.SCHEDULE if late <= ON_TIME else RunKind.MISSED
            run_id = await self._executor.claim(job, fire, kind)
            if run_id is not None:
                self._spawn(self._executor.execute(job, run_id, kind, fire))
        else:
            await self._executor.skip(
                job, fire, f"missed by {late:.0f}s, more than the grace period ({slot.grace:.0f}s)"
            )
        slot.due = self._schedule.next_after(job.schedule, job.timezone, fire)
        slot.hold_until = 0.0

    async def _purge(self, now: float) -> float:
        for app, cron in self._catalog.apps.items():
            if not cron.jobs or now - self._purged.get(app, -1e18) < self._purge_every:
                continue
            self._purged[app] = now
            try:
                removed = await self._store.purge(app, now - cron.history_days * DAY)
            except DomainError as exc:
                log.warning("cron %s: history not purged: %s", app, exc.message)
                continue
            if removed:
                log.info("cron %s: %d runs older than %d days deleted", app, removed, cron.history_days)
        return min([t + self._purge_every for t in self._purged.values()], default=now + self._purge_every)

    def _spawn(self, coro: Coroutine[Any, Any, RunRecord]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[RunRecord]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("cron run failed to complete", exc_info=task.exception())

    @property
    def running(self) -> int:
        return len(self._tasks)

    def next_due(self, app: str, job: str) -> float | None:
        slot = self._slots.get((app, job))
        return slot.due if slot else None

    async def idle(self) -> None:
        """Wait for the runs started so far to end (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run(self) -> None:
        """Fire jobs until cancelled."""
        self._wake = asyncio.Event()
        while True:
            try:
                wake_at = await self.tick()
            except Exception:  # a bug must not stop every later firing: log it and carry on
                log.exception("cron scheduler pass failed")
                wake_at = self._clock.now() + CLAIM_RETRY
            delay = min(max(wake_at - self._clock.now(), 0.01), self._max_sleep)
            sleeper = asyncio.ensure_future(self._pause.sleep(delay))
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for t in (sleeper, waiter):
                    t.cancel()
                self._wake.clear()

    async def close(self, drain: float = 10.0) -> None:
        """Let running jobs finish for up to `drain` seconds, then interrupt them (recorded as failed)."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=drain)
        for t in pending:
            t.cancel()
        for t in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
