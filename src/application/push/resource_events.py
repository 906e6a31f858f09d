"""Tell a row's owner about each write: queued, published in the background, never in the way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from domain.app import App
from domain.errors import DomainError
from domain.principal import Principal
from domain.push import EventKind, ResourceEvent

from .ports import EventPublisher

log = logging.getLogger("sogoms.push")


def resource_event(app: App, principal: Principal, resource: str, kind: EventKind, key: Any, row: Any) -> ResourceEvent:
    """The event for this write; the owner is the row's `user_id` when it has one, else the caller."""
    owner = row.get("user_id") if isinstance(row, dict) else None
    if owner is None or isinstance(owner, bool) or not isinstance(owner, int | str):
        owner = principal.user_id
    return ResourceEvent(app.name, owner, resource, kind, key)


class NoResourceEvents:
    """Implements ResourceEvents when push is off: nothing is published."""

    def written(
        self, app: App, principal: Principal, resource: str, kind: EventKind, key: Any, row: Any = None
    ) -> None:
        return None

    async def close(self) -> None:
        return None


class QueuedResourceEvents:
    """Implements ResourceEvents: a bounded queue drained by a few workers calling EventPublisher.notify_user.

    A full queue drops the event (counted, logged); a failed publish is counted and logged once per outage,
    so a push outage never slows or fails an HTTP request.
    """

    def __init__(self, publisher: EventPublisher, max_queue: int = 1000, workers: int = 4) -> None:
        self._publisher = publisher
        self._queue: asyncio.Queue[ResourceEvent] = asyncio.Queue(max_queue)
        self._workers_wanted = max(1, workers)
        self._workers: list[asyncio.Task[None]] = []
        self.published = 0
        self.failed = 0
        self.dropped = 0
        self._failing = False

    def written(
        self, app: App, principal: Principal, resource: str, kind: EventKind, key: Any, row: Any = None
    ) -> None:
        push = app.settings.push
        if not push.enabled or not push.allows(resource):
            return
        try:
            self._queue.put_nowait(resource_event(app, principal, resource, kind, key, row))
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("push: event queue full, %d events dropped so far", self.dropped)
            return
        if not self._workers:
            self._workers = [asyncio.ensure_future(self._work()) for _ in range(self._workers_wanted)]

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def _work(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._publisher.notify_user(event.app, event.owner, event.resource, event.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever goes wrong, the gateway goes on
                self._failed(event, exc)
            else:
                self.published += 1
                if self._failing:
                    self._failing = False
                    log.info("push: publishing again (%d events failed during the outage)", self.failed)
            finally:
                self._queue.task_done()

    def _failed(self, event: ResourceEvent, exc: Exception) -> None:
        self.failed += 1
        reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, DomainError) and exc.code != "SERVICE_UNAVAILABLE":
            log.warning("push: %s event for %s/%s refused: %s", event.kind.value, event.app, event.resource, reason)
        elif not self._failing:
            self._failing = True
            log.warning("push: cannot publish CRUD events (%s); dropping them until push is back", reason)

    async def close(self, drain: float = 2.0) -> None:
        """Give queued events up to `drain` seconds to go out, then stop the workers."""
        if self._workers and self._queue.qsize():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), drain)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
