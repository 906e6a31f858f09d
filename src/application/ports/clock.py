"""Time behind two ports, so tests control it: `Clock` (what time it is) and `Pause` (waiting)."""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """What time it is, in seconds: the wall clock (epoch, UTC) for what is stored or shown, a monotonic clock
    where only intervals matter (the supervisor's deadlines). Which one is the wiring's choice."""

    def now(self) -> float: ...


class Pause(Protocol):
    """Waiting: resumes after `seconds` (at once for zero or less). A fake one moves its fake Clock forward."""

    async def sleep(self, seconds: float) -> None: ...
