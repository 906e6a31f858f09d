"""Deliver an app's due outbox messages: claim each, send it, then mark it sent, retried or failed."""

from __future__ import annotations

import itertools
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from application.ports.clock import Clock, Pause
from application.ports.logs import LogSink
from domain.errors import DomainError
from domain.mail.outbound import OutboxMessage

from .ports import DeliveryFailed, MailAccounts, MailSession, MailTransport, Outbox
from .retry import RetryPolicy

log = logging.getLogger("sogoms.mail")


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: str = ""  # why the server could not be reached (the batch stopped there)

    @property
    def processed(self) -> int:
        return self.sent + self.retried + self.failed


class Pacer:
    """At most `rate` messages a second for one app: one slot every 1/rate seconds."""

    def __init__(self, clock: Clock, pause: Pause) -> None:
        self._clock, self._pause = clock, pause
        self._next = 0.0

    async def wait(self, rate: float) -> None:
        now = self._clock.now()
        if self._next > now:
            await self._pause.sleep(self._next - now)
            now = self._clock.now()
        self._next = max(now, self._next) + 1.0 / rate


class DeliverOutbox:
    """One delivery pass over an app's due messages. Safe to run in several processes at once: a message
    is sent only by the one that claimed it, and one left `sending` by a crash is queued again after its lease."""

    def __init__(
        self,
        outbox: Outbox,
        transport: MailTransport,
        accounts: MailAccounts,
        clock: Clock,
        logs: LogSink,
        policy: RetryPolicy,
        lease: float = 120.0,
        batch: int = 100,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._outbox, self._transport, self._accounts = outbox, transport, accounts
        self._clock, self._logs, self.policy = clock, logs, policy
        self._lease, self._batch, self._rand = lease, batch, rand
        self._instance = uuid.uuid4().hex[:16]
        self._claims = itertools.count(1)

    async def __call__(
        self, app_id: str, pacer: Pacer | None = None, stop: Callable[[], bool] = lambda: False
    ) -> DeliveryReport:
        account = self._accounts.account(app_id)
        report = DeliveryReport()
        now = self._clock.now()
        released = await self._outbox.release_expired(app_id, now, self.policy.max_attempts)
        if released:
            log.warning("%s: %d message(s) left sending past their lease were released", app_id, released)
        due = await self._outbox.due(app_id, now, self._batch)
        if not due:
            return report
        lease = max(self._lease, 2 * account.timeout + 5)
        async with self._transport.session(account) as session:
            for message in due:
                if stop():
                    break
                if pacer is not None:
                    await pacer.wait(account.smtp.rate)
                if not await self._deliver(app_id, session, message, lease, report):
                    break
        return report

    async def _deliver(
        self, app_id: str, session: MailSession, message: OutboxMessage, lease: float, report: DeliveryReport
    ) -> bool:
        """False when the server cannot be reached (the rest of the batch waits for it)."""
        now = self._clock.now()
        claimant = f"{self._instance}-{next(self._claims)}"
        if not await self._outbox.claim(app_id, message.id, claimant, now, now + lease):
            return True  # another sender took it
        attempt = message.attempts + 1
        try:
            await session.send(message)
        except DeliveryFailed as failure:
            await self._failed(app_id, message, claimant, attempt, failure, report)
            return not failure.unreachable
        if not await self._outbox.mark_sent(app_id, message.id, claimant, self._clock.now()):
            log.warning("%s: %s was sent after its lease ran out", app_id, message.message_id)
        report.sent += 1
        await self._log(app_id, "mail_sent", message, attempt)
        return True

    async def _failed(
        self,
        app_id: str,
        message: OutboxMessage,
        claimant: str,
        attempt: int,
        failure: DeliveryFailed,
        report: DeliveryReport,
    ) -> None:
        now = self._clock.now()
        reason = failure.reason[:1000]
        if failure.unreachable:
            report.unreachable = reason
            await self._outbox.reschedule(app_id, message.id, claimant, now, reason, count_attempt=False)
            return
        if failure.permanent or self.policy.exhausted(attempt):
            if not failure.permanent:
                reason = f"{reason} (gave up after {attempt} attempts)"
            await self._outbox.mark_failed(app_id, message.id, claimant, now, reason)
            report.failed += 1
            await self._log(app_id, "mail_failed", message, attempt, reason)
            return
        at = now + self.policy.delay(attempt, self._rand())
        await self._outbox.reschedule(app_id, message.id, claimant, at, reason)
        report.retried += 1
        await self._log(app_id, "mail_deferred", message, attempt, reason)

    async def _log(self, app_id: str, event: str, message: OutboxMessage, attempt: int, reason: str = "") -> None:
        data: dict[str, object] = {"message_id": message.message_id, "to": message.recipient, "attempt": attempt}
        try:
            if event == "mail_sent":
                await self._logs.log_event(app_id, event, data, type="mail")
            else:
                level = "error" if event == "mail_failed" else "warn"
                await self._logs.log_error(app_id, f"{event}: {reason}", level, data)
        except DomainError as exc:
            log.warning("%s: %s not logged (%s)", app_id, event, exc.message)

    async def purge(self, app_id: str, before: float) -> int:
        """Deletes delivered and failed messages created before `before` (the outbox keeps a bounded history)."""
        return await self._outbox.purge(app_id, before)
