"""Opening an IMAP connection with aioimaplib: TLS, STARTTLS (which aioimaplib lacks) or plain, then LOGIN."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from pathlib import Path

from aioimaplib import aioimaplib

from adapters.config.secrets import read_secret
from domain.errors import Unavailable
from domain.mail.inbound import ImapMailbox

from .responses import ImapError, ok


async def connect(
    settings: ImapMailbox, secrets_dir: Path, ca_file: str | None = None
) -> tuple[aioimaplib.IMAP4, asyncio.Event]:
    """A logged-in client, and the event set when its connection is lost."""
    password = (
        read_secret(secrets_dir, settings.password_file, f"imap {settings.user}").decode()
        if settings.password_file
        else ""
    )
    context = ssl.create_default_context(cafile=ca_file) if (settings.tls or settings.starttls is not False) else None
    lost = asyncio.Event()

    def on_lost(_exc: Exception | None) -> None:
        lost.set()
        with contextlib.suppress(Exception):
            client.protocol.idle_queue.put_nowait(aioimaplib.STOP_WAIT_SERVER_PUSH)

    timeout = settings.timeout_seconds
    try:
        if settings.tls:
            client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                host=settings.host, port=settings.effective_port, timeout=timeout, ssl_context=context
            )
            client.protocol.conn_lost_cb = on_lost
        else:
            client = aioimaplib.IMAP4(
                host=settings.host, port=settings.effective_port, timeout=timeout, conn_lost_cb=on_lost
            )
        await client.wait_hello_from_server()
        if not settings.tls and (
            settings.starttls or (settings.starttls is None and client.has_capability("STARTTLS"))
        ):
            await _starttls(client, settings, context)
        ok(await client.login(settings.user, password), "LOGIN")
        if client.protocol.state != aioimaplib.AUTH:  # pragma: no cover - the library sets it on OK
            raise ImapError("LOGIN did not authenticate")
    except (TimeoutError, OSError, aioimaplib.AioImapException) as exc:
        raise Unavailable(f"IMAP {settings.host}:{settings.effective_port}: {exc or type(exc).__name__}") from None
    return client, lost


async def _starttls(client: aioimaplib.IMAP4, settings: ImapMailbox, context: ssl.SSLContext | None) -> None:
    """aioimaplib has no STARTTLS: send it, then upgrade the transport with asyncio's start_tls."""
    if not client.has_capability("STARTTLS"):
        raise ImapError(f"{settings.host} does not offer STARTTLS (starttls: true refuses a plain connection)")
    protocol = client.protocol
    ok(
        await asyncio.wait_for(
            protocol.execute(aioimaplib.Command("STARTTLS", protocol.new_tag())), settings.timeout_seconds
        ),
        "STARTTLS",
    )
    loop = asyncio.get_running_loop()
    transport = await loop.start_tls(
        protocol.transport, protocol, context or ssl.create_default_context(), server_hostname=settings.host
    )
    protocol.transport = transport
    await asyncio.wait_for(protocol.capability(), settings.timeout_seconds)
