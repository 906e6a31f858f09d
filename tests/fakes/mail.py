"""The outbound mail ports: accounts, templates, outbox, transport, the mailer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from application.mail.ports import (
    BulkQueued,
    DeliveryFailed,
    MailAccount,
    MailAccounts,
    Mailer,
    MailTransport,
    MessageStatus,
    Outbox,
    Queued,
    Recipient,
    Rendered,
    TemplateRenderer,
)
from application.ports.clock import Clock
from domain.app import SmtpSettings
from domain.errors import ConfigError, FieldError, InvalidInput, NotFound
from domain.mail.outbound import OutboxMessage, OutboxState


def smtp_account(app_id: str = "shop", rate: float = 1000.0, **smtp: Any) -> MailAccount:
    settings = SmtpSettings(**{"host": "127.0.0.1", "port": 2525, "from_address": "noreply@shop.test", **smtp})
    settings = replace(settings, rate=rate)
    return MailAccount(app_id, settings, settings.from_address)


class FakeMailAccounts:
    def __init__(self, accounts: dict[str, MailAccount | None] | None = None) -> None:
        self.accounts: dict[str, MailAccount | None] = accounts if accounts is not None else {"shop": smtp_account()}

    def account(self, app_id: str) -> MailAccount:
        if app_id not in self.accounts:
            raise NotFound(f"Unknown app {app_id!r}")
        account = self.accounts[app_id]
        if account is None:
            raise ConfigError(f"App {app_id!r} has no smtp section")
        return account

    def apps(self) -> list[str]:
        return sorted(a for a, acc in self.accounts.items() if acc is not None)


_VAR = re.compile(r"\{(\w+)\}")


class FakeTemplates:
    """`{name}` placeholders; a missing one is the same InvalidInput the real renderer raises."""

    def __init__(self, templates: dict[str, dict[str, Rendered]] | None = None) -> None:
        self.templates = templates if templates is not None else {}

    def _fill(self, text: str, data: dict[str, Any]) -> str:
        def value(m: re.Match[str]) -> str:
            if m.group(1) not in data:
                raise InvalidInput([FieldError(f"data.{m.group(1)}", "is not provided")])
            return str(data[m.group(1)])

        return _VAR.sub(value, text)

    def render_inline(self, app_id: str, template: Rendered, data: dict[str, Any]) -> Rendered:
        return Rendered(*(self._fill(t, data) for t in (template.subject, template.body, template.body_html)))

    def render(self, app_id: str, name: str, data: dict[str, Any]) -> Rendered:
        template = self.templates.get(app_id, {}).get(name)
        if template is None:
            raise NotFound(f"no template {name!r}")
        return self.render_inline(app_id, template, data)

    def names(self, app_id: str) -> list[str]:
        return sorted(self.templates.get(app_id, {}))


class FakeOutbox:
    """The outbox's rules (claims, leases, attempts) on dicts; `rows[app][id]`."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[int, OutboxMessage]] = {}
        self.claimed_by: dict[tuple[str, int], str] = {}
        self._ids = 0

    def all(self, app_id: str = "shop") -> list[OutboxMessage]:
        return list(self.rows.get(app_id, {}).values())

    async def add(self, app_id: str, messages: list[OutboxMessage]) -> None:
        for m in messages:
            self._ids += 1
            self.rows.setdefault(app_id, {})[self._ids] = replace(m, id=self._ids, status=OutboxState.QUEUED)

    async def due(self, app_id: str, now: float, limit: int) -> list[OutboxMessage]:
        due = [m for m in self.all(app_id) if m.status == OutboxState.QUEUED and m.next_attempt_at <= now]
        return sorted(due, key=lambda m: (m.next_attempt_at, m.id))[:limit]

    def _set(self, app_id: str, mid: int, **changes: Any) -> None:
        self.rows[app_id][mid] = replace(self.rows[app_id][mid], **changes)

    async def claim(self, app_id: str, message_id: int, claimant: str, now: float, lease_until: float) -> bool:
        m = self.rows[app_id][message_id]
        if m.status != OutboxState.QUEUED or m.next_attempt_at > now:
            return False
        self._set(app_id, message_id, status=OutboxState.SENDING, attempts=m.attempts + 1, next_attempt_at=lease_until)
        self.claimed_by[(app_id, message_id)] = claimant
        return True

    def _holds(self, app_id: str, message_id: int, claimant: str) -> bool:
        m = self.rows[app_id][message_id]
        return m.status == OutboxState.SENDING and self.claimed_by.get((app_id, message_id)) == claimant

    async def mark_sent(self, app_id: str, message_id: int, claimant: str, now: float) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        self._set(app_id, message_id, status=OutboxState.SENT, sent_at=now)
        return True

    async def reschedule(
        self, app_id: str, message_id: int, claimant: str, at: float, error: str, count_attempt: bool = True
    ) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        attempts = self.rows[app_id][message_id].attempts - (0 if count_attempt else 1)
        self._set(
            app_id, message_id, status=OutboxState.QUEUED, next_attempt_at=at, last_error=error, attempts=attempts
        )
        return True

    async def mark_failed(self, app_id: str, message_id: int, claimant: str, now: float, error: str) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        self._set(app_id, message_id, status=OutboxState.FAILED, last_error=error, next_attempt_at=now)
        return True

    async def release_expired(self, app_id: str, now: float, max_attempts: int) -> int:
        released = 0
        for m in self.all(app_id):
            if m.status == OutboxState.SENDING and m.next_attempt_at <= now:
                state = OutboxState.FAILED if m.attempts >= max_attempts else OutboxState.QUEUED
                self._set(app_id, m.id, status=state, last_error="delivery interrupted")
                released += 1
        return released

    async def get(self, app_id: str, message_id: str) -> OutboxMessage | None:
        return next((m for m in self.all(app_id) if m.message_id == message_id), None)

    async def depth(self, app_id: str) -> dict[str, int]:
        counts = {s.value: 0 for s in OutboxState}
        for m in self.all(app_id):
            counts[m.status.value] += 1
        return counts

    async def purge(self, app_id: str, before: float) -> int:
        old = [m.id for m in self.all(app_id) if m.status in ("sent", "failed") and m.created_at < before]
        for mid in old:
            del self.rows[app_id][mid]
        return len(old)


@dataclass
class FakeMailTransport:
    """Records what it sends (and when, on `clock`); `replies` scripts failures per Message-ID, in order."""

    clock: Clock | None = None
    down: bool = False
    sent: list[OutboxMessage] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    replies: dict[str, list[DeliveryFailed]] = field(default_factory=dict)
    sessions: int = 0
    on_send: Callable[[OutboxMessage], None] | None = None

    @asynccontextmanager
    async def session(self, account: MailAccount) -> AsyncIterator[FakeMailTransport]:
        self.sessions += 1
        yield self

    async def send(self, message: OutboxMessage) -> None:
        if self.on_send is not None:
            self.on_send(message)
        if self.down:
            raise DeliveryFailed("cannot reach 127.0.0.1:2525: connection refused", unreachable=True)
        scripted = self.replies.get(message.message_id)
        if scripted:
            raise scripted.pop(0)
        self.sent.append(message)
        self.sent_at.append(self.clock.now() if self.clock else 0.0)


class FakeMailer:
    """Records every call; `error` makes each call raise it."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, action: str, **params: Any) -> None:
        self.calls.append((action, params))
        if self.error is not None:
            raise self.error

    async def send(
        self, app_id: str, to: str, subject: str, body: str, body_html: str = "", reply_to: str = ""
    ) -> Queued:
        self._record("send", app_id=app_id, to=to, subject=subject, body=body)
        return Queued(f"<{len(self.calls)}@{app_id}.sogoms>")

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None, subject: str = ""
    ) -> Queued:
        self._record("send_template", app_id=app_id, template=template, to=to, data=data or {})
        return Queued(f"<{len(self.calls)}@{app_id}.sogoms>")

    async def send_bulk(
        self,
        app_id: str,
        recipients: list[Recipient],
        template: str = "",
        subject: str = "",
        body: str = "",
        body_html: str = "",
    ) -> BulkQueued:
        self._record("send_bulk", app_id=app_id, recipients=recipients, template=template)
        return BulkQueued(len(recipients), [f"<{i}@{app_id}.sogoms>" for i in range(len(recipients))])

    async def status(self, app_id: str, message_id: str) -> MessageStatus:
        raise NotFound(message_id)

    async def health(self) -> dict[str, Any]:
        return {"ok": True}


# the fakes fit their ports (mypy checks these)
_accounts: MailAccounts = FakeMailAccounts()
_templates: TemplateRenderer = FakeTemplates()
_outbox: Outbox = FakeOutbox()
_transport: MailTransport = FakeMailTransport()
_mailer: Mailer = FakeMailer()
