"""Watch one folder of one mailbox: hand every message not yet settled to sogoms-mailproc, then do its IMAP actions.

A UID is settled only after its rule committed and its IMAP actions were done, so a crash at any point means
the message is fetched again and mailproc (which remembers each Message-ID) answers what it had done.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from application.ports.clock import Clock, Pause
from domain.mail.inbound import ImapMailbox

from .mailbox import MailboxConnector, MailboxSession, MailProcessing
from .ports import SETTLED

log = logging.getLogger("sogoms.imap")
BUSY_PAUSE = 5.0


@dataclass(slots=True)
class WatchState:
    """What `health` and the admin show of one watcher."""

    app: str
    mailbox: str
    folder: str
    connected: bool = False
    idle: bool = False
    uidvalidity: int = 0
    last_error: str = ""
    last_check: float = 0.0
    processed: int = 0
    failures: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "mailbox": self.mailbox,
            "folder": self.folder,
            "connected": self.connected,
            "idle": self.idle,
            "uidvalidity": self.uidvalidity,
            "last_error": self.last_error,
            "last_check": self.last_check,
            "processed": self.processed,
            "outcomes": dict(self.outcomes),
        }


class FolderWatcher:
    def __init__(
        self,
        app: str,
        mailbox: str,
        folder: str,
        settings: ImapMailbox,
        connector: MailboxConnector,
        processing: MailProcessing,
        clock: Clock,
        pause: Pause,
        backoff_max: float = 60.0,
    ) -> None:
        self.state = WatchState(app, mailbox, folder)
        self._settings, self._connector, self._processing, self._clock = settings, connector, processing, clock
        self._pause = pause
        self._backoff_max = backoff_max
        self._wake = asyncio.Event()
        self._settled: set[int] = set()  # of the current UIDVALIDITY: not asked about again
        self._not_before: dict[int, float] = {}  # UIDs whose rule waits for its retry time

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        delay = 1.0
        while True:
            session: MailboxSession | None = None
            try:
                session = await self._connector.open(self._settings)
                state = await session.select(self.state.folder)
                self._changed_validity(state.uidvalidity)
                self.state.connected, self.state.last_error = True, ""
                self.state.idle = "IDLE" in session.capabilities and self._settings.idle
                delay = 1.0
                while True:
                    waiting = await self.scan(session)
                    self._wake.clear()
                    pause = min(self._settings.poll_seconds, waiting) if waiting else self._settings.poll_seconds
                    await self._wait(session, pause)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect after a pause
                self.state.connected = False
                self.state.failures += 1
                self.state.last_error = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                log.warning(
                    "imap %s/%s/%s: %s (again in %.0fs)",
                    self.state.app,
                    self.state.mailbox,
                    self.state.folder,
                    self.state.last_error,
                    delay,
                )
            finally:
                if session is not None:
                    await session.close()
            await self._pause.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(self._backoff_max, delay * 2)

    def _changed_validity(self, uidvalidity: int) -> None:
        if self.state.uidvalidity and uidvalidity != self.state.uidvalidity:
            # the server renumbered the folder: every UID is new; mailproc still knows each Message-ID
            log.warning(
                "imap %s/%s/%s: UIDVALIDITY changed, looking at every message again",
                self.state.app,
                self.state.mailbox,
                self.state.folder,
            )
            self._settled.clear()
            self._not_before.clear()
        self.state.uidvalidity = uidvalidity

    async def _wait(self, session: MailboxSession, pause: float) -> None:
        """IDLE (or sleep) until the folder changes, `pause` passes, or `wake()` (a `poll` call)."""
        if self._wake.is_set():
            return

        async def on_wake() -> None:
            await self._wake.wait()
            await session.interrupt()

        waker = asyncio.ensure_future(on_wake())
        try:
            await session.wait(pause)
        finally:
            waker.cancel()

    async def scan(self, session: MailboxSession) -> float:
        """Processes every unsettled message; returns seconds until the next retry is due (0: none waiting)."""
        s = self.state
        s.last_check = self._clock.now()
        uids = [u for u in await session.uids() if u not in self._settled]
        if not uids:
            return 0.0
        pending = await self._processing.unsettled(s.app, s.mailbox, s.folder, s.uidvalidity, uids)
        self._settled.update(set(uids) - set(pending))
        now = self._clock.now()
        soonest = 0.0
        for uid in sorted(pending):
            due = self._not_before.get(uid, 0.0)
            if due > now:
                soonest = min(soonest or due - now, due - now)
                continue
            wait = await self._one(session, uid)
            if wait:
                soonest = min(soonest or wait, wait)
        return soonest

    async def _one(self, session: MailboxSession, uid: int) -> float:
        s = self.state
        fetched = await session.fetch(uid, self._settings.max_message_size)
        if fetched is None:
            self._settled.add(uid)  # expunged meanwhile
            return 0.0
        result = await self._processing.apply_rules(s.app, fetched.raw, s.mailbox, s.folder, uid, fetched.truncated)
        status = str(result.get("status"))
        s.outcomes[status] = s.outcomes.get(status, 0) + 1
        if status not in SETTLED:
            record = result.get("record") or {}
            due = float(record.get("next_attempt_at") or 0.0) if status == "retry" else self._clock.now() + BUSY_PAUSE
            self._not_before[uid] = due or self._clock.now() + BUSY_PAUSE
            return max(1.0, self._not_before[uid] - self._clock.now())
        for action in result.get("imap") or []:
            await self._imap_action(session, uid, action)
        await self._processing.settle(
            s.app, s.mailbox, s.folder, s.uidvalidity, uid, str(result.get("message_key", ""))
        )
        self._settled.add(uid)
        self._not_before.pop(uid, None)
        s.processed += 1
        return 0.0

    async def _imap_action(self, session: MailboxSession, uid: int, action: dict[str, Any]) -> None:
        kind = action.get("imap")
        if kind == "mark_read":
            await session.mark_read(uid)
        elif kind == "delete":
            await session.delete(uid)
        elif kind == "move":
            folder = str(action.get("folder") or "")
            if folder and folder != self.state.folder:
                await session.move(uid, folder)
