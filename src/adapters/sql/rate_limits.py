"""Rate limits reserved in the database: one row per bucket, taken by a compare-and-set before the work.

Every reservation is a single-row `UPDATE ... WHERE hits < :limit` (or the `INSERT` of the bucket's first row),
atomic on SQLite and InnoDB alike and a plain write-set conflict on Galera (the row has a primary key; no table
or named locks), so parallel attempts on any number of workers and hosts never take more than the limit.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from application.ports.auth_store import Refusal, Slot
from domain.errors import Conflict, Unavailable
from domain.query.statement import Row, WriteResult


class StatementRunner(Protocol):
    """What the limiter needs of a database: the Database port's statement methods."""

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None: ...

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...


RETRIES = 4  # a Galera certification conflict (or a deadlock) on the bucket's row: try the statement again
PURGE_EVERY = 200  # reservations between two sweeps of long-finished windows


class SqlRateLimits:
    """Implements RateLimits on a table `(bucket PRIMARY KEY, window_start, hits)`.

    A bucket's window starts at its first attempt and lasts `window` seconds; an attempt after it starts a new one.
    """

    def __init__(self, database: StatementRunner, table: str = "sogoms_rate_limits") -> None:
        self._db = database
        self._table = table
        self._reserves = 0
        # hits count up inside the window; past it the row starts a new window with this attempt. `hits` is set
        # before `window_start` on purpose: MariaDB evaluates SET assignments left to right.
        self._take = (
            f"UPDATE {table} SET hits = CASE WHEN window_start <= :expired THEN 1 ELSE hits + 1 END, "
            "window_start = CASE WHEN window_start <= :expired THEN :now ELSE window_start END "
            "WHERE bucket = :b AND (window_start <= :expired OR hits < :limit)"
        )
        self._create = f"INSERT INTO {table} (bucket, window_start, hits) VALUES (:b, :now, 1)"

    async def reserve(self, scope: str, bucket: str, limit: int, window: int, now: int) -> Slot | Refusal:
        bucket = bucket[:255]
        params = {"b": bucket, "now": now, "expired": now - window, "limit": limit}
        for _ in range(2):
            if (await self._retrying(self._db.update, scope, self._take, params)).affected_rows == 1:
                return await self._taken(scope, bucket, now, window)
            try:
                await self._retrying(self._db.insert, scope, self._create, {"b": bucket, "now": now})
                return await self._taken(scope, bucket, now, window)
            except Conflict:
                continue  # the row exists: the bucket is full, or another attempt created it just now: look again
        row = await self._db.query_one(
            scope, f"SELECT window_start FROM {self._table} WHERE bucket = :b", {"b": bucket}
        )
        started = int(row["window_start"]) if row else now
        return Refusal(bucket, max(1, started + window - now))

    async def release(self, scope: str, slot: Slot) -> None:
        await self._retrying(
            self._db.update,
            scope,
            f"UPDATE {self._table} SET hits = hits - 1 WHERE bucket = :b AND hits > 0 AND window_start > :expired",
            {"b": slot.bucket, "expired": slot.taken_at - slot.window},
        )

    async def reset(self, scope: str, bucket: str) -> None:
        # the row stays, with a window that has ended (window_start 0): the next attempt starts a new window in one
        # UPDATE, as it would after a DELETE, instead of an UPDATE that finds nothing and an INSERT
        await self._retrying(
            self._db.update,
            scope,
            f"UPDATE {self._table} SET hits = 0, window_start = 0 WHERE bucket = :b AND window_start <> 0",
            {"b": bucket[:255]},
        )

    async def _taken(self, scope: str, bucket: str, now: int, window: int) -> Slot:
        self._reserves += 1
        if self._reserves % PURGE_EVERY == 0:
            await self._db.delete(
                scope, f"DELETE FROM {self._table} WHERE window_start < :old", {"old": now - max(86400, 2 * window)}
            )
        return Slot(bucket, now, window)

    @staticmethod
    async def _retrying(call: Any, scope: str, sql: str, params: dict[str, Any]) -> WriteResult:
        for attempt in range(RETRIES):
            try:
                result: WriteResult = await call(scope, sql, params)
                return result
            except Unavailable:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")
