"""A received message as the rules see it, and who sent it: the trust model of inbound mail."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from domain.mail.inbound import AuthResultsTrust

_ADDRESS = re.compile(r"^[^@\s<>\"]{1,64}@[A-Za-z0-9.-]{1,253}$")


@dataclass(frozen=True, slots=True)
class Address:
    address: str  # lower-cased addr-spec
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def local(self) -> str:
        return self.address.rpartition("@")[0]

    @property
    def base(self) -> str:
        """The address without its `+tag` (sub-address)."""
        local, _, tag = self.local.partition("+")
        return f"{local}@{self.domain}" if tag else self.address


def valid_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One `method=result` of an Authentication-Results header, with its properties (header.d, smtp.mailfrom...)."""

    authserv_id: str
    method: str
    result: str
    props: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class InboundMessage:
    message_id: str
    key: str  # what makes two deliveries "the same message": the Message-ID, else a hash of the raw bytes
    sender: Address | None
    senders_count: int  # addresses in From: only a single one can be trusted
    to: tuple[Address, ...]
    subject: str
    date: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    auth_results: tuple[AuthResult, ...] = ()
    auto_submitted: bool = False  # Auto-Submitted, Precedence bulk/list/junk, a mailer daemon: never answered
    defects: tuple[str, ...] = ()
    truncated: bool = False
    size: int = 0
    headers: tuple[tuple[str, str], ...] = ()

    def summary(self) -> dict[str, Any]:
        """The message as `parse` answers it over IPC."""
        return {
            "message_id": self.message_id,
            "from": self.sender.address if self.sender else "",
            "from_name": self.sender.name if self.sender else "",
            "to": [a.address for a in self.to],
            "subject": self.subject,
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in self.attachments
            ],
            "authentication_results": [
                {"authserv_id": r.authserv_id, "method": r.method, "result": r.result, **r.props}
                for r in self.auth_results
            ],
            "auto_submitted": self.auto_submitted,
            "defects": list(self.defects),
            "truncated": self.truncated,
            "size": self.size,
            "headers": [[k, v] for k, v in self.headers],
        }


def message_key(message_id: str, raw: bytes) -> str:
    """A fixed-size key: sha256 of the normalised Message-ID, or of the whole raw message when there is none."""
    mid = message_id.strip().strip("<>").strip().lower()
    basis = f"mid:{mid}".encode() if mid else b"raw:" + raw
    return hashlib.sha256(basis).hexdigest()


def _aligned(domain: str, sender_domain: str) -> bool:
    """Relaxed alignment (DMARC): the authenticated domain is the From domain or a parent of it."""
    domain, sender_domain = domain.lower().rstrip("."), sender_domain.lower().rstrip(".")
    return bool(domain) and (sender_domain == domain or sender_domain.endswith("." + domain))


def _prop_domain(value: str) -> str:
    return value.rpartition("@")[2].strip().lower()


def authenticated(message: InboundMessage, trust: AuthResultsTrust) -> str | None:
    """The method that proves the From address, from headers stamped by the trusted server only; else None.

    A receiving server removes Authentication-Results headers that claim its own authserv-id from incoming
    mail (RFC 8601 section 5), so only those survive from it; any other header could be the sender's own.
    """
    if message.sender is None or message.senders_count != 1:
        return None
    domain = message.sender.domain
    for r in message.auth_results:
        if r.authserv_id.lower() != trust.authserv_id.lower() or r.result.lower() != "pass":
            continue
        if r.method not in trust.methods:
            continue
        if r.method == "dkim" and _aligned(
            r.props.get("header.d", "") or _prop_domain(r.props.get("header.i", "")), domain
        ):
            return "dkim"
        if r.method == "spf" and _aligned(_prop_domain(r.props.get("smtp.mailfrom", "")), domain):
            return "spf"
        if r.method == "dmarc" and _aligned(r.props.get("header.from", ""), domain):
            return "dmarc"
    return None


def address_token(secret: bytes, app: str, user_id: Any) -> str:
    """The tag of a user's secret address (`tasks+{token}@...`): the user id and an HMAC of it."""
    mac = hmac.new(secret, f"{app}:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"{user_id}.{mac}"


def secret_address_owner(message: InboundMessage, secret: bytes, app: str) -> str | None:
    """The user id a valid secret address among the recipients names (as text), else None."""
    for a in message.to:
        _, _, tag = a.local.partition("+")
        user_id, dot, _mac = tag.rpartition(".")
        if not dot or not user_id:
            continue
        if hmac.compare_digest(address_token(secret, app, user_id), tag):
            return user_id
    return None


def secret_address(secret: bytes, app: str, user_id: Any, mailbox_address: str) -> str:
    local, _, domain = mailbox_address.partition("@")
    return f"{local.partition('+')[0]}+{address_token(secret, app, user_id)}@{domain}"
