"""Ports of the mail feature: the Mailer its callers use (gateway, cron, mail rules), and the outbox, the SMTP
transport, the templates and the per-app accounts its use cases need."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.app import SmtpSettings
from domain.durations import parse_duration
from domain.mail.outbound import OutboxMessage

# The Mailer port: what a caller asks of sogoms-smtp, in-process or over IPC. Method names and parameters are the
# service's IPC actions and their params, exactly.
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


@dataclass(frozen=True, slots=True)
class MailAccount:
    """How one app sends: its `smtp:` settings, its sender address, and the password read from its secret file."""

    app_id: str
    smtp: SmtpSettings
    sender: str
    password: str = field(default="", repr=False)

    @property
    def timeout(self) -> float:
        return parse_duration(self.smtp.timeout)


class MailAccounts(Protocol):
    def account(self, app_id: str) -> MailAccount:
        """The app's account; NotFound for an unknown app, ConfigError when it has no `smtp:` section."""
        ...

    def apps(self) -> list[str]:
        """The apps that can send mail (those with an `smtp:` section)."""
        ...


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str
    body_html: str


class TemplateRenderer(Protocol):
    def render(self, app_id: str, name: str, data: dict[str, Any]) -> Rendered:
        """The app's template `name` filled with `data`.

        NotFound for an unknown template; InvalidInput naming the variable a template needs and
        `data` lacks (or what else went wrong while rendering).
        """
        ...

    def render_inline(self, app_id: str, template: Rendered, data: dict[str, Any]) -> Rendered:
        """`template` given inline (subject, body, body_html as Jinja2 sources) filled with `data`."""
        ...

    def names(self, app_id: str) -> list[str]: ...


class DeliveryFailed(Exception):
    """The SMTP server did not take the message.

    `permanent` (a 5xx reply): never retried. `unreachable`: no session could be opened (connection refused,
    timeout, TLS handshake), so the message was not tried at all and does not use up an attempt.
    """

    def __init__(self, reason: str, *, permanent: bool = False, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.unreachable = unreachable


class MailSession(Protocol):
    async def send(self, message: OutboxMessage) -> None:
        """Deliver one message with its stored Message-ID; DeliveryFailed when the server does not take it."""
        ...


class MailTransport(Protocol):
    def session(self, account: MailAccount) -> AbstractAsyncContextManager[MailSession]:
        """A session with the app's SMTP server, opened on the first send and closed on exit."""
        ...


class Outbox(Protocol):
    """The durable queue of outgoing mail, in each app's own database."""

    async def add(self, app_id: str, messages: list[OutboxMessage]) -> None:
        """Stores the messages (all queued); once this returns they survive a restart."""
        ...

    async def due(self, app_id: str, now: float, limit: int) -> list[OutboxMessage]:
        """Queued messages whose `next_attempt_at` has come, oldest first."""
        ...

    async def claim(self, app_id: str, message_id: int, claimant: str, now: float, lease_until: float) -> bool:
        """Marks one queued message `sending` (attempts + 1) for `claimant`; False if another claimed it."""
        ...

    async def mark_sent(self, app_id: str, message_id: int, claimant: str, now: float) -> bool: ...

    async def reschedule(
        self, app_id: str, message_id: int, claimant: str, at: float, error: str, count_attempt: bool = True
    ) -> bool: ...

    async def mark_failed(self, app_id: str, message_id: int, claimant: str, now: float, error: str) -> bool: ...

    async def release_expired(self, app_id: str, now: float, max_attempts: int) -> int:
        """Messages left `sending` past their lease (a crashed sender) go back to queued, or fail when out
        of attempts; returns how many were released."""
        ...

    async def get(self, app_id: str, message_id: str) -> OutboxMessage | None: ...

    async def depth(self, app_id: str) -> dict[str, int]:
        """Count of messages per state."""
        ...

    async def purge(self, app_id: str, before: float) -> int:
        """Deletes sent and failed messages created before `before`."""
        ...
