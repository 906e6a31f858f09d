"""sogoms-imap's actions (list, fetch, delete, mark_read, move, folders, poll, health) and its folder watchers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from application.ports.clock import Clock, Pause
from domain.errors import BadRequest, NotFound
from domain.mail.inbound import ImapMailbox

from .mailbox import MailboxConnector, MailboxSession, MailProcessing
from .ports import MessageParser
from .watch import FolderWatcher

log = logging.getLogger("sogoms.imap")
IMAP_ACTIONS = ("list", "fetch", "delete", "mark_read", "move", "folders", "poll", "health")
Mailboxes = dict[str, dict[str, ImapMailbox]]  # app -> mailbox name -> settings


class ImapService:
    def __init__(
        self,
        connector: MailboxConnector,
        processing: MailProcessing,
        parse: MessageParser,
        clock: Clock,
        pause: Pause,
    ) -> None:
        self._connector, self._processing, self._parse, self._clock = connector, processing, parse, clock
        self._pause = pause
        self._mailboxes: Mailboxes = {}
        self._watchers: dict[tuple[str, str, str], tuple[ImapMailbox, FolderWatcher, asyncio.Task[None]]] = {}
        self._watching = False

    # configuration and watchers -------------------------------------------------------------------------------
    def configure(self, mailboxes: Mailboxes) -> None:
        """New settings: watchers of changed or removed folders stop, new ones start (when watching)."""
        self._mailboxes = mailboxes
        if self._watching:
            self._sync()

    def start(self) -> None:
        self._watching = True
        self._sync()

    def _sync(self) -> None:
        wanted = {
            (app, name, folder): box
            for app, boxes in self._mailboxes.items()
            for name, box in boxes.items()
            for folder in box.folders
        }
        for key, (box, _, task) in list(self._watchers.items()):
            if wanted.get(key) != box:
                task.cancel()
                del self._watchers[key]
        for key, box in wanted.items():
            if key not in self._watchers:
                watcher = FolderWatcher(*key, box, self._connector, self._processing, self._clock, self._pause)
                self._watchers[key] = (box, watcher, asyncio.ensure_future(watcher.run()))

    async def stop(self) -> None:
        self._watching = False
        tasks = [task for _, _, task in self._watchers.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._watchers.clear()

    # actions ----------------------------------------------------------------------------------------------------
    def _box(self, app_id: str, mailbox: str) -> ImapMailbox:
        boxes = self._mailboxes.get(app_id)
        if boxes is None:
            raise NotFound(f"app {app_id!r} has no IMAP mailbox (imap: in app.yaml)")
        if not mailbox and len(boxes) == 1:
            mailbox = next(iter(boxes))
        box = boxes.get(mailbox)
        if box is None:
            raise NotFound(f"app {app_id!r} has no mailbox {mailbox!r} (it has: {', '.join(sorted(boxes))})")
        return box

    @contextlib.asynccontextmanager
    async def _session(self, app_id: str, mailbox: str, folder: str = "") -> AsyncIterator[MailboxSession]:
        box = self._box(app_id, mailbox)
        session = await self._connector.open(box)
        try:
            if folder:
                await session.select(folder)
            yield session
        finally:
            await session.close()

    async def list(
        self, app_id: str, mailbox: str = "", folder: str = "INBOX", limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        """Newest first: uid, flags, size, from, to, subject, date, message_id; `total` in the folder."""
        if not 1 <= limit <= 500 or offset < 0:
            raise BadRequest("limit is 1-500 and offset at least 0")
        async with self._session(app_id, mailbox, folder) as session:
            uids = sorted(await session.uids(), reverse=True)
            page = uids[offset : offset + limit]
            messages = await session.summaries(page) if page else []
        return {
            "folder": folder,
            "total": len(uids),
            "limit": limit,
            "offset": offset,
            "messages": [m.as_dict() for m in messages],
        }

    async def fetch(self, app_id: str, uid: int, mailbox: str = "", folder: str = "INBOX") -> dict[str, Any]:
        """The whole message: headers, text and HTML bodies, attachments' metadata (read without marking it read)."""
        box = self._box(app_id, mailbox)
        async with self._session(app_id, mailbox, folder) as session:
            fetched = await session.fetch(uid, box.max_message_size)
        if fetched is None:
            raise NotFound(f"No message with uid {uid} in {folder}")
        return {"uid": uid, "folder": folder, **self._parse(fetched.raw, fetched.truncated).summary()}

    async def delete(self, app_id: str, uid: int, mailbox: str = "", folder: str = "INBOX") -> dict[str, Any]:
        async with self._session(app_id, mailbox, folder) as session:
            await session.delete(uid)
        return {"deleted": uid}

    async def mark_read(self, app_id: str, uid: int, mailbox: str = "", folder: str = "INBOX") -> dict[str, Any]:
        async with self._session(app_id, mailbox, folder) as session:
            await session.mark_read(uid)
        return {"marked_read": uid}

    async def move(self, app_id: str, uid: int, to: str, mailbox: str = "", folder: str = "INBOX") -> dict[str, Any]:
        if not to or any(c in to for c in '\r\n\x00"'):
            raise BadRequest("`to` must be a folder name")
        async with self._session(app_id, mailbox, folder) as session:
            await session.move(uid, to)
        return {"moved": uid, "to": to}

    async def folders(self, app_id: str, mailbox: str = "") -> dict[str, Any]:
        async with self._session(app_id, mailbox) as session:
            return {"folders": await session.folders()}

    async def poll(self, app_id: str = "", mailbox: str = "") -> dict[str, Any]:
        """Look at the watched folders now instead of at the next IDLE notice or poll."""
        woken = 0
        for (app, name, _), (_, watcher, _) in self._watchers.items():
            if (not app_id or app == app_id) and (not mailbox or name == mailbox):
                watcher.wake()
                woken += 1
        return {"woken": woken}

    async def health(self) -> dict[str, Any]:
        """Each watched folder: connected, IDLE or polling, last error, messages processed by outcome."""
        watchers = [w.state.as_dict() for _, w, _ in self._watchers.values()]
        ok = all(w["connected"] for w in watchers)
        return {"ok": True, "service": "sogoms-imap", "connected": ok, "watchers": watchers}
