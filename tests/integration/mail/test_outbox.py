"""The outbox in a real app database (SQLite and MariaDB): stored, claimed once, leased, kept across restarts."""

from __future__ import annotations

import asyncio

from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.outbox import SqlOutbox
from domain.app import DatabaseSettings
from domain.mail.outbound import Mail, OutboxMessage

NOW = 1_700_000_000.0


def queued(n: int, at: float = NOW, **kw) -> OutboxMessage:
    mail = Mail.create(f"user{n}@shop.test", f"Subject {n}", kw.pop("body", f"Body {n}"), kw.pop("html", ""))
    return OutboxMessage.queue(mail, f"<{n}@shop.sogoms>", at)


async def test_messages_are_stored_and_come_due_oldest_first(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(2, NOW + 1), queued(1, NOW), queued(3, NOW + 50)])
    due = await outbox.due("shop", NOW + 10, 10)
    assert [m.message_id for m in due] == ["<1@shop.sogoms>", "<2@shop.sogoms>"]
    assert due[0].status == "queued" and due[0].attempts == 0
    assert due[1].next_attempt_at == NOW + 1
    assert await outbox.depth("shop") == {"queued": 3, "sending": 0, "sent": 0, "failed": 0}


async def test_big_and_unicode_bodies_round_trip(database):
    outbox = SqlOutbox(database)
    body = "Ünïcödé ✓ " * 30_000  # ~300 KB: more than a MariaDB TEXT holds
    await outbox.add("shop", [queued(1, body=body, html=f"<p>{body}</p>")])
    stored = await outbox.get("shop", "<1@shop.sogoms>")
    assert stored is not None
    assert stored.body == body
    assert stored.body_html == f"<p>{body}</p>"


async def test_many_messages_are_stored_in_chunks(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(n) for n in range(250)])
    assert (await outbox.depth("shop"))["queued"] == 250


async def test_only_one_of_many_concurrent_claims_wins(database, outbox_url, tmp_path):
    other = SqlAlchemyDatabase(tmp_path, {"shop": DatabaseSettings(url=outbox_url)})  # a second process' pool
    try:
        mine, theirs = SqlOutbox(database), SqlOutbox(other)
        await mine.add("shop", [queued(n) for n in range(20)])
        ids = [m.id for m in await mine.due("shop", NOW, 100)]
        claims = [(box, i, f"{name}-{i}") for i in ids for box, name in ((mine, "a"), (theirs, "b"))]
        won = await asyncio.gather(*(box.claim("shop", i, c, NOW, NOW + 60) for box, i, c in claims))
        assert sum(won) == 20
        for i in ids:
            assert sum(w for (box, j, _), w in zip(claims, won, strict=True) if j == i) == 1
        assert await mine.due("shop", NOW + 30, 100) == []
        assert (await mine.depth("shop"))["sending"] == 20
    finally:
        await other.close()


async def test_settling_needs_the_claim(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(1)])
    (m,) = await outbox.due("shop", NOW, 10)
    assert await outbox.claim("shop", m.id, "me", NOW, NOW + 60)
    assert not await outbox.mark_sent("shop", m.id, "someone-else", NOW + 1)
    assert await outbox.mark_sent("shop", m.id, "me", NOW + 1)
    stored = await outbox.get("shop", m.message_id)
    assert stored is not None
    assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, NOW + 1)


async def test_retry_failure_and_unreachable_bookkeeping(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(1), queued(2), queued(3)])
    m1, m2, m3 = await outbox.due("shop", NOW, 10)
    for m in (m1, m2, m3):
        assert await outbox.claim("shop", m.id, f"c{m.id}", NOW, NOW + 60)
    await outbox.reschedule("shop", m1.id, f"c{m1.id}", NOW + 30, "451 later")
    await outbox.mark_failed("shop", m2.id, f"c{m2.id}", NOW, "550 no such user")
    await outbox.reschedule("shop", m3.id, f"c{m3.id}", NOW, "cannot reach", count_attempt=False)
    s1, s2, s3 = [await outbox.get("shop", m.message_id) for m in (m1, m2, m3)]
    assert s1 is not None and s2 is not None and s3 is not None
    assert (s1.status, s1.attempts, s1.last_error, s1.next_attempt_at) == ("queued", 1, "451 later", NOW + 30)
    assert (s2.status, s2.attempts, s2.last_error) == ("failed", 1, "550 no such user")
    assert (s3.status, s3.attempts) == ("queued", 0)


async def test_a_message_left_sending_is_released_after_its_lease(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(1), queued(2)])
    m1, m2 = await outbox.due("shop", NOW, 10)
    await outbox.claim("shop", m1.id, "crashed", NOW, NOW + 60)
    await outbox.claim("shop", m2.id, "crashed", NOW, NOW + 60)
    assert await outbox.release_expired("shop", NOW + 59, max_attempts=5) == 0
    assert await outbox.release_expired("shop", NOW + 60, max_attempts=1) == 2  # out of attempts: failed
    first = await outbox.get("shop", "<1@shop.sogoms>")
    assert first is not None and first.status == "failed"
    await outbox.add("shop", [queued(3)])
    (m3,) = await outbox.due("shop", NOW, 10)
    await outbox.claim("shop", m3.id, "crashed", NOW, NOW + 60)
    assert await outbox.release_expired("shop", NOW + 61, max_attempts=5) == 1
    again = await outbox.get("shop", "<3@shop.sogoms>")
    assert again is not None
    assert (again.status, again.attempts) == ("queued", 1)
    assert "interrupted" in again.last_error
    assert not await outbox.mark_sent("shop", m3.id, "crashed", NOW + 62)  # the late sender no longer holds it


async def test_the_outbox_survives_a_restart(outbox_url, tmp_path):
    settings = {"shop": DatabaseSettings(url=outbox_url)}
    first = SqlAlchemyDatabase(tmp_path, settings)
    await SqlOutbox(first).add("shop", [queued(1), queued(2)])
    await first.close()
    second = SqlAlchemyDatabase(tmp_path, settings)
    try:
        due = await SqlOutbox(second).due("shop", NOW, 10)
        assert [m.message_id for m in due] == ["<1@shop.sogoms>", "<2@shop.sogoms>"]
    finally:
        await second.close()


async def test_purge_keeps_recent_and_pending_mail(database):
    outbox = SqlOutbox(database)
    await outbox.add("shop", [queued(1, NOW - 100), queued(2, NOW - 100), queued(3, NOW)])
    m1, _m2, m3 = await outbox.due("shop", NOW, 10)
    for m in (m1, m3):
        await outbox.claim("shop", m.id, "c", NOW, NOW + 60)
        await outbox.mark_sent("shop", m.id, "c", NOW)
    assert await outbox.purge("shop", NOW - 50) == 1  # m1: sent and old; m2 still queued; m3 recent
    assert await outbox.get("shop", "<1@shop.sogoms>") is None
    assert await outbox.get("shop", "<2@shop.sogoms>") is not None
