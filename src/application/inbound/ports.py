"""What the inbound-mail use cases need: the message parser, rule matching, value templates, the state store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.app import App
from domain.mail.inbound import MailRules, Match
from domain.mail.inbound_message import InboundMessage

# states of a message in the store
APPLYING, RETRY, DONE, REFUSED, IGNORED, FAILED = "applying", "retry", "done", "refused", "ignored", "failed"
SETTLED = (DONE, REFUSED, IGNORED, FAILED)


@dataclass(slots=True)
class MessageRecord:
    """One message's row in `sogoms_mail_messages`; times are epoch seconds."""

    id: int
    mailbox: str
    key: str
    message_id: str
    folder: str
    uid: int
    sender: str
    subject: str
    status: str
    rule: str = ""
    step: int = 0
    attempts: int = 0
    next_attempt_at: float = 0.0
    lease_until: float = 0.0
    context: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    received_at: float = 0.0
    updated_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mailbox": self.mailbox,
            "message_id": self.message_id,
            "folder": self.folder,
            "uid": self.uid,
            "from": self.sender,
            "subject": self.subject,
            "status": self.status,
            "rule": self.rule,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at or None,
            "outcome": self.outcome,
            "error": self.error,
            "received_at": self.received_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class NewMessage:
    mailbox: str
    key: str
    message_id: str
    folder: str
    uid: int
    sender: str
    subject: str


class InboundStore(Protocol):
    """Which messages were processed and how, in each app's state database (shared by every instance)."""

    async def claim(
        self, app_id: str, message: NewMessage, owner: str, now: float, lease_until: float
    ) -> tuple[MessageRecord, bool]:
        """The message's record, and whether this caller now holds it (new, due for retry, or lease expired)."""
        ...

    async def progress(self, app_id: str, record: MessageRecord, owner: str) -> bool:
        """Saves `step`, `rule` and `context` while the claim is held; False when the claim was lost."""
        ...

    async def finish(self, app_id: str, record: MessageRecord, owner: str, now: float) -> bool:
        """Saves the final `status` and `outcome` (and clears the claim)."""
        ...

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, key: str, now: float
    ) -> None:
        """Remembers that this UID is done with (its rule committed and its IMAP actions performed)."""
        ...

    async def unsettled(self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]) -> list[int]:
        """The UIDs of `uids` not settled yet."""
        ...

    async def recent(self, app_id: str, limit: int, mailbox: str = "") -> list[MessageRecord]:
        """The last messages seen, newest first."""
        ...

    async def reset(self, app_id: str, record_id: int, now: float) -> bool:
        """Puts a failed message back in line for one more try."""
        ...


class MessageParser(Protocol):
    def __call__(self, raw: bytes, truncated: bool = False) -> InboundMessage: ...


class RuleMatcher(Protocol):
    """Patterns (globs or bounded-time regexes) against a message."""

    def matches(self, match: Match, message: InboundMessage) -> bool: ...


class ValueRenderer(Protocol):
    """Rule values templated from the message and earlier results (sandboxed); a one-expression value keeps its type."""

    def render(self, value: Any, context: dict[str, Any]) -> Any: ...


class InboundApps(Protocol):
    """The apps, their rules and their address secrets, as last loaded."""

    def app(self, name: str) -> App:
        """UnknownApp when there is none."""
        ...

    def rules(self, name: str) -> MailRules | None: ...

    def address_secret(self, name: str) -> bytes | None: ...

    def webhook_secret(self, name: str, file: str) -> bytes: ...
