"""Per-request context that follows a request through IPC calls and log lines (X-Request-ID)."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("sogoms_request_id", default="")
