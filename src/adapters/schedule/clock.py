"""The CronClock port on the system clock and asyncio's sleep."""

from __future__ import annotations

import asyncio
import time


class AsyncioClock:
    """Implements CronClock."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
