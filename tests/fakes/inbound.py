"""The inbound mail ports: an IMAP mailbox in memory, its sessions and connector, mail processing."""

from __future__ import annotations

import asyncio
from typing import Any

from application.inbound.mailbox import Fetched, FolderState, MailboxConnector, MailProcessing, Summary
from domain.errors import Unavailable
from domain.mail.inbound import ImapMailbox


class FakeMailbox:
    """One IMAP folder in memory: messages by UID, flags, a UIDVALIDITY, and folders moved to."""

    def __init__(self, uidvalidity: int = 1) -> None:
        self.uidvalidity = uidvalidity
        self.messages: dict[int, bytes] = {}
        self.seen: set[int] = set()
        self.moved: dict[str, list[bytes]] = {}
        self.next_uid = 1
        self.opened = 0
        self.fail_open = 0  # the next N opens fail (the server is down)
        self.drop = False  # the connection in use is lost (noticed while idling)

    def deliver(self, raw: bytes) -> int:
        uid = self.next_uid
        self.next_uid += 1
        self.messages[uid] = raw
        return uid

    def renumber(self, uidvalidity: int) -> None:
        """The server rebuilt its index: same messages, new UIDs, a new UIDVALIDITY."""
        self.uidvalidity = uidvalidity
        old = [self.messages[u] for u in sorted(self.messages)]
        self.messages, self.seen, self.next_uid = {}, set(), 1
        for raw in old:
            self.deliver(raw)


class FakeMailboxSession:
    def __init__(self, box: FakeMailbox) -> None:
        self.box = box
        self.capabilities = {"IDLE", "MOVE"}

    async def select(self, folder: str) -> FolderState:
        return FolderState(folder, self.box.uidvalidity, len(self.box.messages))

    async def uids(self) -> list[int]:
        return sorted(self.box.messages)

    async def fetch(self, uid: int, max_size: int) -> Fetched | None:
        raw = self.box.messages.get(uid)
        if raw is None:
            return None
        return Fetched(uid, raw[:max_size], len(raw), len(raw) > max_size)

    async def summaries(self, uids: list[int]) -> list[Summary]:
        return [Summary(u, len(self.box.messages[u]), (), "", "", "", "", "") for u in uids if u in self.box.messages]

    async def mark_read(self, uid: int) -> None:
        self.box.seen.add(uid)

    async def delete(self, uid: int) -> None:
        self.box.messages.pop(uid, None)

    async def move(self, uid: int, folder: str) -> None:
        self.box.moved.setdefault(folder, []).append(self.box.messages.pop(uid))

    async def folders(self) -> list[str]:
        return ["INBOX", *self.box.moved]

    async def wait(self, timeout: float) -> bool:
        await asyncio.sleep(min(timeout, 0.01))
        if self.box.drop:
            self.box.drop = False
            raise Unavailable("IMAP connection lost")
        return False

    async def interrupt(self) -> None:
        return None

    async def close(self) -> None:
        return None


class FakeMailboxConnector:
    def __init__(self, box: FakeMailbox) -> None:
        self.box = box

    async def open(self, settings: ImapMailbox) -> FakeMailboxSession:
        self.box.opened += 1
        if self.box.fail_open:
            self.box.fail_open -= 1
            raise Unavailable("IMAP 127.0.0.1:143: connection refused")
        return FakeMailboxSession(self.box)


class FakeMailProcessing:
    """sogoms-mailproc in memory: one outcome per message (by its raw bytes), settled UIDs, scripted answers."""

    def __init__(self) -> None:
        self.applied: list[bytes] = []  # every apply_rules call
        self.outcomes: dict[bytes, dict[str, Any]] = {}
        self.settled: set[tuple[str, int, int]] = set()
        self.answer: dict[bytes, dict[str, Any]] = {}  # scripted answers (e.g. retry) by raw message

    async def apply_rules(
        self, app_id: str, raw: bytes, mailbox: str, folder: str, uid: int, truncated: bool
    ) -> dict[str, Any]:
        self.applied.append(raw)
        if raw in self.answer:
            return self.answer[raw]
        done = raw in self.outcomes
        self.outcomes.setdefault(
            raw, {"status": "done", "message_key": raw.decode()[:20], "imap": [{"imap": "mark_read"}]}
        )
        return {**self.outcomes[raw], "duplicate": done}

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> None:
        self.settled.add((folder, uidvalidity, uid))

    async def unsettled(self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]) -> list[int]:
        return [u for u in uids if (folder, uidvalidity, u) not in self.settled]


# the fakes fit their ports (mypy checks these)
_connector: MailboxConnector = FakeMailboxConnector(FakeMailbox())
_processing: MailProcessing = FakeMailProcessing()
