"""The Clock and Pause ports on the system: wall time, monotonic time, asyncio's sleep."""

from __future__ import annotations

import asyncio
import time


class SystemClock:
    """Implements Clock with the wall clock (seconds since the epoch)."""

    def now(self) -> float:
        return time.time()


class MonotonicClock:
    """Implements Clock with a clock that never goes back (intervals and deadlines only)."""

    def now(self) -> float:
        return time.monotonic()


class AsyncioPause:
    """Implements Pause with the event loop's sleep."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
