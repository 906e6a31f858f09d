"""Reads on the driver's own connection: same rows, same errors, and a broken connection is dropped from the pool."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.sql.database import SqlAlchemyDatabase
from domain.app import DatabaseSettings
from domain.errors import InternalError, Unavailable
from tests.conftest import BACKEND_PARAMS
from tests.support.databases import drop_mariadb, new_database


@pytest.fixture(params=BACKEND_PARAMS)
def url(request: pytest.FixtureRequest, tmp_path: Path):
    u = new_database(request.param, tmp_path, "reads")
    yield u
    if request.param == "mariadb":
        drop_mariadb(u)


def run(coro):
    return asyncio.run(coro)


def test_rows_params_and_literals(url: str, tmp_path: Path) -> None:
    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1)})
        try:
            await db.update("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20))", {})
            await db.insert("a", "INSERT INTO t (id, name) VALUES (:id, :name)", {"id": 1, "name": "50% off"})
            rows = await db.query(
                "a", "SELECT id, name, 'a:b %s' AS lit FROM t WHERE name LIKE :p AND id = :id", {"p": "50%", "id": 1}
            )
            assert rows == [{"id": 1, "name": "50% off", "lit": "a:b %s"}]
            assert await db.query_one("a", "SELECT id FROM t WHERE id = :id", {"id": 2}) is None
            assert await db.query("a", "SELECT id FROM t WHERE id > :id", {"id": 5}) == []
        finally:
            await db.close()

    run(go())


def test_bad_statement_is_an_internal_error_without_sql(url: str, tmp_path: Path) -> None:
    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url)})
        try:
            with pytest.raises(InternalError) as err:
                await db.query("a", "SELECT nope FROM missing_table WHERE x = :x", {"x": 1})
            assert "missing_table" not in err.value.message
            with pytest.raises(InternalError):
                await db.query_one("a", "SELECT :absent AS v", {})
        finally:
            await db.close()

    run(go())


@pytest.mark.parametrize("url", [p for p in BACKEND_PARAMS if getattr(p, "values", [p])[0] == "mariadb"], indirect=True)
def test_a_killed_connection_is_replaced_a_read_retried_a_write_not(url: str, tmp_path: Path) -> None:
    """A read that lost its connection changed nothing: it runs again on a new one. A write may or may not have
    committed when its connection died: it is never repeated, the caller gets 503 (and the pool heals)."""

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, max_overflow=0)})
        killer = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, max_overflow=0)})
        try:
            await db.update("a", "CREATE TABLE w (id INTEGER PRIMARY KEY AUTO_INCREMENT, n INTEGER)", {})
            first = await db.query_one("a", "SELECT CONNECTION_ID() AS id", {})
            assert first is not None
            await killer.update("a", f"KILL {int(first['id'])}", {})
            again = await db.query_one("a", "SELECT CONNECTION_ID() AS id", {})  # no 503: read again elsewhere
            assert again is not None and again["id"] != first["id"]

            await killer.update("a", f"KILL {int(again['id'])}", {})
            with pytest.raises(Unavailable):
                await db.insert("a", "INSERT INTO w (n) VALUES (1)", {})
            assert await db.query("a", "SELECT n FROM w", {}) == []  # not written twice, nor behind our back
            await db.insert("a", "INSERT INTO w (n) VALUES (2)", {})
            assert await db.query("a", "SELECT n FROM w", {}) == [{"n": 2}]
        finally:
            await db.close()
            await killer.close()

    run(go())


def test_a_pooled_connection_never_reads_a_stale_snapshot(url: str, tmp_path: Path) -> None:
    """The pool's connections autocommit: a read leaves no transaction (and no snapshot) open behind it."""

    async def go() -> None:
        reader = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, max_overflow=0)})
        writer = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, max_overflow=0)})
        try:
            await writer.update("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)", {})
            await writer.insert("a", "INSERT INTO t (id, n) VALUES (1, 1)", {})
            assert await reader.query_one("a", "SELECT n FROM t WHERE id = :id", {"id": 1}) == {"n": 1}
            await writer.update("a", "UPDATE t SET n = 2 WHERE id = 1", {})
            assert await reader.query_one("a", "SELECT n FROM t WHERE id = :id", {"id": 1}) == {"n": 2}
            write = await writer.insert("a", "INSERT INTO t (id, n) VALUES (:id, 3)", {"id": 7})
            assert write.affected_rows == 1
            assert await reader.query("a", "SELECT id FROM t ORDER BY id", {}) == [{"id": 1}, {"id": 7}]
        finally:
            await reader.close()
            await writer.close()

    run(go())


def test_a_script_stands_or_falls_as_a_whole(url: str, tmp_path: Path) -> None:
    """Migrations run in one real transaction even though single statements autocommit."""

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1)})
        try:
            await db.update("a", "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)", {})
            with pytest.raises(InternalError):
                await db.execute_script(
                    "a", ["INSERT INTO t (id, n) VALUES (1, 1)", "INSERT INTO t (id, n) VALUES (2, 2)", "BOGUS"]
                )
            assert await db.query("a", "SELECT id FROM t", {}) == []
            await db.execute_script("a", ["INSERT INTO t (id, n) VALUES (1, 1)", "UPDATE t SET n = 5"])
            assert await db.query("a", "SELECT id, n FROM t", {}) == [{"id": 1, "n": 5}]
        finally:
            await db.close()

    run(go())


def test_a_statement_cancelled_midway_does_not_spoil_the_pool(url: str, tmp_path: Path) -> None:
    """A request cancelled during its query (client gone, timeout) leaves no half-read connection behind."""
    slow = (
        "SELECT SLEEP(2) AS s"
        if url.startswith("mysql")
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c"
    )

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, max_overflow=0)})
        try:
            assert await db.query_one("a", "SELECT 1 AS one", {}) == {"one": 1}
            task = asyncio.ensure_future(db.query_one("a", slow, {}))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            for n in range(3):
                assert await asyncio.wait_for(db.query_one("a", "SELECT :n AS n", {"n": n}), 5) == {"n": n}
        finally:
            await db.close()

    run(go())
