"""The Mailer port: what a caller (gateway, cron) asks of sogoms-smtp, in-process or over IPC.

Method names and parameters are the service's IPC actions and their params, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

MAIL_ACTIONS = ("send", "send_template", "send_bulk", "status", "health")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One addressee of a bulk send and the data its copy is rendered with."""

    to: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Queued:
    message_id: str
    status: str = "queued"


@dataclass(frozen=True, slots=True)
class BulkQueued:
    queued: int
    message_ids: list[str]


@dataclass(frozen=True, slots=True)
class MessageStatus:
    """Where one message is in the outbox; times are ISO 8601 UTC."""

    message_id: str
    status: str
    recipient: str
    subject: str
    attempts: int
    last_error: str
    created_at: str
    next_attempt_at: str | None
    sent_at: str | None


class Mailer(Protocol):
    """Queues mail in the app's outbox; a call returns once the message is stored (delivery follows)."""

    async def send(
        self, app_id: str, to: str, subject: str, body: str, body_html: str = "", reply_to: str = ""
    ) -> Queued: ...

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None, subject: str = ""
    ) -> Queued: ...

    async def send_bulk(
        self,
        app_id: str,
        recipients: list[Recipient],
        template: str = "",
        subject: str = "",
        body: str = "",
        body_html: str = "",
    ) -> BulkQueued:
        """One message per recipient, each rendered with its own data; delivered at the app's `smtp.rate`."""
        ...

    async def status(self, app_id: str, message_id: str) -> MessageStatus: ...

    async def health(self) -> dict[str, Any]: ...
