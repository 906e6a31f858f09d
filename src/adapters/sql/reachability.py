"""Is an app's database still answering? One bounded wait, then every caller fails fast until it answers again.

A database that refuses connections fails at once by itself. One that is silent (a hung server, a network that
drops packets) would keep every statement, pool checkout and health check waiting: a statement that has had no
answer for STALL seconds makes the gate probe the database on a connection of its own (outside the pool, which
hung statements may fill) for at most PROBE_TIMEOUT. No answer: the database is marked unreachable, the waiting
statements are cancelled (their connections closed) and every later statement fails at once with
SERVICE_UNAVAILABLE, while a probe runs again at most every RECHECK seconds; the first probe that answers opens the
gate again. A statement that is merely slow (the probe answers) goes on, up to the statement timeout. A database
that refuses (the probe fails at once) does not close the gate: its statements fail fast by themselves and the first
one after it is back succeeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from domain.errors import Unavailable

log = logging.getLogger("sogoms.db")
STALL = 1.0
PROBE_TIMEOUT = 1.0
RECHECK = 0.5
T = TypeVar("T")


class Unreachable(Unavailable):
    default_message = "database unreachable"


class Gate:
    """One app's database: `run(work)` bounded as above; `check()` for health (never longer than PROBE_TIMEOUT)."""

    def __init__(self, app: str, ping: Callable[[], Awaitable[Any]], *, enabled: bool = True) -> None:
        self.app = app
        self._ping = ping  # a round trip on a connection of its own (not the pool's)
        self.enabled = enabled  # SQLite is a local file: nothing to wait for
        self.down_since: float | None = None  # silent since (the gate is closed)
        self.error = ""  # why the last probe failed ("" once one answers)
        self._probe: asyncio.Task[bool] | None = None
        self._probed_at = 0.0
        self._answered_at = 0.0  # when a statement last got its answer

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def _refusal(self) -> Unreachable:
        return Unreachable(f"database unreachable: {self.error}")

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        if not self.enabled:
            return await work()
        if self.down:
            self._probe_soon()
            raise self._refusal()
        task = asyncio.ensure_future(work())
        task.add_done_callback(self._answered)
        try:
            done, _ = await asyncio.wait({task}, timeout=STALL)
            if not done and not await self.check() and not task.done():
                raise self._refusal()
            return await task
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    def _answered(self, task: asyncio.Future[Any]) -> None:
        if not task.cancelled() and task.exception() is None:
            self._answered_at = time.monotonic()

    async def check(self) -> bool:
        """Probe now (or join the probe under way): True if the database answered within PROBE_TIMEOUT."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(self._probe_once())
        return await asyncio.shield(self._probe)

    def _probe_soon(self) -> None:
        if (self._probe is None or self._probe.done()) and time.monotonic() - self._probed_at >= RECHECK:
            self._probe = asyncio.ensure_future(self._probe_once())

    async def _probe_once(self) -> bool:
        self._probed_at = time.monotonic()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self._ping()
        except TimeoutError:
            if self._answered_at >= self._probed_at:
                # a statement got its answer while the probe waited: the database is slow (a loaded host, a Galera
                # flow-control pause), not silent; closing the gate would turn slowness into 503s
                self.down_since, self.error = None, ""
                return True
            return self._mark_down(f"no answer within {PROBE_TIMEOUT:g} s")
        except Exception as exc:  # noqa: BLE001 - refused, reset...: reported, but requests fail fast by themselves
            self.error = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"[:200]
            self.down_since = None
            return False
        if self.down_since is not None:
            log.warning("database of %s answers again after %.2f s", self.app, time.monotonic() - self.down_since)
        self.down_since, self.error = None, ""
        return True

    def _mark_down(self, reason: str) -> bool:
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.error("database of %s unreachable: %s; failing requests at once until it answers", self.app, reason)
        self.error = reason
        return False

    def health(self) -> dict[str, Any]:
        """What `health` says about this database after `check()`: {} when it answered."""
        if not self.error:
            return {}
        report: dict[str, Any] = {"ok": False, "error": f"database unreachable: {self.error}"}
        if self.down_since is not None:
            report["unreachable_for"] = round(time.monotonic() - self.down_since, 3)
        return report

    def close(self) -> None:
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
