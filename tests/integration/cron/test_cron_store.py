"""SqlCronStore on SQLite and MariaDB: firings claimed once, leases, history and its expiry."""

from __future__ import annotations

import asyncio

from adapters.sql.cron_store import SqlCronStore

T0 = 1_777_874_400.0  # 2026-05-04 06:00 UTC


async def test_a_firing_is_claimed_once_and_manual_runs_never_collide(database):
    store = SqlCronStore(database)
    first = await store.claim("app", "job", T0, "schedule", "a", T0)
    assert first is not None
    assert await store.claim("app", "job", T0, "schedule", "b", T0) is None
    assert await store.claim("app", "other", T0, "schedule", "b", T0) is not None
    manual = [await store.claim("app", "job", None, "manual", "a", T0) for _ in range(3)]
    assert None not in manual and len(set(manual)) == 3
    run = await store.get("app", first)
    assert run is not None and (run.status, run.kind, run.owner, run.scheduled_for) == ("running", "schedule", "a", T0)


async def test_concurrent_claims_of_one_firing_have_one_winner(database):
    stores = [SqlCronStore(database) for _ in range(8)]
    won = await asyncio.gather(*(s.claim("app", "job", T0 + 60, "schedule", f"i{i}", T0) for i, s in enumerate(stores)))
    assert len([w for w in won if w is not None]) == 1


async def test_a_lease_blocks_the_job_until_released_or_expired(database):
    store = SqlCronStore(database)
    r1 = await store.claim("app", "job", T0, "schedule", "a", T0)
    r2 = await store.claim("app", "job", T0 + 60, "schedule", "b", T0 + 60)
    assert r1 is not None and r2 is not None
    assert await store.acquire("app", "job", r1, "a", T0, T0 + 120)
    assert not await store.acquire("app", "job", r2, "b", T0 + 60, T0 + 180)
    await store.release("app", "job", r2)  # not its lease: nothing happens
    assert not await store.acquire("app", "job", r2, "b", T0 + 61, T0 + 180)
    await store.renew("app", "job", r1, T0 + 300)
    assert not await store.acquire("app", "job", r2, "b", T0 + 200, T0 + 400)
    await store.release("app", "job", r1)
    assert await store.acquire("app", "job", r2, "b", T0 + 201, T0 + 400)


async def test_an_expired_lease_is_taken_over_and_its_run_marked_abandoned(database):
    store = SqlCronStore(database)
    dead = await store.claim("app", "job", T0, "schedule", "dead", T0)
    assert dead is not None
    assert await store.acquire("app", "job", dead, "dead", T0, T0 + 60)
    nxt = await store.claim("app", "job", T0 + 3600, "schedule", "b", T0 + 3600)
    assert nxt is not None
    assert await store.acquire("app", "job", nxt, "b", T0 + 3600, T0 + 3700)
    run = await store.get("app", dead)
    assert run is not None and run.status == "abandoned" and "lease expired" in (run.error or "")


async def test_finish_history_and_purge(database):
    store = SqlCronStore(database)
    ids = []
    for day in range(5):
        at = T0 + day * 86400
        run_id = await store.claim("app", "job", at, "schedule", "a", at)
        assert run_id is not None
        await store.finish(
            "app",
            run_id,
            "success",
            finished_at=at + 1.5,
            attempts=2,
            duration_ms=1500,
            result={"mails": day, "when": "x" * 10},
        )
        ids.append(run_id)
    failing = await store.claim("app", "other", None, "manual", "a", T0 + 5 * 86400)
    assert failing is not None
    await store.finish(
        "app", failing, "failed", finished_at=T0 + 5 * 86400, attempts=1, duration_ms=3, error="boom " * 1000
    )
    history = await store.history("app", None, 3)
    assert [r.id for r in history] == [failing, ids[4], ids[3]]
    assert len(history[0].error or "") == 2000
    run = (await store.history("app", "job", 1))[0]
    assert (run.status, run.attempts, run.duration_ms, run.result) == (
        "success",
        2,
        1500,
        {"mails": 4, "when": "x" * 10},
    )
    assert run.finished_at == T0 + 4 * 86400 + 1.5
    assert await store.purge("app", T0 + 2 * 86400) == 2
    assert [r.id for r in await store.history("app", "job", 10)] == ids[:1:-1]
