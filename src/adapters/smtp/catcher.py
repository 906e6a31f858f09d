"""The development mail catcher (aiosmtpd): every message kept as an .eml file, one log line each, none delivered."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

log = logging.getLogger("sogoms.mailcatcher")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def eml_name(when: datetime, message_id: str) -> str:
    """`{timestamp}-{message-id}.eml`, the Message-ID reduced to characters safe in a file name."""
    safe = _UNSAFE.sub("_", message_id.strip().strip("<>"))[:150] or uuid.uuid4().hex
    return f"{when.strftime('%Y%m%dT%H%M%S.%fZ')}-{safe}.eml"


class MailCatcherHandler:
    """aiosmtpd handler storing each message under `folder`."""

    def __init__(self, folder: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.folder = Path(folder)
        self._now = now
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content or b""
        headers = BytesParser(policy=default).parsebytes(content, headersonly=True)
        message_id = str(headers.get("Message-ID", "") or "")
        path = self.folder / eml_name(self._now(), message_id)
        await asyncio.to_thread(self._write, path, content)
        self.count += 1
        log.info(
            "mail %s from %s to %s: %r -> %s",
            message_id or "(no Message-ID)",
            envelope.mail_from,
            ", ".join(envelope.rcpt_tos),
            str(headers.get("Subject", "")),
            path.name,
        )
        return "250 Message accepted for delivery"

    def _write(self, path: Path, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        os.replace(partial, path)  # readers never see half a message


async def serve_catcher(host: str, port: int, folder: Path, stop: asyncio.Event) -> None:
    """Listen on host:port until `stop` is set."""
    handler = MailCatcherHandler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sogoms-mailcatcher", enable_SMTPUTF8=True, data_size_limit=64 << 20),
        host=host,
        port=port,
    )
    log.info("mail catcher listening on %s:%d, keeping messages in %s", host, port, folder)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        log.info("mail catcher stopped after %d message(s)", handler.count)
