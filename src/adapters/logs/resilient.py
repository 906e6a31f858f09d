"""A LogSink whose failures never reach the caller: a log store that cannot write degrades visibly, not the API.

A login, a sign-up or a 5xx is answered by what happened to it, whether or not its log line could be written
(disk full, sogoms-logs failing). A failed entry goes to the process's own log (the service's output, captured
by sogoctl) with what it said, is counted, and `health` says `ok: false` for FAILING_FOR seconds (or until that
log's next entry is written), so the
gateway's /ready and sogoctl show the log store degraded. The audit trail does not use this: its entries must
not be lost (adapters/audit/spool.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from application.ports.logs import LogSink

from .jsonlines import FAILING_FOR

log = logging.getLogger("sogoms.logs")


class ResilientLogSink:
    """Implements LogSink over `inner` (the one that raises); see the module docstring."""

    def __init__(self, inner: LogSink) -> None:
        self.inner = inner
        self.failed_writes = 0
        self.last_error = ""
        self._failing: dict[tuple[str, str], float] = {}  # (app, type) whose last entry failed: when

    def _failed(self, app_id: str, type: str, what: str, exc: Exception) -> None:
        self.failed_writes += 1
        self._failing[(app_id, type)] = time.monotonic()
        self.last_error = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
        log.error("log entry of %s not written (%s): %s", app_id, self.last_error, what[:2000])

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        try:
            await self.inner.log_event(app_id, event, data, type)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a log line must never fail the request it describes
            self._failed(app_id, type, f"{type} {event} {data!r}", exc)
        else:
            self._failing.pop((app_id, type), None)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        try:
            await self.inner.log_error(app_id, message, level, data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self._failed(app_id, "errors", f"{level} {message} {data!r}", exc)
        else:
            self._failing.pop((app_id, "errors"), None)

    async def health(self) -> dict[str, Any]:
        try:
            report = dict(await self.inner.health())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            report = {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}
        report["failed_writes"] = self.failed_writes
        now = time.monotonic()
        self._failing = {k: t for k, t in self._failing.items() if now - t < FAILING_FOR}
        if self._failing:
            report["ok"] = False
            report.setdefault("error", f"log writes failing: {self.last_error}")
        return report

    async def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result
