"""Raw test messages, as a mail client or a receiving server would write them."""

from __future__ import annotations

import uuid

AUTHSERV = "mx.prokov.localhost"


def mail(
    sender: str = "ana@prokov.test",
    subject: str = "Buy paint",
    body: str = "Two litres of white.",
    *,
    to: str = "tasks@prokov.localhost",
    message_id: str | None = None,
    dkim: str | None = "prokov.test",
    authserv: str = AUTHSERV,
    extra: str = "",
) -> bytes:
    """A plain-text message; `dkim` is the domain the receiving server's Authentication-Results vouches for."""
    mid = message_id if message_id is not None else f"<{uuid.uuid4().hex}@client.test>"
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "Date: Tue, 01 Dec 2026 10:00:00 +0000"]
    if mid:
        lines.append(f"Message-ID: {mid}")
    if dkim is not None:
        lines.insert(0, f"Authentication-Results: {authserv}; dkim=pass header.d={dkim}; spf=none")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    if extra:
        lines.append(extra.rstrip("\r\n"))
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()
