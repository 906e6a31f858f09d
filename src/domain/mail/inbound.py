"""Inbound mail settings of an app: its IMAP mailboxes (`imap:` in app.yaml) and its rules (`mailrules.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.durations import check_durations, parse_duration
from domain.identifiers import check_identifier

MAX_MESSAGE_SIZE = 11 * 1024 * 1024  # base64 of the raw message must fit one IPC frame (16 MiB)
UNKNOWN_SENDER = ("refuse", "review", "ignore")


@dataclass(frozen=True, slots=True)
class ImapMailbox:
    """One IMAP account an app reads: where it is, how to log in, which folders to watch."""

    host: str = "localhost"
    port: int = 0  # 0: 993 with `tls`, else 143
    user: str = ""
    password_file: str = ""
    tls: bool = False
    starttls: bool | None = None  # None: STARTTLS when the server offers it and `tls` is off
    folders: tuple[str, ...] = ("INBOX",)
    idle: bool = True
    poll: str = "60s"
    timeout: str = "30s"
    max_message_size: int = 8 * 1024 * 1024

    def __post_init__(self) -> None:
        check_durations(self, "poll", "timeout")
        if not self.user:
            raise ValueError("`user`: the IMAP login is required")
        if not self.folders:
            raise ValueError("`folders`: list at least one folder to watch")
        for folder in self.folders:
            if not folder or any(c in folder for c in '\r\n\x00"') or len(folder) > 200:
                raise ValueError(f"`folders`: {folder!r} is not a usable folder name")
        if not 1024 <= self.max_message_size <= MAX_MESSAGE_SIZE:
            raise ValueError(f"`max_message_size`: between 1024 and {MAX_MESSAGE_SIZE} bytes")
        if self.tls and self.starttls:
            raise ValueError("`tls` (implicit TLS, port 993) and `starttls` exclude each other")
        if not 0 <= self.port <= 65535:
            raise ValueError("`port`: 1-65535")

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls else 143)

    @property
    def poll_seconds(self) -> float:
        return parse_duration(self.poll)

    @property
    def timeout_seconds(self) -> float:
        return parse_duration(self.timeout)


@dataclass(frozen=True, slots=True)
class Match:
    """Patterns on the message: a glob (`*@prokov.test`, case-insensitive) or a regex (`re:...`), all must match."""

    from_: str = field(default="", metadata={"key": "from"})
    to: str = ""
    subject: str = ""
    body: str = ""

    def patterns(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("from", self.from_), ("to", self.to), ("subject", self.subject), ("body", self.body))
            if v
        }


@dataclass(frozen=True, slots=True)
class FindAction:
    """Read the first row of `resource` the sender may see (owner filter applies) into `as`."""

    resource: str
    as_: str = field(default="", metadata={"key": "as"})
    sort: str = ""
    where: dict[str, Any] = field(default_factory=dict)
    required: bool = True

    def __post_init__(self) -> None:
        check_identifier(self.resource, "resource")
        check_identifier(self.name, "as")

    @property
    def name(self) -> str:
        return self.as_ or self.resource.rstrip("s") or self.resource


@dataclass(frozen=True, slots=True)
class CreateAction:
    """Create a row of `resource` as the sender, through the same use case as `POST /api/{resource}`."""

    resource: str
    values: dict[str, Any] = field(default_factory=dict)
    as_: str = field(default="", metadata={"key": "as"})

    def __post_init__(self) -> None:
        check_identifier(self.resource, "resource")
        if self.as_:
            check_identifier(self.as_, "as")


@dataclass(frozen=True, slots=True)
class ReplyAction:
    """Answer the sender with one of the app's email templates (through sogoms-smtp)."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)
    subject: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.template, "template")


@dataclass(frozen=True, slots=True)
class WebhookAction:
    """POST the message (and what earlier actions made) as JSON, signed with HMAC-SHA256 when a secret is set."""

    url: str
    secret_file: str = ""
    timeout: str = "10s"
    retries: int = 3
    allow_private: bool = False

    def __post_init__(self) -> None:
        check_durations(self, "timeout")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("`url`: an http:// or https:// URL")
        if not 0 <= self.retries <= 10:
            raise ValueError("`retries`: 0-10")


@dataclass(frozen=True, slots=True)
class Action:
    """One step of a rule: exactly one of the keys."""

    find: FindAction | None = None
    create: CreateAction | None = None
    reply: ReplyAction | None = None
    webhook: WebhookAction | None = None
    mark_read: bool | None = None
    move: str | None = None
    delete: bool | None = None

    def __post_init__(self) -> None:
        given = [
            k
            for k in ("find", "create", "reply", "webhook", "mark_read", "move", "delete")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError("each action is exactly one of: find, create, reply, webhook, mark_read, move, delete")
        if self.move is not None and (not self.move or any(c in self.move for c in '\r\n\x00"')):
            raise ValueError("`move`: a folder name")

    @property
    def kind(self) -> str:
        for k in ("find", "create", "reply", "webhook", "mark_read", "move", "delete"):
            if getattr(self, k) is not None:
                return k
        return ""  # pragma: no cover - __post_init__ guarantees one

    @property
    def imap(self) -> bool:
        """Done by sogoms-imap on the message itself, after the rule has committed."""
        return self.kind in ("mark_read", "move", "delete")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    match: Match = field(default_factory=Match)
    mailbox: str = ""  # empty: every mailbox of the app
    sender: str = "known"  # known: an account proven by the trust settings; any: anyone (no owner)
    actions: tuple[Action, ...] = ()

    def __post_init__(self) -> None:
        check_identifier(self.name, "rule name")
        if self.sender not in ("known", "any"):
            raise ValueError("`sender`: known or any")
        if not self.actions:
            raise ValueError(f"rule {self.name!r}: `actions` lists at least one action")
        if self.sender == "any" and any(a.kind in ("find", "create") for a in self.actions):
            raise ValueError(f"rule {self.name!r}: find and create need `sender: known` (a row needs an owner)")
        names = [a.find.name for a in self.actions if a.find] + [
            a.create.as_ for a in self.actions if a.create and a.create.as_
        ]
        if len(names) != len(set(names)):
            raise ValueError(f"rule {self.name!r}: two actions save their result under the same `as` name")


@dataclass(frozen=True, slots=True)
class AuthResultsTrust:
    """Believe the `Authentication-Results` header stamped by this receiving server (RFC 8601)."""

    authserv_id: str
    methods: tuple[str, ...] = ("dkim", "spf")

    def __post_init__(self) -> None:
        if not self.authserv_id or any(c in self.authserv_id for c in " ;\r\n"):
            raise ValueError("`authserv_id`: the host name your receiving mail server writes in Authentication-Results")
        for m in self.methods:
            if m not in ("dkim", "spf", "dmarc"):
                raise ValueError(f"`methods`: {m!r} is not one of dkim, spf, dmarc")


@dataclass(frozen=True, slots=True)
class Senders:
    """How a sender becomes an account, and what happens to mail whose sender is not one."""

    authentication_results: AuthResultsTrust | None = None
    secret_address: bool = False
    secret_file: str = ""
    unknown: str = "refuse"
    review_folder: str = "Review"
    refusal_template: str = ""

    def __post_init__(self) -> None:
        if self.unknown not in UNKNOWN_SENDER:
            raise ValueError(f"`unknown`: one of {', '.join(UNKNOWN_SENDER)}")
        if self.refusal_template:
            check_identifier(self.refusal_template, "refusal_template")


@dataclass(frozen=True, slots=True)
class MailRules:
    """The whole of `config/apps/{app}/mailrules.yaml`: rules tried in order, the first that matches runs."""

    rules: tuple[Rule, ...] = ()
    senders: Senders = field(default_factory=Senders)
    max_attempts: int = 8
    retry_base: str = "30s"
    retry_max: str = "1h"

    def __post_init__(self) -> None:
        check_durations(self, "retry_base", "retry_max")
        names = [r.name for r in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("two rules have the same name")
        if not 1 <= self.max_attempts <= 100:
            raise ValueError("`max_attempts`: 1-100")

    def retry_delay(self, attempts: int) -> float:
        base, cap = parse_duration(self.retry_base), parse_duration(self.retry_max)
        return float(min(cap, base * (2 ** max(0, attempts - 1))))
