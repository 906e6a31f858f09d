"""Time that moves only when a test moves it: one fake for both time ports (Clock: now, Pause: sleep), and a Pause
that waits for the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from application.ports.clock import Clock, Pause


class FakeClock:
    """Time that moves only when told to; `sleep` advances it at once (and yields to the loop)."""

    def __init__(self, start: float) -> None:
        self.t = float(start)
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def utc(self) -> datetime:
        """The same instant as an aware UTC datetime (for adapters that take a `() -> datetime` clock)."""
        return datetime.fromtimestamp(self.t, UTC)

    def set(self, t: float) -> None:
        self.t = float(t)

    def advance(self, seconds: float) -> None:
        self.t += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


class HeldPause:
    """A Pause that holds every sleeper until the test lets them go, to look at what was reported meanwhile."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self._go = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self._go.wait()

    def release(self) -> None:
        """Every sleeper resumes, and later sleeps return at once."""
        self._go.set()


# the fakes fit the time ports (mypy checks these)
_clock: Clock = FakeClock(0)
_pause: Pause = FakeClock(0)
_held: Pause = HeldPause()
