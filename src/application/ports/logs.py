"""The log sink port: application events and errors, per app, one JSON object a line (sogoms-logs)."""

from __future__ import annotations

from typing import Any, Protocol

LOG_ACTIONS = ("log_event", "log_error", "health")  # sogoms-logs's, on the wire


class LogSink(Protocol):
    """Acknowledges only once the entry is written. `type` picks the file ({app}-{YYYYMMDD}-{type}.log)."""

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None: ...

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None: ...

    async def health(self) -> dict[str, Any]: ...
