"""The whole mail stack against a real SMTP server, on SQLite and MariaDB: outages lose nothing, 5xx is final,
4xx is retried, bulk mail keeps to the app's rate."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from adapters.clock import AsyncioPause, SystemClock
from adapters.smtp.accounts import SmtpAccounts
from adapters.smtp.transport import AiosmtplibTransport
from adapters.sql.outbox import SqlOutbox
from adapters.templates.jinja import JinjaTemplates
from application.mail.delivery import DeliverOutbox
from application.mail.ports import Recipient
from application.mail.retry import RetryPolicy
from application.mail.service import MailService
from application.mail.worker import DeliveryLoop
from domain.app import SmtpSettings
from tests.fakes.logs import FakeLogSink

FAST = RetryPolicy(max_attempts=50, base=0.05, cap=0.3, jitter=0.2)


class Stack:
    """One sender (a sogoms-smtp instance) over the shared outbox database."""

    def __init__(self, database, port: int, tmp: Path, rate: float = 1000.0, policy: RetryPolicy = FAST) -> None:
        self.accounts = SmtpAccounts(tmp)
        smtp = SmtpSettings(host="127.0.0.1", port=port, from_address="noreply@shop.test", starttls=False, rate=rate)
        self.accounts.configure({"shop": smtp})
        self.outbox = SqlOutbox(database)
        self.logs = FakeLogSink()
        clock = SystemClock()
        deliver = DeliverOutbox(self.outbox, AiosmtplibTransport(), self.accounts, clock, self.logs, policy, lease=60)
        self.loop = DeliveryLoop(deliver, self.accounts, clock, AsyncioPause(), poll=0.05, outage_cap=0.2)
        self.mail = MailService(self.accounts, JinjaTemplates(), self.outbox, clock, notify=self.loop.wake)


async def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_a_thousand_messages_through_an_outage_arrive_exactly_once(database, smtpd, recorder, tmp_path):
    first, second = Stack(database, smtpd.port, tmp_path), Stack(database, smtpd.port, tmp_path)
    going_down = threading.Event()
    down = {"now": False}

    def reply(msg):
        # after 300 messages the server starts refusing (421) and is then stopped: none is half-accepted
        if not going_down.is_set() and len(recorder.messages) >= 300:
            down["now"] = True
            going_down.set()
        return "421 4.3.2 Service shutting down" if down["now"] else None

    recorder.reply = reply
    recipients = [Recipient(f"user{n}@shop.test", {"n": n}) for n in range(1000)]
    queued = await first.mail.send_bulk("shop", recipients, subject="Message {{ n }}", body="Hello number {{ n }}")
    assert queued.queued == 1000
    await first.loop.start()
    await second.loop.start()  # two senders on one outbox: claims keep each message to one of them
    try:
        assert await asyncio.to_thread(going_down.wait, 60)
        await asyncio.to_thread(smtpd.stop)  # the server is gone: connections refused
        await asyncio.sleep(0.5)
        down["now"] = False
        await asyncio.to_thread(smtpd.start)
        await wait_until(lambda: len(recorder.ids()) >= 1000, timeout=120)
    finally:
        await first.loop.stop()
        await second.loop.stop()
    received = recorder.ids()
    assert set(received) == set(queued.message_ids)
    assert max(received.values()) == 1  # exactly once by Message-ID
    assert await first.outbox.depth("shop") == {"queued": 0, "sending": 0, "sent": 1000, "failed": 0}
    deferred = [e for s in (first, second) for e in s.logs.errors if e[1].startswith("mail_deferred: 421")]
    assert deferred, "the outage was noticed: some messages were answered 421 and retried"
    subjects = {str(m["Subject"]) for m in recorder.messages}
    assert "Message 0" in subjects and "Message 999" in subjects


async def test_550_is_not_retried_and_451_is(database, smtpd, recorder, tmp_path):
    stack = Stack(database, smtpd.port, tmp_path)
    tries: Counter[str] = Counter()

    def reply(msg):
        to = str(msg["To"])
        tries[to] += 1
        if to == "bad@shop.test":
            return "550 5.1.1 <bad@shop.test>: Recipient address rejected"
        if to == "grey@shop.test" and tries[to] <= 2:
            return "451 4.7.1 Greylisted, try again"
        return None

    recorder.reply = reply
    bad = await stack.mail.send("shop", "bad@shop.test", "Hi", "body")
    grey = await stack.mail.send("shop", "grey@shop.test", "Hi", "body")
    await stack.loop.start()
    try:
        await wait_until(lambda: len(recorder.messages) == 1, timeout=30)
        await asyncio.sleep(0.7)  # several retry periods: a retried 550 would show up in `tries`
    finally:
        await stack.loop.stop()
    assert tries["bad@shop.test"] == 1
    assert tries["grey@shop.test"] == 3
    bad_status = await stack.mail.status("shop", bad.message_id)
    assert bad_status.status == "failed"
    assert bad_status.last_error == "550 5.1.1 <bad@shop.test>: Recipient address rejected"
    assert bad_status.attempts == 1
    grey_status = await stack.mail.status("shop", grey.message_id)
    assert (grey_status.status, grey_status.attempts) == ("sent", 3)
    assert grey_status.last_error == "451 4.7.1 Greylisted, try again"
    assert grey_status.sent_at is not None


async def test_bulk_mail_keeps_to_the_app_rate(database, smtpd, recorder, tmp_path):
    rate = 10.0
    stack = Stack(database, smtpd.port, tmp_path, rate=rate)
    recipients = [Recipient(f"user{n}@shop.test", {"n": n}) for n in range(15)]
    await stack.mail.send_bulk("shop", recipients, subject="Digest {{ n }}", body="{{ n }}")
    await stack.loop.start()
    try:
        await wait_until(lambda: len(recorder.messages) == 15, timeout=30)
    finally:
        await stack.loop.stop()
    times = sorted(recorder.times)
    # a rate limit is a lower bound on time: 15 messages at 10/s cannot span less than 1.4 s
    assert times[-1] - times[0] >= (15 - 1) / rate * 0.9
    for t in times:
        assert sum(1 for u in times if t <= u < t + 1.0) <= rate + 1


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_mail_queued_while_the_sender_is_stopped_goes_out_when_it_starts(database, smtpd, recorder, tmp_path):
    before = Stack(database, smtpd.port, tmp_path)
    queued = await before.mail.send("shop", "ana@shop.test", "Queued before a restart", "body")
    after = Stack(database, smtpd.port, tmp_path)  # a new process: nothing in memory, only the outbox
    await after.loop.start()
    try:
        await wait_until(lambda: len(recorder.messages) == 1, timeout=20)
    finally:
        await after.loop.stop()
    assert recorder.messages[0]["Message-ID"] == queued.message_id
