"""Parse a raw RFC 5322 / MIME message with the standard library's `email` package, within fixed bounds.

Hostile input is expected: broken MIME parses with defects, encoded words and charsets are decoded with
replacement, huge or deeply nested messages are cut to what the rules need, and nothing here raises.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from domain.mail.inbound_message import Address, Attachment, AuthResult, InboundMessage, message_key, valid_address

MAX_TEXT = 1024 * 1024  # characters of text and of HTML kept
MAX_PARTS = 500  # MIME parts walked
MAX_BOUNDARIES = 200  # a message declaring more multipart boundaries is read for its headers only
MAX_HEADERS = 200
MAX_HEADER_VALUE = 4000
_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")
_AUTO = ("auto-generated", "auto-replied", "auto-notified")


def _text(value: object, limit: int = MAX_HEADER_VALUE) -> str:
    s = str(value or "")
    s = s.replace("\r", " ").replace("\n", " ").replace("\x00", "")
    return s[:limit]


def _addresses(values: list[str]) -> tuple[Address, ...]:
    found: list[Address] = []
    for name, addr in getaddresses(values):
        addr = addr.strip().lower()
        if valid_address(addr):
            found.append(Address(addr, _text(name, 200)))
    return tuple(dict.fromkeys(found))


def parse_auth_results(value: str) -> list[AuthResult]:
    """`authserv-id; dkim=pass header.d=example.com; spf=fail smtp.mailfrom=x@y` as one result per method."""
    text = value
    for _ in range(5):  # nested comments, innermost first
        text = _COMMENT.sub(" ", text)
    parts = [p.strip() for p in text.split(";")]
    if not parts or not parts[0]:
        return []
    authserv = parts[0].split()[0] if parts[0].split() else ""
    results: list[AuthResult] = []
    for part in parts[1:]:
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        props: dict[str, str] = {}
        for token in tokens[1:]:
            key, eq, val = token.partition("=")
            if eq:
                props[key.lower()] = val.strip('"').lower()
        results.append(AuthResult(authserv, method.split("/")[0].lower(), result.lower(), props))
    return results


def _decode(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding is read as it is
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw[:MAX_TEXT].replace("\x00", "") if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        text = payload.decode("utf-8", errors="replace")
    return text[:MAX_TEXT].replace("\x00", "")


def _walk(root: Message) -> tuple[str, str, list[Attachment], bool]:
    """First text/plain and text/html bodies, and every attachment's metadata, without recursion."""
    text, html, attachments = "", "", []
    stack: list[Message] = [root]
    seen = 0
    cut = False
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            cut = True
            break
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in reversed(payload) if isinstance(p, Message))
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if disposition != "attachment" and not filename and ctype == "text/plain" and not text:
            text = _decode(part)
        elif disposition != "attachment" and not filename and ctype == "text/html" and not html:
            html = _decode(part)
        elif ctype not in ("text/plain", "text/html") or disposition == "attachment" or filename:
            raw = part.get_payload()
            size = (
                len(raw) * 3 // 4
                if isinstance(raw, str) and part.get("content-transfer-encoding", "").lower() == "base64"
                else len(str(raw))
            )
            attachments.append(Attachment(_text(filename or "", 255), ctype, size))
    return text, html, attachments, cut


def parse_message(raw: bytes, truncated: bool = False) -> InboundMessage:
    """The message as the rules see it. Never raises: what cannot be read is listed in `defects`."""
    defects: list[str] = []
    headers_only = len(_BOUNDARY.findall(raw)) > MAX_BOUNDARIES
    if headers_only:
        defects.append(f"more than {MAX_BOUNDARIES} MIME boundaries: body not read")
    msg: Message | None = None
    if not headers_only:
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.default, _class=EmailMessage)
        except RecursionError:
            defects.append("MIME structure nested too deeply: body not read")
            headers_only = True
    if msg is None:
        msg = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    for d in getattr(msg, "defects", [])[:20]:
        defects.append(type(d).__name__)

    def header(name: str) -> str:
        try:
            return _text(msg.get(name, ""))
        except Exception:  # noqa: BLE001 - a header the policy cannot fold or decode
            defects.append(f"unreadable {name} header")
            return ""

    def header_all(name: str) -> list[str]:
        try:
            return [_text(v) for v in (msg.get_all(name) or [])][:50]
        except Exception:  # noqa: BLE001
            defects.append(f"unreadable {name} header")
            return []

    from_values = header_all("From")
    senders = _addresses(from_values)
    if not senders and from_values:
        _, addr = parseaddr(from_values[0])
        if addr:
            defects.append("From is not a valid address")
    to = _addresses(header_all("To") + header_all("Cc") + header_all("Delivered-To") + header_all("X-Original-To"))
    auth: list[AuthResult] = []
    for value in header_all("Authentication-Results"):
        auth.extend(parse_auth_results(value))
    auto = header("Auto-Submitted").lower().startswith(_AUTO) or header("Precedence").lower() in (
        "bulk",
        "list",
        "junk",
    )
    if (
        (senders and senders[0].local in ("mailer-daemon", "postmaster"))
        or header("List-Id")
        or header("Return-Path").strip() == "<>"
    ):
        auto = True
    text = html = ""
    attachments: list[Attachment] = []
    if not headers_only:
        try:
            text, html, attachments, cut = _walk(msg)
            if cut:
                defects.append(f"more than {MAX_PARTS} MIME parts: the rest not read")
        except RecursionError:
            defects.append("MIME structure nested too deeply: body not read")
    kept: list[tuple[str, str]] = []
    try:
        for name, value in list(msg.raw_items())[:MAX_HEADERS]:
            kept.append((_text(name, 100), _text(value)))
    except Exception:  # noqa: BLE001
        defects.append("unreadable headers")
    message_id = header("Message-ID").strip()
    return InboundMessage(
        message_id=message_id[:255],
        key=message_key(message_id, raw),
        sender=senders[0] if senders else None,
        senders_count=len(senders),
        to=to,
        subject=header("Subject")[:998],
        date=header("Date")[:100],
        text=text,
        html=html,
        attachments=tuple(attachments[:100]),
        auth_results=tuple(auth[:50]),
        auto_submitted=auto,
        defects=tuple(dict.fromkeys(defects)),
        truncated=truncated,
        size=len(raw),
        headers=tuple(kept),
    )
