"""The Database port on SQLAlchemy Core (async): one engine per app, `:name` parameters bound, errors mapped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from domain.app import DatabaseSettings
from domain.errors import NotFound
from domain.schema import Schema
from domain.sql_text import parameter_positions
from domain.statement import Row, WriteResult

from .engines import create_engine, transaction
from .errors import translate
from .introspection import introspect
from .platform_tables import metadata as platform_metadata

log = logging.getLogger("sogoms.db")
_json = msgspec.json.Encoder()


_PYFORMAT: dict[str, str] = {}


def _pyformat(sql: str) -> str:
    """`:name` placeholders as the MySQL drivers' `%(name)s` (literal `%` doubled), memoised per statement."""
    converted = _PYFORMAT.get(sql)
    if converted is None:
        marks = parameter_positions(sql)
        out, last = [], 0
        for pos, name in marks:
            out.append(sql[last:pos].replace("%", "%%"))
            out.append(f"%({name})s")
            last = pos + 1 + len(name)
        out.append(sql[last:].replace("%", "%%"))
        converted = "".join(out)
        if len(_PYFORMAT) > 4096:
            _PYFORMAT.clear()
        _PYFORMAT[sql] = converted
    return converted


def _param(value: Any) -> Any:
    """Lists and objects (JSON fields) are stored as JSON text."""
    if isinstance(value, dict | list):
        return _json.encode(value).decode()
    return value


async def _execute(engine: AsyncEngine, sql: str, params: dict[str, Any], action: str) -> Any:
    """One statement on the driver's own connection, checked out of the engine's pool (autocommit, see engines.py).

    The hot path of every route: no SQLAlchemy result machinery, no connection wrapper, no reset round trip. Errors
    come out as SQLAlchemy's DBAPIError family (for `translate`), and a connection found dead is dropped from the pool.
    """
    try:
        fairy = await greenlet_spawn(engine.sync_engine.pool.connect)
    except sa_exc.SQLAlchemyError:
        raise
    except Exception as exc:  # the driver could not connect: SQLAlchemy's wrapper, as engine.connect() would raise
        raise sa_exc.DBAPIError.instance(None, None, exc, engine.dialect.loaded_dbapi.Error) from exc
    try:
        driver: Any = fairy.driver_connection
        if engine.dialect.name == "sqlite":
            try:
                cursor = await driver.execute(sql, params)
            except asyncio.CancelledError:
                await driver.interrupt()  # SQLite runs in aiosqlite's thread: stop the statement there too
                raise
            try:
                return await _collect(cursor, action)
            finally:
                await cursor.close()
        async with driver.cursor() as cursor:
            await cursor.execute(_pyformat(sql), params)
            return await _collect(cursor, action)
    except asyncio.CancelledError:
        # stopped mid-statement (the client went away, a timeout): the connection may still owe the server a
        # reply, so it is closed rather than handed to the next request
        await greenlet_spawn(fairy.invalidate)
        raise
    except Exception as exc:
        wrapped = sa_exc.DBAPIError.instance(sql, params, exc, engine.dialect.loaded_dbapi.Error)
        if isinstance(wrapped, sa_exc.DBAPIError) and engine.dialect.is_disconnect(exc, fairy, None):
            await greenlet_spawn(fairy.invalidate, exc)
            wrapped.connection_invalidated = True
        raise wrapped from exc
    finally:
        await greenlet_spawn(fairy.close)


async def _collect(cursor: Any, action: str) -> Any:
    if action == "query":
        rows = await cursor.fetchall()
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, r, strict=True)) for r in rows]
    if action == "query_one":
        row = await cursor.fetchone()
        names = [d[0] for d in cursor.description or ()]
        return dict(zip(names, row, strict=True)) if row is not None else None
    insert_id = cursor.lastrowid if action == "insert" else None
    return WriteResult(affected_rows=max(cursor.rowcount, 0), insert_id=insert_id or None)


class SqlAlchemyDatabase:
    """Implements Database. `configure()` swaps the app settings (on reload), keeping unchanged pools."""

    def __init__(self, secrets_dir: Path, settings: Mapping[str, DatabaseSettings] | None = None) -> None:
        self._secrets_dir = Path(secrets_dir)
        self._settings: dict[str, DatabaseSettings] = dict(settings or {})
        self._engines: dict[str, tuple[DatabaseSettings, AsyncEngine]] = {}
        self._prepared: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    async def configure(self, settings: Mapping[str, DatabaseSettings]) -> None:
        """New settings per app; engines whose settings changed or vanished are disposed."""
        self._settings = dict(settings)
        stale = [name for name, (s, _) in self._engines.items() if self._settings.get(name) != s]
        for name in stale:
            _, engine = self._engines.pop(name)
            self._prepared.discard(name)
            await engine.dispose()

    def dialect(self, app_id: str) -> str:
        return self._settings_for(app_id).dialect

    def _settings_for(self, app_id: str) -> DatabaseSettings:
        s = self._settings.get(app_id)
        if s is None:
            raise NotFound(f"Unknown app {app_id!r}")
        return s

    async def engine(self, app_id: str) -> AsyncEngine:
        """The app's engine; its platform tables (sogoms_*) exist once this returns."""
        current = self._engines.get(app_id)
        if current is not None and app_id in self._prepared:
            return current[1]
        lock = self._locks.setdefault(app_id, asyncio.Lock())
        async with lock:
            current = self._engines.get(app_id)
            if current is None:
                settings = self._settings_for(app_id)
                current = (settings, create_engine(settings, self._secrets_dir, app_id))
                self._engines[app_id] = current
            if app_id not in self._prepared:
                for attempt in range(3):
                    try:
                        async with transaction(current[1]) as conn:
                            await conn.run_sync(platform_metadata.create_all, checkfirst=True)
                        break
                    except Exception as exc:
                        # another process may be creating the same tables at this moment: look again
                        if attempt == 2:
                            raise translate(exc, app_id) from exc
                        await asyncio.sleep(0.05 * (attempt + 1))
                self._prepared.add(app_id)
            return current[1]

    async def _run(self, app_id: str, sql: str, args: dict[str, Any], action: str) -> Any:
        engine = await self.engine(app_id)
        params = {k: _param(v) for k, v in (args or {}).items()}
        try:
            return await _execute(engine, sql, params, action)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise translate(exc, app_id, action) from exc

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        rows: list[Row] = await self._run(app_id, query, args, "query")
        return rows

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        row: Row | None = await self._run(app_id, query, args, "query_one")
        return row

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "insert")
        return result

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "update")
        return result

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "delete")
        return result

    async def introspect(self, app_id: str) -> Schema:
        engine = await self.engine(app_id)
        try:
            async with engine.connect() as conn:
                return await introspect(conn)
        except Exception as exc:
            raise translate(exc, app_id) from exc

    async def health(self, app_id: str = "") -> dict[str, Any]:
        """Pings one app's database, or every configured one; never raises."""
        names = [app_id] if app_id else sorted(self._settings)
        report: dict[str, Any] = {}
        for name in names:
            try:
                engine = await self.engine(name)
                async with engine.connect() as conn:
                    await conn.exec_driver_sql("SELECT 1")
                pool = engine.pool
                report[name] = {"ok": True, "pool": {"size": pool.size(), "checked_out": pool.checkedout()}}  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001
                report[name] = {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}
        return {"ok": all(v["ok"] for v in report.values()), "apps": report}

    async def execute_script(self, app_id: str, statements: list[str]) -> None:
        """Runs DDL/DML statements in one transaction where the database allows (migrations)."""
        engine = await self.engine(app_id)
        try:
            async with transaction(engine) as conn:
                for sql in statements:
                    await conn.exec_driver_sql(sql)
        except Exception as exc:
            raise translate(exc, app_id) from exc

    async def close(self) -> None:
        for _, engine in self._engines.values():
            await engine.dispose()
        self._engines.clear()
        self._prepared.clear()
