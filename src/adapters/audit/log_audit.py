"""The audit trail as `{app}-{YYYYMMDD}-audit.log` entries of sogoms-logs (read by admins, not by the API)."""

from __future__ import annotations

from typing import Any

from application.ports.audit import AuditEntry
from application.ports.logs import LogSink


def audit_data(entry: AuditEntry) -> dict[str, Any]:
    """What an audit log entry holds (written directly, or shipped later from the spool)."""
    return {
        "user_id": entry.user_id,
        "resource": entry.resource,
        "id": entry.record_id,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
    }


class LogAuditTrail:
    """Implements AuditTrail over the LogSink port (in-process files or sogoms-logs over IPC)."""

    def __init__(self, logs: LogSink) -> None:
        self._logs = logs

    async def record(self, entry: AuditEntry) -> None:
        await self._logs.log_event(entry.app, f"{entry.resource}.{entry.action}", audit_data(entry), type="audit")
