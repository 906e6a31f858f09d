"""The folder watcher with fakes: every message handed over once settled, nothing skipped, retries waited for."""

from __future__ import annotations

import asyncio

from application.inbound.watch import FolderWatcher
from application.ports.clock import Pause
from domain.mail.inbound import ImapMailbox
from tests.fakes.clock import FakeClock, HeldPause
from tests.fakes.inbound import FakeMailbox, FakeMailboxConnector, FakeMailboxSession, FakeMailProcessing

BOX = ImapMailbox(user="tasks@x.test", poll="1s")


def watcher(
    box: FakeMailbox, proc: FakeMailProcessing, clock: FakeClock | None = None, pause: Pause | None = None
) -> FolderWatcher:
    clock = clock or FakeClock(1000.0)
    return FolderWatcher("prokov", "tasks", "INBOX", BOX, FakeMailboxConnector(box), proc, clock, pause or clock)


async def test_each_message_is_applied_its_imap_actions_done_then_settled() -> None:
    box, proc = FakeMailbox(), FakeMailProcessing()
    uids = [box.deliver(f"m{i}".encode()) for i in range(3)]
    w = watcher(box, proc)
    session = FakeMailboxSession(box)
    await session.select("INBOX")
    w.state.uidvalidity = box.uidvalidity
    await w.scan(session)
    assert proc.applied == [b"m0", b"m1", b"m2"]
    assert box.seen == set(uids)
    assert proc.settled == {("INBOX", 1, u) for u in uids}
    await w.scan(session)  # a second look asks nothing again
    assert len(proc.applied) == 3


async def test_a_message_waiting_for_its_retry_is_not_settled_nor_fetched_before_its_time() -> None:
    box, proc, clock = FakeMailbox(), FakeMailProcessing(), FakeClock(1000.0)
    uid = box.deliver(b"later")
    proc.answer[b"later"] = {"status": "retry", "record": {"next_attempt_at": 1060.0}, "imap": [{"imap": "mark_read"}]}
    w = watcher(box, proc, clock)
    session = FakeMailboxSession(box)
    wait = await w.scan(session)
    assert 59 <= wait <= 60 and proc.settled == set() and box.seen == set()
    await w.scan(session)
    assert proc.applied == [b"later"]  # not due: not fetched again
    clock.advance(61)
    del proc.answer[b"later"]
    await w.scan(session)
    assert proc.applied == [b"later", b"later"] and proc.settled == {("INBOX", 0, uid)}


async def until(predicate, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not reached in time")


async def test_a_new_uidvalidity_looks_at_every_message_again_and_mailproc_dedupes() -> None:
    box, proc = FakeMailbox(uidvalidity=1), FakeMailProcessing()
    box.deliver(b"a")
    w = watcher(box, proc)
    task = asyncio.ensure_future(w.run())
    try:
        await until(lambda: ("INBOX", 1, 1) in proc.settled)
        box.renumber(2)
        box.deliver(b"b")
        box.drop = True  # the watcher reconnects and finds the folder renumbered
        await until(lambda: ("INBOX", 2, 2) in proc.settled)
    finally:
        task.cancel()
    assert ("INBOX", 2, 1) in proc.settled
    assert proc.applied == [b"a", b"a", b"b"]  # "a" handed over again, answered as a duplicate by mailproc
    assert w.state.uidvalidity == 2


async def test_a_server_down_is_retried_with_backoff_and_reported() -> None:
    box, proc = FakeMailbox(), FakeMailProcessing()
    box.fail_open = 1
    box.deliver(b"x")
    pause = HeldPause()
    w = watcher(box, proc, pause=pause)
    task = asyncio.ensure_future(w.run())
    try:
        await until(lambda: bool(pause.slept))  # backing off: what is reported meanwhile
        assert w.state.failures == 1 and "connection refused" in w.state.last_error and not w.state.connected
        assert 0.8 <= pause.slept[0] <= 1.2 and box.opened == 1  # the first step (1 s, jittered), not retried yet
        pause.release()
        await until(lambda: bool(proc.settled))
    finally:
        task.cancel()
    assert w.state.connected and w.state.last_error == "" and box.opened == 2 and len(pause.slept) == 1
