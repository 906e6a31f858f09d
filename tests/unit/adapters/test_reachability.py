"""The database gate: a silent database fails requests fast after one bounded wait; a slow one is not called down."""

from __future__ import annotations

import asyncio

import pytest

from adapters.sql import reachability
from adapters.sql.reachability import Gate, Unreachable


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reachability, "STALL", 0.05)
    monkeypatch.setattr(reachability, "PROBE_TIMEOUT", 0.1)
    monkeypatch.setattr(reachability, "RECHECK", 0.05)


async def hang() -> None:
    await asyncio.sleep(3600)


async def answer(after: float, value: int = 1) -> int:
    await asyncio.sleep(after)
    return value


async def test_a_silent_database_is_refused_after_one_wait_then_at_once() -> None:
    gate = Gate("prokov", hang)
    with pytest.raises(Unreachable):
        await gate.run(hang)
    assert gate.down and "no answer" in gate.health()["error"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(Unreachable):
        await gate.run(lambda: answer(0))
    assert loop.time() - started < 0.05  # fails fast while the gate is closed


async def test_the_gate_opens_again_when_the_probe_answers() -> None:
    silent = True

    async def ping() -> None:
        if silent:
            await hang()

    gate = Gate("prokov", ping)
    with pytest.raises(Unreachable):
        await gate.run(hang)
    silent = False
    await asyncio.sleep(0.06)
    assert await gate.check()
    assert await gate.run(lambda: answer(0, 7)) == 7
    assert not gate.down and gate.health() == {}


async def test_a_slow_statement_whose_probe_is_slow_too_is_not_called_down() -> None:
    """A loaded host: the statement answers while the probe is still waiting; the answer is returned."""
    gate = Gate("prokov", hang)
    assert await gate.run(lambda: answer(0.1, 5)) == 5
    assert not gate.down


async def test_another_statement_answering_during_the_probe_keeps_the_gate_open() -> None:
    gate = Gate("prokov", hang)
    slow = asyncio.ensure_future(gate.run(lambda: answer(0.3, 1)))
    await asyncio.sleep(0.07)  # the slow one stalls: a probe is under way
    assert await gate.run(lambda: answer(0, 2)) == 2  # while another statement answers
    assert await slow == 1
    assert not gate.down


async def test_sqlite_is_never_gated() -> None:
    gate = Gate("prokov", hang, enabled=False)
    assert await gate.run(lambda: answer(0.1, 3)) == 3
