"""A LogSink that writes through sogoms-logs and, when that service is down, appends to the same files itself."""

from __future__ import annotations

import logging
from typing import Any

from application.ports.logs import LogSink
from domain.errors import Unavailable

log = logging.getLogger("sogoms.logs")


class FallbackLogSink:
    """Implements LogSink: `primary` (IPC to sogoms-logs) first, `fallback` (the JSON-lines files) if it is down."""

    def __init__(self, primary: LogSink, fallback: LogSink) -> None:
        self._primary, self._fallback = primary, fallback

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        try:
            await self._primary.log_event(app_id, event, data, type)
        except Unavailable as exc:
            log.warning("sogoms-logs unavailable (%s): writing the %s entry directly", exc.message, type)
            await self._fallback.log_event(app_id, event, data, type)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        try:
            await self._primary.log_error(app_id, message, level, data)
        except Unavailable:
            await self._fallback.log_error(app_id, message, level, data)

    async def health(self) -> dict[str, Any]:
        """The primary's health: readiness must show sogoms-logs down even while entries still get written."""
        try:
            return await self._primary.health()
        except Unavailable as exc:
            return {"ok": False, "error": exc.message, "fallback": "writing the log files directly"}
