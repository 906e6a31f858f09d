"""The admin's shared state (sessions, sign-in rate limits) in one SQL database: embedded SQLite or MariaDB."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Double, Index, Integer, MetaData, String, Table, delete, insert, select, text
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.admin import AdminSession
from domain.app import DatabaseSettings
from domain.query.statement import Row, WriteResult

from .engines import create_engine, retrying, transaction
from .errors import translate
from .rate_limits import SqlRateLimits

metadata = MetaData()
sessions = Table(
    "sogoms_admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf_token", String(128), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_seen", Double, nullable=False),
    Column("ip", String(64), nullable=False, default=""),
    Index("ix_sogoms_admin_sessions_user", "username"),
)
rate_limits = Table(  # sign-in attempts per client address, reserved before the password check
    "sogoms_admin_rate_limits",
    metadata,
    Column("bucket", String(255), primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("hits", Integer, nullable=False),
    Index("ix_sogoms_admin_rate_limits_window", "window_start"),
)


class SqlAdminState:
    """Implements SessionStore and RateLimits; every admin host pointed at the same database shares them."""

    def __init__(self, url: str, secrets_dir: Path) -> None:
        self._settings = DatabaseSettings(url=url, pool_size=5)
        self._secrets_dir = Path(secrets_dir)
        self._engine: AsyncEngine | None = None
        self._lock = asyncio.Lock()
        limits = SqlRateLimits(_Statements(self), rate_limits.name)
        # RateLimits, on this database (the `scope` argument is always the admin's own)
        self.reserve, self.release, self.reset = limits.reserve, limits.release, limits.reset

    async def engine(self) -> AsyncEngine:
        if self._engine is not None:
            return self._engine
        async with self._lock:
            if self._engine is None:
                engine = create_engine(self._settings, self._secrets_dir, "_admin")
                try:
                    async with transaction(engine) as conn:
                        await conn.run_sync(metadata.create_all, checkfirst=True)
                except Exception as exc:
                    await engine.dispose()
                    raise translate(exc, "_admin") from exc
                self._engine = engine
            return self._engine

    async def _write(self, statement: Any) -> int:
        engine = await self.engine()

        async def work() -> int:
            async with engine.begin() as conn:
                result = await conn.execute(statement)
                return max(result.rowcount, 0)

        try:
            return await retrying(work, "update")
        except Exception as exc:
            raise translate(exc, "_admin") from exc

    async def _read(self, statement: Any) -> list[Any]:
        engine = await self.engine()

        async def work() -> list[Any]:
            async with engine.connect() as conn:
                return list((await conn.execute(statement)).mappings())

        try:
            return await retrying(work, "query")
        except Exception as exc:
            raise translate(exc, "_admin") from exc

    # SessionStore
    async def create(self, session: AdminSession) -> None:
        await self._write(
            insert(sessions).values(
                id_hash=session.id_hash,
                username=session.username,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                last_seen=session.last_seen,
                ip=session.ip[:64],
            )
        )

    async def get(self, id_hash: str) -> AdminSession | None:
        rows = await self._read(select(sessions).where(sessions.c.id_hash == id_hash))
        if not rows:
            return None
        r = rows[0]
        return AdminSession(
            r["id_hash"], r["username"], r["csrf_token"], float(r["created_at"]), float(r["last_seen"]), r["ip"]
        )

    async def touch(self, id_hash: str, now: float) -> None:
        await self._write(sql_update(sessions).where(sessions.c.id_hash == id_hash).values(last_seen=now))

    async def delete(self, id_hash: str) -> None:
        await self._write(delete(sessions).where(sessions.c.id_hash == id_hash))

    async def delete_user(self, username: str) -> int:
        return await self._write(delete(sessions).where(sessions.c.username == username))

    async def purge(self, idle_before: float, created_before: float) -> int:
        gone = (sessions.c.last_seen < idle_before) | (sessions.c.created_at < created_before)
        return await self._write(delete(sessions).where(gone))

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


class _Statements:
    """The statement methods of the Database port on the admin's database, for SqlRateLimits."""

    def __init__(self, state: SqlAdminState) -> None:
        self._state = state

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        rows = await self._state._read(text(query).bindparams(**args))
        return dict(rows[0]) if rows else None

    async def _write(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return WriteResult(await self._state._write(text(query).bindparams(**args)))

    insert = update = delete = _write
