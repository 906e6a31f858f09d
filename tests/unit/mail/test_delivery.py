"""Delivering the outbox (DeliverOutbox) with fakes: sent once, 4xx retried with backoff, 5xx failed, outages wait."""

import pytest

from application.mail.delivery import DeliverOutbox, Pacer
from application.mail.ports import DeliveryFailed
from application.mail.retry import RetryPolicy
from application.mail.service import MailService
from tests.fakes.clock import FakeClock
from tests.fakes.logs import FakeLogSink
from tests.fakes.mail import FakeMailAccounts, FakeMailTransport, FakeOutbox, FakeTemplates, smtp_account

POLICY = RetryPolicy(max_attempts=3, base=10, cap=100, jitter=0)


@pytest.fixture
def clock():
    return FakeClock(1000.0)


@pytest.fixture
def outbox():
    return FakeOutbox()


@pytest.fixture
def transport(clock):
    return FakeMailTransport(clock)


@pytest.fixture
def logs():
    return FakeLogSink()


@pytest.fixture
def accounts():
    return FakeMailAccounts({"shop": smtp_account(rate=5)})


@pytest.fixture
def deliver(outbox, transport, accounts, clock, logs):
    return DeliverOutbox(outbox, transport, accounts, clock, logs, POLICY, lease=60, rand=lambda: 0.5)


@pytest.fixture
def queue(outbox, accounts, clock):
    service = MailService(accounts, FakeTemplates(), outbox, clock)

    async def queue(n=1):
        return [(await service.send("shop", f"u{i}@shop.test", f"Hi {i}", "body")).message_id for i in range(n)]

    return queue


async def test_a_queued_message_is_sent_once_with_its_message_id(deliver, queue, transport, outbox, logs, clock):
    (mid,) = await queue()
    report = await deliver("shop")
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert [m.message_id for m in transport.sent] == [mid]
    (row,) = outbox.all()
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock.now())
    assert logs.events == [("shop", "mail_sent", {"message_id": mid, "to": "u0@shop.test", "attempt": 1}, "mail")]
    assert (await deliver("shop")).processed == 0
    assert len(transport.sent) == 1


async def test_a_4xx_is_retried_with_exponential_backoff_then_sent(deliver, queue, transport, outbox, clock):
    (mid,) = await queue()
    transport.replies[mid] = [DeliveryFailed("451 4.7.1 greylisted"), DeliveryFailed("421 busy")]
    report = await deliver("shop")
    assert report.retried == 1
    (row,) = outbox.all()
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "451 4.7.1 greylisted")
    assert row.next_attempt_at == clock.now() + 10
    clock.advance(9)
    assert (await deliver("shop")).processed == 0  # not due yet
    clock.advance(1)
    await deliver("shop")
    assert outbox.all()[0].next_attempt_at == clock.now() + 20
    clock.advance(20)
    await deliver("shop")
    row = outbox.all()[0]
    assert (row.status, row.attempts) == ("sent", 3)
    assert [m.message_id for m in transport.sent] == [mid]


async def test_a_5xx_is_never_retried_and_keeps_the_reply(deliver, queue, transport, outbox, logs, clock):
    (mid,) = await queue()
    transport.replies[mid] = [DeliveryFailed("550 5.1.1 no such user", permanent=True)]
    report = await deliver("shop")
    assert report.failed == 1
    (row,) = outbox.all()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 5.1.1 no such user")
    clock.advance(10_000)
    assert (await deliver("shop")).processed == 0
    assert transport.sent == []
    assert logs.errors[0][1] == "mail_failed: 550 5.1.1 no such user"
    assert logs.errors[0][2] == "error"


async def test_attempts_run_out_after_max_attempts(deliver, queue, transport, outbox, clock):
    (mid,) = await queue()
    transport.replies[mid] = [DeliveryFailed("451 try later") for _ in range(5)]
    for _ in range(3):
        await deliver("shop")
        clock.advance(1000)
    (row,) = outbox.all()
    assert row.status == "failed"
    assert row.attempts == 3
    assert row.last_error == "451 try later (gave up after 3 attempts)"


async def test_an_unreachable_server_stops_the_batch_without_using_attempts(deliver, queue, transport, outbox):
    await queue(5)
    transport.down = True
    report = await deliver("shop")
    assert report.unreachable.startswith("cannot reach")
    assert report.processed == 0
    assert [(m.status, m.attempts) for m in outbox.all()] == [("queued", 0)] * 5
    transport.down = False
    assert (await deliver("shop")).sent == 5


async def test_a_message_claimed_elsewhere_is_left_alone(deliver, queue, outbox, transport, clock):
    await queue()
    row = outbox.all()[0]
    assert await outbox.claim("shop", row.id, "other-host", clock.now(), clock.now() + 60)
    assert (await deliver("shop")).processed == 0
    assert transport.sent == []


async def test_a_message_left_sending_by_a_crash_is_sent_after_its_lease(deliver, queue, outbox, transport, clock):
    (mid,) = await queue()
    row = outbox.all()[0]
    await outbox.claim("shop", row.id, "crashed-host", clock.now(), clock.now() + 60)
    clock.advance(59)
    await deliver("shop")
    assert transport.sent == []
    clock.advance(2)
    await deliver("shop")
    assert [m.message_id for m in transport.sent] == [mid]
    assert outbox.all()[0].attempts == 2  # the interrupted attempt counts


async def test_the_app_rate_is_respected_in_every_one_second_window(deliver, queue, transport, clock):
    await queue(23)
    pacer = Pacer(clock, clock)  # the fake clock's sleep moves it forward
    while (await deliver("shop", pacer)).processed:
        pass
    times = transport.sent_at
    assert len(times) == 23
    for t in times:
        assert sum(1 for u in times if t <= u < t + 1.0) <= 5
    assert times[-1] - times[0] == pytest.approx(22 / 5)


async def test_stop_ends_the_batch_between_messages(deliver, queue, transport, outbox):
    await queue(3)
    report = await deliver("shop", stop=lambda: len(transport.sent) >= 1)
    assert report.sent == 1
    assert [m.status for m in outbox.all()] == ["sent", "queued", "queued"]
