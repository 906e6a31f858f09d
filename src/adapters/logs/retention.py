"""Log retention on a schedule: purge at start, then again each time the day changes (checked hourly).

Each check also closes the files of past days, even when nothing has been written since midnight."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from .jsonlines import JsonLinesLogSink

log = logging.getLogger("sogoms.logs")
CHECK_EVERY = 3600.0


async def keep_retention(
    sink: JsonLinesLogSink,
    clock: Callable[[], datetime],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    check_every: float = CHECK_EVERY,
) -> None:
    """Runs until cancelled. The purge runs on the event loop, so it never races a write for a file handle."""
    purged_on: date | None = None
    while True:
        today = clock().date()
        sink.close_stale(today.strftime("%Y%m%d"))  # no entry since midnight: yesterday's files still closed
        if today != purged_on:
            try:
                sink.purge()
                purged_on = today
            except OSError as exc:  # a full or read-only disk must not end the schedule
                log.error("log retention failed, trying again later: %s", exc)
        await sleep(check_every)
