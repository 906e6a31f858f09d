"""Queue mail: check it, render templates, store it in the app's outbox, wake the delivery (implements Mailer)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from application.ports.clock import Clock
from domain.errors import BadRequest, FieldError, InvalidInput, NotFound
from domain.mail.outbound import Mail, OutboxMessage, message_id

from .ports import BulkQueued, MailAccounts, MessageStatus, Outbox, Queued, Recipient, Rendered, TemplateRenderer

MAX_BULK = 10_000
MAX_REPORTED_ERRORS = 50
HEALTH_BUDGET = 0.75  # seconds for the outboxes in `health` (the IPC server answers by 1.5 s, sogoctl waits 2 s)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id() -> str:
    return str(uuid.uuid4())


class MailService:
    """Implements Mailer: a call is acknowledged once its messages are stored in the app's outbox."""

    def __init__(
        self,
        accounts: MailAccounts,
        templates: TemplateRenderer,
        outbox: Outbox,
        clock: Clock,
        notify: Callable[[str], None] = lambda _app: None,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._accounts, self._templates, self._outbox, self._clock = accounts, templates, outbox, clock
        self._notify, self._new_id = notify, new_id

    async def _queue(self, app_id: str, mails: list[Mail]) -> list[str]:
        now = self._clock.now()
        messages = [OutboxMessage.queue(m, message_id(self._new_id(), app_id), now) for m in mails]
        await self._outbox.add(app_id, messages)
        self._notify(app_id)
        return [m.message_id for m in messages]

    async def send(
        self, app_id: str, to: str, subject: str, body: str, body_html: str = "", reply_to: str = ""
    ) -> Queued:
        self._accounts.account(app_id)
        mail = Mail.create(to, subject, body, body_html, reply_to)
        (mid,) = await self._queue(app_id, [mail])
        return Queued(mid)

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None, subject: str = ""
    ) -> Queued:
        self._accounts.account(app_id)
        rendered = self._templates.render(app_id, template, data or {})
        mail = Mail.create(to, subject or rendered.subject, rendered.body, rendered.body_html)
        (mid,) = await self._queue(app_id, [mail])
        return Queued(mid)

    async def send_bulk(
        self,
        app_id: str,
        recipients: list[Recipient],
        template: str = "",
        subject: str = "",
        body: str = "",
        body_html: str = "",
    ) -> BulkQueued:
        """All or nothing: every copy is rendered and checked before any is queued."""
        self._accounts.account(app_id)
        if not recipients:
            raise InvalidInput([FieldError("recipients", "must list at least one recipient")])
        if len(recipients) > MAX_BULK:
            raise InvalidInput([FieldError("recipients", f"must list at most {MAX_BULK} recipients per call")])
        if template and (body or body_html):
            raise BadRequest("send_bulk takes either `template` or `subject`/`body`/`body_html`, not both")
        inline = Rendered(subject, body, body_html)
        mails: list[Mail] = []
        errors: list[FieldError] = []
        for i, r in enumerate(recipients):
            prefix = f"recipients[{i}]."
            try:
                if template:
                    rendered = self._templates.render(app_id, template, r.data)
                    rendered = Rendered(subject or rendered.subject, rendered.body, rendered.body_html)
                else:
                    rendered = self._templates.render_inline(app_id, inline, r.data)
                mails.append(Mail.create(r.to, rendered.subject, rendered.body, rendered.body_html, prefix=prefix))
            except InvalidInput as exc:
                errors.extend(
                    e if e.field.startswith(prefix) else FieldError(prefix + e.field, e.message)
                    for e in exc.field_errors
                )
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
        if errors:
            raise InvalidInput(errors[:MAX_REPORTED_ERRORS])
        ids = await self._queue(app_id, mails)
        return BulkQueued(len(ids), ids)

    async def status(self, app_id: str, message_id: str) -> MessageStatus:
        self._accounts.account(app_id)
        m = await self._outbox.get(app_id, message_id)
        if m is None:
            raise NotFound(f"No message {message_id!r} in the outbox of {app_id!r}")
        return MessageStatus(
            message_id=m.message_id,
            status=m.status.value,
            recipient=m.recipient,
            subject=m.subject,
            attempts=m.attempts,
            last_error=m.last_error,
            created_at=iso(m.created_at) or "",
            next_attempt_at=iso(m.next_attempt_at) if m.status == "queued" else None,
            sent_at=iso(m.sent_at),
        )

    async def health(self) -> dict[str, Any]:
        """Service status with the outbox depth of every app (the metrics hook); never raises, and answers within
        HEALTH_BUDGET: an app whose database does not answer by then is "database unreachable", not a hung check."""

        async def one(app_id: str) -> dict[str, Any]:
            try:
                async with asyncio.timeout(HEALTH_BUDGET):
                    depth = await self._outbox.depth(app_id)
                return {"ok": True, "outbox": depth, "templates": self._templates.names(app_id)}
            except TimeoutError:
                return {"ok": False, "error": f"database unreachable: no answer within {HEALTH_BUDGET:g} s"}
            except Exception as exc:  # noqa: BLE001 - health reports, never raises
                return {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}

        names = list(self._accounts.apps())
        apps = dict(zip(names, await asyncio.gather(*(one(a) for a in names)), strict=True))
        ok = all(a["ok"] for a in apps.values())
        backlog = sum(
            a.get("outbox", {}).get("queued", 0) + a.get("outbox", {}).get("sending", 0) for a in apps.values()
        )
        return {"ok": ok, "service": "sogoms-smtp", "outbox_depth": backlog, "apps": apps}
