"""Mail as the platform sends it: addresses and headers checked, templates, and the outbox states."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address, AddressHeader, HeaderRegistry

from domain.errors import FieldError, InvalidInput

MAX_SUBJECT = 998  # one RFC 5322 line
MAX_BODY = 2 * 1024 * 1024
MAX_ADDRESS = 254
_FORBIDDEN = ("\r", "\n", "\x00")
_headers = HeaderRegistry()


def header_problem(value: str, max_length: int = MAX_SUBJECT) -> str | None:
    """Why `value` cannot be a header value (line breaks or NUL would let it forge headers), or None."""
    if any(ch in value for ch in _FORBIDDEN):
        return "must not contain line breaks (CR, LF) or NUL characters"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    return None


def parse_address(value: str) -> Address:
    """One mailbox (`a@b.example` or `Name <a@b.example>`); ValueError saying what is wrong."""
    problem = header_problem(value, 512)
    if problem:
        raise ValueError(problem)
    if not value.strip():
        raise ValueError("is required")
    try:
        header = _headers("to", value)
        assert isinstance(header, AddressHeader)
        addresses = header.addresses
        defects = header.defects
    except (HeaderParseError, IndexError, ValueError, TypeError):
        raise ValueError("must be a valid email address") from None
    if len(addresses) != 1:
        raise ValueError("must be exactly one email address")
    address: Address = addresses[0]
    if defects or not address.username or not address.domain or " " in address.addr_spec:
        raise ValueError("must be a valid email address")
    if len(address.addr_spec) > MAX_ADDRESS:
        raise ValueError(f"must be at most {MAX_ADDRESS} characters")
    return address


def check_address(value: str) -> str:
    """The address in canonical form (display name quoted when needed); ValueError when invalid."""
    return str(parse_address(value))


def message_id(unique: str, app: str) -> str:
    """The stable Message-ID of one outbox entry: `<uuid@app.sogoms>`."""
    return f"<{unique}@{app}.sogoms>"


@dataclass(frozen=True, slots=True)
class Mail:
    """One message to one recipient, every header checked (build it with `Mail.create`)."""

    to: str
    subject: str
    body: str = ""
    body_html: str = ""
    reply_to: str = ""

    @classmethod
    def create(
        cls, to: str, subject: str, body: str = "", body_html: str = "", reply_to: str = "", prefix: str = ""
    ) -> Mail:
        """A checked Mail, or InvalidInput naming every bad field (`prefix` locates it, e.g. `recipients[3].`)."""
        errors: list[FieldError] = []
        values: dict[str, str] = {}
        for name, value in (("to", to), ("reply_to", reply_to)):
            if name == "reply_to" and not value:
                values[name] = ""
                continue
            try:
                values[name] = check_address(value)
            except ValueError as exc:
                errors.append(FieldError(prefix + name, str(exc)))
        subject = subject.strip()
        problem = header_problem(subject) or (None if subject else "is required")
        if problem:
            errors.append(FieldError(prefix + "subject", problem))
        if not body.strip() and not body_html.strip():
            errors.append(FieldError(prefix + "body", "is required (body or body_html)"))
        for name, text in (("body", body), ("body_html", body_html)):
            if len(text) > MAX_BODY:
                errors.append(FieldError(prefix + name, f"must be at most {MAX_BODY} characters"))
            elif "\x00" in text:
                errors.append(FieldError(prefix + name, "must not contain NUL characters"))
        if errors:
            raise InvalidInput(errors)
        return cls(values["to"], subject, body, body_html, values["reply_to"])


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    """`config/apps/{app}/emails/{name}.yaml`: sources of the subject and of the text and HTML bodies.

    `syntax`: `jinja2` or `go` (the Go SOGOMS's text/template); empty: told from the text (`{{.Name}}` is Go).
    """

    subject: str
    body: str = ""
    body_html: str = ""
    syntax: str = ""

    def __post_init__(self) -> None:
        if self.syntax not in ("", "jinja2", "go"):
            raise ValueError("syntax must be `jinja2` or `go` (or left out: told from the text)")
        if not self.subject.strip():
            raise ValueError("subject is required")
        if not self.body.strip() and not self.body_html.strip():
            raise ValueError("a template needs `body`, `body_html` or both")


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One row of `sogoms_outbox`; times are epoch seconds."""

    message_id: str
    recipient: str
    subject: str
    body: str
    body_html: str = ""
    reply_to: str = ""
    status: OutboxState = OutboxState.QUEUED
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str = ""
    created_at: float = 0.0
    sent_at: float | None = None
    id: int = 0

    @classmethod
    def queue(cls, mail: Mail, message_id: str, now: float) -> OutboxMessage:
        return cls(
            message_id=message_id,
            recipient=mail.to,
            subject=mail.subject,
            body=mail.body,
            body_html=mail.body_html,
            reply_to=mail.reply_to,
            next_attempt_at=now,
            created_at=now,
        )
