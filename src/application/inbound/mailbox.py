"""What sogoms-imap needs: an IMAP session on one folder, and sogoms-mailproc to hand each message to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from domain.mail.inbound import ImapMailbox


@dataclass(frozen=True, slots=True)
class FolderState:
    folder: str
    uidvalidity: int
    exists: int


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    raw: bytes
    size: int
    truncated: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """A message as `list` shows it (headers only)."""

    uid: int
    size: int
    flags: tuple[str, ...]
    sender: str
    to: str
    subject: str
    date: str
    message_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "size": self.size,
            "flags": list(self.flags),
            "seen": "\\Seen" in self.flags,
            "from": self.sender,
            "to": self.to,
            "subject": self.subject,
            "date": self.date,
            "message_id": self.message_id,
        }


class MailboxSession(Protocol):
    """One logged-in IMAP connection. Unavailable when the server cannot be reached or the connection is lost."""

    @property
    def capabilities(self) -> set[str]: ...

    async def select(self, folder: str) -> FolderState: ...

    async def uids(self) -> list[int]: ...

    async def fetch(self, uid: int, max_size: int) -> Fetched | None:
        """The raw message (its first `max_size` bytes, `truncated`, when larger); None when it is gone."""
        ...

    async def summaries(self, uids: list[int]) -> list[Summary]: ...

    async def mark_read(self, uid: int) -> None: ...

    async def delete(self, uid: int) -> None: ...

    async def move(self, uid: int, folder: str) -> None:
        """Creates `folder` when it does not exist."""
        ...

    async def folders(self) -> list[str]: ...

    async def wait(self, timeout: float) -> bool:
        """Until the folder changes (IMAP IDLE) or `timeout`; True when something changed."""
        ...

    async def interrupt(self) -> None:
        """Ends a `wait` in progress early."""
        ...

    async def close(self) -> None: ...


class MailboxConnector(Protocol):
    async def open(self, settings: ImapMailbox) -> MailboxSession: ...


class MailProcessing(Protocol):
    """sogoms-mailproc's actions that sogoms-imap calls."""

    async def apply_rules(
        self, app_id: str, raw: bytes, mailbox: str, folder: str, uid: int, truncated: bool
    ) -> dict[str, Any]: ...

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> None: ...

    async def unsettled(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]
    ) -> list[int]: ...
