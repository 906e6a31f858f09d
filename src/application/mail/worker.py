"""The delivery loop: one task per app that can send, woken by new mail, polling otherwise, patient in outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from application.ports.clock import Clock, Pause
from domain.errors import DomainError

from .delivery import DeliverOutbox, Pacer
from .ports import MailAccounts

log = logging.getLogger("sogoms.mail")


class DeliveryLoop:
    """Runs DeliverOutbox for every app of `accounts` until stopped.

    New mail queued in this process wakes its app at once; mail queued elsewhere (another host, another
    worker) is found within `poll` seconds. While an app's server cannot be reached the loop probes it at
    growing intervals (up to `outage_cap`) instead of burning the messages' attempts.
    """

    def __init__(
        self,
        deliver: DeliverOutbox,
        accounts: MailAccounts,
        clock: Clock,
        pause: Pause,
        poll: float = 1.0,
        outage_cap: float = 60.0,
        keep: float = 30 * 86400.0,
    ) -> None:
        self._deliver, self._accounts, self._clock = deliver, accounts, clock
        self._poll, self._outage_cap, self._keep = poll, outage_cap, keep
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._stopping = False
        self._pause = pause

    def wake(self, app_id: str) -> None:
        event = self._events.get(app_id)
        if event is not None:
            event.set()

    def sync(self) -> None:
        """Start a task for every app that can now send, stop those of apps that no longer can."""
        if self._stopping:
            return
        wanted = set(self._accounts.apps())
        for app_id in list(self._tasks):
            if app_id not in wanted:
                self._tasks.pop(app_id).cancel()
                self._events.pop(app_id, None)
        for app_id in sorted(wanted - set(self._tasks)):
            self._events[app_id] = asyncio.Event()
            self._tasks[app_id] = asyncio.create_task(self._run(app_id), name=f"mail-delivery-{app_id}")

    async def start(self) -> None:
        self._stopping = False
        self.sync()

    async def stop(self, drain: float = 10.0) -> None:
        """Let each app finish the message in hand (up to `drain` seconds), then stop."""
        self._stopping = True
        for event in self._events.values():
            event.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=drain)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._tasks.clear()
        self._events.clear()

    async def _wait(self, app_id: str, seconds: float, wakeable: bool = True) -> None:
        event = self._events.get(app_id)
        if event is None or self._stopping:
            return
        if not wakeable:
            await self._pause.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)
        event.clear()

    async def _run(self, app_id: str) -> None:
        pacer = Pacer(self._clock, self._pause)
        outage = 0
        purged_at = 0.0
        while not self._stopping:
            event = self._events.get(app_id)
            if event is not None:
                event.clear()
            try:
                report = await self._deliver(app_id, pacer, stop=lambda: self._stopping)
                if self._clock.now() - purged_at > 3600:
                    purged_at = self._clock.now()
                    await self._deliver_purge(app_id)
            except DomainError as exc:
                log.warning("%s: mail delivery paused: %s", app_id, exc.message)
                await self._wait(app_id, max(self._poll, 1.0))
                continue
            except Exception:
                log.exception("%s: mail delivery failed unexpectedly", app_id)
                await self._wait(app_id, max(self._poll, 1.0))
                continue
            if report.unreachable:
                outage += 1
                if outage == 1:
                    log.warning("%s: SMTP server unreachable, mail waits in the outbox: %s", app_id, report.unreachable)
                await self._wait(app_id, min(self._outage_cap, self._poll * 2 ** min(outage - 1, 30)), wakeable=False)
                continue
            if outage:
                log.info("%s: SMTP server reachable again after %d probe(s)", app_id, outage)
                outage = 0
            if report.processed == 0:
                await self._wait(app_id, self._poll)

    async def _deliver_purge(self, app_id: str) -> None:
        removed = await self._deliver.purge(app_id, self._clock.now() - self._keep)
        if removed:
            log.info("%s: %d delivered or failed message(s) older than the retention were deleted", app_id, removed)
