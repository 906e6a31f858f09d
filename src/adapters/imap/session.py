"""The MailboxSession port on aioimaplib: one logged-in IMAP connection (TLS, STARTTLS or plain), one folder."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from aioimaplib import aioimaplib

from application.inbound.mailbox import Fetched, FolderState, Summary
from domain.errors import ConfigError, Unavailable
from domain.mail.inbound import ImapMailbox

from .connect import connect
from .responses import (
    EXISTS,
    FLAGS,
    LIST_LINE,
    SIZE,
    UID,
    UIDVALIDITY,
    fetched_messages,
    ok,
    quote,
    search_uids,
)

log = logging.getLogger("sogoms.imap")
BATCH = 50  # messages per FETCH of headers (aioimaplib reads each response line recursively)


class AioImapSession:
    """Implements MailboxSession."""

    def __init__(self, client: aioimaplib.IMAP4, settings: ImapMailbox) -> None:
        self._client, self._settings = client, settings
        self._folder = ""
        self.lost = asyncio.Event()
        self._interrupted = asyncio.Event()

    @classmethod
    async def open(cls, settings: ImapMailbox, secrets_dir: Path, ca_file: str | None = None) -> AioImapSession:
        client, lost = await connect(settings, secrets_dir, ca_file)
        session = cls(client, settings)
        session.lost = lost
        return session

    @property
    def capabilities(self) -> set[str]:
        return set(self._client.protocol.capabilities)

    async def select(self, folder: str) -> FolderState:
        response = ok(await self._client.select(quote(folder)), f"SELECT {folder}")
        uidvalidity, exists = 0, 0
        for line in response.lines:
            if not isinstance(line, bytes):
                continue
            m = UIDVALIDITY.search(line)
            if m:
                uidvalidity = int(m.group(1))
            m = EXISTS.match(line)
            if m:
                exists = int(m.group(1))
        self._folder = folder
        return FolderState(folder, uidvalidity, exists)

    async def uids(self) -> list[int]:
        return sorted(search_uids(ok(await self._client.uid_search("ALL", charset=None), "UID SEARCH").lines))

    async def fetch(self, uid: int, max_size: int) -> Fetched | None:
        """The raw message; past `max_size` bytes only its start (the text parts come first), `truncated`."""
        t = self._settings.timeout_seconds * 4
        size_resp = ok(
            await self._client.protocol.fetch(str(uid), "(UID RFC822.SIZE)", by_uid=True, timeout=t), "FETCH"
        )
        size = 0
        for line in size_resp.lines:
            m = SIZE.search(line) if isinstance(line, bytes) else None
            if m:
                size = int(m.group(1))
        if not size:
            return None  # gone (expunged meanwhile)
        part = "BODY.PEEK[]" if size <= max_size else f"BODY.PEEK[]<0.{max_size}>"
        response = ok(await self._client.protocol.fetch(str(uid), f"(UID {part})", by_uid=True, timeout=t), "FETCH")
        for head, literal in fetched_messages(response.lines):
            m = UID.search(head)
            if m and int(m.group(1)) == uid:
                return Fetched(uid, literal, size, size > max_size)
        return None

    async def summaries(self, uids: list[int]) -> list[Summary]:
        out: list[Summary] = []
        parser = BytesHeaderParser(policy=default_policy)
        for start in range(0, len(uids), BATCH):
            chunk = ",".join(str(u) for u in uids[start : start + BATCH])
            response = ok(
                await self._client.protocol.fetch(
                    chunk,
                    "(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])",
                    by_uid=True,
                    timeout=self._settings.timeout_seconds,
                ),
                "FETCH",
            )
            for head, literal in fetched_messages(response.lines):
                uid, size, flags = UID.search(head), SIZE.search(head), FLAGS.search(head)
                if uid is None:
                    continue
                headers = parser.parsebytes(literal)
                out.append(
                    Summary(
                        uid=int(uid.group(1)),
                        size=int(size.group(1)) if size else 0,
                        flags=tuple(flags.group(1).decode(errors="replace").split()) if flags else (),
                        sender=str(headers.get("From", ""))[:300],
                        to=str(headers.get("To", ""))[:300],
                        subject=str(headers.get("Subject", ""))[:300],
                        date=str(headers.get("Date", ""))[:100],
                        message_id=str(headers.get("Message-ID", ""))[:255],
                    )
                )
        return sorted(out, key=lambda s: -s.uid)

    async def mark_read(self, uid: int) -> None:
        ok(await self._client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")

    async def delete(self, uid: int) -> None:
        ok(await self._client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if "UIDPLUS" in self.capabilities:
            ok(await self._client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")
        else:
            ok(await self._client.expunge(), "EXPUNGE")

    async def move(self, uid: int, folder: str) -> None:
        await self.ensure_folder(folder)
        if "MOVE" in self.capabilities:
            ok(await self._client.uid("MOVE", str(uid), quote(folder)), f"MOVE {folder}")
            return
        ok(await self._client.uid("COPY", str(uid), quote(folder)), f"COPY {folder}")
        await self.delete(uid)

    async def ensure_folder(self, folder: str) -> None:
        if folder not in await self.folders():
            ok(await self._client.create(quote(folder)), f"CREATE {folder}")

    async def folders(self) -> list[str]:
        response = ok(await self._client.list('""', "*"), "LIST")
        names: list[str] = []
        for line in response.lines:
            m = LIST_LINE.match(line) if isinstance(line, bytes) else None
            if m:
                names.append(m.group("name").decode(errors="replace").strip().strip('"'))
        return names

    async def wait(self, timeout: float) -> bool:
        """IMAP IDLE until the server says something changed (True) or `timeout` passes (False)."""
        self._interrupted.clear()
        if "IDLE" not in self.capabilities or not self._settings.idle:
            lost = asyncio.ensure_future(self.lost.wait())
            woken = asyncio.ensure_future(self._interrupted.wait())
            try:
                await asyncio.wait({lost, woken}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                lost.cancel()
                woken.cancel()
            if self.lost.is_set():
                raise Unavailable("IMAP connection lost")
            return False
        if self.lost.is_set():
            raise Unavailable("IMAP connection lost")
        # IDLE's own start has no time limit in aioimaplib: a server that dies before its "+ idling" would hang it
        starting = asyncio.ensure_future(self._client.idle_start(timeout=timeout))
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait(
                {starting, lost}, timeout=self._settings.timeout_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
        if not starting.done():
            starting.cancel()
            raise Unavailable(
                "IMAP connection lost" if self.lost.is_set() else "IMAP IDLE was not acknowledged in time"
            )
        try:
            idle = starting.result()
        except aioimaplib.AioImapException as exc:
            raise Unavailable(f"IMAP IDLE refused: {exc}") from None
        changed = False
        try:
            while True:
                pushed = await self._client.wait_server_push(timeout=timeout + 5)
                if pushed == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                if any(isinstance(x, bytes) and x.startswith(b"BYE") for x in pushed):
                    self.lost.set()  # the server is going away (shutdown, restart)
                    break
                if not _keepalive(pushed):
                    changed = True
                    break
        except TimeoutError:
            pass
        finally:
            if self.lost.is_set():
                idle.cancel()
                raise Unavailable("IMAP connection lost")
            self._client.idle_done()
            try:
                ended = await asyncio.wait_for(idle, self._settings.timeout_seconds)
            except (TimeoutError, aioimaplib.AioImapException, OSError):
                self.lost.set()  # IDLE never ended: the server is gone or stuck
            else:
                # a server that went away may end IDLE with BYE or a bare close before conn_lost_cb has run
                if getattr(ended, "result", "OK") != "OK" or self._closing():
                    self.lost.set()
        if self.lost.is_set():
            raise Unavailable("IMAP connection lost")
        return changed

    def _closing(self) -> bool:
        transport = getattr(getattr(self._client, "protocol", None), "transport", None)
        return transport is None or transport.is_closing()

    async def interrupt(self) -> None:
        self._interrupted.set()
        with contextlib.suppress(Exception):
            await self._client.stop_wait_server_push()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            if not self.lost.is_set():
                await asyncio.wait_for(self._client.logout(), 5)
        with contextlib.suppress(Exception):
            self._client.protocol.transport.close()


def _keepalive(pushed: object) -> bool:
    """Untagged `* OK ...` lines only (Dovecot's "OK Still here" during IDLE): the server is alive, nothing changed."""
    return isinstance(pushed, list) and all(isinstance(x, bytes) and x.startswith(b"OK") for x in pushed)


class AioImapConnector:
    """Implements MailboxConnector: a new logged-in session per call."""

    def __init__(self, secrets_dir: str | Path, ca_file: str | None = None) -> None:
        self._secrets_dir, self._ca_file = Path(secrets_dir), ca_file

    async def open(self, settings: ImapMailbox) -> AioImapSession:
        try:
            return await AioImapSession.open(settings, self._secrets_dir, self._ca_file)
        except ConfigError:
            raise
