"""Monotonic time and asyncio sleep (the supervisor's Ticker port)."""

from __future__ import annotations

import asyncio
import time


class MonotonicTicker:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
