"""Which failed statements run again: only those that certainly did not take effect (adapters.sql.engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from adapters.sql.engines import CONFLICT_RETRIES, may_run_again, retrying
from adapters.sql.errors import translate
from domain.errors import Conflict, Unavailable


class DriverError(Exception):
    """What the MariaDB driver raises: (error number, message)."""


def failed(code: int, message: str, invalidated: bool = False) -> sa_exc.OperationalError:
    """A driver error as SQLAlchemy hands it on (and our statement path, which marks a dead connection)."""
    error = sa_exc.OperationalError("UPDATE t SET n = 1", {}, DriverError(code, message))
    error.connection_invalidated = invalidated
    return error


DEADLOCK = failed(1213, "Deadlock found when trying to get lock; try restarting transaction")
NOT_READY = failed(1047, "WSREP has not yet prepared node for application use")
GONE = failed(2013, "Lost connection to server during query", invalidated=True)


@pytest.mark.parametrize("action", ["query", "insert", "update", "delete", "transaction"])
def test_a_write_conflict_runs_again_a_few_times(action: str) -> None:
    assert [may_run_again(DEADLOCK, action, n) for n in range(1, CONFLICT_RETRIES + 2)] == [True] * CONFLICT_RETRIES + [
        False
    ]


def test_a_node_not_ready_refused_the_statement_before_running_it_once_more_then_503() -> None:
    assert may_run_again(NOT_READY, "insert", 1) and not may_run_again(NOT_READY, "insert", 2)


def test_a_lost_connection_repeats_a_read_never_a_write() -> None:
    assert may_run_again(GONE, "query", 1) and may_run_again(GONE, "query_one", 1)
    assert not may_run_again(GONE, "query", 2)
    for action in ("insert", "update", "delete", "transaction"):
        assert not may_run_again(GONE, action, 1)  # it may have committed: the caller gets 503 and decides


async def test_retrying_gives_up_with_the_last_error() -> None:
    calls: list[int] = []

    async def conflicting() -> None:
        calls.append(1)
        raise DEADLOCK

    with pytest.raises(sa_exc.OperationalError):
        await retrying(conflicting, "update")
    assert len(calls) == CONFLICT_RETRIES + 1

    async def once() -> str:
        calls.append(2)
        if calls.count(2) == 1:
            raise DEADLOCK
        return "done"

    assert await retrying(once, "update") == "done"


def test_a_conflict_that_keeps_losing_is_a_409_and_a_node_not_ready_a_503() -> None:
    assert isinstance(translate(DEADLOCK, "shop"), Conflict)
    assert "at the same moment" in translate(DEADLOCK, "shop").message
    assert isinstance(translate(NOT_READY, "shop"), Unavailable)
