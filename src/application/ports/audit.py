"""The audit trail port: every data write through the gateway leaves an entry (SPEC section 10)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AuditEntry:
    app: str
    user_id: Any
    resource: str
    record_id: Any
    action: str  # create | update | delete
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""


class AuditTrail(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Stored before the write is reported done; not writable through the API."""
        ...


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, before and after."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
