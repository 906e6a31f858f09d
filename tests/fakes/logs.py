"""The log sink and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from application.ports.audit import AuditEntry, AuditTrail
from application.ports.logs import LogSink


@dataclass
class FakeLogSink:
    events: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    errors: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        self.events.append((app_id, event, data or {}, type))

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        self.errors.append((app_id, message, level, data or {}))

    async def health(self) -> dict[str, Any]:
        return {"ok": True}

    def audit(self, event: str | None = None) -> list[tuple[str, str, dict[str, Any], str]]:
        """The entries written to the `audit` log (of one event name when given)."""
        return [e for e in self.events if e[3] == "audit" and (event is None or e[1] == event)]


@dataclass
class FakeAuditTrail:
    entries: list[AuditEntry] = field(default_factory=list)

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


# the fakes fit their ports (mypy checks these)
_logs: LogSink = FakeLogSink()
_audit: AuditTrail = FakeAuditTrail()
