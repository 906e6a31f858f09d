"""Apply an app's mail rules to one received message, once: claimed, resumed where it stopped, recorded."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from application.auth.users import UserDirectory
from application.ports.clock import Clock
from application.ports.logs import LogSink
from domain.errors import DomainError, InvalidInput
from domain.mail.inbound import Action, MailRules, ReplyAction, Rule
from domain.mail.inbound_message import InboundMessage

from .actions import RuleActions
from .ports import (
    APPLYING,
    DONE,
    FAILED,
    IGNORED,
    REFUSED,
    RETRY,
    SETTLED,
    InboundApps,
    InboundStore,
    MessageParser,
    MessageRecord,
    NewMessage,
    RuleMatcher,
)
from .senders import Sender, identify

log = logging.getLogger("sogoms.mailproc")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as sogoms-imap found it (or as a caller hands it in)."""

    app: str
    raw: bytes
    mailbox: str = ""
    folder: str = ""
    uid: int = 0
    truncated: bool = False


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, InvalidInput):
        return "; ".join(f"{e.field}: {e.message}" for e in exc.field_errors) or exc.message
    if isinstance(exc, DomainError):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"[:500]


class ApplyRules:
    def __init__(
        self,
        apps: InboundApps,
        parse: MessageParser,
        matcher: RuleMatcher,
        store: InboundStore,
        users: UserDirectory,
        actions: RuleActions,
        logs: LogSink,
        clock: Clock,
        lease: float = 120.0,
        owner: str = "",
    ) -> None:
        self._apps, self._parse, self._matcher, self._store = apps, parse, matcher, store
        self._users, self._actions, self._logs, self._clock, self._lease = users, actions, logs, clock, lease
        self._owner = owner or uuid.uuid4().hex[:16]

    def choose(self, rules: MailRules, mailbox: str, message: InboundMessage) -> Rule | None:
        for rule in rules.rules:
            if rule.mailbox and mailbox and rule.mailbox != mailbox:
                continue
            if self._matcher.matches(rule.match, message):
                return rule
        return None

    async def __call__(self, delivery: Delivery) -> dict[str, Any]:
        app = self._apps.app(delivery.app)
        rules = self._apps.rules(app.name) or MailRules()
        message = self._parse(delivery.raw, delivery.truncated)
        now = self._clock.now()
        new = NewMessage(
            mailbox=delivery.mailbox,
            key=message.key,
            message_id=message.message_id,
            folder=delivery.folder,
            uid=delivery.uid,
            sender=message.sender.address if message.sender else "",
            subject=message.subject[:255],
        )
        record, mine = await self._store.claim(app.name, new, self._owner, now, now + self._lease)
        if not mine:
            status = record.status if record.status in SETTLED else "busy"
            return {"status": status, "duplicate": record.status in SETTLED, **self._answer(record)}
        try:
            return await self._apply(app.name, rules, delivery.mailbox, message, record)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the message to be retried later
            return await self._failed(app.name, rules, record, exc)

    def _answer(self, record: MessageRecord) -> dict[str, Any]:
        return {"message_key": record.key, "record": record.as_dict(), "imap": record.outcome.get("imap", [])}

    async def _apply(
        self, app_name: str, rules: MailRules, mailbox: str, message: InboundMessage, record: MessageRecord
    ) -> dict[str, Any]:
        app = self._apps.app(app_name)
        rule = self.choose(rules, mailbox, message)
        context: dict[str, Any] = dict(record.context)
        context.setdefault("message", message.summary() | {"html": "", "headers": []})
        context.setdefault("subject", message.subject)
        context.setdefault("text", message.text)
        context.setdefault("app", app.name)
        if rule is None:
            return await self._settle(app_name, record, IGNORED, {"reason": "no rule matches"})
        sender: Sender | None = None
        if rule.sender == "known":
            sender = await identify(app, message, rules.senders, self._users, self._apps.address_secret(app.name))
            if sender.principal is None:
                return await self._refuse(app_name, rules, record, message, rule, sender, context)
            context["user"] = sender.user
        record.rule = rule.name
        results: list[dict[str, Any]] = list(record.outcome.get("steps", []))
        request_id = f"mail-{record.key[:24]}"
        for index in range(record.step, len(rule.actions)):
            action = rule.actions[index]
            done = await self._actions.run(app, action, sender.principal if sender else None, context, request_id)
            results.append(done)
            record.step, record.context = index + 1, _keep(context)
            record.outcome = {"steps": results}
            if not await self._store.progress(app_name, record, self._owner):
                raise RuntimeError("the claim on this message was lost (another instance took it over)")
        imap = [r for r in results if "imap" in r]
        outcome = {"rule": rule.name, "sender": sender.proof if sender else "any", "steps": results, "imap": imap}
        return await self._settle(app_name, record, DONE, outcome)

    async def _refuse(
        self,
        app_name: str,
        rules: MailRules,
        record: MessageRecord,
        message: InboundMessage,
        rule: Rule,
        sender: Sender,
        context: dict[str, Any],
    ) -> dict[str, Any]:
        app = self._apps.app(app_name)
        policy = rules.senders
        outcome: dict[str, Any] = {"rule": rule.name, "reason": sender.proof, "policy": policy.unknown}
        imap: list[dict[str, Any]] = []
        if policy.unknown == "refuse":
            if policy.refusal_template:
                done = await self._actions.run(
                    app, Action(reply=ReplyAction(policy.refusal_template)), None, context, f"mail-{record.key[:24]}"
                )
                outcome["reply"] = done
            imap.append({"imap": "mark_read"})
        elif policy.unknown == "review":
            imap.append({"imap": "move", "folder": policy.review_folder})
        outcome["imap"] = imap
        await self._logs.log_event(
            app_name,
            "mail_refused",
            {"from": sender.address, "subject": message.subject[:200], "reason": sender.proof},
            type="mail",
        )
        return await self._settle(app_name, record, REFUSED, outcome)

    async def _settle(
        self, app_name: str, record: MessageRecord, status: str, outcome: dict[str, Any]
    ) -> dict[str, Any]:
        record.status, record.outcome, record.error = status, outcome, ""
        if not await self._store.finish(app_name, record, self._owner, self._clock.now()):
            raise RuntimeError("the claim on this message was lost before it was recorded")
        if status == DONE:
            await self._logs.log_event(
                app_name,
                "mail_processed",
                {"rule": record.rule, "from": record.sender, "steps": outcome.get("steps")},
                type="mail",
            )
        return {"status": status, "duplicate": False, **self._answer(record)}

    async def _failed(
        self, app_name: str, rules: MailRules, record: MessageRecord, exc: BaseException
    ) -> dict[str, Any]:
        error = _error_text(exc)
        record.attempts += 1
        final = record.attempts >= rules.max_attempts
        record.status = FAILED if final else RETRY
        record.error = error
        now = self._clock.now()
        record.next_attempt_at = 0.0 if final else now + rules.retry_delay(record.attempts)
        log.warning("mail %s of %s: rule failed (attempt %d): %s", record.message_id, app_name, record.attempts, error)
        try:
            await self._logs.log_error(
                app_name,
                f"mail rule failed: {error}",
                level="error" if final else "warn",
                data={"message_id": record.message_id, "from": record.sender, "attempts": record.attempts},
            )
        except Exception:
            log.exception("could not log a mail rule failure")
        await self._store.finish(app_name, record, self._owner, now)
        return {"status": record.status, "duplicate": False, "error": error, **self._answer(record)}


def _keep(context: dict[str, Any]) -> dict[str, Any]:
    """What a resumed rule needs again: the results of earlier steps (the message is parsed anew)."""
    return {k: v for k, v in context.items() if k not in ("message", "subject", "text", "app")}


__all__ = ["APPLYING", "ApplyRules", "Delivery"]
