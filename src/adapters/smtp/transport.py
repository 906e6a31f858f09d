"""The MailTransport on aiosmtplib: implicit TLS (465) or STARTTLS (587) or plain, AUTH, one connection per batch.

Replies are classified once here: 5xx is permanent, 4xx and a dropped connection are worth a retry, and
a server that cannot be reached at all (refused, timeout, TLS handshake, AUTH refused) leaves the
message untouched until it can.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosmtplib

from application.mail.ports import DeliveryFailed, MailAccount
from domain.mail.outbound import OutboxMessage

from .message import build_message, envelope_recipient

log = logging.getLogger("sogoms.mail")


def _reply(code: int, text: str) -> str:
    return f"{code} {' '.join(text.split())}".strip()


def _classified(exc: Exception) -> DeliveryFailed:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reason = _reply(exc.code, exc.message)
        return DeliveryFailed(reason, permanent=500 <= exc.code < 600)
    return DeliveryFailed(f"connection lost: {type(exc).__name__}: {exc}".rstrip(": "))


class AiosmtplibSession:
    """Implements MailSession: connects (and logs in) on the first send, reconnects after a failure."""

    def __init__(self, account: MailAccount, tls_context: ssl.SSLContext | None) -> None:
        self._account, self._tls_context = account, tls_context
        self._client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self._account.smtp
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.tls,
            start_tls=s.use_starttls,
            timeout=self._account.timeout,
            tls_context=self._tls_context,
            local_hostname=self._account.sender.rpartition("@")[2] or "localhost",
        )
        where = f"{s.host}:{s.port}"
        try:
            await client.connect()
            if s.user:
                await client.login(s.user, self._account.password)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self._drop(client)
            raise DeliveryFailed(
                f"{where} refused the login: {_reply(exc.code, exc.message)}", unreachable=True
            ) from None
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError, TimeoutError) as exc:
            await self._drop(client)
            raise DeliveryFailed(f"cannot reach {where}: {type(exc).__name__}: {exc}", unreachable=True) from None
        return client

    async def send(self, message: OutboxMessage) -> None:
        if self._client is None or not self._client.is_connected:
            self._client = await self._connect()
        mime = build_message(self._account, message)
        try:
            await self._client.send_message(mime, sender=self._account.sender, recipients=[envelope_recipient(message)])
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError, TimeoutError) as exc:
            client, self._client = self._client, None
            await self._drop(client)
            raise _classified(exc) from None

    @staticmethod
    async def _drop(client: aiosmtplib.SMTP) -> None:
        client.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        if client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(client.quit(), timeout=2)
        client.close()


class AiosmtplibTransport:
    """Implements MailTransport. `ca_file` (or `tls_context`) trusts a private relay's certificate."""

    def __init__(self, ca_file: str | None = None, tls_context: ssl.SSLContext | None = None) -> None:
        if tls_context is None and ca_file:
            tls_context = ssl.create_default_context(cafile=ca_file)
        self._tls_context = tls_context

    @asynccontextmanager
    async def session(self, account: MailAccount) -> AsyncIterator[AiosmtplibSession]:
        session = AiosmtplibSession(account, self._tls_context)
        try:
            yield session
        finally:
            await session.close()
